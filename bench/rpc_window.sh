#!/usr/bin/env bash
# rpc_window.sh POTOK_BIN: issue 13's done-when run. The real window (the GUI
# build) under Xvfb, in a fresh HOME whose preferences hold a known RPC
# secret, receives a link from the npm "aria2" client (what aria2's browser
# extensions and web front-ends use) over WebSocket at
# ws://127.0.0.1:PORT/jsonrpc, downloads it from a `potok serve-demo` on
# loopback, and shows it as a row: docs/rpc-window.png is taken once
# aria2.onDownloadComplete came; then docs/rpc-settings.png, the Settings
# dialog's Links from the browser (opened by xdotool clicks). The file is
# checked against the demo server's bytes. Needs xvfb-run, imagemagick,
# xdotool, node and npm (the client is installed with npm ci from
# downloader/rpc/testdata/conformance into a temporary folder). RPC_PORT
# picks another port than aria2's 6800.
set -euo pipefail
potok=$(readlink -f "${1:?usage: rpc_window.sh path/to/potok (the GUI build)}")
root=$(cd "$(dirname "$0")/.." && pwd)
port=${RPC_PORT:-6800}
secret=potok-rpc-window-demo
work=$(mktemp -d /tmp/potok-rpc-window.XXXXXX)
cleanup() {
  [ -n "${demo:-}" ] && kill "$demo" 2>/dev/null
  wait 2>/dev/null
  rm -rf "$work"
}
trap cleanup EXIT
if (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null; then
  echo "rpc_window.sh: something already answers on 127.0.0.1:$port (aria2c, or a Potok?); stop it or set RPC_PORT" >&2
  exit 1
fi

# The aria2 client, as pinned for the conformance test.
mkdir -p "$work/npm"
cp "$root/downloader/rpc/testdata/conformance/package.json" "$root/downloader/rpc/testdata/conformance/package-lock.json" "$work/npm/"
(cd "$work/npm" && npm ci --no-audit --no-fund --ignore-scripts --prefer-offline --loglevel=error)

# A fresh home: the RPC's secret and port, and the download folder, in the
# preferences the window reads at start; a socket folder of its own.
home=$work/home dl=$work/downloads
mkdir -p "$home/.config/fyne/io.github.potok" "$work/run"
chmod 700 "$work/run"
printf '{"rpcSecret":"%s","rpcPort":%d,"folder":"%s"}\n' "$secret" "$port" "$dl" >"$home/.config/fyne/io.github.potok/preferences.json"

"$potok" serve-demo -files 0 -latency 50ms -rate 2MiB >/dev/null 2>"$work/demo.log" &
demo=$!
for _ in $(seq 100); do grep -q '^serving demo files at ' "$work/demo.log" && break; sleep 0.1; done
files=$(sed -n 's/^serving demo files at \(http:[^ ]*\) .*/\1/p' "$work/demo.log")
[ -n "$files" ] || { echo "rpc_window.sh: the demo server did not start: $(cat "$work/demo.log")" >&2; exit 1; }
uri="$files/f/from-the-browser.iso?size=6291456" # 6 MiB at 2 MiB/s: 3 s in the window

export LANG=en_US.UTF-8
xvfb-run -a -s "-screen 0 1100x760x24" bash -c '
  set -euo pipefail
  potok=$1 work=$2 port=$3 secret=$4 uri=$5 shot=$6 js=$7 shot2=$8
  HOME=$work/home XDG_RUNTIME_DIR=$work/run "$potok" >"$work/window.log" 2>&1 & pid=$!
  # The window answers once it is up.
  for _ in $(seq 100); do
    curl -s -o /dev/null "http://127.0.0.1:$port/jsonrpc" && break
    kill -0 $pid 2>/dev/null || { echo "the window ended: $(cat "$work/window.log")" >&2; exit 1; }
    sleep 0.1
  done
  NODE_PATH=$work/npm/node_modules node "$js" "{\"port\":$port,\"secret\":\"$secret\",\"uri\":\"$uri\"}" | tee "$work/client.json"
  sleep 1 # the window redraws the finished row on its next ticks (5 a second)
  import -window root "$shot"
  # Then the Settings dialog, Links from the browser: what a user copies
  # into the extension.
  xdotool mousemove 1040 375 click 1 # "Settings…", right of the Download tab'"'"'s buttons
  sleep 1
  xdotool mousemove 520 174 click 1 # its "Links from the browser" tab
  sleep 1
  import -window root "$shot2"
  kill $pid
  wait $pid
  if [ "$(compare -metric AE "$shot" "$shot2" null: 2>&1 || true)" = 0 ]; then
    echo "the clicks missed the Settings button: move them in bench/rpc_window.sh" >&2
    exit 1
  fi
' rpc-window "$potok" "$work" "$port" "$secret" "$uri" "$root/docs/rpc-window.png" "$root/bench/rpc_window.js" "$root/docs/rpc-settings.png"

# The file arrived whole, in the window's folder, as the demo server serves it.
curl -s -o "$work/want.iso" "$uri"
cmp "$work/want.iso" "$dl/from-the-browser.iso"
grep -q '"status":"complete"' "$work/client.json"
echo "the window downloaded $(stat -c %s "$dl/from-the-browser.iso") bytes from the aria2 client's addUri into $dl; wrote docs/rpc-window.png and docs/rpc-settings.png"

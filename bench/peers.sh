#!/usr/bin/env bash
# peers.sh POTOK_BIN: Potok beside wget2, curl and aria2c, downloading from nginx
# on loopback, in one run (hyperfine). Three cases:
#   1. 2000 files x 8 KiB, 32 at once
#   2. one 1 GiB file, one connection (also peak memory, from /usr/bin/time -v)
# Then ../shared/bench/io_scaling.sh (shaped server, 1..32 workers) if present.
# Env: RUNS (hyperfine runs, default 10), PORT (default 8090), SKIP_SCALING=1.
set -euo pipefail
potok=$(readlink -f "${1:?usage: peers.sh path/to/potok}")
here=$(cd "$(dirname "$0")" && pwd)
RUNS=${RUNS:-10}; PORT=${PORT:-8090}
work=$(mktemp -d /tmp/potok-peers.XXXXXX)
chmod 755 "$work" # nginx's workers run as another user
cleanup() { [ -f "$work/nginx.pid" ] && kill "$(cat "$work/nginx.pid")" 2>/dev/null; rm -rf "$work"; }
trap cleanup EXIT

mkdir -p "$work/www/small" "$work/logs"
for i in $(seq 1 2000); do head -c 8192 /dev/urandom > "$work/www/small/f$i.bin"; done
head -c $((1 << 30)) /dev/urandom > "$work/www/big.bin"
cat > "$work/nginx.conf" <<CONF
worker_processes 1;
pid $work/nginx.pid;
error_log $work/logs/error.log;
events { worker_connections 1024; }
http {
  access_log off;
  sendfile on; tcp_nopush on;
  keepalive_requests 100000;
  client_body_temp_path $work/logs; proxy_temp_path $work/logs; fastcgi_temp_path $work/logs;
  uwsgi_temp_path $work/logs; scgi_temp_path $work/logs;
  server { listen 127.0.0.1:$PORT; root $work/www; }
}
CONF
nginx -c "$work/nginx.conf" -p "$work"
ok=""
for _ in $(seq 50); do curl -sf -o /dev/null "http://127.0.0.1:$PORT/small/f1.bin" && ok=1 && break; sleep 0.1; done
[ -n "$ok" ] || { echo "nginx did not serve the test files; see $work/logs/error.log"; cat "$work/logs/error.log"; exit 1; }
base="http://127.0.0.1:$PORT"
for i in $(seq 1 2000); do echo "$base/small/f$i.bin"; done > "$work/small.txt"
echo "$base/big.bin" > "$work/big.txt"
out="$work/out"
prep="bash -c 'rm -rf $out && mkdir -p $out'"

echo "== 2000 files x 8 KiB from nginx on loopback, 32 at once"
hyperfine -N --warmup 2 --runs "$RUNS" --prepare "$prep" --export-markdown "$work/small.md" \
  -n potok   "$potok get -q -j 32 -o $out -i $work/small.txt" \
  -n wget2   "wget2 -q --max-threads=32 -P $out -i $work/small.txt" \
  -n curl    "bash -c 'cd $out && xargs -a $work/small.txt curl -s --parallel --parallel-max 32 --remote-name-all'" \
  -n aria2c  "aria2c -q -j 32 -x1 -s1 -d $out -i $work/small.txt --auto-file-renaming=false --allow-overwrite=true" \
  || true
cat "$work/small.md"
[ "$(ls "$out" | wc -l)" = 2000 ] || echo "WARNING: last run left $(ls "$out" | wc -l) files"

echo "== 1 GiB file from nginx on loopback, one connection"
hyperfine -N --warmup 1 --runs "$(( RUNS < 5 ? RUNS : 5 ))" --prepare "$prep" --export-markdown "$work/big.md" \
  -n potok   "$potok get -q -x 1 -o $out -i $work/big.txt" \
  -n wget2   "wget2 -q --max-threads=1 -P $out -i $work/big.txt" \
  -n curl    "curl -s -o $out/big.bin $base/big.bin" \
  -n aria2c  "aria2c -q -x1 -s1 -d $out -i $work/big.txt --auto-file-renaming=false --allow-overwrite=true" \
  || true
cat "$work/big.md"
cmp "$out/big.bin" "$work/www/big.bin" && echo "last 1 GiB copy is byte-exact"
echo "peak memory (max RSS) for the 1 GiB file:"
for c in potok wget2 curl aria2c; do
  rm -rf "$out"; mkdir -p "$out"
  case $c in
    potok)  cmd=("$potok" get -q -x 1 -o "$out" -i "$work/big.txt") ;;
    wget2)  cmd=(wget2 -q --max-threads=1 -P "$out" -i "$work/big.txt") ;;
    curl)   cmd=(curl -s -o "$out/big.bin" "$base/big.bin") ;;
    aria2c) cmd=(aria2c -q -x1 -s1 -d "$out" -i "$work/big.txt") ;;
  esac
  /usr/bin/time -f '%M' -o "$work/mem" "${cmd[@]}" >/dev/null 2>&1 || true
  kb=$(tail -1 "$work/mem")
  echo "  $c: $((kb / 1024)) MiB"
done

if [ -z "${SKIP_SCALING:-}" ] && [ -x "$here/../../shared/bench/io_scaling.sh" ]; then
  echo "== ../shared/bench/io_scaling.sh (client,workers,seconds)"
  "$here/../../shared/bench/io_scaling.sh" "$potok get -q -j {J} -o {OUT} -i {LIST}"
fi

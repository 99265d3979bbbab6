#!/usr/bin/env bash
# tray_window.sh POTOK_BIN: the tray icon of the real window (the GUI build),
# checked without a desktop. Under Xvfb and a private D-Bus session
# (dbus-run-session) Fyne's systray exports its menu on the bus as a
# StatusNotifierItem (no tray host draws it; registering with the absent
# StatusNotifierWatcher fails, and Fyne only logs that). The script reads the
# menu with gdbus (com.canonical.dbusmenu.GetLayout) and clicks its items the
# way a tray host does (Event "clicked"): `potok URL URL` hands two slow
# links to the window; the speed line shows "Total speed: …"; Pause all makes
# it "Nothing downloading"; Resume all brings the speed back; Quit ends the
# window with exit 0 and the unfinished files kept as .part. Needs xvfb-run,
# dbus-run-session and gdbus (Debian: xvfb, dbus, libglib2.0-bin).
set -euo pipefail
potok=$(readlink -f "${1:?usage: tray_window.sh path/to/potok (the GUI build)}")
work=$(mktemp -d /tmp/potok-tray.XXXXXX)
cleanup() {
  [ -n "${demo:-}" ] && kill "$demo" 2>/dev/null
  wait 2>/dev/null
  rm -rf "$work"
}
trap cleanup EXIT
home=$work/home dl=$work/downloads
mkdir -p "$home/.config/fyne/io.github.potok" "$work/run"
chmod 700 "$work/run"
# The RPC off: this check needs no port.
printf '{"rpcOn":false,"folder":"%s"}\n' "$dl" >"$home/.config/fyne/io.github.potok/preferences.json"
"$potok" serve-demo -files 0 -latency 0 -rate 256KiB >/dev/null 2>"$work/demo.log" &
demo=$!
for _ in $(seq 100); do grep -q '^serving demo files at ' "$work/demo.log" && break; sleep 0.1; done
files=$(sed -n 's/^serving demo files at \(http:[^ ]*\) .*/\1/p' "$work/demo.log")
[ -n "$files" ] || { echo "tray_window.sh: the demo server did not start" >&2; exit 1; }

export LANG=en_US.UTF-8 HOME=$home XDG_RUNTIME_DIR=$work/run
xvfb-run -a -s "-screen 0 1100x760x24" dbus-run-session -- bash -c '
  set -euo pipefail
  potok=$1 work=$2 files=$3 dl=$4
  POTOK_LOG=info "$potok" >"$work/window.log" 2>&1 & pid=$! # info: Fyne'"'"'s systray log lines

  name=org.kde.StatusNotifierItem-$pid-1
  layout() { gdbus call --session --dest $name --object-path /StatusNotifierMenu --method com.canonical.dbusmenu.GetLayout -- 0 -1 "@as []"; }
  labels() { layout | grep -o "'"'"'label'"'"': <'"'"'[^'"'"']*'"'"'>" | sed "s/.*<'"'"'\(.*\)'"'"'>/\1/"; }
  click() {
    local id
    id=$(layout | grep -o "<([0-9]*, {[^}]*'"'"'label'"'"': <'"'"'$1'"'"'>" | grep -o "[0-9][0-9]*" | head -1)
    gdbus call --session --dest $name --object-path /StatusNotifierMenu --method com.canonical.dbusmenu.Event -- "$id" clicked "<0>" 0 >/dev/null
    echo "clicked \"$1\" (item $id)"
  }
  until_label() { # until the first item (the speed line) matches $1, for 20 s
    for _ in $(seq 100); do labels | head -1 | grep -q "$1" && { echo "tray: $(labels | head -1)"; return; }; sleep 0.2; done
    echo "the tray never said $1: $(labels | tr "\n" "|")" >&2; exit 1
  }
  for _ in $(seq 100); do layout >/dev/null 2>&1 && break; sleep 0.1; done
  echo "tray menu: $(labels | tr "\n" "|")"
  "$potok" "$files/f/tray-a.bin?size=33554432" "$files/f/tray-b.bin?size=33554432" 2>&1
  echo "potok URL URL: exit $?"
  until_label "^Total speed: "
  click "Pause all"
  until_label "^Nothing downloading$"
  click "Resume all"
  until_label "^Total speed: "
  click "Quit"
  code=0; wait $pid || code=$?
  echo "window exit $code"
  [ $code = 0 ]
  ls "$dl"/*.part >/dev/null
  echo "kept: $(cd "$dl" && ls | tr "\n" " ")"
' tray-window "$potok" "$work" "$files" "$dl" 2> >(grep -v "Failed to set fd limit" >&2)
echo "the window's log: $(grep -o "systray error.*" "$work/window.log" || echo "no systray error")"

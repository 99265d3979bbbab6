#!/usr/bin/env bash
# kill9_window.sh POTOK_BIN: the window's half of "kill -9 in the middle of 50
# downloads, then a restart". Starts a paced loopback server (50 × 1 MiB at
# 256 KiB/s per connection), opens the real window under Xvfb with the list
# and --autorun (it presses Download), kills it with SIGKILL a few seconds in,
# opens it again with nothing (the queue file brings the list back and
# "Continue unfinished downloads" resumes it), waits for all 50 files, and
# compares them byte for byte with a separate `potok get` of the same list.
# Needs xvfb-run; everything stays under a temporary HOME.
set -euo pipefail
potok=$(readlink -f "${1:?usage: kill9_window.sh path/to/potok (the GUI build)}")
work=$(mktemp -d /tmp/potok-kill9.XXXXXX)
# XDG_RUNTIME_DIR: the window's socket, so that the reopened window (no
# flags) opens rather than hand over to a window already open.
export HOME=$work/home XDG_CONFIG_HOME=$work/home/.config XDG_RUNTIME_DIR=$work/run LANG=en_US.UTF-8
mkdir -p "$HOME" "$XDG_RUNTIME_DIR"
cleanup() { pkill -9 -f "$potok" 2>/dev/null || true; kill "${srv:-0}" 2>/dev/null || true; rm -rf "$work"; }
trap cleanup EXIT
"$potok" serve-demo -files 50 -size 1MiB -rate 256KiB -latency 0 > "$work/list.txt" 2>/dev/null &
srv=$!
for _ in $(seq 50); do [ -s "$work/list.txt" ] && break; sleep 0.1; done
dir=$HOME/Downloads/potok
xvfb-run -a -s "-screen 0 1280x800x24" "$potok" "$work/list.txt" --autorun > "$work/first.log" 2>&1 &
for _ in $(seq 200); do [ "$(du -sb "$dir" 2>/dev/null | cut -f1)" -gt 4000000 ] 2>/dev/null && break; sleep 0.1; done
pkill -9 -f "$potok $work/list.txt"
sleep 0.5
echo "killed: $(du -sb "$dir" | cut -f1) bytes on disk, $(ls "$dir" | grep -c '\.part$') .part files, $(ls "$dir" | grep -vc '\.part$') finished"
start=$(date +%s)
xvfb-run -a -s "-screen 0 1280x800x24" "$potok" > "$work/second.log" 2>&1 &
for _ in $(seq 600); do [ "$(ls "$dir" | grep -vc '\.part$')" -ge 50 ] && break; sleep 0.2; done
echo "reopened: $(ls "$dir" | grep -vc '\.part$') of 50 files after $(( $(date +%s) - start )) s, $(ls "$dir" | grep -c '\.part$') .part left"
pkill -f "xvfb-run" 2>/dev/null || true
pkill -f "^$potok\$" 2>/dev/null || true
"$potok" get -q -no-queue -j 16 -o "$work/ref" -i "$work/list.txt" 2>/dev/null
diff -r "$work/ref" "$dir" && echo "all 50 files byte-identical to a fresh download"

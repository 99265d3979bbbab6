#!/usr/bin/env bash
# screenshots.sh BIN: run the real window under Xvfb with --autorun (the demo
# list and a 64 MiB file in segments, its row expanded, Download pressed, then
# Measure speedup) and capture it mid-download and once the speedup chart is
# drawn; then the Compute tab's two sweeps
# (--compute-demo). Writes docs/download.png, docs/speedup.png, docs/compute.png.
set -euo pipefail
bin=$(readlink -f "${1:?usage: screenshots.sh path/to/potok}")
out=$(cd "$(dirname "$0")" && pwd)
home=$(mktemp -d)
trap 'rm -rf "$home" 2>/dev/null || true' EXIT # the window may still be saving its queue
export LANG=en_US.UTF-8
xvfb-run -a -s "-screen 0 1100x760x24" bash -c '
  HOME="$0" "$1" --autorun & pid=$!
  sleep 6     # autorun presses Download after 1 s; small files take 1.1 s each,
              # the big one has its 8 connections once they are done, ~3.5 s in
  import -window root "$2/download.png"
  sleep 48    # the big file ends ~11 s in; then the sweep: 16 files at 1, 2, 4, 8, 16, 32 workers, about 37 s
  import -window root "$2/speedup.png"
  kill $pid; wait $pid || true
' "$home" "$bin" "$out"
xvfb-run -a -s "-screen 0 1100x760x24" bash -c '
  HOME="$0" "$1" --compute-demo & pid=$!
  sleep 40    # π at 1, 2, 4 workers (3 runs each), then 100 forests on Friedman #1
  import -window root "$2/compute.png"
  kill $pid; wait $pid || true
' "$home" "$bin" "$out"
echo "wrote $out/download.png $out/speedup.png $out/compute.png"

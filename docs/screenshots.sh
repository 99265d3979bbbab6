#!/usr/bin/env bash
# screenshots.sh BIN: run the real window under Xvfb with --autorun (the demo
# list and a 64 MiB file in segments, its row expanded, Download pressed, then
# Measure speedup) and capture it mid-download and once the speedup chart is
# drawn; then the Compute tab's two sweeps
# (--compute-demo); then the Settings dialog, opened by a click on its button
# (xdotool), with a manual proxy whose password the dialog keeps out of
# sight; then the Lesson tab once its lesson has run (--lesson-demo). Writes
# docs/download.png, docs/speedup.png, docs/compute.png, docs/settings.png,
# docs/lesson-window.png; with ru as LANGUAGE, the same window in Russian
# (LANG=ru_RU.UTF-8) in docs/ru/.
set -euo pipefail
bin=$(readlink -f "${1:?usage: screenshots.sh path/to/potok [en|ru]}")
docs=$(cd "$(dirname "$0")" && pwd)
case ${2:-en} in
  en) export LANG=en_US.UTF-8; out=$docs ;;
  ru) export LANG=ru_RU.UTF-8; out=$docs/ru; mkdir -p "$out" ;;
  *) echo "screenshots.sh: the language is en or ru" >&2; exit 2 ;;
esac
"$docs/../bench/apt-ensure.sh" xdotool
home=$(mktemp -d)
home2=$(mktemp -d)
home3=$(mktemp -d)
trap 'rm -rf "$home" "$home2" "$home3" 2>/dev/null || true' EXIT # the window may still be saving its queue
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
# The settings as the dialog keeps them, in the preferences of a fresh home.
prefs="$home2/.config/fyne/io.github.potok"
mkdir -p "$prefs"
echo '{"proxyMode":"manual","proxyURL":"http://ann:secret@proxy.example:3128","noProxy":"localhost, .lan","headers":"X-Team: docs"}' >"$prefs/preferences.json"
xvfb-run -a -s "-screen 0 1100x760x24" bash -c '
  # A socket folder of its own: a potok without flags hands its links to a
  # window already open (yours) rather than open one.
  mkdir -p -m 700 "$0/run"
  HOME="$0" XDG_RUNTIME_DIR="$0/run" "$1" & pid=$!
  sleep 4
  import -window root "$0/before.png"
  xdotool mousemove 1040 410 click 1 # "Settings…", right of the Download tab'"'"'s buttons
  sleep 1
  import -window root "$2/settings.png"
  kill $pid; wait $pid || true
  # The click must have opened the dialog: the screen changed.
  if [ "$(compare -metric AE "$0/before.png" "$2/settings.png" null: 2>&1 || true)" = 0 ]; then
    echo "the click at 1040,410 missed the Settings button: move it in docs/screenshots.sh" >&2
    exit 1
  fi
' "$home2" "$bin" "$out"
# The lesson (about a minute on 2 cores) is done when the window stops
# changing: while it runs, the status line's time moves every second.
xvfb-run -a -s "-screen 0 1100x760x24" bash -c '
  HOME="$0" "$1" --lesson-demo & pid=$!
  sleep 20
  ended=
  for i in $(seq 100); do
    import -window root "$0/now.png"
    if [ -f "$0/before.png" ] && [ "$(compare -metric AE "$0/before.png" "$0/now.png" null: 2>&1 || true)" = 0 ]; then
      ended=1
      break
    fi
    mv "$0/now.png" "$0/before.png"
    sleep 3
  done
  kill $pid; wait $pid || true
  if [ -z "$ended" ]; then
    echo "the lesson did not end within 5 minutes" >&2
    exit 1
  fi
  cp "$0/now.png" "$2/lesson-window.png"
' "$home3" "$bin" "$out"
echo "wrote $out/download.png $out/speedup.png $out/compute.png $out/settings.png $out/lesson-window.png"

#!/usr/bin/env bash
# segments.sh POTOK_BIN: one 1 GiB file from nginx on loopback, which sends
# each connection at most 20 MiB/s (limit_rate 20m), fetched over 16
# connections by `potok get -x 16 -j 16` beside `aria2c -x16 -s16 -k1M`, in one
# hyperfine run (ideal: 1 GiB / (16 × 20 MiB/s) = 3.2 s). Then each once more
# under /usr/bin/time -v for the peak memory (max RSS), and the sha256 of
# every result against the served file. With CURL=1, curl on one connection
# joins the hyperfine run as the baseline (51 s a run at 20 MiB/s).
# Env: RUNS (hyperfine runs, default 5), PORT (default 8091), RATE (nginx
# limit_rate, default 20m), SIZE_MIB (default 1024), CURL=1.
set -euo pipefail
potok=$(readlink -f "${1:?usage: segments.sh path/to/potok}")
here=$(cd "$(dirname "$0")" && pwd)
RUNS=${RUNS:-5}; PORT=${PORT:-8091}; RATE=${RATE:-20m}; SIZE_MIB=${SIZE_MIB:-1024}
"$here/apt-ensure.sh" nginx-light aria2 hyperfine time curl
work=$(mktemp -d /tmp/potok-segments.XXXXXX)
. "$here/nginx.sh"
mkdir -p "$work/www"
head -c $((SIZE_MIB << 20)) /dev/urandom > "$work/www/big.bin"
want=$(sha256sum "$work/www/big.bin" | cut -d' ' -f1)
start_nginx "$work" "$PORT" /big.bin "limit_rate $RATE;"
url="http://127.0.0.1:$PORT/big.bin"
out="$work/out"
prep="bash -c 'rm -rf $out && mkdir -p $out'"
potok_cmd="$potok get -q -x 16 -j 16 -queue $work/potok.queue -o $out $url"
aria_cmd="aria2c -q -x16 -s16 -k1M -d $out --allow-overwrite=true --auto-file-renaming=false $url"
extra=()
[ -n "${CURL:-}" ] && extra=(-n "curl (1 connection)" "curl -s -o $out/big.bin $url")

echo "== ${SIZE_MIB} MiB from nginx on loopback, limit_rate $RATE per connection, 16 connections"
hyperfine -N --warmup 1 --runs "$RUNS" --prepare "$prep" --export-markdown "$work/segments.md" \
  -n "potok -x 16" "$potok_cmd" \
  -n "aria2c -x16 -s16" "$aria_cmd" \
  "${extra[@]}"
cat "$work/segments.md"

echo "peak memory (max RSS) and sha256 of the result, one more run each:"
status=0
for c in potok aria2c; do
  rm -rf "$out"; mkdir -p "$out"
  case $c in
    potok)  cmd=$potok_cmd ;;
    aria2c) cmd=$aria_cmd ;;
  esac
  # shellcheck disable=SC2086 # the command lines above are word lists
  /usr/bin/time -v -o "$work/time.txt" $cmd
  kb=$(awk -F': ' '/Maximum resident set size/ { print $2 }' "$work/time.txt")
  wall=$(awk -F': ' '/Elapsed \(wall clock\)/ { print $2 }' "$work/time.txt")
  got=$(sha256sum "$out/big.bin" | cut -d' ' -f1)
  verdict="sha256 ok"
  [ "$got" = "$want" ] || { verdict="sha256 WRONG ($got)"; status=1; }
  printf '  %-7s %4d MiB max RSS, %s wall, %s\n' "$c" $((kb / 1024)) "$wall" "$verdict"
done
exit $status

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
. "$here/nginx.sh"
mkdir -p "$work/www/small"
for i in $(seq 1 2000); do head -c 8192 /dev/urandom > "$work/www/small/f$i.bin"; done
head -c $((1 << 30)) /dev/urandom > "$work/www/big.bin"
start_nginx "$work" "$PORT" /small/f1.bin
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

#!/usr/bin/env bash
# ab.sh OLD_POTOK NEW_POTOK: two builds of potok side by side (hyperfine, runs
# interleaved by hyperfine's order within each case) on the two cases every
# change that could cost speed is checked on, from nginx on loopback:
#   1. 2000 files x 8 KiB, 32 at once
#   2. one 1 GiB file, one connection
# Each build gets a config folder of its own (its queue files), emptied
# before every run, so neither sees the other's queue. hyperfine runs one
# build's runs, then the other's, so a machine whose load drifts favours one
# of them; the third part alternates the two builds, run by run, on the
# first case (ROUNDS rounds, default 12) and prints each one's means.
# Env: RUNS (default 10), ROUNDS (default 12), PORT (default 8091).
set -euo pipefail
export LANG=en_US.UTF-8 # Fyne's start-up logs an error on Debian's C.UTF-8
old=$(readlink -f "${1:?usage: ab.sh OLD_POTOK NEW_POTOK}")
new=$(readlink -f "${2:?usage: ab.sh OLD_POTOK NEW_POTOK}")
RUNS=${RUNS:-10}; PORT=${PORT:-8091}
work=$(mktemp -d /tmp/potok-ab.XXXXXX)
. "$(dirname "$0")/nginx.sh"
mkdir -p "$work/www/small"
for i in $(seq 1 2000); do head -c 8192 /dev/urandom > "$work/www/small/f$i.bin"; done
head -c $((1 << 30)) /dev/urandom > "$work/www/big.bin"
start_nginx "$work" "$PORT" /small/f1.bin
base="http://127.0.0.1:$PORT"
for i in $(seq 1 2000); do echo "$base/small/f$i.bin"; done > "$work/small.txt"
echo "$base/big.bin" > "$work/big.txt"
out="$work/out"
prep="bash -c 'rm -rf $out $work/cfg-old $work/cfg-new && mkdir -p $out'"
as() { echo "env XDG_CONFIG_HOME=$work/cfg-$1 ${2}"; }

echo "== 2000 files x 8 KiB, 32 at once"
hyperfine -N --warmup 2 --runs "$RUNS" --prepare "$prep" \
  -n old "$(as old "$old get -q -j 32 -o $out -i $work/small.txt")" \
  -n new "$(as new "$new get -q -j 32 -o $out -i $work/small.txt")"
[ "$(ls "$out" | wc -l)" = 2000 ] || echo "WARNING: last run left $(ls "$out" | wc -l) files"

echo "== 1 GiB, one connection"
hyperfine -N --warmup 1 --runs "$RUNS" --prepare "$prep" \
  -n old "$(as old "$old get -q -x 1 -o $out -i $work/big.txt")" \
  -n new "$(as new "$new get -q -x 1 -o $out -i $work/big.txt")"
cmp "$out/big.bin" "$work/www/big.bin" && echo "last 1 GiB copy is byte-exact"

echo "== 2000 files x 8 KiB, 32 at once, the builds alternating (/usr/bin/time)"
for _ in $(seq 1 "${ROUNDS:-12}"); do
  for b in old new; do
    bin=$old; [ $b = new ] && bin=$new
    rm -rf "$out" "$work/cfg-old" "$work/cfg-new" && mkdir -p "$out"
    XDG_CONFIG_HOME=$work/cfg-$b /usr/bin/time -a -o "$work/times" -f "$b %e %U %S" "$bin" get -q -j 32 -o "$out" -i "$work/small.txt" >/dev/null
  done
done
awk '{n[$1]++; w[$1]+=$2; u[$1]+=$3; s[$1]+=$4} END {for (b in n) printf "%s: wall %.3f s, user %.3f s, sys %.3f s (mean of %d runs)\n", b, w[b]/n[b], u[b]/n[b], s[b]/n[b], n[b]}' "$work/times" | sort

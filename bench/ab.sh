#!/usr/bin/env bash
# ab.sh OLD_POTOK NEW_POTOK: two builds of potok side by side (hyperfine, runs
# interleaved by hyperfine's order within each case) on the two cases every
# change that could cost speed is checked on, from nginx on loopback:
#   1. 2000 files x 8 KiB, 32 at once
#   2. one 1 GiB file, one connection
# Each build gets a config folder of its own (its queue files), emptied
# before every run, so neither sees the other's queue.
# Env: RUNS (default 10), PORT (default 8091).
set -euo pipefail
old=$(readlink -f "${1:?usage: ab.sh OLD_POTOK NEW_POTOK}")
new=$(readlink -f "${2:?usage: ab.sh OLD_POTOK NEW_POTOK}")
RUNS=${RUNS:-10}; PORT=${PORT:-8091}
work=$(mktemp -d /tmp/potok-ab.XXXXXX)
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
[ -n "$ok" ] || { echo "nginx did not serve the test files"; cat "$work/logs/error.log"; exit 1; }
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

# nginx.sh, sourced by the side-by-side scripts: nginx on loopback serving a
# folder, for as long as the script runs.
#   start_nginx WORK PORT PROBE_PATH [SERVER_LINES]
# serves WORK/www on 127.0.0.1:PORT (SERVER_LINES go in its server block, like
# "limit_rate 20m;"), waits until PROBE_PATH answers, and stops it when the
# script exits (with WORK removed).
start_nginx() {
  local work=$1 port=$2 probe=$3 extra=${4:-}
  chmod 755 "$work" # nginx's workers run as another user
  mkdir -p "$work/www" "$work/logs"
  trap "[ -f '$work/nginx.pid' ] && kill \$(cat '$work/nginx.pid') 2>/dev/null; rm -rf '$work'" EXIT
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
  server { listen 127.0.0.1:$port; root $work/www; $extra }
}
CONF
  nginx -c "$work/nginx.conf" -p "$work"
  local ok=""
  for _ in $(seq 50); do curl -sf -r 0-0 -o /dev/null "http://127.0.0.1:$port$probe" && ok=1 && break; sleep 0.1; done
  [ -n "$ok" ] || { echo "nginx did not serve $probe; see $work/logs/error.log"; cat "$work/logs/error.log"; exit 1; }
}

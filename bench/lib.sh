# Shared by the bench scripts (source it): the nginx they all put behind a proxy.
#
# start_nginx DIR HOST PORT
#   Serves DIR/www/bench.txt (256 bytes of 'x') from one nginx worker on HOST:PORT, with no access log and
#   every temporary path under DIR/nginx (so it runs as any user and leaves nothing behind), keep-alive
#   connections kept for as many requests as a benchmark sends. Appends nginx's pid to the caller's PIDS array
#   (the caller stops it) and returns once a GET answers; on failure prints nginx's error log and returns 1.
start_nginx() {
  local dir=$1 host=$2 port=$3 temp="" t pid i
  mkdir -p "$dir/www" "$dir/nginx"
  chmod 755 "$dir"   # nginx's worker may run as an unprivileged user and reads www/ from here
  head -c 256 /dev/zero | tr '\0' 'x' >"$dir/www/bench.txt"
  chmod 644 "$dir/www/bench.txt"
  # Debian's nginx-light is built without some modules; naming a temp path of a missing one is a config error.
  for t in client_body proxy fastcgi uwsgi scgi; do
    case "$t" in client_body|proxy) ;; *) nginx -V 2>&1 | grep -q -- "--without-http_${t}_module" && continue ;; esac
    temp+="    ${t}_temp_path $dir/nginx/$t;"$'\n'
  done
  cat >"$dir/nginx.conf" <<CONF
worker_processes 1;
pid $dir/nginx/nginx.pid;
error_log $dir/nginx/error.log warn;
events { worker_connections 4096; }
http {
    access_log off;
$temp    default_type text/plain;
    keepalive_requests 100000000;
    keepalive_timeout 65s;
    server {
        listen $host:$port;
        root $dir/www;
    }
}
CONF
  if ! nginx -t -q -p "$dir/nginx" -e "$dir/nginx/error.log" -c "$dir/nginx.conf" >"$dir/nginx.out" 2>&1; then
    cat "$dir/nginx.out" >&2
    return 1
  fi
  nginx -p "$dir/nginx" -e "$dir/nginx/error.log" -c "$dir/nginx.conf" -g 'daemon off;' >"$dir/nginx.out" 2>&1 &
  pid=$!
  PIDS+=("$pid")
  for ((i = 0; i < 100; i++)); do
    curl -fsS -o /dev/null "http://$host:$port/bench.txt" 2>/dev/null && return 0
    kill -0 "$pid" 2>/dev/null || break
    sleep 0.1
  done
  cat "$dir/nginx/error.log" "$dir/nginx.out" >&2 2>/dev/null
  return 1
}

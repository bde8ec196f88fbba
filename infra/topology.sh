#!/usr/bin/env bash
# One machine, the production shape: N app processes (granian) and M job workers on loopback
# ports against PostgreSQL and Redis, nginx in front when it is installed.
#
#   DATABASE_URL=postgresql://... REDIS_URL=redis://... bash infra/topology.sh start
#   bash infra/topology.sh status
#   bash infra/topology.sh stop
#
# Settings (environment; every NOMADE_* setting of .env.example is passed to the processes):
#   NOMADE_TOPOLOGY_DIR   state directory: pid files, logs, rendered nginx config (var/topology)
#   NOMADE_APPS           app processes (2)           NOMADE_APP_BASE_PORT  first app port (8101)
#   NOMADE_WORKERS        job worker processes (1)    NOMADE_PROXY_PORT     nginx port (8100)
#   NOMADE_WORKER_METRICS_BASE_PORT  first worker's /metrics port (8201; 0 = none)
#   PROMETHEUS_MULTIPROC_DIR  the processes' shared metrics files ($NOMADE_TOPOLOGY_DIR/metrics)
#   NOMADE_NGINX          auto | 1 | 0 (auto: use nginx when it is installed)
#   NOMADE_MIGRATE        1: run `nomade migrate` before starting (1)
#   NOMADE_READY_TIMEOUT  seconds to wait for every app's /ready (60)
#   NOMADE_STOP_TIMEOUT   seconds between SIGTERM and SIGKILL (20)
#   NOMADE_NGINX_TIMING_LOG  file for an nginx access log of timings (request time, upstream
#                         connect/header/response times, upstream address); empty: no access log
# `start` prints the proxy address (or the first app's when nginx is absent) on its last line.
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$(pwd)
DIR=${NOMADE_TOPOLOGY_DIR:-$ROOT/var/topology}
APPS=${NOMADE_APPS:-2}
WORKERS=${NOMADE_WORKERS:-1}
APP_BASE_PORT=${NOMADE_APP_BASE_PORT:-8101}
PROXY_PORT=${NOMADE_PROXY_PORT:-8100}
USE_NGINX=${NOMADE_NGINX:-auto}
READY_TIMEOUT=${NOMADE_READY_TIMEOUT:-60}
STOP_TIMEOUT=${NOMADE_STOP_TIMEOUT:-20}
TIMING_LOG=${NOMADE_NGINX_TIMING_LOG:-}
# Every process of this machine adds its figures there; each app's /metrics reports the sum.
export PROMETHEUS_MULTIPROC_DIR=${PROMETHEUS_MULTIPROC_DIR:-$DIR/metrics}

say() { printf 'topology: %s\n' "$*" >&2; }
die() { say "$*"; exit 1; }

nomade_cmd() {
  if [ -x "$ROOT/.venv/bin/nomade" ]; then
    echo "$ROOT/.venv/bin/nomade"
  else
    echo "uv run --frozen nomade"
  fi
}

alive() { [ -f "$1" ] && kill -0 "$(cat "$1")" 2>/dev/null; }

# Start "$@" in its own session (so a stop can reach its children), record its pid.
launch() {
  local name=$1; shift
  setsid "$@" >>"$DIR/$name.log" 2>&1 < /dev/null &
  echo $! >"$DIR/$name.pid"
}

wait_ready() {
  local port=$1 deadline=$((SECONDS + READY_TIMEOUT))
  while [ $SECONDS -lt $deadline ]; do
    if curl -fsS -o /dev/null --max-time 2 "http://127.0.0.1:$port/ready" 2>/dev/null; then
      return 0
    fi
    sleep 0.3
  done
  return 1
}

nginx_wanted() {
  case "$USE_NGINX" in
    1|yes|true) command -v nginx >/dev/null || die "NOMADE_NGINX=1 but nginx is not installed (apt-get install -y nginx)"; return 0 ;;
    0|no|false) return 1 ;;
    *) command -v nginx >/dev/null ;;
  esac
}

render_nginx() {
  local servers="" i
  for i in $(seq 0 $((APPS - 1))); do
    servers+="    server 127.0.0.1:$((APP_BASE_PORT + i)) max_fails=2 fail_timeout=5s;"$'\n'
  done
  mkdir -p "$DIR/nginx-tmp"
  chmod 0777 "$DIR/nginx-tmp"
  local brotli=1 modules="" dist=${NOMADE_PWA_DIST:-pwa/dist}
  case "$dist" in /*) ;; *) dist="$ROOT/$dist" ;; esac
  if [ -f /usr/lib/nginx/modules/ngx_http_brotli_static_module.so ]; then
    modules="load_module /usr/lib/nginx/modules/ngx_http_brotli_static_module.so;"
  else
    brotli=0
    say "nginx: no brotli_static module (apt-get install libnginx-mod-http-brotli-static): gzip only"
  fi
  SERVERS="$servers" awk -v listen="    listen 127.0.0.1:$PROXY_PORT;" \
      -v root="        root $dist;" -v brotli="$brotli" '
    /# BEGIN upstream servers/ { print; printf "%s", ENVIRON["SERVERS"]; skip = 1; next }
    /# END upstream servers/   { skip = 0 }
    skip { next }
    /^    listen 80;$/ { print listen; next }
    /^        root .*pwa\/dist;/ { print root; next }
    /^        brotli_static on;$/ && brotli == 0 { next }
    { print }
  ' infra/nginx/nomade.conf >"$DIR/nomade.conf"
  local access_log="access_log off;"
  if [ -n "$TIMING_LOG" ]; then
    # Seconds with ms resolution: whole request at nginx, then the upstream's parts.
    access_log="log_format timing '\$msec \$request_method \$uri \$status \$request_time '
                      '\$upstream_connect_time \$upstream_header_time '
                      '\$upstream_response_time \$upstream_addr';
    access_log $TIMING_LOG timing buffer=256k flush=1s;"
  fi
  cat >"$DIR/nginx.conf" <<NGINX
$modules
worker_processes 1;
worker_rlimit_nofile 16384;
pid $DIR/nginx.pid;
error_log $DIR/nginx-error.log warn;
events { worker_connections 8192; }
http {
    $access_log
    client_body_temp_path $DIR/nginx-tmp/body;
    proxy_temp_path $DIR/nginx-tmp/proxy;
    fastcgi_temp_path $DIR/nginx-tmp/fastcgi;
    uwsgi_temp_path $DIR/nginx-tmp/uwsgi;
    scgi_temp_path $DIR/nginx-tmp/scgi;
    include $DIR/nomade.conf;
}
NGINX
}

start() {
  [ -n "${DATABASE_URL:-}" ] || die "DATABASE_URL is required (postgresql://...)"
  [ -n "${REDIS_URL:-}" ] || die "REDIS_URL is required (redis://...): pokes and jobs cross processes through it"
  mkdir -p "$DIR"
  local nomade i port
  nomade=$(nomade_cmd)
  export DATABASE_URL REDIS_URL
  if [ "${NOMADE_MIGRATE:-1}" = 1 ]; then
    say "migrating"
    $nomade migrate >>"$DIR/migrate.log" 2>&1 || die "migration failed (see $DIR/migrate.log)"
  fi
  for i in $(seq 1 "$APPS"); do
    port=$((APP_BASE_PORT + i - 1))
    if alive "$DIR/app-$i.pid"; then say "app-$i already running"; continue; fi
    say "app-$i on 127.0.0.1:$port"
    launch "app-$i" $nomade serve --host 127.0.0.1 --port "$port" --workers 1
    echo "$port" >"$DIR/app-$i.port"
  done
  for i in $(seq 1 "$WORKERS"); do
    if alive "$DIR/worker-$i.pid"; then say "worker-$i already running"; continue; fi
    if [ "${NOMADE_WORKER_METRICS_BASE_PORT:-8201}" != 0 ]; then
      port=$((${NOMADE_WORKER_METRICS_BASE_PORT:-8201} + i - 1))
      say "worker-$i (metrics on 127.0.0.1:$port)"
      launch "worker-$i" env NOMADE_WORKER_METRICS_PORT="$port" $nomade worker
    else
      say "worker-$i"
      launch "worker-$i" $nomade worker
    fi
  done
  for i in $(seq 1 "$APPS"); do
    port=$(cat "$DIR/app-$i.port")
    wait_ready "$port" || { tail -20 "$DIR/app-$i.log" >&2; die "app-$i (port $port) not ready after ${READY_TIMEOUT}s"; }
  done
  say "apps ready"
  if nginx_wanted; then
    render_nginx
    if alive "$DIR/nginx.pid"; then
      nginx -c "$DIR/nginx.conf" -p "$DIR" -s reload
    else
      nginx -c "$DIR/nginx.conf" -p "$DIR" || die "nginx failed (see $DIR/nginx-error.log)"
    fi
    wait_ready "$PROXY_PORT" || die "nginx on $PROXY_PORT does not reach the apps"
    say "nginx on 127.0.0.1:$PROXY_PORT"
    echo "http://127.0.0.1:$PROXY_PORT"
  else
    say "nginx not used: talk to the app ports directly"
    echo "http://127.0.0.1:$APP_BASE_PORT"
  fi
}

# SIGTERM the process's session, wait, then SIGKILL what is left.
stop_one() {
  local pidfile=$1 pid deadline
  [ -f "$pidfile" ] || return 0
  pid=$(cat "$pidfile")
  if kill -0 "$pid" 2>/dev/null; then
    kill -TERM "$pid" 2>/dev/null || true
    deadline=$((SECONDS + STOP_TIMEOUT))
    while kill -0 "$pid" 2>/dev/null && [ $SECONDS -lt $deadline ]; do sleep 0.2; done
    if kill -0 "$pid" 2>/dev/null; then
      say "$(basename "$pidfile" .pid) did not stop in ${STOP_TIMEOUT}s: SIGKILL"
    fi
  fi
  # The session (granian's worker process, SAQ tasks' children) goes too.
  kill -KILL -- "-$pid" 2>/dev/null || true
  rm -f "$pidfile"
}

stop() {
  [ -d "$DIR" ] || return 0
  if [ -f "$DIR/nginx.pid" ]; then
    nginx -c "$DIR/nginx.conf" -p "$DIR" -s quit 2>/dev/null || true
    local deadline=$((SECONDS + 5))
    while alive "$DIR/nginx.pid" && [ $SECONDS -lt $deadline ]; do sleep 0.2; done
    alive "$DIR/nginx.pid" && kill -KILL "$(cat "$DIR/nginx.pid")" 2>/dev/null || true
    rm -f "$DIR/nginx.pid"
  fi
  local f pids=()
  # Stop the apps in parallel: each finishes its in-flight requests and tells SSE clients to
  # reconnect (they land on the processes still running, or come back after a restart).
  for f in "$DIR"/app-*.pid "$DIR"/worker-*.pid; do
    [ -f "$f" ] || continue
    stop_one "$f" & pids+=($!)
  done
  for f in "${pids[@]}"; do wait "$f" || true; done
  say "stopped"
}

status() {
  local f name port code=0
  [ -d "$DIR" ] || { say "not started ($DIR)"; return 3; }
  for f in "$DIR"/app-*.pid "$DIR"/worker-*.pid "$DIR"/nginx.pid; do
    [ -f "$f" ] || continue
    name=$(basename "$f" .pid)
    if alive "$f"; then
      if [ -f "$DIR/$name.port" ]; then
        port=$(cat "$DIR/$name.port")
        if curl -fsS -o /dev/null --max-time 2 "http://127.0.0.1:$port/ready"; then
          echo "$name pid $(cat "$f") port $port ready"
        else
          echo "$name pid $(cat "$f") port $port NOT READY"; code=1
        fi
      else
        echo "$name pid $(cat "$f") running"
      fi
    else
      echo "$name DEAD (see $DIR/$name.log)"; code=1
    fi
  done
  return $code
}

case "${1:-}" in
  start) start ;;
  stop) stop ;;
  status) status ;;
  restart) stop; start ;;
  *) echo "usage: $0 start|stop|status|restart" >&2; exit 2 ;;
esac

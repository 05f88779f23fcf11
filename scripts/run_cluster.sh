#!/usr/bin/env bash
# The production layout on one machine (see "Production layout / scale-out" in README.md and
# docs/cluster.md): PostgreSQL (cases + Rasa tracker store), Redis (Rasa lock store), K Rasa
# processes each with its own action server, M follow-up workers, the web app, and nginx in front
# (sticky socket.io, least_conn REST). Ctrl-C (or SIGTERM) stops everything.
#
#   scripts/run_cluster.sh [--rasa K] [--workers M] [--port NGINX_PORT] [--dir DIR] [--no-web]
#
# Everything is also settable from the environment (the cluster test and benchmark use this):
#   CLUSTER_DIR (var/cluster)  CLUSTER_PORT (5005)  CLUSTER_RASA (2)  CLUSTER_WORKERS (1)  CLUSTER_WEB (1)
#   RASA_PORTS / ACTIONS_PORTS (space-separated; default 5006.. and 5056..)  CLUSTER_PG_PORT (5433)
#   CLUSTER_REDIS_PORT (6380)  DASHBOARD_PORT (8000)  CLUSTER_SEED_ARGS (e.g. --no-cases)
#   CLUSTER_MODEL (models)  CLUSTER_RESTART (1: restart a Rasa process, action server or worker that dies)
# State lives under CLUSTER_DIR: pg/ (database, kept between runs), log/, run/ (pid files; run/ready
# is written once every part answers), nginx.conf, endpoints-N.yml (one per Rasa process).
# The body is one function, so bash has read all of it before starting anything: editing this
# file while a cluster runs cannot change what the running script does.
main() {
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$PWD
BIN=$ROOT/.venv/bin
export RASA_TELEMETRY_ENABLED=false TF_CPP_MIN_LOG_LEVEL=3 SQLALCHEMY_SILENCE_UBER_WARNING=1
if [ -f .env ]; then set -a; . ./.env; set +a; fi

CLUSTER_DIR=${CLUSTER_DIR:-var/cluster}
CLUSTER_PORT=${CLUSTER_PORT:-5005}
CLUSTER_RASA=${CLUSTER_RASA:-2}
CLUSTER_WORKERS=${CLUSTER_WORKERS:-1}
CLUSTER_WEB=${CLUSTER_WEB:-1}
while [ $# -gt 0 ]; do
  case "$1" in
    --rasa) CLUSTER_RASA=$2; shift 2 ;;
    --workers) CLUSTER_WORKERS=$2; shift 2 ;;
    --port) CLUSTER_PORT=$2; shift 2 ;;
    --dir) CLUSTER_DIR=$2; shift 2 ;;
    --no-web) CLUSTER_WEB=0; shift ;;
    -h|--help) sed -n '2,15p' "$ROOT/scripts/run_cluster.sh"; exit 0 ;;
    *) echo "unknown option: $1 (see --help)" >&2; exit 2 ;;
  esac
done
[ "$CLUSTER_RASA" -ge 1 ] || { echo "--rasa must be at least 1" >&2; exit 2; }
mkdir -p "$CLUSTER_DIR"
DIR=$(cd "$CLUSTER_DIR" && pwd)
PG_PORT=${CLUSTER_PG_PORT:-5433}
REDIS_PORT=${CLUSTER_REDIS_PORT:-6380}
DASHBOARD_PORT=${DASHBOARD_PORT:-8000}
MODEL=${CLUSTER_MODEL:-models}
read -r -a rasa_ports <<< "${RASA_PORTS:-$(seq -s ' ' 5006 $((5005 + CLUSTER_RASA)))}"
read -r -a actions_ports <<< "${ACTIONS_PORTS:-$(seq -s ' ' 5056 $((5055 + CLUSTER_RASA)))}"
if [ ${#rasa_ports[@]} -ne "$CLUSTER_RASA" ] || [ ${#actions_ports[@]} -ne "$CLUSTER_RASA" ]; then
  echo "RASA_PORTS and ACTIONS_PORTS need $CLUSTER_RASA ports each" >&2; exit 2
fi

scripts/install_system_deps.sh redis nginx
mkdir -p "$DIR/log" "$DIR/run" "$DIR/nginx"
rm -f "$DIR"/run/*.pid "$DIR/run/ready"
chmod 755 "$DIR"  # the postgres user must reach $DIR/pg when we run as root

pids=()
pg_started=0
cleanup() {
  trap - INT TERM EXIT
  echo; echo "stopping the cluster..."
  for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done
  wait 2>/dev/null || true
  if [ $pg_started -eq 1 ]; then "$BIN/python" -m bot.local_postgres stop "$DIR/pg"; fi
  rm -f "$DIR/run/ready"
}
trap cleanup INT TERM EXIT

declare -gA pid_of=() cmd_of=()
start() { # name, command...  (logs to $DIR/log/name.log, pid in $DIR/run/name.pid)
  local name=$1; shift
  "$@" >> "$DIR/log/$name.log" 2>&1 &
  pids+=($!)
  pid_of[$name]=$!
  cmd_of[$name]=$(printf '%q ' "$@")
  echo $! > "$DIR/run/$name.pid"
  echo "  $name (pid $!) -> $DIR/log/$name.log"
}

wait_port() { # port, name: wait until something listens (fail if a started process died)
  for _ in $(seq 1 600); do
    if (exec 3<>/dev/tcp/127.0.0.1/"$1") 2>/dev/null; then return 0; fi
    for pid in "${pids[@]}"; do
      if ! kill -0 "$pid" 2>/dev/null; then echo "error: a process exited while waiting for $2; see $DIR/log/" >&2; exit 1; fi
    done
    sleep 0.5
  done
  echo "error: $2 did not listen on port $1" >&2; exit 1
}

echo "starting the cluster in $DIR:"
pg_started=1
DATABASE_URL=$("$BIN/python" -m bot.local_postgres start "$DIR/pg" --port "$PG_PORT" --log "$DIR/log/postgresql.log" \
  --socket-dir "$DIR/run" --max-connections 300)
echo "  postgresql -> $DATABASE_URL (data in $DIR/pg)"
export DATABASE_URL TRACKER_STORE_URL="$DATABASE_URL" LOCK_STORE_URL="redis://127.0.0.1:$REDIS_PORT/0"

start redis redis-server --port "$REDIS_PORT" --bind 127.0.0.1 --save "" --appendonly no --dir "$DIR/run"
wait_port "$REDIS_PORT" redis

"$BIN/complaints" db upgrade > "$DIR/log/migrate.log"
# shellcheck disable=SC2086
"$BIN/complaints" seed ${CLUSTER_SEED_ARGS:-} > "$DIR/log/seed.log"

# Rasa's API and the action servers need their secrets (env or, in development, per-install keys in var/).
RASA_AUTH_TOKEN=$("$BIN/complaints" secret rasa-auth-token) || { echo "refusing to start: set RASA_AUTH_TOKEN" >&2; exit 1; }
ACTION_SERVER_TOKEN=$("$BIN/complaints" secret action-server-token) || { echo "refusing to start: set ACTION_SERVER_TOKEN" >&2; exit 1; }
export RASA_AUTH_TOKEN ACTION_SERVER_TOKEN
# Under load a busy event loop can leave a connection waiting longer than Sanic's 60 s request
# timeout; Sanic then drops it and Rasa loses the action call. Give both servers generous limits.
sanic_env=(SANIC_REQUEST_TIMEOUT=600 SANIC_RESPONSE_TIMEOUT=600 SANIC_KEEP_ALIVE_TIMEOUT=120)
# One action server per Rasa process: each Rasa gets its own endpoints file (same tracker and lock store).
for i in $(seq 1 "$CLUSTER_RASA"); do
  aport=${actions_ports[$((i - 1))]}
  start "actions-$i" env "${sanic_env[@]}" "$BIN/complaints" actions --port "$aport"
  ACTION_ENDPOINT_URL="http://127.0.0.1:$aport/webhook" \
    "$BIN/complaints" rasa-endpoints --out "$DIR/endpoints-$i.yml" > /dev/null
done
"$BIN/complaints" rasa-credentials --out "$DIR/credentials.yml" > /dev/null
for i in $(seq 1 "$CLUSTER_RASA"); do
  rasa_args=(run --enable-api --port "${rasa_ports[$((i - 1))]}" --model "$MODEL"
    --cors "http://localhost:$DASHBOARD_PORT" --endpoints "$DIR/endpoints-$i.yml" --credentials "$DIR/credentials.yml")
  rasa_args+=(--auth-token "$RASA_AUTH_TOKEN")
  start "rasa-$i" env "${sanic_env[@]}" "$BIN/rasa" "${rasa_args[@]}"
done
for i in $(seq 1 "$CLUSTER_WORKERS"); do
  start "worker-$i" "$BIN/complaints" followups worker
done
if [ "$CLUSTER_WEB" = "1" ]; then
  RASA_URL="http://127.0.0.1:$CLUSTER_PORT" RASA_SOCKET_URL="http://localhost:$CLUSTER_PORT" \
    start web "$BIN/complaints" web --port "$DASHBOARD_PORT"
fi

servers() { for p in "${rasa_ports[@]}"; do echo "    server 127.0.0.1:$p max_fails=1 fail_timeout=5s;"; done; }
cat > "$DIR/nginx.conf" <<NGINX
# Generated by scripts/run_cluster.sh; do not edit.
daemon off;
worker_processes 1;
pid $DIR/run/nginx.pid;
error_log $DIR/log/nginx-error.log warn;
events { worker_connections 4096; }
http {
  log_format upstream '\$remote_addr [\$time_local] "\$request" \$status \$body_bytes_sent '
                      'upstream=\$upstream_addr upstream_status=\$upstream_status time=\$request_time';
  access_log $DIR/log/nginx-access.log upstream;
  client_body_temp_path $DIR/nginx/body;
  proxy_temp_path $DIR/nginx/proxy;
  fastcgi_temp_path $DIR/nginx/fastcgi;
  uwsgi_temp_path $DIR/nginx/uwsgi;
  scgi_temp_path $DIR/nginx/scgi;
  client_max_body_size 10m;
  map \$http_upgrade \$connection_upgrade { default upgrade; '' close; }
  # REST and the HTTP API: any Rasa can answer (tracker in PostgreSQL, per-conversation lock in Redis).
  upstream rasa_rest {
    least_conn;
$(servers)
    keepalive 32;
  }
  # socket.io: a browser session must stay on one Rasa (polling + websocket upgrade, rooms in memory).
  upstream rasa_socketio {
    hash \$arg_session_id consistent;
$(servers)
  }
  server {
    listen 127.0.0.1:$CLUSTER_PORT;
    proxy_connect_timeout 5s;
    proxy_read_timeout 600s;
    proxy_send_timeout 600s;
    proxy_set_header Host \$host;
    proxy_set_header X-Forwarded-For \$proxy_add_x_forwarded_for;
    location /socket.io/ {
      proxy_pass http://rasa_socketio;
      proxy_http_version 1.1;
      proxy_set_header Upgrade \$http_upgrade;
      proxy_set_header Connection \$connection_upgrade;
      proxy_buffering off;
    }
    location / {
      proxy_pass http://rasa_rest;
      proxy_http_version 1.1;
      proxy_set_header Connection "";
    }
  }
}
NGINX
nginx -t -q -c "$DIR/nginx.conf" -e "$DIR/log/nginx-error.log" -p "$DIR/nginx"
start nginx nginx -c "$DIR/nginx.conf" -e "$DIR/log/nginx-error.log" -p "$DIR/nginx"

for i in $(seq 1 "$CLUSTER_RASA"); do
  wait_port "${actions_ports[$((i - 1))]}" "actions-$i"
  wait_port "${rasa_ports[$((i - 1))]}" "rasa-$i"
done
wait_port "$CLUSTER_PORT" nginx
if [ "$CLUSTER_WEB" = "1" ]; then wait_port "$DASHBOARD_PORT" web; fi
touch "$DIR/run/ready"
cat <<MSG

ready ($CLUSTER_RASA Rasa processes, $CLUSTER_WORKERS follow-up workers):
  nginx (REST + socket.io)  POST http://localhost:$CLUSTER_PORT/webhooks/rest/webhook  {"sender": "me", "message": "hi"}
  Rasa processes            ${rasa_ports[*]/#/127.0.0.1:}
  action servers            ${actions_ports[*]/#/127.0.0.1:}
  PostgreSQL                $DATABASE_URL
  Redis lock store          $LOCK_STORE_URL
MSG
if [ "$CLUSTER_WEB" = "1" ]; then
  echo "  web chat / dashboard     http://localhost:$DASHBOARD_PORT/chat  http://localhost:$DASHBOARD_PORT/"
fi
echo "Ctrl-C stops everything."
# Supervise: a Rasa process, action server or worker that dies is restarted (CLUSTER_RESTART=1, the
# default) while nginx sends its traffic to the others; if nginx, Redis or the web app dies, stop.
while true; do
  sleep 2
  for name in "${!pid_of[@]}"; do
    kill -0 "${pid_of[$name]}" 2>/dev/null && continue
    case "$name" in
      rasa-*|actions-*|worker-*)
        echo "$(date -u +%H:%M:%S) $name (pid ${pid_of[$name]}) stopped"
        if [ "${CLUSTER_RESTART:-1}" = "1" ]; then
          eval "start $name ${cmd_of[$name]}"
        else
          unset "pid_of[$name]"
        fi ;;
      *) echo "$name stopped; see $DIR/log/$name.log"; exit 1 ;;
    esac
  done
done
}

main "$@"

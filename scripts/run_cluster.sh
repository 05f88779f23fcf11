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
#   CLUSTER_MODEL (models)  CLUSTER_RESTART (1: restart a Rasa process, action server or worker that dies;
#   0: leave it down)  TICKET_LOCK_LIFETIME (20: seconds a Rasa process may hold a conversation's lock)
# Every process but PostgreSQL runs under supervisord (`complaints processes`): one that dies is restarted,
# with backoff when it dies again straight away, and logged in log/supervisord.log.
# State lives under CLUSTER_DIR: pg/ (database, kept between runs), log/, run/ (supervisord's pid file
# and socket; run/ready is written once every part answers), nginx.conf, supervisord.conf,
# endpoints-N.yml (one per Rasa process). `supervisorctl -c CLUSTER_DIR/supervisord.conf status|pid NAME`.
# The body is one function, so bash has read all of it before starting anything: editing this
# file while a cluster runs cannot change what the running script does.
main() {
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$PWD
BIN=$ROOT/.venv/bin
export RASA_TELEMETRY_ENABLED=false TF_CPP_MIN_LOG_LEVEL=3 SQLALCHEMY_SILENCE_UBER_WARNING=1
ENV_FILE=${ENV_FILE:-.env}  # loaded on top of the environment; ENV_FILE=/dev/null skips it
if [ -f "$ENV_FILE" ]; then set -a; . "$ENV_FILE"; set +a; fi

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
    -h|--help) sed -n '2,19p' "$ROOT/scripts/run_cluster.sh"; exit 0 ;;
    *) echo "unknown option: $1 (see --help)" >&2; exit 2 ;;
  esac
done
[ "$CLUSTER_RASA" -ge 1 ] || { echo "--rasa must be at least 1" >&2; exit 2; }
mkdir -p "$CLUSTER_DIR"
DIR=$(cd "$CLUSTER_DIR" && pwd)
PG_PORT=${CLUSTER_PG_PORT:-5433}
REDIS_PORT=${CLUSTER_REDIS_PORT:-6380}
DASHBOARD_PORT=$("$BIN/complaints" config get dashboard-port)  # DASHBOARD_PORT, through the settings
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

pg_started=0
supervisord_pid=
cleanup() {
  trap - INT TERM EXIT
  echo; echo "stopping the cluster..."
  if [ -n "$supervisord_pid" ]; then
    kill -TERM "$supervisord_pid" 2>/dev/null || true
    wait "$supervisord_pid" 2>/dev/null || true
  fi
  if [ $pg_started -eq 1 ]; then "$BIN/python" scripts/local_postgres.py stop "$DIR/pg"; fi
  rm -f "$DIR/run/ready"
}
trap cleanup INT TERM EXIT

wait_port() { # port, name: wait until something listens (fail if supervisord stopped or gave up on a program)
  for n in $(seq 1 1200); do
    if (exec 3<>/dev/tcp/127.0.0.1/"$1") 2>/dev/null; then return 0; fi
    if ! kill -0 "$supervisord_pid" 2>/dev/null; then echo "error: supervisord stopped while waiting for $2; see $DIR/log/" >&2; exit 1; fi
    if [ $((n % 20)) -eq 0 ]; then
      status=$("$BIN/supervisorctl" -c "$DIR/supervisord.conf" status 2>/dev/null || true)
      case "$status" in *FATAL*) echo "error: a process keeps dying while waiting for $2; see $DIR/log/" >&2; exit 1 ;; esac
    fi
    sleep 0.5
  done
  echo "error: $2 did not listen on port $1" >&2; exit 1
}

echo "starting the cluster in $DIR:"
pg_started=1
DATABASE_URL=$("$BIN/python" scripts/local_postgres.py start "$DIR/pg" --port "$PG_PORT" --log "$DIR/log/postgresql.log" \
  --socket-dir "$DIR/run" --max-connections 300)
echo "  postgresql -> $DATABASE_URL (data in $DIR/pg)"
export DATABASE_URL TRACKER_STORE_URL="$DATABASE_URL" LOCK_STORE_URL="redis://127.0.0.1:$REDIS_PORT/0"

"$BIN/complaints" db upgrade > "$DIR/log/migrate.log"
# shellcheck disable=SC2086
"$BIN/complaints" seed ${CLUSTER_SEED_ARGS:-} > "$DIR/log/seed.log"

# Rasa's API and the action servers need their secrets (env or, in development, per-install keys in var/).
RASA_AUTH_TOKEN=$("$BIN/complaints" secret rasa-auth-token) || { echo "refusing to start: set RASA_AUTH_TOKEN" >&2; exit 1; }
ACTION_SERVER_TOKEN=$("$BIN/complaints" secret action-server-token) || { echo "refusing to start: set ACTION_SERVER_TOKEN" >&2; exit 1; }
export RASA_AUTH_TOKEN ACTION_SERVER_TOKEN
# One action server per Rasa process: each Rasa gets its own endpoints file (same tracker and lock store).
for i in $(seq 1 "$CLUSTER_RASA"); do
  ACTION_ENDPOINT_URL="http://127.0.0.1:${actions_ports[$((i - 1))]}/webhook" \
    "$BIN/complaints" rasa-endpoints --out "$DIR/endpoints-$i.yml" > /dev/null
done
"$BIN/complaints" rasa-credentials --out "$DIR/credentials.yml" > /dev/null

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

# Redis, K action servers, K Rasa processes (each with the measured lock lifetime, docs/cluster.md),
# M follow-up workers, the web app and nginx, all under supervisord.
layout=(cluster --dir "$DIR" --rasa-ports "${rasa_ports[*]}" --actions-ports "${actions_ports[*]}"
  --workers "$CLUSTER_WORKERS" --redis-port "$REDIS_PORT" --nginx-port "$CLUSTER_PORT"
  --dashboard-port "$DASHBOARD_PORT" --model "$MODEL" --lock-lifetime "${TICKET_LOCK_LIFETIME:-20}")
if [ "$CLUSTER_WEB" != "1" ]; then layout+=(--no-web); fi
if [ "${CLUSTER_RESTART:-1}" != "1" ]; then layout+=(--no-restart); fi
(umask 077 && "$BIN/complaints" processes "${layout[@]}" > "$DIR/supervisord.conf")
"$BIN/supervisord" -c "$DIR/supervisord.conf" &  # prints what it starts, restarts and stops
supervisord_pid=$!
echo "  supervisord (pid $supervisord_pid) -> $DIR/log/supervisord.log, one log per process in $DIR/log/"

wait_port "$REDIS_PORT" redis
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
# supervisord restarts a process that dies (nginx routes around a missing Rasa process meanwhile);
# this script waits until supervisord stops (Ctrl-C / SIGTERM: the trap stops it and PostgreSQL).
wait "$supervisord_pid" || true
echo "supervisord stopped; see $DIR/log/supervisord.log"
}

main "$@"

#!/usr/bin/env bash
# Start the whole assistant on this machine. Ctrl-C stops every process.
set -euo pipefail
cd "$(dirname "$0")/.."
BIN=$PWD/.venv/bin
export RASA_TELEMETRY_ENABLED=false TF_CPP_MIN_LOG_LEVEL=3 SQLALCHEMY_SILENCE_UBER_WARNING=1
export ACTION_ENDPOINT_URL=${ACTION_ENDPOINT_URL:-http://localhost:5055/webhook}
if [ -f .env ]; then set -a; . ./.env; set +a; fi
mkdir -p var/log
RASA_PORT=${RASA_PORT:-5005}
ACTIONS_PORT=${ACTIONS_PORT:-5055}

pids=()
cleanup() {
  trap - INT TERM EXIT
  echo; echo "stopping..."
  for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done
  wait 2>/dev/null || true
}
trap cleanup INT TERM EXIT

start() { # name, command...
  local name=$1; shift
  "$@" > "var/log/$name.log" 2>&1 &
  pids+=($!)
  echo "  $name (pid $!) -> var/log/$name.log"
}

# Rasa's HTTP API and the action server always need a secret: RASA_AUTH_TOKEN / ACTION_SERVER_TOKEN,
# or (development only) per-install keys in var/. Production without them: refuse to start.
for name in rasa-auth-token action-server-token; do
  if ! "$BIN/complaints" secret "$name" >/dev/null; then
    echo "refusing to start: set RASA_AUTH_TOKEN and ACTION_SERVER_TOKEN (COMPLAINTS_ENV=${COMPLAINTS_ENV:-development}); see SECURITY.md" >&2
    exit 1
  fi
done
RASA_AUTH_TOKEN=$("$BIN/complaints" secret rasa-auth-token)
ACTION_SERVER_TOKEN=$("$BIN/complaints" secret action-server-token)
export RASA_AUTH_TOKEN ACTION_SERVER_TOKEN
"$BIN/complaints" rasa-endpoints --out var/endpoints.yml >/dev/null
echo "starting the complaint assistant:"
start actions "$BIN/complaints" actions --port "$ACTIONS_PORT"
"$BIN/complaints" rasa-credentials --out var/credentials.yml > /dev/null  # + Slack channel when its tokens are set
rasa_args=(run --enable-api --auth-token "$RASA_AUTH_TOKEN" --port "$RASA_PORT" --model models --cors "http://localhost:${DASHBOARD_PORT:-8000}" --endpoints var/endpoints.yml --credentials var/credentials.yml)
start rasa "$BIN/rasa" "${rasa_args[@]}"

start worker "$BIN/complaints" followups worker
start web "$BIN/complaints" web --port "${DASHBOARD_PORT:-8000}"
if [ -n "${SLACK_BOT_TOKEN:-}" ] && [ -n "${SLACK_SIGNING_SECRET:-}" ]; then
  start slack "$BIN/complaints" slack --port "${SLACK_PORT:-3000}"
else
  echo "  slack triage app: off (set SLACK_BOT_TOKEN and SLACK_SIGNING_SECRET to start it on port ${SLACK_PORT:-3000})"
fi

for port in "$RASA_PORT" "$ACTIONS_PORT" "${DASHBOARD_PORT:-8000}"; do
  for _ in $(seq 1 180); do
    if (exec 3<>/dev/tcp/127.0.0.1/"$port") 2>/dev/null; then break; fi
    sleep 1
  done
done
cat <<MSG

ready:
  Rasa REST channel   POST http://localhost:$RASA_PORT/webhooks/rest/webhook  {"sender": "me", "message": "hi"}
  action server       http://localhost:$ACTIONS_PORT/health   (/webhook needs ACTION_SERVER_TOKEN)
  Rasa HTTP API       http://localhost:$RASA_PORT/status?token=...   (RASA_AUTH_TOKEN or var/rasa-api.key)
  customer web chat   http://localhost:${DASHBOARD_PORT:-8000}/chat
  dashboard           http://localhost:${DASHBOARD_PORT:-8000}/   (add a user: .venv/bin/complaints users add EMAIL --role supervisor)
  cases               .venv/bin/complaints cases list --json
  follow-ups          .venv/bin/complaints followups list   (demo: cases resolve REF, then followups due-now REF)
Ctrl-C stops everything.
MSG
wait -n "${pids[@]}"
echo "a process stopped; see var/log/ for why"

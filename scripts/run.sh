#!/usr/bin/env bash
# Start the whole assistant on this machine under supervisord (configuration from `complaints processes`,
# bot/processes.py): a process that crashes is restarted (with backoff, logged in
# VAR_DIR/log/supervisord.log and here); Ctrl-C stops every process.
#
# Environment (.env, or the file ENV_FILE names, is loaded on top of it; ENV_FILE=/dev/null skips it):
#   RASA_PORT (5005)  ACTIONS_PORT (5055)  DASHBOARD_PORT (8000)  SLACK_PORT (3000): read by the settings
#   (bot/settings.py, asked through `complaints config shell`), like RASA_URL and ACTION_ENDPOINT_URL;
#   RASA_MODEL (models); VAR_DIR (var): where endpoints.yml, credentials.yml, supervisord.conf, log/ and
#   run/ go (the cases database, photos and outbox follow DATABASE_URL, PHOTOS_DIR, OUTBOX_DIR).
# The body is one function, so bash has read all of it before starting anything.
main() {
set -euo pipefail
cd "$(dirname "$0")/.."
BIN=$PWD/.venv/bin
export RASA_TELEMETRY_ENABLED=false TF_CPP_MIN_LOG_LEVEL=3 SQLALCHEMY_SILENCE_UBER_WARNING=1
ENV_FILE=${ENV_FILE:-.env}
if [ -f "$ENV_FILE" ]; then set -a; . "$ENV_FILE"; set +a; fi
# Ports and endpoints come from the settings, like every process's: RASA_PORT ACTIONS_PORT DASHBOARD_PORT
# SLACK_PORT RASA_URL RASA_SOCKET_URL ACTION_ENDPOINT_URL SLACK_ENABLED.
config=$("$BIN/complaints" config shell)
eval "$config"
VAR_DIR=${VAR_DIR:-var}
mkdir -p "$VAR_DIR/log" "$VAR_DIR/run"
VAR_DIR=$(cd "$VAR_DIR" && pwd)
rm -f "$VAR_DIR/run/ready"
export ACTION_ENDPOINT_URL RASA_URL RASA_SOCKET_URL DASHBOARD_PORT

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
"$BIN/complaints" rasa-endpoints --out "$VAR_DIR/endpoints.yml" >/dev/null
"$BIN/complaints" rasa-credentials --out "$VAR_DIR/credentials.yml" > /dev/null  # + Slack channel when its tokens are set

layout=(single --var-dir "$VAR_DIR" --rasa-port "$RASA_PORT" --actions-port "$ACTIONS_PORT"
  --dashboard-port "$DASHBOARD_PORT" --model "${RASA_MODEL:-models}")
if [ "$SLACK_ENABLED" = "1" ]; then
  layout+=(--slack-port "$SLACK_PORT")
  slack_line="  Slack triage app    http://localhost:$SLACK_PORT/slack/events"
else
  slack_line="  Slack triage app    off (set SLACK_BOT_TOKEN and SLACK_SIGNING_SECRET to start it on port $SLACK_PORT)"
fi
conf=$VAR_DIR/supervisord.conf
(umask 077 && "$BIN/complaints" processes "${layout[@]}" > "$conf")

echo "starting the complaint assistant (supervisord, $conf):"
echo "  logs: $VAR_DIR/log/{actions,rasa,worker,web,slack}.log; restarts in $VAR_DIR/log/supervisord.log"
supervisord_pid=
stop() {
  trap - INT TERM EXIT
  [ -n "$supervisord_pid" ] || return 0
  if kill -0 "$supervisord_pid" 2>/dev/null; then
    echo; echo "stopping..."
    kill -TERM "$supervisord_pid" 2>/dev/null || true
  fi
  wait "$supervisord_pid" 2>/dev/null || true
  rm -f "$VAR_DIR/run/ready"
}
trap stop INT TERM EXIT
"$BIN/supervisord" -c "$conf" &
supervisord_pid=$!

for port in "$RASA_PORT" "$ACTIONS_PORT" "$DASHBOARD_PORT"; do
  for n in $(seq 1 360); do
    if (exec 3<>/dev/tcp/127.0.0.1/"$port") 2>/dev/null; then break; fi
    kill -0 "$supervisord_pid" 2>/dev/null || { echo "supervisord stopped; see $VAR_DIR/log/" >&2; exit 1; }
    if [ $((n % 20)) -eq 0 ]; then  # a program that keeps dying at start-up is misconfigured: stop
      status=$("$BIN/supervisorctl" -c "$conf" status 2>/dev/null || true)
      if [[ "$status" == *FATAL* ]]; then
        echo "$status" | grep FATAL >&2; echo "error: a process keeps stopping at start-up; see $VAR_DIR/log/" >&2; exit 1
      fi
    fi
    sleep 0.5
  done
done
cat <<MSG

ready:
  Rasa REST channel   POST http://localhost:$RASA_PORT/webhooks/rest/webhook  {"sender": "me", "message": "hi"}
  action server       http://localhost:$ACTIONS_PORT/health   (/webhook needs ACTION_SERVER_TOKEN)
  Rasa HTTP API       http://localhost:$RASA_PORT/status?token=...   (RASA_AUTH_TOKEN or var/rasa-api.key)
  customer web chat   http://localhost:$DASHBOARD_PORT/chat
  dashboard           http://localhost:$DASHBOARD_PORT/   (add a user: .venv/bin/complaints users add EMAIL --role supervisor)
$slack_line
  cases               .venv/bin/complaints cases list --json
  follow-ups          .venv/bin/complaints followups list   (demo: cases resolve REF, then followups due-now REF)
  processes           .venv/bin/supervisorctl -c $conf status
A process that stops is restarted. Ctrl-C stops everything.
MSG
touch "$VAR_DIR/run/ready"
wait "$supervisord_pid" || true
}

main "$@"

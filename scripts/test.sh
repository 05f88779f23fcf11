#!/usr/bin/env bash
# Everything CI checks, in order: Rasa data validation, the model, pytest (unit, integration, e2e),
# and the conversation tests. Called by `make test` after set-up and lint.
set -euo pipefail
cd "$(dirname "$0")/.."
BIN=.venv/bin
export RASA_TELEMETRY_ENABLED=false TF_CPP_MIN_LOG_LEVEL=3 SQLALCHEMY_SILENCE_UBER_WARNING=1
# endpoints.yml reads ACTION_ENDPOINT_URL; its default lives in the settings.
ACTION_ENDPOINT_URL=$($BIN/complaints config get action-endpoint-url)
export ACTION_ENDPOINT_URL
mkdir -p var test-artifacts

echo "== rasa data validate"
$BIN/rasa data validate --fail-on-warnings --quiet

echo "== model"
scripts/train.sh

echo "== pytest"
set +e
$BIN/pytest -p no:cacheprovider "$@"
rc=$?
set -e
if [ $rc -eq 5 ]; then echo "error: pytest collected no tests" >&2; exit 1; fi
[ $rc -eq 0 ] || exit $rc

echo "== conversation tests"
$BIN/rasa test core --model models --stories tests/conversations --fail-on-prediction-errors \
  --out var/results/core --no-plot

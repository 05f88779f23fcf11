#!/usr/bin/env bash
# Train the Rasa model unless one exists for the current data and config (Rasa's own fingerprint check).
set -euo pipefail
cd "$(dirname "$0")/.."
export RASA_TELEMETRY_ENABLED=false TF_CPP_MIN_LOG_LEVEL=3
mkdir -p models
.venv/bin/rasa train --out models --fixed-model-name complaints --quiet "$@"

#!/usr/bin/env bash
# Train the Rasa model unless one exists for the current data and config (Rasa's own fingerprint check),
# then the defect model.
set -euo pipefail
cd "$(dirname "$0")/.."
export RASA_TELEMETRY_ENABLED=false TF_CPP_MIN_LOG_LEVEL=3
mkdir -p models
.venv/bin/rasa train --out models --fixed-model-name complaints --quiet "$@"
# The defect model (bot/nlp/defect_model.py) learns from data/corpus and data/nlu; built now so the first
# customer message does not wait for it (cached under var/models, rebuilt only when its data changes).
.venv/bin/complaints corpus train-defects

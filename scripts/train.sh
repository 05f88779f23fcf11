#!/usr/bin/env bash
# Train the Rasa model unless one exists for the current data and config (Rasa's own fingerprint check),
# then the defect model.
set -euo pipefail
cd "$(dirname "$0")/.."
export RASA_TELEMETRY_ENABLED=false TF_CPP_MIN_LOG_LEVEL=3
mkdir -p models var
# One training at a time: a second caller waits, then finds the model current and skips (two trainings
# writing models/complaints.tar.gz at once can leave a half-written file that forces a third).
exec 9> var/train.lock
flock 9
.venv/bin/rasa train --out models --fixed-model-name complaints --quiet "$@"
# The defect model (bot/nlp/defect_model.py) learns from data/corpus and data/nlu; built now so the first
# customer message does not wait for it (cached under var/models, rebuilt only when its data changes).
.venv/bin/complaints corpus train-defects

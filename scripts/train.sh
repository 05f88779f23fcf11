#!/usr/bin/env bash
# Train the Rasa model unless the one in models/ was trained from exactly the current inputs, then the
# defect model.
#
# Rasa 3.6 decides what to retrain from its local cache (.rasa/cache, capped at RASA_MAX_CACHE_SIZE,
# 1000 MB): once the cache is full it evicts entries and retrains everything, and even with every node
# cached `rasa train` takes about a minute to load and repackage. So we keep our own fingerprint of the
# inputs (config, domain, every file under data/ but the wording catalogue, which Rasa does not read, the custom
# NLU components and the bot/nlp code they use, Rasa's version) beside the model and skip Rasa altogether when it matches. `--force` retrains.
set -euo pipefail
cd "$(dirname "$0")/.."
export RASA_TELEMETRY_ENABLED=false TF_CPP_MIN_LOG_LEVEL=3
mkdir -p models var
MODEL=models/complaints.tar.gz
STAMP=models/complaints.fingerprint
# One training at a time: a second caller waits, then finds the model current and skips.
exec 9> var/train.lock
flock 9
fingerprint() {
  {
    .venv/bin/python -c 'import rasa; print(rasa.__version__)'
    find config.yml domain.yml data integrations/rasa_nlu bot/nlp -type f -not -path 'data/wording/*' \
      \( -name '*.yml' -o -name '*.yaml' -o -name '*.py' -o -name '*.jsonl' -o -name '*.txt' \) | LC_ALL=C sort |
      while read -r file; do printf '%s\n' "$file"; sha256sum < "$file"; done
  } | sha256sum | cut -d' ' -f1
}
wanted=$(fingerprint)
if [ "${1:-}" != "--force" ] && [ -f "$MODEL" ] && [ "$(cat "$STAMP" 2>/dev/null)" = "$wanted" ]; then
  echo "Rasa model is current ($MODEL, inputs $wanted)"
else
  [ "${1:-}" = "--force" ] && shift
  rm -f "$STAMP"
  .venv/bin/rasa train --out models --fixed-model-name complaints --quiet "$@"
  echo "$wanted" > "$STAMP"
fi
# The defect model (bot/nlp/defect_model.py) learns from data/corpus and data/nlu; built now so the first
# customer message does not wait for it (cached under var/models, rebuilt only when its data changes).
.venv/bin/complaints corpus train-defects

# Complaint assistant: `make run` and `make test` set everything up themselves.
SHELL := /bin/bash
VENV := .venv
BIN := $(VENV)/bin
PY := $(BIN)/python
STAMP := $(VENV)/.installed
export PYTHONDONTWRITEBYTECODE := 1
export PIP_DISABLE_PIP_VERSION_CHECK := 1
export TF_CPP_MIN_LOG_LEVEL := 3
export SQLALCHEMY_SILENCE_UBER_WARNING := 1
export RASA_TELEMETRY_ENABLED := false

.PHONY: setup webchat system-deps db seed train run run-cluster test-cluster test test-fast lint types validate conversation-tests clean help

help:
	@echo "make run    - set up, migrate, seed, train if needed, start everything (Ctrl-C stops)"
	@echo "make test   - set up and run every check CI runs"
	@echo "make run-cluster [CLUSTER_ARGS='--rasa 3 --workers 2'] - production layout behind nginx on :5005 (docs/cluster.md)"
	@echo "make setup | train | lint | types | validate | conversation-tests | clean"

$(STAMP): requirements.txt requirements-dev.txt constraints.txt pyproject.toml
	@PY310=$$(scripts/find_python310.sh) && \
	  if [ ! -x $(PY) ] || ! $(PY) -c 'import sys; assert sys.version_info[:2] == (3, 10)' 2>/dev/null; then \
	    rm -rf $(VENV) && echo "creating $(VENV) with $$PY310" && $$PY310 -m venv $(VENV); fi
	$(BIN)/pip install -q --upgrade "pip==24.0" "setuptools==70.3.0" "wheel==0.45.1"
	$(BIN)/pip install -q -r requirements-dev.txt -c constraints.txt
	$(BIN)/pip install -q --no-deps -e .
	@touch $@

setup: $(STAMP) webchat

webchat:
	@scripts/build_webchat.sh

system-deps:
	@scripts/install_system_deps.sh chromium redis nginx poppler

db: setup
	$(BIN)/complaints db upgrade
	@# stages of transcript lines stored before they carried one (a no-op once done)
	@$(BIN)/complaints transcripts backfill

seed: db
	$(BIN)/complaints seed

train: setup
	@scripts/train.sh

run: setup db seed train
	@scripts/run.sh

lint: setup
	$(BIN)/ruff check .
	$(BIN)/mypy bot actions integrations
	$(BIN)/lint-imports --no-cache

types: lint

validate: setup
	$(BIN)/rasa data validate --fail-on-warnings --quiet

run-cluster: setup train
	@scripts/run_cluster.sh $(CLUSTER_ARGS)

test-cluster: setup train
	$(BIN)/pytest -p no:cacheprovider -q tests/cluster

conversation-tests: train
	ACTION_ENDPOINT_URL=$$($(BIN)/complaints config get action-endpoint-url) \
	  $(BIN)/rasa test core --stories tests/conversations --fail-on-prediction-errors --out var/results/core

test: setup system-deps lint
	@scripts/test.sh

test-fast: setup
	$(BIN)/pytest -q -m "not slow and not rasa and not browser"

clean:
	rm -rf $(VENV) models var .pytest_cache .mypy_cache .ruff_cache integrations/webchat/node_modules integrations/webchat/static/webchat

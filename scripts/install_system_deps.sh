#!/usr/bin/env bash
# Install the Debian packages the tests need (real PostgreSQL, Redis, Chromium, pdftotext), only if missing.
# Idempotent and quiet when everything is there already.
set -euo pipefail
need=()
ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1 || need+=(postgresql)
command -v runuser >/dev/null 2>&1 || need+=(util-linux)
for pkg in "$@"; do
  case "$pkg" in
    redis) command -v redis-server >/dev/null 2>&1 || need+=(redis-server) ;;
    chromium) command -v chromium >/dev/null 2>&1 || need+=(chromium fonts-dejavu-core) ;;
    node) command -v npm >/dev/null 2>&1 || need+=(nodejs npm) ;;
    nginx) command -v nginx >/dev/null 2>&1 || need+=(nginx-light) ;;
    poppler) command -v pdftotext >/dev/null 2>&1 || need+=(poppler-utils) ;;
  esac
done
[ ${#need[@]} -eq 0 ] && exit 0
echo "installing Debian packages: ${need[*]}"
SUDO=""
if [ "$(id -u)" -ne 0 ]; then
  if command -v sudo >/dev/null 2>&1; then SUDO="sudo"; else
    echo "error: need root (or sudo) to install: ${need[*]}" >&2; exit 1
  fi
fi
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -qq
$SUDO apt-get install -y -qq --no-install-recommends "${need[@]}" >/dev/null
# The tests start their own servers; stop the ones the packages may have started.
if command -v service >/dev/null 2>&1; then
  $SUDO service postgresql stop >/dev/null 2>&1 || true
  $SUDO service redis-server stop >/dev/null 2>&1 || true
fi

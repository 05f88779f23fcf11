#!/usr/bin/env bash
# Print the path of a working Python 3.10 interpreter, or explain what is missing.
set -euo pipefail
candidates=("${PYTHON310:-}" python3.10 /usr/bin/python3.10 /usr/local/bin/python3.10)
if [ -d "${PYENV_ROOT:-$HOME/.pyenv}/versions" ]; then
  for d in "${PYENV_ROOT:-$HOME/.pyenv}"/versions/3.10*/bin/python3.10; do candidates+=("$d"); done
fi
for c in "${candidates[@]}"; do
  [ -n "$c" ] || continue
  path=$(command -v "$c" 2>/dev/null || true)
  [ -n "$path" ] || continue
  if version=$("$path" -c 'import sys; print("%d.%d" % sys.version_info[:2])' 2>/dev/null) && [ "$version" = "3.10" ]; then
    echo "$path"
    exit 0
  fi
done
echo "error: Python 3.10 is required (Rasa 3.6 runs on Python 3.8-3.10) but no working python3.10 was found." >&2
echo "       Install it (Debian/Ubuntu: apt-get install python3.10 python3.10-venv, or pyenv install 3.10)," >&2
echo "       or point PYTHON310=/path/to/python3.10 at one." >&2
exit 1

#!/usr/bin/env bash
# Install the pinned browser packages of the customer web chat (integrations/webchat/package-lock.json)
# and copy their built bundles into integrations/webchat/static/webchat/ (git-ignored): the chat page
# never loads anything from a CDN.
#   rasa-webchat -> lib/index.js (webpack UMD bundle, global `WebChat`)
#   axe-core     -> axe.min.js    (accessibility checks, used by the browser test)
# Safe to run again: npm ci is skipped when node_modules matches the lock file.
set -euo pipefail
cd "$(dirname "$0")/.."
SRC=integrations/webchat
OUT=$SRC/static/webchat
if ! command -v npm >/dev/null 2>&1; then
  echo "npm is needed to build the web chat (install Node.js 18+), e.g. apt-get install nodejs npm" >&2
  exit 1
fi
stamp=$SRC/node_modules/.lock-stamp
if [ ! -f "$stamp" ] || ! cmp -s "$SRC/package-lock.json" "$stamp"; then
  echo "installing web chat packages (npm ci)"
  (cd "$SRC" && npm ci --ignore-scripts --no-audit --no-fund --loglevel=error)
  cp "$SRC/package-lock.json" "$stamp"
fi
mkdir -p "$OUT"
install -m 0644 "$SRC/node_modules/rasa-webchat/lib/index.js" "$OUT/webchat.js"
# The widget's stylesheets @import a Google Fonts CSS file: drop it (the page uses system fonts and its
# CSP would block it anyway), so the chat never reaches out to a CDN.
sed -i 's#@import url(https://fonts.googleapis.com/css?family=Inter:400,500,700\&display=swap);##g' "$OUT/webchat.js"
if grep -q "fonts.googleapis.com" "$OUT/webchat.js"; then
  echo "build_webchat: the widget bundle still references fonts.googleapis.com" >&2
  exit 1
fi
install -m 0644 "$SRC/node_modules/axe-core/axe.min.js" "$OUT/axe.min.js"
for pkg in rasa-webchat axe-core; do
  node -e "const p=require('./$SRC/node_modules/$pkg/package.json'); console.log(p.name+'@'+p.version)"
done > "$OUT/VERSIONS"
echo "web chat bundle: $(tr '\n' ' ' < "$OUT/VERSIONS")-> $OUT/"

#!/usr/bin/env bash
# Renders an HTML report of stance to a PNG with headless Chromium (`apt-get install chromium`), so a
# person can look at it: scripts/render-html.sh report.html report.png [width] [height]
set -euo pipefail
html=$(realpath "$1"); png=$(realpath -m "$2"); width=${3:-1200}; height=${4:-2600}
browser=$(command -v chromium || command -v chromium-browser || command -v google-chrome || true)
[ -n "$browser" ] || { echo "no Chromium found: apt-get install chromium" >&2; exit 1; }
profile=$(mktemp -d); trap 'rm -rf "$profile"' EXIT
"$browser" --headless --no-sandbox --disable-gpu --disable-quic --no-first-run \
  --disable-background-networking --disable-component-update --disable-sync \
  --user-data-dir="$profile" --hide-scrollbars --window-size="$width,$height" \
  --screenshot="$png" "file://$html" 2>/dev/null
echo "wrote $png"

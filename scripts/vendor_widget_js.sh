#!/usr/bin/env bash
# Refresh _ext/static/vendor from the npm registry (pinned versions; needs npm). The files are
# committed so that building and reading the book need neither npm nor a network.
set -euo pipefail
cd "$(dirname "$0")/.."
HTML_MANAGER=1.0.6   # the version myst-nb 1.4 loads from its CDN for ipywidgets 8
REQUIREJS=2.3.7
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
(cd "$work" && npm pack --silent "@jupyter-widgets/html-manager@$HTML_MANAGER" "requirejs@$REQUIREJS" >/dev/null)
mkdir -p "$work/hm" "$work/rq" _ext/static/vendor
tar xzf "$work"/jupyter-widgets-html-manager-$HTML_MANAGER.tgz -C "$work/hm"
tar xzf "$work"/requirejs-$REQUIREJS.tgz -C "$work/rq"
cp "$work/hm/package/dist/embed-amd.js" _ext/static/vendor/3-html-manager-embed-amd.js
mkdir -p _ext/static/vendor/@jupyter-widgets/html-manager/dist
# the icon fonts (woff2: every current browser), at both places the manager asks for them
cp "$work"/hm/package/dist/*.woff2 _ext/static/vendor/@jupyter-widgets/html-manager/dist/
cp "$work"/hm/package/dist/*.woff2 _ext/static/vendor/@jupyter-widgets/
cp "$work/hm/package/LICENSE" _ext/static/vendor/html-manager-LICENSE.txt
cp "$work/rq/package/require.js" _ext/static/vendor/1-require.js
sha256sum _ext/static/vendor/*.js

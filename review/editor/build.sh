#!/bin/sh
# Rebuilds the review UI's visual editor and the test-only accessibility
# checker from npm. The outputs are committed, so a fresh clone builds
# perenos without npm; run this only to change or update them:
#
#   sh review/editor/build.sh
#
# It installs the exact versions in package-lock.json (npm ci), bundles
# src/editor.js with esbuild into review/static/editor.js and editor.css,
# writes the licences of everything bundled into
# review/static/editor.LICENSES.txt, and copies axe-core (loaded only by the
# browser tests) into review/testdata/axe/.
set -eu
here=$(cd "$(dirname "$0")" && pwd)
static="$here/../static"
axe="$here/../testdata/axe"
cd "$here"
npm ci --no-audit --no-fund
node_modules/.bin/esbuild src/editor.js --bundle --minify --format=iife --target=es2020 \
	--legal-comments=none --metafile=meta.json \
	--outfile="$static/editor.js"
node licenses.mjs meta.json > "$static/editor.LICENSES.txt"
rm -f meta.json
mkdir -p "$axe"
cp node_modules/axe-core/axe.min.js "$axe/axe.min.js"
cp node_modules/axe-core/LICENSE "$axe/LICENSE"
echo "built: $(wc -c < "$static/editor.js") bytes of script, $(wc -c < "$static/editor.css") of style"

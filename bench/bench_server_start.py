"""Language-server start, cold and warm: initialize → first diagnostics, through a real LSP
client over stdio, on the workspace of ``bench_lsp.py`` (cdl.bib + refs_v2.bib, 6,433
entries, and the two Qwen drafts).

The first start parses the bibliographies and fills ``.relwork_cache`` in the workspace;
each later start on the unchanged workspace reads it. Each start is a new server process.

``--before DIR`` runs the server from another checkout's sources instead.

Run: .venv/bin/python bench/bench_server_start.py [--runs N] [--before DIR]
(needs ../shared/corpus)
"""

from __future__ import annotations

import argparse
import asyncio
import os
import shutil
import statistics
import sys
import tempfile
import time
from pathlib import Path

from bench_lsp import make_workspace
from lsprotocol import types
from pygls.lsp.client import LanguageClient


async def start_once(root: Path) -> float:
    """Seconds from initialize to the first diagnostics of the v2 draft."""
    client = LanguageClient("bench", "1")
    published = asyncio.Event()
    v2 = (root / "related_work_v2.md").as_uri()

    @client.feature(types.TEXT_DOCUMENT_PUBLISH_DIAGNOSTICS)
    def on_diagnostics(params: types.PublishDiagnosticsParams) -> None:
        if params.uri == v2:
            published.set()

    # Started in the workspace: "python -m" would import the package of the current folder.
    await client.start_io(sys.executable, "-m", "relwork_ls", "serve", cwd=root)
    start = time.perf_counter()
    await client.initialize_async(
        types.InitializeParams(
            capabilities=types.ClientCapabilities(),
            workspace_folders=[types.WorkspaceFolder(uri=root.as_uri(), name="bench")],
        )
    )
    client.initialized(types.InitializedParams())
    await asyncio.wait_for(published.wait(), 120)
    elapsed = time.perf_counter() - start
    await client.shutdown_async(None)
    client.exit(None)
    await client.stop()
    return elapsed


async def run(runs: int) -> None:
    root = Path(tempfile.mkdtemp(prefix="relwork-bench-"))
    # Compiled modules are kept (in a folder of their own), as after any installation.
    os.environ.pop("PYTHONDONTWRITEBYTECODE", None)
    os.environ["PYTHONPYCACHEPREFIX"] = str(root / "pycache")
    try:
        make_workspace(root)
        await start_once(root)  # compiles the modules once; its cache is removed below
        cold = []
        for _ in range(runs):  # each without the cache the previous start left
            shutil.rmtree(root / ".relwork_cache", ignore_errors=True)
            cold.append(await start_once(root))
        warm = [await start_once(root) for _ in range(runs)]
    finally:
        shutil.rmtree(root, ignore_errors=True)
    for name, times in (("cold (no cache)", cold), ("warm (cache present)", warm)):
        runs_text = ", ".join(f"{t:.2f}" for t in times)
        print(f"server start, {name}: median {statistics.median(times):.2f} s (runs {runs_text})")


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--before", type=Path, default=None, help="another checkout to run")
    args = parser.parse_args()
    if args.before is not None:
        os.environ["PYTHONPATH"] = str(args.before.resolve())
    asyncio.run(run(args.runs))


if __name__ == "__main__":
    main()

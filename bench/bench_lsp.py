"""Language-server latency through a real LSP client over stdio.

Workspace: cdl-bib-large/cdl.bib (6,315 entries) + the Qwen drafts and refs_v2.bib; after
the first index a 1 MB draft is added and opened. Measures the first index (initialize →
first diagnostics), completion and hover latency (median, p95), diagnostics published
after an edit to the 1 MB draft, and the server's peak RSS.

With ``--entries N`` a synthetic bibliography of N more entries (``bench_peers.synthetic_bib``:
authors drawn from N/8 surnames, so a typed prefix such as "(Name1" matches thousands of
works) joins the workspace, and completion is also timed at that prefix.

Run: .venv/bin/python bench/bench_lsp.py [--runs N] [--entries 50000]   (needs ../shared/corpus)
"""

from __future__ import annotations

import argparse
import asyncio
import shutil
import statistics
import sys
import tempfile
import time
from pathlib import Path

from lsprotocol import types
from pygls.lsp.client import LanguageClient

CORPUS = Path(__file__).resolve().parents[2] / "shared" / "corpus"


def make_workspace(root: Path, extra_entries: int = 0) -> None:
    shutil.copy(CORPUS / "cdl-bib-large" / "cdl.bib", root / "cdl.bib")
    qwen = CORPUS / "qwen-related-work"
    for name in ("related_work_v1.txt", "related_work_v2.md", "refs_v2.bib"):
        shutil.copy(qwen / name, root / name)
    bibliographies = ["cdl.bib", "refs_v2.bib"]
    if extra_entries:
        sys.path.insert(0, str(Path(__file__).parent))
        from bench_peers import synthetic_bib

        (root / "synthetic.bib").write_text(synthetic_bib(extra_entries))
        bibliographies.append("synthetic.bib")
    (root / "relwork.toml").write_text(f"bibliographies = {bibliographies!r}\n".replace("'", '"'))


def add_big_draft(root: Path) -> Path:
    """A 1 MB draft: the v2 draft repeated, so it is also a version of the other drafts."""
    draft = (CORPUS / "qwen-related-work" / "related_work_v2.md").read_text(encoding="utf-8")
    big = root / "big" / "manuscript.md"
    big.parent.mkdir()
    big.write_text((draft + "\n\n") * (1_000_000 // len(draft) + 1), encoding="utf-8")
    return big


def percentile(values: list[float], fraction: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(fraction * (len(ordered) - 1))))]


def peak_rss_mb(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    return float("nan")


async def run(runs: int, extra_entries: int) -> None:
    root = Path(tempfile.mkdtemp(prefix="relwork-bench-"))
    make_workspace(root, extra_entries)
    client = LanguageClient("bench", "1")
    published: dict[str, asyncio.Event] = {}

    @client.feature(types.TEXT_DOCUMENT_PUBLISH_DIAGNOSTICS)
    def on_diagnostics(params: types.PublishDiagnosticsParams) -> None:
        published.setdefault(params.uri, asyncio.Event()).set()

    await client.start_io(sys.executable, "-m", "relwork_ls", "serve")
    start = time.perf_counter()
    await client.initialize_async(
        types.InitializeParams(
            capabilities=types.ClientCapabilities(),
            workspace_folders=[types.WorkspaceFolder(uri=root.as_uri(), name="bench")],
        )
    )
    v2 = (root / "related_work_v2.md").as_uri()
    published[v2] = asyncio.Event()
    client.initialized(types.InitializedParams())
    await asyncio.wait_for(published[v2].wait(), 120)
    first_index = time.perf_counter() - start

    big = add_big_draft(root)
    if extra_entries:
        with big.open("a", encoding="utf-8") as out:
            out.write("\n\nSee (Name1")
    text = big.read_text(encoding="utf-8")
    big_uri = big.as_uri()
    client.text_document_did_open(
        types.DidOpenTextDocumentParams(
            text_document=types.TextDocumentItem(
                uri=big_uri, language_id="markdown", version=1, text=text
            )
        )
    )
    published[big_uri] = asyncio.Event()
    await asyncio.wait_for(published[big_uri].wait(), 120)

    lines = text.split("\n")
    target_line = next(i for i, line in enumerate(lines) if "(Taori et al." in line)
    column = lines[target_line].index("(Taori et al.") + 1
    completion_times, hover_times, edit_times = [], [], []
    wide_completion_times: list[float] = []
    for attempt in range(runs * 10):
        if extra_entries:
            begin = time.perf_counter()
            wide = await client.text_document_completion_async(
                types.CompletionParams(
                    text_document=types.TextDocumentIdentifier(uri=big_uri),
                    position=types.Position(line=len(lines) - 1, character=len(lines[-1])),
                )
            )
            wide_completion_times.append(time.perf_counter() - begin)
            assert wide and wide.items, "no completion items for (Name1"
        begin = time.perf_counter()
        result = await client.text_document_completion_async(
            types.CompletionParams(
                text_document=types.TextDocumentIdentifier(uri=big_uri),
                position=types.Position(line=target_line, character=column + 2),
            )
        )
        completion_times.append(time.perf_counter() - begin)
        assert result and result.items, "no completion items"
        begin = time.perf_counter()
        hover = await client.text_document_hover_async(
            types.HoverParams(
                text_document=types.TextDocumentIdentifier(uri=big_uri),
                position=types.Position(line=target_line, character=column + 2),
            )
        )
        hover_times.append(time.perf_counter() - begin)
        assert hover is not None, "no hover"
        if attempt < runs:
            published[big_uri] = asyncio.Event()
            begin = time.perf_counter()
            client.text_document_did_change(
                types.DidChangeTextDocumentParams(
                    text_document=types.VersionedTextDocumentIdentifier(
                        uri=big_uri, version=attempt + 2
                    ),
                    content_changes=[
                        types.TextDocumentContentChangePartial(
                            range=types.Range(
                                start=types.Position(line=0, character=0),
                                end=types.Position(line=0, character=0),
                            ),
                            text="x" if attempt % 2 == 0 else "",
                        )
                    ],
                )
            )
            await asyncio.wait_for(published[big_uri].wait(), 60)
            edit_times.append(time.perf_counter() - begin)
    pid = client._server.pid if client._server else 0  # type: ignore[attr-defined]
    rss = peak_rss_mb(pid)
    await client.shutdown_async(None)
    client.exit(None)
    await client.stop()
    shutil.rmtree(root)

    def ms(values: list[float]) -> str:
        return (
            f"median {statistics.median(values) * 1000:.1f} ms, "
            f"p95 {percentile(values, 0.95) * 1000:.1f} ms (n={len(values)})"
        )

    print(f"first index (initialize → first diagnostics): {first_index:.2f} s")
    print(f"completion: {ms(completion_times)}")
    if extra_entries:
        print(
            f"completion at '(Name1' ({extra_entries:,} more entries): {ms(wide_completion_times)}"
        )
    print(f"hover: {ms(hover_times)}")
    print(
        "diagnostics after an edit to the 1 MB draft (from the change sent to the "
        f"diagnostics received): {ms(edit_times)}"
    )
    print(f"server peak RSS: {rss:.0f} MB")


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--entries", type=int, default=0, help="add a synthetic bibliography")
    args = parser.parse_args()
    asyncio.run(run(args.runs, args.entries))


if __name__ == "__main__":
    main()

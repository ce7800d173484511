"""Diagnostics after an edit to the 1 MB draft, seen by a minimal client: the server's
messages framed and decoded with ``json.loads`` only (``tests/raw_lsp.py``), so the figure
leaves out what a full client library spends turning 1,785 diagnostics into objects
(``bench_lsp.py`` measures through pygls' client, which does).

Same workspace and draft as ``bench_lsp.py``; the edit inserts or deletes one character at
the start of the draft, 0.3 s apart (typing pace; the folder's full relint waits for 0.8 s
of quiet and does not run between them). With ``--in-citation`` the character goes inside
the names of a "(Taori et al., 2023)" in the second half of the draft instead: a label
group cited elsewhere too, so the whole draft is analysed again.

Run: .venv/bin/python bench/bench_edit_raw.py [--edits N] [--in-citation]
(needs ../shared/corpus)
"""

from __future__ import annotations

import argparse
import shutil
import statistics
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent / "tests"))
sys.path.insert(0, str(HERE))

from bench_lsp import add_big_draft, make_workspace, percentile  # noqa: E402
from raw_lsp import RawClient  # noqa: E402


def edit(uri: str, version: int, insert: bool, line: int = 0, column: int = 0) -> dict:
    end = {"line": line, "character": column if insert else column + 1}
    change = {"range": {"start": {"line": line, "character": column}, "end": end}}
    change["text"] = "x" if insert else ""
    return {"textDocument": {"uri": uri, "version": version}, "contentChanges": [change]}


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--edits", type=int, default=21)
    parser.add_argument("--in-citation", action="store_true")
    args = parser.parse_args()
    root = Path(tempfile.mkdtemp(prefix="relwork-bench-"))
    make_workspace(root)
    client = RawClient(cwd=root)
    try:
        client.initialize(root)
        client.diagnostics((root / "related_work_v2.md").as_uri())
        big = add_big_draft(root)
        uri = big.as_uri()
        text = big.read_text(encoding="utf-8")
        client.open(uri, text)
        client.diagnostics(uri, 1)
        line = column = 0
        if args.in_citation:
            lines = text.split("\n")
            line = next(
                i for i, t in enumerate(lines) if "(Taori et al." in t and i > len(lines) // 2
            )
            column = lines[line].index("(Taori et al.") + 1
        times = []
        for number in range(args.edits):
            version = number + 2
            begin = time.perf_counter()
            change = edit(uri, version, number % 2 == 0, line, column)
            client.notify("textDocument/didChange", change)
            client.diagnostics(uri, version, timeout=60)
            times.append(time.perf_counter() - begin)
            # The client keeps what it received: a growing heap of decoded diagnostics whose
            # garbage collections would be timed as the server's.
            with client._lock:
                client.notifications.clear()
            time.sleep(0.3)
    finally:
        client.close()
        shutil.rmtree(root)
    where = " inside a citation" if args.in_citation else ""
    print(
        f"diagnostics after an edit{where} to the 1 MB draft, minimal client: "
        f"median {statistics.median(times) * 1000:.1f} ms, "
        f"p95 {percentile(times, 0.95) * 1000:.1f} ms (n={len(times)})"
    )


if __name__ == "__main__":
    main()

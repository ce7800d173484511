"""Server stress through a raw JSON-RPC client against a 5,000-entry bibliography: rapid edits
with pipelined completions, hovers and cancellations. Every request is answered exactly
once (counted from the responses the client received), the final diagnostics equal a fresh
lint of the final text, and memory stays flat over 60,000 edits."""

from __future__ import annotations

import json
import random
import subprocess
import sys
import time
from pathlib import Path

import pytest
from raw_lsp import RawClient

pytestmark = pytest.mark.skipif(
    not Path("/proc/self/status").exists(), reason="reads the server's memory from /proc"
)
SURNAMES = ["Xu", "Chen", "Li", "Wang", "Zhang", "Liu", "Smith", "Brown", "Garcia", "Kim"]
SNIPPETS = [
    "(Xu et al., 2001) ",
    "(Chen, 2003a) ",
    "(Nobody et al., 1999) ",
    "word ",
    "(Li",
    "\n",
    "(Wang et al., 2002; Kim, 2004) ",
]


def synthetic_bib(count: int) -> str:
    rng = random.Random(7)
    rows = []
    for i in range(count):
        surname = f"{rng.choice(SURNAMES)}{i % 97}" if i % 5 else rng.choice(SURNAMES)
        authors = " and ".join(f"{s}, A." for s in [surname, "Other", "Third"][: 1 + i % 3])
        rows.append(
            f"@article{{k{i}, author={{{authors}}}, title={{Work number {i}}},"
            f" journal={{J}}, year={{{2000 + i % 24}}}}}\n"
        )
    return "".join(rows)


@pytest.fixture
def workspace(tmp_path: Path) -> Path:
    (tmp_path / "refs.bib").write_text(synthetic_bib(5000))
    (tmp_path / "relwork.toml").write_text('bibliographies = ["refs.bib"]\n')
    (tmp_path / "draft.txt").write_text("Start.\n")
    return tmp_path


@pytest.fixture
def client(workspace: Path):
    raw = RawClient(cwd=workspace)
    raw.initialize(workspace)
    yield raw
    assert raw.close() == 0


def end_position(text: str) -> dict[str, int]:
    lines = text.split("\n")
    return {"line": len(lines) - 1, "character": len(lines[-1])}


def change(client: RawClient, uri: str, version: int, start: dict, end: dict, text: str) -> None:
    client.notify(
        "textDocument/didChange",
        {
            "textDocument": {"uri": uri, "version": version},
            "contentChanges": [{"range": {"start": start, "end": end}, "text": text}],
        },
    )


def test_rapid_edits_with_pipelined_requests_and_cancellations(client, workspace):
    uri = (workspace / "draft.txt").as_uri()
    text = "Start.\n"
    client.open(uri, text, "plaintext")
    rng = random.Random(11)
    sent: list[int] = []
    cancelled = 0
    version = 1
    for version in range(2, 2002):
        snippet = rng.choice(SNIPPETS)
        position = end_position(text)
        change(client, uri, version, position, position, snippet)
        text += snippet
        if version % 10 == 0:  # requests are not awaited: they pile up behind the edits
            document = {"uri": uri}
            client.request(
                version,
                "textDocument/completion",
                {"textDocument": document, "position": end_position(text)},
            )
            client.request(
                -version,
                "textDocument/hover",
                {
                    "textDocument": document,
                    "position": {"line": 0, "character": rng.randrange(0, 6)},
                },
            )
            sent += [version, -version]
            if version % 30 == 0:
                client.notify("$/cancelRequest", {"id": version})
                cancelled += 1
    final = client.diagnostics(uri, version=version, timeout=300)
    for msg_id in sent:
        client.response(msg_id)
    # Every request got exactly one response: a result, or (cancelled) RequestCancelled.
    assert sorted(client.responses.keys() - {"init"}) == sorted(sent)
    assert all(len(replies) == 1 for replies in client.responses.values())
    errors = [r[0]["error"] for r in client.responses.values() if "error" in r[0]]
    assert len(errors) <= cancelled and all(e["code"] == -32800 for e in errors)
    served = sorted(
        (d["code"], d["range"]["start"]["line"], d["range"]["start"]["character"]) for d in final
    )
    (workspace / "draft.txt").write_text(text)
    fresh = subprocess.run(
        [
            sys.executable,
            "-m",
            "relwork_ls",
            "lint",
            "--format",
            "json",
            str(workspace / "draft.txt"),
        ],
        cwd=workspace,
        capture_output=True,
        text=True,
    )
    expected = sorted(
        (f["code"], f["line"] - 1, f["column"] - 1)
        for f in json.loads(fresh.stdout)["findings"]
        if f["path"].endswith("draft.txt")
    )
    assert served == expected
    assert len(served) > 100


@pytest.mark.slow
def test_memory_stays_flat_over_60000_edits(client, workspace):
    """Edits that insert and delete a word (the text keeps its size), with a request every
    100 edits: 50,000 edits after the warm-up may not grow the server by 40 MB (a leak of
    1 KB per edit would be 50 MB; pygls' Future per notification was 1.9 KB)."""
    uri = (workspace / "draft.txt").as_uri()
    rng = random.Random(3)
    text = "".join(rng.choice(SNIPPETS[:4]) for _ in range(300)) + "\n"
    client.open(uri, text, "plaintext")
    position = {"line": 0, "character": 6}
    after = {"line": 0, "character": 11}
    rss = {}
    for version in range(2, 60_002):
        if version % 2:
            change(client, uri, version, position, after, "")
        else:
            change(client, uri, version, position, position, "word ")
        if version % 100 == 0:
            client.request(
                version, "textDocument/hover", {"textDocument": {"uri": uri}, "position": position}
            )
        if version in (10_000, 60_000):
            client.response(version, timeout=300)
            client.diagnostics(uri, version=version, timeout=300)
            time.sleep(0.5)
            rss[version] = client.rss_kb()
    assert len(client.responses) == 1 + 60_000 // 100  # initialize and every hover
    print("server RSS (KB) after 10,000 and 60,000 edits:", rss)
    assert rss[60_000] - rss[10_000] < 40_000, rss

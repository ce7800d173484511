"""Server stress: 2,000 rapid edits interleaved with completion, hover and cancellations
against a 5,000-entry bibliography. Every request is answered, the final diagnostics equal
a fresh lint of the final text, and memory stays flat."""

from __future__ import annotations

import asyncio
import json
import random
import subprocess
import sys
from pathlib import Path

import pytest
import pytest_lsp
from lsprotocol import types
from pytest_lsp import ClientServerConfig, LanguageClient, client_capabilities

pytestmark = pytest.mark.filterwarnings("error::pytest_lsp.LspSpecificationWarning")
EDITS = 2000
SURNAMES = ["Xu", "Chen", "Li", "Wang", "Zhang", "Liu", "Smith", "Brown", "Garcia", "Kim"]


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


def rss_kb(pid: int) -> int:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1])
    return 0


@pytest_lsp.fixture(
    config=ClientServerConfig(server_command=[sys.executable, "-m", "relwork_ls", "serve"]),
    params=["neovim"],
)
async def client(lsp_client: LanguageClient, request, tmp_path_factory):
    root = tmp_path_factory.mktemp("stress")
    (root / "refs.bib").write_text(synthetic_bib(5000))
    (root / "relwork.toml").write_text('bibliographies = ["refs.bib"]\n')
    (root / "draft.txt").write_text("Start.\n")
    lsp_client.root = root  # type: ignore[attr-defined]
    # Record the document version of every diagnostics push (pytest-lsp keeps only the
    # diagnostics themselves).
    features = lsp_client.protocol.fm.features
    keep = features[types.TEXT_DOCUMENT_PUBLISH_DIAGNOSTICS]
    lsp_client.pushed_versions = {}  # type: ignore[attr-defined]

    def record(params: types.PublishDiagnosticsParams) -> None:
        lsp_client.pushed_versions[params.uri] = params.version  # type: ignore[attr-defined]
        keep(params)

    features[types.TEXT_DOCUMENT_PUBLISH_DIAGNOSTICS] = record
    await lsp_client.initialize_session(
        types.InitializeParams(
            capabilities=client_capabilities(request.param),
            workspace_folders=[types.WorkspaceFolder(uri=root.as_uri(), name="stress")],
        )
    )
    yield
    await lsp_client.shutdown_session()


@pytest.mark.asyncio
@pytest.mark.skipif(not Path("/proc/self/status").exists(), reason="needs /proc for RSS")
async def test_rapid_edits_with_requests_and_cancellations(client):
    root: Path = client.root  # type: ignore[attr-defined]
    uri = (root / "draft.txt").as_uri()
    text = "Start.\n"
    client.text_document_did_open(
        types.DidOpenTextDocumentParams(
            text_document=types.TextDocumentItem(
                uri=uri, language_id="plaintext", version=1, text=text
            )
        )
    )
    rng = random.Random(11)
    snippets = [
        "(Xu et al., 2001) ",
        "(Chen, 2003a) ",
        "(Nobody et al., 1999) ",
        "word ",
        "(Li",
        "\n",
        "(Wang et al., 2002; Kim, 2004) ",
    ]
    pid = client._server.pid  # type: ignore[attr-defined]
    answered = 0
    cancelled = 0
    rss_early = 0
    for version in range(2, EDITS + 2):
        snippet = rng.choice(snippets)
        lines = text.split("\n")
        position = types.Position(line=len(lines) - 1, character=len(lines[-1]))
        client.text_document_did_change(
            types.DidChangeTextDocumentParams(
                text_document=types.VersionedTextDocumentIdentifier(uri=uri, version=version),
                content_changes=[
                    types.TextDocumentContentChangePartial(
                        range=types.Range(start=position, end=position), text=snippet
                    )
                ],
            )
        )
        text += snippet
        if version % 10 == 0:
            lines = text.split("\n")
            end = types.Position(line=len(lines) - 1, character=len(lines[-1]))
            completion = asyncio.ensure_future(
                client.text_document_completion_async(
                    types.CompletionParams(
                        text_document=types.TextDocumentIdentifier(uri=uri), position=end
                    )
                )
            )
            if version % 30 == 0:
                completion.cancel()
                cancelled += 1
                await asyncio.gather(completion, return_exceptions=True)
            else:
                await completion
                answered += 1
            await client.text_document_hover_async(
                types.HoverParams(
                    text_document=types.TextDocumentIdentifier(uri=uri),
                    position=types.Position(line=0, character=rng.randrange(0, 6)),
                )
            )
            answered += 1
        if version == 500:
            rss_early = rss_kb(pid)
    # Wait for the diagnostics of the final text, then compare with a fresh lint of it.
    final_version = EDITS + 1
    for _ in range(1200):
        if client.pushed_versions.get(uri) == final_version:  # type: ignore[attr-defined]
            break
        await asyncio.sleep(0.05)
    assert client.pushed_versions.get(uri) == final_version  # type: ignore[attr-defined]
    # Neovim's capabilities: the server pushes (the client cannot be asked to pull again).
    pushed = client.diagnostics.get(uri, [])
    served = sorted((d.code, d.range.start.line, d.range.start.character) for d in pushed)
    (root / "draft.txt").write_text(text)
    fresh = subprocess.run(
        [sys.executable, "-m", "relwork_ls", "lint", "--format", "json", str(root / "draft.txt")],
        cwd=root,
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
    assert answered == EDITS // 10 * 2 - cancelled and cancelled > 0
    rss_late = rss_kb(pid)
    assert rss_late < rss_early * 1.5, (rss_early, rss_late)

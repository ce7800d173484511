"""The server answers while it indexes: on a large bibliography the first index runs on the
worker thread and reports progress as it goes; a hover sent meanwhile is answered at once
(from what is ready: nothing yet) instead of waiting for the index."""

from __future__ import annotations

import asyncio
import sys

import pytest
import pytest_lsp
from helpers import answer_refresh_requests
from lsprotocol import types
from pytest_lsp import ClientServerConfig, LanguageClient, client_capabilities
from test_server_stress import synthetic_bib


@pytest_lsp.fixture(
    config=ClientServerConfig(server_command=[sys.executable, "-m", "relwork_ls", "serve"]),
)
async def client(lsp_client: LanguageClient, tmp_path_factory):
    root = tmp_path_factory.mktemp("large")
    (root / "refs.bib").write_text(synthetic_bib(30_000))
    (root / "relwork.toml").write_text('bibliographies = ["refs.bib"]\n')
    (root / "draft.md").write_text("Early (Xu et al., 2001) and (Chen, 2003a).\n")
    lsp_client.root = root  # type: ignore[attr-defined]

    lsp_client.refreshes = answer_refresh_requests(lsp_client)  # type: ignore[attr-defined]

    @lsp_client.feature(types.CLIENT_REGISTER_CAPABILITY)
    def register(params: types.RegistrationParams) -> None:
        pass

    await lsp_client.initialize_session(
        types.InitializeParams(
            capabilities=client_capabilities("visual_studio_code"),
            workspace_folders=[types.WorkspaceFolder(uri=root.as_uri(), name="large")],
        )
    )
    yield
    await lsp_client.shutdown_session()


@pytest.mark.slow
@pytest.mark.asyncio
async def test_requests_are_answered_while_the_first_index_runs(client):
    uri = (client.root / "draft.md").as_uri()  # type: ignore[attr-defined]
    hover = await client.text_document_hover_async(
        types.HoverParams(
            text_document=types.TextDocumentIdentifier(uri=uri),
            position=types.Position(line=0, character=8),
        )
    )
    reports = client.progress_reports.get("relwork-index", [])
    assert hover is None and not any(r.kind == "end" for r in reports)  # answered meanwhile
    for _ in range(1200):
        reports = client.progress_reports.get("relwork-index", [])
        if reports and reports[-1].kind == "end":
            break
        await asyncio.sleep(0.05)
    messages = [r.message for r in reports if r.kind == "report"]
    assert reports[0].kind == "begin" and reports[-1].kind == "end"
    assert "indexing refs.bib" in messages and "indexed 30,000 entries" in messages
    hover = await client.text_document_hover_async(
        types.HoverParams(
            text_document=types.TextDocumentIdentifier(uri=uri),
            position=types.Position(line=0, character=8),
        )
    )
    assert "Xu" in hover.contents.value

"""Document links, code lens, inlay hints and workspace diagnostics through a real LSP client
with VS Code's and Neovim's capabilities (and, for pull diagnostics, VS Code's as of LSP 3.17:
pytest-lsp's recording predates them)."""

from __future__ import annotations

import sys

import pytest
import pytest_lsp
from helpers import answer_refresh_requests
from lsprotocol import types
from pytest_lsp import ClientServerConfig, LanguageClient, client_capabilities
from test_server_e2e import DRAFT, make_workspace

pytestmark = pytest.mark.filterwarnings("error::pytest_lsp.LspSpecificationWarning")
PROFILES = ["visual_studio_code", "neovim", "visual_studio_code_pull"]


def capabilities_of(profile: str) -> types.ClientCapabilities:
    if profile != "visual_studio_code_pull":
        return client_capabilities(profile)
    capabilities = client_capabilities("visual_studio_code")
    capabilities.text_document.diagnostic = types.DiagnosticClientCapabilities(
        dynamic_registration=True, related_document_support=False
    )
    capabilities.workspace.diagnostics = types.DiagnosticWorkspaceClientCapabilities(
        refresh_support=True
    )
    return capabilities


@pytest_lsp.fixture(
    config=ClientServerConfig(server_command=[sys.executable, "-m", "relwork_ls", "serve"]),
    params=PROFILES,
)
async def client(lsp_client: LanguageClient, request, tmp_path_factory):
    root = tmp_path_factory.mktemp("extras")
    make_workspace(root)
    lsp_client.root = root  # type: ignore[attr-defined]
    lsp_client.profile = request.param  # type: ignore[attr-defined]

    lsp_client.refreshes = answer_refresh_requests(lsp_client)  # type: ignore[attr-defined]

    @lsp_client.feature(types.CLIENT_REGISTER_CAPABILITY)
    def register(params: types.RegistrationParams) -> None:
        pass

    result = await lsp_client.initialize_session(
        types.InitializeParams(
            capabilities=capabilities_of(request.param),
            workspace_folders=[types.WorkspaceFolder(uri=root.as_uri(), name="extras")],
            initialization_options={"relwork": {"inlay_hints": "key"}}
            if request.param == "visual_studio_code"
            else None,
        )
    )
    lsp_client.server_capabilities = result.capabilities  # type: ignore[attr-defined]
    yield
    await lsp_client.shutdown_session()


def uri(client: LanguageClient, name: str) -> str:
    return (client.root / name).as_uri()  # type: ignore[attr-defined]


async def indexed(client: LanguageClient) -> None:
    """Wait until the first index has been accepted (a hover on a bibliography key works)."""
    import asyncio

    for _ in range(200):
        hover = await client.text_document_hover_async(
            types.HoverParams(
                text_document=types.TextDocumentIdentifier(uri=uri(client, "refs.bib")),
                position=types.Position(line=0, character=12),
            )
        )
        if hover is not None:
            return
        await asyncio.sleep(0.05)
    raise AssertionError("never indexed")


@pytest.mark.asyncio
async def test_document_links_for_doi_fields(client):
    links = await client.text_document_document_link_async(
        types.DocumentLinkParams(
            text_document=types.TextDocumentIdentifier(uri=uri(client, "refs.bib"))
        )
    )
    (link,) = links
    assert link.target == "https://doi.org/10.48550/arXiv.2107.03374"
    assert link.range.start.line == 4


@pytest.mark.asyncio
async def test_code_lens_counts_citations_and_its_command_lists_them(client):
    await indexed(client)
    lenses = await client.text_document_code_lens_async(
        types.CodeLensParams(
            text_document=types.TextDocumentIdentifier(uri=uri(client, "refs.bib"))
        )
    )
    titles = {lens.range.start.line: lens.command.title for lens in lenses}
    # chen2021codex: twice in draft.md, in paper.tex and in stale.txt; the others once each.
    assert titles == {
        0: "cited 4× in 3 drafts",
        7: "cited 1× in 1 draft",
        12: "cited 1× in 1 draft",
        13: "cited 1× in 1 draft",
    }
    first = next(lens for lens in lenses if lens.range.start.line == 0)
    locations = await client.workspace_execute_command_async(
        types.ExecuteCommandParams(command=first.command.command, arguments=first.command.arguments)
    )
    assert sorted(location["uri"].rsplit("/", 1)[1] for location in locations) == [
        "draft.md",
        "draft.md",
        "paper.tex",
        "stale.txt",
    ]
    # The first folder lint changed what is cited: a client that caches lenses is told
    # (VS Code's capabilities say it can be; Neovim 0.11's recorded ones do not).
    workspace = client.capabilities.workspace  # type: ignore[attr-defined]
    wants = bool(workspace and workspace.code_lens and workspace.code_lens.refresh_support)
    assert wants == (client.profile != "neovim")  # type: ignore[attr-defined]
    assert (types.WORKSPACE_CODE_LENS_REFRESH in client.refreshes) == wants  # type: ignore[attr-defined]


@pytest.mark.asyncio
async def test_the_lens_of_an_uncited_entry_is_a_label(client):
    """An entry that no draft cites gets "not cited" with an empty command id: VS Code shows
    it as plain text and Neovim's codelens.run() skips it, so nothing runs to list nothing."""
    from test_server_e2e import REFS

    await indexed(client)
    document = uri(client, "refs.bib")
    text = REFS + "@article{nobody2020, author = {Nobody, A.}, title = {Unread}, year = {2020}}\n"
    client.text_document_did_open(
        types.DidOpenTextDocumentParams(
            text_document=types.TextDocumentItem(
                uri=document, language_id="bibtex", version=1, text=text
            )
        )
    )
    import asyncio

    last_line = text.count("\n") - 1
    for _ in range(200):
        lenses = await client.text_document_code_lens_async(
            types.CodeLensParams(text_document=types.TextDocumentIdentifier(uri=document))
        )
        by_line = {lens.range.start.line: lens.command for lens in lenses or []}
        if last_line in by_line:
            break
        await asyncio.sleep(0.05)
    else:
        raise AssertionError(f"no lens on the new entry: {by_line}")
    assert by_line[last_line].title == "not cited"
    assert by_line[last_line].command == "" and not by_line[last_line].arguments
    assert by_line[0].command == "relwork-ls.references"


@pytest.mark.asyncio
async def test_inlay_hints_name_the_entry_when_enabled(client):
    document = uri(client, "draft.md")
    client.text_document_did_open(
        types.DidOpenTextDocumentParams(
            text_document=types.TextDocumentItem(
                uri=document, language_id="markdown", version=1, text=DRAFT
            )
        )
    )
    await indexed(client)
    import asyncio

    hints = None
    for _ in range(100):
        hints = await client.text_document_inlay_hint_async(
            types.InlayHintParams(
                text_document=types.TextDocumentIdentifier(uri=document),
                range=types.Range(
                    start=types.Position(line=0, character=0),
                    end=types.Position(line=4, character=0),
                ),
            )
        )
        if hints or client.profile != "visual_studio_code":  # type: ignore[attr-defined]
            break
        await asyncio.sleep(0.05)
    if client.profile != "visual_studio_code":  # type: ignore[attr-defined]
        assert not hints  # off by default
        return
    labels = [hint.label for hint in hints]
    assert labels == [" roziere2023codellama", " xu2023wizardlm", " chen2021codex"]
    assert all(hint.position.line == 2 for hint in hints)


@pytest.mark.asyncio
async def test_workspace_diagnostics_include_closed_drafts(client):
    await indexed(client)
    stale = uri(client, "stale.txt")  # never opened
    if client.server_capabilities.diagnostic_provider is None:  # type: ignore[attr-defined]
        import asyncio

        for _ in range(100):  # pushed instead, closed drafts too
            if stale in client.diagnostics:
                break
            await asyncio.sleep(0.05)
        assert "RW102" in {d.code for d in client.diagnostics[stale]}
        return
    assert client.server_capabilities.diagnostic_provider.workspace_diagnostics  # type: ignore[attr-defined]
    report = await client.workspace_diagnostic_async(
        types.WorkspaceDiagnosticParams(previous_result_ids=[])
    )
    by_uri = {item.uri: item for item in report.items}
    assert "RW102" in {d.code for d in by_uri[stale].items}
    assert by_uri[stale].version is None

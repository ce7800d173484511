"""End-to-end tests of the language server through a real LSP client (pytest-lsp), with the
capabilities of VS Code and of Neovim."""

from __future__ import annotations

import asyncio
import sys
from pathlib import Path

import pytest
import pytest_lsp
from helpers import answer_refresh_requests
from lsprotocol import types
from pytest_lsp import ClientServerConfig, LanguageClient, client_capabilities

pytestmark = pytest.mark.filterwarnings("error::pytest_lsp.LspSpecificationWarning")

REFS = r"""@article{chen2021codex,
  author = {Chen, Mark and Tworek, Jerry and Jun, Heewoo},
  title = {Evaluating Large Language Models Trained on Code},
  journal = {arXiv preprint arXiv:2107.03374},
  doi = {10.48550/arXiv.2107.03374},
  year = {2021}
}
@article{roziere2023codellama,
  author = {Rozi{\`e}re, Baptiste and Gehring, Jonas and Gloeckle, Fabian},
  title = {Code {Llama}: Open Foundation Models for Code},
  year = {2023}
}
@article{xu2023wizardlm, author = {Xu, Can and Sun, Qingfeng and Zheng, Kai}, title = {WizardLM}, year = {2023}}
@article{xu2023baize, author = {Xu, Canwen and Guo, Daya and Duan, Nan}, title = {Baize}, year = {2023}}
"""
# Line 2 puts an emoji (two UTF-16 units) and an accented name before the citations.
DRAFT = (
    "# Related work\n"
    "\n"
    "🙂 Rozière said (Roziere et al., 2023; Xu et al., 2023a) and Codex (Chen et al., 2021a).\n"
    "Keyed too: \\citep{chen2021codex}.\n"
)
TEX = "\\citep{chen2021codex, xu2023baize}\n\\bibliography{refs}\n"


# The bibliography as it was before a duplicate Codex entry was merged: the duplicate made
# "Chen et al., 2021a/2021b" then, and the draft cites the duplicate as "2021b".
OLD_REFS = (
    "@article{chen2021codex, author = {Chen, Mark and Tworek, Jerry and Jun, Heewoo},"
    " title = {Evaluating Large Language Models Trained on Code}, year = {2021}}\n"
    "@article{chen2021dup, author = {Chen, Mark and Tworek, Jerry and Jun, Heewoo},"
    " title = {Evaluating Large Language Models Trained on Code}, year = {2021}}\n"
)
STALE = "Codex (Chen et al., 2021b) writes code.\n"


def make_workspace(root: Path) -> None:
    (root / "refs.bib").write_text(REFS, encoding="utf-8")
    (root / "old.bib").write_text(OLD_REFS, encoding="utf-8")
    (root / "draft.md").write_text(DRAFT, encoding="utf-8")
    (root / "paper.tex").write_text(TEX, encoding="utf-8")
    (root / "stale.txt").write_text(STALE, encoding="utf-8")
    (root / "relwork.toml").write_text(
        'bibliographies = ["refs.bib"]\nbibliographies_before = ["old.bib"]\n'
    )


@pytest_lsp.fixture(
    config=ClientServerConfig(server_command=[sys.executable, "-m", "relwork_ls", "serve"]),
    params=["visual_studio_code", "neovim"],
)
async def client(lsp_client: LanguageClient, request, tmp_path_factory):
    root = tmp_path_factory.mktemp("ws")
    make_workspace(root)
    registrations: list[types.Registration] = []

    lsp_client.refreshes = answer_refresh_requests(lsp_client)  # type: ignore[attr-defined]

    @lsp_client.feature(types.CLIENT_REGISTER_CAPABILITY)
    def register(params: types.RegistrationParams) -> None:
        registrations.extend(params.registrations)

    lsp_client.registrations = registrations  # type: ignore[attr-defined]
    lsp_client.root = root  # type: ignore[attr-defined]
    result = await lsp_client.initialize_session(
        types.InitializeParams(
            capabilities=client_capabilities(request.param),
            workspace_folders=[types.WorkspaceFolder(uri=root.as_uri(), name="ws")],
        )
    )
    lsp_client.encoding = result.capabilities.position_encoding or "utf-16"  # type: ignore[attr-defined]
    lsp_client.server_capabilities = result.capabilities  # type: ignore[attr-defined]
    yield
    await lsp_client.shutdown_session()


def column(client: LanguageClient, line_text: str, code_points: int) -> int:
    """A code-point column in the position encoding the server negotiated."""
    prefix = line_text[:code_points]
    if client.encoding == "utf-8":  # type: ignore[attr-defined]
        return len(prefix.encode("utf-8"))
    if client.encoding == "utf-32":  # type: ignore[attr-defined]
        return len(prefix)
    return len(prefix.encode("utf-16-le")) // 2


def uri(client: LanguageClient, name: str) -> str:
    return (client.root / name).as_uri()  # type: ignore[attr-defined]


def open_doc(client: LanguageClient, name: str, text: str | None = None) -> str:
    path = client.root / name  # type: ignore[attr-defined]
    document_uri = path.as_uri()
    language = {".md": "markdown", ".tex": "latex"}.get(path.suffix, "plaintext")
    client.text_document_did_open(
        types.DidOpenTextDocumentParams(
            text_document=types.TextDocumentItem(
                uri=document_uri,
                language_id=language,
                version=1,
                text=text if text is not None else path.read_text(encoding="utf-8"),
            )
        )
    )
    return document_uri


async def hover_at(client: LanguageClient, document_uri: str, line: int, character: int):
    return await client.text_document_hover_async(
        types.HoverParams(
            text_document=types.TextDocumentIdentifier(uri=document_uri),
            position=types.Position(line=line, character=character),
        )
    )


async def diagnostics(client: LanguageClient, document_uri: str) -> list[types.Diagnostic]:
    """Diagnostics of a document: pulled if the server offers pulls, else the latest pushed."""
    if client.server_capabilities.diagnostic_provider is not None:  # type: ignore[attr-defined]
        report = await client.text_document_diagnostic_async(
            types.DocumentDiagnosticParams(
                text_document=types.TextDocumentIdentifier(uri=document_uri)
            )
        )
        return list(report.items)
    for _ in range(100):
        if document_uri in client.diagnostics:
            break
        await asyncio.sleep(0.05)
    await asyncio.sleep(0.4)  # let a debounced relint land
    return list(client.diagnostics.get(document_uri, []))


def edits_in(client: LanguageClient, edit: types.WorkspaceEdit) -> dict[str, list]:
    """The text edits of a WorkspaceEdit by URI. Clients that support ``documentChanges``
    (VS Code) get versioned TextDocumentEdits, the others ``changes``."""
    workspace = client.capabilities.workspace
    versioned = bool(
        workspace and workspace.workspace_edit and workspace.workspace_edit.document_changes
    )
    if versioned:
        assert edit.changes is None
        return {change.text_document.uri: list(change.edits) for change in edit.document_changes}
    assert edit.document_changes is None
    return dict(edit.changes)


def versions_in(edit: types.WorkspaceEdit) -> dict[str, int | None]:
    return {c.text_document.uri: c.text_document.version for c in edit.document_changes or []}


@pytest.mark.asyncio
async def test_diagnostics_with_codes_related_information_and_utf16_ranges(client):
    document = open_doc(client, "draft.md")
    found = await diagnostics(client, document)
    by_code = {d.code: d for d in found}
    assert {"RW005", "RW003"} <= set(by_code)
    spelling = by_code["RW005"]
    # "🙂 Rozière said (" is 16 code points, 17 UTF-16 units (the emoji is a surrogate
    # pair) and 20 UTF-8 bytes: VS Code gets UTF-16, Neovim negotiates UTF-8.
    expected = {"utf-16": 17, "utf-8": 20}[client.encoding]
    assert spelling.range.start == types.Position(line=2, character=expected)
    assert spelling.related_information[0].location.uri == uri(client, "refs.bib")
    assert spelling.source == "relwork-ls"


@pytest.mark.asyncio
async def test_diagnostics_follow_incremental_edits(client):
    document = open_doc(client, "draft.md")
    await diagnostics(client, document)
    # Replace "Roziere" (line 2, code points 16..23) by "Rozière".
    line = DRAFT.splitlines()[2]
    assert line[16:23] == "Roziere"
    client.text_document_did_change(
        types.DidChangeTextDocumentParams(
            text_document=types.VersionedTextDocumentIdentifier(uri=document, version=2),
            content_changes=[
                types.TextDocumentContentChangePartial(
                    range=types.Range(
                        start=types.Position(line=2, character=column(client, line, 16)),
                        end=types.Position(line=2, character=column(client, line, 23)),
                    ),
                    text="Rozière",
                )
            ],
        )
    )
    await asyncio.sleep(0.4)
    found = await diagnostics(client, document)
    assert "RW005" not in {d.code for d in found}


@pytest.mark.asyncio
async def test_hover_each_work_of_a_parenthetical(client):
    document = open_doc(client, "draft.md")
    await diagnostics(client, document)
    hover = await hover_at(client, document, 2, 20)
    assert "Code Llama: Open Foundation Models for Code" in hover.contents.value
    assert "RW005" in hover.contents.value
    assert "`roziere2023codellama` — refs.bib:8" in hover.contents.value
    codex = await hover_at(client, document, 2, 78)
    assert "Evaluating Large Language Models Trained on Code" in codex.contents.value
    assert "doi.org/10.48550/arXiv.2107.03374" in codex.contents.value
    assert "Cited 4 times in draft.md, paper.tex, stale.txt" in codex.contents.value
    # On the key in the bibliography itself.
    bib_key = await hover_at(client, uri(client, "refs.bib"), 0, 12)
    assert "Evaluating Large Language Models Trained on Code" in bib_key.contents.value
    assert await hover_at(client, uri(client, "refs.bib"), 2, 3) is None


@pytest.mark.asyncio
async def test_definition_and_references(client):
    document = open_doc(client, "draft.md")
    await diagnostics(client, document)
    location = await client.text_document_definition_async(
        types.DefinitionParams(
            text_document=types.TextDocumentIdentifier(uri=document),
            position=types.Position(line=3, character=20),
        )
    )
    assert location.uri == uri(client, "refs.bib") and location.range.start.line == 0
    refs = await client.text_document_references_async(
        types.ReferenceParams(
            text_document=types.TextDocumentIdentifier(uri=document),
            position=types.Position(line=3, character=20),
            context=types.ReferenceContext(include_declaration=True),
        )
    )
    assert sorted((Path(r.uri).name, r.range.start.line) for r in refs) == [
        ("draft.md", 2),
        ("draft.md", 3),
        ("paper.tex", 0),
        ("refs.bib", 0),
        ("stale.txt", 0),
    ]


@pytest.mark.asyncio
async def test_completion_of_labels_and_keys(client):
    document = open_doc(client, "draft.md", DRAFT + "More (Xu\n")
    await diagnostics(client, document)
    result = await client.text_document_completion_async(
        types.CompletionParams(
            text_document=types.TextDocumentIdentifier(uri=document),
            position=types.Position(line=4, character=8),
        )
    )
    labels = [item.label for item in result.items]
    assert labels[:2] == ["Xu et al., 2023a", "Xu et al., 2023b"]
    item = result.items[0]
    assert item.text_edit.range.start == types.Position(line=4, character=6)
    resolved = await client.completion_item_resolve_async(item)
    assert "WizardLM" in resolved.documentation.value
    tex = open_doc(client, "paper.tex", "\\citep{chen2021codex, xu2\n\\bibliography{refs}\n")
    keys = await client.text_document_completion_async(
        types.CompletionParams(
            text_document=types.TextDocumentIdentifier(uri=tex),
            position=types.Position(line=0, character=25),
        )
    )
    assert {i.label for i in keys.items} == {"xu2023wizardlm", "xu2023baize"}


@pytest.mark.asyncio
async def test_code_actions_fix_and_fix_all(client):
    document = open_doc(client, "draft.md")
    found = await diagnostics(client, document)
    spelling = next(d for d in found if d.code == "RW005")
    actions = await client.text_document_code_action_async(
        types.CodeActionParams(
            text_document=types.TextDocumentIdentifier(uri=document),
            range=spelling.range,
            context=types.CodeActionContext(diagnostics=[spelling]),
        )
    )
    titles = [a.title for a in actions]
    assert "Spell it 'Rozière et al.' (RW005)" in titles
    fix = next(a for a in actions if a.title.startswith("Spell it"))
    (edit,) = edits_in(client, fix.edit)[document]
    assert edit.new_text == "Rozière et al." and edit.range == spelling.range
    assert versions_in(fix.edit) in ({}, {document: 1})
    assert any(a.kind == types.CodeActionKind.SourceFixAll for a in actions)


@pytest.mark.asyncio
async def test_rename_key_across_documents_and_bib(client):
    tex = open_doc(client, "paper.tex")
    await diagnostics(client, tex)
    position = types.Position(line=0, character=10)
    prepared = await client.text_document_prepare_rename_async(
        types.PrepareRenameParams(
            text_document=types.TextDocumentIdentifier(uri=tex), position=position
        )
    )
    assert prepared.start.character == 7
    edit = await client.text_document_rename_async(
        types.RenameParams(
            text_document=types.TextDocumentIdentifier(uri=tex),
            position=position,
            new_name="chen2021humaneval",
        )
    )
    files = {
        Path(u).name: [e.new_text for e in edits] for u, edits in edits_in(client, edit).items()
    }
    assert files == {
        "draft.md": ["chen2021humaneval"],
        "paper.tex": ["chen2021humaneval"],
        "refs.bib": ["chen2021humaneval"],
    }


@pytest.mark.asyncio
async def test_document_and_workspace_symbols(client):
    document = open_doc(client, "draft.md")
    await diagnostics(client, document)
    symbols = await client.text_document_document_symbol_async(
        types.DocumentSymbolParams(text_document=types.TextDocumentIdentifier(uri=document))
    )
    assert [s.name for s in symbols] == ["Related work"]
    assert len(symbols[0].children) == 3
    found = await client.workspace_symbol_async(types.WorkspaceSymbolParams(query="baize"))
    assert [s.container_name for s in found] == ["xu2023baize"]


@pytest.mark.asyncio
async def test_robust_to_unknown_documents_and_bad_positions(client):
    missing = uri(client, "nowhere.md")
    hover = await hover_at(client, missing, 0, 0)
    assert hover is None
    document = open_doc(client, "draft.md")
    await diagnostics(client, document)
    far = await hover_at(client, document, 999, 999)
    assert far is None
    broken = open_doc(client, "broken.bib", "@article{x, title={unclosed\n")
    assert await hover_at(client, broken, 0, 3) is None


@pytest.mark.asyncio
async def test_progress_watched_files_and_hostile_documents(client):
    if client.capabilities.window and client.capabilities.window.work_done_progress:
        for _ in range(100):  # the first index runs after "initialized"
            reports = client.progress_reports.get("relwork-index", [])
            if reports and reports[-1].kind == "end":
                break
            await asyncio.sleep(0.05)
        assert [r.kind for r in reports][0 :: len(reports) - 1] == ["begin", "end"]
    if client.capabilities.workspace.did_change_watched_files.dynamic_registration:
        assert any(r.method == "workspace/didChangeWatchedFiles" for r in client.registrations)
    document = open_doc(client, "draft.md")
    assert "RW003" in {d.code for d in await diagnostics(client, document)}
    # The bibliography changes outside the editor: a second Chen et al. 2021 work appears,
    # so "2021a" becomes right.
    bib = client.root / "refs.bib"
    bib.write_text(
        bib.read_text() + "@misc{chen2021z, author={Chen, Zed and Li, A. and Wu, B.},"
        " title={Zed}, year={2021}}\n"
    )
    client.workspace_did_change_watched_files(
        types.DidChangeWatchedFilesParams(
            changes=[types.FileEvent(uri=bib.as_uri(), type=types.FileChangeType.Changed)]
        )
    )
    await asyncio.sleep(0.3)
    assert "RW003" not in {d.code for d in await diagnostics(client, document)}
    # A binary file and a 5 MB line: answered, not crashed.
    open_doc(client, "binary.bib", "@misc{\x00\x01\x02")
    huge = open_doc(client, "huge.txt", "(Xu et al., 2023a) " + "x" * 5_000_000)
    await diagnostics(client, huge)
    hover = await hover_at(client, huge, 0, 2)
    assert "WizardLM" in hover.contents.value


@pytest.mark.asyncio
async def test_relabel_workspace_code_action(client):
    document = open_doc(client, "stale.txt")
    found = await diagnostics(client, document)
    stale = next(d for d in found if d.code == "RW102")
    assert "is now Chen et al., 2021 (merged into 'chen2021codex')" in stale.message
    actions = await client.text_document_code_action_async(
        types.CodeActionParams(
            text_document=types.TextDocumentIdentifier(uri=document),
            range=stale.range,
            context=types.CodeActionContext(diagnostics=[stale]),
        )
    )
    relabel = next(a for a in actions if a.title.startswith("Relabel the workspace"))
    (edit,) = edits_in(client, relabel.edit)[document]
    assert edit.new_text == "2021"


@pytest.mark.asyncio
async def test_configuration_change_and_close(client):
    document = open_doc(client, "draft.md")
    assert "RW005" in {d.code for d in await diagnostics(client, document)}
    client.set_configuration({"ignore": ["RW005"]}, section="relwork")
    client.workspace_did_change_configuration(
        types.DidChangeConfigurationParams(settings={"relwork": {"ignore": ["RW005"]}})
    )
    await asyncio.sleep(0.3)
    assert "RW005" not in {d.code for d in await diagnostics(client, document)}
    # Closing an edited buffer falls back to the file on disk.
    client.set_configuration({}, section="relwork")
    client.workspace_did_change_configuration(types.DidChangeConfigurationParams(settings={}))
    edited = open_doc(client, "stale.txt", "Nothing cited here.\n")
    assert [d.code for d in await diagnostics(client, edited)] == []
    client.text_document_did_close(
        types.DidCloseTextDocumentParams(text_document=types.TextDocumentIdentifier(uri=edited))
    )
    await asyncio.sleep(1.2)
    assert "RW102" in {d.code for d in await diagnostics(client, edited)}


@pytest.mark.asyncio
async def test_cancelled_requests_leave_the_server_answering(client):
    document = open_doc(client, "draft.md")
    await diagnostics(client, document)
    params = types.CompletionParams(
        text_document=types.TextDocumentIdentifier(uri=document),
        position=types.Position(line=2, character=30),
    )
    pending = [
        asyncio.ensure_future(client.text_document_completion_async(params)) for _ in range(5)
    ]
    for future in pending:
        future.cancel()  # pygls sends $/cancelRequest for each
    await asyncio.gather(*pending, return_exceptions=True)
    hover = await hover_at(client, document, 3, 20)
    assert "Evaluating Large Language Models" in hover.contents.value


def apply_edits(client: LanguageClient, text: str, edits: list[types.TextEdit]) -> str:
    """Apply text edits as the client would, in its position encoding."""
    from relwork_ls.positions import LineIndex

    lines = LineIndex(text)
    encoding = client.encoding  # type: ignore[attr-defined]

    def offset(position: types.Position) -> int:
        column = lines.from_client(position.line, position.character, encoding)
        return lines.offset(position.line, column)

    placed = sorted((offset(e.range.start), offset(e.range.end), e.new_text) for e in edits)
    for start, end, new_text in reversed(placed):
        text = text[:start] + new_text + text[end:]
    return text


@pytest.mark.asyncio
async def test_code_actions_and_hover_right_after_edits_use_the_new_text(client):
    """Edits sent and code actions / hovers asked at once, without waiting for any lint:
    every edit returned must apply to the text as it is now (the race of issue 12)."""
    document = open_doc(client, "draft.md")
    await diagnostics(client, document)
    text = DRAFT
    for version in range(2, 8):
        line_text = text.split("\n")[2]
        at = line_text.index("Codex (")
        client.text_document_did_change(
            types.DidChangeTextDocumentParams(
                text_document=types.VersionedTextDocumentIdentifier(uri=document, version=version),
                content_changes=[
                    types.TextDocumentContentChangePartial(
                        range=types.Range(
                            start=types.Position(line=2, character=column(client, line_text, at)),
                            end=types.Position(line=2, character=column(client, line_text, at)),
                        ),
                        text="Indeed, as ",
                    )
                ],
            )
        )
        text = text.replace("Codex (", "Indeed, as Codex (", 1)
        line_text = text.split("\n")[2]
        start = line_text.index("Chen et al., 2021a")
        end = start + len("Chen et al., 2021a")
        actions = await client.text_document_code_action_async(
            types.CodeActionParams(
                text_document=types.TextDocumentIdentifier(uri=document),
                range=types.Range(
                    start=types.Position(line=2, character=column(client, line_text, start)),
                    end=types.Position(line=2, character=column(client, line_text, end)),
                ),
                context=types.CodeActionContext(diagnostics=[]),
            )
        )
        remove = next(a for a in actions if a.title.startswith("Remove the suffix 'a'"))
        fixed = apply_edits(client, text, edits_in(client, remove.edit)[document])
        assert fixed == text.replace("(Chen et al., 2021a)", "(Chen et al., 2021)")
        assert versions_in(remove.edit) in ({}, {document: version})
        roziere = line_text.index("Roziere")
        hover = await hover_at(client, document, 2, column(client, line_text, roziere + 2))
        assert "Code Llama" in hover.contents.value
        assert hover.range.start.character == column(client, line_text, roziere)

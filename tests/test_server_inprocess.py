"""Server handlers in this process (``create_server()`` and ``server_harness``), where a test
decides exactly when each message arrives: requests made right after an edit, before its
lint, must be answered on the new text, and every edit must carry the version it was
computed on."""

from __future__ import annotations

import asyncio
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest
import pytest_asyncio
from lsprotocol import types
from pytest_lsp import client_capabilities
from server_harness import InProcessClient, ResponseError, replace_range

from relwork_ls.config import config_from_mapping
from relwork_ls.editor.session import FileResult, LintOutcome, RootSession, Snapshot
from relwork_ls.positions import LineIndex
from relwork_ls.server.app import create_server
from relwork_ls.server.scheduler import DEBOUNCE_SECONDS, Scheduler
from relwork_ls.server.state import ServerState

REFS = r"""@article{chen2021codex,
  author = {Chen, Mark and Tworek, Jerry and Jun, Heewoo},
  title = {Evaluating Large Language Models Trained on Code},
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
DRAFT = (
    "# Related work\n"
    "\n"
    "Code models: Codex (Chen et al., 2021a) and Llama (Roziere et al., 2023).\n"
    "Keyed: \\citep{chen2021codex}.\n"
)


def apply(text: str, edits: list[dict]) -> str:
    """Apply LSP text edits (UTF-16 positions; this text is ASCII) as a client would."""
    lines = LineIndex(text)
    placed = sorted(
        (
            lines.offset(e["range"]["start"]["line"], e["range"]["start"]["character"]),
            lines.offset(e["range"]["end"]["line"], e["range"]["end"]["character"]),
            e["newText"],
        )
        for e in edits
    )
    for start, end, new_text in reversed(placed):
        text = text[:start] + new_text + text[end:]
    return text


def document_edits(action: dict, uri: str) -> tuple[int | None, list[dict]]:
    """(version, edits) of one document in a code action's versioned WorkspaceEdit."""
    for change in action["edit"]["documentChanges"]:
        if change["textDocument"]["uri"] == uri:
            return change["textDocument"]["version"], change["edits"]
    raise AssertionError(f"no edits for {uri}")


def range_of(text: str, needle: str) -> dict:
    start = text.index(needle)
    lines = LineIndex(text)
    (sl, sc), (el, ec) = lines.position(start), lines.position(start + len(needle))
    return {"start": {"line": sl, "character": sc}, "end": {"line": el, "character": ec}}


@pytest_asyncio.fixture
async def client(tmp_path):
    (tmp_path / "refs.bib").write_text(REFS, encoding="utf-8")
    (tmp_path / "relwork.toml").write_text('bibliographies = ["refs.bib"]\n')
    (tmp_path / "draft.md").write_text(DRAFT, encoding="utf-8")
    harness = InProcessClient()
    harness.root = tmp_path  # type: ignore[attr-defined]
    await harness.initialize(tmp_path.as_uri(), client_capabilities("visual_studio_code"))
    await harness.settle()
    yield harness
    harness.shutdown()


async def code_actions(client: InProcessClient, uri: str, text: str, needle: str) -> list[dict]:
    return await client.request(
        types.TEXT_DOCUMENT_CODE_ACTION,
        types.CodeActionParams(
            text_document=types.TextDocumentIdentifier(uri=uri),
            range=types.Range(
                start=types.Position(**range_of(text, needle)["start"]),
                end=types.Position(**range_of(text, needle)["end"]),
            ),
            context=types.CodeActionContext(diagnostics=[]),
        ),
    )


@pytest.mark.asyncio
@pytest.mark.parametrize("wait", ["no lint yet", "after the lint"])
async def test_code_action_right_after_an_edit_edits_the_new_text(client, wait):
    uri = (client.root / "draft.md").as_uri()
    client.open(uri, DRAFT)
    await client.settle()
    # Insert "Indeed, as " before "Codex": every span after it moves by 11 characters.
    client.change(uri, 2, replace_range((2, 13), (2, 13), "Indeed, as "))
    edited = DRAFT.replace("Codex (", "Indeed, as Codex (")
    if wait == "after the lint":
        await client.settle()
    actions = await code_actions(client, uri, edited, "Chen et al., 2021a")
    remove = next(a for a in actions if a["title"].startswith("Remove the suffix 'a'"))
    version, edits = document_edits(remove, uri)
    assert version == 2
    assert "Indeed, as Codex (Chen et al., 2021)" in apply(edited, edits)
    assert remove["isPreferred"] is True


@pytest.mark.asyncio
async def test_hover_right_after_an_edit_has_the_new_range(client):
    uri = (client.root / "draft.md").as_uri()
    client.open(uri, DRAFT)
    await client.settle()
    client.change(uri, 2, replace_range((2, 0), (2, 0), "Long ago, "))
    edited = "Long ago, " + DRAFT.split("\n")[2]
    start = edited.index("Roziere")
    hover = await client.request(
        types.TEXT_DOCUMENT_HOVER,
        types.HoverParams(
            text_document=types.TextDocumentIdentifier(uri=uri),
            position=types.Position(line=2, character=start + 2),
        ),
    )
    assert "Code Llama" in hover["contents"]["value"] and "RW005" in hover["contents"]["value"]
    assert hover["range"]["start"] == {"line": 2, "character": start}
    # Inside the changed text itself the citation is rescanned, not taken from the old lint.
    client.change(uri, 3, replace_range((2, 0), (2, 0), "(Chen et al., 2021) "))
    hover = await client.request(
        types.TEXT_DOCUMENT_HOVER,
        types.HoverParams(
            text_document=types.TextDocumentIdentifier(uri=uri),
            position=types.Position(line=2, character=3),
        ),
    )
    assert "Evaluating Large Language Models" in hover["contents"]["value"]
    assert hover["range"]["start"] == {"line": 2, "character": 1}


@pytest.mark.asyncio
async def test_pushed_diagnostics_carry_their_version_and_fit_its_text(client):
    uri = (client.root / "draft.md").as_uri()
    texts = {1: DRAFT}
    client.open(uri, DRAFT)
    for version in range(2, 12):
        texts[version] = "x" + texts[version - 1]
        client.change(uri, version, replace_range((0, 0), (0, 0), "x"))
        if version % 3 == 0:
            await client.settle()
    await client.settle()
    pushes = [
        m["params"]
        for m in client.notifications
        if m["method"] == types.TEXT_DOCUMENT_PUBLISH_DIAGNOSTICS
        and m["params"]["uri"] == uri
        and "version" in m["params"]  # not the file on disk, linted before it was opened
    ]
    assert pushes and pushes[-1]["version"] == 11
    for push in pushes:
        text = texts[push["version"]]
        lines = text.split("\n")
        for item in push["diagnostics"]:
            start, end = item["range"]["start"], item["range"]["end"]
            covered = lines[start["line"]][start["character"] : end["character"]]
            if item["code"] == "RW003":
                assert covered == "Chen et al., 2021a"
            if item["code"] == "RW005":
                assert covered == "Roziere et al."


@pytest.mark.asyncio
async def test_ignore_action_inserts_a_directive_that_silences_the_finding(client):
    uri = (client.root / "draft.md").as_uri()
    client.open(uri, DRAFT)
    await client.settle()
    actions = await code_actions(client, uri, DRAFT, "Roziere et al.")
    ignore = next(a for a in actions if a["title"] == "Ignore RW005 on this line")
    version, edits = document_edits(ignore, uri)
    fixed = apply(DRAFT, edits)
    assert fixed.split("\n")[2].endswith("2023). <!-- relwork: ignore RW005 -->")
    client.change(uri, 2, types.TextDocumentContentChangeWholeDocument(text=fixed))
    await client.settle()
    codes = {d["code"] for d in client.published(uri)["diagnostics"]}
    assert "RW005" not in codes and "RW003" in codes


@pytest.mark.asyncio
async def test_only_one_preferred_fix_and_fix_all(client):
    uri = (client.root / "draft.md").as_uri()
    text = DRAFT + "\nMore (Roziere et al., 2023) and (Chen et al., 2021a).\n"
    client.open(uri, text)
    await client.settle()
    actions = await code_actions(client, uri, text, text.split("\n")[2])
    assert sum(1 for a in actions if a.get("isPreferred")) == 1
    titles = [a["title"] for a in actions]
    assert "Fix all RW005 in this file (2)" in titles
    fix_all = next(a for a in actions if a["kind"] == "source.fixAll")
    _, edits = document_edits(fix_all, uri)
    assert apply(text, edits).count("Rozière et al., 2023") == 2


@pytest.mark.asyncio
async def test_rename_with_an_invalid_key_is_an_invalid_params_error(client):
    uri = (client.root / "draft.md").as_uri()
    client.open(uri, DRAFT)
    await client.settle()
    with pytest.raises(ResponseError) as raised:
        await client.request(
            types.TEXT_DOCUMENT_RENAME,
            types.RenameParams(
                text_document=types.TextDocumentIdentifier(uri=uri),
                position=types.Position(line=3, character=16),
                new_name="bad key",
            ),
        )
    assert raised.value.code == types.ErrorCodes.InvalidParams
    assert "not a valid citation key" in str(raised.value)


@pytest.mark.asyncio
async def test_bibliography_in_a_subfolder_survives_the_quick_relint(tmp_path):
    """No relwork.toml; the .bib sits in a subfolder: the draft's own relint must keep
    using the bibliography the folder's walk found."""
    (tmp_path / "bib").mkdir()
    (tmp_path / "bib" / "refs.bib").write_text(REFS, encoding="utf-8")
    (tmp_path / "draft.md").write_text(DRAFT, encoding="utf-8")
    client = InProcessClient()
    await client.initialize(tmp_path.as_uri(), client_capabilities("neovim"))
    await client.settle()
    uri = (tmp_path / "draft.md").as_uri()
    client.open(uri, DRAFT)
    await client.settle()
    client.change(uri, 2, replace_range((3, 0), (3, 0), "Also: "))
    await client.settle()
    published = client.published(uri)
    assert published["version"] == 2
    assert {"RW003", "RW005"} <= {d["code"] for d in published["diagnostics"]}
    client.shutdown()


# -- accepting results ---------------------------------------------------------------------


def test_results_for_an_outdated_version_are_not_taken(tmp_path):
    (tmp_path / "refs.bib").write_text(REFS, encoding="utf-8")
    (tmp_path / "relwork.toml").write_text('bibliographies = ["refs.bib"]\n')
    draft = tmp_path / "draft.md"
    state = ServerState([tmp_path])
    root = state.roots[0]
    state.documents.open(draft.as_uri(), draft, DRAFT, 1, "markdown")
    snapshot = state.snapshot(root)
    outcome = root.session.lint(snapshot, [draft])
    state.documents.change(
        draft, 2, [types.TextDocumentContentChangeWholeDocument(text="No citations.\n")], "utf-16"
    )
    # Kept (a later lint of one draft moves its cross-draft findings on) but never
    # published, and its findings are only used once moved onto the current text.
    state.accept(root, root.session, snapshot, outcome)
    assert not state.publishable(draft)
    assert state.findings_for(draft) == []
    # The result for version 2 is taken; one for version 1 arriving later is not.
    newer = root.session.lint(state.snapshot(root), [draft])
    assert state.accept(root, root.session, state.snapshot(root), newer) == {draft}
    assert state.publishable(draft)
    assert state.accept(root, root.session, snapshot, outcome) == set()
    assert state.held(draft)[1].version == 2


def test_results_of_a_replaced_session_are_dropped(tmp_path):
    (tmp_path / "refs.bib").write_text(REFS, encoding="utf-8")
    (tmp_path / "draft.md").write_text(DRAFT, encoding="utf-8")
    state = ServerState([tmp_path], {"bibliographies": ["refs.bib"]})
    root = state.roots[0]
    old_session = root.session
    outcome = old_session.lint(Snapshot())
    state.reconfigure({"bibliographies": ["refs.bib"], "ignore": ["RW005"]})
    assert state.accept(root, old_session, Snapshot(), outcome) == set()
    state.lint(root)
    assert "RW005" not in {f.code for f in state.findings_for(tmp_path / "draft.md")}


def test_settings_that_change_nothing_keep_the_folder_index(tmp_path):
    (tmp_path / "refs.bib").write_text(REFS, encoding="utf-8")
    state = ServerState([tmp_path], {"bibliographies": ["refs.bib"]})
    root = state.roots[0]
    session = root.session
    # A client that sends its settings at initialize and again when asked for them.
    state.reconfigure({"bibliographies": ["refs.bib"]})
    assert root.session is session
    state.reconfigure({"bibliographies": ["refs.bib"], "style": "apalike"})
    assert root.session is not session and root.config.style == "apalike"


def test_a_folder_lint_clears_files_without_findings_but_keeps_newer_edits(tmp_path):
    draft = tmp_path / "draft.md"
    bib = tmp_path / "refs.bib"
    state = ServerState([tmp_path])
    root = state.roots[0]
    finding_file = FileResult(bib, None, None, None, ())
    state.accept(root, root.session, Snapshot(), LintOutcome({bib: finding_file}, True))
    assert bib in root.files
    state.documents.open(draft.as_uri(), draft, DRAFT, 3, "markdown")
    edited = FileResult(draft, 3, DRAFT, None, ())
    state.accept(root, root.session, state.snapshot(root), LintOutcome({draft: edited}, False))
    # A folder lint that started before the document was opened: it knows neither file.
    assert state.accept(root, root.session, Snapshot(), LintOutcome({}, True)) == {bib}
    assert draft in root.files and bib not in root.files


def test_create_server_gives_independent_servers():
    first, second = create_server(), create_server()
    assert first is not second and first.state is not second.state
    assert first.protocol.fm.features.keys() == second.protocol.fm.features.keys()
    assert types.TEXT_DOCUMENT_HOVER in first.protocol.fm.features
    first.scheduler.shutdown()
    second.scheduler.shutdown()


def test_stale_findings_are_moved_onto_the_current_text(tmp_path):
    (tmp_path / "refs.bib").write_text(REFS, encoding="utf-8")
    (tmp_path / "relwork.toml").write_text('bibliographies = ["refs.bib"]\n')
    draft = tmp_path / "draft.md"
    state = ServerState([tmp_path])
    root = state.roots[0]
    state.documents.open(draft.as_uri(), draft, DRAFT, 1, "markdown")
    state.lint(root)
    state.documents.change(
        draft,
        2,
        [
            types.TextDocumentContentChangeWholeDocument(
                text=DRAFT.replace("Code models", "Now. Code")
            )
        ],
        "utf-16",
    )
    view = state.view(draft)
    assert view is not None and not view.exact and view.analysis is None
    lines = LineIndex(view.text)
    for finding in view.findings:
        span = finding.span
        written = view.text[
            lines.offset(span.line, span.column) : lines.offset(span.end_line, span.end_column)
        ]
        assert written in ("Chen et al., 2021a", "Roziere et al.")
    assert Path(view.path) == draft


# -- isolation: one bad file, files outside the folders, unsaved buffers -------------------


@pytest.mark.asyncio
async def test_one_bad_file_does_not_blind_the_folder(tmp_path, monkeypatch):
    (tmp_path / "refs.bib").write_text(REFS, encoding="utf-8")
    (tmp_path / "relwork.toml").write_text('bibliographies = ["refs.bib"]\n')
    (tmp_path / "good.md").write_text(DRAFT, encoding="utf-8")
    (tmp_path / "cursed.md").write_text("Also (Roziere et al., 2023).\n", encoding="utf-8")
    (tmp_path / "dangling.md").symlink_to(tmp_path / "nowhere.md")
    (tmp_path / "loop.md").symlink_to(tmp_path / "loop.md")
    from relwork_ls.lint.workspace import Workspace

    analyze = Workspace.analyze

    def failing(self, path, text=None, texts=None):
        if path.name == "cursed.md":
            raise RecursionError("maximum recursion depth exceeded")
        return analyze(self, path, text, texts)

    monkeypatch.setattr(Workspace, "analyze", failing)
    client = InProcessClient()
    await client.initialize(tmp_path.as_uri(), client_capabilities("neovim"))
    await client.settle()
    good = client.published((tmp_path / "good.md").as_uri())
    assert {"RW003", "RW005"} <= {d["code"] for d in good["diagnostics"]}
    cursed = client.published((tmp_path / "cursed.md").as_uri())["diagnostics"]
    # An unexpected error in one file is an internal error on that file (RW014), no more.
    assert [d["code"] for d in cursed] == ["RW014"]
    assert "RecursionError" in cursed[0]["message"]
    for name, reason in (("dangling.md", "dangling"), ("loop.md", "loop")):
        (notice,) = client.published((tmp_path / name).as_uri())["diagnostics"]
        assert notice["code"] == "RW011" and reason in notice["message"]
    client.shutdown()


@pytest.mark.asyncio
async def test_a_draft_without_any_bibliography_is_reported_not_silent(tmp_path):
    (tmp_path / "cites.md").write_text("See (Chen et al., 2021).\n", encoding="utf-8")
    (tmp_path / "plain.md").write_text("No citations here.\n", encoding="utf-8")
    client = InProcessClient()
    await client.initialize(tmp_path.as_uri(), client_capabilities("neovim"))
    await client.settle()
    (notice,) = client.published((tmp_path / "cites.md").as_uri())["diagnostics"]
    assert notice["code"] == "RW011" and "no bibliography" in notice["message"]
    assert client.published((tmp_path / "plain.md").as_uri()) is None
    client.shutdown()


@pytest.mark.asyncio
async def test_a_file_outside_every_folder_is_linted_alone(client, tmp_path):
    outside = tmp_path.parent / f"{tmp_path.name}-outside"
    (outside / "deeper").mkdir(parents=True)
    (outside / "refs.bib").write_text(REFS, encoding="utf-8")
    (outside / "sibling.md").write_text("(Roziere et al., 2023)\n", encoding="utf-8")
    (outside / "deeper" / "other.md").write_text("(Roziere et al., 2023)\n", encoding="utf-8")
    uri = (outside / "alone.md").as_uri()
    client.open(uri, "Codex (Chen et al., 2021a).\n")
    await client.settle()
    assert [d["code"] for d in client.published(uri)["diagnostics"]] == ["RW003"]
    root = client.server.state.root_for(outside / "alone.md")
    # The draft and the bibliography it uses (beside it); nothing else of its folder.
    assert root.walk is False and set(root.files) <= {outside / "alone.md", outside / "refs.bib"}
    for never in ("sibling.md", "deeper/other.md"):
        assert client.published((outside / never).as_uri()) is None
    client.notify(
        types.TEXT_DOCUMENT_DID_CLOSE,
        types.DidCloseTextDocumentParams(text_document=types.TextDocumentIdentifier(uri=uri)),
    )
    await client.settle()
    assert client.published(uri)["diagnostics"] == []


@pytest.mark.asyncio
async def test_unsaved_buffers_get_diagnostics_with_the_folders_bibliography(client):
    uri = "untitled:Untitled-1"
    client.open(uri, "New text (Roziere et al., 2023).\n", language="markdown")
    await client.settle()
    published = client.published(uri)
    assert published["version"] == 1
    assert [d["code"] for d in published["diagnostics"]] == ["RW005"]
    hover = await client.request(
        types.TEXT_DOCUMENT_HOVER,
        types.HoverParams(
            text_document=types.TextDocumentIdentifier(uri=uri),
            position=types.Position(line=0, character=12),
        ),
    )
    assert "Code Llama" in hover["contents"]["value"]


# -- incremental sync under LSP's line model ------------------------------------------------


@pytest.mark.asyncio
@pytest.mark.parametrize("separator", ["\x0c", "\x1c", "\x1d", "\x1e", "\x85", "\u2028", "\u2029"])
async def test_incremental_edits_count_lines_as_lsp_does(client, separator):
    """Python's str.splitlines breaks at these characters too; LSP (and the client) do not:
    an edit on line 1 must land on the line after the first "\\n"."""
    uri = (client.root / "draft.md").as_uri()
    text = f"Intro{separator}still line 0\n(Roziere et al., 2023) on line 1.\n"
    client.open(uri, text)
    await client.settle()
    client.change(uri, 2, replace_range((1, 1), (1, 8), "Rozière"))
    path = client.server.state.path_of(uri)
    assert client.server.state.documents.get(path).text == text.replace("Roziere", "Rozière")
    await client.settle()
    assert "RW005" not in {d["code"] for d in client.published(uri)["diagnostics"]}


@pytest.mark.asyncio
async def test_error_responses_carry_no_traceback(client, monkeypatch):
    def broken(*args, **kwargs):
        raise KeyError("internal detail")

    monkeypatch.setattr(client.server.state, "view", broken)
    with pytest.raises(ResponseError) as raised:
        await client.request(
            types.TEXT_DOCUMENT_HOVER,
            types.HoverParams(
                text_document=types.TextDocumentIdentifier(uri=(client.root / "draft.md").as_uri()),
                position=types.Position(line=0, character=0),
            ),
        )
    assert raised.value.code == types.ErrorCodes.InternalError
    assert "data" not in raised.value.error and "Traceback" not in str(raised.value.error)


@pytest.mark.asyncio
@pytest.mark.parametrize("how", ["poll", "save"])
async def test_bibliography_changed_on_disk_without_file_watching(tmp_path, monkeypatch, how):
    """Neovim on Linux registers no file watchers: the server looks at the files itself."""
    from relwork_ls.server import lifecycle

    monkeypatch.setattr(lifecycle, "POLL_SECONDS", 0.05 if how == "poll" else 3600)
    (tmp_path / "refs.bib").write_text(REFS, encoding="utf-8")
    (tmp_path / "relwork.toml").write_text('bibliographies = ["refs.bib"]\n')
    (tmp_path / "draft.md").write_text(DRAFT, encoding="utf-8")
    client = InProcessClient()
    capabilities = client_capabilities("neovim")
    assert not capabilities.workspace.did_change_watched_files.dynamic_registration
    await client.initialize(tmp_path.as_uri(), capabilities)
    uri = (tmp_path / "draft.md").as_uri()
    client.open(uri, DRAFT)
    await client.settle()
    assert "RW003" in {d["code"] for d in client.published(uri)["diagnostics"]}
    with open(tmp_path / "refs.bib", "a", encoding="utf-8") as bib:
        bib.write(
            "@misc{chen2021z, author={Chen, Zed and Li, A. and Wu, B.}, title={Z}, year={2021}}\n"
        )
    if how == "save":
        client.notify(
            types.TEXT_DOCUMENT_DID_SAVE,
            types.DidSaveTextDocumentParams(text_document=types.TextDocumentIdentifier(uri=uri)),
        )
    for _ in range(100):
        await asyncio.sleep(0.05)
        await client.settle()
        if "RW003" not in {d["code"] for d in client.published(uri)["diagnostics"]}:
            break
    assert "RW003" not in {d["code"] for d in client.published(uri)["diagnostics"]}
    client.shutdown()
    client.server.watcher.cancel()


def test_open_documents_get_their_diagnostics_first_then_drafts_then_bibliographies(
    tmp_path, monkeypatch
):
    (tmp_path / "refs.bib").write_text(REFS + "@misc{keyless, title={No}}\n@misc{,}\n", "utf-8")
    for name in ("a_draft.md", "b_draft.md", "z_open.md"):
        (tmp_path / name).write_text(DRAFT, encoding="utf-8")
    server = create_server()
    server.protocol.client_capabilities = types.ClientCapabilities()
    server.state = ServerState([tmp_path], {"bibliographies": ["refs.bib"]})
    opened = tmp_path / "z_open.md"
    server.state.documents.open(opened.as_uri(), opened, DRAFT, 1, "markdown")
    changed = server.state.lint(server.state.roots[0])
    sent: list[str] = []
    monkeypatch.setattr(
        server.protocol, "notify_with_items", lambda method, head, *_: sent.append(head["uri"])
    )
    server.publisher.publish(changed)
    names = [Path(uri.removeprefix("file://")).name for uri in sent]
    assert names == ["z_open.md", "a_draft.md", "b_draft.md", "refs.bib"]


class _RecordingExecutor(ThreadPoolExecutor):
    """Runs lints on one thread and records which drafts each was for."""

    def __init__(self) -> None:
        super().__init__(1)
        self.drafts: list[tuple[str, ...] | None] = []

    def submit(self, fn, /, *args, **kwargs):
        if getattr(fn, "__name__", "") == "lint":
            drafts = args[1]
            self.drafts.append(None if drafts is None else tuple(p.name for p in drafts))
        return super().submit(fn, *args, **kwargs)


@pytest.mark.asyncio
async def test_an_edit_after_a_quiet_spell_is_linted_at_once_a_burst_together(tmp_path):
    (tmp_path / "refs.bib").write_text(REFS, encoding="utf-8")
    drafts = [tmp_path / "one.md", tmp_path / "two.md"]
    state = ServerState([tmp_path], {"bibliographies": ["refs.bib"]})
    for number, draft in enumerate(drafts):
        draft.write_text(DRAFT, encoding="utf-8")
        state.documents.open(draft.as_uri(), draft, DRAFT, number, "markdown")
    root = state.roots[0]
    state.lint(root)
    executor = _RecordingExecutor()
    scheduler = Scheduler(state, lambda *_: None, executor)
    try:
        scheduler.edited(root, drafts[0])
        for _ in range(3):  # a few turns of the loop: no pause in typing is waited for
            await asyncio.sleep(0)
        assert executor.drafts == [("one.md",)]
        await scheduler.idle()
        executor.drafts.clear()
        await asyncio.sleep(DEBOUNCE_SECONDS)
        # Two edits at once (a paste and its formatting, say): one lint after a pause.
        scheduler.edited(root, drafts[0])
        scheduler.edited(root, drafts[1])
        await asyncio.sleep(0)
        assert executor.drafts == []
        await asyncio.sleep(DEBOUNCE_SECONDS * 2)
        assert executor.drafts[0] == ("one.md", "two.md")
    finally:
        scheduler.shutdown()
        executor.shutdown(wait=True)


def load_config_for(folder: Path):
    return config_from_mapping({"bibliographies": ["refs.bib"]}, folder)


def test_an_interrupted_folder_lint_gives_nothing_and_keeps_what_it_computed(tmp_path):
    (tmp_path / "refs.bib").write_text(REFS, encoding="utf-8")
    for name in ("one.md", "two.md"):
        (tmp_path / name).write_text(DRAFT, encoding="utf-8")
    expected = RootSession(tmp_path, load_config_for(tmp_path)).lint(Snapshot())
    session = RootSession(tmp_path, load_config_for(tmp_path))
    asked: list[int] = []

    def interrupt() -> bool:
        asked.append(1)
        return len(asked) >= 2  # after its first step

    stopped = session.lint(Snapshot(), interrupt=interrupt)
    assert stopped.interrupted and not stopped.files and not stopped.complete
    assert session.workspace.interrupt is None
    assert len(asked) == 2
    again = session.lint(Snapshot())
    assert not again.interrupted
    assert {p: r.findings for p, r in again.files.items()} == {
        p: r.findings for p, r in expected.files.items()
    }


@pytest.mark.asyncio
async def test_a_folder_lint_gives_way_to_an_edited_draft_and_runs_again_later(tmp_path):
    (tmp_path / "refs.bib").write_text(REFS, encoding="utf-8")
    draft = tmp_path / "one.md"
    draft.write_text(DRAFT, encoding="utf-8")
    state = ServerState([tmp_path], {"bibliographies": ["refs.bib"]})
    state.documents.open(draft.as_uri(), draft, DRAFT, 1, "markdown")
    root = state.roots[0]
    state.lint(root)
    real_lint = root.session.lint
    calls: list[str] = []

    def lint(snapshot, drafts=None, previous=None, progress=None, interrupt=None):
        if drafts is not None:
            calls.append("draft")
            return real_lint(snapshot, drafts, previous, progress)
        calls.append("folder")
        assert interrupt is not None
        for _ in range(500):  # a long step, with checkpoints
            if interrupt():
                return LintOutcome({}, complete=False, interrupted=True)
            time.sleep(0.01)
        raise AssertionError("the edited draft's lint did not interrupt the folder's")

    root.session.lint = lint  # type: ignore[method-assign]
    accepted: list[set[Path]] = []
    scheduler = Scheduler(state, lambda _root, changed, _outcome: accepted.append(changed))
    try:
        scheduler.lint_folder(root)
        for _ in range(3):
            await asyncio.sleep(0)
        assert calls == ["folder"]
        scheduler.edited(root, draft)
        await scheduler.until(lambda: calls[-1:] == ["draft"], 5)
        assert calls == ["folder", "draft"]
        assert len(accepted) == 1  # the draft's; the interrupted lint gave nothing
        assert scheduler.pending(root)  # the folder's lint is due again
    finally:
        scheduler.shutdown()


def test_a_result_read_from_disk_stands_for_a_document_opened_with_the_same_text(tmp_path):
    (tmp_path / "refs.bib").write_text(REFS, encoding="utf-8")
    draft, other = tmp_path / "draft.md", tmp_path / "other.md"
    for path in (draft, other):
        path.write_text(DRAFT, encoding="utf-8")
    state = ServerState([tmp_path], {"bibliographies": ["refs.bib"]})
    root = state.roots[0]
    outcome = root.session.lint(Snapshot())  # the folder's first lint, from disk
    # Both opened while it ran: one as on disk, one already edited.
    state.documents.open(draft.as_uri(), draft, DRAFT, 1, "markdown")
    state.documents.open(other.as_uri(), other, DRAFT + "More.\n", 1, "markdown")
    changed = state.accept(root, root.session, Snapshot(), outcome)
    assert draft in changed and state.publishable(draft) and state.held(draft)[1].version == 1
    assert other not in changed and state.held(other) is None
    # Opened after the lint: adopted as it is, or not at all when the text differs.
    state.documents.close(draft)
    state.lint(root)
    assert state.held(draft)[1].version is None
    state.documents.open(draft.as_uri(), draft, DRAFT, 7, "markdown")
    assert state.adopt_open(draft) and state.held(draft)[1].version == 7
    state.documents.close(draft)
    state.lint(root)
    state.documents.open(draft.as_uri(), draft, DRAFT + "x", 8, "markdown")
    assert not state.adopt_open(draft) and not state.publishable(draft)


@pytest.mark.asyncio
async def test_a_folder_lint_long_due_no_longer_gives_way(tmp_path, monkeypatch):
    from relwork_ls.server import scheduler as scheduler_module

    (tmp_path / "refs.bib").write_text(REFS, encoding="utf-8")
    state = ServerState([tmp_path], {"bibliographies": ["refs.bib"]})
    root = state.roots[0]
    state.lint(root)
    interrupts: list[object] = []

    def lint(snapshot, drafts=None, previous=None, progress=None, interrupt=None):
        interrupts.append(interrupt)
        return LintOutcome({}, complete=True)

    root.session.lint = lint  # type: ignore[method-assign]
    scheduler = Scheduler(state, lambda *_: None)
    try:
        scheduler.lint_folder(root)
        await scheduler.idle()
        monkeypatch.setattr(scheduler_module, "FOLDER_PATIENCE_SECONDS", 0.0)
        scheduler.lint_folder(root)
        await scheduler.idle()
    finally:
        scheduler.shutdown()
    assert interrupts[0] is not None and interrupts[1] is None

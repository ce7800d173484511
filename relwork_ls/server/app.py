"""The pygls 2 language server: thin handlers over ServerState and the analysis core."""

from __future__ import annotations

import asyncio
import gc
import logging
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

from lsprotocol import types
from pygls.lsp.server import LanguageServer

from .. import __version__
from ..citations.documents import document_kind
from ..citations.outline import sections
from ..findings import Finding
from .completion import CompletionContext, completion_context
from .convert import TextPositions, diagnostic, encoding_name, path_of, uri_of
from .hover import citation_hover_markdown, reference_markdown
from .state import Root, ServerState

DEBOUNCE_SECONDS = 0.075  # the edited draft alone
FULL_LINT_SECONDS = 0.8  # every draft of the root, once typing pauses
CONFIG_SECTION = "relwork"
logger = logging.getLogger(__name__)


class RelworkServer(LanguageServer):
    """Holds the workspace index (ServerState) and schedules relints."""

    def __init__(self) -> None:
        super().__init__("relwork-ls", __version__)
        self.state = ServerState([])
        self._pending: dict[tuple[Path, str], asyncio.TimerHandle] = {}
        self._published: dict[Path, set[str]] = {}
        self._positions: dict[str, TextPositions] = {}
        self._diagnostics: dict[str, dict[Finding, tuple[str, str, types.Diagnostic]]] = {}
        self._worker = ThreadPoolExecutor(max_workers=1, thread_name_prefix="relwork-lint")
        self._running: set[Path] = set()
        self._rerun: set[Path] = set()
        self._shown_config_errors: set[str] = set()

    # -- helpers -------------------------------------------------------------------------

    @property
    def encoding(self) -> str:
        return encoding_name(self.workspace.position_encoding)

    def positions(self, path: str | Path) -> TextPositions | None:
        """Position conversions for a file's current text (kept while the text is the same)."""
        text = self.state.text_of(Path(path))
        if text is None:
            return None
        cached = self._positions.get(str(path))
        if cached is not None and cached.lines.text is text and cached.encoding == self.encoding:
            return cached
        positions = self._positions[str(path)] = TextPositions(text, self.encoding)
        return positions

    def supports_pull(self) -> bool:
        text_document = self.client_capabilities.text_document
        return text_document is not None and text_document.diagnostic is not None

    def diagnostics_for(self, path: Path) -> list[types.Diagnostic]:
        """The file's findings as Diagnostics; a finding seen before on the same line text
        keeps its Diagnostic (most of a long draft is unchanged by one edit)."""
        positions = self.positions(path)
        if positions is None:
            return []
        previous = self._diagnostics.get(str(path), {})
        current: dict[Finding, tuple[str, str, types.Diagnostic]] = {}
        result = []
        for finding in self.state.findings_for(path):
            first = positions.lines.line_text(finding.span.line)
            last = positions.lines.line_text(finding.span.end_line)
            hit = previous.get(finding)
            if hit is not None and hit[0] == first and hit[1] == last:
                converted = hit[2]
            else:
                converted = diagnostic(finding, positions, self.positions)
            current[finding] = (first, last, converted)
            result.append(converted)
        self._diagnostics[str(path)] = current
        return result

    def relint(self, root: Root) -> None:
        """Lint one root now and publish its diagnostics."""
        self.show_config_error(root)
        self.state.lint(root)
        if root.error:
            self.window_log_message(
                types.LogMessageParams(type=types.MessageType.Warning, message=root.error)
            )
        self.publish(root)

    def show_config_error(self, root: Root) -> None:
        """Tell the user, once per message, why the configuration was not taken as given."""
        if root.config_error and root.config_error not in self._shown_config_errors:
            self._shown_config_errors.add(root.config_error)
            self.window_show_message(
                types.ShowMessageParams(
                    type=types.MessageType.Warning, message=f"relwork-ls: {root.config_error}"
                )
            )

    def publish(self, root: Root, only: Path | None = None) -> None:
        """Push the root's findings (unless the client pulls diagnostics); ``only`` limits
        the push to one file."""
        if self.supports_pull():
            self.workspace_diagnostic_refresh(None)
            return
        paths = set(root.findings_by_path)
        previous = self._published.get(root.path, set())
        targets = sorted(paths | previous) if only is None else [str(only)]
        if only is not None:
            paths = previous | ({str(only)} if str(only) in paths else set())
        for path_text in targets:
            path = Path(path_text)
            self.text_document_publish_diagnostics(
                types.PublishDiagnosticsParams(
                    uri=uri_of(path), diagnostics=self.diagnostics_for(path)
                )
            )
        self._published[root.path] = paths

    def schedule(self, path: Path) -> None:
        """After a short pause in typing, relint the edited draft alone and publish; after a
        longer one, relint the whole root (drift between drafts, bibliography checks)."""
        root = self.state.root_for(path)
        for key in ((root.path, "quick"), (root.path, "full")):
            handle = self._pending.pop(key, None)
            if handle is not None:
                handle.cancel()
        loop = asyncio.get_running_loop()
        if root.result is not None and document_kind(str(path)):
            self._pending[(root.path, "quick")] = loop.call_later(
                DEBOUNCE_SECONDS, self._run_quick, root, path
            )
        self._pending[(root.path, "full")] = loop.call_later(
            FULL_LINT_SECONDS, self._run_full, root
        )

    def _run_quick(self, root: Root, path: Path) -> None:
        self._pending.pop((root.path, "quick"), None)
        try:
            self.state.quick_lint(path)
            self.publish(root, only=path)
        except Exception:  # a bug must not take the server down; log and go on
            logger.exception("quick relint failed")

    def _run_full(self, root: Root) -> None:
        """Relint the whole root in a worker thread, so requests are answered meanwhile."""
        self._pending.pop((root.path, "full"), None)
        if root.path in self._running:
            self._rerun.add(root.path)  # after the running one, with the newest text
            return
        texts = self.state.snapshot(root)
        self._running.add(root.path)
        future = asyncio.get_running_loop().run_in_executor(
            self._worker, self.state.lint, root, texts
        )
        future.add_done_callback(lambda done: self._full_done(root, done))

    def _full_done(self, root: Root, done: asyncio.Future[Any]) -> None:
        self._running.discard(root.path)
        try:
            done.result()
            if root.error:
                self.window_log_message(
                    types.LogMessageParams(type=types.MessageType.Warning, message=root.error)
                )
            self.publish(root)
        except Exception:  # a bug must not take the server down; log and go on
            logger.exception("relint failed")
        if root.path in self._rerun:
            self._rerun.discard(root.path)
            self._run_full(root)

    def flush(self, root: Root) -> None:
        """Run a pending full relint now (a client asked for diagnostics)."""
        self._pending.pop((root.path, "quick"), None)
        handle = self._pending.pop((root.path, "full"), None)
        if handle is not None or root.result is None:
            if handle is not None:
                handle.cancel()
            self.state.lint(root)

    def relint_all(self) -> None:
        for root in list(self.state.roots):
            self.relint(root)


server = RelworkServer()


def _settings_from(value: Any) -> dict[str, Any]:
    if isinstance(value, dict):
        nested = value.get(CONFIG_SECTION, value)
        return nested if isinstance(nested, dict) else {}
    return {}


# -- lifecycle -------------------------------------------------------------------------


@server.feature(types.INITIALIZE)
def initialize(ls: RelworkServer, params: types.InitializeParams) -> None:
    roots: list[Path] = []
    for folder in params.workspace_folders or []:
        path = path_of(folder.uri)
        if path is not None:
            roots.append(path)
    if not roots and params.root_uri:
        path = path_of(params.root_uri)
        if path is not None:
            roots.append(path)
    ls.state = ServerState(roots, _settings_from(params.initialization_options))


@server.feature(types.INITIALIZED)
async def initialized(ls: RelworkServer, params: types.InitializedParams) -> None:
    capabilities = ls.client_capabilities
    workspace = capabilities.workspace
    watch = workspace.did_change_watched_files if workspace else None
    if watch is not None and watch.dynamic_registration:
        watchers = [
            types.FileSystemWatcher(glob_pattern=pattern)
            for pattern in (
                "**/*.bib",
                "**/*.json",
                "**/*.bbl",
                "**/relwork.toml",
                "**/pyproject.toml",
                "**/*.{txt,md,tex,Rmd,qmd}",
            )
        ]
        await _register(
            ls,
            types.RegistrationParams(
                registrations=[
                    types.Registration(
                        id="relwork-watch",
                        method=types.WORKSPACE_DID_CHANGE_WATCHED_FILES,
                        register_options=types.DidChangeWatchedFilesRegistrationOptions(
                            watchers=watchers
                        ),
                    )
                ]
            ),
        )
    if workspace is not None and workspace.configuration:
        await _pull_configuration(ls)
    window = capabilities.window
    token = "relwork-index"
    progress = window is not None and bool(window.work_done_progress)
    if progress:
        await ls.work_done_progress.create_async(token)
        ls.work_done_progress.begin(
            token, types.WorkDoneProgressBegin(title="relwork-ls: indexing", percentage=0)
        )
    roots = list(ls.state.roots)
    for number, root in enumerate(roots, start=1):
        ls.relint(root)
        if progress:
            ls.work_done_progress.report(
                token,
                types.WorkDoneProgressReport(
                    message=root.path.name, percentage=int(100 * number / len(roots))
                ),
            )
    if progress:
        ls.work_done_progress.end(token, types.WorkDoneProgressEnd(message="indexed"))


async def _register(ls: RelworkServer, params: types.RegistrationParams) -> None:
    try:
        await ls.client_register_capability_async(params)
    except Exception as error:  # the client refused: files are still relinted on save
        logger.warning("file watching not registered: %s", error)


async def _pull_configuration(ls: RelworkServer) -> None:
    try:
        result = await ls.workspace_configuration_async(
            types.ConfigurationParams(items=[types.ConfigurationItem(section=CONFIG_SECTION)])
        )
    except Exception:  # clients may refuse; the files' config still applies
        return
    if result and isinstance(result[0], dict) and result[0]:
        ls.state.reconfigure(result[0])


@server.feature(types.WORKSPACE_DID_CHANGE_CONFIGURATION)
async def did_change_configuration(
    ls: RelworkServer, params: types.DidChangeConfigurationParams
) -> None:
    workspace = ls.client_capabilities.workspace
    if workspace is not None and workspace.configuration:
        await _pull_configuration(ls)
    else:
        ls.state.reconfigure(_settings_from(params.settings))
    ls.relint_all()


@server.feature(types.WORKSPACE_DID_CHANGE_WORKSPACE_FOLDERS)
def did_change_folders(ls: RelworkServer, params: types.DidChangeWorkspaceFoldersParams) -> None:
    removed = {path_of(f.uri) for f in params.event.removed}
    ls.state.roots = [r for r in ls.state.roots if r.path not in removed]
    for folder in params.event.added:
        path = path_of(folder.uri)
        if path is not None:
            ls.relint(ls.state.add_root(path))


@server.feature(types.WORKSPACE_DID_CHANGE_WATCHED_FILES)
def did_change_watched_files(ls: RelworkServer, params: types.DidChangeWatchedFilesParams) -> None:
    if any(Path(c.uri).name in ("relwork.toml", "pyproject.toml") for c in params.changes):
        ls.state.reconfigure(ls.state.settings)
    ls.relint_all()


# -- documents ---------------------------------------------------------------------------


def _sync(ls: RelworkServer, uri: str) -> Path | None:
    path = path_of(uri)
    if path is None:
        return None
    document = ls.workspace.get_text_document(uri)
    ls.state.overlays[path] = document.source
    return path


def _updated(ls: RelworkServer, uri: str) -> None:
    """A buffer opened, changed or saved: take its text and schedule a relint."""
    path = _sync(ls, uri)
    if path is not None:
        ls.schedule(path)


@server.feature(types.TEXT_DOCUMENT_DID_OPEN)
def did_open(ls: RelworkServer, params: types.DidOpenTextDocumentParams) -> None:
    _updated(ls, params.text_document.uri)


@server.feature(types.TEXT_DOCUMENT_DID_CHANGE)
def did_change(ls: RelworkServer, params: types.DidChangeTextDocumentParams) -> None:
    _updated(ls, params.text_document.uri)


@server.feature(types.TEXT_DOCUMENT_DID_SAVE)
def did_save(ls: RelworkServer, params: types.DidSaveTextDocumentParams) -> None:
    _updated(ls, params.text_document.uri)


@server.feature(types.TEXT_DOCUMENT_DID_CLOSE)
def did_close(ls: RelworkServer, params: types.DidCloseTextDocumentParams) -> None:
    path = path_of(params.text_document.uri)
    if path is not None:
        ls.state.overlays.pop(path, None)
        ls.schedule(path)


# -- diagnostics (pull) --------------------------------------------------------------------


@server.feature(
    types.TEXT_DOCUMENT_DIAGNOSTIC,
    types.DiagnosticOptions(
        identifier="relwork-ls", inter_file_dependencies=True, workspace_diagnostics=False
    ),
)
def document_diagnostic(
    ls: RelworkServer, params: types.DocumentDiagnosticParams
) -> types.RelatedFullDocumentDiagnosticReport:
    path = path_of(params.text_document.uri)
    if path is None:
        return types.RelatedFullDocumentDiagnosticReport(items=[])
    ls.flush(ls.state.root_for(path))
    return types.RelatedFullDocumentDiagnosticReport(items=ls.diagnostics_for(path))


# -- completion ----------------------------------------------------------------------------


@server.feature(
    types.TEXT_DOCUMENT_COMPLETION,
    types.CompletionOptions(
        trigger_characters=["(", ";", "{", ",", "@", " "], resolve_provider=True
    ),
)
def completion(ls: RelworkServer, params: types.CompletionParams) -> types.CompletionList | None:
    path = path_of(params.text_document.uri)
    positions = ls.positions(path) if path else None
    if path is None or positions is None:
        return None
    text = positions.lines.text
    offset = positions.offset(params.position)
    line, _ = positions.lines.position(offset)
    line_start = positions.lines.starts[line]
    kind = document_kind(str(path)) or "text"
    context = completion_context(text[line_start:offset], line_start, kind)
    if context is None:
        return None
    _, analysis = ls.state.analysis(path)
    if analysis is None or analysis.index is None:
        return None
    table = ls.state.completion_table(analysis.index)
    candidates, incomplete = table.candidates(context)
    edit_range = positions.offset_range(context.start, offset)
    items = [
        types.CompletionItem(
            label=c.label,
            kind=types.CompletionItemKind.Reference,
            detail=c.entry.title or c.entry.key,
            label_details=types.CompletionItemLabelDetails(description=c.entry.venue or None),
            filter_text=_filter_text(context, c.insert_text, c.entry.title, c.entry.key),
            sort_text=f"{i:04d}",
            text_edit=types.TextEdit(range=edit_range, new_text=c.insert_text),
            data={"key": c.entry.key, "path": c.entry.span.path},
        )
        for i, c in enumerate(candidates)
    ]
    return types.CompletionList(is_incomplete=incomplete or not context.prefix, items=items)


def _filter_text(context: CompletionContext, insert: str, title: str, key: str) -> str:
    # Clients filter on this text against what was typed: let author, title and key match.
    return f"{context.prefix} {insert} {title} {key}" if context.prefix else insert


@server.feature(types.COMPLETION_ITEM_RESOLVE)
def completion_resolve(ls: RelworkServer, item: types.CompletionItem) -> types.CompletionItem:
    data = item.data if isinstance(item.data, dict) else {}
    for index in ls.state.indexes():
        entry = index.entry(str(data.get("key", "")))
        if entry is not None and entry.span.path == data.get("path"):
            item.documentation = types.MarkupContent(
                kind=types.MarkupKind.Markdown, value=reference_markdown(entry, index)
            )
            break
    return item


# -- hover, navigation ---------------------------------------------------------------------


def _locate(ls: RelworkServer, uri: str, position: types.Position):
    path = path_of(uri)
    positions = ls.positions(path) if path else None
    if path is None or positions is None:
        return None, None, None
    return path, positions, positions.offset(position)


@server.feature(types.TEXT_DOCUMENT_HOVER)
def hover(ls: RelworkServer, params: types.HoverParams) -> types.Hover | None:
    path, positions, offset = _locate(ls, params.text_document.uri, params.position)
    if path is None or positions is None or offset is None:
        return None
    found = ls.state.work_at(path, offset)
    if found is not None:
        _, analysis, work = found
        citing = (
            [(str(a.path), w.start) for a, w in ls.state.citing_works(work.entry)]
            if (work.entry is not None)
            else []
        )
        first_line = positions.lines.position(work.start)[0]
        last_line = positions.lines.position(work.end)[0]
        findings = [
            f
            for f in ls.state.findings_for(path)
            if first_line <= f.span.line <= last_line
            and work.start <= positions.lines.offset(f.span.line, f.span.column) <= work.end
        ]
        value = citation_hover_markdown(work.entry, analysis.index, citing, findings)
        if not value:
            return None
        return types.Hover(
            contents=types.MarkupContent(kind=types.MarkupKind.Markdown, value=value),
            range=positions.offset_range(work.start, work.end),
        )
    entry_found = ls.state.entry_at(path, offset)
    if entry_found is not None:
        index, entry = entry_found
        citing = [(str(a.path), w.start) for a, w in ls.state.citing_works(entry)]
        value = citation_hover_markdown(entry, index, citing, [])
        return types.Hover(
            contents=types.MarkupContent(kind=types.MarkupKind.Markdown, value=value)
        )
    return None


def _entry_location(ls: RelworkServer, entry) -> types.Location | None:
    positions = ls.positions(entry.span.path)
    if positions is None:
        return None
    return types.Location(uri=uri_of(entry.span.path), range=positions.range(entry.span))


@server.feature(types.TEXT_DOCUMENT_DEFINITION)
def definition(ls: RelworkServer, params: types.DefinitionParams) -> types.Location | None:
    path, _, offset = _locate(ls, params.text_document.uri, params.position)
    if path is None or offset is None:
        return None
    found = ls.state.work_at(path, offset)
    if found is None or found[2].entry is None:
        return None
    return _entry_location(ls, found[2].entry)


def _target_entry(ls: RelworkServer, path: Path, offset: int):
    found = ls.state.work_at(path, offset)
    if found is not None and found[2].entry is not None:
        return found[2].entry
    entry_found = ls.state.entry_at(path, offset)
    return entry_found[1] if entry_found else None


@server.feature(types.TEXT_DOCUMENT_REFERENCES)
def references(ls: RelworkServer, params: types.ReferenceParams) -> list[types.Location] | None:
    path, _, offset = _locate(ls, params.text_document.uri, params.position)
    if path is None or offset is None:
        return None
    entry = _target_entry(ls, path, offset)
    if entry is None:
        return None
    locations = []
    for analysis, work in ls.state.citing_works(entry):
        positions = ls.positions(analysis.path) or TextPositions(analysis.text, ls.encoding)
        locations.append(
            types.Location(
                uri=uri_of(analysis.path), range=positions.offset_range(work.start, work.end)
            )
        )
    if params.context.include_declaration:
        declaration = _entry_location(ls, entry)
        if declaration is not None:
            locations.insert(0, declaration)
    return locations


def _key_range(ls: RelworkServer, path: Path, offset: int):
    """The cite key under the cursor, in a draft (keyed citation) or a bibliography."""
    found = ls.state.work_at(path, offset)
    if found is not None and found[2].work.is_keyed and found[2].entry is not None:
        return found[2].entry, found[2].work.start, found[2].work.end
    entry_found = ls.state.entry_at(path, offset)
    if entry_found is not None:
        entry = entry_found[1]
        positions = ls.positions(path)
        if positions is not None:
            start = positions.lines.offset(entry.span.line, entry.span.column)
            return entry, start, start + len(entry.key)
    return None


@server.feature(types.TEXT_DOCUMENT_PREPARE_RENAME)
def prepare_rename(ls: RelworkServer, params: types.PrepareRenameParams) -> types.Range | None:
    path, positions, offset = _locate(ls, params.text_document.uri, params.position)
    if path is None or positions is None or offset is None:
        return None
    found = _key_range(ls, path, offset)
    return positions.offset_range(found[1], found[2]) if found else None


@server.feature(types.TEXT_DOCUMENT_RENAME)
def rename(ls: RelworkServer, params: types.RenameParams) -> types.WorkspaceEdit | None:
    path, _, offset = _locate(ls, params.text_document.uri, params.position)
    if path is None or offset is None:
        return None
    found = _key_range(ls, path, offset)
    if found is None:
        return None
    entry = found[0]
    new_key = params.new_name.strip()
    if not new_key or any(ch in new_key for ch in " ,{}%#\"'()=\\"):
        raise ValueError(f"'{params.new_name}' is not a valid citation key")
    changes: dict[str, list[types.TextEdit]] = {}
    for analysis, work in ls.state.citing_works(entry):
        if work.work.is_keyed:
            positions = TextPositions(analysis.text, ls.encoding)
            changes.setdefault(uri_of(analysis.path), []).append(
                types.TextEdit(range=positions.offset_range(work.start, work.end), new_text=new_key)
            )
    declaration = _entry_location(ls, entry)
    if declaration is not None:
        changes.setdefault(declaration.uri, []).append(
            types.TextEdit(range=declaration.range, new_text=new_key)
        )
    return types.WorkspaceEdit(changes=changes)


# -- symbols -------------------------------------------------------------------------------


@server.feature(types.TEXT_DOCUMENT_DOCUMENT_SYMBOL)
def document_symbols(
    ls: RelworkServer, params: types.DocumentSymbolParams
) -> list[types.DocumentSymbol] | None:
    path = path_of(params.text_document.uri)
    if path is None:
        return None
    _, analysis = ls.state.analysis(path)
    if analysis is None:
        return None
    positions = TextPositions(analysis.text, ls.encoding)
    citations = [
        types.DocumentSymbol(
            name=" ".join(analysis.text[c.start : c.end].split())[:120] or "citation",
            kind=types.SymbolKind.Key,
            range=positions.offset_range(c.start, c.end),
            selection_range=positions.offset_range(c.start, c.end),
            detail=c.form,
        )
        for c in analysis.citations
    ]
    outline = sections(analysis.text, analysis.kind)
    if not outline:
        return citations
    top: list[types.DocumentSymbol] = []
    stack: list[tuple[int, types.DocumentSymbol, int, int]] = []
    for section in outline:
        symbol = types.DocumentSymbol(
            name=section.title or "section",
            kind=types.SymbolKind.Namespace,
            range=positions.offset_range(section.start, section.end),
            selection_range=positions.offset_range(section.start, section.heading_end),
            children=[],
        )
        while stack and stack[-1][0] >= section.level:
            stack.pop()
        (stack[-1][1].children if stack else top).append(symbol)  # type: ignore[union-attr]
        stack.append((section.level, symbol, section.start, section.end))
    for citation, symbol in zip(analysis.citations, citations, strict=True):
        home = _innermost(top, positions, citation.start)
        (home.children if home else top).append(symbol)  # type: ignore[union-attr]
    return top


def _innermost(symbols, positions: TextPositions, offset: int):
    for symbol in symbols:
        start = positions.offset(symbol.range.start)
        end = positions.offset(symbol.range.end)
        if start <= offset < end:
            return _innermost(symbol.children or [], positions, offset) or symbol
    return None


@server.feature(types.WORKSPACE_SYMBOL)
def workspace_symbols(
    ls: RelworkServer, params: types.WorkspaceSymbolParams
) -> list[types.WorkspaceSymbol]:
    query = params.query.casefold()
    found: list[types.WorkspaceSymbol] = []
    for index in ls.state.indexes():
        for entry in index.entries_by_key.values():
            label = index.label(entry).text()
            if query and query not in f"{label} {entry.key} {entry.title}".casefold():
                continue
            location = _entry_location(ls, entry)
            if location is None:
                continue
            found.append(
                types.WorkspaceSymbol(
                    name=f"{label} — {entry.title}" if entry.title else label,
                    kind=types.SymbolKind.Key,
                    location=location,
                    container_name=entry.key,
                )
            )
            if len(found) >= 200:
                return found
    return found


# -- code actions --------------------------------------------------------------------------


def _edit_for(ls: RelworkServer, findings: list[Finding]) -> types.WorkspaceEdit:
    changes: dict[str, list[types.TextEdit]] = {}
    taken: dict[str, list[tuple[int, int]]] = {}
    for finding in findings:
        if finding.fix is None:
            continue
        for edit in finding.fix.edits:
            positions = ls.positions(edit.span.path)
            if positions is None:
                continue
            start = positions.lines.offset(edit.span.line, edit.span.column)
            end = positions.lines.offset(edit.span.end_line, edit.span.end_column)
            spans = taken.setdefault(edit.span.path, [])
            if any(start < e and s < end or (start == s == end == e) for s, e in spans):
                continue  # edits of one WorkspaceEdit must not overlap
            spans.append((start, end))
            changes.setdefault(uri_of(edit.span.path), []).append(positions.text_edit(edit))
    return types.WorkspaceEdit(changes=changes)


@server.feature(
    types.TEXT_DOCUMENT_CODE_ACTION,
    types.CodeActionOptions(
        code_action_kinds=[types.CodeActionKind.QuickFix, types.CodeActionKind.SourceFixAll]
    ),
)
def code_actions(ls: RelworkServer, params: types.CodeActionParams) -> list[types.CodeAction]:
    path = path_of(params.text_document.uri)
    if path is None:
        return []
    positions = ls.positions(path)
    if positions is None:
        return []
    findings = ls.state.findings_for(path)
    start = positions.offset(params.range.start)
    end = positions.offset(params.range.end)

    def offset_of(finding: Finding) -> tuple[int, int]:
        span = finding.span
        return (
            positions.lines.offset(span.line, span.column),
            positions.lines.offset(span.end_line, span.end_column),
        )

    actions: list[types.CodeAction] = []
    here = [f for f in findings if f.fix is not None and _overlaps(offset_of(f), (start, end))]
    only = params.context.only or []
    wants_quickfix = not only or any(k.startswith("quickfix") for k in only)
    if wants_quickfix:
        for finding in here:
            assert finding.fix is not None
            actions.append(
                types.CodeAction(
                    title=f"{finding.fix.title} ({finding.code})",
                    kind=types.CodeActionKind.QuickFix,
                    diagnostics=[diagnostic(finding, positions, ls.positions)],
                    edit=_edit_for(ls, [finding]),
                    is_preferred=finding.fix.safe,
                )
            )
        for code in sorted({f.code for f in here}):
            same = [f for f in findings if f.code == code and f.fix is not None and f.fix.safe]
            if len(same) > 1:
                actions.append(
                    types.CodeAction(
                        title=f"Fix all {code} in this file ({len(same)})",
                        kind=types.CodeActionKind.QuickFix,
                        edit=_edit_for(ls, same),
                    )
                )
        stale = [
            f
            for root in ls.state.roots
            for fs in root.findings_by_path.values()
            for f in fs
            if f.code == "RW102" and f.fix is not None
        ]
        if any(f.code == "RW102" for f in here) and stale:
            actions.append(
                types.CodeAction(
                    title=f"Relabel the workspace after the bibliography changed ({len(stale)})",
                    kind=types.CodeActionKind.QuickFix,
                    edit=_edit_for(ls, stale),
                )
            )
    if not only or any(k.startswith("source") for k in only):
        safe = [f for f in findings if f.fix is not None and f.fix.safe]
        if safe:
            actions.append(
                types.CodeAction(
                    title="Fix all safe relwork-ls findings in this file",
                    kind=types.CodeActionKind.SourceFixAll,
                    edit=_edit_for(ls, safe),
                )
            )
    return actions


def _overlaps(span: tuple[int, int], selection: tuple[int, int]) -> bool:
    return span[0] <= selection[1] and selection[0] <= span[1]


def start_server(tcp: str | None = None) -> int:
    """Serve over stdio, or TCP when ``tcp`` is "HOST:PORT"."""
    logging.basicConfig(level=logging.WARNING)
    # The index holds millions of small objects; default GC thresholds would make full
    # collections (100+ ms pauses) frequent while typing.
    gc.set_threshold(200_000, 50, 100)
    if tcp:
        host, _, port = tcp.rpartition(":")
        server.start_tcp(host or "127.0.0.1", int(port))
    else:
        server.start_io()
    return 0

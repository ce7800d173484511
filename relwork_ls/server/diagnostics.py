"""Diagnostics: pushed after each accepted lint (only for the text they were computed on),
or pulled (``textDocument/diagnostic``) by clients that can be told to refresh."""

from __future__ import annotations

import json
from collections.abc import Iterable
from pathlib import Path
from typing import TYPE_CHECKING, Any

from lsprotocol import types

from ..citations.kinds import document_kind
from ..findings import Finding
from .convert import TextPositions, diagnostic, uri_of

if TYPE_CHECKING:
    from .app import RelworkServer

PULL_TIMEOUT = 10.0  # seconds a pull waits for the lint of the current text


class Publisher:
    """Converts findings to Diagnostics (reusing those whose lines did not change) and
    sends them."""

    def __init__(self, server: RelworkServer) -> None:
        self.server = server
        self._converted: dict[Path, dict[Finding, _Converted]] = {}
        self._published: set[Path] = set()

    def pulls(self) -> bool:
        """Whether the client pulls diagnostics and can be asked to pull again."""
        return self.server.supports("text_document", "diagnostic") and self.server.supports(
            "workspace", "diagnostics", "refresh_support"
        )

    def publish(self, paths: Iterable[Path]) -> None:
        """Send the diagnostics of ``paths`` whose results are for their current text: the
        documents open in the editor first, then drafts, then bibliographies."""
        state = self.server.state
        paths = sorted(
            paths,
            key=lambda p: (state.documents.version(p) is None, not document_kind(str(p)), p),
        )
        if not paths:
            return
        if self.pulls():
            self.server.workspace_diagnostic_refresh(None)
            return
        for path in paths:
            if not state.publishable(path):
                continue  # a newer lint of this document is on its way
            items = [converted.json() for converted in self._convert(path)]
            if not items and path not in self._published:
                continue
            self._published.add(path) if items else self._published.discard(path)
            head: dict[str, Any] = {"uri": state.uri_of(path)}
            version = state.documents.version(path)
            if version is not None:
                head["version"] = version
            self.server.protocol.notify_with_items(
                types.TEXT_DOCUMENT_PUBLISH_DIAGNOSTICS, head, "diagnostics", items
            )

    def forget_folder(self, folder: Path) -> None:
        """Clear what was published for files of a removed folder."""
        for path in [p for p in self._published if folder in p.parents]:
            self._published.discard(path)
            self.server.text_document_publish_diagnostics(
                types.PublishDiagnosticsParams(uri=uri_of(path), diagnostics=[])
            )

    def diagnostics(self, path: Path) -> list[types.Diagnostic]:
        """The file's findings on its current text as Diagnostics."""
        return [converted.diagnostic for converted in self._convert(path)]

    def _convert(self, path: Path) -> list[_Converted]:
        """A finding seen before on the same line texts keeps its conversion (one edit
        leaves most of a draft as it was); lines are compared by hash, so no line text is
        kept."""
        positions = self.server.positions(path) or TextPositions("", self.server.encoding)
        previous = self._converted.get(path, {})
        # Findings outside an edit come back as the same objects: match those by identity
        # before hashing (a long draft has thousands).
        by_identity = {id(f): (f, c) for f, c in previous.items()}
        current: dict[Finding, _Converted] = {}
        line_hashes: dict[int, int] = {}

        def line_hash(line: int) -> int:
            if line not in line_hashes:
                line_hashes[line] = hash(positions.lines.line_text(line))
            return line_hashes[line]

        result = []
        unstructure = self.server.protocol._converter.unstructure
        for finding in self.server.state.findings_for(path):
            key = hash((line_hash(finding.span.line), line_hash(finding.span.end_line)))
            same = by_identity.get(id(finding))
            converted = same[1] if same is not None and same[0] is finding else None
            if converted is None:
                converted = previous.get(finding)
            if converted is None or converted.key != key:
                item = diagnostic(finding, positions, self.server.positions)
                converted = _Converted(key, item, unstructure)
            current[finding] = converted
            result.append(converted)
        self._converted[path] = current
        return result


class _Converted:
    """A finding's Diagnostic, and its JSON text once it has been sent (a long draft's
    diagnostics are pushed again after every edit; most are unchanged)."""

    __slots__ = ("key", "diagnostic", "_unstructure", "_json")

    def __init__(self, key: int, item: types.Diagnostic, unstructure) -> None:
        self.key = key
        self.diagnostic = item
        self._unstructure = unstructure
        self._json: str | None = None

    def json(self) -> str:
        if self._json is None:
            self._json = json.dumps(self._unstructure(self.diagnostic))
        return self._json


def _current(ls: RelworkServer, path: Path) -> bool:
    """Whether the held results of ``path`` are for its current text and no lint of it
    alone is waiting."""
    root = ls.state.root_for(path)
    if not root.linted:
        return False
    held = ls.state.held(path)
    if held is None:
        return not document_kind(str(path)) or path not in ls.state.documents
    return held[1].version == ls.state.documents.version(path)


async def document_diagnostic(
    ls: RelworkServer, params: types.DocumentDiagnosticParams
) -> types.RelatedFullDocumentDiagnosticReport:
    path = ls.state.path_of(params.text_document.uri)
    if path is None:
        return types.RelatedFullDocumentDiagnosticReport(items=[])
    root = ls.state.root_for(path)
    if not _current(ls, path):
        # The draft's own lint now; the folder's only when nothing else updates the file.
        ls.scheduler.expedite(root, folder=not root.linted or not document_kind(str(path)))
        await ls.scheduler.until(lambda: _current(ls, path), PULL_TIMEOUT)
    return types.RelatedFullDocumentDiagnosticReport(items=ls.publisher.diagnostics(path))


def register(server: RelworkServer) -> None:
    """Nothing before initialization: whether diagnostics are pulled depends on the client
    (``register_pull``)."""


async def workspace_diagnostic(
    ls: RelworkServer, params: types.WorkspaceDiagnosticParams
) -> types.WorkspaceDiagnosticReport:
    """Every file's diagnostics, closed drafts included (VS Code's Problems panel)."""
    for root in ls.state.roots:
        if not root.linted:
            ls.scheduler.expedite(root, folder=True)
    await ls.scheduler.until(lambda: all(r.linted for r in ls.state.roots), PULL_TIMEOUT)
    items: list[types.WorkspaceDocumentDiagnosticReport] = []
    for root in ls.state.roots:
        for path in sorted(root.files):
            if not ls.state.publishable(path):
                continue  # an open document changed since: its own pull will have it
            items.append(
                types.WorkspaceFullDocumentDiagnosticReport(
                    uri=ls.state.uri_of(path),
                    version=ls.state.documents.version(path),
                    items=ls.publisher.diagnostics(path),
                )
            )
    return types.WorkspaceDiagnosticReport(items=items)


def register_pull(server: RelworkServer) -> None:
    """Offer pull diagnostics, for open documents and the whole workspace, to clients that
    pull and can be asked to pull again (others get them pushed; offering both would show
    each finding twice)."""
    options = types.DiagnosticOptions(
        identifier="relwork-ls", inter_file_dependencies=True, workspace_diagnostics=True
    )
    server.feature(types.TEXT_DOCUMENT_DIAGNOSTIC, options)(document_diagnostic)
    server.feature(types.WORKSPACE_DIAGNOSTIC)(workspace_diagnostic)

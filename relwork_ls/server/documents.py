"""Open documents: their text and version, kept in sync with the client's edits under LSP's
line model (lines end at "\\n", "\\r\\n" or "\\r" only), and the handlers that keep them."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from lsprotocol import types

from ..editor.session import DocumentText
from ..positions import LineIndex
from .convert import encoding_name

if TYPE_CHECKING:
    from .app import RelworkServer


@dataclass(frozen=True)
class OpenDocument:
    uri: str
    path: Path
    text: str
    version: int
    language_id: str


def apply_change(
    text: str,
    change: types.TextDocumentContentChangePartial | types.TextDocumentContentChangeWholeDocument,
    encoding: str,
) -> str:
    """``text`` after one content change. Positions are read with LSP's line model (Python's
    ``str.splitlines`` also breaks at form feeds, U+2028 and others, which LSP does not);
    positions past a line's end or the text's end are clamped."""
    if isinstance(change, types.TextDocumentContentChangeWholeDocument):
        return change.text
    lines = LineIndex(text)
    start = _offset(lines, change.range.start, encoding)
    end = max(start, _offset(lines, change.range.end, encoding))
    return text[:start] + change.text + text[end:]


def _offset(lines: LineIndex, position: types.Position, encoding: str) -> int:
    line = max(0, position.line)
    if line >= lines.line_count:
        return len(lines.text)
    column = lines.from_client(line, max(0, position.character), encoding)
    return lines.offset(line, column)


class Documents:
    """The client's open documents by path."""

    def __init__(self) -> None:
        self._by_path: dict[Path, OpenDocument] = {}
        self._by_uri: dict[str, Path] = {}

    def open(self, uri: str, path: Path, text: str, version: int, language_id: str) -> None:
        self._by_path[path] = OpenDocument(uri, path, text, version, language_id)
        self._by_uri[uri] = path

    def change(
        self,
        path: Path,
        version: int,
        changes: Sequence[
            types.TextDocumentContentChangePartial | types.TextDocumentContentChangeWholeDocument
        ],
        encoding: str,
    ) -> bool:
        """Apply changes to an open document; False when it is not open."""
        document = self._by_path.get(path)
        if document is None:
            return False
        text = document.text
        for change in changes:
            text = apply_change(text, change, encoding)
        self._by_path[path] = OpenDocument(document.uri, path, text, version, document.language_id)
        return True

    def close(self, path: Path) -> None:
        document = self._by_path.pop(path, None)
        if document is not None:
            self._by_uri.pop(document.uri, None)

    def path_of(self, uri: str) -> Path | None:
        """The path an open document's URI stands for."""
        return self._by_uri.get(uri)

    def get(self, path: Path) -> OpenDocument | None:
        return self._by_path.get(path)

    def version(self, path: Path) -> int | None:
        document = self._by_path.get(path)
        return document.version if document is not None else None

    def __contains__(self, path: object) -> bool:
        return path in self._by_path

    def __iter__(self):
        return iter(list(self._by_path.values()))

    def under(self, folders: Iterable[Path]) -> dict[Path, DocumentText]:
        """The open documents inside any of ``folders``, as immutable texts."""
        roots = list(folders)
        return {
            path: DocumentText(document.text, document.version)
            for path, document in self._by_path.items()
            if any(root == path.parent or root in path.parents for root in roots)
        }


# -- handlers ------------------------------------------------------------------------------


def did_open(ls: RelworkServer, params: types.DidOpenTextDocumentParams) -> None:
    item = params.text_document
    path = ls.state.path_of(item.uri, item.language_id)
    if path is not None:
        ls.state.documents.open(item.uri, path, item.text, item.version, item.language_id)
        root = ls.state.root_for(path)
        if root.linted and not ls.scheduler.pending(root) and ls.state.adopt_open(path):
            # The folder's lint read this very text from disk: its result stands.
            ls.publisher.publish({path})
            return
        ls.scheduler.edited(root, path)


def did_change(ls: RelworkServer, params: types.DidChangeTextDocumentParams) -> None:
    path = ls.state.path_of(params.text_document.uri)
    encoding = encoding_name(ls.workspace.position_encoding)
    if path is not None and ls.state.documents.change(
        path, params.text_document.version, params.content_changes, encoding
    ):
        ls.scheduler.edited(ls.state.root_for(path), path)


def did_save(ls: RelworkServer, params: types.DidSaveTextDocumentParams) -> None:
    path = ls.state.path_of(params.text_document.uri)
    if path is not None:
        ls.scheduler.edited(ls.state.root_for(path), path)
    if ls.watcher is not None:  # the client does not watch files: a save is a good moment
        ls.relint_changed_on_disk()


def did_close(ls: RelworkServer, params: types.DidCloseTextDocumentParams) -> None:
    path = ls.state.path_of(params.text_document.uri)
    if path is not None:
        ls.state.documents.close(path)
        ls.scheduler.edited(ls.state.root_for(path), path)


def register(server: RelworkServer) -> None:
    server.feature(types.TEXT_DOCUMENT_DID_OPEN)(did_open)
    server.feature(types.TEXT_DOCUMENT_DID_CHANGE)(did_change)
    server.feature(types.TEXT_DOCUMENT_DID_SAVE)(did_save)
    server.feature(types.TEXT_DOCUMENT_DID_CLOSE)(did_close)

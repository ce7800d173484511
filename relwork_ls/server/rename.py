"""Rename a citation key across the drafts that cite it with a key and its bibliography."""

from __future__ import annotations

from typing import TYPE_CHECKING

from lsprotocol import types
from pygls.exceptions import JsonRpcInvalidParams

from ..bibliography.model import BibEntry
from ..editor.navigation import InvalidKey, checked_key, entry_at, key_span, rename_edits
from .convert import TextPositions, workspace_edit

if TYPE_CHECKING:
    from .app import RelworkServer


def key_under(
    ls: RelworkServer, uri: str, position: types.Position
) -> tuple[BibEntry, TextPositions, int, int] | None:
    """The entry whose key is under the position (a keyed citation, or the key in the
    bibliography), with the key's offsets in the current text."""
    path = ls.state.path_of(uri)
    view = ls.state.view(path) if path is not None else None
    positions = ls.positions(path) if path is not None else None
    if path is None or view is None or positions is None:
        return None
    offset = positions.offset(position)
    work = view.work_at(offset)
    if work is not None and work.work.is_keyed and work.entry is not None:
        return work.entry, positions, work.start, work.end
    found = entry_at(ls.state.indexes(), str(path), positions.lines, offset)
    if found is None:
        return None
    span = key_span(found[1])
    start = positions.lines.offset(span.line, span.column)
    return found[1], positions, start, start + len(found[1].key)


def prepare_rename(ls: RelworkServer, params: types.PrepareRenameParams) -> types.Range | None:
    found = key_under(ls, params.text_document.uri, params.position)
    return found[1].offset_range(found[2], found[3]) if found is not None else None


def rename(ls: RelworkServer, params: types.RenameParams) -> types.WorkspaceEdit | None:
    found = key_under(ls, params.text_document.uri, params.position)
    if found is None:
        return None
    try:
        new_key = checked_key(params.new_name)
    except InvalidKey as error:
        raise JsonRpcInvalidParams(str(error)) from None
    files = rename_edits(found[0], ls.state.citations().citing(found[0]), new_key)
    fixes = {file.path: [(edit,) for edit in file.edits] for file in files}
    sources = {file.path: file.text for file in files}
    versioned = ls.supports("workspace", "workspace_edit", "document_changes")
    return workspace_edit(fixes, lambda path: ls.edit_target(path, sources[path]), versioned)


def register(server: RelworkServer) -> None:
    server.feature(types.TEXT_DOCUMENT_PREPARE_RENAME)(prepare_rename)
    server.feature(types.TEXT_DOCUMENT_RENAME)(rename)

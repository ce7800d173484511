"""Hover on a cited work (each work of a parenthetical separately) and on a bibliography key."""

from __future__ import annotations

from typing import TYPE_CHECKING

from lsprotocol import types

from ..editor.hover import entry_hover, work_hover
from ..editor.navigation import entry_at
from .convert import markdown

if TYPE_CHECKING:
    from .app import RelworkServer


def hover(ls: RelworkServer, params: types.HoverParams) -> types.Hover | None:
    path = ls.state.path_of(params.text_document.uri)
    view = ls.state.view(path) if path is not None else None
    positions = ls.positions(path) if path is not None else None
    if path is None or view is None or positions is None:
        return None
    offset = positions.offset(params.position)
    work = view.work_at(offset)
    if work is not None:
        citing = ls.state.citations().citing(work.entry) if work.entry is not None else []
        findings = view.findings_at(work.start, work.end)
        value = work_hover(work, view.index, citing, findings, positions.lines)
        if not value:
            return None
        return types.Hover(markdown(value), positions.offset_range(work.start, work.end))
    found = entry_at(ls.state.indexes(), str(path), positions.lines, offset)
    if found is None:
        return None
    index, entry = found
    return types.Hover(markdown(entry_hover(entry, index, ls.state.citations().citing(entry))))


def register(server: RelworkServer) -> None:
    server.feature(types.TEXT_DOCUMENT_HOVER)(hover)

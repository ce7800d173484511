"""Document symbols (the outline: sections and the citations in them) and workspace
symbols (bibliography entries)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from lsprotocol import types

from ..citations.documents import extract_citations
from ..editor.navigation import matching_entries
from ..editor.outline import outline
from .convert import document_symbols
from .navigation import entry_location

if TYPE_CHECKING:
    from .app import RelworkServer


def document_symbol(
    ls: RelworkServer, params: types.DocumentSymbolParams
) -> list[types.DocumentSymbol] | None:
    path = ls.state.path_of(params.text_document.uri)
    view = ls.state.view(path) if path is not None else None
    positions = ls.positions(path) if path is not None else None
    if view is None or view.kind is None or positions is None:
        return None
    # The text the last lint saw has its citations; a newer one is scanned (no index needed).
    fresh = view.analysis
    citations = fresh.citations if fresh is not None else extract_citations(view.text, view.kind)
    return document_symbols(outline(view.text, view.kind, citations), positions)


def workspace_symbol(
    ls: RelworkServer, params: types.WorkspaceSymbolParams
) -> list[types.WorkspaceSymbol]:
    found = []
    for index, entry in matching_entries(ls.state.indexes(), params.query):
        location = entry_location(ls, entry)
        if location is None:
            continue
        label = index.label(entry).text()
        found.append(
            types.WorkspaceSymbol(
                name=f"{label} — {entry.title}" if entry.title else label,
                kind=types.SymbolKind.Key,
                location=location,
                container_name=entry.key,
            )
        )
    return found


def register(server: RelworkServer) -> None:
    server.feature(types.TEXT_DOCUMENT_DOCUMENT_SYMBOL)(document_symbol)
    server.feature(types.WORKSPACE_SYMBOL)(workspace_symbol)

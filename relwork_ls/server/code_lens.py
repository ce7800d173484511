"""Code lens on each entry of a bibliography: how often and in how many drafts it is cited;
its command asks the server for those citations (``relwork-ls.references``)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from lsprotocol import types

from ..editor.extras import citation_counts
from .navigation import reference_locations

if TYPE_CHECKING:
    from .app import RelworkServer

REFERENCES_COMMAND = "relwork-ls.references"


def code_lens(ls: RelworkServer, params: types.CodeLensParams) -> list[types.CodeLens] | None:
    path = ls.state.path_of(params.text_document.uri)
    positions = ls.positions(path) if path is not None else None
    if path is None or positions is None:
        return None
    lenses = []
    citing = ls.state.citations().citing
    for count in citation_counts(ls.state.indexes(), str(path), citing):
        start = positions.position(count.line, count.column)
        key_range = types.Range(start=start, end=positions.position(count.line, count.end_column))
        arguments = [params.text_document.uri, ls.protocol._converter.unstructure(start)]
        command = types.Command(title=count.title, command=REFERENCES_COMMAND, arguments=arguments)
        lenses.append(types.CodeLens(range=key_range, command=command))
    return lenses


def references_command(ls: Any, uri: str, position: types.Position) -> list[types.Location]:
    """The citations of the entry at (uri, position): what a lens stands for. (pygls
    structures the arguments from these annotations, so the server's own type, known to
    the type checker only, is not named here.)"""
    return reference_locations(ls, uri, position, include_declaration=False) or []


def register(server: RelworkServer) -> None:
    server.feature(types.TEXT_DOCUMENT_CODE_LENS, types.CodeLensOptions())(code_lens)
    server.command(REFERENCES_COMMAND)(references_command)

"""Code lens on each entry of a bibliography: how often and in how many drafts it is cited.

The lens of a cited entry carries the command ``relwork-ls.references`` (uri, position),
which this server executes by returning the citations as Locations. An editor shows them
only if its client handles the command itself: the VS Code extension rewrites it to its own
``relwork-ls.showReferences`` (the references peek), the Neovim plugin registers a handler
for it (the quickfix list). "not cited" is a label: its command id is empty, which editors
show as plain text and do not run."""

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
        if count.citations:
            arguments = [params.text_document.uri, ls.protocol._converter.unstructure(start)]
            command = types.Command(
                title=count.title, command=REFERENCES_COMMAND, arguments=arguments
            )
        else:
            command = types.Command(title=count.title, command="")
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

"""Go to definition (the entry in the bibliography) and find references (every citation of
the work, rendered or keyed, in every draft)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from lsprotocol import types

from ..bibliography.model import BibEntry
from ..editor.navigation import entry_at
from .convert import uri_of

if TYPE_CHECKING:
    from .app import RelworkServer


def target_entry(ls: RelworkServer, uri: str, position: types.Position) -> BibEntry | None:
    """The entry a position refers to: the cited work there, or the key of a bibliography."""
    path = ls.state.path_of(uri)
    view = ls.state.view(path) if path is not None else None
    positions = ls.positions(path) if path is not None else None
    if path is None or view is None or positions is None:
        return None
    offset = positions.offset(position)
    work = view.work_at(offset)
    if work is not None:
        return work.entry
    found = entry_at(ls.state.indexes(), str(path), positions.lines, offset)
    return found[1] if found is not None else None


def entry_location(ls: RelworkServer, entry: BibEntry) -> types.Location | None:
    positions = ls.positions(entry.span.path)
    if positions is None:
        return None
    return types.Location(uri=uri_of(entry.span.path), range=positions.range(entry.span))


def definition(
    ls: RelworkServer, params: types.DefinitionParams
) -> types.Location | list[types.Location] | None:
    path = ls.state.path_of(params.text_document.uri)
    view = ls.state.view(path) if path is not None else None
    positions = ls.positions(path) if path is not None else None
    if view is None or positions is None:
        return None
    work = view.work_at(positions.offset(params.position))
    if work is None:
        return None
    if work.entry is not None:
        return entry_location(ls, work.entry)
    # The text cannot tell which work it means (RW020): every candidate.
    found = [entry_location(ls, entry) for entry in work.candidates]
    return [location for location in found if location is not None] or None


def references(ls: RelworkServer, params: types.ReferenceParams) -> list[types.Location] | None:
    include = params.context.include_declaration
    return reference_locations(ls, params.text_document.uri, params.position, include)


def reference_locations(
    ls: RelworkServer, uri: str, position: types.Position, include_declaration: bool
) -> list[types.Location] | None:
    """Every citation of the entry at a position, on the drafts' current texts."""
    entry = target_entry(ls, uri, position)
    if entry is None:
        return None
    locations = []
    for analysis, work in ls.state.citations().citing(entry):
        location_range = ls.current_range(analysis.path, analysis.text, work.start, work.end)
        if location_range is not None:
            uri = ls.state.uri_of(analysis.path)
            locations.append(types.Location(uri=uri, range=location_range))
    declaration = entry_location(ls, entry) if include_declaration else None
    return ([declaration] if declaration is not None else []) + locations


def register(server: RelworkServer) -> None:
    server.feature(types.TEXT_DOCUMENT_DEFINITION)(definition)
    server.feature(types.TEXT_DOCUMENT_REFERENCES)(references)

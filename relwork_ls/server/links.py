"""Document links: the DOI and URL fields of a bibliography open in the browser."""

from __future__ import annotations

from typing import TYPE_CHECKING

from lsprotocol import types

from ..citations.kinds import BIBLIOGRAPHY_SUFFIXES
from ..editor.extras import field_links

if TYPE_CHECKING:
    from .app import RelworkServer


def document_link(
    ls: RelworkServer, params: types.DocumentLinkParams
) -> list[types.DocumentLink] | None:
    path = ls.state.path_of(params.text_document.uri)
    positions = ls.positions(path) if path is not None else None
    if path is None or positions is None or path.suffix.lower() not in BIBLIOGRAPHY_SUFFIXES:
        return None
    return [
        types.DocumentLink(range=positions.offset_range(link.start, link.end), target=link.target)
        for link in field_links(positions.text)
    ]


def register(server: RelworkServer) -> None:
    options = types.DocumentLinkOptions(resolve_provider=False)
    server.feature(types.TEXT_DOCUMENT_DOCUMENT_LINK, options)(document_link)

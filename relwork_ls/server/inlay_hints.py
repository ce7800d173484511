"""Inlay hints after rendered citations: the key (or a short title) of the entry each work
resolves to. Off unless the client setting ``inlay_hints`` is "key" or "title"."""

from __future__ import annotations

from typing import TYPE_CHECKING

from lsprotocol import types

from ..editor.extras import inlay_hints

if TYPE_CHECKING:
    from .app import RelworkServer


def inlay_hint(ls: RelworkServer, params: types.InlayHintParams) -> list[types.InlayHint] | None:
    kind = str(ls.state.settings.get("inlay_hints", "none"))
    path = ls.state.path_of(params.text_document.uri)
    view = ls.state.view(path) if path is not None and kind != "none" else None
    positions = ls.positions(path) if path is not None else None
    if view is None or positions is None or view.analysis is None:
        return None  # off, or the text's own analysis is not there yet
    start, end = positions.offset(params.range.start), positions.offset(params.range.end)
    return [
        types.InlayHint(
            position=positions.offset_range(hint.offset, hint.offset).start,
            label=hint.label,
            kind=types.InlayHintKind.Parameter,
            tooltip=hint.tooltip,
        )
        for hint in inlay_hints(view.analysis.resolution.works, start, end, kind)
    ]


def register(server: RelworkServer) -> None:
    server.feature(types.TEXT_DOCUMENT_INLAY_HINT, types.InlayHintOptions())(inlay_hint)

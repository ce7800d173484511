"""Completion of rendered labels in prose and of keys in ``\\cite{…}`` and ``[@…]``."""

from __future__ import annotations

from typing import TYPE_CHECKING

from lsprotocol import types

from ..citations.kinds import document_kind
from ..editor.completion import context_at
from ..editor.hover import reference_markdown
from .convert import completion_list, markdown

if TYPE_CHECKING:
    from .app import RelworkServer

TRIGGERS = ["(", ";", "{", ",", "@", " "]


def completion(ls: RelworkServer, params: types.CompletionParams) -> types.CompletionList | None:
    path = ls.state.path_of(params.text_document.uri)
    positions = ls.positions(path) if path is not None else None
    view = ls.state.view(path) if path is not None else None
    if path is None or positions is None or view is None or view.index is None:
        return None
    offset = positions.offset(params.position)
    context = context_at(positions.text, offset, document_kind(str(path)) or "text")
    table = ls.state.completion_table(view.index)
    if context is None or table is None:
        return None
    candidates, incomplete = table.candidates(context)
    return completion_list(context, candidates, incomplete, positions, offset)


def completion_resolve(ls: RelworkServer, item: types.CompletionItem) -> types.CompletionItem:
    data = item.data if isinstance(item.data, dict) else {}
    for index in ls.state.indexes():
        entry = index.entry(str(data.get("key", "")))
        if entry is not None and entry.span.path == data.get("path"):
            item.documentation = markdown(reference_markdown(entry, index))
            break
    return item


def register(server: RelworkServer) -> None:
    options = types.CompletionOptions(trigger_characters=TRIGGERS, resolve_provider=True)
    server.feature(types.TEXT_DOCUMENT_COMPLETION, options)(completion)
    server.feature(types.COMPLETION_ITEM_RESOLVE)(completion_resolve)

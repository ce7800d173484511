"""Code actions: each finding's fix, fix-all per code, relabel the workspace, ignore a code
on a line, and the file's safe fixes (``source.fixAll``), all on the document's current
text and, where the client supports it, tied to its version."""

from __future__ import annotations

from typing import TYPE_CHECKING

from lsprotocol import types

from ..editor.actions import ActionRequest, code_actions
from .convert import code_action, diagnostic

if TYPE_CHECKING:
    from .app import RelworkServer

KINDS = [types.CodeActionKind.QuickFix, types.CodeActionKind.SourceFixAll]


def code_action_handler(
    ls: RelworkServer, params: types.CodeActionParams
) -> list[types.CodeAction]:
    path = ls.state.path_of(params.text_document.uri)
    view = ls.state.view(path) if path is not None else None
    positions = ls.positions(path) if path is not None else None
    if path is None or view is None or positions is None:
        return []
    start, end = positions.offset(params.range.start), positions.offset(params.range.end)
    only = params.context.only or []
    request = ActionRequest(
        str(path),
        view.text,
        view.kind,
        view.findings_at(start, end),
        start,
        end,
        ls.state.stale_labels(),
        quick_fixes=not only or any(kind.startswith("quickfix") for kind in only),
        source_actions=not only or any(kind.startswith("source") for kind in only),
    )
    versioned = ls.supports("workspace", "workspace_edit", "document_changes")
    return [
        code_action(
            action,
            ls.edit_target,
            versioned,
            lambda finding: diagnostic(finding, positions, ls.positions),
        )
        for action in code_actions(request)
    ]


def register(server: RelworkServer) -> None:
    options = types.CodeActionOptions(code_action_kinds=KINDS)
    server.feature(types.TEXT_DOCUMENT_CODE_ACTION, options)(code_action_handler)

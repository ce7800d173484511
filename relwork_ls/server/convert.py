"""Conversions between the core's data and lsprotocol types: the only place they meet."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from functools import lru_cache
from pathlib import Path

from lsprotocol import types
from pygls.uris import from_fs_path, to_fs_path

from ..bibliography.model import SourceSpan
from ..editor.actions import SOURCE_FIX_ALL, Action
from ..editor.completion import (
    Candidate,
    CompletionContext,
    display_title,
    filter_text,
    planned_edits,
)
from ..editor.outline import OutlineItem
from ..findings import Finding
from ..lint.edits import PlacedEdit, select_fix_edits
from ..positions import LineIndex
from ..rules import RULES

_SEVERITY = {
    "error": types.DiagnosticSeverity.Error,
    "warning": types.DiagnosticSeverity.Warning,
    "info": types.DiagnosticSeverity.Information,
    "hint": types.DiagnosticSeverity.Hint,
}
_ENCODING = {
    types.PositionEncodingKind.Utf8: "utf-8",
    types.PositionEncodingKind.Utf16: "utf-16",
    types.PositionEncodingKind.Utf32: "utf-32",
}


def encoding_name(kind: object) -> str:
    """Our name for the negotiated position encoding (UTF-16 unless agreed otherwise)."""
    for known, name in _ENCODING.items():
        if kind == known or kind == known.value:
            return name
    return "utf-16"


def path_of(uri: str) -> Path | None:
    """The filesystem path of a file: URI (None for other schemes)."""
    if not uri.startswith("file:"):
        return None
    path = to_fs_path(uri)
    return Path(path).resolve() if path else None


@lru_cache(maxsize=4096)
def uri_of(path: str | Path) -> str:
    return from_fs_path(str(path)) or Path(path).as_uri()


class TextPositions:
    """Span/range conversions for one text under the client's position encoding."""

    def __init__(self, text: str, encoding: str) -> None:
        self.lines = LineIndex(text)
        self.encoding = encoding

    @property
    def text(self) -> str:
        return self.lines.text

    def position(self, line: int, column: int) -> types.Position:
        return types.Position(
            line=line, character=self.lines.to_client(line, column, self.encoding)
        )

    def range(self, span: SourceSpan) -> types.Range:
        return types.Range(
            start=self.position(span.line, span.column),
            end=self.position(span.end_line, span.end_column),
        )

    def offset_range(self, start: int, end: int) -> types.Range:
        return types.Range(
            start=self.position(*self.lines.position(start)),
            end=self.position(*self.lines.position(end)),
        )

    def offset(self, position: types.Position) -> int:
        """String offset of a client position (clamped: out-of-range positions are safe)."""
        line = max(0, position.line)
        column = self.lines.from_client(line, max(0, position.character), self.encoding)
        return self.lines.offset(line, column)

    def text_edit(self, edit: PlacedEdit) -> types.TextEdit:
        return types.TextEdit(range=self.offset_range(edit.start, edit.end), new_text=edit.new_text)


PositionsOf = Callable[[str], "TextPositions | None"]


def diagnostic(finding: Finding, positions: TextPositions, related_positions: PositionsOf):
    """A Diagnostic for a finding; ``related_positions(path)`` gives TextPositions of a file."""
    related = []
    for location in finding.related:
        other = related_positions(location.span.path)
        if other is None:
            continue
        related.append(
            types.DiagnosticRelatedInformation(
                location=types.Location(
                    uri=uri_of(location.span.path), range=other.range(location.span)
                ),
                message=location.message,
            )
        )
    tags = [types.DiagnosticTag.Unnecessary] if finding.code == "RW302" else None
    rule = RULES.get(finding.code)
    return types.Diagnostic(
        range=positions.range(finding.span),
        message=finding.message,
        severity=_SEVERITY[finding.severity],
        code=finding.code,
        code_description=types.CodeDescription(href=rule.url) if rule is not None else None,
        source="relwork-ls",
        related_information=related or None,
        tags=tags,
    )


class EditTarget:
    """A file an edit applies to: its URI, its text (what the edits' spans refer to) and
    version (None for a file on disk)."""

    def __init__(self, uri: str, positions: TextPositions, version: int | None) -> None:
        self.uri = uri
        self.positions = positions
        self.version = version


TargetOf = Callable[[str], "EditTarget | None"]


def workspace_edit(
    fixes: dict[str, list[tuple]], target_of: TargetOf, versioned: bool
) -> types.WorkspaceEdit:
    """The WorkspaceEdit applying the fixes that can be applied together (one rule with
    ``lint --fix``: ``select_fix_edits``). With ``versioned`` (the client supports
    ``documentChanges``) each file's edits carry the version they were computed on, so
    the client refuses them if the document has changed since."""
    per_file: list[tuple[str, int | None, list[types.TextEdit]]] = []
    for path, file_fixes in fixes.items():
        target = target_of(path)
        if target is None:
            continue
        placed = select_fix_edits(target.positions.lines, file_fixes)
        edits = [target.positions.text_edit(edit) for edit in placed]
        if edits:
            per_file.append((target.uri, target.version, edits))
    if versioned:
        return types.WorkspaceEdit(
            document_changes=[
                types.TextDocumentEdit(
                    text_document=types.OptionalVersionedTextDocumentIdentifier(
                        uri=uri, version=version
                    ),
                    edits=list(edits),
                )
                for uri, version, edits in per_file
            ]
        )
    return types.WorkspaceEdit(changes={uri: edits for uri, _, edits in per_file})


def code_action(
    action: Action,
    target_of: TargetOf,
    versioned: bool,
    diagnostic_of: Callable[[Finding], types.Diagnostic],
) -> types.CodeAction:
    kind = (
        types.CodeActionKind.SourceFixAll
        if action.kind == SOURCE_FIX_ALL
        else types.CodeActionKind.QuickFix
    )
    return types.CodeAction(
        title=action.title,
        kind=kind,
        diagnostics=[diagnostic_of(f) for f in action.findings] or None,
        edit=workspace_edit(action.fixes, target_of, versioned),
        is_preferred=action.preferred or None,
    )


def document_symbols(
    items: Sequence[OutlineItem], positions: TextPositions
) -> list[types.DocumentSymbol]:
    return [
        types.DocumentSymbol(
            name=item.name,
            kind=types.SymbolKind.Namespace if item.kind == "section" else types.SymbolKind.Key,
            range=positions.offset_range(item.start, item.end),
            selection_range=positions.offset_range(item.selection_start, item.selection_end),
            detail=item.detail or None,
            children=document_symbols(item.children, positions) if item.kind == "section" else None,
        )
        for item in items
    ]


def markdown(value: str) -> types.MarkupContent:
    return types.MarkupContent(kind=types.MarkupKind.Markdown, value=value)


def completion_list(
    context: CompletionContext,
    candidates: list[Candidate],
    incomplete: bool,
    positions: TextPositions,
    cursor: int,
) -> types.CompletionList:
    """Items that replace the typed prefix (``textEdit``) with the label or key."""
    items = []
    for rank, (candidate, start, new_text) in enumerate(planned_edits(context, candidates)):
        edit_range = positions.offset_range(start, cursor)
        items.append(_completion_item(context, candidate, rank, edit_range, new_text))
    return types.CompletionList(is_incomplete=incomplete or not context.prefix, items=items)


def _completion_item(
    context: CompletionContext,
    candidate: Candidate,
    rank: int,
    edit_range: types.Range,
    new_text: str,
) -> types.CompletionItem:
    return types.CompletionItem(
        label=candidate.label,
        kind=types.CompletionItemKind.Reference,
        detail=display_title(candidate.entry.title) or candidate.entry.key,
        label_details=types.CompletionItemLabelDetails(description=candidate.entry.venue or None),
        # Clients filter on the text from the edit's start: "2023a" when only the last
        # typed word is replaced, else what was typed followed by label, title and key.
        filter_text=new_text
        if new_text != candidate.insert_text
        else filter_text(context, candidate),
        sort_text=f"{rank:04d}",
        text_edit=types.TextEdit(range=edit_range, new_text=new_text),
        data={"key": candidate.entry.key, "path": candidate.entry.span.path},
    )

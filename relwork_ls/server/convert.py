"""Conversions between the core's data and lsprotocol types (the only place they meet)."""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path

from lsprotocol import types
from pygls.uris import from_fs_path, to_fs_path

from ..bibliography.model import SourceSpan
from ..findings import Finding, TextEdit
from ..positions import LineIndex

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
    path = to_fs_path(uri)
    return Path(path).resolve() if path and uri.startswith("file:") else None


@lru_cache(maxsize=4096)
def uri_of(path: str | Path) -> str:
    return from_fs_path(str(path)) or Path(path).as_uri()


class TextPositions:
    """Span/range conversions for one text under the client's position encoding."""

    def __init__(self, text: str, encoding: str) -> None:
        self.lines = LineIndex(text)
        self.encoding = encoding

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

    def text_edit(self, edit: TextEdit) -> types.TextEdit:
        return types.TextEdit(range=self.range(edit.span), new_text=edit.new_text)


def diagnostic(finding: Finding, positions: TextPositions, related_positions) -> types.Diagnostic:
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
    return types.Diagnostic(
        range=positions.range(finding.span),
        message=finding.message,
        severity=_SEVERITY[finding.severity],
        code=finding.code,
        source="relwork-ls",
        related_information=related or None,
        tags=tags,
        data={"code": finding.code, "line": finding.span.line, "column": finding.span.column},
    )

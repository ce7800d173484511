"""Inline suppression: ``relwork: ignore RW203`` on a finding's line or the line above."""

from __future__ import annotations

from collections.abc import Iterable

import regex

from ..findings import Finding
from ..positions import LineIndex

_DIRECTIVE = regex.compile(
    r"relwork:\s*ignore(?P<codes>(?:[\s,]+RW\d{3})*)(?![\w-])", regex.IGNORECASE
)
_COMMENT_ONLY = regex.compile(r"^\s*(?:%|<!--|#|//)?\s*relwork:", regex.IGNORECASE)


def suppressed_codes(line: str) -> set[str] | None:
    """Codes a line's directive silences; an empty set means all; None when there is none."""
    match = _DIRECTIVE.search(line)
    if match is None:
        return None
    return {code.upper() for code in regex.findall(r"RW\d{3}", match["codes"], regex.I)}


def _silenced(codes: set[str] | None, code: str) -> bool:
    return codes is not None and (not codes or code in codes)


def filter_suppressed(findings: Iterable[Finding], texts: dict[str, str]) -> list[Finding]:
    """Drop findings silenced by a directive on their first line, or on a line of its own
    just above (a comment such as ``% relwork: ignore RW007``)."""
    indexes: dict[str, LineIndex] = {}
    kept: list[Finding] = []
    for finding in findings:
        path = finding.span.path
        if path not in indexes and path in texts:
            indexes[path] = LineIndex(texts[path])
        lines = indexes.get(path)
        if lines is not None:
            line = finding.span.line
            if _silenced(suppressed_codes(lines.line_text(line)), finding.code):
                continue
            above = lines.line_text(line - 1) if line > 0 else ""
            if _COMMENT_ONLY.match(above) and _silenced(suppressed_codes(above), finding.code):
                continue
        kept.append(finding)
    return kept

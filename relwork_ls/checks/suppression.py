"""Inline suppression: ``relwork: ignore RW203`` on a finding's line or the line above."""

from __future__ import annotations

from collections.abc import Iterable

import regex

from ..bibliography.model import SourceSpan
from ..findings import Finding, TextEdit
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


def suppression_edit(path: str, text: str, kind: str, line: int, code: str) -> TextEdit:
    """The edit that silences ``code`` on ``line`` of a draft of ``kind``: the code added to
    a directive already there (on the line, or on a directive line just above), else a
    comment at the end of the line (LaTeX ``%``, Markdown ``<!-- -->``), else, in plain
    text, which has no comments, a directive line of its own above."""
    lines = LineIndex(text)
    for candidate in (line, line - 1):
        content = lines.line_text(candidate) if candidate >= 0 else ""
        if candidate != line and not _COMMENT_ONLY.match(content):
            continue
        match = _DIRECTIVE.search(content)
        if match is not None:
            column = match.end()
            return TextEdit(SourceSpan(path, candidate, column, candidate, column), f" {code}")
    content = lines.line_text(line)
    end = len(content)
    if kind in ("latex", "markdown"):
        directive = f"relwork: ignore {code}"
        comment = f"% {directive}" if kind == "latex" else f"<!-- {directive} -->"
        spacer = "" if not content or content[-1].isspace() else " "
        return TextEdit(SourceSpan(path, line, end, line, end), spacer + comment)
    start = lines.offset(line, 0)
    ending = text[start + end : start + end + 2]
    newline = "\r\n" if ending == "\r\n" else "\r" if ending.startswith("\r") else "\n"
    indent = content[: len(content) - len(content.lstrip())]
    return TextEdit(SourceSpan(path, line, 0, line, 0), f"{indent}relwork: ignore {code}{newline}")

"""Inline suppression: ``relwork: ignore RW203`` on a finding's line or the line above.

Each text is searched for directives once (one pass), then every finding is looked up by
its line: a draft with a directive on each of 40,000 lines, or one 10 MB line with
thousands of findings, costs the same as reading it.
"""

from __future__ import annotations

from bisect import bisect_right
from collections.abc import Iterable
from dataclasses import dataclass, field

import regex

from ..bibliography.model import SourceSpan
from ..config import closest_codes, is_known_code
from ..findings import Finding, TextEdit
from ..positions import LineIndex

# Horizontal white space only: a directive and its codes stay on one line.
_DIRECTIVE = regex.compile(
    r"relwork:[^\S\r\n]*ignore(?![\w-])(?P<codes>(?:[^\S\r\n,]*,?[^\S\r\n,]*RW[\w]*)*)",
    regex.IGNORECASE,
)
_CODE = regex.compile(r"RW\w*", regex.IGNORECASE)
_COMMENT_ONLY = regex.compile(r"^\s*(?:%|<!--|#|//)?\s*relwork:", regex.IGNORECASE)


@dataclass(frozen=True)
class UnknownCode:
    """A code in a directive that names no finding ("RW10l"), where it is written."""

    line: int
    column: int
    code: str


@dataclass
class Directives:
    """The suppression directives of one text, by 0-based line."""

    # line → the codes it silences, or None for every code.
    codes: dict[int, set[str] | None] = field(default_factory=dict)
    # Lines that hold nothing but a directive (it then also covers the line below).
    own_line: set[int] = field(default_factory=set)
    unknown: list[UnknownCode] = field(default_factory=list)

    def silences(self, line: int, code: str) -> bool:
        if self._silenced(line, code):
            return True
        return line - 1 in self.own_line and self._silenced(line - 1, code)

    def _silenced(self, line: int, code: str) -> bool:
        if line not in self.codes:
            return False
        codes = self.codes[line]
        return codes is None or code in codes

    def add(self, line: int, codes: set[str] | None) -> None:
        """A directive on ``line``; several on one line silence the union of their codes."""
        if line not in self.codes or codes is None:
            self.codes[line] = codes
            return
        existing = self.codes[line]
        if existing is not None:
            existing.update(codes)


def directives_of(text: str) -> Directives:
    """Every directive of ``text``, in one pass."""
    found = Directives()
    lowered = text.lower()  # same length: "relwork" is ASCII, found case-insensitively
    start = lowered.find("relwork:")
    if start < 0 or len(lowered) != len(text):
        return found if start < 0 else _directives_by_pattern(text)
    lines = LineIndex(text)
    while start >= 0:
        match = _DIRECTIVE.match(text, start)
        if match is None:
            start = lowered.find("relwork:", start + 1)
            continue
        _add_directive(found, lines, match)
        start = lowered.find("relwork:", max(match.end(), start + 1))
    return found


def _directives_by_pattern(text: str) -> Directives:
    """The directives of a text whose lowercase form has another length (rare letters)."""
    found = Directives()
    lines = LineIndex(text)
    for match in _DIRECTIVE.finditer(text):
        _add_directive(found, lines, match)
    return found


def _add_directive(found: Directives, lines: LineIndex, match: regex.Match[str]) -> None:
    line = bisect_right(lines.starts, match.start()) - 1
    tokens = list(_CODE.finditer(match["codes"]))
    codes: set[str] = set()
    for token in tokens:
        if is_known_code(token.group().upper(), allow_prefix=False):
            codes.add(token.group().upper())
        else:
            column = match.start("codes") + token.start() - lines.starts[line]
            found.unknown.append(UnknownCode(line, column, token.group()))
    # No code at all silences every code; only unknown ones silence nothing.
    found.add(line, codes if tokens else None)
    if _COMMENT_ONLY.match(lines.line_text(line)):
        found.own_line.add(line)


def suppressed_codes(line: str) -> set[str] | None:
    """Codes a line's directive silences; an empty set means all; None when there is none."""
    directives = directives_of(line)
    if 0 not in directives.codes:
        return None
    codes = directives.codes[0]
    return set() if codes is None else set(codes)


def filter_suppressed(
    findings: Iterable[Finding],
    texts: dict[str, str],
    directives: dict[str, Directives] | None = None,
) -> list[Finding]:
    """Drop findings silenced by a directive on their first line, or on a line of its own
    just above (a comment such as ``% relwork: ignore RW007``). ``directives`` keeps each
    text's directives for a later call (``unknown_code_findings``)."""
    kept: list[Finding] = []
    directives = {} if directives is None else directives
    for finding in findings:
        path = finding.span.path
        if path not in directives and path in texts:
            directives[path] = directives_of(texts[path])
        found = directives.get(path)
        if found is not None and found.silences(finding.span.line, finding.code):
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


def unknown_code_findings(
    texts: dict[str, str], directives: dict[str, Directives] | None = None
) -> list[Finding]:
    """RW017 for each code in a directive that names no finding, with the closest ones."""
    findings = []
    directives = {} if directives is None else directives
    for path, text in texts.items():
        if path not in directives:
            directives[path] = directives_of(text)
        for unknown in directives[path].unknown:
            span = SourceSpan(
                path,
                unknown.line,
                unknown.column,
                unknown.line,
                unknown.column + len(unknown.code),
            )
            message = f"unknown code '{unknown.code}' in a relwork: ignore comment"
            suggestions = closest_codes(unknown.code)
            if suggestions:
                message += f"; did you mean {', '.join(suggestions)}?"
            findings.append(Finding("RW017", message, span))
    return findings

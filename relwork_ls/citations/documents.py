"""Draft documents: their kind, the parts that are not prose, and the bibliographies they name."""

from __future__ import annotations

from bisect import bisect_left
from functools import lru_cache
from pathlib import PurePath

import regex

from ..bibliography.reference_list import reference_section_span
from .columns import column_reading, read_by_columns
from .keyed import find_latex_citations, find_pandoc_citations
from .kinds import REFERENCE_LIST_KINDS
from .model import Citation, shifted
from .rendered import REGEX_TIMEOUT, find_rendered_citations
from .typst import find_typst_citations, typst_bibliographies, typst_ignored_spans

_FRONT_MATTER = regex.compile(r"\A---[ \t]*\n(?P<body>.*?\n)(?:---|\.\.\.)[ \t]*(?:\n|\Z)", regex.S)
_FENCE = regex.compile(
    r"^(?P<fence>```+|~~~+)[^\n]*\n.*?(?:^(?P=fence)[ \t]*$|\Z)", regex.S | regex.M
)
_BACKTICKS = regex.compile(r"`+")
_HTML_COMMENT_OPEN = regex.compile(r"<!--")
_HTML_COMMENT_CLOSE = regex.compile(r"-->")
# Manubot/Markdown link reference definitions "[@tag:x]: doi:…" define keys; they cite nothing.
_KEY_DEFINITION = regex.compile(r"^[ ]{0,3}\[@[^\]\n]+\]:[^\n]*", regex.M)
_LATEX_COMMENT = regex.compile(r"(?<!\\)%[^\n]*")
_LATEX_VERBATIM_MARK = regex.compile(
    r"\\(?P<side>begin|end)\{(?P<env>verbatim|lstlisting|minted|comment)\*?\}"
)
_LATEX_BIB = regex.compile(
    r"\\(?:bibliography|addbibresource|addglobalbib)\s*(?:\[[^\]]*\])?\{(?P<files>[^}]*)\}"
)
_YAML_BIB = regex.compile(
    r"^bibliography:[ \t]*(?:(?P<one>[^\n\[]+?)[ \t]*$|\[(?P<flow>[^\]]*)\]"
    r"|\n(?P<list>(?:[ \t]*-[^\n]*\n?)+))",
    regex.M,
)


def _blank(text: str, spans: list[tuple[int, int]]) -> str:
    """Replace spans by spaces, keeping newlines so offsets and lines stay put."""
    if not spans:
        return text
    chars = list(text)
    for start, end in spans:
        for i in range(start, end):
            if chars[i] != "\n":
                chars[i] = " "
    return "".join(chars)


def _paired_spans(
    marks: list[tuple[int, int, str]], closes: dict[str, list[tuple[int, int]]]
) -> list[tuple[int, int]]:
    """Spans from each opening mark to the first closing mark of its kind after it.

    ``marks`` are (start, end, kind) openers in text order, ``closes`` the (start, end) of
    the closers of each kind in text order. An opener without a closer opens nothing (the
    next opener is tried), as a lazy ``open.*?close`` pattern would match, but in
    O(n log n): the lazy pattern rescans the rest of the text for every unclosed opener.
    """
    spans: list[tuple[int, int]] = []
    covered_until = -1
    for start, end, kind in marks:
        if start < covered_until:
            continue
        candidates = closes.get(kind, [])
        index = bisect_left(candidates, (end, -1))
        if index < len(candidates):
            spans.append((start, candidates[index][1]))
            covered_until = candidates[index][1]
    return spans


def _verbatim_spans(text: str) -> list[tuple[int, int]]:
    """``\\begin{verbatim}`` … ``\\end{verbatim}`` (and lstlisting, minted, comment)."""
    if "\\begin" not in text:
        return []
    openers: list[tuple[int, int, str]] = []
    closers: dict[str, list[tuple[int, int]]] = {}
    for mark in _LATEX_VERBATIM_MARK.finditer(text, timeout=REGEX_TIMEOUT):
        if mark["side"] == "begin":
            openers.append((mark.start(), mark.end(), mark["env"]))
        else:
            closers.setdefault(mark["env"], []).append((mark.start(), mark.end()))
    return _paired_spans(openers, closers)


def _inline_code_spans(text: str) -> list[tuple[int, int]]:
    """Markdown code spans: a run of backticks up to the next run of the same length."""
    if "`" not in text:
        return []
    runs = [(m.start(), m.end(), str(m.end() - m.start())) for m in _BACKTICKS.finditer(text)]
    by_length: dict[str, list[tuple[int, int]]] = {}
    for start, end, length in runs:
        by_length.setdefault(length, []).append((start, end))
    return _paired_spans(runs, by_length)


def _html_comment_spans(text: str) -> list[tuple[int, int]]:
    """``<!--`` … ``-->``."""
    if "<!--" not in text:
        return []
    # Found apart: a closer may overlap an opener ("<!--->" holds "-->" inside).
    openers = [(m.start(), m.end(), "comment") for m in _HTML_COMMENT_OPEN.finditer(text)]
    closers = [(m.start(), m.end()) for m in _HTML_COMMENT_CLOSE.finditer(text)]
    return _paired_spans(openers, {"comment": closers})


def prose_text(text: str, kind: str) -> str:
    """``text`` with code, comments and front matter blanked out, fixed-width spaces and
    LaTeX ties made plain and the CR of CRLF a space (same length)."""
    spans: list[tuple[int, int]] = []
    if kind == "markdown":
        front = _FRONT_MATTER.match(text, timeout=REGEX_TIMEOUT)
        if front:
            spans.append(front.span())
        for pattern in (_FENCE, _KEY_DEFINITION):
            spans.extend(m.span() for m in pattern.finditer(text, timeout=REGEX_TIMEOUT))
        spans.extend(_html_comment_spans(text))
        spans.extend(_inline_code_spans(text))
    elif kind == "latex":
        spans.extend(_verbatim_spans(text))
        spans.extend(m.span() for m in _LATEX_COMMENT.finditer(text, timeout=REGEX_TIMEOUT))
    elif kind == "typst":
        spans.extend(typst_ignored_spans(text))
    if kind in REFERENCE_LIST_KINDS:
        # The references at the end ("Chen, M., … (2021a).") are entries, not citations.
        section = reference_section_span(text)
        if section is not None:
            spans.append(section)
    prose = _blank(text, spans)
    if _FIXED_SPACE.search(prose):
        prose = _FIXED_SPACE.sub(" ", prose)
    if kind == "latex" and "~" in prose:
        # A tie is a space ("Chen et~al.~(2021a)"); "\~{n}" is an accent.
        prose = _LATEX_TIE.sub(" ", prose)
    # CRLF line ends scan as LF ones ("Roz-⏎iere" hyphenated at a Windows line end).
    return prose.replace("\r\n", " \n") if "\r" in prose else prose


_LATEX_TIE = regex.compile(r"(?<!\\)~")

# No-break, thin and other fixed-width spaces (HTML, Word and some PDF text put them in
# "van der Maaten", "et al."): read as spaces, one character for one, so offsets stay put.
_FIXED_SPACE = regex.compile(r"[\u00a0\u1680\u2000-\u200a\u202f\u205f\u3000]")


_PARAGRAPH_BREAK = regex.compile(r"\n[ \t]*\n")


def extract_citations(text: str, kind: str) -> list[Citation]:
    """Every citation of a draft, in document order.

    No citation spans a blank line, so paragraphs are scanned one by one and an unchanged
    paragraph is not scanned again (the server rescans on every keystroke).

    Plain text made by ``pdftotext -layout`` of two-column pages is read column by column
    (citations/columns.py); the citations' offsets are those of ``text`` all the same.
    The citations of the last few texts are remembered (the server's relint of an edit
    may look at the whole draft before its analysis scans it).
    """
    return list(_remembered_citations(text, kind))


@lru_cache(maxsize=4)
def _remembered_citations(text: str, kind: str) -> tuple[Citation, ...]:
    if kind == "text":
        reading = column_reading(text)
        if reading is not None:
            return tuple(read_by_columns(_citations_of(reading.text, kind), reading))
    return tuple(_citations_of(text, kind))


def _citations_of(text: str, kind: str) -> list[Citation]:
    prose = prose_text(text, kind)
    citations: list[Citation] = []
    start = 0
    for match in _PARAGRAPH_BREAK.finditer(prose, timeout=REGEX_TIMEOUT):
        citations.extend(
            shifted(c, start) for c in _paragraph_citations(prose[start : match.start()], kind)
        )
        start = match.start()
    citations.extend(shifted(c, start) for c in _paragraph_citations(prose[start:], kind))
    if kind == "typst":
        # "@intro" is a cross-reference when the document defines <intro>: labels are global.
        citations.extend(find_typst_citations(prose))
        citations.sort(key=lambda c: c.start)
    return citations


@lru_cache(maxsize=8192)
def _paragraph_citations(paragraph: str, kind: str) -> tuple[Citation, ...]:
    citations = find_rendered_citations(paragraph)
    if kind == "latex":
        # Author-year text typed by hand sits beside \cite commands in LaTeX too.
        citations.extend(find_latex_citations(paragraph))
        citations.sort(key=lambda c: c.start)
        return tuple(citations)
    if kind == "markdown":
        citations.extend(find_pandoc_citations(paragraph))
        citations.extend(find_latex_citations(paragraph))
        citations.sort(key=lambda c: c.start)
    return tuple(citations)


def named_bibliographies(text: str, kind: str) -> list[str]:
    """Bibliography paths a draft names itself (\\bibliography{}, front matter), as written."""
    found: list[str] = []
    if kind == "latex":
        for match in _LATEX_BIB.finditer(prose_text(text, kind), timeout=REGEX_TIMEOUT):
            for name in match["files"].split(","):
                name = name.strip()
                if name:
                    found.append(name if PurePath(name).suffix else name + ".bib")
    elif kind == "markdown":
        front = _FRONT_MATTER.match(text, timeout=REGEX_TIMEOUT)
        if front:
            for match in _YAML_BIB.finditer(front["body"], timeout=REGEX_TIMEOUT):
                if match["one"]:
                    items = [match["one"]]
                elif match["flow"] is not None:
                    items = match["flow"].split(",")
                else:
                    items = [line.strip()[1:] for line in match["list"].splitlines()]
                found.extend(item.strip().strip("'\"") for item in items if item.strip())
    elif kind == "typst":
        found.extend(typst_bibliographies(prose_text(text, kind)))
    return found

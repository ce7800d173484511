"""Sections of a draft (Markdown headings, LaTeX sectioning, numbered plain-text headings)."""

from __future__ import annotations

from dataclasses import dataclass

import regex

from .rendered import REGEX_TIMEOUT

_MARKDOWN = regex.compile(r"^(?P<marks>#{1,6})[ \t]+(?P<title>[^\n]+?)[ \t#]*$", regex.M)
_LATEX = regex.compile(
    r"\\(?P<cmd>part|chapter|section|subsection|subsubsection|paragraph)\*?\s*(?:\[[^\]]*\])?"
    r"\{(?P<title>[^{}\n]*)\}"
)
_LATEX_LEVEL = {
    "part": 0,
    "chapter": 1,
    "section": 2,
    "subsection": 3,
    "subsubsection": 4,
    "paragraph": 5,
}
_TEXT = regex.compile(r"^(?P<number>\d+(?:\.\d+)*)\.?[ \t]+(?P<title>\p{Lu}[^\n]{0,100})$", regex.M)


@dataclass(frozen=True)
class Section:
    level: int
    title: str
    start: int  # heading start
    heading_end: int
    end: int  # where the next section of the same or a higher level begins


def sections(text: str, kind: str) -> list[Section]:
    """The document's sections in order, each spanning until the next of its level or above."""
    found: list[tuple[int, str, int, int]] = []
    if kind == "markdown":
        for m in _MARKDOWN.finditer(text, timeout=REGEX_TIMEOUT):
            found.append((len(m["marks"]), m["title"].strip(), m.start(), m.end()))
    elif kind == "latex":
        for m in _LATEX.finditer(text, timeout=REGEX_TIMEOUT):
            found.append((_LATEX_LEVEL[m["cmd"]], m["title"].strip(), m.start(), m.end()))
    else:
        for m in _TEXT.finditer(text, timeout=REGEX_TIMEOUT):
            level = m["number"].count(".") + 1
            found.append((level, f"{m['number']} {m['title'].strip()}", m.start(), m.end()))
    result: list[Section] = []
    for i, (level, title, start, heading_end) in enumerate(found):
        end = len(text)
        for later_level, _, later_start, _ in found[i + 1 :]:
            if later_level <= level:
                end = later_start
                break
        result.append(Section(level, title, start, heading_end, end))
    return result

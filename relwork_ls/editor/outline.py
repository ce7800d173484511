"""The outline of a draft: its sections, nested by level, with the citations inside each,
in document order."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

from ..citations.model import Citation
from ..citations.outline import sections

MAX_NAME = 120


@dataclass
class OutlineItem:
    """A section or a citation; offsets are into the draft's text."""

    name: str
    kind: str  # "section" or "citation"
    start: int
    end: int
    selection_start: int
    selection_end: int
    detail: str = ""
    children: list[OutlineItem] = field(default_factory=list)


def outline(text: str, kind: str, citations: Sequence[Citation]) -> list[OutlineItem]:
    """Sections nested by level, each citation inside the innermost section holding it;
    every list of children in document order. Without sections: the citations."""
    top: list[OutlineItem] = []
    stack: list[tuple[int, OutlineItem]] = []
    for section in sections(text, kind):
        item = OutlineItem(
            section.title or "section",
            "section",
            section.start,
            section.end,
            section.start,
            section.heading_end,
        )
        while stack and stack[-1][0] >= section.level:
            stack.pop()
        (stack[-1][1].children if stack else top).append(item)
        stack.append((section.level, item))
    for citation in citations:
        name = " ".join(text[citation.start : citation.end].split())[:MAX_NAME] or "citation"
        item = OutlineItem(
            name,
            "citation",
            citation.start,
            citation.end,
            citation.start,
            citation.end,
            citation.form,
        )
        home = _innermost(top, citation.start)
        (home.children if home is not None else top).append(item)
    _sort(top)
    return top


def _innermost(items: list[OutlineItem], offset: int) -> OutlineItem | None:
    for item in items:
        if item.kind == "section" and item.start <= offset < item.end:
            return _innermost(item.children, offset) or item
    return None


def _sort(items: list[OutlineItem]) -> None:
    items.sort(key=lambda item: (item.start, item.kind != "section"))
    for item in items:
        _sort(item.children)

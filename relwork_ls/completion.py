"""Completion candidates: rendered labels in prose, keys in ``\\cite{…}`` and ``[@…]``."""

from __future__ import annotations

from dataclasses import dataclass

import regex

from .bibliography import BibEntry
from .latex_text import fold
from .resolution import CitationIndex

MAX_ITEMS = 50

_CITE_KEY_CONTEXT = regex.compile(
    r"\\[a-zA-Z]*cite[a-zA-Z]*\*?(?:\[[^\]]*\]){0,2}\{(?:[^{},]*,)*\s*(?P<prefix>[^{},\s]*)$"
)
_PANDOC_CONTEXT = regex.compile(
    r"(?<![\p{L}\p{N}_.\-+@\\])-?@(?P<prefix>[\p{L}\p{N}_:.#$%&\-+?<>~/]*)$"
)
# Rendered context: after "(" or "; " or "[" — the text typed since then, if it looks like
# the start of an author group ("Xu", "Xu et al., 20", "van den").
_RENDERED_CONTEXT = regex.compile(
    r"(?:^|[(\[;]\s*|\s)(?P<prefix>(?:[\p{Lu}][\p{L}\p{M}'’\-]*|(?:van|von|de|der|den|le|la|du|di)\b)(?:[\s,.&]+[\p{L}\p{N}.&'’\-]*)*)$"
)
_OPEN_CONTEXT = regex.compile(r"(?:[(\[]|;\s)\s*$")


@dataclass(frozen=True)
class CompletionContext:
    """What is being typed: ``kind`` is "key" or "label"; ``prefix`` starts at ``start``."""

    kind: str
    prefix: str
    start: int


@dataclass(frozen=True)
class Candidate:
    entry: BibEntry
    insert_text: str
    label: str
    sort_rank: int


def completion_context(
    line_before_cursor: str, line_start: int, kind: str
) -> CompletionContext | None:
    """The completion context at the cursor from the text of the line up to it."""
    text = line_before_cursor[-300:]
    offset = line_start + len(line_before_cursor) - len(text)
    match = _CITE_KEY_CONTEXT.search(text)
    if match:
        return CompletionContext("key", match["prefix"], offset + match.start("prefix"))
    if kind == "markdown":
        match = _PANDOC_CONTEXT.search(text)
        if match:
            return CompletionContext("key", match["prefix"], offset + match.start("prefix"))
    if kind == "latex":
        return None
    if _OPEN_CONTEXT.search(text):
        return CompletionContext("label", "", offset + len(text))
    match = _RENDERED_CONTEXT.search(text)
    if match and (len(match["prefix"]) >= 2 or text.rstrip().endswith(("(", ";"))):
        return CompletionContext("label", match["prefix"], offset + match.start("prefix"))
    return None


class CompletionTable:
    """Per-index search data, built once per bibliography version."""

    def __init__(self, index: CitationIndex) -> None:
        self.index = index
        self.rows: list[tuple[BibEntry, str, str, str]] = []
        for entry in index.entries_by_key.values():
            label = index.label(entry).text()
            blob = fold(f"{label} {entry.key} {entry.title}")
            self.rows.append((entry, label, fold(label), blob))

    def candidates(self, context: CompletionContext) -> tuple[list[Candidate], bool]:
        """Ranked candidates and whether the list was cut (``isIncomplete``)."""
        words = fold(context.prefix).replace(",", " ").replace("&", " ").split()
        words = [w.rstrip(".") for w in words if w not in ("et", "al", "al.", "and")]
        found: list[Candidate] = []
        for entry, label, folded_label, blob in self.rows:
            if words and not all(w in blob for w in words):
                continue
            if context.kind == "key":
                rank = 0 if entry.key.lower().startswith(fold(context.prefix)) else 1
                found.append(Candidate(entry, entry.key, entry.key, rank))
            else:
                rank = 0 if words and folded_label.startswith(words[0]) else 1
                found.append(Candidate(entry, label, label, rank))
        found.sort(key=lambda c: (c.sort_rank, c.label.casefold(), c.entry.key))
        return found[:MAX_ITEMS], len(found) > MAX_ITEMS

"""Completion candidates: rendered labels in prose, keys in ``\\cite{…}`` and ``[@…]``."""

from __future__ import annotations

from dataclasses import dataclass

import regex

from ..bibliography.latex_text import fold
from ..bibliography.model import BibEntry
from ..citations.resolution import CitationIndex

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
# Typst: "@key" and "#cite(<key".
_TYPST_CONTEXT = regex.compile(
    r"(?:(?<![\p{L}\p{N}_@\\/])@|#cite\(\s*<)(?P<prefix>[\p{L}\p{N}_\-:.]*)$"
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
    if kind == "typst":
        match = _TYPST_CONTEXT.search(text)
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


def context_at(text: str, offset: int, kind: str) -> CompletionContext | None:
    """The completion context at ``offset`` of a draft of ``kind``."""
    line_start = text.rfind("\n", 0, offset) + 1
    line_start = max(line_start, text.rfind("\r", 0, offset) + 1)
    return completion_context(text[line_start:offset], line_start, kind)


def filter_text(context: CompletionContext, candidate: Candidate) -> str:
    """The text a client filters an item by against what was typed: with a prefix typed,
    author, title and key all match."""
    if not context.prefix:
        return candidate.insert_text
    entry = candidate.entry
    return f"{context.prefix} {candidate.insert_text} {entry.title} {entry.key}"


class CompletionTable:
    """Per-index search data, built once per bibliography version."""

    def __init__(self, index: CitationIndex) -> None:
        self.index = index
        self.entries: list[BibEntry] = []
        self.labels: list[str] = []
        self.folded_labels: list[str] = []
        self.folded_keys: list[str] = []
        self.blobs: list[str] = []
        rows = sorted(
            index.entries_by_key.values(),
            key=lambda e: (index.label(e).text().casefold(), e.key),
        )
        for entry in rows:
            label = index.label(entry).text()
            self.entries.append(entry)
            self.labels.append(label)
            self.folded_labels.append(fold(label))
            self.folded_keys.append(entry.key.lower())
            self.blobs.append(fold(f"{label} {entry.key} {entry.title}"))

    def candidates(self, context: CompletionContext) -> tuple[list[Candidate], bool]:
        """Ranked candidates and whether the list was cut (``isIncomplete``).

        Every word typed must occur in the label, key or title; entries whose label (or
        key, for keys) starts with the first word come first, then alphabetical order.
        """
        words = fold(context.prefix).replace(",", " ").replace("&", " ").split()
        words = [w.rstrip(".") for w in words if w not in ("et", "al", "al.", "and")]
        words = [w for w in words if w]
        matching: list[int] = list(range(len(self.entries)))
        for word in words:
            blobs = self.blobs
            matching = [i for i in matching if word in blobs[i]]
        keyed = context.kind == "key"
        first = fold(context.prefix) if keyed else (words[0] if words else "")
        starts = self.folded_keys if keyed else self.folded_labels
        # Rows are in label order, so a stable partition keeps each rank alphabetical.
        preferred = [i for i in matching if first and starts[i].startswith(first)]
        chosen = preferred[:MAX_ITEMS]
        preferred_set = set(chosen)
        if len(chosen) < MAX_ITEMS:
            taken = set(chosen)
            chosen += [i for i in matching if i not in taken][: MAX_ITEMS - len(chosen)]
        found = [
            Candidate(
                self.entries[i],
                self.entries[i].key if keyed else self.labels[i],
                self.entries[i].key if keyed else self.labels[i],
                0 if i in preferred_set else 1,
            )
            for i in chosen
        ]
        return found, len(matching) > MAX_ITEMS

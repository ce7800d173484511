"""Completion candidates: rendered labels in prose, keys in ``\\cite{…}`` and ``[@…]``."""

from __future__ import annotations

import threading
from collections.abc import Callable
from dataclasses import dataclass

import regex
from pylatexenc.latex2text import LatexNodes2Text

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
# Inside a parenthetical (after "(", "[" or "; ") any word starts a citation, lower case too.
_OPENED_CONTEXT = regex.compile(
    r"(?:[(\[]|;\s*)(?P<prefix>[\p{L}][\p{L}\p{M}\p{N}'’\-]*(?:[\s,.&]+[\p{L}\p{N}.&'’\-]*)*)$"
)
# Capitalised words that start sentences, not author names: no completion in prose.
_SENTENCE_WORDS = frozenset(
    {
        "a",
        "also",
        "an",
        "and",
        "as",
        "at",
        "but",
        "by",
        "for",
        "from",
        "he",
        "her",
        "his",
        "how",
        "if",
        "in",
        "into",
        "it",
        "its",
        "many",
        "most",
        "no",
        "not",
        "of",
        "on",
        "one",
        "or",
        "our",
        "she",
        "see",
        "so",
        "some",
        "such",
        "that",
        "the",
        "their",
        "then",
        "there",
        "these",
        "they",
        "this",
        "those",
        "to",
        "two",
        "we",
        "what",
        "when",
        "where",
        "which",
        "while",
        "who",
        "why",
        "with",
        "yet",
    }
)
_WORD = regex.compile(r"[\p{L}\p{N}]+")


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
    match = _OPENED_CONTEXT.search(text)
    if match:
        return CompletionContext("label", match["prefix"], offset + match.start("prefix"))
    # The leftmost start that is not a word starting a sentence ("The ", "As shown by").
    for match in _RENDERED_CONTEXT.finditer(text, overlapped=True):
        words = match["prefix"].split()
        if len(match["prefix"]) >= 2 and words and words[0].casefold() not in _SENTENCE_WORDS:
            return CompletionContext("label", match["prefix"], offset + match.start("prefix"))
    return None


def context_at(text: str, offset: int, kind: str) -> CompletionContext | None:
    """The completion context at ``offset`` of a draft of ``kind``."""
    line_start = text.rfind("\n", 0, offset) + 1
    line_start = max(line_start, text.rfind("\r", 0, offset) + 1)
    return completion_context(text[line_start:offset], line_start, kind)


def planned_edits(
    context: CompletionContext, candidates: list[Candidate]
) -> list[tuple[Candidate, int, str]]:
    """Each item with where its edit starts and the text it inserts up to the cursor.

    When labels go on from what was typed ("Xu et al., 20" → "Xu et al., 2023a"), only
    those items are offered and only the last typed word is replaced ("20" → "2023a"): an
    insertion without spaces, which Neovim 0.11 applies whole (it inserts only the first
    word of an item's text, and needs one start for all items). Otherwise every item
    replaces the whole typed prefix with its label or key."""
    typed = context.prefix
    folded = typed.casefold()
    going_on = [c for c in candidates if typed and c.insert_text.casefold().startswith(folded)]
    if going_on and context.kind == "label":
        cut = max(typed.rfind(" "), typed.rfind("\t")) + 1
        return [(c, context.start + cut, c.insert_text[cut:]) for c in going_on]
    return [(c, context.start, c.insert_text) for c in candidates]


def filter_text(context: CompletionContext, candidate: Candidate) -> str:
    """The text a client filters an item by against what was typed: with a prefix typed,
    author, title and key all match."""
    if not context.prefix:
        return candidate.insert_text
    entry = candidate.entry
    return f"{context.prefix} {candidate.insert_text} {entry.title} {entry.key}"


@dataclass(frozen=True)
class _SearchData:
    """What completion searches, for every entry of a bibliography index: the same for
    every document (labels without their year suffix, which depends on what a document
    cites), so it is built once per index and shared by the documents' label views."""

    base: CitationIndex
    entries: list[BibEntry]
    folded_keys: list[str]
    blobs: list[str]
    # Folded search strings, each word preceded by a space, for word-start tests.
    first_authors: list[str]
    other_authors: list[str]
    titles: list[str]
    title_words: list[str]

    @staticmethod
    def of(base: CitationIndex) -> _SearchData:
        data = _SearchData(base, [], [], [], [], [], [], [])
        rows = sorted(
            base.entries_by_key.values(),
            key=lambda e: (base.label(e).text().casefold(), e.key),
        )
        for entry in rows:
            label = base.label(entry)
            title = fold(entry.title)
            data.entries.append(entry)
            data.folded_keys.append(entry.key.lower())
            unsuffixed = f"{label.names}, {label.year}"
            data.blobs.append(
                fold(f"{unsuffixed} {entry.key} {entry.title} {entry.author_display()}")
            )
            names = [fold(" ".join((*n.von, *n.last))) for n in entry.authors if n.last]
            data.first_authors.append(fold(label.names))
            data.other_authors.append(" " + " ".join(names[1:]))
            data.titles.append(title)
            data.title_words.append(" " + " ".join(_WORD.findall(title)))
        return data


# A year written with its suffix ("2023b"): searched as the year, then checked against the
# document's label.
_YEAR_WITH_SUFFIX = regex.compile(r"(\d{4})([a-z]+)")


class _SharedSearch:
    """The search data of one bibliography index, built once on first use (from any
    thread: the lock makes the second caller wait for the first's result)."""

    def __init__(self, base: CitationIndex) -> None:
        self.base = base
        self._data: _SearchData | None = None
        self._lock = threading.Lock()

    def get(self) -> _SearchData:
        data = self._data
        if data is None:
            with self._lock:
                data = self._data
                if data is None:
                    data = self._data = _SearchData.of(self.base)
        return data


class CompletionTable:
    """Completion over one index as a document sees it (its labels), on search data shared
    by every document of the same bibliographies (``shared``: a table of another view of
    the same base index). The search data is built on first use, or by ``warm``: the
    server calls it after publishing diagnostics, so that the first diagnostics do not
    wait for it."""

    def __init__(self, index: CitationIndex, shared: CompletionTable | None = None) -> None:
        self.index = index
        base = index.base_index()
        self.search: _SharedSearch = (
            shared.search
            if shared is not None and shared.search.base is base
            else _SharedSearch(base)
        )
        self._labels: dict[int, str] = {}

    @property
    def data(self) -> _SearchData:
        return self.search.get()

    def warm(self) -> None:
        """Build the search data now."""
        self.search.get()

    def label(self, row: int) -> str:
        """The document's label of the entry in ``row``."""
        label = self._labels.get(row)
        if label is None:
            label = self._labels[row] = self.index.label(self.data.entries[row]).text()
        return label

    def candidates(self, context: CompletionContext) -> tuple[list[Candidate], bool]:
        """Ranked candidates and whether the list was cut (``isIncomplete``).

        Every word typed must occur in the label, key, authors or title. Keys rank by the
        key's start; labels by relevance: the first author's name starting with the first
        word, then another author's, then the title starting with the words typed, then a
        title word, then anywhere; alphabetical within a rank.
        """
        words = fold(context.prefix).replace(",", " ").replace("&", " ").split()
        words = [w.rstrip(".") for w in words if w not in ("et", "al", "al.", "and")]
        words = [w for w in words if w]
        data = self.data
        matching: list[int] = list(range(len(data.entries)))
        for word in words:
            blobs = data.blobs
            year = _YEAR_WITH_SUFFIX.fullmatch(word)
            if year is None:
                matching = [i for i in matching if word in blobs[i]]
            else:
                matching = [
                    i
                    for i in matching
                    if year[1] in blobs[i] and word in fold(self.label(i)) + " " + blobs[i]
                ]
        keyed = context.kind == "key"
        if keyed:
            first = fold(context.prefix)
            keys = data.folded_keys
            tiers = [lambda i: bool(first) and keys[i].startswith(first)]
        else:
            tiers = self._tiers(words)
        chosen: list[tuple[int, int]] = []  # (index, rank)
        remaining = matching
        for rank, test in enumerate(tiers):
            hits = [i for i in remaining if test(i)]
            chosen += [(i, rank) for i in hits[: MAX_ITEMS - len(chosen)]]
            if len(chosen) >= MAX_ITEMS:
                break
            taken = set(hits)
            remaining = [i for i in remaining if i not in taken]
        else:  # rows are in label order: each rank stays alphabetical
            chosen += [(i, len(tiers)) for i in remaining[: MAX_ITEMS - len(chosen)]]
        found = [
            Candidate(
                data.entries[i],
                data.entries[i].key if keyed else self.label(i),
                data.entries[i].key if keyed else self.label(i),
                rank,
            )
            for i, rank in chosen
        ]
        return found, len(matching) > MAX_ITEMS

    def _tiers(self, words: list[str]) -> list[Callable[[int], bool]]:
        if not words:
            return []
        first, phrase, word_start = words[0], " ".join(words), " " + words[0]
        data = self.data
        first_authors, others = data.first_authors, data.other_authors
        titles, title_words = data.titles, data.title_words
        return [
            lambda i: first_authors[i].startswith(first),
            lambda i: word_start in others[i],
            lambda i: titles[i].startswith(phrase),
            lambda i: word_start in title_words[i],
        ]


def display_title(title: str) -> str:
    """A title for display: TeX math (``$x^2$``, ``$\\alpha$``) rendered as text."""
    if "$" not in title:
        return title
    return _MATH_AS_TEXT.latex_to_text(title)


_MATH_AS_TEXT = LatexNodes2Text(math_mode="text")

"""A bibliography indexed for resolution, completion and hover: entries by key, by the
names their labels show, and by label group.

An index knows each entry's label *basis* (names, year, the group whose members share a
raw label). Which suffix an entry gets depends on what a document cites; the index's own
``label()`` is the label with every entry cited (``\\nocite{*}``, or what a ``.bbl`` beside
the bibliography says), and a document's labels come from ``DocumentIndex``.
"""

from __future__ import annotations

import copy
import re
import unicodedata
from collections import defaultdict
from dataclasses import dataclass, field
from functools import lru_cache
from typing import TYPE_CHECKING, Any, cast

from ..bibliography.labels import Label, LabelBasis, LabelOptions, assign_suffixes, label_basis
from ..bibliography.latex_text import fold
from ..bibliography.model import BibEntry, Bibliography
from .invisible import without_invisible

if TYPE_CHECKING:
    from ..findings import RelatedLocation


# A hyphen at a line's end in a PDF's text: TeX's hyphenation ("Holm-⏎gren" is Holmgren)
# before a lower-case letter, a compound's own hyphen ("Weiner-⏎Light") otherwise.
_LINE_END_HYPHEN = re.compile(r"-[ \t]*\r?\n\s*(?=(\w))")


def join_line_end_hyphens(text: str) -> str:
    """``text`` with words hyphenated at a line end whole ("Holm-⏎gren" → "Holmgren"); a
    hyphen before a capital stays, without the break ("Delbecq-⏎Derouesne")."""
    if "-" in text and "\n" in text:
        return _LINE_END_HYPHEN.sub(_join_hyphenated, text)
    return text


def _join_hyphenated(match: re.Match[str]) -> str:
    return "" if match.group(1).islower() else "-"


def line_end_hyphen_readings(text: str) -> tuple[str, ...]:
    """``text``, and, when a hyphen at a line end comes before a capital, also the words
    joined without it: TeX breaks "LeCun" as "Le-⏎Cun" just as it breaks "Weiner-Light"
    at its own hyphen, so only the bibliography can say which was written."""
    if "-" in text and "\n" in text:
        joined = _LINE_END_HYPHEN.sub("", text)
        if joined != join_line_end_hyphens(text):
            return (text, joined)
    return (text,)


def normalize_names(text: str) -> str:
    """Case-insensitive comparison form of an author group ("Liu & Wan" = "liu and wan")."""
    if not text.isascii():
        text = without_invisible(text)  # a soft hyphen or zero-width space pasted from a PDF
        # A PDF's text spells "Ö" as "O" and a combining diaeresis.
        text = unicodedata.normalize("NFC", text)
    text = join_line_end_hyphens(text)
    text = text.replace("&", " and ").replace("’", "'").replace(".", " ").replace(",", " ")
    return " ".join(text.casefold().split())


@lru_cache(maxsize=1)
def _word_pattern() -> Any:
    import regex  # compiled when first needed: printing labels (`labels`) never needs it

    return regex.compile(r"[\p{L}\p{N}]+")


def folded_words(text: str) -> list[str]:
    """The words of ``text``, accents and case folded ("Attention is All" → attention,
    is, all)."""
    return cast(list[str], _word_pattern().findall(fold(text)))


def folded_names(text: str) -> str:
    """``normalize_names`` after accent folding ("Rozière" = "Roziere")."""
    return normalize_names(fold(text))


def first_surname(names: str) -> str:
    """The first author's surname of a names string, folded ("Xu et al." → "xu")."""
    return _first_of_folded(folded_names(names))


def _first_of_folded(text: str) -> str:
    for marker in (" et al", " and "):
        index = text.find(marker)
        if index >= 0:
            text = text[:index]
    return text.strip()


@dataclass
class CitationIndex:
    """A bibliography with its label bases and lookups (see the module docstring)."""

    bibliography: Bibliography
    options: LabelOptions = field(default_factory=LabelOptions)

    def __post_init__(self) -> None:
        self.entries_by_key: dict[str, BibEntry] = self.bibliography.by_key()
        # File order: BibTeX's order for \nocite{*} and the tie-break among equal sort keys.
        self.file_order: dict[str, int] = {key: i for i, key in enumerate(self.entries_by_key)}
        self.bases: dict[str, LabelBasis] = {}
        self.base_labels: dict[str, Label] = {}
        # Label groups: entries whose sort keys begin alike (see LabelBasis.sort_group);
        # a document's suffixes in one group depend only on which of its members it cites.
        self.group_keys: dict[str, str] = {}
        members: dict[str, list[BibEntry]] = defaultdict(list)
        options = self.options
        for key, entry in self.entries_by_key.items():
            basis = label_basis(entry, options)
            self.bases[key] = basis
            self.base_labels[key] = basis.label()
            group = self.group_keys[key] = basis.sort_group
            members[group].append(entry)
        self.groups: dict[str, tuple[BibEntry, ...]] = {
            group: tuple(sorted(entries_, key=self._sort_position))
            if len(entries_) > 1
            else (entries_[0],)
            for group, entries_ in members.items()
        }
        self._all_labels: dict[str, Label] | None = None
        # One slot shared with every DocumentIndex made from this index (they copy its
        # attributes): the lookups are made once, by whichever needs them first.
        self._lookups: list[tuple[dict[str, list[BibEntry]], ...]] = []
        self._title_words: list[frozenset[str]] = []  # the same sharing
        # How rendered author texts matched names, by what was written (see resolution).
        self.name_matches: dict[tuple[object, ...], object] = {}
        self.related_locations: dict[tuple[str, ...], tuple[RelatedLocation, ...]] = {}

    def base_index(self) -> CitationIndex:
        """The index of the bibliographies themselves (a document's label view answers
        with the index it was made from)."""
        return self

    def detached(self) -> CitationIndex:
        """This index with memo caches of its own: the lookups and labels are shared (never
        written after construction), so another thread may resolve with the copy without
        writing this index's caches."""
        view = copy.copy(self)
        view.name_matches = {}
        view.related_locations = {}
        return view

    # -- entries by the names their labels show (made on first use: printing labels needs
    # none of them) ---------------------------------------------------------------------

    @property
    def by_names(self) -> dict[str, list[BibEntry]]:
        """Entries by their label's names, case-insensitively ("liu and wan")."""
        return self._name_lookups()[0]

    @property
    def by_folded_names(self) -> dict[str, list[BibEntry]]:
        """Entries by their label's names, accents folded too ("roziere et al")."""
        return self._name_lookups()[1]

    @property
    def title_words(self) -> frozenset[str]:
        """Every word of every title, folded: names of methods, models and datasets
        ("Transformer", "Alpaca") that a text may put in parentheses with a year."""
        if not self._title_words:
            words = {
                word for entry in self.entries_by_key.values() for word in folded_words(entry.title)
            }
            self._title_words.append(frozenset(words))
        return self._title_words[0]

    @property
    def by_first_surname(self) -> dict[str, list[BibEntry]]:
        """Entries by the folded surname of their first author ("xu")."""
        return self._name_lookups()[2]

    def _name_lookups(self) -> tuple[dict[str, list[BibEntry]], ...]:
        if not self._lookups:
            tables: tuple[dict[str, list[BibEntry]], ...] = (
                defaultdict(list),
                defaultdict(list),
                defaultdict(list),
            )
            by_names, by_folded, by_first = tables
            name_keys: dict[str, tuple[str, str, str]] = {}  # many entries share names
            for key, entry in self.entries_by_key.items():
                names = self.base_labels[key].names
                keys = name_keys.get(names)
                if keys is None:
                    normalized = normalize_names(names)
                    # Folding changes nothing in ASCII that normalizing has not done.
                    folded = normalized if names.isascii() else folded_names(names)
                    keys = (normalized, folded, _first_of_folded(folded))
                    name_keys[names] = keys
                by_names[keys[0]].append(entry)
                by_folded[keys[1]].append(entry)
                by_first[keys[2]].append(entry)
            self._lookups[:] = [tables]
        return self._lookups[0]

    def _sort_position(self, entry: BibEntry) -> tuple[bytes, int]:
        key = entry.key.lower()
        return self.bases[key].sort_key, self.file_order[key]

    # -- lookups -------------------------------------------------------------------------

    def entry(self, key: str) -> BibEntry | None:
        return self.entries_by_key.get(key.lower())

    def basis(self, entry: BibEntry) -> LabelBasis:
        return self.bases[entry.key.lower()]

    def group_key(self, entry: BibEntry) -> str:
        return self.group_keys[entry.key.lower()]

    def group_of(self, entry: BibEntry) -> tuple[BibEntry, ...]:
        """The entries of ``entry``'s label group, in BibTeX's sort order."""
        return self.groups[self.group_keys[entry.key.lower()]]

    def base_label(self, entry: BibEntry) -> Label:
        """The label without any suffix (names and year only)."""
        return self.base_labels[entry.key.lower()]

    # -- labels with every entry cited ---------------------------------------------------

    def label(self, entry: BibEntry) -> Label:
        """The label when every entry is cited (file order), or as a sibling .bbl states it."""
        if self._all_labels is None:
            self._all_labels = self._every_entry_cited()
        return self._all_labels[entry.key.lower()]

    def _every_entry_cited(self) -> dict[str, Label]:
        labels: dict[str, Label] = {}
        for group in self.groups.values():
            if len(group) == 1:
                labels[group[0].key.lower()] = self.base_labels[group[0].key.lower()]
                continue
            computed = assign_suffixes([self.basis(e) for e in group])
            for entry in group:
                labels[entry.key.lower()] = computed[entry.key]
        for key, truth in self.bibliography.bbl_labels.items():
            if key in labels:
                labels[key] = Label(truth.names, truth.year, truth.suffix, labels[key].raw_names)
        return labels

    def describe(self, entry: BibEntry) -> str:
        """ "Chen et al., 2021 (Evaluating Large Language Models Trained on Code)"."""
        title = entry.title or entry.key
        return f"{self.label(entry).text()} ({title})"

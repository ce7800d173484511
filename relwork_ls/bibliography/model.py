"""The bibliography data model shared by all loaders: entries with source positions."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Protocol

from ..positions import SourceSpan
from .latex_text import latex_to_unicode
from .names import PersonName

if TYPE_CHECKING:
    from .bbl import BblLabel
    from .labels import LabelBasis, LabelOptions

# Loaders whose field values are plain Unicode text, not LaTeX.
PLAIN_TEXT_FORMATS = frozenset({"csl-json", "reference-list", "hayagriva"})


@dataclass(frozen=True)
class LoadProblem:
    """Something in a bibliography file that could not be read; the rest still loads."""

    code: str
    message: str
    span: SourceSpan


class DeferredNames(Protocol):
    """Names not made into PersonName objects yet (the bibliography cache defers them:
    many runs never look at them)."""

    def resolve(self) -> tuple[PersonName, ...]: ...

    def first(self) -> PersonName | None:
        """The first name alone (None when there is none)."""


class BibEntry:
    """One work of a bibliography. Field values keep their source form (LaTeX in .bib)."""

    __slots__ = (
        "key",
        "entry_type",
        "fields",
        "_authors",
        "_editors",
        "span",
        "source_format",
        "_title",
        "label_memo",
        "identity_memo",
    )

    def __init__(
        self,
        key: str,
        entry_type: str,
        fields: dict[str, str],
        authors: tuple[PersonName, ...] | DeferredNames,
        editors: tuple[PersonName, ...] | DeferredNames,
        span: SourceSpan,
        source_format: str = "bibtex",  # "bibtex", "bbl", or one of PLAIN_TEXT_FORMATS
        _title: str | None = None,
    ) -> None:
        self.key = key
        self.entry_type = entry_type
        self.fields = fields
        self._authors = authors
        self._editors = editors
        self.span = span
        self.source_format = source_format
        self._title = _title
        # The entry's LabelBasis for the LabelOptions it was last computed for (labels.py).
        self.label_memo: tuple[LabelOptions, LabelBasis] | None = None
        # Its work identities, once computed (work_identity.py).
        self.identity_memo: tuple[str, ...] | None = None

    def __repr__(self) -> str:
        return f"BibEntry({self.key!r}, {self.entry_type!r}, {self.span!r})"

    @property
    def authors(self) -> tuple[PersonName, ...]:
        names = self._authors
        if not isinstance(names, tuple):
            names = self._authors = names.resolve()
        return names

    def lead_person(self) -> PersonName | None:
        """The first author, else the first editor, without making the other names."""
        for names in (self._authors, self._editors):
            first = (names[0] if names else None) if isinstance(names, tuple) else names.first()
            if first is not None:
                return first
        return None

    @property
    def editors(self) -> tuple[PersonName, ...]:
        names = self._editors
        if not isinstance(names, tuple):
            names = self._editors = names.resolve()
        return names

    def field_text(self, name: str) -> str:
        """A field as readable Unicode text ("" when absent)."""
        raw = self.fields.get(name, "")
        if not raw:
            return ""
        if self.source_format in PLAIN_TEXT_FORMATS:
            return raw
        return latex_to_unicode(raw)

    @property
    def title(self) -> str:
        if self._title is None:
            self._title = self.field_text("title")
        return self._title

    @property
    def year(self) -> str:
        return self.field_text("year")

    @property
    def venue(self) -> str:
        for name in (
            "journal",
            "journaltitle",
            "booktitle",
            "publisher",
            "howpublished",
            "institution",
            "school",
            "organization",
        ):
            value = self.field_text(name)
            if value:
                return value
        return ""

    @property
    def doi(self) -> str:
        return self.fields.get("doi", "").strip()

    @property
    def url(self) -> str:
        return self.fields.get("url", "").strip()

    def author_display(self, limit: int = 6) -> str:
        """Authors as "Given Surname, …" for hovers and messages."""
        names = self.authors or self.editors
        shown = [
            " ".join(p for p in (n.display_given(), n.display_surname()) if p)
            for n in names[:limit]
            if not n.is_others
        ]
        if len(names) > limit or any(n.is_others for n in names):
            shown.append("et al.")
        return ", ".join(shown)


@dataclass
class Bibliography:
    """Entries of one or more files, in file order, with problems found while loading."""

    entries: list[BibEntry] = field(default_factory=list)
    problems: list[LoadProblem] = field(default_factory=list)
    paths: list[str] = field(default_factory=list)
    # Labels a BibTeX run already produced (.bbl), by lowercase key: ground truth.
    bbl_labels: dict[str, BblLabel] = field(default_factory=dict)
    # Citation keys written in drafts that stand for an entry key (Manubot's citations.tsv:
    # "doi:10.1/x" → "13bxiY1vo"), lowercase → entry key.
    key_aliases: dict[str, str] = field(default_factory=dict)
    # A draft's own reference list too garbled to check citations against: why ("" when
    # it can be trusted).
    unreliable: str = ""

    def by_key(self) -> dict[str, BibEntry]:
        """Entries by key; BibTeX matches keys case-insensitively, so do we (first wins)."""
        table: dict[str, BibEntry] = {}
        for entry in self.entries:
            table.setdefault(entry.key.lower(), entry)
        return table

    def extend(self, other: Bibliography) -> None:
        self.entries.extend(other.entries)
        self.problems.extend(other.problems)
        self.paths.extend(other.paths)
        self.bbl_labels.update(other.bbl_labels)
        self.key_aliases.update(other.key_aliases)
        self.unreliable = self.unreliable or other.unreliable

"""Citation data: what a document cites, with exact character spans."""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import cached_property

from ..positions import LineIndex, SourceSpan


@dataclass(eq=False)
class Document:
    """One file as analysed: its path, text and kind, and its line index, built once and
    shared by resolution, the checks and the fixes (the one way to turn offsets into
    spans)."""

    path: str
    text: str
    kind: str = "text"

    @cached_property
    def lines(self) -> LineIndex:
        return LineIndex(self.text)

    def span(self, start: int, end: int) -> SourceSpan:
        """The span of the offsets ``start``..``end`` of this document."""
        return self.lines.span(self.path, start, end)

    def between(self, start: int, end: int) -> str:
        """The text of the offsets ``start``..``end`` as read: in plain text with
        two-column pages, a citation continued on its column's next line does not hold the
        other column's text (citations/columns.py)."""
        if self.kind != "text":
            return self.text[start:end]
        from .columns import text_between  # columns imports this module

        return text_between(self.text, start, end)


@dataclass(frozen=True, slots=True)
class NameOption:
    """One reading of the author text before a year: "Codex Chen et al." or "Chen et al."."""

    start: int
    text: str


@dataclass(frozen=True, slots=True)
class CitedWork:
    """One work inside a citation. Offsets are Python string indices into the document."""

    start: int
    end: int
    # Rendered author-year works:
    name_options: tuple[NameOption, ...] = ()  # longest reading first
    year: str = ""
    suffix: str = ""
    year_start: int = -1  # span of year+suffix, or of the suffix alone in "2023a,c"
    year_end: int = -1
    # Keyed works (\cite{key}, [@key]):
    key: str = ""

    @property
    def is_keyed(self) -> bool:
        return bool(self.key)

    @property
    def names(self) -> str:
        """The shortest reading of the names (the author group proper)."""
        return self.name_options[-1].text if self.name_options else ""

    @property
    def strong(self) -> bool:
        """Unmistakably a citation: "et al." or two names joined by "and"/"&"."""
        text = " ".join(self.names.split())  # a line break may fall anywhere (a PDF's text)
        return " et al" in text or " and " in text or " & " in text

    def label_text(self) -> str:
        return f"{self.names}, {self.year}{self.suffix}" if self.year else self.names


@dataclass(frozen=True, slots=True)
class Citation:
    """A citation as written: a parenthetical, a narrative citation, or a command/Pandoc cite."""

    start: int
    end: int
    form: str  # "parenthetical", "narrative", "latex", "pandoc"
    works: tuple[CitedWork, ...]
    # Separators used inside compressed suffix lists ("2022b;c" → ";").
    suffix_separators: tuple[str, ...] = field(default=())


def shifted(citation: Citation, delta: int) -> Citation:
    """The citation moved ``delta`` characters later in the text."""
    if delta == 0:
        return citation
    works = tuple(
        CitedWork(
            w.start + delta,
            w.end + delta,
            tuple(NameOption(o.start + delta, o.text) for o in w.name_options),
            w.year,
            w.suffix,
            w.year_start + delta if w.year_start >= 0 else -1,
            w.year_end + delta if w.year_end >= 0 else -1,
            w.key,
        )
        for w in citation.works
    )
    return Citation(
        citation.start + delta,
        citation.end + delta,
        citation.form,
        works,
        citation.suffix_separators,
    )

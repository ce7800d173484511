"""Finding things across a workspace's analyses: the entry under a position of a
bibliography, every citation of an entry, entries matching a query, and renaming a key."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from ..bibliography.model import BibEntry, SourceSpan
from ..citations.resolution import CitationIndex, WorkResolution
from ..findings import TextEdit
from ..lint.workspace import DocumentAnalysis
from ..positions import LineIndex

# Characters BibTeX, biblatex or Pandoc do not accept inside a citation key.
_INVALID_KEY_CHARACTERS = frozenset(" ,{}%#\"'()=\\\t\n\r")
MAX_SYMBOLS = 200


class InvalidKey(ValueError):
    """A new name that cannot be a citation key."""


Citing = tuple[DocumentAnalysis, WorkResolution]


class CitationTable:
    """Every resolved work of some analyses, by the entry it resolves to."""

    def __init__(self, analyses: Iterable[DocumentAnalysis]) -> None:
        self.analyses = tuple(analyses)
        self._by_entry: dict[tuple[str, str], list[Citing]] = defaultdict(list)
        for analysis in self.analyses:
            for work in analysis.resolution.works:
                if work.entry is not None:
                    key = (work.entry.span.path, work.entry.key.lower())
                    self._by_entry[key].append((analysis, work))

    def citing(self, entry: BibEntry) -> list[Citing]:
        """The works, in every analysed draft, that resolve to ``entry``."""
        return list(self._by_entry.get((entry.span.path, entry.key.lower()), ()))


def key_span(entry: BibEntry) -> SourceSpan:
    """The span of an entry's key in its bibliography file."""
    span = entry.span
    return SourceSpan(span.path, span.line, span.column, span.line, span.column + len(entry.key))


def entry_at(
    indexes: Iterable[CitationIndex], path: str, lines: LineIndex, offset: int
) -> tuple[CitationIndex, BibEntry] | None:
    """The entry whose key is at ``offset`` of the bibliography file ``path``."""
    line, column = lines.position(offset)
    for index in indexes:
        for entry in index.entries_by_key.values():
            span = entry.span
            if (
                span.line == line
                and span.column <= column <= span.column + len(entry.key)
                and span.path == path
            ):
                return index, entry
    return None


def checked_key(name: str) -> str:
    """``name`` as a citation key, or InvalidKey saying why it cannot be one."""
    key = name.strip()
    if not key:
        raise InvalidKey("a citation key cannot be empty")
    bad = sorted(set(key) & _INVALID_KEY_CHARACTERS)
    if bad:
        shown = " ".join(repr(ch) for ch in bad)
        raise InvalidKey(f"'{name}' is not a valid citation key (it contains {shown})")
    return key


@dataclass(frozen=True)
class FileEdits:
    """Edits to one file, with spans on ``text`` (None: the file as read from disk)."""

    path: str
    text: str | None
    edits: tuple[TextEdit, ...]


def rename_edits(entry: BibEntry, citing: Sequence[Citing], new_key: str) -> list[FileEdits]:
    """The edits that rename ``entry``'s key to ``new_key`` in every keyed citation of it
    and in its bibliography file."""
    by_draft: dict[str, tuple[LineIndex, list[TextEdit]]] = {}
    for analysis, work in citing:
        if not work.work.is_keyed:
            continue
        path = str(analysis.path)
        if path not in by_draft:
            by_draft[path] = (LineIndex(analysis.text), [])
        lines, edits = by_draft[path]
        edits.append(TextEdit(lines.span(path, work.start, work.end), new_key))
    files = [FileEdits(path, lines.text, tuple(edits)) for path, (lines, edits) in by_draft.items()]
    declaration = TextEdit(key_span(entry), new_key)
    files.append(FileEdits(entry.span.path, None, (declaration,)))
    return files


def matching_entries(
    indexes: Iterable[CitationIndex], query: str, limit: int = MAX_SYMBOLS
) -> list[tuple[CitationIndex, BibEntry]]:
    """Entries whose label, key or title holds ``query`` (case-insensitive), at most
    ``limit``."""
    wanted = query.casefold()
    found = []
    for index in indexes:
        for entry in index.entries_by_key.values():
            label = index.label(entry).text()
            if wanted and wanted not in f"{label} {entry.key} {entry.title}".casefold():
                continue
            found.append((index, entry))
            if len(found) >= limit:
                return found
    return found

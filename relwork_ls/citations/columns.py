"""Two-column pages of ``pdftotext -layout`` text, read one column at a time.

``pdftotext -layout`` prints a two-column page row by row, the left column's line and the
right column's line side by side with a gutter of spaces between them, pages separated by
form feeds. A citation broken across lines of one column then has the other column's text
inside it. Here such pages are detected (a gutter: runs of spaces ending at nearly the same
column on many rows, with prose on both sides) and rewritten as a *reading*: each page's
left column, then its right column, with a map from every offset of the reading back to
the text the user has. Pages that are not two-column are kept as they are.
"""

from __future__ import annotations

from bisect import bisect_right
from collections import Counter
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, replace
from functools import lru_cache

import regex

from ..findings import Finding, TextEdit
from ..positions import LineIndex
from .model import Citation, NameOption

# An interior run of two or more spaces (between two non-space characters of a line).
_GAP = regex.compile(r"(?<=\S) {2,}(?=\S)")
_QUICK = regex.compile(r"\S {2,}\S")
# How far from the page's usual right-column start a gutter may end: block shifts (a
# reference list set in a smaller font) and paragraph indents move it a few characters.
_SLACK = 6
_MIN_ROWS = 8  # non-blank rows a page needs before it can be called two-column
_MIN_COLUMN_WIDTH = 20  # where a right column may start, at the least
# The usual line of a column of prose is longer than a table's cells or a list's terms.
_PROSE_WIDTH = 30
# A right column's heading, set in a larger font, which pdftotext may print one space after
# the left column's text on the same row ("… Mikolov References").
_HEADING_AT_END = regex.compile(
    r"(?<=\S) (?P<heading>(?:\d{1,2}(?:\.\d{1,2})*\.?[ ]+)?(?:References|REFERENCES|Bibliography"
    r"|Acknowledge?ments|Appendix|Conclusions?|Discussion|Related[ ]Work))$"
)


@dataclass(frozen=True)
class ColumnReading:
    """The text read column by column: ``text``, and ``segments`` mapping it back.

    Each segment ``(reading_start, original_start, length)`` is a run of the reading that is
    a contiguous run of the original text; ``regions`` are the original ranges an edit may
    touch without reaching into another column (each row's piece of a column, and whole
    pages that are not two-column)."""

    text: str
    segments: tuple[tuple[int, int, int], ...]
    regions: tuple[tuple[int, int], ...]

    def original(self, offset: int) -> int:
        """Where the character at ``offset`` of the reading is in the original text."""
        index = bisect_right(self._starts, offset) - 1
        reading_start, original_start, length = self.segments[max(index, 0)]
        return original_start + min(offset - reading_start, max(length - 1, 0))

    def original_end(self, end: int) -> int:
        """Where an exclusive end offset of the reading is in the original text."""
        if end <= 0:
            return self.original(0)
        return self.original(end - 1) + 1

    @property
    def _starts(self) -> list[int]:
        return _segment_starts(self.segments)

    def reading_offset(self, original: int) -> int:
        """Where the original offset ``original`` is in the reading (the nearest place
        when that character is not read: a gutter, a row's trailing spaces)."""
        by_original = _by_original(self.segments)
        index = bisect_right(by_original[0], original) - 1
        if index < 0:
            return 0
        reading_start, original_start, length = by_original[1][index]
        return reading_start + min(original - original_start, length)

    def between(self, start: int, end: int) -> str:
        """The text the original offsets ``start..end`` hold, as read."""
        low = self.reading_offset(start)
        return self.text[low : max(low, self.reading_offset(end))]

    def contiguous(self, start: int, end: int) -> bool:
        """Whether the original range ``start..end`` lies inside one region (so replacing it
        cannot touch the other column's text)."""
        index = bisect_right(_region_starts(self.regions), start) - 1
        if index < 0:
            return False
        region_start, region_end = self.regions[index]
        return region_start <= start and end <= region_end


@lru_cache(maxsize=64)
def _segment_starts(segments: tuple[tuple[int, int, int], ...]) -> list[int]:
    return [segment[0] for segment in segments]


@lru_cache(maxsize=64)
def _by_original(
    segments: tuple[tuple[int, int, int], ...],
) -> tuple[list[int], list[tuple[int, int, int]]]:
    ordered = sorted((s for s in segments if s[2] > 0), key=lambda s: (s[1], -s[2]))
    return [s[1] for s in ordered], ordered


@lru_cache(maxsize=64)
def _region_starts(regions: tuple[tuple[int, int], ...]) -> list[int]:
    return [region[0] for region in regions]


@dataclass
class _Row:
    start: int  # original offset of the row's first character
    line: str


class _Builder:
    def __init__(self) -> None:
        self.parts: list[str] = []
        self.segments: list[tuple[int, int, int]] = []
        self.regions: list[tuple[int, int]] = []
        self.length = 0

    def add(self, text: str, original: int, region: bool = True) -> None:
        if not text:
            return
        self.parts.append(text)
        self.segments.append((self.length, original, len(text)))
        self.length += len(text)
        if region:
            self.regions.append((original, original + len(text)))

    def newline(self, original: int) -> None:
        """A line break of the reading standing for ``original`` (a piece's end)."""
        self.add("\n", original, region=False)


def column_reading(text: str) -> ColumnReading | None:
    """The reading of ``text`` column by column; None when no page is two-column."""
    if "  " not in text or _QUICK.search(text) is None:
        return None
    return _column_reading(text)


@lru_cache(maxsize=16)
def _column_reading(text: str) -> ColumnReading | None:
    pages: list[tuple[int, int]] = []
    start = 0
    while True:
        feed = text.find("\f", start)
        if feed < 0:
            pages.append((start, len(text)))
            break
        pages.append((start, feed))
        start = feed + 1
    layouts = [_page_layout(text, page_start, page_end) for page_start, page_end in pages]
    if not any(layout is not None for layout in layouts):
        return None
    builder = _Builder()
    plain_start: int | None = None
    for index, ((page_start, page_end), layout) in enumerate(zip(pages, layouts, strict=True)):
        page_stop = page_end + 1 if index + 1 < len(pages) else page_end  # with its "\f"
        if layout is None:
            builder.add(text[page_start:page_stop], page_start, region=False)
            plain_start = page_start if plain_start is None else plain_start
            continue
        if plain_start is not None:
            builder.regions.append((plain_start, page_start))
            plain_start = None
        _add_page(builder, text, layout)
        if page_stop > page_end:
            builder.add("\f", page_end, region=False)
    if plain_start is not None:
        builder.regions.append((plain_start, len(text)))
    builder.regions.sort()
    return ColumnReading("".join(builder.parts), tuple(builder.segments), tuple(builder.regions))


def text_between(text: str, start: int, end: int) -> str:
    """``text[start:end]`` of a plain-text draft as read: when the range runs through the
    other column of a two-column page, what its own column holds there."""
    reading = column_reading(text)
    if reading is None or reading.contiguous(start, end):
        return text[start:end]
    return reading.between(start, end)


def has_columns(text: str) -> bool:
    """Whether some page of ``text`` is read column by column."""
    return column_reading(text) is not None


@dataclass
class _Layout:
    rows: list[_Row]
    splits: list[tuple[int, int] | None]  # per row: (left end, right start), None: full row


def _rows(text: str, start: int, end: int) -> list[_Row]:
    rows = []
    position = start
    while position <= end:
        newline = text.find("\n", position, end)
        stop = end if newline < 0 else newline
        rows.append(_Row(position, text[position:stop]))
        if newline < 0:
            break
        position = newline + 1
    return rows


def _page_layout(text: str, start: int, end: int) -> _Layout | None:
    """The split of each row of a two-column page; None when the page is not one."""
    rows = _rows(text, start, end)
    filled = [row for row in rows if row.line.strip()]
    if len(filled) < _MIN_ROWS or "\t" in text[start:end]:
        return None
    edges: Counter[int] = Counter()
    for row in filled:
        for gap in _GAP.finditer(row.line):
            edges[gap.end()] += 1
        indent = len(row.line) - len(row.line.lstrip(" "))
        if indent >= _MIN_COLUMN_WIDTH:
            edges[indent] += 1
    if not edges:
        return None
    width = max(len(row.line.rstrip()) for row in filled)
    middle = [x for x in edges if width * 0.3 <= x <= width * 0.7 and x >= _MIN_COLUMN_WIDTH]
    if not middle:
        return None
    gutter = max(middle, key=lambda x: (sum(edges[x + d] for d in (-1, 0, 1)), -abs(x - width / 2)))
    support = sum(edges[gutter + d] for d in (-1, 0, 1))
    if support < max(4, 0.25 * len(filled)):
        return None
    splits = [_split(row.line, gutter) for row in rows]
    # Rows whose text crosses the gutter with no gap: full-width text when several follow
    # one another (a title, an abstract), else a row where the right column was pushed
    # against the left one (one space between them).
    crossing = [s == "crossing" for s in splits]
    full = [False] * len(rows)
    index = 0
    while index < len(rows):
        if not crossing[index]:
            index += 1
            continue
        stop = index
        while stop < len(rows) and crossing[stop]:
            stop += 1
        if stop - index >= 3:
            for row_index in range(index, stop):
                full[row_index] = True
        index = stop
    lefts = [s[0] for s in splits if isinstance(s, tuple) and s[1] > s[0] and s[0] > 0]
    typical = sorted(lefts)[len(lefts) * 3 // 4] if lefts else gutter - 4
    resolved: list[tuple[int, int] | None] = []
    for row, split, is_full in zip(rows, splits, full, strict=True):
        if is_full:
            resolved.append(None)
        elif split == "crossing":
            resolved.append(_pushed_split(row.line, gutter, typical))
        else:
            assert isinstance(split, tuple)
            resolved.append(split)
    two_sided = sum(
        1 for s, row in zip(resolved, rows, strict=True) if s and s[0] > 0 and s[1] < len(row.line)
    )
    left_widths = sorted(
        len(row.line[: s[0]].strip())
        for s, row in zip(resolved, rows, strict=True)
        if s and s[0] > 0
    )
    right_widths = sorted(
        len(row.line[s[1] :].strip())
        for s, row in zip(resolved, rows, strict=True)
        if s and s[1] < len(row.line)
    )
    if (
        two_sided < max(3, 0.15 * len(filled))
        or len(left_widths) < 0.25 * len(filled)
        or len(right_widths) < 0.25 * len(filled)
        or left_widths[len(left_widths) // 2] < _PROSE_WIDTH
        or right_widths[len(right_widths) // 2] < _PROSE_WIDTH
        or sum(full) > 0.5 * len(filled)
    ):
        return None
    return _Layout(rows, resolved)


def _split(line: str, gutter: int) -> tuple[int, int] | str:
    """(end of the left column's text, start of the right column's) of one row, or
    "crossing" when its text runs through the gutter with no gap."""
    stripped = line.rstrip()
    if not stripped:
        return (0, len(line))
    indent = len(line) - len(line.lstrip(" "))
    if indent >= gutter - _SLACK:
        return (0, indent)
    best: tuple[int, int] | None = None
    for gap in _GAP.finditer(line):
        inside = gap.start() <= gutter - 1 and gap.end() >= gutter - _SLACK
        if inside and (best is None or gap.end() - gap.start() > best[1] - best[0]):
            best = (gap.start(), gap.end())
    if best is not None:
        return best
    heading = _HEADING_AT_END.search(stripped)
    if heading is not None and heading.start("heading") >= gutter - 2 * _SLACK:
        return (heading.start("heading") - 1, heading.start("heading"))
    if len(stripped) <= gutter - 2:
        return (len(stripped), len(line))
    return "crossing"


def _pushed_split(line: str, gutter: int, typical: int) -> tuple[int, int]:
    """A row whose right column is one space from its left: split at the space that
    leaves the left text about as long as the page's left lines (a word hyphenated at the
    line's end says the line ends there)."""
    stripped = line.rstrip()
    best: tuple[float, int] | None = None
    for space in regex.finditer(r"(?<=\S) (?=\S)", stripped):
        at = space.start()
        if at < typical - 2 * _SLACK or at > gutter + _SLACK:
            continue
        score = abs(at - typical) - (4 if line[at - 1] == "-" else 0)
        if best is None or score < best[0]:
            best = (score, at)
    if best is None:
        return (len(stripped), len(line))
    return (best[1], best[1] + 1)


def _add_page(builder: _Builder, text: str, layout: _Layout) -> None:
    """The page's bands (rows between full-width rows): the left column, then the right."""
    band: list[tuple[_Row, tuple[int, int]]] = []
    for row, split in zip(layout.rows, layout.splits, strict=True):
        if split is None:
            _add_band(builder, band)
            band = []
            line = row.line
            builder.add(line, row.start)
            builder.newline(row.start + len(line))
        else:
            band.append((row, split))
    _add_band(builder, band)


def _add_band(builder: _Builder, band: list[tuple[_Row, tuple[int, int]]]) -> None:
    if not band:
        return
    for side in (0, 1):
        pieces: list[tuple[int, str] | None] = []
        empty_run = 0
        blank_row = False
        for row, (left_end, right_start) in band:
            if side == 0:
                piece = row.line[:left_end].rstrip()
                at = row.start
            else:
                piece = row.line[right_start:].rstrip()
                at = row.start + right_start
            if piece.strip():
                if pieces and (empty_run >= 2 or blank_row):
                    pieces.append(None)  # a gap in this column: a paragraph break
                empty_run = 0
                blank_row = False
                pieces.append((at, piece))
            else:
                empty_run += 1
                blank_row = blank_row or not row.line.strip()
        for item in pieces:
            if item is None:
                builder.newline(band[0][0].start)
                continue
            at, piece = item
            builder.add(piece, at)
            builder.newline(at + len(piece))


def read_by_columns(citations: Iterable[Citation], reading: ColumnReading) -> list[Citation]:
    """Citations found in ``reading.text`` moved to their offsets in the original text."""
    start, end = reading.original, reading.original_end
    moved = []
    for citation in citations:
        works = tuple(
            replace(
                work,
                start=start(work.start),
                end=end(work.end),
                name_options=tuple(
                    NameOption(start(option.start), option.text) for option in work.name_options
                ),
                year_start=start(work.year_start) if work.year_start >= 0 else -1,
                year_end=end(work.year_end) if work.year_end >= 0 else -1,
            )
            for work in citation.works
        )
        moved.append(
            replace(citation, start=start(citation.start), end=end(citation.end), works=works)
        )
    return moved


def without_fixes_across_columns(
    findings: Iterable[Finding], texts: Mapping[str, str]
) -> list[Finding]:
    """``findings`` with no fix whose edit in a text read by columns (``texts``: path →
    text of plain-text drafts) would reach past one row's piece of a column: a citation
    that continues on its column's next line has the other column's text in between."""
    readings: dict[str, tuple[ColumnReading, LineIndex] | None] = {}
    kept = []
    for finding in findings:
        fix = finding.fix
        if fix is not None and not all(_edit_is_safe(edit, texts, readings) for edit in fix.edits):
            finding = replace(finding, fix=None)
        kept.append(finding)
    return kept


def _edit_is_safe(
    edit: TextEdit,
    texts: Mapping[str, str],
    readings: dict[str, tuple[ColumnReading, LineIndex] | None],
) -> bool:
    path = edit.span.path
    if path not in readings:
        text = texts.get(path)
        reading = column_reading(text) if text is not None else None
        readings[path] = (reading, LineIndex(text)) if reading is not None and text else None
    found = readings[path]
    if found is None:
        return True
    reading, lines = found
    span = edit.span
    return reading.contiguous(
        lines.offset(span.line, span.column), lines.offset(span.end_line, span.end_column)
    )

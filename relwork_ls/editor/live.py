"""Answers for text the last lint has not seen yet.

A lint result is tied to the text it was computed on. When the document has changed since,
``carry_over`` moves findings that lie outside the changed region to their new place (and
drops the others), and ``local_analysis`` rescans and resolves just the paragraphs around
a position of the new text, so a hover or a code action never uses old offsets.
"""

from __future__ import annotations

from bisect import bisect_right
from collections.abc import Iterable
from dataclasses import dataclass, replace

import regex

from ..bibliography.model import BibEntry, SourceSpan
from ..checks.style import style_findings
from ..checks.suppression import filter_suppressed
from ..citations.cited_set import DocumentIndex
from ..citations.columns import has_columns, without_fixes_across_columns
from ..citations.documents import extract_citations, prose_text
from ..citations.index import folded_names
from ..citations.model import Citation, CitedWork, Document, shifted
from ..citations.resolution import (
    CitationIndex,
    WorkResolution,
    match_names,
    resolve_citations,
)
from ..config import Config
from ..findings import Finding, Fix, RelatedLocation, TextEdit
from ..positions import LineIndex, position_in

# Codes a rescan of one paragraph recomputes exactly (resolution and local style).
LOCAL_CODES = frozenset(
    {"RW001", "RW002", "RW003", "RW004", "RW005", "RW006", "RW007", "RW008", "RW202", "RW203"}
)
_BLANK_LINE = regex.compile(r"\n[ \t]*\n")
# A paragraph is rescanned at most this far around the position.
_MAX_WINDOW = 4_000


@dataclass(frozen=True)
class ChangedRegion:
    """``old[start:old_end]`` became ``new[start:new_end]``; the rest is the same."""

    start: int
    old_end: int
    new_end: int

    @property
    def delta(self) -> int:
        return self.new_end - self.old_end

    def to_new(self, start: int, end: int) -> tuple[int, int] | None:
        """Where old offsets ``start..end`` are in the new text; None when the range touches
        the change (its meaning may have changed too)."""
        if end < self.start:
            return start, end
        if start > self.old_end:
            return start + self.delta, end + self.delta
        return None

    def to_old(self, offset: int) -> int | None:
        """Where a new offset was in the old text; None inside the change."""
        if offset < self.start:
            return offset
        if offset > self.new_end:
            return offset - self.delta
        return None


def changed_region(old: str, new: str) -> ChangedRegion:
    """The smallest region outside which ``old`` and ``new`` agree (their common prefix and
    suffix)."""
    limit = min(len(old), len(new))
    prefix = _common_length(old, new, limit, from_end=False)
    suffix = _common_length(old, new, limit - prefix, from_end=True)
    return ChangedRegion(prefix, len(old) - suffix, len(new) - suffix)


_FIRST_STEP = 1 << 12


def _common_length(old: str, new: str, limit: int, from_end: bool) -> int:
    """How many characters (at most ``limit``) ``old`` and ``new`` share at their start
    (or end). Slices are compared at memory speed, but each is a copy: pieces of growing
    size are compared until one differs, then that piece is bisected, so an edit near
    either end of a long text costs little instead of a dozen copies of the whole."""

    def same(start: int, end: int) -> bool:  # characters start..end from the start/end
        if from_end:
            return old[len(old) - end : len(old) - start] == new[len(new) - end : len(new) - start]
        return old[start:end] == new[start:end]

    done, step = 0, _FIRST_STEP
    while done < limit:
        end = min(limit, done + step)
        if not same(done, end):
            low, high = done, end  # they agree before low; the first difference is before high
            while high - low > 1:
                middle = (low + high) // 2
                if same(low, middle):
                    low = middle
                else:
                    high = middle
            return low
        done, step = end, step * 2
    return limit


class _Mover:
    """Moves spans of one file from an old text to a new one, in (line, column) terms: a
    span before the change keeps its place, one after it moves by the lines (and, on the
    change's last line, the columns) the change added."""

    def __init__(self, path: str, old: str, new: str, region: ChangedRegion) -> None:
        self.path = path
        self.start = position_in(old, region.start)
        self.old_end = position_in(old, region.old_end)
        new_end = position_in(new, region.new_end)
        self.line_delta = new_end[0] - self.old_end[0]
        self.column_delta = new_end[1] - self.old_end[1]

    def _point(self, line: int, column: int) -> tuple[int, int]:
        if line == self.old_end[0]:
            return line + self.line_delta, column + self.column_delta
        return line + self.line_delta, column

    def span(self, span: SourceSpan) -> SourceSpan | None:
        if span.path != self.path or (span.end_line, span.end_column) < self.start:
            return span
        if (span.line, span.column) > self.old_end:
            if self.line_delta == 0 and span.line > self.old_end[0]:
                return span  # on a later line of an edit that added no line: unmoved
            line, column = self._point(span.line, span.column)
            end_line, end_column = self._point(span.end_line, span.end_column)
            return SourceSpan(span.path, line, column, end_line, end_column)
        return None

    def finding(self, finding: Finding) -> Finding | None:
        span = self.span(finding.span)
        if span is None:
            return None
        related = []
        for location in finding.related:
            moved = self.span(location.span)
            if moved is None:
                return None
            related.append(
                location if moved is location.span else RelatedLocation(moved, location.message)
            )
        fix = finding.fix
        if fix is not None:
            edits = []
            for edit in fix.edits:
                moved = self.span(edit.span)
                if moved is None:
                    return None
                edits.append(edit if moved is edit.span else TextEdit(moved, edit.new_text))
            if any(a is not b for a, b in zip(edits, fix.edits, strict=True)):
                fix = Fix(fix.title, tuple(edits), fix.safe)
        unchanged = (
            span is finding.span
            and fix is finding.fix
            and all(a is b for a, b in zip(related, finding.related, strict=True))
        )
        if unchanged:
            return finding
        return replace(finding, span=span, related=tuple(related), fix=fix)


def carry_over(
    findings: Iterable[Finding],
    path: str,
    old: str,
    new: str,
    region: ChangedRegion | None = None,
) -> list[Finding]:
    """Findings on ``old`` (the text of ``path`` they were computed on) moved onto ``new``;
    those whose spans touch the changed region (``region``, when already known) are
    dropped."""
    findings = list(findings)
    if old is new or old == new or not findings:
        return findings
    mover = _Mover(path, old, new, region or changed_region(old, new))
    moved = (mover.finding(finding) for finding in findings)
    return [finding for finding in moved if finding is not None]


@dataclass(frozen=True)
class LocalAnalysis:
    """Works and findings of the paragraphs rescanned around a position: ``start..end``."""

    start: int
    end: int
    works: list[WorkResolution]
    findings: list[Finding]


def paragraph_bounds(text: str, start: int, end: int) -> tuple[int, int]:
    """The paragraphs (between blank lines) that hold ``start..end``, cut at line starts at
    most about ``_MAX_WINDOW`` characters either side (no citation is that long)."""
    low = text.rfind("\n", 0, max(0, start - _MAX_WINDOW)) + 1
    breaks = [match.end() for match in _BLANK_LINE.finditer(text, low, start)]
    left = breaks[-1] if breaks else low
    high = min(len(text), end + _MAX_WINDOW)
    after = _BLANK_LINE.search(text, end, high)
    if after is not None:
        return left, after.start()
    line_end = text.find("\n", high)
    return left, len(text) if line_end < 0 else line_end


def local_analysis(
    path: str,
    text: str,
    kind: str,
    index: CitationIndex,
    config: Config,
    start: int,
    end: int,
) -> LocalAnalysis:
    """Rescan the paragraphs of ``text`` around ``start..end`` and resolve the citations
    that overlap ``start..end``.

    Resolves against a detached view of ``index`` (its memo caches are not written), so it
    may run beside a lint on another thread. Findings are those of ``LOCAL_CODES``, with
    the configuration's selection, severities and the document's suppressions applied."""
    columns = kind == "text" and has_columns(text)
    if columns:
        # Two-column text is read column by column: a window of rows is no paragraph.
        found = extract_citations(text, kind)
    else:
        left, right = paragraph_bounds(text, start, end)
        # Code, comments and front matter are blanked over the whole text: a window alone
        # could start inside a code block.
        window = (text if kind == "text" else prose_text(text, kind))[left:right]
        found = [shifted(c, left) for c in extract_citations(window, kind)]
    citations = [cited for cited in found if cited.start <= end and start <= cited.end]
    if isinstance(index, DocumentIndex):
        # The rest of the document is unchanged: what it cites still holds for the labels.
        resolution = resolve_citations(
            path, text, citations, index.base.detached(), index.local_evidence()
        )
    else:
        resolution = resolve_citations(path, text, citations, index.detached())
    document = Document(path, text, kind)
    findings = resolution.findings + style_findings(
        document, resolution.works, index, config.suffix_separator
    )
    findings = filter_suppressed([f for f in findings if f.code in LOCAL_CODES], {path: text})
    if columns:
        findings = without_fixes_across_columns(findings, {path: text})
    low = min((c.start for c in citations), default=start)
    high = max((c.end for c in citations), default=end)
    return LocalAnalysis(
        min(low, start), max(high, end), resolution.works, _configured(findings, config)
    )


def _configured(findings: list[Finding], config: Config) -> list[Finding]:
    configured = []
    for finding in findings:
        if not config.enabled(finding.code):
            continue
        severity = config.severity_of(finding.code, finding.severity)
        configured.append(replace(finding, severity=severity))
    return configured


def merge_local(
    findings: Iterable[Finding], local: LocalAnalysis, lines: LineIndex
) -> list[Finding]:
    """``findings`` (already on the same text) with those of ``LOCAL_CODES`` inside the
    rescanned paragraphs replaced by the rescan's."""
    return _replace_local(findings, [(local.start, local.end)], local.findings, lines)


def _replace_local(
    findings: Iterable[Finding],
    ranges: list[tuple[int, int]],
    recomputed: list[Finding],
    lines: LineIndex,
) -> list[Finding]:
    """``findings`` without those of ``LOCAL_CODES`` that start in one of ``ranges``
    (offsets, ends included, not overlapping), and ``recomputed`` in their place."""
    ranges = sorted(ranges)
    starts = [start for start, _ in ranges]

    def inside(finding: Finding) -> bool:
        offset = lines.offset(finding.span.line, finding.span.column)
        at = bisect_right(starts, offset) - 1
        return at >= 0 and offset <= ranges[at][1]

    kept = [f for f in findings if f.code not in LOCAL_CODES or not inside(f)]
    return kept + recomputed


def shifted_work(work: WorkResolution, delta: int) -> WorkResolution:
    """A resolved work moved ``delta`` characters later in the text."""
    if delta == 0:
        return work
    citation = shifted(work.citation, delta)
    moved = citation.works[work.citation.works.index(work.work)]
    names = None
    if work.names is not None:
        names = moved.name_options[work.work.name_options.index(work.names)]
    return WorkResolution(moved, citation, work.entry, names, work.candidates)


def innermost_work(works: Iterable[WorkResolution], offset: int) -> WorkResolution | None:
    """The cited work whose text contains ``offset`` (the innermost one)."""
    best: WorkResolution | None = None
    for work in works:
        if work.start <= offset <= work.end and (
            best is None or work.end - work.start < best.end - best.start
        ):
            best = work
    return best


# Commands and front matter that name a draft's bibliographies: an edit touching them needs
# a full analysis (the draft may now use another index).
_NAMES_BIBLIOGRAPHY = regex.compile(
    r"\\(?:bibliography|addbibresource|addglobalbib)\b|^bibliography:", regex.M
)


def relint_changed(
    path: str,
    old: str,
    new: str,
    findings: Iterable[Finding],
    kind: str,
    index: CitationIndex,
    config: Config,
    whole_document: bool = False,
) -> list[Finding] | None:
    """The findings of ``new`` from those of ``old``: moved where the text did not change,
    recomputed (``LOCAL_CODES``) in the paragraphs around the change, and, when ``new``
    is a whole document (not one file of several) and ``index`` the view its last
    analysis resolved with, for every citation elsewhere of the label groups those
    paragraphs cite (their labels depend on all of them). None when the change touches
    what names the draft's bibliographies (front matter, ``\\bibliography``), or, in a
    part of a document, a label group cited elsewhere too, or when the text has
    two-column pages (read column by column, citations/columns.py): then only a full
    analysis is right.

    Findings of other codes inside the change are dropped until the next full lint."""
    if kind == "text" and (has_columns(old) or has_columns(new)):
        return None  # read column by column: a change may move a column's rows anywhere
    if index.bibliography.unreliable:
        return None  # a reference list read in pieces: the analysis drops what resolves
    region = changed_region(old, new)
    old_left, old_right = paragraph_bounds(old, region.start, region.old_end)
    left, right = paragraph_bounds(new, region.start, region.new_end)
    if (
        _NAMES_BIBLIOGRAPHY.search(old, old_left, old_right)
        or _NAMES_BIBLIOGRAPHY.search(new, left, right)
        or (kind == "markdown" and new.startswith("---") and region.start <= _front_matter_end(new))
    ):
        return None
    # The changed lines with a line either side, before and after the edit.
    around = (
        _lines_around(old, region.start, region.old_end),
        _lines_around(new, region.start, region.new_end),
    )
    if _STRUCTURE.search(around[0]) or _STRUCTURE.search(around[1]):
        return None  # code, a comment or the reference list may now begin or end anywhere
    old_citations = _citations_in(old, kind, (old_left, old_right))
    new_citations = _citations_in(new, kind, (left, right))
    if _prose_only(region, around, old_citations, new_citations):
        # No citation, nor the words just before one, nor a suppression comment changed:
        # every finding stands, moved with the text.
        return carry_over(findings, path, old, new, region)
    # The view a whole document was resolved with: its label groups are resolved again
    # wherever they are cited; otherwise a group cited outside the edit needs it all.
    view = index if whole_document and isinstance(index, DocumentIndex) else None
    if view is None and _shares_label_groups(
        new, kind, old_citations + new_citations, (left, right)
    ):
        return None
    moved = carry_over(findings, path, old, new, region)
    if view is not None:
        return _relint_label_groups(
            path, new, kind, view, config, (left, right), old_citations, moved
        )
    local = local_analysis(path, new, kind, index, config, left, right)
    return merge_local(moved, local, LineIndex(new))


def _relint_label_groups(
    path: str,
    new: str,
    kind: str,
    view: DocumentIndex,
    config: Config,
    window: tuple[int, int],
    old_citations: list[Citation],
    moved: list[Finding],
) -> list[Finding]:
    """``moved`` with the findings (``LOCAL_CODES``) of the changed paragraphs and of every
    citation elsewhere that shares a label group with them resolved again.

    A group's labels depend on all that the document writes of its members and on nothing
    else: its written labels, its keyed citations, and what the document's evidence (a
    ``.aux``, a ``.bbl``, the ``cited`` setting) says. So the citations of the touched
    groups, closed over the other groups their works may belong to, are resolved together
    with the evidence the document's analysis started from, as the whole document would
    resolve them; the findings of every other citation stand."""
    base = view.base_index()
    groups_memo: dict[tuple[object, ...], frozenset[str]] = {}

    def groups_of(work: CitedWork) -> frozenset[str]:
        names = tuple(o.text for o in work.name_options)
        key = (work.key,) if work.is_keyed else (names, work.year)
        found = groups_memo.get(key)
        if found is None:
            if work.is_keyed:
                alias = base.bibliography.key_aliases.get(work.key.lower())
                named = [base.entries_by_key.get(k.lower()) for k in (work.key, alias) if k]
                entries: Iterable[BibEntry] = [e for e in named if e is not None]
            else:
                entries = match_names(base, work).candidates
            found = groups_memo[key] = frozenset(base.group_key(e) for e in entries)
        return found

    left, right = window
    everything = extract_citations(new, kind)
    inside = [c for c in everything if c.end >= left and c.start <= right]
    outside = [c for c in everything if c.end < left or c.start > right]
    touched: set[str] = set()
    for citation in old_citations + inside:
        for work in citation.works:
            touched |= groups_of(work)
    # Close over works that may belong to several groups: each group's solution must come
    # from all of the document's citations of it.
    pending = [(c, frozenset().union(*map(groups_of, c.works))) for c in outside]
    chosen: list[Citation] = []
    grew = True
    while grew:
        grew = False
        rest = []
        for citation, groups in pending:
            if groups & touched:
                chosen.append(citation)
                touched |= groups
                grew = True
            else:
                rest.append((citation, groups))
        pending = rest
    subset = sorted(inside + chosen, key=lambda c: c.start)
    resolution = resolve_citations(path, new, subset, base, view.source_evidence)
    document = Document(path, new, kind)
    found = resolution.findings + style_findings(
        document, resolution.works, resolution.index or base, config.suffix_separator
    )
    found = filter_suppressed([f for f in found if f.code in LOCAL_CODES], {path: new})
    edited = (min([left, *(c.start for c in inside)]), max([right, *(c.end for c in inside)]))
    ranges = [(c.start, c.end) for c in chosen] + [edited]
    return _replace_local(moved, ranges, _configured(found, config), LineIndex(new))


# How far before a citation an edit may still change a finding on it: the words a
# narrative citation follows (RW203) and the longest reading of its names.
_CITATION_LEAD = 80


def _citations_in(text: str, kind: str, window: tuple[int, int]) -> list[Citation]:
    """The citations of ``text[window]``, with offsets into ``text``."""
    return [shifted(c, window[0]) for c in extract_citations(text[window[0] : window[1]], kind)]


def _prose_only(
    region: ChangedRegion,
    around: tuple[str, str],
    old_citations: list[Citation],
    new_citations: list[Citation],
) -> bool:
    """Whether the change lies in prose far enough from every citation, and on lines with
    no suppression comment, that no finding can appear, change or go."""

    def clear_of(citations: list[Citation], end: int) -> bool:
        return all(c.end < region.start or c.start - _CITATION_LEAD > end for c in citations)

    return (
        clear_of(old_citations, region.old_end)
        and clear_of(new_citations, region.new_end)
        and "relwork" not in around[0]
        and "relwork" not in around[1]
    )


# What makes text that is not prose (code, comments, front matter, keyed definitions, the
# reference list) begin or end: an edit near one can change what is scanned far away.
_STRUCTURE = regex.compile(
    r"`|~~~|<!--|-->|\[@|\\(?:verb|begin|end|bibitem)|//|/\*|\*/|^[ \t]*(?:---|\.\.\.)"
    r"|referenc|bibliograph|literature|works cited",
    regex.I | regex.M,
)


def _lines_around(text: str, start: int, end: int) -> str:
    """The lines of ``text[start:end]`` with one line either side (a suppression comment
    covers the next line)."""
    first = text.rfind("\n", 0, max(0, text.rfind("\n", 0, start))) + 1
    after = text.find("\n", end)
    last = -1 if after < 0 else text.find("\n", after + 1)
    return text[first : len(text) if last < 0 else last]


def _shares_label_groups(
    new: str, kind: str, inside: list[Citation], new_window: tuple[int, int]
) -> bool:
    """Whether a work of the edited paragraphs (before or after the edit) belongs to a
    label group also cited outside them: labels depend on everything a document cites,
    so resolving the paragraphs alone could then differ from resolving the document (a
    key elsewhere can settle any group)."""
    works = [work for citation in inside for work in citation.works]
    groups = {(folded_names(w.names), w.year) for w in works if not w.is_keyed}
    keyed_inside = any(w.is_keyed for w in works)
    if not groups and not keyed_inside:
        return False
    for citation in extract_citations(new, kind):
        if new_window[0] <= citation.start and citation.end <= new_window[1]:
            continue
        for work in citation.works:
            if work.is_keyed:
                if groups:
                    return True
            elif keyed_inside or (folded_names(work.names), work.year) in groups:
                return True
    return False


def _front_matter_end(text: str) -> int:
    end = text.find("\n---", 3)
    other = text.find("\n...", 3)
    candidates = [i for i in (end, other) if i >= 0]
    return min(candidates) + 4 if candidates else len(text)

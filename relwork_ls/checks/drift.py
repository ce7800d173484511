"""RW101: the same place in two drafts cites a different work, or one work under two labels."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from pathlib import Path

from ..bibliography.model import SourceSpan
from ..citations.model import Document
from ..citations.resolution import CitationIndex, WorkResolution
from ..findings import Finding, Fix, RelatedLocation
from .draft_alignment import AlignedWork, DraftSentences, align_drafts
from .relabel import matches_label, relabel_edits, written_label


class DraftVersion:
    """One draft of a group: its text, resolved works and label index."""

    def __init__(
        self, document: Document, works: Sequence[WorkResolution], index: CitationIndex
    ) -> None:
        self.document = document
        self.path = Path(document.path)
        self.text = document.text
        self.works = list(works)
        self.index = index
        self.lines = document.lines
        self.sentences = DraftSentences(document.text, self.works)

    def span(self, start: int, end: int) -> SourceSpan:
        return self.document.span(start, end)


def _display(path: Path) -> str:
    return path.name


def _describe(work: WorkResolution, index: CitationIndex) -> str:
    if work.entry is None:
        return written_label(work)
    return f"{written_label(work)} ({work.entry.title or work.entry.key})"


Aligner = Callable[["DraftVersion", "DraftVersion"], list[AlignedWork]]


def align_versions(here: DraftVersion, there: DraftVersion) -> list[AlignedWork]:
    return align_drafts(here.sentences, there.sentences, str(there.path))


def drift_findings(group: Sequence[DraftVersion], align: Aligner = align_versions) -> list[Finding]:
    """Drift findings for a group of drafts ordered oldest first.

    A work written differently from its current label while another draft writes it
    right is reported; so is a different work cited at the same place of an older draft.
    """
    findings: list[Finding] = []
    reported: set[tuple[str, int]] = set()
    for position, here in enumerate(group):
        # The newest draft is the reference; the drafts just before and after add what it
        # no longer cites. Aligning with these alone keeps large groups linear.
        neighbours = {len(group) - 1, position - 1, position + 1}
        others = [
            group[i]
            for i in sorted(neighbours, reverse=True)
            if 0 <= i < len(group) and i != position
        ]
        for there in others:
            newer = group.index(there) > position
            for pair in align(here, there):
                key = (str(here.path), pair.here.start)
                if key in reported:
                    continue
                finding = _drift(here, there, pair, newer)
                if finding is not None:
                    finding = _naming_newest(finding, group[-1])
                    reported.add(key)
                    findings.append(finding)
    return findings


def _drift(
    here: DraftVersion, there: DraftVersion, pair: AlignedWork, there_is_newer: bool
) -> Finding | None:
    mine, theirs = pair.here, pair.there
    if theirs.entry is None:
        return None  # unresolved citations have their own findings
    if mine.entry is None:
        # The text cannot tell which work it means (RW020): drift only when the newer
        # draft's work is written another way here.
        if not there_is_newer or not mine.candidates or mine.work.is_keyed:
            return None
        if matches_label(mine, there.index.label(theirs.entry)):
            return None
        return _other_work(here, there, pair)
    same_work = mine.entry is theirs.entry or mine.entry.key == theirs.entry.key
    if not same_work:
        return _other_work(here, there, pair) if there_is_newer else None
    # The newer draft's labels are the reference: drafts converge on the newest text.
    label = (there if there_is_newer else here).index.label(mine.entry)
    if matches_label(mine, label) or not matches_label(theirs, label):
        return None
    edits = relabel_edits(mine, label, here.lines, str(here.path))
    fix = Fix(f"Write {label.text()}", edits) if edits else None
    there_line = there.lines.position(theirs.start)[0] + 1
    return Finding(
        "RW101",
        f"'{written_label(mine)}' here, '{written_label(theirs)}' in "
        f"{_display(there.path)} line {there_line} for the same work "
        f"({mine.entry.title or mine.entry.key}); the bibliography labels it {label.text()}",
        here.span(mine.start, mine.end),
        related=_related(there, theirs),
        fix=fix,
    )


def _naming_newest(finding: Finding, newest: DraftVersion) -> Finding:
    """Say which draft is taken as the newest: the findings and fixes follow it."""
    return Finding(
        finding.code,
        f"{finding.message} [{_display(newest.path)} is taken as the newest draft]",
        finding.span,
        finding.severity,
        finding.related,
        finding.fix,
    )


def _related(there: DraftVersion, theirs: WorkResolution) -> tuple[RelatedLocation, ...]:
    assert theirs.entry is not None
    return (
        RelatedLocation(
            there.span(theirs.start, theirs.end),
            f"{_display(there.path)} cites {_describe(theirs, there.index)}",
        ),
        RelatedLocation(theirs.entry.span, there.index.describe(theirs.entry)),
    )


def _other_work(here: DraftVersion, there: DraftVersion, pair: AlignedWork) -> Finding:
    """The newer draft cites (or may cite) another work at this place: rewriting to its
    label changes what this draft cites, so the fix is unsafe."""
    mine, theirs = pair.here, pair.there
    assert theirs.entry is not None
    label = there.index.label(theirs.entry)
    edits = relabel_edits(mine, label, here.lines, str(here.path))
    fix = Fix(f"Cite {there.index.describe(theirs.entry)}", edits, safe=False) if edits else None
    there_line = there.lines.position(theirs.start)[0] + 1
    return Finding(
        "RW101",
        f"{_describe(mine, here.index)} here; {_display(there.path)} line {there_line} cites "
        f"{_describe(theirs, there.index)} in the same sentence",
        here.span(mine.start, mine.end),
        related=_related(there, theirs),
        fix=fix,
    )

"""RW101: the same place in two drafts cites a different work, or one work under two labels."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from pathlib import Path

from ..bibliography.model import SourceSpan
from ..citations.resolution import CitationIndex, WorkResolution
from ..findings import Finding, Fix, RelatedLocation
from ..positions import LineIndex
from .draft_alignment import AlignedWork, DraftSentences, align_drafts
from .relabel import matches_label, relabel_edits, written_label


class DraftVersion:
    """One draft of a group: its text, resolved works and label index."""

    def __init__(
        self, path: Path, text: str, works: Sequence[WorkResolution], index: CitationIndex
    ) -> None:
        self.path = path
        self.text = text
        self.works = list(works)
        self.index = index
        self.lines = LineIndex(text)
        self.sentences = DraftSentences(text, self.works)

    def span(self, start: int, end: int) -> SourceSpan:
        return self.lines.span(str(self.path), start, end)


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
                    reported.add(key)
                    findings.append(finding)
    return findings


def _drift(
    here: DraftVersion, there: DraftVersion, pair: AlignedWork, there_is_newer: bool
) -> Finding | None:
    mine, theirs = pair.here, pair.there
    if mine.entry is None or theirs.entry is None:
        return None  # unresolved citations have their own findings
    index = here.index
    same_work = mine.entry is theirs.entry or mine.entry.key == theirs.entry.key
    if same_work:
        label = index.label(mine.entry)
        if matches_label(mine, label) or not matches_label(theirs, label):
            return None
    elif not there_is_newer:
        return None
    there_line = there.lines.position(theirs.start)[0] + 1
    related = (
        RelatedLocation(
            there.span(theirs.start, theirs.end),
            f"{_display(there.path)} cites {_describe(theirs, there.index)}",
        ),
        RelatedLocation(theirs.entry.span, there.index.describe(theirs.entry)),
    )
    span = here.span(mine.start, mine.end)
    if same_work:
        edits = relabel_edits(mine, label, here.lines, str(here.path))
        fix = Fix(f"Write {label.text()}", edits) if edits else None
        return Finding(
            "RW101",
            f"'{written_label(mine)}' here, '{written_label(theirs)}' in "
            f"{_display(there.path)} line {there_line} for the same work "
            f"({mine.entry.title or mine.entry.key}); the bibliography labels it {label.text()}",
            span,
            related=related,
            fix=fix,
        )
    label = index.label(theirs.entry)
    edits = relabel_edits(mine, label, here.lines, str(here.path))
    fix = Fix(f"Cite {index.describe(theirs.entry)}", edits, safe=False) if edits else None
    return Finding(
        "RW101",
        f"{_describe(mine, index)} here; {_display(there.path)} line {there_line} cites "
        f"{_describe(theirs, there.index)} in the same sentence",
        span,
        related=related,
        fix=fix,
    )

"""Markdown descriptions of entries for hovers and completion documentation."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

from ..bibliography.model import BibEntry
from ..citations.resolution import CitationIndex, WorkResolution
from ..findings import Finding
from ..positions import LineIndex
from .navigation import Citing


def reference_markdown(entry: BibEntry, index: CitationIndex) -> str:
    """A formatted reference: label, authors, year, title, venue, DOI/URL, key and location."""
    label = index.label(entry)
    lines = [f"**{label.text()}**", ""]
    authors = entry.author_display()
    parts = [p for p in (authors, f"({entry.year})" if entry.year else "") if p]
    reference = " ".join(parts)
    if entry.title:
        reference += f". *{entry.title}*."
    if entry.venue:
        reference += f" {entry.venue}."
    lines.append(reference.strip())
    if entry.doi:
        doi = entry.doi.removeprefix("https://doi.org/")
        lines.append(f"\nDOI: [{doi}](https://doi.org/{doi})")
    elif entry.url:
        lines.append(f"\n<{entry.url}>")
    location = f"{Path(entry.span.path).name}:{entry.span.line + 1}"
    lines.append(f"\n`{entry.key}` — {location}")
    return "\n".join(lines)


def citation_hover_markdown(
    entry: BibEntry | None,
    index: CitationIndex | None,
    citing: Sequence[tuple[str, int]],
    findings: Sequence[Finding],
) -> str:
    """Hover text for a cited work: the reference, where it is cited, findings on it."""
    parts: list[str] = []
    if entry is not None and index is not None:
        parts.append(reference_markdown(entry, index))
        if citing:
            drafts = sorted({path for path, _ in citing})
            names = ", ".join(Path(p).name for p in drafts)
            count = len(citing)
            parts.append(f"Cited {count} time{'s' if count != 1 else ''} in {names}")
    for finding in findings:
        parts.append(f"⚠ {finding.code}: {finding.message}")
    return "\n\n---\n\n".join(parts)


def findings_on(
    findings: Sequence[Finding], lines: LineIndex, start: int, end: int
) -> list[Finding]:
    """The findings that begin within ``start..end`` of the text of ``lines``."""
    first_line = lines.position(start)[0]
    last_line = lines.position(end)[0]
    return [
        f
        for f in findings
        if first_line <= f.span.line <= last_line
        and start <= lines.offset(f.span.line, f.span.column) <= end
    ]


def work_hover(
    work: WorkResolution,
    index: CitationIndex | None,
    citing: Sequence[Citing],
    findings: Sequence[Finding],
    lines: LineIndex,
) -> str:
    """Hover text for a cited work of the text of ``lines``: its reference, where it is
    cited, and the findings on it."""
    where = [(str(analysis.path), cited.start) for analysis, cited in citing]
    on_work = findings_on(findings, lines, work.start, work.end)
    if work.entry is None and work.candidates and index is not None:
        # The text may mean any of these works: show each.
        shown = [reference_markdown(entry, index) for entry in work.candidates[:6]]
        heading = f"One of {len(work.candidates)} works (the text cannot tell which):"
        notes = [f"⚠ {finding.code}: {finding.message}" for finding in on_work]
        return "\n\n---\n\n".join([heading, *shown, *notes])
    return citation_hover_markdown(work.entry, index, where, on_work)


def entry_hover(entry: BibEntry, index: CitationIndex, citing: Sequence[Citing]) -> str:
    """Hover text for an entry's key in its bibliography."""
    where = [(str(analysis.path), cited.start) for analysis, cited in citing]
    return citation_hover_markdown(entry, index, where, [])

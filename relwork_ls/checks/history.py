"""RW102: citations written against an older bibliography whose labels have since moved."""

from __future__ import annotations

from pathlib import Path

from ..bibliography.files import BibliographyError, bibliography_from_text
from ..bibliography.model import BibEntry, Bibliography
from ..citations.model import Citation, Document
from ..citations.resolution import (
    CitationIndex,
    DocumentResolution,
    ManuscriptFile,
    resolve_manuscript,
)
from ..findings import Finding, Fix, RelatedLocation
from ..git_files import GitError, read_file_at_revision
from .bibliography import same_work, work_identities
from .relabel import matches_label, relabel_edits, written_label

# Findings that say a citation does not fit a bibliography: used to tell which version of
# the bibliography a draft was written against.
_MISFIT_CODES = frozenset({"RW001", "RW002", "RW003", "RW004", "RW005", "RW006", "RW007"})


def read_from_git(path: Path, revision: str) -> str:
    """The text of ``path`` at a git revision; BibliographyError when it cannot be read."""
    try:
        return read_file_at_revision(path, revision)
    except GitError as error:
        raise BibliographyError(str(error)) from error


def old_bibliography_from_git(paths: list[Path], revision: str) -> Bibliography:
    combined = Bibliography()
    for path in paths:
        combined.extend(bibliography_from_text(read_from_git(path, revision), str(path)))
    return combined


def entry_successors(old: CitationIndex, new: CitationIndex) -> dict[str, BibEntry | None]:
    """Each old entry's entry in the new bibliography: same key, else the same work
    (DOI, arXiv id, or title and first author: a merged duplicate); None when removed."""
    by_identity: dict[str, BibEntry] = {}
    for entry in new.entries_by_key.values():
        for identity in work_identities(entry):
            by_identity.setdefault(identity, entry)
    successors: dict[str, BibEntry | None] = {}
    for key, entry in old.entries_by_key.items():
        same_key = new.entry(key)
        if same_key is not None:
            successors[key] = same_key
            continue
        successors[key] = next(
            (
                by_identity[i]
                for i in work_identities(entry)
                if i in by_identity and same_work(entry, by_identity[i], i)
            ),
            None,
        )
    return successors


def _misfits(resolution: DocumentResolution) -> int:
    return sum(f.code in _MISFIT_CODES for f in resolution.findings)


def stale_label_findings(
    document: Document,
    citations: list[Citation],
    current: DocumentResolution,
    old: CitationIndex,
    new: CitationIndex,
) -> list[Finding]:
    """RW102 for each work whose label moved, when the draft fits the old bibliography better."""
    before = resolve_manuscript([ManuscriptFile(document, citations)], old)[0]
    if _misfits(before) >= _misfits(current):
        return []  # written against the current bibliography (or no way to tell)
    successors = entry_successors(old, new)
    path = document.path
    lines = document.lines
    findings: list[Finding] = []
    for then, now in zip(before.works, current.works, strict=True):
        if then.entry is None:
            continue
        successor = successors.get(then.entry.key.lower())
        location = lines.span(path, now.start, now.end)
        was = f"'{written_label(then)}' meant {old.describe(then.entry)}"
        if successor is None:
            findings.append(
                Finding(
                    "RW102",
                    f"{was}, which is no longer in the bibliography",
                    location,
                    related=(RelatedLocation(then.entry.span, old.describe(then.entry)),),
                )
            )
            continue
        label = new.label(successor)
        if matches_label(then, label):
            continue
        merged = (
            ""
            if successor.key.lower() == then.entry.key.lower()
            else (f" (merged into '{successor.key}')")
        )
        edits = relabel_edits(then, label, lines, path)
        findings.append(
            Finding(
                "RW102",
                f"stale label: {was}; that work is now {label.text()}{merged}",
                location,
                related=(RelatedLocation(successor.span, new.describe(successor)),),
                fix=Fix(f"Relabel to {label.text()}", edits) if edits else None,
            )
        )
    return findings

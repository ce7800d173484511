"""RW312: where a draft's own reference list and the bibliography beside it disagree.

Each reference of the list is looked up in the bibliography, as the same work (DOI, arXiv
id, or title and first author) or else by its label. A reference the bibliography lacks is
reported, and so is one the bibliography labels otherwise ("2021a" in the list, "2021b"
from the .bib): the list was rendered from another version of the bibliography.
"""

from __future__ import annotations

from pathlib import Path

from ..bibliography.latex_text import fold
from ..bibliography.model import BibEntry
from ..citations.resolution import CitationIndex, normalize_names
from ..findings import Finding, RelatedLocation
from .bibliography import work_identities


def _label_key(index: CitationIndex, entry: BibEntry) -> tuple[str, str, str]:
    label = index.label(entry)
    return normalize_names(fold(label.names)), label.year, label.suffix


def list_disagreements(listed: CitationIndex, bibliography: CitationIndex) -> list[Finding]:
    """RW312 on each reference of ``listed`` that ``bibliography`` lacks or labels otherwise."""
    by_identity: dict[str, BibEntry] = {}
    by_label: dict[tuple[str, str], list[BibEntry]] = {}
    for entry in bibliography.entries_by_key.values():
        for identity in work_identities(entry):
            by_identity.setdefault(identity, entry)
        names, year, _ = _label_key(bibliography, entry)
        by_label.setdefault((names, year), []).append(entry)
    files = ", ".join(Path(p).name for p in bibliography.bibliography.paths) or "the bibliography"
    findings: list[Finding] = []
    for entry in listed.entries_by_key.values():
        match = next((by_identity[i] for i in work_identities(entry) if i in by_identity), None)
        names, year, suffix = _label_key(listed, entry)
        if match is None:
            same_label = by_label.get((names, year), [])
            exact = [e for e in same_label if _label_key(bibliography, e)[2] == suffix]
            match = (
                exact[0] if len(exact) == 1 else (same_label[0] if len(same_label) == 1 else None)
            )
        here = listed.label(entry).text()
        if match is None:
            findings.append(
                Finding(
                    "RW312",
                    f"'{here}' ({entry.title or entry.key}) is in the reference list but not "
                    f"in {files}",
                    entry.span,
                )
            )
            continue
        there = bibliography.label(match).text()
        if _label_key(bibliography, match) != (names, year, suffix):
            findings.append(
                Finding(
                    "RW312",
                    f"the reference list labels '{match.title or match.key}' '{here}', but "
                    f"{files} gives it '{there}' (key '{match.key}')",
                    entry.span,
                    related=(RelatedLocation(match.span, bibliography.describe(match)),),
                )
            )
    return findings

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
from ..citations.resolution import (
    CitationIndex,
    CitedEvidence,
    document_labels,
    normalize_names,
)
from ..findings import Finding, RelatedLocation
from .bibliography import work_identities


def _label_key(index: CitationIndex, entry: BibEntry) -> tuple[str, str, str]:
    label = index.label(entry)
    return normalize_names(fold(label.names)), label.year, label.suffix


def list_disagreements(listed: CitationIndex, bibliography: CitationIndex) -> list[Finding]:
    """RW312 on each reference of ``listed`` that ``bibliography`` lacks or labels otherwise.

    The list is printed whole, so the works it holds are what the document cites: the
    bibliography's labels are compared over those works, as BibTeX or citeproc would have
    lettered them, not over every entry of the file."""
    by_identity: dict[str, BibEntry] = {}
    by_label: dict[tuple[str, str], list[BibEntry]] = {}
    for entry in bibliography.entries_by_key.values():
        for identity in work_identities(entry):
            by_identity.setdefault(identity, entry)
        label = bibliography.base_label(entry)
        by_label.setdefault((normalize_names(fold(label.names)), label.year), []).append(entry)
    files = ", ".join(Path(p).name for p in bibliography.bibliography.paths) or "the bibliography"
    findings: list[Finding] = []
    matches: list[tuple[BibEntry, BibEntry]] = []
    for entry in listed.entries_by_key.values():
        match = next((by_identity[i] for i in work_identities(entry) if i in by_identity), None)
        if match is None:
            names, year, _ = _label_key(listed, entry)
            same_label = by_label.get((names, year), [])
            match = same_label[0] if len(same_label) == 1 else None
        if match is None:
            findings.append(
                Finding(
                    "RW312",
                    f"'{listed.label(entry).text()}' ({entry.title or entry.key}) is in the "
                    f"reference list but not in {files}",
                    entry.span,
                )
            )
        else:
            matches.append((entry, match))
    cited = tuple(dict.fromkeys(match.key.lower() for _, match in matches))
    view = document_labels(bibliography, CitedEvidence(exact=cited))
    for entry, match in matches:
        if _label_key(view, match) != _label_key(listed, entry):
            findings.append(
                Finding(
                    "RW312",
                    f"the reference list labels '{match.title or match.key}' "
                    f"'{listed.label(entry).text()}', but {files} gives it "
                    f"'{view.label(match).text()}' (key '{match.key}')",
                    entry.span,
                    related=(RelatedLocation(match.span, bibliography.describe(match)),),
                )
            )
    return findings

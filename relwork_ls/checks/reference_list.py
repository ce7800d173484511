"""RW312: where a draft's own reference list and the bibliography beside it disagree.

Each reference of the list is looked up in the bibliography, as the same work (DOI, arXiv
id, or title and first author) or else by its label. A reference the bibliography lacks is
reported, and so is one the bibliography labels otherwise ("2021a" in the list, "2021b"
from the .bib): the list was rendered from another version of the bibliography.
"""

from __future__ import annotations

from difflib import SequenceMatcher
from pathlib import Path

from ..bibliography.latex_text import fold
from ..bibliography.model import BibEntry
from ..citations.index import folded_words
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


def _title_words(entry: BibEntry) -> str:
    return " ".join(folded_words(entry.title))


def _closest_title(entry: BibEntry, candidates: list[BibEntry]) -> BibEntry | None:
    """Among works of one label, the one whose title the reference's is nearly (a PDF's
    text breaks and hyphenates words): None unless one stands out."""
    title = _title_words(entry)
    if not title or not candidates:
        return None
    scored = sorted(
        (
            (SequenceMatcher(None, title, _title_words(c)).ratio(), i)
            for i, c in enumerate(candidates)
        ),
        reverse=True,
    )
    best, index = scored[0]
    runner_up = scored[1][0] if len(scored) > 1 else 0.0
    return candidates[index] if best >= 0.8 and best - runner_up >= 0.2 else None


def match_reference_list(
    listed: CitationIndex, bibliography: CitationIndex
) -> tuple[list[tuple[BibEntry, BibEntry]], list[BibEntry]]:
    """Each reference of ``listed`` with its entry in ``bibliography`` (the same work: DOI,
    arXiv id, or title and first author; else the only entry with its names and year), and
    the references the bibliography lacks."""
    by_identity: dict[str, BibEntry] = {}
    by_label: dict[tuple[str, str], list[BibEntry]] = {}
    for entry in bibliography.entries_by_key.values():
        for identity in work_identities(entry):
            by_identity.setdefault(identity, entry)
        label = bibliography.base_label(entry)
        by_label.setdefault((normalize_names(fold(label.names)), label.year), []).append(entry)
    matches: list[tuple[BibEntry, BibEntry]] = []
    missing: list[BibEntry] = []
    for entry in listed.entries_by_key.values():
        match = next((by_identity[i] for i in work_identities(entry) if i in by_identity), None)
        if match is None:
            names, year, _ = _label_key(listed, entry)
            same_label = by_label.get((names, year), [])
            match = same_label[0] if len(same_label) == 1 else _closest_title(entry, same_label)
        if match is None:
            missing.append(entry)
        else:
            matches.append((entry, match))
    return matches, missing


def list_disagreements(listed: CitationIndex, bibliography: CitationIndex) -> list[Finding]:
    """RW312 on each reference of ``listed`` that ``bibliography`` lacks or labels otherwise.

    The list is printed whole, so the works it holds are what the document cites: the
    bibliography's labels are compared over those works, as BibTeX or citeproc would have
    lettered them, not over every entry of the file."""
    files = ", ".join(Path(p).name for p in bibliography.bibliography.paths) or "the bibliography"
    matches, missing = match_reference_list(listed, bibliography)
    findings = [
        Finding(
            "RW312",
            f"'{listed.label(entry).text()}' ({entry.title or entry.key}) is in the "
            f"reference list but not in {files}",
            entry.span,
        )
        for entry in missing
    ]
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

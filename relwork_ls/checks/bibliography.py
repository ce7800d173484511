"""Checks of the bibliography itself: RW301 one work under two keys, RW302 unused entries."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from pathlib import Path

from ..bibliography.model import BibEntry
from ..bibliography.work_identity import same_work, work_identities
from ..citations.cited_set import DocumentIndex
from ..citations.index import CitationIndex
from ..findings import Finding, RelatedLocation


def _reason(identity: str) -> str:
    kind, _, value = identity.partition(":")
    if kind == "arxiv":
        return f"same arXiv id {value}"
    if kind == "doi":
        return f"same DOI {value}"
    return "same title and first author"


def duplicate_work_findings(
    index: CitationIndex, documents: Sequence[DocumentIndex] = (), cited_only: bool = False
) -> list[Finding]:
    """RW301 on every entry after the first that is the same work as an earlier one.

    When a document cites both entries (``documents``: the label views of the documents
    that use ``index``), the duplicate gives it spurious suffixes: the message says so.
    With ``cited_only``, only pairs one of whose entries some document cites."""
    first_by_identity: dict[str, BibEntry] = {}
    findings: list[Finding] = []
    for entry in index.entries_by_key.values():
        earlier = None
        for identity in work_identities(entry):
            other = first_by_identity.get(identity)
            if other is not None and same_work(entry, other, identity):
                earlier = (other, identity)
                break
        for identity in work_identities(entry):
            first_by_identity.setdefault(identity, entry)
        if earlier is None:
            continue
        original, identity = earlier
        if cited_only and not any(d.is_cited(entry) or d.is_cited(original) for d in documents):
            continue  # drafts named one by one: a duplicate they do not cite is not theirs
        message = (
            f"'{entry.key}' is the same work as '{original.key}' ({_reason(identity)}): "
            f"{original.title or original.key}"
        )
        both = [d for d in documents if d.is_cited(entry) and d.is_cited(original)]
        labels: CitationIndex = both[0] if both else index
        here, there = labels.label(entry), labels.label(original)
        spurious = here.raw_names == there.raw_names and here.year == there.year and here.suffix
        if spurious and (both or not documents):
            message += (
                f"; the duplicate creates spurious suffixes: {there.text()} and {here.text()} "
                "are one work"
            )
        findings.append(
            Finding(
                "RW301",
                message,
                entry.span,
                related=(RelatedLocation(original.span, labels.describe(original)),),
            )
        )
    return findings


def unused_entry_findings(
    index: CitationIndex, documents: Iterable[DocumentIndex | BibEntry]
) -> list[Finding]:
    """RW302 for entries that no document cites (certainly or possibly).

    ``documents`` are the label views of the documents that use ``index`` (or, simply,
    the entries cited)."""
    views = [d for d in documents if isinstance(d, DocumentIndex)]
    cited_keys = {(e.span.path, e.key.lower()) for e in documents if isinstance(e, BibEntry)}
    findings = []
    for key, entry in index.entries_by_key.items():
        if (entry.span.path, key) in cited_keys or any(v.is_cited(entry) for v in views):
            continue
        message = f"'{entry.key}' is not cited by any draft: {index.describe(entry)}"
        findings.append(Finding("RW302", message, entry.span))
    return findings


def _content(entry: BibEntry) -> tuple[str, tuple[tuple[str, str], ...]]:
    fields = tuple(sorted((k.lower(), " ".join(v.split())) for k, v in entry.fields.items()))
    return entry.entry_type.lower(), fields


def conflicting_definitions(index: CitationIndex) -> list[Finding]:
    """RW307: a key that two bibliography files define with different content. BibTeX
    keeps the first definition; the second file's is ignored, which silently changes
    labels when the files are versions of one bibliography."""
    if len(set(index.bibliography.paths)) < 2:
        return []
    first: dict[str, BibEntry] = {}
    findings = []
    for entry in index.bibliography.entries:
        if entry.source_format == "bbl":
            continue  # a .bbl item holds a label, not a definition to compare
        key = entry.key.lower()
        kept = first.setdefault(key, entry)
        if kept is entry or kept.span.path == entry.span.path:
            continue  # the same file: RW304 says it
        if _content(kept) == _content(entry):
            continue
        findings.append(
            Finding(
                "RW307",
                f"'{entry.key}' is defined differently in {Path(kept.span.path).name} and "
                f"{Path(entry.span.path).name}; the first definition is used: "
                f"{index.describe(kept)}. Are these two versions of one bibliography? "
                "Name the one each draft uses (\\bibliography, front matter, or "
                "`bibliographies` in relwork.toml)",
                entry.span,
                related=(RelatedLocation(kept.span, index.describe(kept)),),
            )
        )
    return findings

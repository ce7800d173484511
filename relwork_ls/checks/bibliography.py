"""Checks of the bibliography itself: RW301 one work under two keys, RW302 unused entries."""

from __future__ import annotations

from collections.abc import Iterable

import regex

from ..bibliography.latex_text import fold, purify
from ..bibliography.model import BibEntry
from ..citations.resolution import CitationIndex
from ..findings import Finding, RelatedLocation

_ARXIV = regex.compile(
    r"(?:arxiv[:./\s]*(?:abs/|pdf/)?|10\.48550/arxiv\.)(\d{4}\.\d{4,5})", regex.I
)
_DOI_PREFIX = regex.compile(r"^(?:https?://(?:dx\.)?doi\.org/|doi:\s*)", regex.I)
_NOT_WORD = regex.compile(r"[^\p{L}\p{N}]+")
UNUSED_CHECK_LIMIT = 1000  # RW302 is off by default for bibliographies larger than this


def work_identities(entry: BibEntry) -> list[str]:
    """Keys under which two entries are the same work: DOI, arXiv id, title + first author.

    An arXiv DOI (10.48550/arXiv.…) counts as the arXiv id, so a preprint and its DOI match.
    """
    identities: list[str] = []
    doi = _DOI_PREFIX.sub("", entry.doi).strip().lower()
    arxiv = None
    for text in (
        entry.doi,
        entry.fields.get("eprint", ""),
        entry.fields.get("journal", ""),
        entry.url,
        entry.fields.get("note", ""),
    ):
        match = _ARXIV.search(text) if text else None
        if match:
            arxiv = match.group(1)
            break
    if entry.fields.get("archiveprefix", "").lower() == "arxiv" and not arxiv:
        eprint = entry.fields.get("eprint", "").strip()
        arxiv = eprint.split("v")[0] if eprint else None
    if arxiv:
        identities.append(f"arxiv:{arxiv}")
    if doi and not doi.startswith("10.48550/arxiv."):
        identities.append(f"doi:{doi}")
    raw_title = entry.fields.get("title", "")
    # purify$ drops braces and accent commands cheaply; fold evens out Unicode titles.
    needs_purify = "\\" in raw_title or "{" in raw_title  # "{E}vent" is "Event"
    title = _NOT_WORD.sub(" ", fold(purify(raw_title) if needs_purify else raw_title))
    title = title.strip()
    names = entry.authors or entry.editors
    if title and len(title) > 10 and names:
        identities.append(f"title:{title}|{fold(names[0].display_surname())}")
    return identities


MAX_VERSION_YEARS = 2  # a preprint and its published version, a few years apart at most


def same_work(a: BibEntry, b: BibEntry, identity: str) -> bool:
    """Whether a shared identity means one work: a DOI or arXiv id always does; a title and
    first author only within a few years ("Working memory" of 1974 and of 1986 differ)."""
    if not identity.startswith("title:"):
        return True
    year_a, year_b = a.fields.get("year", "")[:4], b.fields.get("year", "")[:4]
    if year_a.isdigit() and year_b.isdigit():
        return abs(int(year_a) - int(year_b)) <= MAX_VERSION_YEARS
    return True


def _reason(identity: str) -> str:
    kind, _, value = identity.partition(":")
    if kind == "arxiv":
        return f"same arXiv id {value}"
    if kind == "doi":
        return f"same DOI {value}"
    return "same title and first author"


def duplicate_work_findings(index: CitationIndex) -> list[Finding]:
    """RW301 on every entry after the first that is the same work as an earlier one."""
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
        here, there = index.label(entry), index.label(original)
        message = (
            f"'{entry.key}' is the same work as '{original.key}' ({_reason(identity)}): "
            f"{original.title or original.key}"
        )
        if here.raw_names == there.raw_names and here.year == there.year and here.suffix:
            message += (
                f"; the duplicate creates spurious suffixes: {there.text()} and {here.text()} "
                "are one work"
            )
        findings.append(
            Finding(
                "RW301",
                message,
                entry.span,
                related=(RelatedLocation(original.span, index.describe(original)),),
            )
        )
    return findings


def unused_entry_findings(
    index: CitationIndex, cited: Iterable[BibEntry], force: bool = False
) -> list[Finding]:
    """RW302 for entries no draft cites (off for large bibliographies unless forced)."""
    if not force and len(index.entries_by_key) > UNUSED_CHECK_LIMIT:
        return []
    # An entry counts as cited when a draft cites that key of that file through any index.
    cited_keys = {(entry.span.path, entry.key.lower()) for entry in cited}
    findings = []
    for key, entry in index.entries_by_key.items():
        if (entry.span.path, key) in cited_keys:
            continue
        message = f"'{entry.key}' is not cited by any draft: {index.describe(entry)}"
        label = index.label(entry)
        if label.suffix:
            message += (
                f"; it still takes the suffix '{label.suffix}', so removing it relabels the "
                f"other {label.names} {label.year} works"
            )
        findings.append(Finding("RW302", message, entry.span))
    return findings

"""When two bibliography entries are one work: the same DOI, arXiv id, or title and first
author (a preprint and its published version, an accidental duplicate)."""

from __future__ import annotations

import regex

from .latex_text import fold, purify
from .model import BibEntry

_ARXIV = regex.compile(
    r"(?:arxiv[:./\s]*(?:abs/|pdf/)?|10\.48550/arxiv\.)(\d{4}\.\d{4,5})", regex.I
)
_DOI_PREFIX = regex.compile(r"^(?:https?://(?:dx\.)?doi\.org/|doi:\s*)", regex.I)
_NOT_WORD = regex.compile(r"[^\p{L}\p{N}]+")


def work_identities(entry: BibEntry) -> list[str]:
    """Keys under which two entries are the same work: DOI, arXiv id, title + first author.

    An arXiv DOI (10.48550/arXiv.…) counts as the arXiv id, so a preprint and its DOI match.
    Computed once per entry (the server checks every entry again on each relint).
    """
    if entry.identity_memo is None:
        entry.identity_memo = tuple(_identities(entry))
    return list(entry.identity_memo)


def _identities(entry: BibEntry) -> list[str]:
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
    lead = entry.lead_person()
    if title and len(title) > 10 and lead is not None:
        identities.append(f"title:{title}|{fold(lead.display_surname())}")
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

"""Editor extras: links from DOI/URL fields of a bibliography, code lens counts of how often
an entry is cited, and inlay hints naming the entry each rendered citation resolves to."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path

import regex

from ..bibliography.model import BibEntry
from ..citations.resolution import CitationIndex, WorkResolution
from .navigation import Citing, key_span

# doi = {10.1/x} / url = "https://…" in BibTeX; "DOI": "10.1/x" / "URL": "…" in CSL-JSON.
_FIELD = regex.compile(
    r'(?i)(?:\b(?P<name>doi|url)\s*=\s*[{"]\s*(?P<value>[^{}"\s]+)\s*[}"])'
    r'|(?:"(?P<json_name>DOI|URL)"\s*:\s*"(?P<json_value>[^"\s]+)")'
)
INLAY_HINT_KINDS = ("none", "key", "title")


@dataclass(frozen=True)
class Link:
    start: int
    end: int
    target: str


def field_links(text: str) -> list[Link]:
    """Links for the DOI and URL fields of a bibliography's text."""
    links = []
    for match in _FIELD.finditer(text, timeout=1.0):
        group = "value" if match["value"] else "json_value"
        name = (match["name"] or match["json_name"]).lower()
        value = match[group]
        if name == "doi":
            doi = regex.sub(r"(?i)^(?:https?://(?:dx\.)?doi\.org/|doi:)", "", value)
            target = f"https://doi.org/{doi}"
        elif value.startswith(("http://", "https://")):
            target = value
        else:
            continue
        links.append(Link(match.start(group), match.end(group), target))
    return links


@dataclass(frozen=True)
class CitationCount:
    """How often an entry of a bibliography file is cited, for a code lens on its key."""

    entry: BibEntry
    line: int
    column: int
    end_column: int
    citations: int
    drafts: int

    @property
    def title(self) -> str:
        if not self.citations:
            return "not cited"
        times = "1×" if self.citations == 1 else f"{self.citations}×"
        drafts = "1 draft" if self.drafts == 1 else f"{self.drafts} drafts"
        return f"cited {times} in {drafts}"


def citation_counts(indexes: Iterable[CitationIndex], path: str, citing_of) -> list[CitationCount]:
    """A count for every entry of the bibliography file ``path`` (``citing_of(entry)``
    gives its citations), in file order."""
    seen: dict[str, CitationCount] = {}
    for index in indexes:
        for entry in index.entries_by_key.values():
            if entry.span.path != path or entry.key.lower() in seen:
                continue
            citing: Sequence[Citing] = citing_of(entry)
            span = key_span(entry)
            seen[entry.key.lower()] = CitationCount(
                entry,
                span.line,
                span.column,
                span.end_column,
                len(citing),
                len({analysis.path for analysis, _ in citing}),
            )
    return sorted(seen.values(), key=lambda count: (count.line, count.column))


@dataclass(frozen=True)
class InlayHint:
    offset: int
    label: str
    tooltip: str


def inlay_hints(
    works: Iterable[WorkResolution], start: int, end: int, kind: str
) -> list[InlayHint]:
    """After each rendered work in ``start..end`` that resolves: its key (``kind`` "key")
    or a short title ("title"). Keyed citations name their entry already."""
    if kind not in ("key", "title"):
        return []
    hints = []
    for work in works:
        entry = work.entry
        if entry is None or work.work.is_keyed or not start <= work.end <= end:
            continue
        title = entry.title or entry.key
        short = title if len(title) <= 40 else title[:39].rstrip() + "…"
        label = f" {entry.key}" if kind == "key" else f" {short}"
        hints.append(InlayHint(work.end, label, f"{title} ({Path(entry.span.path).name})"))
    return hints

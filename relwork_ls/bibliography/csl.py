"""Load CSL-JSON bibliographies (Pandoc, Zotero, Manubot) into the common entry model."""

from __future__ import annotations

import json
from typing import Any

import regex

from .model import BibEntry, Bibliography, LoadProblem, SourceSpan
from .names import PersonName

_ID_FIELD = regex.compile(r'"id"\s*:\s*"(?P<id>(?:[^"\\]|\\.)*)"')
_TYPE_MAP = {
    "book": "book",
    "chapter": "inbook",
    "paper-conference": "inproceedings",
    "article-journal": "article",
    "report": "techreport",
    "thesis": "phdthesis",
}


def _person(name: dict[str, Any]) -> PersonName:
    if "literal" in name:
        return PersonName(last=(str(name["literal"]),))
    family = str(name.get("family", "")).split()
    particle = str(name.get("non-dropping-particle", "")).split()
    given = str(name.get("given", "")).split()
    suffix = str(name.get("suffix", "")).split()
    if not family:
        return PersonName(last=tuple(given) or ("",))
    return PersonName(tuple(given), tuple(particle), tuple(family), tuple(suffix))


def _year(item: dict[str, Any]) -> str:
    issued = item.get("issued") or {}
    if isinstance(issued, dict):
        parts = issued.get("date-parts")
        if parts and parts[0] and parts[0][0] not in (None, ""):
            return str(parts[0][0])
        for key in ("literal", "raw"):
            if issued.get(key):
                return str(issued[key])[:4]
    return ""


def load_csl_text(text: str, path: str) -> Bibliography:
    """Parse CSL-JSON; a syntax error or a malformed item is a problem, not a crash."""
    bib = Bibliography(paths=[path])
    try:
        data = json.loads(text)
    except json.JSONDecodeError as error:
        span = SourceSpan(path, error.lineno - 1, error.colno - 1, error.lineno - 1, error.colno)
        bib.problems.append(LoadProblem("RW303", f"CSL-JSON syntax error: {error.msg}", span))
        return bib
    items = data.get("items", []) if isinstance(data, dict) else data
    if not isinstance(items, list):
        span = SourceSpan(path, 0, 0, 0, 1)
        bib.problems.append(LoadProblem("RW303", "CSL-JSON must be a list of items", span))
        return bib
    positions = _id_positions(text, path)
    for index, item in enumerate(items):
        if not isinstance(item, dict) or not item.get("id"):
            span = SourceSpan(path, 0, 0, 0, 1)
            bib.problems.append(
                LoadProblem("RW303", f"CSL-JSON item {index + 1} has no id; skipped", span)
            )
            continue
        key = str(item["id"])
        fields = {
            "title": str(item.get("title", "")),
            "year": _year(item),
            "journal": str(item.get("container-title", "")),
            "publisher": str(item.get("publisher", "")),
            "doi": str(item.get("DOI", "")),
            "url": str(item.get("URL", "")),
        }
        authors = tuple(_person(n) for n in item.get("author", []) if isinstance(n, dict))
        editors = tuple(_person(n) for n in item.get("editor", []) if isinstance(n, dict))
        bib.entries.append(
            BibEntry(
                key=key,
                entry_type=_TYPE_MAP.get(str(item.get("type", "")), "misc"),
                fields={k: v for k, v in fields.items() if v},
                authors=authors,
                editors=editors,
                span=positions.get(key, SourceSpan(path, 0, 0, 0, 0)),
                source_format="csl-json",
            )
        )
    return bib


def _id_positions(text: str, path: str) -> dict[str, SourceSpan]:
    positions: dict[str, SourceSpan] = {}
    line = 0
    last = 0
    for match in _ID_FIELD.finditer(text):
        line += text.count("\n", last, match.start("id"))
        last = match.start("id")
        column = match.start("id") - (text.rfind("\n", 0, match.start("id")) + 1)
        key = json.loads(f'"{match["id"]}"')
        positions.setdefault(key, SourceSpan(path, line, column, line, column + len(match["id"])))
    return positions

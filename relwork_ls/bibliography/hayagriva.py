"""Load Hayagriva YAML bibliographies (Typst's own format) into the common entry model.

A Hayagriva file is one mapping of keys to entries; an entry has ``type``, ``title``,
``author`` ("Last, Given, Suffix" strings, or mappings with ``name``/``given-name``/
``prefix``), ``date`` (``YYYY``, ``YYYY-MM`` or ``YYYY-MM-DD``), ``parent`` (the journal,
proceedings… an entry appeared in, itself an entry or a list of them), ``doi``, ``url``
(a string or ``{value, date}``) and ``serial-number`` (a string or a mapping such as
``{doi: …, arxiv: …}``). Entry spans point at the key in the file.
"""

from __future__ import annotations

from typing import Any

import regex

from .model import BibEntry, Bibliography, LoadProblem, SourceSpan
from .names import PersonName

SOURCE_FORMAT = "hayagriva"
_TYPE_MAP = {
    "article": "article",
    "book": "book",
    "chapter": "inbook",
    "proceedings": "proceedings",
    "thesis": "phdthesis",
    "report": "techreport",
    "reference": "manual",
}
_LOOKS_LIKE = regex.compile(
    r"^[^\s#][^\n]*:[ \t]*\n(?:[ \t]*(?:#[^\n]*)?\n)*[ \t]+(?:type|title|author|date):", regex.M
)


def looks_like_hayagriva(head: str) -> bool:
    """Whether the start of a YAML file reads as a Hayagriva bibliography."""
    return _LOOKS_LIKE.search(head) is not None


def _text(value: Any) -> str:
    """A formattable string or title: a plain value or a mapping with ``value``."""
    if isinstance(value, dict):
        value = value.get("value", "")
    if value is None:
        return ""
    return " ".join(str(value).split())


def _person(value: Any) -> PersonName | None:
    if isinstance(value, dict):
        name = _text(value.get("name"))
        if not name:
            return None
        return PersonName(
            first=tuple(_text(value.get("given-name")).split()),
            von=tuple(_text(value.get("prefix")).split()),
            last=(name,),
            jr=tuple(_text(value.get("suffix")).split()),
        )
    text = _text(value)
    if not text:
        return None
    parts = [part.strip() for part in text.split(",")]
    words = parts[0].split()
    # BibTeX's rule: the lowercase words at the start are the prefix ("von der Leyen").
    prefix_length = 0
    while prefix_length < len(words) - 1 and words[prefix_length][:1].islower():
        prefix_length += 1
    given = tuple(parts[1].split()) if len(parts) > 1 else ()
    suffix = tuple(parts[2].split()) if len(parts) > 2 else ()
    last = (" ".join(words[prefix_length:]),) if words[prefix_length:] else ("",)
    return PersonName(first=given, von=tuple(words[:prefix_length]), last=last, jr=suffix)


def _people(value: Any) -> tuple[PersonName, ...]:
    items = value if isinstance(value, list) else [value] if value is not None else []
    return tuple(p for p in (_person(item) for item in items) if p is not None)


def _year(value: Any) -> str:
    text = str(value).strip() if value is not None else ""
    match = regex.match(r"[+-]?\d{1,4}", text)
    return match.group().lstrip("+") if match else ""


def _first_parent(entry: dict[str, Any]) -> dict[str, Any]:
    parent = entry.get("parent")
    if isinstance(parent, list):
        parent = next((p for p in parent if isinstance(p, dict)), None)
    return parent if isinstance(parent, dict) else {}


def _fields(entry: dict[str, Any]) -> dict[str, str]:
    parent = _first_parent(entry)
    fields = {
        "title": _text(entry.get("title")),
        "year": _year(entry.get("date", parent.get("date"))),
        "journal": _text(parent.get("title")),
        "publisher": _text(entry.get("publisher") or parent.get("publisher")),
        "organization": _text(entry.get("organization") or parent.get("organization")),
        "doi": _text(entry.get("doi")),
        "url": _text(entry.get("url")),
    }
    serial = entry.get("serial-number")
    if isinstance(serial, dict):
        fields["doi"] = fields["doi"] or _text(serial.get("doi"))
        arxiv = _text(serial.get("arxiv"))
        if arxiv:
            fields["eprint"] = arxiv
            fields["archiveprefix"] = "arXiv"
    return {name: value for name, value in fields.items() if value}


def _key_positions(text: str, path: str) -> dict[str, SourceSpan]:
    import yaml  # slow to import; only Hayagriva files need it

    """Where each top-level key is written."""
    positions: dict[str, SourceSpan] = {}
    root = yaml.compose(text, Loader=yaml.SafeLoader)
    if isinstance(root, yaml.MappingNode):
        for key_node, _ in root.value:
            mark = key_node.start_mark
            end = key_node.end_mark
            positions.setdefault(
                str(key_node.value), SourceSpan(path, mark.line, mark.column, end.line, end.column)
            )
    return positions


def load_hayagriva_text(text: str, path: str) -> Bibliography:
    import yaml  # slow to import; only Hayagriva files need it

    """Parse a Hayagriva file; a YAML error or a malformed entry is a problem, not a crash."""
    bib = Bibliography(paths=[path])
    try:
        data = yaml.safe_load(text)
        positions = _key_positions(text, path)
    except yaml.YAMLError as error:
        mark = getattr(error, "problem_mark", None)
        line, column = (mark.line, mark.column) if mark is not None else (0, 0)
        reason = getattr(error, "problem", None) or str(error).splitlines()[0]
        span = SourceSpan(path, line, column, line, column + 1)
        bib.problems.append(LoadProblem("RW303", f"Hayagriva YAML syntax error: {reason}", span))
        return bib
    if data is None:
        return bib
    if not isinstance(data, dict):
        span = SourceSpan(path, 0, 0, 0, 1)
        bib.problems.append(LoadProblem("RW303", "a Hayagriva file must map keys to entries", span))
        return bib
    for raw_key, entry in data.items():
        key = str(raw_key)
        span = positions.get(key, SourceSpan(path, 0, 0, 0, 0))
        if not isinstance(entry, dict):
            bib.problems.append(
                LoadProblem("RW303", f"Hayagriva entry '{key}' is not a mapping; skipped", span)
            )
            continue
        kind = _text(entry.get("type")).lower()
        bib.entries.append(
            BibEntry(
                key=key,
                entry_type=_TYPE_MAP.get(kind, "misc"),
                fields=_fields(entry),
                authors=_people(entry.get("author")),
                editors=_people(entry.get("editor")),
                span=span,
                source_format=SOURCE_FORMAT,
            )
        )
    return bib

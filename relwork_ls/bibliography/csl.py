"""Load CSL-JSON bibliographies (Pandoc, Zotero, Manubot) into the common entry model.

CSL-JSON comes from many tools and is sometimes wrong: a field of the wrong type is
reported (RW016) and ignored, the rest of the item still loads; nothing in a file, however
deep or large its values, raises."""

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
_TEXT_FIELDS = {
    "title": "title",
    "container-title": "journal",
    "publisher": "publisher",
    "DOI": "doi",
    "URL": "url",
}
_NAME_PARTS = ("family", "given", "non-dropping-particle", "suffix", "literal")
# Integers with more digits than this are no year or page number; they are read as floats
# (Python refuses to convert over 4,300 digits, and the conversion is quadratic below that).
_MAX_INT_DIGITS = 20


def _bounded_int(digits: str) -> int | float:
    return int(digits) if len(digits) <= _MAX_INT_DIGITS else float(digits)


def _describe(value: Any) -> str:
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "a boolean"
    if isinstance(value, (int, float)):
        return "a number"
    if isinstance(value, str):
        return "a string"
    if isinstance(value, list):
        return "a list"
    return "an object"


class _ItemReader:
    """Reads one CSL item, collecting RW016 problems for fields of the wrong type."""

    def __init__(self, item: dict[str, Any], key: str, span: SourceSpan) -> None:
        self.item = item
        self.key = key
        self.span = span
        self.problems: list[LoadProblem] = []

    def wrong(
        self, field: str, value: Any, expected: str, outcome: str = "the field is ignored"
    ) -> None:
        self.problems.append(
            LoadProblem(
                "RW016",
                f"CSL-JSON item '{self.key}': '{field}' is {_describe(value)}, expected "
                f"{expected}; {outcome}",
                self.span,
            )
        )

    def text(self, field: str) -> str:
        value = self.item.get(field)
        if value is None and field not in self.item:
            return ""
        if isinstance(value, str):
            return value
        if isinstance(value, int) and not isinstance(value, bool):
            return str(value)
        self.wrong(field, value, "a string")
        return ""

    def names(self, field: str) -> tuple[PersonName, ...]:
        if field not in self.item:
            return ()
        value = self.item[field]
        if not isinstance(value, list):
            self.wrong(field, value, 'a list of names such as [{"family": "…"}]')
            return ()
        people = []
        for index, name in enumerate(value):
            if not isinstance(name, dict):
                self.wrong(f"{field}[{index}]", name, 'a name such as {"family": "…"}')
                continue
            parts: dict[str, str] = {}
            for part in _NAME_PARTS:
                piece = name.get(part)
                if piece is None:
                    continue
                if isinstance(piece, str) or (
                    isinstance(piece, int) and not isinstance(piece, bool)
                ):
                    parts[part] = str(piece)
                else:
                    self.wrong(f"{field}[{index}].{part}", piece, "a string")
            people.append(_person(parts))
        return tuple(people)

    def year(self) -> str:
        issued = self.item.get("issued")
        if issued is None:
            return ""
        if isinstance(issued, str):
            if issued[:4].isdigit():
                self.wrong("issued", issued, '{"date-parts": [[year]]}', "its year is used")
                return issued[:4]
            self.wrong("issued", issued, '{"date-parts": [[year]]}')
            return ""
        if not isinstance(issued, dict):
            self.wrong("issued", issued, '{"date-parts": [[year]]}')
            return ""
        parts = issued.get("date-parts")
        if parts is not None:
            first = parts[0] if isinstance(parts, list) and parts else None
            if isinstance(first, list):
                year = first[0] if first else None
            elif isinstance(first, (int, str)) and not isinstance(first, bool):
                # [2021] for [[2021]]: the year is clear; still say the shape is wrong.
                year = first
                self.wrong(
                    "issued.date-parts",
                    parts,
                    "a list of dates such as [[2021]], not a flat list",
                    "its first value is taken as the year",
                )
            else:
                self.wrong("issued.date-parts", parts, "a list of dates such as [[2021]]")
                year = None
            if isinstance(year, int) and not isinstance(year, bool) and -9999 <= year <= 9999:
                return str(year)
            if isinstance(year, str) and year.strip().lstrip("-").isdigit() and len(year) <= 6:
                return year.strip()
            if year not in (None, ""):
                self.wrong("issued.date-parts[0][0]", year, "a year such as 2021")
        for key in ("literal", "raw"):
            value = issued.get(key)
            if isinstance(value, str) and value:
                return value[:4]
            if value is not None and not isinstance(value, str):
                self.wrong(f"issued.{key}", value, "a string")
        return ""


def _person(parts: dict[str, str]) -> PersonName:
    if "literal" in parts:
        return PersonName(last=(parts["literal"],))
    family = parts.get("family", "").split()
    particle = parts.get("non-dropping-particle", "").split()
    given = parts.get("given", "").split()
    suffix = parts.get("suffix", "").split()
    if not family:
        return PersonName(last=tuple(given) or ("",))
    return PersonName(tuple(given), tuple(particle), tuple(family), tuple(suffix))


def _parse(text: str, path: str) -> tuple[Any, LoadProblem | None]:
    """The JSON value of ``text``, or a problem saying why it is not JSON we can read."""
    try:
        return json.loads(text, parse_int=_bounded_int), None
    except json.JSONDecodeError as error:
        span = SourceSpan(path, error.lineno - 1, error.colno - 1, error.lineno - 1, error.colno)
        return None, LoadProblem("RW303", f"CSL-JSON syntax error: {error.msg}", span)
    except RecursionError:
        message = "CSL-JSON nested too deeply to read (arrays or objects inside each other)"
        return None, LoadProblem("RW303", message, SourceSpan(path, 0, 0, 0, 1))
    except ValueError as error:  # a number Python refuses, or similar
        message = f"CSL-JSON value cannot be read: {str(error)[:200]}"
        return None, LoadProblem("RW303", message, SourceSpan(path, 0, 0, 0, 1))


def load_csl_text(text: str, path: str) -> Bibliography:
    """Parse CSL-JSON; a syntax error or a malformed item is a problem, not a crash."""
    bib = Bibliography(paths=[path])
    data, problem = _parse(text, path)
    if problem is not None:
        bib.problems.append(problem)
        return bib
    items = data.get("items") if isinstance(data, dict) else data
    if not isinstance(items, list):
        span = SourceSpan(path, 0, 0, 0, 1)
        message = "not CSL-JSON: expected a list of items (or an object with 'items')"
        bib.problems.append(LoadProblem("RW303", message, span))
        return bib
    positions = _id_positions(text, path)
    for index, item in enumerate(items):
        raw_id = item.get("id") if isinstance(item, dict) else None
        if isinstance(raw_id, bool) or not isinstance(raw_id, (str, int)) or raw_id == "":
            span = SourceSpan(path, 0, 0, 0, 1)
            what = "is not an object" if not isinstance(item, dict) else "has no usable id"
            bib.problems.append(
                LoadProblem("RW303", f"CSL-JSON item {index + 1} {what}; skipped", span)
            )
            continue
        key = str(raw_id)
        span = positions.get(key, SourceSpan(path, 0, 0, 0, 0))
        reader = _ItemReader(item, key, span)
        fields = {name: reader.text(field) for field, name in _TEXT_FIELDS.items()}
        fields["year"] = reader.year()
        authors = reader.names("author")
        editors = reader.names("editor")
        entry_type = reader.text("type")
        bib.problems.extend(reader.problems)
        bib.entries.append(
            BibEntry(
                key=key,
                entry_type=_TYPE_MAP.get(entry_type, "misc"),
                fields={k: v for k, v in fields.items() if v},
                authors=authors,
                editors=editors,
                span=span,
                source_format="csl-json",
            )
        )
    return bib


def _id_positions(text: str, path: str) -> dict[str, SourceSpan]:
    """Where each ``"id"`` value stands, in one pass (a minified file is one long line)."""
    positions: dict[str, SourceSpan] = {}
    line, line_start, last = 0, 0, 0
    for match in _ID_FIELD.finditer(text):
        start = match.start("id")
        breaks = text.count("\n", last, start)
        if breaks:
            line += breaks
            line_start = text.rfind("\n", last, start) + 1
        last = start
        column = start - line_start
        try:
            key = json.loads(f'"{match["id"]}"')
        except ValueError:
            continue
        positions.setdefault(key, SourceSpan(path, line, column, line, column + len(match["id"])))
    return positions

"""Word ``.docx`` drafts: their rendered text and the CSL items their citation fields carry.

The text is every paragraph of the body (tables included), then of the footnotes and
endnotes, one paragraph per line: a finding's line is the paragraph's number and its
column the character in it. Deleted text (tracked changes) and field instructions are not
text; the results of fields (the citation "(Chen et al., 2021)" a reference manager
printed) are.

Zotero and Mendeley keep the cited items inside the document, as CSL-JSON in the
instruction of each citation field: ``ADDIN ZOTERO_ITEM CSL_CITATION {…}`` or
``ADDIN CSL_CITATION {…}``, with ``citationItems[].itemData``. Those items are the
document's bibliography when present.
"""

from __future__ import annotations

import json
import zipfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from ..bibliography.csl import load_csl_text
from ..bibliography.model import Bibliography, LoadProblem
from ..positions import LineIndex

if TYPE_CHECKING:
    from lxml import etree

_W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"
_MC_CHOICE = "{http://schemas.openxmlformats.org/markup-compatibility/2006}Choice"
_MC_ALTERNATE = "{http://schemas.openxmlformats.org/markup-compatibility/2006}AlternateContent"
_SKIPPED = {f"{_W}del", f"{_W}delText", f"{_W}instrText", f"{_W}rPr", f"{_W}pPr"}
_NOTE_PARTS = ("/footnotes", "/endnotes")


class DocxError(Exception):
    """A .docx file that cannot be opened (not a Word document, damaged)."""


@dataclass(frozen=True)
class DocxField:
    """A field of the document: its instruction and where its printed result lies."""

    instruction: str
    start: int  # offsets of the result in DocxText.text
    end: int


@dataclass
class DocxText:
    """The text of a Word document, one paragraph per line, and its fields."""

    text: str
    body_paragraphs: int
    fields: list[DocxField] = field(default_factory=list)


class _Builder:
    def __init__(self) -> None:
        self.parts: list[str] = []
        self.length = 0
        self.fields: list[DocxField] = []
        # Open complex fields: [instruction, result start or -1].
        self.stack: list[list[Any]] = []

    def add(self, text: str) -> None:
        self.parts.append(text)
        self.length += len(text)

    def paragraph(self, element: etree._Element) -> None:
        self._walk(element)
        self.add("\n")

    def _walk(self, element: etree._Element) -> None:
        for child in element:
            tag = child.tag
            if not isinstance(tag, str) or tag in _SKIPPED:
                if tag == f"{_W}instrText" and self.stack:
                    self.stack[-1][0] += child.text or ""
                continue
            if tag == f"{_W}p":
                continue  # a paragraph nested in a text box: it is visited on its own
            if tag == f"{_W}t":
                self.add(child.text or "")
            elif tag == f"{_W}tab":
                self.add("\t")
            elif tag in (f"{_W}br", f"{_W}cr"):
                self.add(" ")
            elif tag == f"{_W}noBreakHyphen":
                self.add("-")
            elif tag == f"{_W}fldChar":
                self._field_char(child.get(f"{_W}fldCharType", ""))
            elif tag == f"{_W}fldSimple":
                start = self.length
                self._walk(child)
                self.fields.append(DocxField(child.get(f"{_W}instr", ""), start, self.length))
            elif tag == _MC_ALTERNATE:
                choice = child.find(_MC_CHOICE)
                if choice is not None:
                    self._walk(choice)
            else:
                self._walk(child)

    def _field_char(self, kind: str) -> None:
        if kind == "begin":
            self.stack.append(["", -1])
        elif kind == "separate" and self.stack:
            self.stack[-1][1] = self.length
        elif kind == "end" and self.stack:
            instruction, start = self.stack.pop()
            start = self.length if start < 0 else start
            self.fields.append(DocxField(instruction, start, self.length))

    def text(self) -> str:
        return "".join(self.parts)


_MC_FALLBACK = "{http://schemas.openxmlformats.org/markup-compatibility/2006}Fallback"


def _paragraphs(root: etree._Element) -> list[etree._Element]:
    """Paragraphs in document order; a text box's fallback copy is not read twice."""
    return [
        p for p in root.iter(f"{_W}p") if not any(a.tag == _MC_FALLBACK for a in p.iterancestors())
    ]


def read_docx(path: Path) -> DocxText:
    """The text and fields of a .docx file (raises DocxError when it cannot be opened)."""
    # python-docx and lxml take a while to import: only .docx drafts need them.
    from docx import Document
    from docx.opc.exceptions import PackageNotFoundError
    from docx.oxml.ns import qn
    from lxml import etree

    try:
        document = Document(str(path))
    except (PackageNotFoundError, zipfile.BadZipFile, KeyError, ValueError) as error:
        raise DocxError(
            f"cannot open {path.name} as a Word document (.docx): it is damaged or of "
            "another format"
        ) from error
    builder = _Builder()
    body = document.element.body
    for paragraph in _paragraphs(body):
        builder.paragraph(paragraph)
    body_paragraphs = builder.text().count("\n")
    for relationship in document.part.rels.values():
        if relationship.is_external or not relationship.reltype.endswith(_NOTE_PARTS):
            continue
        root = etree.fromstring(relationship.target_part.blob)
        for note in root:
            if note.get(qn("w:type")) in ("separator", "continuationSeparator"):
                continue
            for paragraph in _paragraphs(note):
                builder.paragraph(paragraph)
    return DocxText(builder.text(), body_paragraphs, builder.fields)


_CSL_MARKERS = ("CSL_CITATION",)


def citation_items(
    docx: DocxText, path: str
) -> tuple[list[tuple[dict[str, Any], DocxField]], list[LoadProblem]]:
    """The CSL items of Zotero/Mendeley citation fields (first occurrence of each work)."""
    lines = LineIndex(docx.text)
    items: list[tuple[dict[str, Any], DocxField]] = []
    seen: set[str] = set()
    problems: list[LoadProblem] = []
    for docx_field in docx.fields:
        instruction = docx_field.instruction
        marker = next((m for m in _CSL_MARKERS if m in instruction), None)
        if marker is None:
            continue
        brace = instruction.find("{", instruction.index(marker))
        try:
            payload, _ = json.JSONDecoder().raw_decode(instruction[brace:])
            cited = payload["citationItems"]
            if not isinstance(cited, list):
                raise TypeError("citationItems is not a list")
        except (ValueError, KeyError, TypeError) as error:
            span = lines.span(path, docx_field.start, docx_field.end)
            problems.append(
                LoadProblem("RW303", f"cannot read the citation field's CSL-JSON: {error}", span)
            )
            continue
        for cited_item in cited:
            data = cited_item.get("itemData") if isinstance(cited_item, dict) else None
            if not isinstance(data, dict):
                continue
            identity = _identity(cited_item, data)
            if identity in seen:
                continue
            seen.add(identity)
            items.append((data, docx_field))
    return items, problems


def _identity(cited: dict[str, Any], data: dict[str, Any]) -> str:
    """One work across fields: its Zotero/Mendeley URI, else its title and year.

    Mendeley numbers items per field ("ITEM-1" in each), so ids alone do not identify."""
    uris = cited.get("uris") or cited.get("uri") or []
    if isinstance(uris, list) and uris:
        return str(uris[0])
    issued = json.dumps(data.get("issued"), sort_keys=True)
    return f"{data.get('title', '')}|{issued}|{json.dumps(data.get('author'), sort_keys=True)}"


def _item_key(cited_data: dict[str, Any], used: set[str]) -> str:
    authors = cited_data.get("author") or [{}]
    first = authors[0] if isinstance(authors[0], dict) else {}
    surname = str(first.get("family") or first.get("literal") or "item")
    issued = cited_data.get("issued") or {}
    parts = issued.get("date-parts") if isinstance(issued, dict) else None
    year = str(parts[0][0]) if parts and parts[0] else ""
    base = "".join(ch for ch in surname.lower() if ch.isalnum()) + year or "item"
    key = base
    counter = 2
    while key in used:
        key = f"{base}-{counter}"
        counter += 1
    used.add(key)
    return key


def field_bibliography(docx: DocxText, path: str) -> Bibliography:
    """The CSL items of the document's citation fields as a bibliography; each entry's span
    is the first citation field that cites it."""
    found, problems = citation_items(docx, path)
    used: set[str] = set()
    keyed = []
    for data, _ in found:
        keyed.append({**data, "id": _item_key(data, used)})
    bib = load_csl_text(json.dumps(keyed), path)
    lines = LineIndex(docx.text)
    for entry, (_, docx_field) in zip(bib.entries, found, strict=True):
        entry.span = lines.span(path, docx_field.start, docx_field.end)
    bib.problems = [p for p in bib.problems if p.code != "RW303"] + problems
    return bib

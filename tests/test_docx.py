"""Word drafts: text of paragraphs and footnotes, Zotero/Mendeley citation fields, lint."""

from __future__ import annotations

import json
from pathlib import Path

import docx
from docx.opc.constants import CONTENT_TYPE as CT
from docx.opc.constants import RELATIONSHIP_TYPE as RT
from docx.opc.packuri import PackURI
from docx.opc.part import Part
from docx.oxml import OxmlElement
from docx.oxml.ns import qn

from relwork_ls.citations.docx import field_bibliography, read_docx
from relwork_ls.cli import main

CHEN = {
    "id": 7,
    "type": "article-journal",
    "title": "Evaluating Large Language Models Trained on Code",
    "author": [
        {"family": "Chen", "given": "Mark"},
        {"family": "Tworek", "given": "Jerry"},
        {"family": "Zaremba", "given": "Wojciech"},
    ],
    "issued": {"date-parts": [[2021]]},
}
HUNTER = {
    "id": "ITEM-1",
    "type": "article-journal",
    "title": "Matplotlib: A 2D graphics environment",
    "author": [{"family": "Hunter", "given": "John D."}],
    "issued": {"date-parts": [[2007]]},
}


def _run(paragraph, element) -> None:
    run = OxmlElement("w:r")
    run.append(element)
    paragraph._p.append(run)


def add_field(paragraph, instruction: str, result: str) -> None:
    """A complex field as Word writes it: begin, instruction, separate, result, end."""
    for kind, text in (("begin", None), ("instr", instruction), ("separate", None)):
        if kind == "instr":
            element = OxmlElement("w:instrText")
            element.set(qn("xml:space"), "preserve")
            element.text = text
        else:
            element = OxmlElement("w:fldChar")
            element.set(qn("w:fldCharType"), kind)
        _run(paragraph, element)
    paragraph.add_run(result)
    end = OxmlElement("w:fldChar")
    end.set(qn("w:fldCharType"), "end")
    _run(paragraph, end)


def zotero(items: list[dict], uris: list[str]) -> str:
    payload = {
        "citationID": "x1",
        "citationItems": [
            {"id": item["id"], "uris": [uri], "itemData": item}
            for item, uri in zip(items, uris, strict=True)
        ],
        "schema": "https://github.com/citation-style-language/schema/raw/master/csl-citation.json",
    }
    return " ADDIN ZOTERO_ITEM CSL_CITATION " + json.dumps(payload) + " "


def add_footnotes(document, texts: list[str]) -> None:
    w = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
    notes = "".join(
        f'<w:footnote w:id="{i}"><w:p><w:r><w:t xml:space="preserve">{t}</w:t></w:r></w:p>'
        "</w:footnote>"
        for i, t in enumerate(texts, start=1)
    )
    xml = (
        f'<?xml version="1.0" encoding="UTF-8" standalone="yes"?><w:footnotes xmlns:w="{w}">'
        '<w:footnote w:type="separator" w:id="-1"><w:p><w:r><w:separator/></w:r></w:p>'
        f"</w:footnote>{notes}</w:footnotes>"
    )
    part = Part(
        PackURI("/word/footnotes.xml"), CT.WML_FOOTNOTES, xml.encode(), document.part.package
    )
    document.part.relate_to(part, RT.FOOTNOTES)


def zotero_document(path: Path) -> Path:
    document = docx.Document()
    document.add_paragraph("Related work")
    first = document.add_paragraph("Codex ")
    add_field(
        first, zotero([CHEN], ["http://zotero.org/users/1/items/ABCD1234"]), "(Chen et al., 2021)"
    )
    first.add_run(" writes code; plots ")
    add_field(
        first,
        " ADDIN CSL_CITATION "
        + json.dumps({"citationItems": [{"id": "ITEM-1", "itemData": HUNTER}]}),
        "(Hunter, 2008)",
    )
    second = document.add_paragraph("Again ")
    add_field(
        second, zotero([CHEN], ["http://zotero.org/users/1/items/ABCD1234"]), "(Chen et al., 2021)"
    )
    second.add_run(" and (Smith et al., 2020).")
    add_footnotes(document, ["This follows Chen et al. (2022)."])
    document.save(str(path))
    return path


def test_text_is_one_paragraph_per_line_with_footnotes_after(tmp_path: Path):
    read = read_docx(zotero_document(tmp_path / "draft.docx"))
    lines = read.text.split("\n")
    assert lines[:4] == [
        "Related work",
        "Codex (Chen et al., 2021) writes code; plots (Hunter, 2008)",
        "Again (Chen et al., 2021) and (Smith et al., 2020).",
        "This follows Chen et al. (2022).",
    ]
    assert read.body_paragraphs == 3
    assert [read.text[f.start : f.end] for f in read.fields] == [
        "(Chen et al., 2021)",
        "(Hunter, 2008)",
        "(Chen et al., 2021)",
    ]
    assert "ADDIN ZOTERO_ITEM CSL_CITATION" in read.fields[0].instruction


def test_field_items_are_the_bibliography(tmp_path: Path):
    path = zotero_document(tmp_path / "draft.docx")
    bib = field_bibliography(read_docx(path), str(path))
    assert [(e.title, e.year) for e in bib.entries] == [
        ("Evaluating Large Language Models Trained on Code", "2021"),
        ("Matplotlib: A 2D graphics environment", "2007"),
    ]
    # Each entry points at the first field that cites it: paragraph 2, character 6.
    assert (bib.entries[0].span.line, bib.entries[0].span.column) == (1, 6)


def test_lint_checks_the_rendered_citations_against_the_field_items(tmp_path: Path, capsys):
    path = zotero_document(tmp_path / "draft.docx")
    assert main(["lint", "--no-config", "--format", "json", str(path)]) == 1
    findings = json.loads(capsys.readouterr().out)["findings"]
    assert [(f["code"], f["line"], f["column"]) for f in findings] == [
        ("RW006", 2, 47),  # "(Hunter, 2008)": the field item says 2007
        ("RW001", 3, 32),  # "(Smith et al., 2020)": typed by hand, in no field
        ("RW006", 4, 14),  # the footnote's "Chen et al. (2022)"
    ]


def test_without_fields_the_reference_list_is_the_bibliography(tmp_path: Path, capsys):
    document = docx.Document()
    document.add_paragraph("We follow Hunter (2007) and Lam et al. (2015).")
    document.add_heading("References", level=1)
    document.add_paragraph("Hunter, J. D. (2007). Matplotlib: A 2D graphics environment. CiSE.")
    document.add_paragraph("Perry, K., & Vining, W. (2022). PVAnalytics. Workshop.")
    path = tmp_path / "paper.docx"
    document.save(str(path))
    assert main(["lint", "--no-config", str(path)]) == 1
    out = capsys.readouterr().out
    assert "paper.docx:1:29: RW001" in out  # Lam et al. is not in the list
    assert "paper.docx:4:1: RW302" in out  # Perry and Vining is never cited


def test_a_damaged_docx_is_reported_not_crashed(tmp_path: Path, capsys):
    (tmp_path / "broken.docx").write_bytes(b"PK\x03\x04 not really a zip")
    main(["lint", "--no-config", str(tmp_path)])
    assert "RW010" in capsys.readouterr().out

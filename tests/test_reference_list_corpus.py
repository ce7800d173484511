"""Reference lists rendered from the real corpus by pandoc, BibTeX + pdflatex + pdftotext."""

from __future__ import annotations

from pathlib import Path

import pytest
from reference_rendering import bbl_pdf_text, csl_style, missing_tools, pandoc_plain, pyrse_inputs

from relwork_ls.bibliography.bbl import load_bbl_text
from relwork_ls.bibliography.latex_text import fold
from relwork_ls.bibliography.reference_list import read_reference_list
from relwork_ls.citations.resolution import normalize_names
from relwork_ls.config import Config
from relwork_ls.lint.run import lint_paths
from relwork_ls.lint.workspace import Workspace


def _lint(path: Path, **workspace: object) -> list[tuple[str, int, str]]:
    result = lint_paths([path], Workspace(Config(root=path.parent), **workspace))  # type: ignore[arg-type]
    return [(f.code, f.span.line, f.message) for f in result.findings]


def _label(names: str, year: str, suffix: str) -> tuple[str, str, str]:
    return normalize_names(fold(names)), year, suffix


@pytest.mark.parametrize("style", ["apa", "chicago", "acl"])
def test_pyrse_book_rendered_by_pandoc(corpus: Path, tmp_path: Path, style: str):
    if missing_tools("pandoc") or csl_style(style) is None:
        pytest.skip("pandoc or the Debian CSL styles are not installed")
    book = corpus / "pyrse-bookdown-md"
    text = pandoc_plain(pyrse_inputs(book), style, book, book / "book.bib")
    if style == "acl":
        # pandoc 2.17's ACL narrative citations print "Fogel (, 2005)"; the comma is the
        # renderer's, not the author's.
        text = text.replace("(, ", "(")
    draft = tmp_path / "book.txt"
    draft.write_text(text, encoding="utf-8")
    findings = _lint(draft)
    # What remains is the authors' own typing in the book: "Moreno-Sanchez et al" without
    # its accent (RW005; RW004 in Chicago, which names all three authors), and a
    # narrative citation after "Following"/"Adding" (RW203).
    unexpected = [
        f
        for f in findings
        if not (f[0] in ("RW004", "RW005") and "Moreno-Sanchez et al" in f[2]) and f[0] != "RW203"
    ]
    assert unexpected == []
    found = read_reference_list(text)
    assert found is not None and len(found.references) >= 40


@pytest.fixture
def pdf_tools() -> None:
    if missing_tools("pdflatex", "pdftotext"):
        pytest.skip("pdflatex or pdftotext (poppler-utils) is not installed")


@pytest.mark.parametrize("mode", ["raw", "layout"])
@pytest.mark.parametrize(
    ("bbl", "count"),
    [("qwen-related-work/refs_v2.bbl", 118), ("batzolis-thesis-apalike/thesis.bbl", 231)],
)
def test_pdf_text_lists_give_bibtex_labels(
    corpus: Path, pdf_tools: None, bbl: str, count: int, mode: str
):
    truth = [_label(b.names, b.year, b.suffix) for b in load_bbl_text((corpus / bbl).read_text())]
    found = read_reference_list(bbl_pdf_text(corpus / bbl, mode))
    assert found is not None
    got = [_label(p.label_names, p.year, p.suffix) for _, p in found.references]
    assert len(truth) == count
    assert got == truth


@pytest.mark.parametrize("mode", ["raw", "layout"])
def test_qwen_draft_against_its_pdf_reference_list(
    corpus: Path, pdf_tools: None, tmp_path: Path, mode: str
):
    folder = corpus / "qwen-related-work"
    draft_text = (folder / "related_work_v2.md").read_text(encoding="utf-8")
    listing = bbl_pdf_text(folder / "refs_v2.bbl", mode)
    draft = tmp_path / "related_work_v2.md"
    draft.write_text(draft_text + "\n\n" + listing, encoding="utf-8")
    with_list = _lint(draft)
    in_text = [(code, line) for code, line, _ in with_list if line < draft_text.count("\n") + 1]
    # The same findings on the text as with refs_v2.bib: "Roziere" twice, two repeated
    # author groups; and the same ten works cited by no draft.
    with_bib = _lint(folder / "related_work_v2.md", extra_bibliographies=[folder / "refs_v2.bib"])
    bib_text = [(code, line) for code, line, _ in with_bib if code != "RW302"]
    assert in_text == bib_text
    assert sorted(c for c, _, _ in with_list if c == "RW302") == ["RW302"] * 10
    assert {c for c, _, _ in with_list} == {"RW005", "RW202", "RW302"}

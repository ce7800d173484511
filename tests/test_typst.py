"""Typst drafts: @key and #cite(<key>), #bibliography(...), Hayagriva YAML; lint and server."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from relwork_ls.bibliography.hayagriva import load_hayagriva_text, looks_like_hayagriva
from relwork_ls.citations.documents import extract_citations, named_bibliographies
from relwork_ls.cli import main
from relwork_ls.editor.completion import completion_context

REFS = """\
# Examples in the documented Hayagriva format.
harry:
    type: Book
    title: Harry Potter and the Order of the Phoenix
    author: Rowling, J. K.
    date: 2003-06-21

kinetics:
    type: Article
    title: Kinetics and luminescence of the excitations of a nonequilibrium polariton condensate
    author: ["Doan, T. D.", "Tran Thoai, D. B.", "Haug, Hartmut"]
    doi: "10.1103/PhysRevB.102.165126"
    date: 2020-10-14
    parent:
        type: Periodical
        title: Physical Review B

leyen:
    type: Misc
    title: A speech
    author: von der Leyen, Ursula
    date: 2021
"""

PAPER = """\
#set heading(numbering: "1.")
= Introduction <intro>
As @harry shows, and #cite(<kinetics>) confirms; see @intro and @harry[p. 7].
// @commented is not a citation
`@raw` neither, /* nor @block */ but #cite(label("kinetics"), form: "prose") is.
#bibliography("refs.yml", style: "apa")
"""


def keys(text: str) -> list[str]:
    return [w.key for c in extract_citations(text, "typst") for w in c.works]


def test_citations_labels_comments_and_raw():
    assert keys(PAPER) == ["harry", "kinetics", "harry", "kinetics"]
    assert named_bibliographies(PAPER, "typst") == ["refs.yml"]
    assert named_bibliographies('#bibliography(("a.bib", "b.yml"))', "typst") == ["a.bib", "b.yml"]


def test_citations_agree_with_the_typst_compiler(tmp_path: Path):
    typst = pytest.importorskip("typst")
    (tmp_path / "refs.yml").write_text(REFS, encoding="utf-8")
    (tmp_path / "paper.typ").write_text(PAPER, encoding="utf-8")
    cited = json.loads(typst.query(str(tmp_path / "paper.typ"), "cite", field="key"))
    assert [key.strip("<>") for key in cited] == keys(PAPER)


def test_an_address_in_markup_is_a_reference_as_in_typst():
    # Typst reads "someone@example.com" as a reference to <example.com>.
    assert keys("Mail someone@example.com today.") == ["example.com"]


def test_hayagriva_entries_and_positions():
    bib = load_hayagriva_text(REFS, "refs.yml")
    assert [e.key for e in bib.entries] == ["harry", "kinetics", "leyen"]
    harry, kinetics, leyen = bib.entries
    assert (harry.span.line, harry.span.column) == (1, 0)
    assert harry.year == "2003" and harry.authors[0].display_surname() == "Rowling"
    assert kinetics.venue == "Physical Review B"
    assert kinetics.doi == "10.1103/PhysRevB.102.165126"
    assert [a.display_surname() for a in kinetics.authors] == ["Doan", "Tran Thoai", "Haug"]
    assert leyen.authors[0].display_surname() == "von der Leyen"
    assert looks_like_hayagriva(REFS)
    assert not looks_like_hayagriva("book_filename: py-rse\noutput_dir: _book\n")


def test_hayagriva_syntax_error_is_a_problem():
    bib = load_hayagriva_text("a:\n  title: [unclosed\n", "refs.yml")
    assert [p.code for p in bib.problems] == ["RW303"]


def test_lint_typst_draft(tmp_path: Path, capsys):
    (tmp_path / "refs.yml").write_text(REFS, encoding="utf-8")
    (tmp_path / "paper.typ").write_text(PAPER + "And @kinetcs.\n", encoding="utf-8")
    # A YAML file that is not a bibliography is not taken for one.
    (tmp_path / "_config.yml").write_text("title: site\n", encoding="utf-8")
    assert main(["lint", "--no-config", str(tmp_path)]) == 1
    out = capsys.readouterr().out
    assert (
        "paper.typ:7:6: RW007 error undefined citation key 'kinetcs'; did you mean 'kinetics'?"
        in out
    )
    assert "RW302" not in out  # unused entries are reported only on request
    assert "_config.yml" not in out


def test_completion_context_for_typst_keys():
    assert completion_context("As @har", 0, "typst").kind == "key"  # type: ignore[union-attr]
    context = completion_context("see #cite(<kin", 10, "typst")
    assert context is not None and (context.kind, context.prefix, context.start) == (
        "key",
        "kin",
        21,
    )

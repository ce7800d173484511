import textwrap

from relwork_ls.bibliography.bibtex import evaluate_value
from relwork_ls.bibliography.files import bibliography_from_text

BROKEN = textwrap.dedent("""\
    @string{acl = {Proc. of ACL}}
    @inproceedings{good1,
      author = "Rozi{\\`e}re, Baptiste and others",
      title = {Code {Llama}},
      booktitle = acl # { 2023},
      month = jan,
      year = 2023
    }
    @article{broken,
      title = {Unbalanced
      year = 2020
    }
    @book{good2, title={Fine}, author={Doe, Jane}, year={2021}}
    @article{good1, title={Again}}
    @misc{nocomma title={x}}
    @misc{dupfield, title={One}, year={2020}, year={2021}}
""")


def test_broken_entries_become_problems_and_the_rest_loads():
    bib = bibliography_from_text(BROKEN, "refs.bib")
    keys = [e.key for e in bib.entries]
    assert keys == ["good1", "good2", "dupfield"]
    problems = {(p.code, p.span.line) for p in bib.problems}
    assert ("RW303", 8) in problems  # the unbalanced entry, 0-based line
    assert ("RW304", 13) in problems  # duplicate key
    assert ("RW303", 14) in problems  # missing comma after key
    assert any(p.code == "RW305" for p in bib.problems)


def test_macros_concatenation_months_and_positions():
    bib = bibliography_from_text(BROKEN, "refs.bib")
    good = bib.entries[0]
    assert good.fields["booktitle"] == "Proc. of ACL 2023"
    assert good.fields["month"] == "January"
    assert good.title == "Code Llama"
    assert good.authors[0].display_surname() == "Rozière"
    assert (good.span.line, good.span.column) == (1, 15)
    assert good.span.end_column == 20


def test_evaluate_value_with_unknown_macro_keeps_its_name():
    assert evaluate_value('{A} # " B" # unknown', {}) == "A Bunknown"

import textwrap

from relwork_ls.bibliography.bibtex import (
    EXPANSION_ALLOWANCE,
    EXPANSION_PER_SOURCE_CHAR,
    MAX_REPORTED_VALUES,
    MAX_VALUE_CHARS,
    evaluate_value,
)
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
    messages = {p.span.line: p.message for p in bib.problems if p.code == "RW303"}
    # Each says what is wrong, and the next entries load: not "the end of the file".
    assert "1 '{' not closed before the next entry" in messages[8]
    assert "no comma after the key 'nocomma'" in messages[14]


def test_an_entry_without_a_key_is_reported():
    bib = bibliography_from_text("@article{, author={Doe, J.}, title={T}, year={2020}}\n", "r.bib")
    assert [(p.code, p.span.line) for p in bib.problems] == [("RW303", 0)]
    assert "entry without a key" in bib.problems[0].message


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


def test_a_repeated_field_keeps_its_first_value_as_bibtex_does():
    # cdl/thesis case: "year={2014}, year = "1986"" — plainnat labels it 2014.
    bib = bibliography_from_text(
        "@article{kingma2014adam, author={Kingma, D. and Ba, J.}, year={2014},\n"
        '  title={Adam}, year = "1986", YEAR = 1999}\n',
        "refs.bib",
    )
    (entry,) = bib.entries
    assert entry.fields["year"] == "2014"
    (problem,) = bib.problems
    assert problem.code == "RW305"
    assert "'year'" in problem.message and "first value" in problem.message


def test_macro_expansion_is_capped_with_a_finding():
    # Issue #10: s_i = s_{i-1} # s_{i-1}, 27 deep, took 2.6 GB.
    chain = ['@string{s0 = "ab"}'] + [
        f"@string{{s{i} = s{i - 1} # s{i - 1}}}" for i in range(1, 28)
    ]
    text = "\n".join(chain) + "\n@article{k, author={A B}, title=s27 # { end}, year=2020}\n"
    bib = bibliography_from_text(text, "refs.bib")
    (entry,) = bib.entries
    assert len(entry.fields["title"]) == MAX_VALUE_CHARS
    assert entry.fields["title"].startswith("abab")
    problems = [p for p in bib.problems if p.code == "RW306"]
    # s16 is the first over the cap; ten are reported one by one, then one summary that
    # counts the rest (s26, s27 and the title built from them).
    assert problems[0].message.startswith("@string 's16' is longer than 100,000 characters")
    assert problems[0].span.line == 16
    assert len(problems) == MAX_REPORTED_VALUES + 1
    assert problems[-1].message.startswith("3 more values")
    assert problems[-1].span.line == 26


def test_evaluate_value_cuts_expansion_at_the_limit():
    assert evaluate_value("a#a#a#a", {"a": "xyz"}, limit=10) == "xyzxyzxyzx"
    # Text written out in full is never cut: the file's size bounds it.
    assert evaluate_value("{abcdefghijkl}", {}, limit=3) == "abcdefghijkl"
    assert evaluate_value("{abcdefghijkl} # {m}", {}, limit=3) == "abcdefghijklm"


def test_the_expansion_budget_bounds_a_whole_file():
    # Each value stays under the per-value cap, but together they would be huge.
    big = "x" * 90_000
    entries = "".join(f"@misc{{k{i}, title = s # s}}\n" for i in range(200))
    text = f'@string{{s = "{big}"}}\n' + entries
    bib = bibliography_from_text(text, "refs.bib")
    total = sum(len(e.fields["title"]) for e in bib.entries)
    assert total <= EXPANSION_ALLOWANCE + EXPANSION_PER_SOURCE_CHAR * len(text)
    assert bib.entries[0].fields["title"] == big + big[: MAX_VALUE_CHARS - len(big)]
    assert bib.entries[-1].fields["title"] == ""
    assert any(p.code == "RW306" and "more values" in p.message for p in bib.problems)


def test_a_deeply_nested_field_loads_with_a_finding():
    # Issue #10 (5,000 nested \emph) and #17 (200 nested): no RecursionError, a finding.
    for depth in (200, 5000):
        title = "\\emph{" * depth + "Deep" + "}" * depth
        bib = bibliography_from_text(
            f"@article{{k, author={{A B}}, title={{{title}}}, year=2020}}\n", "refs.bib"
        )
        (entry,) = bib.entries
        assert entry.title == "Deep"
        (problem,) = bib.problems
        assert problem.code == "RW306" and f"nests braces {depth:,} deep" in problem.message

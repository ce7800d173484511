import pytest

from relwork_ls.bibliography.bbl import load_bbl_text
from relwork_ls.bibliography.csl import load_csl_text
from relwork_ls.bibliography.files import bibliography_from_text
from relwork_ls.bibliography.labels import compute_labels

CSL = """[
  {"id": "smith2020", "type": "article-journal", "title": "A study",
   "author": [{"family": "Smith", "given": "Ann"}, {"family": "Jones", "given": "B."}],
   "issued": {"date-parts": [[2020, 5]]}, "DOI": "10.1/x"},
  {"id": "oord2016", "title": "WaveNet",
   "author": [{"family": "Oord", "given": "Aäron", "non-dropping-particle": "van den"},
              {"family": "B"}, {"family": "C"}],
   "issued": {"literal": "2016"}},
  {"id": "who", "author": [{"literal": "World Health Organization"}], "issued": {"date-parts": [[2021]]}}
]"""


def test_csl_json_entries_and_labels():
    bib = bibliography_from_text(CSL, "refs.json")
    labels = {k: v.text() for k, v in compute_labels(bib.entries).items()}
    assert labels == {
        "smith2020": "Smith and Jones, 2020",
        "oord2016": "van den Oord et al., 2016",
        "who": "World Health Organization, 2021",
    }
    assert bib.entries[0].doi == "10.1/x"
    assert bib.entries[1].span.line == 4


def test_csl_json_syntax_error_is_a_problem():
    bib = bibliography_from_text('[{"id": "a",}', "refs.json")
    assert bib.entries == [] and bib.problems[0].code == "RW303"


BBL = r"""\begin{thebibliography}{3}
\bibitem[Xu et~al.(2023{\natexlab{a}})Xu, Sun, and Zheng]{xu2023wizardlm}
Can Xu.
\bibitem[Rozi{\`e}re et~al.(2023)Rozi{\`e}re, Gehring, and
  Gloeckle]{roziere2023code}
\bibitem[{{Anthropic}(2023{\natexlab{b}})}]{anthropic2023b}
\bibitem[Song et~al., 2021a]{song2021maximum}
\bibitem[\protect\citeauthoryear{Liu and Wan}{Liu and Wan}{2021}]{liu}
\end{thebibliography}"""


def test_bbl_grammar_variants():
    got = {label.key: label.text() for label in load_bbl_text(BBL)}
    assert got == {
        "xu2023wizardlm": "Xu et al., 2023a",
        "roziere2023code": "Rozière et al., 2023",
        "anthropic2023b": "Anthropic, 2023b",
        "song2021maximum": "Song et al., 2021a",
        "liu": "Liu and Wan, 2021",
    }


def test_csl_json_wrong_types_are_problems_and_the_item_still_loads():
    source = """[
      {"id": "a", "author": null, "title": "Kept", "issued": {"date-parts": [2021]}},
      {"id": "b", "author": [{"family": "Chen"}, "Tworek", {"family": 3}], "URL": ["x"]},
      {"id": "c", "issued": {"date-parts": [[null]]}, "type": 5}
    ]"""
    bib = bibliography_from_text(source, "refs.json")
    assert [e.key for e in bib.entries] == ["a", "b", "c"]
    first, second, third = bib.entries
    assert (first.title, first.year, first.authors) == ("Kept", "2021", ())
    assert [a.last for a in second.authors] == [("Chen",), ("3",)]
    assert "url" not in second.fields and third.entry_type == "misc"
    messages = [(p.code, p.message) for p in bib.problems]
    assert all(code == "RW016" for code, _ in messages)
    assert sorted(m.split(": ", 1)[1].split(",")[0] for _, m in messages) == [
        "'URL' is a list",
        "'author' is null",
        "'author[1]' is a string",
        "'issued.date-parts' is a list",
    ]
    # Each problem points at its item's id; a number where text is expected is read as text.
    assert {p.span.line for p in bib.problems} == {1, 2}
    assert bib.problems[0].span.column == source.split("\n")[1].index('"a"') + 1


def test_csl_json_too_deep_or_huge_numbers():
    deep = bibliography_from_text("[" * 5000 + "]" * 5000, "refs.json")
    assert deep.problems[0].message.startswith("CSL-JSON nested too deeply")
    huge = bibliography_from_text('[{"id": "a", "volume": ' + "1" * 50_000 + "}]", "r.json")
    assert [e.key for e in huge.entries] == ["a"] and huge.problems == []


def test_csl_json_id_positions_on_one_long_line():
    items = ",".join(f'{{"id": "k{i}", "title": "{"x" * i}"}}' for i in range(200))
    bib = bibliography_from_text("[\n" + items + "]", "refs.json")
    text = "[\n" + items + "]"
    for entry in bib.entries:
        assert entry.span.line == 1
        assert text.split("\n")[1][entry.span.column :].startswith(entry.key + '"')


def test_bbl_style_and_joiner_are_told_from_its_labels():
    from relwork_ls.bibliography.bbl import bbl_style

    assert bbl_style(load_bbl_text(BBL)) == ("natbib", "and")
    apalike = load_bbl_text("\\bibitem[Xu et~al., 2023a]{a}\n\\bibitem[Li \\& Wu, 2020]{b}\n")
    assert bbl_style(apalike) == ("apalike", "&")
    assert bbl_style(load_bbl_text("\\bibitem[Xu(2020)]{x}\n")) == ("natbib", None)


def test_bbl_option_over_lines_and_unclosed_items():
    text = (
        "\\bibitem[Allal et~al.(2023)Allal, Li, Kocetkov,\n  Muennighoff, et~al.]{allal2023}\n"
        "\\bibitem[{Broken(2020)\n"
        "\\bibitem[{{{{Song(2021{\\natexlab{b}})}}}}]{song}\n"
        "\\bibitem[Unclosed key(2019)]{open\n"
        "\\bibitem[Last(2018)]{last}\n"
    )
    labels = {label.key: (label.text(), label.line) for label in load_bbl_text(text)}
    assert labels == {
        "allal2023": ("Allal et al., 2023", 0),
        "song": ("Song, 2021b", 3),
        "last": ("Last, 2018", 5),
    }


@pytest.mark.parametrize("text", ['{"not": "csl"}', '"a string"', "42"])
def test_json_that_is_not_csl_says_so(text):
    bib = load_csl_text(text, "refs.json")
    assert not bib.entries
    assert [p.code for p in bib.problems] == ["RW303"]
    assert "not CSL-JSON" in bib.problems[0].message

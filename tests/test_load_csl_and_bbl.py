from relwork_ls.bibliography.bbl import load_bbl_text
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

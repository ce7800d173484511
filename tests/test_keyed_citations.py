from relwork_ls.citations.documents import extract_citations, named_bibliographies


def keys(text: str, kind: str) -> list[str]:
    return [w.key for c in extract_citations(text, kind) for w in c.works]


def test_latex_cite_family_with_optional_arguments():
    text = (
        r"\citep[e.g.][p.~4]{a, b} \citet{c} \citealp*{d} \parencite{e} \textcite[5]{f}"
        r" \autocite{g} \nocite{*} % \cite{commented}"
    )
    assert keys(text, "latex") == ["a", "b", "c", "d", "e", "f", "g"]


def test_latex_key_spans_are_exact():
    text = r"See \citep{alpha,  beta}."
    (citation,) = extract_citations(text, "latex")
    assert [text[w.start : w.end] for w in citation.works] == ["alpha", "beta"]


def test_pandoc_citations_not_crossrefs_or_emails():
    text = (
        "As [@smith2020; @doe:2019, p. 4] and @jones2021 said [-@roe2018]. "
        "See @fig:one and @tbl:two; mail x@example.com; @url:https://a.org/b; @{odd key}"
    )
    assert keys(text, "markdown") == [
        "smith2020",
        "doe:2019",
        "jones2021",
        "roe2018",
        "url:https://a.org/b",
    ]


def test_bibliographies_named_by_documents():
    assert named_bibliographies(r"\bibliography{refs,more.bib}\addbibresource{x.bib}", "latex") == [
        "refs.bib",
        "more.bib",
        "x.bib",
    ]
    front = "---\ntitle: T\nbibliography:\n- a.json\n- 'b.bib'\n---\ntext"
    assert named_bibliographies(front, "markdown") == ["a.json", "b.bib"]
    assert named_bibliographies("---\nbibliography: refs.bib\n---\n", "markdown") == ["refs.bib"]


def test_latex_documents_also_get_rendered_citations():
    text = r"As \citet{a} showed, and Tian et al. (2024) later confirmed (\textit{see} Xu, 2020)."
    got = [(c.form, [w.key or w.names for w in c.works]) for c in extract_citations(text, "latex")]
    assert got == [("latex", ["a"]), ("narrative", ["Tian et al."]), ("parenthetical", ["Xu"])]

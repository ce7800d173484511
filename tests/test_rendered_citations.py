from helpers import bib, lint_text

from relwork_ls.citations.documents import extract_citations


def works(text: str, kind: str = "text") -> list[tuple[str, str, str]]:
    return [
        (w.names, w.year, w.suffix) if not w.is_keyed else ("@", w.key, "")
        for c in extract_citations(text, kind)
        for w in c.works
    ]


def test_parenthetical_with_compressed_suffixes_and_repeated_names():
    text = "Chat data (Xu et al., 2023b; Xu et al., 2023a,c) grew."
    assert works(text) == [
        ("Xu et al.", "2023", "b"),
        ("Xu et al.", "2023", "a"),
        ("Xu et al.", "2023", "c"),
    ]
    (citation,) = extract_citations(text, "text")
    assert text[citation.start : citation.end] == "(Xu et al., 2023b; Xu et al., 2023a,c)"


def test_semicolon_suffix_list_records_its_separator():
    (citation,) = extract_citations("align (Bai et al., 2022b;c).", "text")
    assert [w.suffix for w in citation.works] == ["b", "c"]
    assert citation.suffix_separators == (";",)


def test_narrative_possessive_and_names_glued_to_a_noun():
    text = "Codex Chen et al. (2021a) and Touvron et al.'s (2023a,b) models."
    got = extract_citations(text, "text")
    assert [w.names for c in got for w in c.works] == [
        "Chen et al.",
        "Touvron et al.",
        "Touvron et al.",
    ]
    # The longer reading is kept for the resolver to try first.
    assert [o.text for o in got[0].works[0].name_options] == ["Codex Chen et al.", "Chen et al."]


def test_notes_two_authors_and_organisations():
    text = (
        "(e.g., Liu & Wan, 2021, p. 4; see also LangChain, Inc., 2023; ChatGLM2 Team, 2023; "
        "OpenAI, 2022; Smith and Jones, 2020)"
    )
    assert works(text) == [
        ("Liu & Wan", "2021", ""),
        ("LangChain, Inc.", "2023", ""),
        ("Team", "2023", ""),
        ("OpenAI", "2022", ""),
        ("Smith and Jones", "2020", ""),
    ]
    (citation,) = extract_citations(text, "text")
    assert [o.text for o in citation.works[2].name_options] == ["ChatGLM2 Team", "Team"]


def test_unicode_and_particle_surnames():
    text = "(Rozière et al., 2023; van den Oord et al., 2016) and Le Scao et al. (2022)"
    names = [w for w in works(text)]
    assert names[0] == ("Rozière et al.", "2023", "")
    assert names[1] == ("van den Oord et al.", "2016", "")
    assert names[2][0] == "Scao et al."


def test_iclr_year_separator_and_plainnat_brackets():
    assert works("(Hu et al., 2021; 2023)") == [
        ("Hu et al.", "2021", ""),
        ("Hu et al.", "2023", ""),
    ]
    assert works("[Xu et al., 2023a,c, Chen et al., 2021a]") == [
        ("Xu et al.", "2023", "a"),
        ("Xu et al.", "2023", "c"),
        ("Chen et al.", "2021", "a"),
    ]


def test_not_citations():
    text = (
        "(10 times larger) (p. 20) (in 2020, GPT-3 appeared) [p. 21–22] "
        "(see Section 2) (2020) and e-mail me at a@b.org."
    )
    assert works(text) == []


def test_excerpt_starting_inside_a_parenthetical():
    text = "\n\nSanh et al., 2021; Longpre et al., 2023). Furthermore (Ouyang et al., 2022)."
    assert [w[0] for w in works(text)] == ["Sanh et al.", "Longpre et al.", "Ouyang et al."]


def test_markdown_code_and_front_matter_are_skipped():
    text = "---\ntitle: (Smith et al., 2020)\n---\n`(Doe et al., 2019)`\n\n```\n(Roe et al., 2018)\n```\n(Poe et al., 2017)"
    assert works(text, "markdown") == [("Poe et al.", "2017", "")]


def test_hostile_line_finishes():
    text = "(" + "Aa " * 100_000 + "2020)" + "x" * 1_000_000
    assert works(text) == []


INVISIBLE_REFS = r"""
@article{chen2021, author={Chen, Mark and Tworek, Jerry and Jun, Heewoo}, year={2021}, title={Codex}}
@article{roziere, author={Rozi{\`e}re, Baptiste and Gehring, Jonas and Gloeckle, F.}, year={2023}, title={Code Llama}}
"""


def test_invisible_characters_from_pdfs_are_matched_through_and_reported():
    from helpers import bib

    from relwork_ls.citations.rendered import invisible_character_findings
    from relwork_ls.citations.resolution import resolve_citations
    from relwork_ls.lint.fixes import apply_edits

    text = (
        "Llama (Ro\u00adzière et al., 2023), Codex (Chen\u200b et al., 2021), "
        "Chen\u2060 et al. (2021) and (Chen et al.,\u200d 2021).\n"
    )
    citations = extract_citations(text, "text")
    # All four are found, and each name keeps its exact span (the invisible character too).
    assert [w.names for c in citations for w in c.works] == [
        "Ro\u00adzière et al.",
        "Chen\u200b et al.",
        "Chen\u2060 et al.",
        "Chen et al.",
    ]
    for citation in citations:
        for work in citation.works:
            for option in work.name_options:
                assert text[option.start : option.start + len(option.text)] == option.text
    # They resolve as if the characters were not there: no finding from resolution.
    resolution = resolve_citations("d.txt", text, citations, bib(INVISIBLE_REFS))
    assert resolution.findings == []
    assert [w.entry.key for w in resolution.works] == [
        "roziere",
        "chen2021",
        "chen2021",
        "chen2021",
    ]
    findings = invisible_character_findings("d.txt", text, citations)
    assert [(f.code, f.span.column, f.span.end_column) for f in findings] == [
        ("RW015", text.index(char), text.index(char) + 1) for char in "\u00ad\u200b\u2060\u200d"
    ]
    assert findings[0].message.startswith(
        "invisible character U+00AD SOFT HYPHEN in '(Rozière et al., 2023)'"
    )
    assert "U+200B ZERO WIDTH SPACE" in findings[1].message
    assert all(f.fix is not None and f.fix.safe for f in findings)
    edits = [edit for f in findings for edit in f.fix.edits]
    assert apply_edits(text, edits) == (
        "Llama (Rozière et al., 2023), Codex (Chen et al., 2021), "
        "Chen et al. (2021) and (Chen et al., 2021).\n"
    )


def test_misspelled_name_with_a_soft_hyphen_is_fixed_whole(tmp_path, capsys):
    from relwork_ls.cli import main

    (tmp_path / "refs.bib").write_text(INVISIBLE_REFS)
    draft = tmp_path / "d.txt"
    draft.write_text("Llama (Ro\u00adziere et al., 2023).\n", encoding="utf-8")
    main(["lint", str(draft), "--bib", str(tmp_path / "refs.bib"), "--fix"])
    capsys.readouterr()
    assert draft.read_text(encoding="utf-8") == "Llama (Rozière et al., 2023).\n"


# Text from a PDF (pdftotext of natbib output), found by tests/test_pdf_papers.py.


def test_citations_broken_across_lines_are_read():
    text = (
        "Prior work covers it (e.g., Eichenbaum et al., 1992;\nDavachi, 2006). As noted\n"
        "by Stankiewicz et al.\n(2006), it is still an open question. See Arnal\n"
        "et al. (2020); Finn (2015)."
    )
    assert works(text) == [
        ("Eichenbaum et al.", "1992", ""),
        ("Davachi", "2006", ""),
        ("Stankiewicz et al.", "2006", ""),
        ("Arnal\net al.", "2020", ""),
        ("Finn", "2015", ""),
    ]
    # Not across a blank line.
    assert works("It is (see Smith\n\n2020) here.") == []


def test_names_hyphenated_at_a_line_end_are_read_whole():
    text = (
        "This is a standard choice (cf. Lep-\nikhin et al., 2020). The results of Holm-\n"
        "gren et al. (2018a) agree with those of Delbecq-\nDerouesne (1989)."
    )
    got = [w.name_options[0].text for c in extract_citations(text, "text") for w in c.works]
    assert got == ["Lep-\nikhin et al.", "Holm-\ngren et al.", "Delbecq-\nDerouesne"]


def test_hyphenated_names_match_the_bibliography():
    index = bib(
        "@article{h, author={Holmgren, W. and Hansen, C. and Mikofski, M.}, year={2018}, title={T}}"
        "@article{d, author={Delbecq-Derouesne, J. and Beauvois, M.}, year={1989}, title={U}}"
        '@article{o, author={{\\"O}zdemir, A. and Kaya, B. and Demir, C.}, year={2005}, title={V}}'
    )
    text = (
        "The results of Holm-\ngren et al. (2018) agree with those of\nDelbecq-\nDerouesne and "
        "Beauvois (1989) and of O\u0308zdemir et al. (2005), whose accent a PDF decomposes."
    )
    assert lint_text(text, index) == []


def test_a_name_tex_broke_before_a_capital_matches_it_written_whole():
    # TeX hyphenates "LeCun" as "Le-⏎Cun" (seen in pdftotext -layout and -raw text of a
    # rendered paper), the same shape as "Delbecq-⏎Derouesne" at its own hyphen.
    index = bib(
        "@article{l, author={LeCun, Y. and Bengio, Y. and Hinton, G.}, year={2015}, title={D}}"
        "@article{d, author={Delbecq-Derouesne, J. and Beauvois, M.}, year={1989}, title={U}}"
    )
    text = (
        "Studied extensively (Zhu, 2017; Le-\nCun et al., 2015), as by Delbecq-\nDerouesne "
        "and Beauvois (1989)."
    )
    assert [f.code for f in lint_text(text, index) if f.code != "RW001"] == []
    assert lint_text(text.replace("Le-\nCun", "LeCun"), index) == lint_text(text, index)


def test_narrative_with_square_brackets():
    # natbib's square option: \citet gives "Freedman et al. [2003]".
    assert works("See Freedman et al. [2003] and Wang [2021a, p. 3].") == [
        ("Freedman et al.", "2003", ""),
        ("Wang", "2021", "a"),
    ]


def test_narrative_names_do_not_reach_into_a_heading_line():
    (citation,) = extract_citations("2 Related Work\nWang et al. (2021) studied it.", "text")
    assert [o.text for o in citation.works[0].name_options] == ["Wang et al."]


def test_excerpt_starting_inside_a_parenthetical_that_spans_lines():
    # pdftotext can move a citation's tail into another paragraph.
    text = "Introduction\n\n2010; Warrington and Shallice, 1969, and references\ntherein). Then"
    assert works(text) == [("Warrington and Shallice", "1969", "")]


def test_a_short_line_whose_names_go_on_in_the_next_is_prose_not_a_heading():
    from relwork_ls.citations.documents import extract_citations

    (cited,) = extract_citations("As Liu\net al. (2021) show.\n", "markdown")
    assert cited.works[0].names == "Liu\net al."
    # A heading above a narrative citation is still left out of its names.
    (after_heading,) = extract_citations("2 Related Work\nSee Liu and Wan (2021).\n", "text")
    assert after_heading.works[0].names == "Liu and Wan"

from helpers import bib, codes, lint_text

REFS = """
@article{chen2021codex, author={Chen, Mark and Tworek, Jerry and Jun, Heewoo}, year={2021},
  title={Evaluating Large Language Models Trained on Code}}
@article{xu2023a, author={Xu, Benfeng and Yang, An and Lin, Junyang}, year={2023}, title={ExpertPrompting}}
@article{xu2023b, author={Xu, Can and Sun, Qingfeng and Zheng, Kai}, year={2023}, title={WizardLM}}
@article{roziere, author={Rozi{\\`e}re, Baptiste and Gehring, Jonas and Gloeckle, Fabian}, year={2023},
  title={Code Llama}}
@article{liu2021, author={Liu, Chenxiao and Wan, Xiaojun}, year={2021}, title={CodeQA}}
@article{yang2023, author={Yang, Jianxin}, year={2023}, title={Firefly}}
@misc{langchain, author={{LangChain, Inc.}}, year={2023}, title={LangChain}}
@misc{mosaic, author={{Mosaic ML}}, year={2023}, title={MPT-30B}}
"""


def test_clean_document_has_no_findings():
    index = bib(REFS)
    text = (
        "Codex Chen et al. (2021) and others (Xu et al., 2023a,b; Rozière et al., 2023; "
        "Liu and Wan, 2021; Yang, 2023; LangChain, Inc., 2023; Mosaic ML, 2023). "
        "In 2020 (GPT-3, 2020) things changed (see Section 3)."
    )
    assert lint_text(text, index) == []


def test_rw001_unresolved_suggests_nearest():
    (finding,) = lint_text("(Zhang et al., 2023)", bib(REFS))
    assert finding.code == "RW001"
    near = lint_text("(Chan et al., 2019)", bib(REFS))
    assert codes(near) == ["RW001"] and "Evaluating Large Language Models" in near[0].message


def test_suffixless_label_is_consistent_when_one_of_the_group_is_cited():
    # Two Xu et al. 2023 works, no suffix: right if the document cites one of them, but
    # the text cannot tell which: information, not an error.
    (finding,) = lint_text("(Xu et al., 2023)", bib(REFS))
    assert finding.code == "RW020" and finding.severity == "info"
    assert "ExpertPrompting" in finding.message and "WizardLM" in finding.message
    assert "cite by key" in finding.message and len(finding.related) == 2


def test_rw002_suffixless_label_beside_a_lettered_one():
    findings = lint_text("(Xu et al., 2023) and (Xu et al., 2023b)", bib(REFS))
    assert codes(findings) == ["RW002"]
    assert "needs a suffix" in findings[0].message
    assert "ExpertPrompting" in findings[0].message and "WizardLM" in findings[0].message


def test_rw002_suffixless_label_when_keys_cite_both():
    text = "(Xu et al., 2023) [@xu2023a; @xu2023b]"
    assert codes(lint_text(text, bib(REFS), "markdown")) == ["RW002"]
    # One of them cited by key: the suffix-less label is that one.
    assert lint_text("(Xu et al., 2023) [@xu2023b]", bib(REFS), "markdown") == []


def test_rw003_superfluous_and_unknown_suffix():
    text = "Codex Chen et al. (2021a); (Xu et al., 2023c)"
    findings = lint_text(text, bib(REFS))
    assert codes(findings) == ["RW003", "RW003"]
    assert "Evaluating Large Language Models Trained on Code" in findings[0].message
    assert findings[0].fix is not None and findings[0].fix.edits[0].new_text == ""
    assert (findings[0].span.column, findings[0].span.end_column) == (6, 25)


def test_rw004_wrong_author_form():
    findings = lint_text("(Liu et al., 2021)", bib(REFS))
    assert codes(findings) == ["RW004"]
    # "Liu et al." may be a three-author work missing from the bibliography: unsafe.
    assert findings[0].fix.edits[0].new_text == "Liu and Wan" and not findings[0].fix.safe
    assert lint_text("(Liu and Wan, 2021)", bib(REFS)) == []


def test_rw005_accent_variant_and_rw001_for_one_edit():
    findings = lint_text("(Roziere et al., 2023) and (Rozire et al., 2023)", bib(REFS))
    assert codes(findings) == ["RW005", "RW001"]
    assert findings[0].fix.edits[0].new_text == "Rozière et al." and findings[0].fix.safe
    # A surname one letter away may be another author: "did you mean", unsafe fix only.
    assert "did you mean Rozière et al., 2023 (Code Llama)" in findings[1].message
    assert findings[1].fix.edits[0].new_text == "Rozière et al." and not findings[1].fix.safe
    # Case alone is not a variant: all-caps names are common in rendered PDFs.
    assert lint_text("(ROZIÈRE et al., 2023)", bib(REFS)) == []


def test_rw006_year_off_for_a_unique_candidate():
    findings = lint_text("Yang (2022) built Firefly.", bib(REFS))
    assert codes(findings) == ["RW006"]
    assert findings[0].fix.edits[0].new_text == "2023"


def test_rw007_and_rw008_keys():
    index = bib(REFS)
    latex = lint_text(r"\citep{chen2021codex,Roziere,nosuchkey,xu2023z}", index, "latex")
    assert codes(latex) == ["RW008", "RW007", "RW007"]
    assert "'xu2023a'" in latex[2].message or "'xu2023b'" in latex[2].message
    # A guessed key is offered as a fix, but not applied unattended.
    assert latex[2].fix is not None and not latex[2].fix.safe
    assert latex[2].fix.edits[0].new_text in ("xu2023a", "xu2023b")
    assert latex[1].fix is None  # nothing close to 'nosuchkey'
    assert latex[0].fix.edits[0].new_text == "roziere"
    pandoc = lint_text("[@chen2021codex; @Roziere]", index, "markdown")
    assert codes(pandoc) == ["RW007"]


def test_bare_capitalised_word_without_any_candidate_is_not_reported():
    # Models, acronyms, words that stand before a year, words of the bibliography's titles
    # ("ExpertPrompting" and "WizardLM" are titles there; "Llama" is a title word).
    text = "(GPT-4, 2023), (BERT, 2019), (Table, 2020), (Llama, 2023) and (December, 2022)"
    assert lint_text(text, bib(REFS)) == []


def test_a_surname_with_a_year_in_parentheses_is_a_missing_work():
    findings = lint_text("As (Zhang, 2017) and (O'Neil, 2019) show; Zhang (2017) too.", bib(REFS))
    assert codes(findings) == ["RW001", "RW001"]
    assert "no work by Zhang at all" in findings[0].message
    # In prose, a capitalised word before a year may be anything: only the parenthetical.
    assert findings[0].span.column == 4 and findings[1].span.column == 22


def test_two_letters_on_a_lone_work_are_not_merged_by_a_safe_fix():
    # "2023a" and "2023b" for the only Chen et al. 2023 work: one is probably a work
    # missing from the bibliography; removing both letters would make them one citation.
    findings = lint_text("(Chen et al., 2021a) and (Chen et al., 2021b)", bib(REFS))
    assert codes(findings) == ["RW003", "RW003"]
    assert all("missing from the bibliography" in f.message for f in findings)
    assert all(f.fix is not None and not f.fix.safe for f in findings)
    # One letter alone on it: the same work, the fix is safe.
    (alone,) = lint_text("(Chen et al., 2021a)", bib(REFS))
    assert alone.fix is not None and alone.fix.safe


def test_rw001_for_a_misspelt_name_broken_across_lines():
    # pdftotext breaks lines inside citations; "et al." on the next line is still "et al.".
    (finding,) = lint_text("Prior work (e.g., Chne\net al., 2021; Yang, 2023) agrees.", bib(REFS))
    assert finding.code == "RW001" and "Chne" in finding.message


def test_rw001_offers_the_name_with_two_letters_swapped():
    index = bib("@book{noble, author={Noble, Safiya Umoja}, year={2018}, title={Algorithms}}")
    (finding,) = lint_text("Following Nbole (2018), we look at search engines.", index)
    assert finding.code == "RW001" and "Noble" in finding.message
    assert lint_text("Following Noble (2018), we look at search engines.", index) == []


def test_rw001_for_a_misspelt_single_name_with_two_works_that_year():
    index = bib(
        "@article{n1, author={Neath, Ian}, year={1993}, title={Contextual and distinctive}}"
        "@article{n2, author={Neath, Ian}, year={1993}, title={Distinctiveness and serial}}"
    )
    (finding,) = lint_text("It is related (Naeth, 1993a). See also (Neath, 1993b).", index)
    assert finding.code == "RW001" and "did you mean Neath, 1993" in finding.message
    # No letter in the suggestion: it depends on what the document cites, not the file.
    assert "did you mean Neath, 1993 (" in finding.message


def test_apa_initials_tell_apart_first_authors_of_one_surname_and_year():
    index = bib(
        """
        @article{es13, author={E Smith and S Kellis and P House}, title={Decoding}, year={2013}}
        @article{sb13, author={S M Smith and C F Beckmann and J Andersson}, title={HCP}, year={2013}}
        @article{sv13, author={S M Smith and D Vidaurre and C F Beckmann}, title={Conn}, year={2013}}
        @article{pc15, author={P-H Chen and J Chen and Y Yeshurun}, title={SRM}, year={2015}}
        @article{jc15, author={J Chen and U Hasson and C J Honey}, title={Timescales}, year={2015}}
        """
    )
    text = (
        "Resting state (E. Smith et al., 2013; S. M. Smith, Beckmann, et al., 2013; "
        "S. M. Smith, Vidaurre, et al., 2013). As in P.-H. Chen et al. (2015) and "
        "J. Chen et al. (2015)."
    )
    assert lint_text(text, index) == []
    # Without the initials the three works are not told apart.
    assert codes(lint_text("Resting state (Smith et al., 2013).", index)) == ["RW020"]
    # Initials no author of the group has: nothing is settled by them.
    assert codes(lint_text("Resting state (K. Smith et al., 2013).", index)) == ["RW020"]


def test_no_break_and_thin_spaces_read_as_spaces():
    # HTML (arXiv's HTML papers), Word and some PDF text tie names with U+00A0 or U+202F.
    index = bib(
        """
        @article{vdm, author={van der Maaten, Laurens and Hinton, Geoffrey}, title={t-SNE}, year={2008}}
        @article{meta, author={{Meta AI}}, title={Llama 3}, year={2024}}
        """
    )
    text = (
        "As van\u00a0der\u00a0Maaten and Hinton\u00a0(2008) show; (Meta\u202fAI,\u00a02024) "
        "and (van der Maaten and\u2009Hinton, 2008)."
    )
    assert lint_text(text, index) == []


def test_short_surnames_and_particles_in_parentheses_are_missing_works():
    findings = lint_text("(Wu, 2020), (Li, 2021), (van der Berg, 2017), (Go, 2009).", bib(REFS))
    messages = [f.message for f in findings]
    assert codes(findings) == ["RW001"] * 3, messages  # "Go" is a word, not a surname
    assert "no work by Wu at all" in messages[0]
    assert "nearest: Liu and Wan, 2021" in messages[1]
    assert "'van der Berg, 2017'" in messages[2]
    # A surname with works in the bibliography: the author form is what is off.
    assert codes(lint_text("(Xu, 2023a,c)", bib(REFS)))[0] == "RW004"


def test_apa_lists_and_initials_broken_across_lines():
    index = bib(
        """
        @article{b1, author={Bates, D. and M{\\"a}chler, M. and Bolker, B.}, title={lme4}, year={2015}}
        @article{b2, author={Bates, D. and Kliegl, R. and Vasishth, S.}, title={Parsimonious}, year={2015}}
        @article{pc15, author={P-H Chen and J Chen and Y Yeshurun}, title={SRM}, year={2015}}
        @article{jc15, author={J Chen and U Hasson and C J Honey}, title={Timescales}, year={2015}}
        """
    )
    text = (
        "Models (Bates, Mächler, et al., 2015; Bates, Kliegl, et\nal., 2015) were fit by\n"
        "P.-H. Chen\net al. (2015), and by J. Chen et al. (2015) and (Bates, Kli-\negl, et al., 2015)."
    )
    assert lint_text(text, index) == []


def test_a_name_hyphenated_at_a_windows_line_end_is_read_whole():
    text = "Trained by Roz-\r\niere et al. (2023) here. Code (Rozi-\r\nere et al., 2023) works.\r\n"
    assert codes(lint_text(text, bib(REFS))) == ["RW005", "RW005"]


def test_apa_initials_with_a_two_author_list_and_et_al_are_two_works():
    index = bib(
        """
        @article{sj98, author={E Smith and J Jonides}, title={Storage}, year={1998}}
        @article{se98, author={E Smith and J Jonides and C Marshuetz and R A Koeppe}, title={Components}, year={1998}}
        """
    )
    assert lint_text("Memory (E. Smith & Jonides, 1998; E. Smith et al., 1998).", index) == []

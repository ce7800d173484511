from relwork_ls.bibliography.latex_text import fold, latex_to_unicode, purify, sortify


def test_accents_become_unicode():
    assert latex_to_unicode("Rozi{\\`e}re") == "Rozière"
    assert latex_to_unicode("Rozi\\`{e}re") == "Rozière"
    assert latex_to_unicode('{\\O}stergaard and Sch{\\"a}rli') == "Østergaard and Schärli"


def test_braces_ties_and_ampersand():
    assert latex_to_unicode("{Mosaic ML}") == "Mosaic ML"
    assert latex_to_unicode("Xu et~al.") == "Xu et al."
    assert latex_to_unicode("Scaling \\& Insights") == "Scaling & Insights"


def test_plain_text_untouched():
    assert latex_to_unicode("  Plain   title ") == "Plain title"


def test_purify_follows_bibtex():
    assert purify("Rozi{\\`e}re") == "Roziere"
    assert purify("{\\ss}uper") == "ssuper"
    assert purify("Allen-Zhu") == "Allen Zhu"
    assert purify("Xu et~al.(2023") == "Xu et al2023"
    assert sortify("{OpenAI}(2023") == "openai2023"


def test_fold_ignores_accents_and_case():
    assert fold("Rozière") == fold("ROZIERE")
    assert fold("Łukasz Øst") == "lukasz ost"

import pytest

from relwork_ls.bibliography.latex_text import (
    brace_depth,
    flat_latex_to_text,
    fold,
    latex_to_unicode,
    purify,
    sortify,
)


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


def test_tilde_accent_keeps_its_letter_and_a_bare_tie_is_a_space():
    # Issue #16: "\~" was turned into a space before decoding ("Go ni").
    assert latex_to_unicode("Go{\\~n}i") == "Goñi"
    assert latex_to_unicode("Pe\\~na") == "Peña"
    assert latex_to_unicode("V{\\~o}") == "Võ"
    assert latex_to_unicode("Mu\\~{n}oz") == "Muñoz"
    assert latex_to_unicode("Jo{\\~a}o") == "João"
    assert latex_to_unicode("Nguy{\\~{\\^e}}n") == "Nguyễn"
    assert latex_to_unicode("van~den~Oord") == "van den Oord"
    assert latex_to_unicode("Go{\\~n}i et~al.") == "Goñi et al."


@pytest.mark.parametrize(
    ("source", "expected"),
    [
        ("\\`a", "à"),
        ("\\'a", "á"),
        ("\\^a", "â"),
        ('\\"a', "ä"),
        ("\\~a", "ã"),
        ("\\=a", "ā"),
        ("\\.z", "ż"),
        ("\\u{g}", "ğ"),
        ("\\v{s}", "š"),
        ("\\H{o}", "ő"),
        ("\\c{c}", "ç"),
        ("\\d{a}", "ạ"),
        ("\\b{b}", "ḇ"),
        ("\\r{a}", "å"),
        ("\\k{a}", "ą"),
        ("\\'{\\i}", "í"),
    ],
)
def test_every_accent_command_decodes_to_the_accented_letter(source, expected):
    for written in (source, "{" + source + "}"):
        assert latex_to_unicode(f"X{written}Y") == f"X{expected}Y"
        # The flat decoder (used past the depth limit) agrees.
        assert flat_latex_to_text(f"X{written}Y") == f"X{expected}Y"


def test_flat_decoder_drops_commands_and_braces_and_keeps_escapes():
    assert (
        flat_latex_to_text("\\emph{Deep} {\\ss}ler \\& {\\O}st~x 50\\%") == "Deep ßler & Øst x 50%"
    )
    assert flat_latex_to_text("\\textbf{\\~ n}") == "ñ"


def test_text_nested_past_the_depth_limit_is_decoded_without_the_parser():
    # Issue #10: 5,000 nested \emph{ raised RecursionError from the LaTeX parser.
    deep = "\\emph{" * 5000 + "Deep {\\~n}" + "}" * 5000
    assert brace_depth(deep) == 5001
    assert latex_to_unicode(deep) == "Deep ñ"
    author = "{\\emph{" * 3000 + "Dupont" + "}}" * 3000
    assert latex_to_unicode(author) == "Dupont"
    # Issue #17: 200 levels, past what pylatexenc can parse, must read too.
    assert latex_to_unicode("\\emph{" * 200 + "T\\'itle" + "}" * 200) == "Títle"


def test_deep_nesting_without_braces_falls_back_instead_of_failing():
    # Environments nest without braces, so only the parser finds out: it recurses and fails.
    text = "\\begin{a}" * 5000 + "x"
    assert brace_depth(text) == 1
    assert latex_to_unicode(text) == "a" * 5000 + "x"


def test_brace_depth_ignores_escaped_braces():
    assert brace_depth("\\{\\{\\{a") == 0
    assert brace_depth("{a{b}}{c}") == 2


def test_quote_and_dash_ligatures_read_as_pylatexenc_reads_them():
    from relwork_ls.bibliography.latex_text import latex_to_unicode

    assert latex_to_unicode("Agents for ``Mind'' Exploration") == "Agents for “Mind” Exploration"
    assert latex_to_unicode("{CAMEL}: pages 20--25---or not") == "CAMEL: pages 20–25—or not"

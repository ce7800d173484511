"""The fast paths of bibliography loading give exactly what the general ones give.

- ``fast_blocks`` (regular expressions) vs bibtexparser's splitter, on every .bib of the
  corpus and on random bibliography-like text: the same blocks, or None (bibtexparser
  then reads the file);
- the name tokenizer's split for names without braces or commas vs the character loop;
- ``sortify`` of plain ASCII vs purify$ then lowercase;
- accents-only LaTeX decoded by the flat decoder vs pylatexenc;
- BibTeX sort names sortified joined vs name by name.
"""

from __future__ import annotations

import unicodedata
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from relwork_ls.bibliography import bibtex, reference_list
from relwork_ls.bibliography import labels as labels_module
from relwork_ls.bibliography.bibtex_blocks import fast_blocks
from relwork_ls.bibliography.latex_text import (
    _ACCENTS_ONLY,
    _parse_latex,
    ascii_lower,
    flat_latex_to_text,
    latex_to_unicode,
    purify,
    sortify,
)
from relwork_ls.bibliography.names import _tokenize, _tokenize_by_character, parse_names
from relwork_ls.citations.index import folded_names, normalize_names

ROOT = Path(__file__).resolve().parents[1]


def corpus_bibs(corpus: Path) -> list[Path]:
    return sorted(corpus.rglob("*.bib"))


def test_fast_blocks_equal_bibtexparser_on_every_corpus_bib(corpus):
    paths = corpus_bibs(corpus) + sorted((ROOT / "examples").rglob("*.bib"))
    assert len(paths) >= 7
    for path in paths:
        text = path.read_bytes().decode("utf-8-sig", errors="replace")
        fast = fast_blocks(text)
        assert fast is not None, f"{path.name}: a clean real file should take the fast path"
        assert fast == bibtex.bibtexparser_blocks(text), path.name


def test_both_readers_load_the_same_bibliography(corpus, monkeypatch):
    for path in corpus_bibs(corpus):
        text = path.read_text(encoding="utf-8", errors="replace")
        fast = bibtex.load_bibtex_text(text, str(path))
        monkeypatch.setattr(bibtex, "fast_blocks", lambda _text: None)
        slow = bibtex.load_bibtex_text(text, str(path))
        monkeypatch.undo()
        assert snapshot(fast) == snapshot(slow), path.name


def snapshot(bib):
    entries = [
        (e.key, e.entry_type, e.fields, e.authors, e.editors, e.span, e.source_format)
        for e in bib.entries
    ]
    return entries, bib.problems


# Pieces of bibliography-like text, broken and whole: block starts, delimiters, escapes,
# the {"} quote, a block start at the beginning of a line inside a value, "(" blocks.
BIB_PIECES = st.sampled_from(
    [
        "@article{",
        "@misc{",
        "@string{",
        "@comment{",
        "@preamble{",
        "@book(",
        "@ Misc {",
        "@",
        "\n@inproceedings{",
        "key",
        "k2",
        ",",
        " = ",
        "=",
        "{",
        "}",
        '"',
        '{"}',
        "\\",
        "\\{",
        "\\}",
        '\\"',
        "\n",
        " ",
        "\t",
        "#",
        "(",
        ")",
        "title",
        "author",
        "Doe, J. and Roe, R.",
        "2020",
        "jan",
        "é",
        "mail@example.org",
        "LeQua @ {CLEF}",
    ]
)


@settings(max_examples=1500, deadline=None)
@given(st.lists(BIB_PIECES, max_size=40).map("".join))
def test_fast_blocks_are_bibtexparsers_or_decline(text):
    fast = fast_blocks(text)
    if fast is not None:
        assert fast == bibtex.bibtexparser_blocks(text)


FIELD_VALUES = st.sampled_from(
    [
        "{Plain}",
        '"Quoted, with {Braces} and a {"} quote"',
        "{Nested {deeper {still}} text, with commas}",
        "{Escaped \\{ brace \\} and \\, comma}",
        "2020",
        "jan",
        "macro # { tail}",
        "{Caf{\\'e} and Stra{\\ss}e}",
        "{An @ sign}",
        "{A line that ends in a backslash\\\n and goes on}",
        "{}",
        '""',
    ]
)
FIELD_NAMES = st.sampled_from(["title", "author", "year", "Journal", "note", "TITLE"])


@st.composite
def clean_entries(draw):
    """Well-formed entries (a repeated field or key now and then)."""
    kind = draw(st.sampled_from(["article", "Misc", "inproceedings", "string"]))
    key = draw(st.sampled_from(["a1", "b2", "Smith:2020", "x"]))
    if kind == "string":
        return f"@string{{{key} = {draw(FIELD_VALUES)}}}\n"
    fields = draw(st.lists(st.tuples(FIELD_NAMES, FIELD_VALUES), max_size=5))
    body = ",\n  ".join(f"{name} = {value}" for name, value in fields)
    trailing = draw(st.sampled_from(["", ",", "\n"]))
    separator = ",\n  " if body else ""
    return f"@{kind}{{{key}{separator}{body}{trailing}}}\n"


@settings(max_examples=500, deadline=None)
@given(st.lists(clean_entries(), min_size=1, max_size=6).map("".join))
def test_fast_blocks_read_clean_files_as_bibtexparser_does(text):
    fast = fast_blocks(text)
    assert fast is not None
    assert fast == bibtex.bibtexparser_blocks(text)


def test_lines_are_counted_as_bibtexparser_counts_them():
    # bibtexparser does not count a newline right after a backslash; spans follow it.
    text = "@misc{a, note = {C:\\\n}}\n\n@misc{b, title = {x}}\n"
    blocks = fast_blocks(text)
    assert blocks is not None
    assert blocks == bibtex.bibtexparser_blocks(text)
    assert [block.start_line for block in blocks] == [0, 2]


def test_fast_blocks_decline_what_only_bibtexparser_reads():
    # A syntax error, a "(" block, and a block start at the start of a line in a value.
    for text in (
        "@article{a, title = {Unclosed}\n@misc{b, title={x}}\n",
        "@article(a, title = {x})\n",
        "@article{a, title = {one\n@misc{b, title={x}}}}\n",
        "@article{a title = {x}}\n",
    ):
        assert fast_blocks(text) is None
        assert bibtex.load_bibtex_text(text, "x.bib") is not None


NAME_CHARACTERS = st.sampled_from(list(" \t\n\r-~,abAB{}\\é.") + ["van ", "Jr", "{\\'e}"])


@settings(max_examples=2000, deadline=None)
@given(st.lists(NAME_CHARACTERS, max_size=14).map("".join))
def test_name_tokens_split_at_once_as_character_by_character(name):
    fast = _tokenize(name)
    slow = _tokenize_by_character(name.rstrip(" \t\n\r-~,"))
    assert (fast.tokens, fast.seps, fast.commas) == (slow.tokens, slow.seps, slow.commas)


@settings(max_examples=1000, deadline=None)
@given(st.text(alphabet=st.characters(max_codepoint=127), max_size=30))
def test_ascii_names_need_no_folding(text):
    # The name lookups of an index skip folding for ASCII label names.
    assert folded_names(text) == normalize_names(text)


@settings(max_examples=2000, deadline=None)
@given(st.text(alphabet=st.characters(max_codepoint=127), max_size=20))
def test_sortify_of_ascii_in_one_pass(text):
    assert sortify(text) == ascii_lower(purify(text))


LATEX_PIECES = st.sampled_from(
    [
        *"aBé ~{}-'`!?<>.,1&#_^\n\t$%",
        "x y",
        "ß",
        "İ",
        "²",
        "\\\\",
        "\\ ",
        "\\,",
        *(f"\\{accent}" for accent in "'\"`^~=."),
        *(f"\\{accent}" for accent in "uvHcdbrtk"),
        "\\ss",
        "\\o",
        "\\O",
        "\\l",
        "\\L",
        "\\ae",
        "\\AE",
        "\\oe",
        "\\OE",
        "\\aa",
        "\\AA",
        "\\i",
        "\\j",
        *(f"\\{symbol}" for symbol in "&%$#_{}"),
        "{e}",
        "{\\i}",
        "e",
        "n",
        "{}",
        "\\v s",
        "\\H o",
        "\\' a",
    ]
)


def by_pylatexenc(text: str) -> str:
    plain = _parse_latex(text.replace("\\&", "\ue000")).replace("\ue000", "&")
    return unicodedata.normalize("NFC", " ".join(plain.split()))


@settings(max_examples=3000, deadline=None)
@given(st.lists(LATEX_PIECES, min_size=1, max_size=8).map("".join))
def test_accents_only_latex_decodes_as_pylatexenc_does(text):
    if _ACCENTS_ONLY.fullmatch(text):
        flat = unicodedata.normalize("NFC", " ".join(flat_latex_to_text(text).split()))
        assert flat == by_pylatexenc(text)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Go{\\~n}i", "Goñi"),
        ("Mart{\\'\\i}nez", "Martínez"),
        ("Stra{\\ss}e \\& Co", "Straße & Co"),
        ("{\\v S}koda and Dvo\\v r{\\'a}k", "Škoda and Dvořák"),
    ],
)
def test_accented_names_take_the_fast_path(text, expected):
    assert _ACCENTS_ONLY.fullmatch(text)
    assert latex_to_unicode(text) == expected == by_pylatexenc(text)


def test_corpus_latex_decodes_alike_on_both_paths(corpus):
    values = set()
    for path in corpus_bibs(corpus):
        bib = bibtex.load_bibtex_text(path.read_text(encoding="utf-8", errors="replace"), "x")
        for entry in bib.entries:
            values.update(entry.fields.values())
            for person in entry.authors + entry.editors:
                values.update((person.label_form(), person.first_form()))
    simple = [v for v in values if "\\" in v and _ACCENTS_ONLY.fullmatch(v)]
    assert len(simple) > 500
    for value in simple:
        flat = unicodedata.normalize("NFC", " ".join(flat_latex_to_text(value).split()))
        assert flat == by_pylatexenc(value), value


SORT_NAMES = st.lists(
    st.sampled_from(
        [
            "Doe, Jane",
            "van der Berg, Jan",
            "Smith, Jr., John",
            "M. Chen",
            "Rozi{\\`e}re, Baptiste",
            "{OpenAI}",
            "others",
            "de la Fuente, J.",
            "Ávila Pires, B.",
            "O'Neil, K.-L.",
        ]
    ),
    min_size=1,
    max_size=6,
)


@settings(max_examples=500, deadline=None)
@given(SORT_NAMES, st.sampled_from(["2020", "", "2020a", "19xx", "2021--2022"]), st.booleans())
def test_sort_names_joined_as_name_by_name(names, year, initials):
    people = parse_names(" and ".join(names))
    joined = labels_module._sort_names(people, year, initials)
    limit = labels_module._JOINED_SORT_NAMES
    try:
        labels_module._JOINED_SORT_NAMES = 0  # name by name, as BibTeX's loop
        one_by_one = labels_module._sort_names(people, year, initials)
    finally:
        labels_module._JOINED_SORT_NAMES = limit
    assert joined == one_by_one


HEADING_PIECES = st.sampled_from(
    [
        "References",
        "REFERENCES",
        "## Bibliography",
        "# 7. References cited",
        "**Literature Cited**",
        "Works\tCited:",
        "Cited literature",
        "Reference list {#refs}",
        "WORKS CITED",
        "referenceS",
        "Appendix A",
        "Chen, M. (2021a). Codex.",
        "The works of 2020 and the references therein.",
        "  ",
        "\n",
        "\r\n",
        "\n\n",
        "İ",
        "ſ",
        "K",  # the Kelvin sign
        "Workſ cited",  # regex.I reads the long s as an s
        "BİBLIOGRAPHY",
        "WOR\u212aS CITED",  # with a Kelvin sign
        "Rozière",
        "x",
    ]
)


@settings(max_examples=1500, deadline=None)
@given(st.lists(HEADING_PIECES, max_size=14).map("".join))
def test_reference_headings_found_on_keyword_lines_as_everywhere(text):
    spans = [m.span() for m in reference_list._headings(text)]
    assert spans == [m.span() for m in reference_list._HEADING.finditer(text)]

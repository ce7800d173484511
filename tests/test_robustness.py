"""Hostile inputs: never an exception, spans inside the text, bad files reported."""

import json
from pathlib import Path

import pytest
import regex
from hypothesis import given, settings
from hypothesis import strategies as st

from relwork_ls.bibliography.bbl import load_bbl_text
from relwork_ls.bibliography.files import (
    BibliographyError,
    bibliography_from_text,
    load_bibliography,
)
from relwork_ls.bibliography.labels import LabelOptions
from relwork_ls.citations.documents import extract_citations, prose_text
from relwork_ls.citations.resolution import CitationIndex

CITATION_ALPHABET = st.sampled_from(
    list("()[];,.&@\\{}' \n-–abcXYZé")
    + ["et al.", " and ", "2023", "2021a", "Xu", "van ", "\\cite{"]
)


@settings(max_examples=300, deadline=None)
@given(
    st.lists(CITATION_ALPHABET, max_size=60).map("".join),
    st.sampled_from(["text", "markdown", "latex"]),
)
def test_scanner_spans_stay_inside_text(text, kind):
    for citation in extract_citations(text, kind):
        assert 0 <= citation.start <= citation.end <= len(text)
        for work in citation.works:
            assert 0 <= work.start <= work.end <= len(text)
            for option in work.name_options:
                assert text[option.start : option.start + len(option.text)] == option.text


@settings(max_examples=200, deadline=None)
@given(
    st.lists(st.sampled_from([*'@{}=,"#\n ab1%', "author", " and ", "misc"]), max_size=80).map(
        "".join
    )
)
def test_bib_loader_never_raises(source):
    bibliography_from_text(source, "fuzz.bib")


def test_deeply_nested_braces_and_huge_author_list():
    nested = "@misc{deep, title={" + "{" * 5000 + "x" + "}" * 5000 + "}, year={2020}}"
    bib = bibliography_from_text(nested, "deep.bib")
    assert [e.key for e in bib.entries] == ["deep"]
    authors = " and ".join(f"Author{i}, A." for i in range(100_000))
    bib = bibliography_from_text("@misc{many, author={" + authors + "}, year={2020}}", "many.bib")
    assert len(bib.entries[0].authors) == 100_000


def test_binary_and_invalid_utf8_files(tmp_path: Path):
    binary = tmp_path / "bin.bib"
    binary.write_bytes(b"@misc{a,\x00\x01 title={x}}")
    with pytest.raises(BibliographyError, match="binary"):
        load_bibliography(binary)
    latin = tmp_path / "latin.bib"
    latin.write_bytes("@misc{a, author={M\xfcller, A.}, year={2020}}".encode("latin-1"))
    bib = load_bibliography(latin)
    assert [e.key for e in bib.entries] == ["a"]
    assert any("not valid UTF-8" in p.message for p in bib.problems)


@settings(max_examples=300, deadline=None)
@given(st.text(alphabet=st.sampled_from(list("ab\n\r🙂é\u0300 ")), max_size=40), st.data())
def test_position_conversions_round_trip(text, data):
    from relwork_ls.positions import LineIndex

    lines = LineIndex(text)
    offset = data.draw(st.integers(min_value=0, max_value=len(text)))
    line, column = lines.position(offset)
    assert lines.offset(line, column) == offset or text[offset - 1 : offset] == "\r"
    for encoding in ("utf-16", "utf-8", "utf-32"):
        client = lines.to_client(line, column, encoding)
        back = lines.from_client(line, client, encoding)
        assert back <= column and lines.to_client(line, back, encoding) <= client
    # Out-of-range client positions are clamped, never raise.
    assert lines.offset(lines.line_count + 5, 10**6) == len(text)
    assert lines.offset(line, 10**6) == lines.starts[line] + len(lines.line_text(line))
    assert lines.from_client(line, 10**6) == len(lines.line_text(line))


@pytest.mark.parametrize("text", ["\n\n\n\n\n\r", "a\rb\r\nc\nd\r", "\r\r\n\n"])
def test_lone_carriage_returns_break_lines_as_in_lsp(text):
    from relwork_ls.positions import LineIndex

    lines = LineIndex(text)
    assert [lines.line_text(i) for i in range(lines.line_count)] == text.splitlines() + (
        [""] if text.endswith(("\n", "\r")) else []
    )
    for offset in range(len(text) + 1):
        line, column = lines.position(offset)
        assert lines.offset(line, column) == offset or text[offset - 1 : offset] == "\r"


def test_hostile_workspace_lints_without_crashing(tmp_path):
    import json
    import subprocess
    import sys

    (tmp_path / "refs.bib").write_text(
        "@article{ok, author={Liu, Chenxiao and Wan, Xiaojun}, year={2021}, title={T}}\n"
        "@article{bad, title={unbalanced {braces}, year={2020}\n"
        + "@misc{deep, title={"
        + "{" * 3000
        + "x"
        + "}" * 3000
        + "}}\n"
    )
    (tmp_path / "relwork.toml").write_text('bibliographies = ["refs.bib"]\n')
    (tmp_path / "long.txt").write_text("(Liu and Wan, 2021) " + "word " * 200_000)
    (tmp_path / "nul.txt").write_bytes(b"(Liu and Wan, 2021)\x00\x01\x02")
    (tmp_path / "latin1.txt").write_bytes("(Liu and Wan, 2021) M\xfcller".encode("latin-1"))
    (tmp_path / "brackets.md").write_text("(" * 50_000 + "[@ok" + ")" * 50_000)
    result = subprocess.run(
        [sys.executable, "-m", "relwork_ls", "lint", "--format", "json", "."],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode in (0, 1), result.stderr
    found = {(f["path"], f["code"]) for f in json.loads(result.stdout)["findings"]}
    assert ("refs.bib", "RW303") in found
    assert ("nul.txt", "RW010") in found and ("latin1.txt", "RW010") in found
    assert not any(path == "long.txt" for path, _ in found)


# -- the linear scanners agree with the patterns they replace ------------------------------

# What prose_text used before it paired markers itself: lazy patterns, quadratic on
# unclosed openers. The oracle for the differential test below.
_OLD_INLINE_CODE = regex.compile(r"(?<!`)(?P<ticks>`+)(?!`).+?(?<!`)(?P=ticks)(?!`)", regex.S)
_OLD_HTML_COMMENT = regex.compile(r"<!--.*?-->", regex.S)
_OLD_VERBATIM = regex.compile(
    r"\\begin\{(?P<env>verbatim|lstlisting|minted|comment)\*?\}.*?\\end\{(?P=env)\*?\}", regex.S
)


def _blanked(text: str, *patterns: regex.Pattern[str]) -> str:
    """``text`` with the union of the patterns' matches blanked, as prose_text did."""
    chars = list(text)
    for pattern in patterns:
        for match in pattern.finditer(text):
            for i in range(*match.span()):
                if chars[i] != "\n":
                    chars[i] = " "
    return "".join(chars)


MARKDOWN_PIECES = st.sampled_from(["`", "``", "```x", "<!--", "-->", "-", "<!-", "a", " ", "\n"])
LATEX_PIECES = st.sampled_from(
    [
        "\\begin{verbatim}",
        "\\end{verbatim}",
        "\\begin{comment*}",
        "\\end{comment}",
        "\\begin{minted}",
        "\\end{minted*}",
        "x",
        "\n",
    ]
)


@settings(max_examples=400, deadline=None)
@given(st.lists(MARKDOWN_PIECES, max_size=30).map("".join))
def test_markdown_code_spans_and_comments_match_the_old_patterns(text):
    from relwork_ls.citations.documents import _FENCE, _KEY_DEFINITION

    expected = _blanked(text, _FENCE, _OLD_HTML_COMMENT, _OLD_INLINE_CODE, _KEY_DEFINITION)
    assert prose_text(text, "markdown") == expected


@settings(max_examples=400, deadline=None)
@given(st.lists(LATEX_PIECES, max_size=30).map("".join))
def test_latex_verbatim_blanking_matches_the_old_pattern(text):
    assert prose_text(text, "latex") == _blanked(text, _OLD_VERBATIM)


# -- fuzzers that reach backslashes, macros, CSL-JSON and .bbl shapes -----------------------

BIB_VALUE_PIECES = st.sampled_from(
    [
        "\\emph{",
        "{\\'e}",
        '{\\"o}',
        "\\&",
        "\\\\",
        "\\textbf{",
        "{",
        "}",
        "\\",
        "~",
        "Chen",
        " and ",
        "others",
        "von ",
        ", Jr",
        ",",
        "-",
        "$x$",
        "\\ss",
        "%",
        "#",
    ]
)


@st.composite
def bib_sources(draw) -> str:
    macros = draw(st.lists(st.sampled_from(["s", "t", "jan"]), max_size=3, unique=True))
    lines = [
        f"@string{{{name} = {{{draw(st.lists(BIB_VALUE_PIECES, max_size=6).map(''.join))}}}}}"
        for name in macros
    ]
    years = st.sampled_from(["2021", "{2021}", '"20" # "21"', "jan", "{20\\relax21}"])
    for number in range(draw(st.integers(0, 4))):
        author = draw(st.lists(BIB_VALUE_PIECES, max_size=10).map("".join))
        title = draw(st.lists(BIB_VALUE_PIECES, max_size=10).map("".join))
        joined = " # ".join([*macros, "{" + title + "}"])
        year = draw(years)
        lines.append(
            f"@article{{k{number}, author = {{{author}}}, title = {joined}, year = {year}}}"
        )
    return "\n".join(lines)


@settings(max_examples=200, deadline=None)
@given(bib_sources())
def test_bib_with_backslashes_and_macros_loads_and_labels(source):
    bib = bibliography_from_text(source, "fuzz.bib")
    index = CitationIndex(bib, LabelOptions())
    for entry in index.entries_by_key.values():
        assert isinstance(index.label(entry).text(), str)
        assert isinstance(entry.title, str)


JSON_VALUES = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=8),
    lambda inner: (
        st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=6), inner, max_size=3)
    ),
    max_leaves=12,
)
CSL_FIELDS = st.sampled_from(
    ["id", "author", "editor", "issued", "title", "type", "DOI", "URL", "container-title"]
)


@st.composite
def csl_items(draw) -> object:
    item = draw(st.dictionaries(CSL_FIELDS, JSON_VALUES, max_size=6))
    if draw(st.booleans()):
        item["author"] = draw(
            st.lists(st.dictionaries(st.sampled_from(["family", "given", "literal"]), JSON_VALUES))
        )
    if draw(st.booleans()):
        item["issued"] = {"date-parts": draw(JSON_VALUES)}
    return item


@settings(max_examples=300, deadline=None)
@given(st.lists(csl_items(), max_size=5) | JSON_VALUES)
def test_csl_json_of_any_shape_loads_without_raising(data):
    bib = bibliography_from_text(json.dumps(data), "fuzz.json")
    assert {p.code for p in bib.problems} <= {"RW016", "RW303"}
    index = CitationIndex(bib, LabelOptions())
    for entry in index.entries_by_key.values():
        assert isinstance(entry.key, str) and isinstance(index.label(entry).text(), str)


BBL_PIECES = st.sampled_from(
    [
        "\\bibitem",
        "[",
        "]",
        "{",
        "}",
        "(",
        ")",
        "\n",
        " ",
        "Xu et~al.",
        "2023",
        "{\\natexlab{a}}",
        "\\protect\\citeauthoryear{",
        ", ",
        "key",
        "\\",
        "\\&",
    ]
)


@settings(max_examples=300, deadline=None)
@given(st.lists(BBL_PIECES, max_size=40).map("".join))
def test_bbl_garbage_never_hides_a_following_item(garbage):
    text = garbage + "\n\\bibitem[{Last(2018{\\natexlab{b}})}]{lastkey}\n"
    labels = load_bbl_text(text)
    assert labels and labels[-1].key == "lastkey" and labels[-1].text() == "Last, 2018b"
    assert labels[-1].line == text.count("\n", 0, text.rindex("\\bibitem"))
    for label in labels:
        assert label.key in text and 0 <= label.line <= text.count("\n")


DIRECTIVE_PIECES = st.sampled_from(
    [
        "relwork:",
        "RELWORK: ",
        "relwork: ignore",
        " ignore",
        " RW003",
        ",RW10l",
        " rw101",
        "İ",
        "ß",
        "\n",
        "% ",
        "<!-- ",
        " -->",
        "x",
    ]
)


@settings(max_examples=400, deadline=None)
@given(st.lists(DIRECTIVE_PIECES, max_size=25).map("".join))
def test_directive_search_by_find_matches_the_pattern_search(text):
    from relwork_ls.checks.suppression import _directives_by_pattern, directives_of

    assert directives_of(text) == _directives_by_pattern(text)

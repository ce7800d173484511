from hypothesis import given, settings
from hypothesis import strategies as st

from relwork_ls.positions import LineIndex, client_length, position_in


def test_utf16_columns_with_accents_and_emoji():
    text = "🙂 Rozière (Rozière et al., 2023)\nsecond"
    lines = LineIndex(text)
    offset = text.index("(")
    line, column = lines.position(offset)
    assert (line, column) == (0, 10)
    # The emoji is two UTF-16 units and four UTF-8 bytes; è is one unit, two bytes.
    assert lines.to_client(0, column, "utf-16") == 11
    assert lines.to_client(0, column, "utf-8") == 4 + 1 + 8 + 1
    assert lines.from_client(0, 11, "utf-16") == 10
    assert lines.from_client(0, 1, "utf-16") == 0  # inside the surrogate pair rounds down
    assert lines.offset(1, 3) == text.index("second") + 3


def test_clamping_and_crlf():
    lines = LineIndex("ab\r\ncd")
    assert lines.line_text(0) == "ab"
    assert lines.offset(0, 99) == 2
    assert lines.offset(99, 0) == 6
    assert lines.position(-5) == (0, 0)
    assert client_length("a😀", "utf-32") == 2


@settings(max_examples=500, deadline=None)
@given(st.text(alphabet="a\n\r\u2028é", max_size=40), st.integers(-3, 45))
def test_one_position_is_found_as_the_line_index_finds_it(text, offset):
    assert position_in(text, offset) == LineIndex(text).position(offset)

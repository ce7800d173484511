"""All conversions between string offsets, (line, character) and LSP UTF-16/UTF-8 columns."""

from __future__ import annotations

import re
from bisect import bisect_right
from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class SourceSpan:
    """A range in a file: 0-based line and character column, end exclusive."""

    path: str
    line: int
    column: int
    end_line: int
    end_column: int


_LINE_BREAK = re.compile(r"\r\n|\n|\r")


def position_in(text: str, offset: int) -> tuple[int, int]:
    """(line, column) of one offset of ``text``, as ``LineIndex(text).position`` gives it,
    without indexing every line of a long text."""
    if "\r" in text:
        return LineIndex(text).position(offset)
    offset = max(0, min(offset, len(text)))
    return text.count("\n", 0, offset), offset - (text.rfind("\n", 0, offset) + 1)


class LineIndex:
    """Line starts of a text, for offset ↔ (line, column) conversion.

    Columns here are Python string indices within the line (code points); LSP clients
    count UTF-16 code units (or UTF-8 bytes), converted with ``to_client``/``from_client``.
    Lines end at "\\n", "\\r\\n" or a lone "\\r", as LSP defines them.
    """

    def __init__(self, text: str) -> None:
        self.text = text
        self.starts = [0]
        if "\r" in text:
            self.starts.extend(match.end() for match in _LINE_BREAK.finditer(text))
            return
        index = text.find("\n")
        while index >= 0:
            self.starts.append(index + 1)
            index = text.find("\n", index + 1)

    @property
    def line_count(self) -> int:
        return len(self.starts)

    def _content_end(self, line: int) -> int:
        """Offset where ``line``'s text ends (before its line break)."""
        if line + 1 >= len(self.starts):
            return len(self.text)
        end = self.starts[line + 1]
        return end - 2 if self.text[end - 2 : end] == "\r\n" else end - 1

    def line_text(self, line: int) -> str:
        """Text of ``line`` without its line break."""
        if not 0 <= line < len(self.starts):
            return ""
        return self.text[self.starts[line] : self._content_end(line)]

    def position(self, offset: int) -> tuple[int, int]:
        """(line, column) of a string offset, clamped to the text."""
        offset = max(0, min(offset, len(self.text)))
        line = bisect_right(self.starts, offset) - 1
        return line, offset - self.starts[line]

    def span(self, path: str, start: int, end: int) -> SourceSpan:
        """The SourceSpan of the offsets ``start``..``end`` in the file at ``path``."""
        line, column = self.position(start)
        end_line, end_column = self.position(end)
        return SourceSpan(path, line, column, end_line, end_column)

    def offset(self, line: int, column: int) -> int:
        """String offset of (line, column), clamped to the line and the text."""
        if line < 0:
            return 0
        if line >= len(self.starts):
            return len(self.text)
        return self.starts[line] + max(0, min(column, len(self.line_text(line))))

    def to_client(self, line: int, column: int, encoding: str = "utf-16") -> int:
        """A code-point column as the client counts it ("utf-16", "utf-8" or "utf-32")."""
        if not 0 <= line < len(self.starts):
            return 0
        start = self.starts[line]
        line_end = self._content_end(line)
        return client_length(self.text[start : min(start + column, line_end)], encoding)

    def from_client(self, line: int, client_column: int, encoding: str = "utf-16") -> int:
        """The code-point column of a client column; a column inside a character rounds down."""
        text = self.line_text(line)
        if encoding == "utf-32":
            return max(0, min(client_column, len(text)))
        units = 0
        for index, char in enumerate(text):
            width = _char_width(char, encoding)
            if units + width > client_column:
                return index
            units += width
        return len(text)


def _char_width(char: str, encoding: str) -> int:
    if encoding == "utf-8":
        return len(char.encode("utf-8"))
    return 2 if ord(char) > 0xFFFF else 1


def client_length(text: str, encoding: str = "utf-16") -> int:
    """Length of ``text`` in the client's units."""
    if encoding == "utf-32" or text.isascii():
        return len(text)
    if encoding == "utf-8":
        return len(text.encode("utf-8"))
    return len(text.encode("utf-16-le", "surrogatepass")) // 2

"""The blocks of a .bib file, as bibtexparser 2 splits them, found fast when the file is clean.

bibtexparser's splitter walks the file mark by mark in Python, which is most of the time a
large bibliography takes to load. ``fast_blocks`` reads a well-formed file with a few
regular expressions instead and returns exactly the blocks bibtexparser would (same keys,
types, fields, lines and raw text); at the first thing it does not handle identically — a
syntax error, a ``(``-delimited block, a block start inside a block, a key or field name
with a backslash or ``@`` in it — it returns None and the caller lets bibtexparser read the
whole file. ``tests/test_bibtex_blocks.py`` holds the two readers to the same result on
every .bib of the corpus and on random bibliography-like text.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field


@dataclass(slots=True)
class RawBlock:
    """One block of a .bib file, before values are evaluated.

    ``kind`` is "entry", "string", "duplicate" (an entry or @string whose key an earlier
    one has: bibtexparser keeps only the first) or "error" (a syntax error that
    ``message`` describes; the block is skipped).
    """

    kind: str
    start_line: int  # bibtexparser's line of the block's "@"
    raw: str
    key: str = ""
    entry_type: str = ""
    fields: list[tuple[str, str]] = field(default_factory=list)  # (name, raw value)
    previous_line: int = 0  # "duplicate": the line of the first block with this key
    message: str = ""  # "error": what is wrong


# bibtexparser's block start (splitter._BLOCK_START).
_BLOCK_START = re.compile(r"@[\w]*( |\t)*(?=[{(])")
# An entry key or field name: no mark, no escape, no "@" (bibtexparser's marks are the
# characters {}",= not right after a backslash).
_NAME = r'[^{}",=\\@]*'
# Brace groups nested at most this deep are read here; a deeper value goes to bibtexparser.
MAX_FAST_DEPTH = 12


def _braced(depth: int) -> str:
    """The inside of a brace group nested at most ``depth`` deep. Written so that every
    character has one way to match (a backslash takes the brace after it: that brace is
    text to bibtexparser), so a failing match backtracks in linear time."""
    escape = r"(?:\\[{}]|\\(?![{}]))"
    if depth == 0:
        return rf"[^{{}}\\]*(?:{escape}[^{{}}\\]*)*"
    return rf"[^{{}}\\]*(?:(?:{escape}|\{{{_braced(depth - 1)}\}})[^{{}}\\]*)*"


# A quoted string: braces and commas are text; the quote of ``{"}`` is text too.
_QUOTED = r'"[^"\\]*(?:(?:\\"|\\(?!")|(?<=\{)"(?=\}.))[^"\\]*)*(?:(?<!\{)"|"(?!\}.))'
# A field value up to the "," or "}" that ends it, by bibtexparser's rules.
_VALUE = (
    r'[^{}",\\]*(?:(?:\\[{}",]|\\(?![{}",])|'
    + _QUOTED
    + r"|\{"
    + _braced(MAX_FAST_DEPTH)
    + r'\})[^{}",\\]*)*'
)
_ENTRY_KEY = re.compile(rf"({_NAME})([,}}])", re.DOTALL)
# The fields of an entry (each "name = value" ends at a comma or before the closing brace),
# then what is left before the closing brace: only white space in a well-formed entry.
_FIELD = rf"{_NAME}={_VALUE}(?:,|(?=\}}))"
_FIELDS = re.compile(rf"(?:{_FIELD})*({_NAME})\}}", re.DOTALL)
_FIELD_PARTS = re.compile(rf"({_NAME})=({_VALUE})(?:,|(?=\}}))", re.DOTALL)
# The body of @comment, @preamble and @string up to its closing brace (quotes not tracked).
_BODY = re.compile(rf"{_braced(MAX_FAST_DEPTH)}\}}", re.DOTALL)
_STRING_NAME = re.compile(rf"({_NAME})=", re.DOTALL)


def fast_blocks(text: str) -> list[RawBlock] | None:
    """The entry, @string, and duplicate blocks of ``text`` as bibtexparser would split
    them (comments and preambles skipped), or None when bibtexparser must read it."""
    try:
        return _Scanner(text).blocks()
    except _Unsupported:
        return None


class _Unsupported(Exception):
    """Something only bibtexparser reads exactly (an error, a rare construct)."""


class _Scanner:
    def __init__(self, text: str) -> None:
        self.text = text
        self.line = 0  # bibtexparser's count of newlines before ``self.counted``
        self.counted = 0
        self.entries: dict[str, int] = {}  # key → line, as bibtexparser registers them
        self.strings: dict[str, int] = {}
        self.starts: set[int] = set()

    def line_at(self, offset: int) -> int:
        """bibtexparser's line number at ``offset``: it counts the newlines that are marks,
        i.e. not right after a backslash."""
        text = self.text
        newlines = text.count("\n", self.counted, offset)
        if newlines:
            newlines -= text.count("\\\n", max(0, self.counted - 1), offset)
        self.line += newlines
        self.counted = offset
        return self.line

    def blocks(self) -> list[RawBlock]:
        text = self.text
        out: list[RawBlock] = []
        position = 0
        while True:
            match = _BLOCK_START.search(text, position)
            if match is None:
                break
            start = match.start()
            body = match.end()
            if text[body] != "{":
                raise _Unsupported  # "(" blocks: rare; bibtexparser's rules differ there
            self.starts.add(start)
            kind = match.group().lower()
            if kind.startswith("@comment") or kind.startswith("@preamble"):
                position = self._skip_body(body + 1)
                continue
            line = self.line_at(start)
            if kind.startswith("@string"):
                block, position = self._string(start, body + 1, line)
            else:
                block, position = self._entry(start, body + 1, line, kind[1:].strip())
            out.append(block)
        self._check_block_starts()
        return out

    def _skip_body(self, start: int) -> int:
        match = _BODY.match(self.text, start)
        if match is None:
            raise _Unsupported
        return match.end()

    def _string(self, start: int, body: int, line: int) -> tuple[RawBlock, int]:
        text = self.text
        name = _STRING_NAME.match(text, body)
        if name is None:
            raise _Unsupported
        end = self._skip_body(name.end())
        key = name.group(1).strip()
        raw = text[start:end]
        value = text[name.end() : end - 1].strip()
        previous = self.strings.get(key)
        if previous is not None:
            return RawBlock("duplicate", line, raw, key, previous_line=previous), end
        self.strings[key] = line
        return RawBlock("string", line, raw, key, fields=[("", value)]), end

    def _entry(self, start: int, body: int, line: int, entry_type: str) -> tuple[RawBlock, int]:
        text = self.text
        head = _ENTRY_KEY.match(text, body)
        if head is None:
            raise _Unsupported
        key = head.group(1).strip()
        fields: list[tuple[str, str]] = []
        position = head.end()
        repeated = False
        if head.group(2) == ",":
            listing = _FIELDS.match(text, position)
            if listing is None or listing.group(1).strip():
                raise _Unsupported  # a syntax error (a name without "=", no closing brace)
            # The fields matched as a whole; now each of them (the same split: a value ends
            # only at a comma or brace outside braces and quotes).
            parts = _FIELD_PARTS.findall(text, position, listing.end())
            fields = [(name.strip(), value.strip()) for name, value in parts]
            repeated = len({name for name, _ in fields}) != len(fields)
            position = listing.end()
        raw = text[start:position]
        if repeated:
            # A repeated field: bibtexparser fails the block but keeps the entry, without
            # registering its key, so it neither is nor makes a duplicate.
            return RawBlock("entry", line, raw, key, entry_type, fields), position
        previous = self.entries.get(key)
        if previous is not None:
            return RawBlock("duplicate", line, raw, key, previous_line=previous), position
        self.entries[key] = line
        return RawBlock("entry", line, raw, key, entry_type, fields), position

    def _check_block_starts(self) -> None:
        """bibtexparser aborts a block at a block start at the beginning of a line inside
        it (where this scanner read on): every such "@" must be one this scanner began a
        block at."""
        text = self.text
        for match in _BLOCK_START.finditer(text):
            start = match.start()
            if start in self.starts:
                continue
            i = start - 1
            while i >= 0 and text[i] != "\n" and text[i].isspace():
                i -= 1
            if i < 0 or text[i] == "\n":
                raise _Unsupported

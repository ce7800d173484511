"""Load BibTeX/BibLaTeX .bib files as bibtexparser 2 splits them (``bibtex_blocks`` reads clean
files faster, to the same blocks), keeping raw LaTeX values and positions."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

from .bibtex_blocks import RawBlock, fast_blocks
from .latex_text import MAX_LATEX_DEPTH, brace_depth, unclosed_braces
from .model import BibEntry, Bibliography, LoadProblem, SourceSpan
from .names import parse_names

_MONTHS = {
    "jan": "January",
    "feb": "February",
    "mar": "March",
    "apr": "April",
    "may": "May",
    "jun": "June",
    "jul": "July",
    "aug": "August",
    "sep": "September",
    "oct": "October",
    "nov": "November",
    "dec": "December",
}


# @string expansion may make a value at most this long (or as long as its own source
# text, which the file size already bounds): ten times the longest real abstract. A chain
# "s_i = s_{i-1} # s_{i-1}" would otherwise double 27 times.
MAX_VALUE_CHARS = 100_000
# Characters @string expansion may add to a whole file, beyond this allowance per source
# character: real files expand journal abbreviations a few times over at most.
EXPANSION_ALLOWANCE = 10_000_000
EXPANSION_PER_SOURCE_CHAR = 4
# Over this many cut or too deeply nested values, one more problem says how many followed.
MAX_REPORTED_VALUES = 10


@dataclass(slots=True)
class _Expansion:
    """What @string expansion may still add to the file, and which values it cut."""

    budget: int
    cut_macros: set[str] = field(default_factory=set)  # @string names whose value was cut


def evaluate_value(raw: str, macros: dict[str, str], limit: int = MAX_VALUE_CHARS) -> str:
    """Evaluate a BibTeX field value: braces/quotes, numbers, @string macros and ``#``.

    @string expansion stops at ``limit`` characters (or the length of ``raw`` if longer).
    """
    return _evaluate(raw, macros, limit, _Expansion(budget=limit))[0]


def _evaluate(
    raw: str, macros: dict[str, str], limit: int, expansion: _Expansion
) -> tuple[str, bool]:
    """The value of ``raw`` and whether expansion was cut (at ``limit``, or the budget)."""
    if "#" not in raw:
        # One delimited piece (the common case); braces inside stay as they are.
        if raw[:1] == "{" and raw[-1:] == "}" or raw[:1] == '"' and raw[-1:] == '"':
            return raw[1:-1], False
        if raw.isdigit():
            return raw, False
    limit = max(limit, len(raw))
    pieces: list[str] = []
    size = 0
    cut = False
    i = 0
    n = len(raw)
    while i < n and size < limit:
        ch = raw[i]
        if ch.isspace() or ch == "#":
            i += 1
            continue
        expanded = False
        if ch == "{":
            end = _matching_close(raw, i, "{", "}")
            piece = raw[i + 1 : end]
            i = end + 1
        elif ch == '"':
            end = _closing_quote(raw, i)
            piece = raw[i + 1 : end]
            i = end + 1
        else:
            j = i
            while j < n and not raw[j].isspace() and raw[j] != "#":
                j += 1
            word = raw[i:j]
            i = j
            if word.isdigit():
                piece = word
            else:
                name = word.lower()
                piece = macros.get(name, _MONTHS.get(name, word))
                # A value built from a cut @string is cut too.
                cut = cut or name in expansion.cut_macros
                expanded = len(piece) > len(word)
        if size + len(piece) > limit:
            piece, cut = piece[: limit - size], True
        if expanded:
            # Only expansion makes a value larger than its source: it spends the budget.
            if len(piece) > expansion.budget:
                piece, cut = piece[: max(0, expansion.budget)], True
            expansion.budget -= len(piece)
        pieces.append(piece)
        size += len(piece)
    return "".join(pieces), cut or i < n


def _matching_close(text: str, start: int, open_ch: str, close_ch: str) -> int:
    depth = 0
    for i in range(start, len(text)):
        if text[i] == open_ch:
            depth += 1
        elif text[i] == close_ch:
            depth -= 1
            if depth == 0:
                return i
    return len(text)


def _closing_quote(text: str, start: int) -> int:
    depth = 0
    for i in range(start + 1, len(text)):
        ch = text[i]
        if ch == "{":
            depth += 1
        elif ch == "}":
            depth -= 1
        elif ch == '"' and depth == 0:
            return i
    return len(text)


def load_bibtex_text(text: str, path: str) -> Bibliography:
    """Parse .bib source; broken blocks become problems (RW303), duplicate keys RW304,
    repeated fields RW305, values cut or too deeply nested to parse RW306."""
    blocks = fast_blocks(text)
    if blocks is None:
        blocks = bibtexparser_blocks(text)
    lines = text.split("\n")
    bib = Bibliography(paths=[path])
    macros: dict[str, str] = {}
    reader = _ValueReader(
        path,
        lines,
        bib.problems,
        _Expansion(EXPANSION_ALLOWANCE + EXPANSION_PER_SOURCE_CHAR * len(text)),
    )
    for block in blocks:
        if block.kind == "entry":
            if not block.key.strip():
                bib.problems.append(
                    LoadProblem(
                        "RW303",
                        f"entry without a key ('@{block.entry_type}{{,'): BibTeX cannot cite "
                        "it; give it a key",
                        _block_span(path, lines, block, None),
                    )
                )
            bib.entries.append(reader.entry(block, macros))
        elif block.kind == "string":
            name = block.key.lower()
            macros[name] = reader.value(block.fields[0][1], macros, block, macro=name)
        elif block.kind == "duplicate":
            bib.problems.append(
                LoadProblem(
                    "RW304",
                    f"duplicate key '{block.key}': already defined on line "
                    f"{block.previous_line + 1}; BibTeX keeps only the first",
                    _block_span(path, lines, block, block.key),
                )
            )
        else:
            bib.problems.append(
                LoadProblem("RW303", block.message, _block_span(path, lines, block, None))
            )
    reader.finish()
    return bib


def bibtexparser_blocks(text: str) -> list[RawBlock]:
    """The blocks of ``text`` as bibtexparser 2 reads them (any file, broken ones too)."""
    import logging

    import bibtexparser
    from bibtexparser import model

    # bibtexparser logs every broken block; we report them as findings instead.
    logging.getLogger("bibtexparser").setLevel(logging.CRITICAL)
    blocks: list[RawBlock] = []
    for block in bibtexparser.parse_string(text, parse_stack=[]).blocks:
        if isinstance(block, model.String):
            value = [("", str(block.value))]
            blocks.append(
                RawBlock("string", block.start_line or 0, block.raw or "", block.key, fields=value)
            )
        elif isinstance(block, model.DuplicateBlockKeyBlock):
            blocks.append(
                RawBlock(
                    "duplicate",
                    block.start_line or 0,
                    block.raw or "",
                    block.key,
                    previous_line=block.previous_block.start_line or 0,
                )
            )
        elif isinstance(block, model.ParsingFailedBlock) and isinstance(
            block.ignore_error_block, model.Entry
        ):
            # Repeated fields: the entry still loads, and RW305 says which value counts.
            blocks.append(_entry_block(block.ignore_error_block))
        elif isinstance(block, model.ParsingFailedBlock):
            blocks.append(
                RawBlock(
                    "error", block.start_line or 0, block.raw or "", message=_syntax_message(block)
                )
            )
        elif isinstance(block, model.Entry):
            blocks.append(_entry_block(block))
    return blocks


def _entry_block(entry: Any) -> RawBlock:
    fields = [(item.key, str(item.value)) for item in entry.fields]
    return RawBlock(
        "entry", entry.start_line or 0, entry.raw or "", entry.key, entry.entry_type, fields
    )


@dataclass(slots=True)
class _ValueReader:
    """Evaluates the values of one file, reporting cut and too deeply nested ones (RW306)."""

    path: str
    lines: list[str]
    problems: list[LoadProblem]
    expansion: _Expansion
    oversized: int = 0
    first_unreported: SourceSpan | None = None

    def value(
        self, raw: str, macros: dict[str, str], block: RawBlock, field: str = "", macro: str = ""
    ) -> str:
        """The value of ``raw``: the @string named ``macro``, or the ``field`` of an entry."""
        value, cut = _evaluate(raw, macros, MAX_VALUE_CHARS, self.expansion)
        if cut:
            if macro:
                self.expansion.cut_macros.add(macro)
            self._report(
                block,
                f"{_what(block, field)} is longer than {MAX_VALUE_CHARS:,} characters once "
                "@string macros are expanded: it is cut there",
            )
        elif value.count("{") > MAX_LATEX_DEPTH:
            depth = brace_depth(value)
            if depth > MAX_LATEX_DEPTH:
                self._report(
                    block,
                    f"{_what(block, field)} nests braces {depth:,} deep (over "
                    f"{MAX_LATEX_DEPTH}): its LaTeX is decoded plainly, without a parser",
                )
        return value

    def entry(self, block: RawBlock, macros: dict[str, str]) -> BibEntry:
        fields: dict[str, str] = {}
        repeated: list[str] = []
        for key, raw in block.fields:
            name = key.lower()
            if name in fields:
                # BibTeX warns and uses the first value of a repeated field.
                repeated.append(key)
                continue
            if (
                raw[:1] == "{"
                and raw[-1:] == "}"
                and "#" not in raw
                and raw.count("{") <= MAX_LATEX_DEPTH
            ):
                fields[name] = raw[1:-1]  # the usual value, as _evaluate reads it, and shallow
            else:
                fields[name] = self.value(raw, macros, block, key)
        if repeated:
            names = ", ".join(f"'{name}'" for name in dict.fromkeys(repeated))
            self.problems.append(
                LoadProblem(
                    "RW305",
                    f"repeated field {names} in entry '{block.key}': "
                    "BibTeX uses the first value and ignores the others",
                    _block_span(self.path, self.lines, block, block.key),
                )
            )
        return BibEntry(
            key=block.key,
            entry_type=block.entry_type.lower(),
            fields=fields,
            authors=parse_names(fields.get("author", "")),
            editors=parse_names(fields.get("editor", "")),
            span=_block_span(self.path, self.lines, block, block.key),
        )

    def _report(self, block: RawBlock, message: str) -> None:
        self.oversized += 1
        span = _block_span(self.path, self.lines, block, None)
        if self.oversized <= MAX_REPORTED_VALUES:
            self.problems.append(LoadProblem("RW306", message, span))
        elif self.first_unreported is None:
            self.first_unreported = span

    def finish(self) -> None:
        """One closing problem, where the first of them is, for the values not reported."""
        hidden = self.oversized - MAX_REPORTED_VALUES
        if hidden > 0 and self.first_unreported is not None:
            message = (
                f"{hidden:,} more values from here on are cut or nested too deeply "
                "to parse (not reported one by one)"
            )
            self.problems.append(LoadProblem("RW306", message, self.first_unreported))


def _what(block: RawBlock, field: str) -> str:
    """How a message names a value: "field 'title' of entry 'x'" or "@string 'acl'"."""
    return f"field '{field}' of entry '{block.key}'" if field else f"@string '{block.key}'"


_KEY_WITHOUT_COMMA = re.compile(r"@\w+\s*[{(]\s*([^\s,{}()=]+)\s+\w+\s*=")


def _what_is_broken(raw: str) -> str:
    """What is wrong with a block bibtexparser could not read and did not say why."""
    missing_comma = _KEY_WITHOUT_COMMA.match(raw)
    if missing_comma:
        return f"no comma after the key '{missing_comma[1]}'"
    depth = unclosed_braces(raw)
    if depth > 0:
        return (
            f"{depth} '{{' not closed before the next entry or the end of the file "
            "(a value's braces do not balance)"
        )
    return "the entry is not closed before the next entry or the end of the file"


def _syntax_message(block: Any) -> str:
    """RW303's message for a bibtexparser ParsingFailedBlock."""
    detail = " ".join(str(block.error).split())
    # bibtexparser's message names its own line numbers; keep the part that says what is wrong.
    if "syntactical error in bibtex:" in detail:
        detail = detail.split("syntactical error in bibtex:", 1)[1].strip()
    if not detail:
        detail = _what_is_broken(block.raw or "")
    head = (block.raw or "").split("\n", 1)[0].strip()[:60]
    return f"bibliography syntax error in '{head}': {detail}; the entry is skipped"


def _block_span(path: str, lines: list[str], block: RawBlock, key: str | None) -> SourceSpan:
    """The span of ``key`` inside the block (or of the block's first line)."""
    line_no = block.start_line or 0
    line = lines[line_no] if line_no < len(lines) else ""
    column = max(0, line.find("@"))
    if key:
        raw = block.raw or ""
        offset = raw.find(key)
        if offset >= 0:
            before = raw[:offset]
            key_line = line_no + before.count("\n")
            key_col = column + offset if "\n" not in before else offset - before.rfind("\n") - 1
            return SourceSpan(path, key_line, key_col, key_line, key_col + len(key))
    return SourceSpan(path, line_no, column, line_no, len(line))

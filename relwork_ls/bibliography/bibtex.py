"""Load BibTeX/BibLaTeX .bib files with bibtexparser 2, keeping raw LaTeX values and positions."""

from __future__ import annotations

import logging

import bibtexparser
from bibtexparser import model

from .model import BibEntry, Bibliography, LoadProblem, SourceSpan
from .names import parse_names

# bibtexparser logs every broken block; we report them as findings instead.
logging.getLogger("bibtexparser").setLevel(logging.CRITICAL)

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


def evaluate_value(raw: str, macros: dict[str, str]) -> str:
    """Evaluate a BibTeX field value: braces/quotes, numbers, @string macros and ``#``."""
    if "#" not in raw:
        # One delimited piece (the common case); braces inside stay as they are.
        if raw[:1] == "{" and raw[-1:] == "}" or raw[:1] == '"' and raw[-1:] == '"':
            return raw[1:-1]
        if raw.isdigit():
            return raw
    pieces: list[str] = []
    i = 0
    n = len(raw)
    while i < n:
        ch = raw[i]
        if ch.isspace() or ch == "#":
            i += 1
        elif ch == "{":
            end = _matching_close(raw, i, "{", "}")
            pieces.append(raw[i + 1 : end])
            i = end + 1
        elif ch == '"':
            end = _closing_quote(raw, i)
            pieces.append(raw[i + 1 : end])
            i = end + 1
        else:
            j = i
            while j < n and not raw[j].isspace() and raw[j] != "#":
                j += 1
            word = raw[i:j]
            if word.isdigit():
                pieces.append(word)
            else:
                pieces.append(macros.get(word.lower(), _MONTHS.get(word.lower(), word)))
            i = j
    return "".join(pieces)


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
    """Parse .bib source; broken blocks become problems (RW303), duplicate keys RW304."""
    library = bibtexparser.parse_string(text, parse_stack=[])
    lines = text.split("\n")
    bib = Bibliography(paths=[path])
    macros: dict[str, str] = {}
    for block in library.blocks:
        if isinstance(block, model.String):
            macros[block.key.lower()] = evaluate_value(str(block.value), macros)
        elif isinstance(block, model.DuplicateBlockKeyBlock):
            first = block.previous_block
            first_line = (first.start_line or 0) + 1
            bib.problems.append(
                LoadProblem(
                    "RW304",
                    f"duplicate key '{block.key}': already defined on line {first_line}; "
                    "BibTeX keeps only the first",
                    _block_span(path, lines, block, block.key),
                )
            )
        elif isinstance(block, model.ParsingFailedBlock) and isinstance(
            block.ignore_error_block, model.Entry
        ):
            # A repeated field: BibTeX warns and keeps one value; so do we.
            bib.problems.append(
                LoadProblem(
                    "RW305",
                    " ".join(str(block.error).split(". Note:")[0].split()),
                    _block_span(path, lines, block, None),
                )
            )
            bib.entries.append(_make_entry(block.ignore_error_block, macros, path, lines))
        elif isinstance(block, model.ParsingFailedBlock):
            bib.problems.append(
                LoadProblem("RW303", _syntax_message(block), _block_span(path, lines, block, None))
            )
        elif isinstance(block, model.Entry):
            bib.entries.append(_make_entry(block, macros, path, lines))
    return bib


def _syntax_message(block: model.ParsingFailedBlock) -> str:
    detail = " ".join(str(block.error).split())
    # bibtexparser's message names its own line numbers; keep the part that says what is wrong.
    if "syntactical error in bibtex:" in detail:
        detail = detail.split("syntactical error in bibtex:", 1)[1].strip()
    if not detail:
        detail = "the entry is not closed before the end of the file"
    head = (block.raw or "").split("\n", 1)[0].strip()[:60]
    return f"bibliography syntax error in '{head}': {detail}; the entry is skipped"


def _block_span(path: str, lines: list[str], block: model.Block, key: str | None) -> SourceSpan:
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


def _make_entry(
    block: model.Entry, macros: dict[str, str], path: str, lines: list[str]
) -> BibEntry:
    fields = {f.key.lower(): evaluate_value(str(f.value), macros) for f in block.fields}
    return BibEntry(
        key=block.key,
        entry_type=block.entry_type.lower(),
        fields=fields,
        authors=parse_names(fields.get("author", "")),
        editors=parse_names(fields.get("editor", "")),
        span=_block_span(path, lines, block, block.key),
    )

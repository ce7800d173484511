"""Read the labels BibTeX actually produced from a natbib/apalike ``.bbl`` file."""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass

import regex

from .latex_text import latex_to_unicode

_BIBITEM = regex.compile(r"\\bibitem(?![a-zA-Z@])")
_NATEXLAB = regex.compile(r"\{?\(?\\natexlab\{([^{}]*)\}\)?\}?")
_CITEAUTHORYEAR = regex.compile(r"\\protect\\citeauthoryear\{")
_AMPERSAND = regex.compile(r"(?:\\&|&)")
_AND = regex.compile(r"\band\b")


@dataclass(frozen=True)
class BblLabel:
    """A label as printed: names "Xu et al.", year "2023", suffix "b"."""

    key: str
    names: str
    year: str
    suffix: str
    line: int  # 0-based line of the \bibitem
    # How the label was written: "natbib" ("Xu et~al.(2023)Xu, ..."), "apalike"
    # ("Xu et~al., 2023"), "citeauthoryear" (\protect\citeauthoryear{…}); "" if unknown.
    form: str = ""

    def text(self) -> str:
        return f"{self.names}, {self.year}{self.suffix}" if self.year else self.names


def _balanced(text: str, start: int, open_ch: str, close_ch: str, limit: int = -1) -> int:
    """Index just past the group opening at ``text[start]``; -1 when it does not close
    before ``limit`` (default: the end of the text)."""
    end = len(text) if limit < 0 else min(limit, len(text))
    depth = 0
    i = start
    while i < end:
        ch = text[i]
        if ch == "\\":
            i += 2
            continue
        if ch == open_ch:
            depth += 1
        elif ch == close_ch:
            depth -= 1
            if depth == 0:
                return i + 1
        i += 1
    return -1


def _split_date(date: str) -> tuple[str, str]:
    match = _NATEXLAB.search(date)
    if match:
        return date[: match.start()].strip(), match.group(1).strip()
    return date.strip(), ""


def _strip_outer_braces(text: str) -> str:
    """``text`` without braces that enclose all of it ("{{Xu (2023)}}" → "Xu (2023)"), in one
    pass however deep they are nested."""
    closing: dict[int, int] = {}
    stack: list[int] = []
    i = 0
    while i < len(text):
        ch = text[i]
        if ch == "\\":
            i += 2
            continue
        if ch == "{":
            stack.append(i)
        elif ch == "}" and stack:
            closing[stack.pop()] = i
        i += 1
    low, high = 0, len(text) - 1
    while low <= high and text[low].isspace():
        low += 1
    while high >= low and text[high].isspace():
        high -= 1
    while low < high and text[low] == "{" and closing.get(low) == high:
        low, high = low + 1, high - 1
        while low <= high and text[low].isspace():
            low += 1
        while high >= low and text[high].isspace():
            high -= 1
    return text[low : high + 1]


def _parse_option(option: str) -> tuple[str, str, str, str] | None:
    """Names, year, suffix and form of a \\bibitem optional argument (raw LaTeX)."""
    inner = _strip_outer_braces(" ".join(option.split()))
    if not inner:
        return None  # numeric styles carry no author-year label
    match = _CITEAUTHORYEAR.match(inner)
    if match:
        groups: list[str] = []
        pos = match.end() - 1
        while pos < len(inner) and inner[pos] == "{":
            end = _balanced(inner, pos, "{", "}")
            if end < 0:
                break
            groups.append(inner[pos + 1 : end - 1])
            pos = end
        if len(groups) < 2:
            return None
        year, suffix = _split_date(groups[-1])
        return groups[-2], year, suffix, "citeauthoryear"
    # natbib: short "(" date ")" full, the "(" being the first at brace depth 0.
    depth = 0
    for i, ch in enumerate(inner):
        if ch == "{":
            depth += 1
        elif ch == "}":
            depth -= 1
        elif ch == "(" and depth == 0:
            close = _balanced(inner, i, "(", ")")
            if close < 0:
                return None
            year, suffix = _split_date(inner[i + 1 : close - 1])
            return inner[:i], year, suffix, "natbib"
    # apalike: short ", " date
    comma = inner.rfind(", ")
    if comma < 0:
        return inner, "", "", ""
    year, suffix = _split_date(inner[comma + 2 :])
    if year[-1:].isalpha() and year[:-1].isdigit() and not suffix:
        year, suffix = year[:-1], year[-1]
    return inner[:comma], year, suffix, "apalike"


def _skip_space(text: str, pos: int, limit: int) -> int:
    while pos < limit and text[pos].isspace():
        pos += 1
    return pos


def load_bbl_text(text: str) -> list[BblLabel]:
    """All author-year labels of a .bbl, in file order.

    One pass: an item's optional argument and key are looked for only up to the next
    ``\\bibitem``, so an unclosed ``[`` or ``{`` costs its own item, not the whole file."""
    labels: list[BblLabel] = []
    starts = [match.start() for match in _BIBITEM.finditer(text)]
    line, counted_to = 0, 0
    for number, start in enumerate(starts):
        limit = starts[number + 1] if number + 1 < len(starts) else len(text)
        open_bracket = _skip_space(text, start + len("\\bibitem"), limit)
        if open_bracket >= limit or text[open_bracket] != "[":
            continue
        option_end = _balanced(text, open_bracket, "[", "]", limit)
        if option_end < 0:
            continue
        key_start = _skip_space(text, option_end, limit)
        if key_start >= limit or text[key_start] != "{":
            continue
        key_end = _balanced(text, key_start, "{", "}", limit)
        key = text[key_start + 1 : key_end - 1].strip() if key_end > 0 else ""
        parsed = _parse_option(text[open_bracket + 1 : option_end - 1])
        if not key or parsed is None:
            continue
        names, year, suffix, form = parsed
        line += text.count("\n", counted_to, start)
        counted_to = start
        labels.append(
            BblLabel(
                key=key,
                names=latex_to_unicode(names).replace("\\&", "&"),
                year=latex_to_unicode(year) if year else "",
                suffix=suffix,
                line=line,
                form=form,
            )
        )
    return labels


def bbl_style(labels: Sequence[BblLabel]) -> tuple[str | None, str | None]:
    """The label style that made a ``.bbl`` ("natbib" or "apalike"; None when its labels
    do not tell) and the word it puts between two authors ("and", "&", or None)."""
    forms = Counter(label.form for label in labels if label.form in ("natbib", "apalike"))
    style = forms.most_common(1)[0][0] if forms else None
    joiner = None
    for label in labels:
        if _AMPERSAND.search(label.names):
            joiner = "&"
            break
        if joiner is None and " et al" not in label.names and _AND.search(label.names):
            joiner = "and"
    return style, joiner

"""Read the labels BibTeX actually produced from a natbib/apalike ``.bbl`` file."""

from __future__ import annotations

from dataclasses import dataclass

import regex

from .latex_text import latex_to_unicode

_BIBITEM = regex.compile(r"\\bibitem\s*(?=\[)")
_NATEXLAB = regex.compile(r"\{?\(?\\natexlab\{([^{}]*)\}\)?\}?")
_CITEAUTHORYEAR = regex.compile(r"\\protect\\citeauthoryear\{")


@dataclass(frozen=True)
class BblLabel:
    """A label as printed: names "Xu et al.", year "2023", suffix "b"."""

    key: str
    names: str
    year: str
    suffix: str
    line: int  # 0-based line of the \bibitem

    def text(self) -> str:
        return f"{self.names}, {self.year}{self.suffix}" if self.year else self.names


def _balanced(text: str, start: int, open_ch: str, close_ch: str) -> int:
    """Index just past the group opening at ``text[start]``; -1 when unbalanced."""
    depth = 0
    i = start
    while i < len(text):
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
    text = text.strip()
    while text.startswith("{") and _balanced(text, 0, "{", "}") == len(text):
        text = text[1:-1].strip()
    return text


def _parse_option(option: str) -> tuple[str, str, str] | None:
    """Names, year and suffix of a \\bibitem optional argument (raw LaTeX)."""
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
        return groups[-2], year, suffix
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
            return inner[:i], year, suffix
    # apalike: short ", " date
    comma = inner.rfind(", ")
    if comma < 0:
        return inner, "", ""
    year, suffix = _split_date(inner[comma + 2 :])
    if year[-1:].isalpha() and year[:-1].isdigit() and not suffix:
        year, suffix = year[:-1], year[-1]
    return inner[:comma], year, suffix


def load_bbl_text(text: str) -> list[BblLabel]:
    """All author-year labels of a .bbl, in file order."""
    labels: list[BblLabel] = []
    line = counted = 0  # the line of ``counted``, counted on from the previous item
    for match in _BIBITEM.finditer(text):
        option_end = _balanced(text, match.end(), "[", "]")
        if option_end < 0:
            continue
        option = text[match.end() + 1 : option_end - 1]
        key_start = option_end
        while key_start < len(text) and text[key_start].isspace():  # as lstrip()
            key_start += 1
        if text[key_start : key_start + 1] != "{":
            continue
        key_end = _balanced(text, key_start, "{", "}")
        key = text[key_start + 1 : key_end - 1].strip() if key_end > 0 else ""
        parsed = _parse_option(option)
        if not key or parsed is None:
            continue
        names, year, suffix = parsed
        line += text.count("\n", counted, match.start())
        counted = match.start()
        labels.append(
            BblLabel(
                key=key,
                names=latex_to_unicode(names).replace("\\&", "&"),
                year=latex_to_unicode(year) if year else "",
                suffix=suffix,
                line=line,
            )
        )
    return labels

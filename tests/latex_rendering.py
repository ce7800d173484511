"""Turn a real LaTeX document into the text a reader sees: each natbib citation command
replaced by the author-year text its ``.bbl`` labels give (as natbib prints it), the rest
of the markup stripped crudely. This is how a PDF's text reaches relwork-ls."""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

from relwork_ls.bibliography.bbl import load_bbl_text

_INCLUDE = re.compile(r"\\(?:input|include)\s*\{([^{}]+)\}")
_COMMENT = re.compile(r"(?<!\\)%[^\n]*")
_CITE = re.compile(
    r"\\(?P<command>cite|citet|citep|citealp|citealt|citeauthor|citeyear|citeyearpar|Citet|Citep)"
    r"\*?\s*(?:\[(?P<first>[^\]]*)\])?\s*(?:\[(?P<second>[^\]]*)\])?\s*\{(?P<keys>[^{}]*)\}"
)
_MATH_ENVIRONMENTS = re.compile(
    r"\\begin\{(equation|align|gather|multline|eqnarray|figure|table|tikzpicture|algorithm)"
    r"(\*?)\}.*?\\end\{\1\2\}",
    re.S,
)
_DISPLAY_MATH = re.compile(r"\\\[.*?\\\]|\$\$.*?\$\$", re.S)
_INLINE_MATH = re.compile(r"(?<!\\)\$[^$]*\$")
_COMMAND_WITH_TEXT = re.compile(
    r"\\(?:textbf|textit|emph|section|subsection|subsubsection|chapter|paragraph|textsc|"
    r"underline|mbox|text|caption|footnote)\*?\s*\{([^{}]*)\}"
)
_COMMAND = re.compile(r"\\[a-zA-Z@]+\*?(?:\[[^\]]*\])?")


@dataclass(frozen=True)
class PrintedLabel:
    names: str
    year: str  # with its suffix


def bbl_labels(bbl: Path) -> dict[str, PrintedLabel]:
    """The label BibTeX printed for each key (lowercase) of a ``.bbl``."""
    return {
        item.key.lower(): PrintedLabel(item.names, f"{item.year}{item.suffix}")
        for item in load_bbl_text(bbl.read_text(encoding="utf-8"))
    }


def expand_includes(root: Path) -> str:
    """The root file with every ``\\input``/``\\include`` replaced by the file's text."""

    def expand(path: Path, seen: frozenset[Path]) -> str:
        text = _COMMENT.sub("", path.read_text(encoding="utf-8", errors="replace"))

        def replace(match: re.Match[str]) -> str:
            name = match.group(1).strip()
            target = root.parent / (name if name.endswith(".tex") else name + ".tex")
            if target in seen or not target.is_file():
                return ""
            return "\n\n" + expand(target, seen | {target}) + "\n\n"

        return _INCLUDE.sub(replace, text)

    return expand(root, frozenset({root}))


def _group(keys: list[str], labels: dict[str, PrintedLabel]) -> list[tuple[str, list[str]]]:
    """natbib merges consecutive keys whose names print alike: [(names, [years…])]."""
    groups: list[tuple[str, list[str]]] = []
    for key in keys:
        label = labels.get(key.lower())
        if label is None:
            groups.append(("?", ["?"]))
            continue
        if groups and groups[-1][0] == label.names:
            groups[-1][1].append(label.year)
        else:
            groups.append((label.names, [label.year]))
    return groups


def _years(years: list[str]) -> str:
    """ "2021a,b" for letters of one year, "2020, 2021" otherwise (natbib's compression)."""
    out = years[0]
    for previous, year in zip(years, years[1:], strict=False):
        if year[:4] == previous[:4] and year[4:] and previous[4:]:
            out += "," + year[4:]
        else:
            out += ", " + year
    return out


def render_citation(
    command: str,
    first: str | None,
    second: str | None,
    keys: list[str],
    labels: dict[str, PrintedLabel],
) -> str:
    pre, post = ("", first) if second is None else (first, second)
    pre = (pre or "").replace("~", " ").strip()
    post = (post or "").replace("~", " ").strip()
    groups = _group(keys, labels)
    if command in ("citeauthor",):
        return "; ".join(names for names, _ in groups)
    if command in ("citeyear", "citeyearpar"):
        text = ", ".join(_years(years) for _, years in groups)
        return f"({text})" if command == "citeyearpar" else text
    if command in ("citep", "Citep", "citealp", "citealt"):
        separator = " " if command == "citealt" else ", "
        body = "; ".join(f"{names}{separator}{_years(years)}" for names, years in groups)
        if pre:
            body = f"{pre} {body}"
        if post:
            body = f"{body}, {post}"
        return f"({body})" if command in ("citep", "Citep") else body
    # \citet, and \cite in natbib's author-year mode.
    parts = []
    for number, (names, years) in enumerate(groups):
        inner = _years(years)
        if post and number == len(groups) - 1:
            inner += f", {post}"
        parts.append(f"{names} ({inner})")
    return "; ".join(parts)


def render_document(root: Path, labels: dict[str, PrintedLabel]) -> str:
    """The reader's text of a LaTeX document whose citations print as ``labels``."""
    text = expand_includes(root)
    begin = text.find("\\begin{document}")
    if begin >= 0:
        text = text[begin:]
    text = _MATH_ENVIRONMENTS.sub(" ", text)
    text = _DISPLAY_MATH.sub(" ", text)
    text = _INLINE_MATH.sub(" X ", text)

    def cite(match: re.Match[str]) -> str:
        keys = [k.strip() for k in match["keys"].split(",") if k.strip()]
        return render_citation(match["command"], match["first"], match["second"], keys, labels)

    text = _CITE.sub(cite, text)
    for _ in range(3):
        text = _COMMAND_WITH_TEXT.sub(r"\1", text)
    text = _COMMAND.sub("", text)
    text = text.replace("{", "").replace("}", "").replace("~", " ")
    return re.sub(r"[ \t]+", " ", text)

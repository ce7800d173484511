"""Citations by key: LaTeX ``\\citep[e.g.][p.~4]{a,b}`` and Pandoc ``[@a; @b, p. 4]``/``@a``."""

from __future__ import annotations

import regex

from .model import Citation, CitedWork
from .rendered import REGEX_TIMEOUT

_LATEX_CITE = regex.compile(
    r"\\(?P<cmd>[a-zA-Z]*cite[a-zA-Z]*|[pP]arencite|[tT]extcite|[aA]utocite|[fF]ootcite)\*?"
    r"(?:\s*\[[^\[\]]*\]){0,2}\s*\{(?P<keys>[^{}]*)\}"
)
_NOT_CITE_COMMANDS = frozenset({"citestyle", "setcitestyle", "citeindextrue", "citeindexfalse"})

# Pandoc citation keys: start with a letter, digit or _, inner punctuation allowed if
# followed by a key character. ``@{...}`` allows any characters. The punctuation run is
# possessive: a shorter run would end before more punctuation, never before a key
# character, so giving characters back can only fail, slowly ("@a" + ":." * 300).
_PANDOC_KEY = (
    r"(?:\{(?P<bkey>[^{}\s]+)\}"
    r"|(?P<key>[\p{L}\p{N}_](?:[\p{L}\p{N}_]++|[:.#$%&\-+?<>~/]++(?=[\p{L}\p{N}_]))*+))"
)
_PANDOC_CITE = regex.compile(r"(?<![\p{L}\p{N}_.\-+@\\])-?@" + _PANDOC_KEY)
_CROSSREF_PREFIXES = ("fig:", "tbl:", "eq:", "sec:", "lst:", "thm:", "lem:", "def:", "apx:")


def find_latex_citations(text: str) -> list[Citation]:
    """``\\cite``-family commands; each key is a work with its own span."""
    citations: list[Citation] = []
    for match in _LATEX_CITE.finditer(text, timeout=REGEX_TIMEOUT):
        if match["cmd"] in _NOT_CITE_COMMANDS:
            continue
        works: list[CitedWork] = []
        offset = match.start("keys")
        for raw in match["keys"].split(","):
            key = raw.strip()
            if key and key != "*":
                start = offset + raw.index(key)
                works.append(CitedWork(start=start, end=start + len(key), key=key))
            offset += len(raw) + 1
        if works:
            citations.append(Citation(match.start(), match.end(), "latex", tuple(works)))
    return citations


def find_pandoc_citations(text: str) -> list[Citation]:
    """Pandoc ``@key`` citations, bracketed or narrative; not e-mails or ``@fig:`` refs."""
    citations: list[Citation] = []
    for match in _PANDOC_CITE.finditer(text, timeout=REGEX_TIMEOUT):
        key = match["bkey"] or match["key"]
        if key.lower().startswith(_CROSSREF_PREFIXES):
            continue
        group = "bkey" if match["bkey"] else "key"
        work = CitedWork(start=match.start(group), end=match.end(group), key=key)
        citations.append(Citation(match.start(), match.end(), "pandoc", (work,)))
    return citations

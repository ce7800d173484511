"""Typst drafts: ``@key`` and ``#cite(<key>)`` citations, ``#bibliography("refs.bib")``.

A Typst ``@name`` is a citation when ``name`` is not a label of the document itself
(``<name>`` after a heading or figure makes ``@name`` a cross-reference). Comments and raw
text (```` ``` ```` blocks, `` `inline` ``) are not prose.
"""

from __future__ import annotations

import regex

from .model import Citation, CitedWork
from .rendered import REGEX_TIMEOUT

# Typst label names: letters, digits, "_", "-", ":", "."; a reference does not end in "."
# or ":" (the sentence's punctuation).
_NAME = r"[\p{L}\p{N}_](?:[\p{L}\p{N}_\-:.]*[\p{L}\p{N}_\-])?"
# As in Typst itself, "someone@example.com" in markup references <example.com>.
_REFERENCE = regex.compile(rf"(?<![\\\\/@])@(?P<key>{_NAME})")
_CITE_CALL = regex.compile(
    rf"#cite\(\s*(?:<(?P<key>{_NAME})>|label\(\s*\"(?P<skey>[^\"\n]+)\"\s*\))"
)
_LABEL = regex.compile(rf"(?<![\p{{L}}\p{{N}}_=<-])<(?P<name>{_NAME})>")
_RAW = regex.compile(r"(?P<ticks>`{3,}).*?(?P=ticks)|`[^`\n]*`", regex.S)
_COMMENT = regex.compile(r"/\*.*?\*/|(?<![:/])//[^\n]*", regex.S)
_BIBLIOGRAPHY = regex.compile(r"#bibliography\(\s*(?P<args>\([^()]*\)|\"[^\"\n]*\")")
_STRING = regex.compile(r"\"(?P<value>[^\"\n]*)\"")


def typst_ignored_spans(text: str) -> list[tuple[int, int]]:
    """Comments and raw text: never citations."""
    spans = [m.span() for m in _RAW.finditer(text, timeout=REGEX_TIMEOUT)]
    for match in _COMMENT.finditer(text, timeout=REGEX_TIMEOUT):
        if not any(start <= match.start() < end for start, end in spans):
            spans.append(match.span())
    return spans


def document_labels(text: str) -> set[str]:
    """Labels defined in the document (``<intro>``), not those inside ``#cite(<key>)``."""
    cited = {m.start("key") - 1 for m in _CITE_CALL.finditer(text, timeout=REGEX_TIMEOUT)}
    return {
        m["name"] for m in _LABEL.finditer(text, timeout=REGEX_TIMEOUT) if m.start() not in cited
    }


def find_typst_citations(text: str, labels: set[str] | None = None) -> list[Citation]:
    """``@key`` and ``#cite(<key>)``/``#cite(label("key"))`` citations, in document order.

    ``labels`` are the document's own labels (cross-references, not citations); by default
    those defined in ``text``.
    """
    labels = document_labels(text) if labels is None else labels
    citations: list[Citation] = []
    for match in _CITE_CALL.finditer(text, timeout=REGEX_TIMEOUT):
        group = "key" if match["key"] else "skey"
        work = CitedWork(start=match.start(group), end=match.end(group), key=match[group])
        citations.append(Citation(match.start(), match.end(), "typst", (work,)))
    for match in _REFERENCE.finditer(text, timeout=REGEX_TIMEOUT):
        key = match["key"]
        if key in labels:
            continue
        work = CitedWork(start=match.start("key"), end=match.end("key"), key=key)
        citations.append(Citation(match.start(), match.end(), "typst", (work,)))
    citations.sort(key=lambda c: c.start)
    return citations


def typst_bibliographies(text: str) -> list[str]:
    """Files named by ``#bibliography("refs.bib")`` or ``#bibliography(("a.bib", "b.yml"))``."""
    found: list[str] = []
    for match in _BIBLIOGRAPHY.finditer(text, timeout=REGEX_TIMEOUT):
        found.extend(m["value"] for m in _STRING.finditer(match["args"]) if m["value"].strip())
    return found

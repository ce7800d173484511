"""Style checks of rendered citations: RW201 suffix separators, RW202 an author group
repeated in one parenthetical, RW203 a narrative citation glued to a noun."""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence

from ..citations.index import join_line_end_hyphens
from ..citations.model import Document
from ..citations.resolution import CitationIndex, WorkResolution
from ..findings import Finding, Fix, TextEdit


def _separator_offset(text: str, work: WorkResolution) -> int:
    """Offset of the "," or ";" before a suffix-only work ("c" of "2022b;c")."""
    index = work.work.year_start - 1
    while index >= 0 and text[index] == " ":
        index -= 1
    return index


def suffix_separator_findings(
    doc: Document, works: Sequence[WorkResolution], convention: str | None
) -> list[Finding]:
    """RW201: a suffix list separator unlike the document's usual one (or the configured)."""
    separators = [
        (work, _separator_offset(doc.text, work))
        for work in works
        if not work.work.is_keyed and not work.is_head and work.work.year_start > 0
    ]
    separators = [
        (w, i)
        for w, i in separators
        if i >= 0
        and doc.text[i] in ",;"
        # Not a "," of the other column of a two-column page's row.
        and not doc.between(i + 1, w.work.year_start).strip()
    ]
    if not separators:
        return []
    if convention is None:
        counts = Counter(doc.text[i] for _, i in separators).most_common()
        if len(counts) < 2 or counts[0][1] == counts[1][1]:
            return []
        convention = counts[0][0]
    findings = []
    for _work, offset in separators:
        used = doc.text[offset]
        if used == convention:
            continue
        findings.append(
            Finding(
                "RW201",
                f"suffix list separated by '{used}' where this document uses '{convention}'",
                doc.span(offset, offset + 1),
                fix=Fix(
                    f"Use '{convention}'", (TextEdit(doc.span(offset, offset + 1), convention),)
                ),
            )
        )
    return findings


def repeated_group_findings(
    doc: Document, works: Sequence[WorkResolution], index: CitationIndex
) -> list[Finding]:
    """RW202: "(Xu et al., 2023b; Lee, 2020; Xu et al., 2023a)" with one author group."""
    findings: list[Finding] = []
    by_citation: dict[int, list[WorkResolution]] = {}
    for work in works:
        if work.citation.form == "parenthetical" and not work.work.is_keyed:
            by_citation.setdefault(work.citation.start, []).append(work)
    for group in by_citation.values():
        seen: dict[tuple[str, str], WorkResolution] = {}
        for position, work in enumerate(group):
            if not work.is_head or work.entry is None:
                continue
            # The same label, written the same way: APA's "E. Smith et al." and "S. M. Smith,
            # Beckmann, et al." are kept apart on purpose.
            written = " ".join(work.names.text.split()) if work.names is not None else ""
            raw = (index.label(work.entry).raw_names, written)
            first = seen.get(raw)
            if first is None:
                seen[raw] = work
                continue
            members = group[position : position + _group_length(group, position)]
            fix = _merge_fix(doc, group, first, position, members)
            findings.append(
                Finding(
                    "RW202",
                    f"'{index.label(work.entry).names}' appears twice in one parenthetical; "
                    "the works can be written together (natbib does so when their keys are "
                    "cited next to each other)",
                    doc.span(work.start, work.end),
                    fix=fix,
                )
            )
    return findings


def _group_length(group: Sequence[WorkResolution], head: int) -> int:
    length = 1
    while head + length < len(group) and not group[head + length].is_head:
        length += 1
    return length


def _merge_fix(
    doc: Document,
    group: Sequence[WorkResolution],
    first: WorkResolution,
    position: int,
    members: Sequence[WorkResolution],
) -> Fix | None:
    first_index = group.index(first)
    first_members = group[first_index : first_index + _group_length(group, first_index)]
    last_year = first_members[-1].work.year
    extra = ""
    for member in members:
        if member.work.year != last_year:
            extra += f", {member.work.year}{member.work.suffix}"
            last_year = member.work.year
        elif member.work.suffix:
            extra += "," + member.work.suffix
        else:
            return None  # "2023, 2023": nothing sensible to merge
    previous_end = group[position - 1].end
    insert_at = first_members[-1].work.year_end
    if insert_at >= previous_end:
        return None
    delete = TextEdit(doc.span(previous_end, members[-1].work.year_end), "")
    insert = TextEdit(doc.span(insert_at, insert_at), extra)
    return Fix("Merge into the first group", (insert, delete), safe=False)


# Capitalised words that open a sentence before a narrative citation without naming a
# method or model ("In Song et al. (2021)…", "Following Ho et al. (2020)…").
_FUNCTION_WORDS = frozenset(
    (
        "a",
        "according",
        "after",
        "also",
        "although",
        "an",
        "and",
        "as",
        "at",
        "based",
        "before",
        "both",
        "building",
        "but",
        "by",
        "compared",
        "during",
        "earlier",
        "extending",
        "following",
        "for",
        "from",
        "furthermore",
        "hence",
        "here",
        "however",
        "in",
        "indeed",
        "inspired",
        "it",
        "its",
        "later",
        "like",
        "moreover",
        "notably",
        "of",
        "on",
        "or",
        "our",
        "recently",
        "see",
        "similarly",
        "since",
        "specifically",
        "that",
        "the",
        "their",
        "then",
        "there",
        "these",
        "this",
        "those",
        "though",
        "thus",
        "to",
        "unlike",
        "using",
        "we",
        "when",
        "where",
        "whereas",
        "while",
        "with",
    )
)


def glued_narrative_findings(doc: Document, works: Sequence[WorkResolution]) -> list[Finding]:
    """RW203: "Codex Chen et al. (2021a)" where "Codex (Chen et al., 2021a)" was meant."""
    findings: list[Finding] = []
    for work in works:
        if work.citation.form != "narrative" or not work.is_head or work.names is None:
            continue
        options = work.work.name_options
        if work.entry is None or work.names is options[0]:
            continue
        glued = doc.between(options[0].start, work.names.start).strip()
        # A word hyphenated at a line's end in a PDF's text: "Fol-⏎lowing" is "Following".
        word = join_line_end_hyphens(glued).split()[0] if glued else ""
        if not glued or not glued[0].isupper() or word.casefold() in _FUNCTION_WORDS:
            continue  # "In Song et al. (2021)" reads well: "In" names nothing
        body = doc.between(work.citation.start, work.citation.end)
        # natbib's square option prints "Chen et al. [2021a]": keep its brackets.
        opening = "[" if body.endswith("]") else "("
        years = body[body.rfind(opening) + 1 : -1].strip()
        closing = "]" if opening == "[" else ")"
        replacement = f"{opening}{work.names.text}, {years}{closing}"
        span = doc.span(work.names.start, work.citation.end)
        findings.append(
            Finding(
                "RW203",
                f"narrative citation right after '{glued}': a parenthetical was probably meant: "
                f"'{glued} {replacement}'",
                span,
                fix=Fix(f"Write '{replacement}'", (TextEdit(span, replacement),)),
            )
        )
    return findings


def style_findings(
    doc: Document,
    works: Sequence[WorkResolution],
    index: CitationIndex | None,
    separator: str | None = None,
) -> list[Finding]:
    """All style findings of one draft."""
    findings = suffix_separator_findings(doc, works, separator)
    findings += glued_narrative_findings(doc, works)
    if index is not None:
        findings += repeated_group_findings(doc, works, index)
    return findings

"""Find rendered author-year citations in prose: "(Xu et al., 2023b; Xu et al., 2023a,c)",
"Chen et al. (2021a)", "Touvron et al.'s (2023a)", "(Bai et al., 2022b;c)", "(OpenAI, 2022)"."""

from __future__ import annotations

import unicodedata
from collections.abc import Iterator, Sequence
from dataclasses import replace
from functools import lru_cache

import regex

from ..findings import Finding, Fix, TextEdit
from ..positions import LineIndex
from .invisible import INVISIBLE_CHARACTERS, without_invisible
from .model import Citation, CitedWork, NameOption

# User text can be adversarial (a 5 MB line); every pattern runs with a timeout.
REGEX_TIMEOUT = 2.0

# Lowercase name particles ("van den Oord", "de Las Casas", "al Hakim").
_PARTICLES = frozenset(
    {
        "van",
        "von",
        "der",
        "den",
        "de",
        "del",
        "della",
        "degli",
        "di",
        "da",
        "du",
        "dos",
        "das",
        "la",
        "le",
        "ten",
        "ter",
        "al",
        "el",
        "bin",
        "ibn",
        "zu",
        "y",
    }
)
_PARTICLE = "(?:" + "|".join(sorted(_PARTICLES, key=len, reverse=True)) + ")"
# Characters that text pasted from a PDF carries inside words and that no one sees: soft
# hyphen, zero-width space, non-joiner and joiner, word joiner, zero-width no-break space.
# Names keep them (spans stay exact); matching ignores them; RW015 reports them.
_INV = INVISIBLE_CHARACTERS
_NAME_CHARS = rf"[\p{{L}}\p{{M}}\p{{N}}’'\-.&{_INV}]"
# A name hyphenated at a line's end in a PDF's text: "Holm-⏎gren".
_NAME_WORD = (
    rf"(?:[Dd][’'])?[{_INV}]*\p{{Lu}}{_NAME_CHARS}*(?:(?<=-)[ \t]*\n[ \t]*\p{{Ll}}{_NAME_CHARS}*)?"
)
_NAME_WORDS = (
    rf"(?:{_PARTICLE}\s+)*{_NAME_WORD}(?:\s+(?:{_PARTICLE}\s+)*{_NAME_WORD}){{0,3}}"
    r"(?:,\s*(?:Inc|Ltd|LLC|Corp|Co)\.?)?"
)
# "A", "A et al.", "A and B", and the longer lists of APA and Chicago author-date:
# "A, B, & C", "A, B, and C", "A, B, C, et al.".
_NAMES_FULL = regex.compile(
    rf"(?:{_NAME_WORDS})(?:\s+[{_INV}]*et[{_INV}]*\s+al\.?|\s+(?:and|&)\s+(?:{_NAME_WORDS})"
    rf"|(?:,\s+(?:{_NAME_WORDS}))+(?:,?\s+(?:and|&)\s+(?:{_NAME_WORDS})|,\s+et\s+al\.?))?",
    regex.VERSION1,
)
_PARTICLE_WORD = regex.compile(_PARTICLE)
_CORPORATE_SUFFIX = regex.compile(r"(?:Inc|Ltd|LLC|Corp|Co)\.?")

_YEAR = (
    r"(?:(?:1[5-9]|20)\d\d(?:[/–](?:(?:1[5-9]|20)\d\d))?|n\.\s?d\.|in\s+press"
    r"|submitted|forthcoming)"
)
_YEAR_ITEM = regex.compile(rf"(?P<year>{_YEAR})(?:-?(?P<suffix>[a-z]{{1,2}}))?(?![\p{{L}}\p{{N}}])")
_YEAR_START = regex.compile(
    r"(?<![\p{L}\p{N}])(?:(?:1[5-9]|20)\d\d|n\.\s?d\.|in\s+press|submitted|forthcoming)"
)
_SUFFIX_ONLY = regex.compile(r"(?P<suffix>[a-z]{1,2})(?![\p{L}\p{N}])")
_LIST_SEP = regex.compile(r"\s*(?P<sep>[,;])")
_GROUP_SEP = regex.compile(r"\s*[,;]\s*")
# A line break may fall inside a citation (text from a PDF); a blank line may not.
_PAREN_GROUP = regex.compile(
    r"\((?P<body>(?:[^()\n]|\n(?![ \t]*\n)){1,800})\)"
    r"|\[(?P<bbody>(?:[^\[\]\n]|\n(?![ \t]*\n)){1,800})\]"
)
_POSSESSIVE = regex.compile(r"(?:['’]s)?\s*$")
_WORD_START = regex.compile(r"(?<![\p{L}\p{N}’'\-.])(?=[\p{L}\p{N}])")
_HAS_DIGIT_YEAR = regex.compile(r"(?:1[5-9]|20)\d\d|n\.\s?d\.|in\s+press|submitted|forthcoming")


def _rstrip_blank(text: str) -> str:
    """``text`` without trailing white space and invisible characters."""
    end = len(text)
    while end and (text[end - 1].isspace() or text[end - 1] in INVISIBLE_CHARACTERS):
        end -= 1
    return text[:end]


def invisible_character_findings(
    path: str, text: str, citations: Sequence[Citation]
) -> list[Finding]:
    """RW015 for each invisible character inside a citation, with a safe fix removing it
    (the citation already matches as if it were not there)."""
    findings: list[Finding] = []
    lines: LineIndex | None = None
    for citation in citations:
        written = text[citation.start : citation.end]
        if not any(char in written for char in INVISIBLE_CHARACTERS):
            continue
        lines = lines or LineIndex(text)
        shown = without_invisible(written)
        for offset, char in enumerate(written):
            if char not in INVISIBLE_CHARACTERS:
                continue
            where = citation.start + offset
            span = lines.span(path, where, where + 1)
            name = unicodedata.name(char, "invisible character")
            message = (
                f"invisible character U+{ord(char):04X} {name} in '{shown}' (pasted from a "
                "PDF?); it is ignored when matching, remove it"
            )
            fix = Fix(f"Remove U+{ord(char):04X} {name}", (TextEdit(span, ""),))
            findings.append(Finding("RW015", message, span, fix=fix))
    return findings


def _name_options(text: str, start: int, end: int) -> tuple[NameOption, ...]:
    """Readings of ``text[start:end]`` as an author group: suffixes that are whole names.

    Longest first, so "Codex Chen et al." yields ("Codex Chen et al.", "Chen et al.").
    """
    return tuple(NameOption(start + offset, name) for offset, name in _readings(text[start:end]))


@lru_cache(maxsize=16384)
def _readings(region: str) -> tuple[tuple[int, str], ...]:
    """(offset, text) of each reading of a region; regions repeat, so they are cached."""
    stripped = region.rstrip()
    readings: list[tuple[int, str]] = []
    for match in _WORD_START.finditer(stripped, timeout=REGEX_TIMEOUT):
        candidate = stripped[match.start() :]
        first_word = candidate.partition(" ")[0]
        if not (candidate[0].isupper() or first_word in _PARTICLES or candidate[1:2] in "'’"):
            continue  # cheap pre-check: names start with a capital, a particle or d'
        if _CORPORATE_SUFFIX.fullmatch(candidate):
            continue
        previous_word = stripped[: match.start()].rstrip().rpartition(" ")[2]
        if readings and (previous_word in ("and", "&") or _PARTICLE_WORD.fullmatch(previous_word)):
            continue  # "Wan" of "Liu & Wan", "Oord" of "van den Oord": parts of a longer name
        if _NAMES_FULL.fullmatch(candidate, timeout=REGEX_TIMEOUT):
            readings.append((match.start(), candidate))
    return tuple(readings)


def _parse_year_list(
    text: str, pos: int, end: int
) -> tuple[list[tuple[str, str, int, int]], int, list[str]] | None:
    """Years and suffixes at ``pos``: "2023a,c" → [(2023,a), (2023,c)]; also "2021; 2023"."""
    first = _YEAR_ITEM.match(text, pos, end, timeout=REGEX_TIMEOUT)
    if not first:
        return None
    items = [(_norm_year(first["year"]), first["suffix"] or "", first.start(), first.end())]
    separators: list[str] = []
    cursor = first.end()
    while cursor < end:
        sep = _LIST_SEP.match(text, cursor, end)
        if not sep:
            break
        after = sep.end()
        suffix = _SUFFIX_ONLY.match(text, after, end)
        if suffix and items[-1][1]:
            items.append((items[-1][0], suffix["suffix"], suffix.start(), suffix.end()))
            separators.append(sep["sep"])
            cursor = suffix.end()
            continue
        ws = after
        while ws < end and text[ws] in " \t\n":
            ws += 1
        year = _YEAR_ITEM.match(text, ws, end, timeout=REGEX_TIMEOUT)
        if year:
            items.append((_norm_year(year["year"]), year["suffix"] or "", year.start(), year.end()))
            cursor = year.end()
            continue
        break
    return items, cursor, separators


def _norm_year(year: str) -> str:
    return " ".join(year.split()).replace("n. d.", "n.d.")


def _works(
    options: tuple[NameOption, ...],
    items: list[tuple[str, str, int, int]],
) -> list[CitedWork]:
    works = []
    for index, (year, suffix, y_start, y_end) in enumerate(items):
        start = options[-1].start if index == 0 else y_start
        works.append(
            CitedWork(
                start=start,
                end=y_end,
                name_options=options,
                year=year,
                suffix=suffix,
                year_start=y_start,
                year_end=y_end,
            )
        )
    return works


def _parse_parenthetical(text: str, start: int, end: int) -> tuple[list[CitedWork], list[str]]:
    """Works of a parenthetical body ``text[start:end]`` ("e.g., A et al., 2020; B, 2021a,b")."""
    works: list[CitedWork] = []
    separators: list[str] = []
    boundary = start
    cursor = start
    previous_options: tuple[NameOption, ...] = ()
    while cursor < end:
        found = _YEAR_START.search(text, cursor, end, timeout=REGEX_TIMEOUT)
        if not found:
            break
        parsed = _parse_year_list(text, found.start(), end)
        if parsed is None:
            cursor = found.end()
            continue
        items, list_end, seps = parsed
        names_end = found.start()
        between = text[boundary:names_end]
        stripped = _rstrip_blank(between)
        if stripped.endswith(","):
            stripped = _rstrip_blank(stripped[:-1])
        options = _name_options(text, boundary, boundary + len(stripped)) if stripped else ()
        if not options and not stripped.strip(" ;,") and previous_options:
            options = previous_options  # "(Hu et al., 2021; 2023)": same names, another year
        if options:
            works.extend(_works(options, items))
            separators.extend(seps)
            previous_options = options
        else:
            previous_options = ()
        cursor = list_end
        # A post-note (", p. 4") runs to the next ";"; a new group may also follow a ",".
        sep = _GROUP_SEP.match(text, cursor, end)
        boundary = sep.end() if sep else cursor
        if options and sep and text[cursor : sep.end()].strip() == ",":
            semicolon = text.find(";", boundary, end)
            next_year = _YEAR_START.search(text, boundary, end, timeout=REGEX_TIMEOUT)
            names_follow = next_year and _name_options(text, boundary, next_year.start())
            if not names_follow and semicolon >= 0:
                boundary = semicolon + 1
        cursor = max(cursor, boundary)
    return works, separators


def _narrative(text: str, open_index: int, close_index: int) -> Citation | None:
    """ "Chen et al. (2021a)": a year list alone in parentheses after author names."""
    body_start = open_index + 1
    while body_start < close_index and text[body_start] == " ":
        body_start += 1
    parsed = _parse_year_list(text, body_start, close_index)
    if parsed is None:
        return None
    items, list_end, seps = parsed
    rest = text[list_end:close_index].strip()
    if rest and not rest.startswith(","):
        return None
    # Names may begin on an earlier line ("Stankiewicz et al.⏎(2006)" in a PDF's text), but
    # not before a blank line.
    line_start = max(_paragraph_start(text, open_index), open_index - 160)
    before = text[line_start:open_index]
    possessive = _POSSESSIVE.search(before)
    names_end = line_start + (possessive.start() if possessive else len(before))
    # Names never cross the end of a sentence or a clause.
    region_start = line_start
    for boundary in _CLAUSE_END.finditer(text, line_start, names_end, timeout=REGEX_TIMEOUT):
        region_start = boundary.end()
    # Nor a short line: a heading ("2 Related Work") or a paragraph's last line, which
    # wrapped prose never is.
    newline = text.find("\n", region_start, names_end)
    while newline >= 0:
        line = text[text.rfind("\n", 0, newline) + 1 : newline].strip()
        # A short line whose names go on in the next ("As Liu⏎et al. (2021)") is prose.
        names_go_on = _NAMES_GO_ON.match(text, newline + 1, names_end) is not None
        if len(line) < _FULL_LINE and not line.endswith("-") and not names_go_on:
            region_start = newline + 1
        newline = text.find("\n", newline + 1, names_end)
    options = _name_options(text, region_start, names_end)
    if not options:
        return None
    works = _works(options, items)
    if len(works) == 1 and not rest:
        works[0] = replace(works[0], end=close_index + 1)  # "Chen et al. (2021a)" whole
    return Citation(works[0].start, close_index + 1, "narrative", tuple(works), tuple(seps))


# The end of a sentence or clause (". ", ";⏎"), or a parenthesis: names start after it.
# (The period of an initial, "P.-H. Chen", "C. H. C. Chang", ends nothing.)
_CLAUSE_END = regex.compile(r"(?:(?<!(?:^|[\s(.\-])\p{Lu})\.|[;:])(?=\s)\s|[()]", regex.V1)
# Lines of wrapped prose hold at least this many characters (a narrow column ~45).
_FULL_LINE = 30
_BLANK_LINE = regex.compile(r"\n[ \t]*\n")
_NAMES_GO_ON = regex.compile(r"[ \t]*(?:et\s+al\b|and\s+\p{Lu}|&\s*\p{Lu})")


def _paragraph_start(text: str, index: int) -> int:
    """Where the paragraph holding ``text[index]`` starts (after its blank line)."""
    start = 0
    for blank in _BLANK_LINE.finditer(text, max(0, index - 400), index, timeout=REGEX_TIMEOUT):
        start = blank.end()
    return start


def _unopened_lead(text: str) -> Iterator[tuple[int, int]]:
    """A paragraph that begins inside a parenthetical (an excerpt cut mid-citation):
    its text up to the first ")" that has no "(" before it."""
    for paragraph in regex.finditer(
        r"(?:^|\n\s*\n)(?P<p>[^\n]+(?:\n(?![ \t]*\n)[^\n]*)*)", text, timeout=REGEX_TIMEOUT
    ):
        start = paragraph.start("p")
        close = text.find(")", start, paragraph.end("p"))
        if close > 0 and text.find("(", start, close) < 0:
            yield start, close


def find_rendered_citations(text: str) -> list[Citation]:
    """All rendered author-year citations of ``text`` in document order."""
    citations: list[Citation] = []
    for start, close in _unopened_lead(text):
        works, seps = _parse_parenthetical(text, start, close)
        if works and all(w.strong or w.name_options for w in works):
            citations.append(
                Citation(works[0].start, close + 1, "parenthetical", tuple(works), tuple(seps))
            )
    for group in _PAREN_GROUP.finditer(text, timeout=REGEX_TIMEOUT):
        body = group["body"] if group["body"] is not None else group["bbody"]
        if not _HAS_DIGIT_YEAR.search(body):
            continue
        open_index, close_index = group.start(), group.end() - 1
        # "Chen et al. (2021a)", or with natbib's square option "Chen et al. [2021a]".
        narrative = _narrative(text, open_index, close_index)
        if narrative:
            citations.append(narrative)
            continue
        works, seps = _parse_parenthetical(text, open_index + 1, close_index)
        if works:
            citations.append(
                Citation(open_index, close_index + 1, "parenthetical", tuple(works), tuple(seps))
            )
    citations.sort(key=lambda c: c.start)
    return citations

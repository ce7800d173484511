"""A manuscript's own reference list as its bibliography.

Finds the reference section of a draft ("References", "Bibliography", "Literature Cited"…,
a Markdown heading or a plain line), splits it into references (blank-line paragraphs,
hanging indents, or wrapped lines as text copied from a PDF gives them) and reads each
reference's authors, year with suffix and title in the renderings of plainnat/natbib
("Mark Chen, Jerry Tworek, and W. Zaremba. Title. Venue, 2021a."), ACL ("… Zaremba. 2021a.
Title."), APA 7 and apalike ("Chen, M., Tworek, J., & Zaremba, W. (2021a). Title.") and
Chicago author-date ("Chen, Mark, Jerry Tworek, and W. Zaremba. 2021a. “Title.”").

Each reference becomes an ordinary :class:`BibEntry` whose span points at the reference in
the draft, and whose label (names, year, suffix) is the one the list prints, like a .bbl.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any

import regex

from ..positions import LineIndex
from .bbl import BblLabel
from .latex_text import fold
from .model import BibEntry, Bibliography, LoadProblem
from .names import PersonName

REGEX_TIMEOUT = 2.0
SOURCE_FORMAT = "reference-list"


class _Lazy:
    """A regular expression compiled when first used: only drafts with a reference list
    need the patterns below, and compiling them all is a good part of a short run."""

    __slots__ = ("_arguments", "_compiled")

    def __init__(self, pattern: str, flags: int = 0) -> None:
        self._arguments = (pattern, flags)
        self._compiled: regex.Pattern[str] | None = None

    def __getattr__(self, name: str) -> Any:
        compiled = self._compiled
        if compiled is None:
            compiled = self._compiled = regex.compile(*self._arguments)
        return getattr(compiled, name)


# -- the section ------------------------------------------------------------------------------

_HEADING_WORDS = (
    r"references?(?:[ \t]+(?:list|cited))?|bibliography|literature[ \t]+cited"
    r"|works[ \t]+cited|cited[ \t]+literature|reference[ \t]+list"
)
_HEADING = regex.compile(
    r"^[ \t]*(?P<hashes>#{1,6}[ \t]*)?(?:\*\*|__)?"
    r"(?:(?:\d{1,2}|[IVX]{1,4})\.?[ \t]+)?"
    rf"(?P<title>{_HEADING_WORDS})[ \t]*:?(?:\*\*|__)?[ \t]*(?:\{{[^}}\n]*\}})?[ \t]*$",
    regex.I | regex.M,
)
# What ends a reference section: another Markdown heading, or an appendix heading.
_NEXT_MARKDOWN_HEADING = regex.compile(r"^#{1,6}[ \t]", regex.M)
_APPENDIX_HEADING = regex.compile(
    r"^[ \t]*(?:[A-Z](?:\.\d+)*\.?[ \t]+|\d{1,2}\.?[ \t]+)?"
    r"(?:APPENDI(?:X|CES)|Appendi(?:x|ces)|SUPPLEMENTARY|Supplementary (?:Material|Information))"
    r"\b[^\n]{0,80}$",
    regex.M,
)


@dataclass(frozen=True)
class ReferenceSection:
    """Offsets of a reference section: its heading line, and the references after it."""

    heading_start: int
    start: int  # just after the heading line
    end: int


# Every heading _HEADING matches holds one of these in its title, as regex.I compares them.
_HEADING_KEYWORDS = ("referenc", "bibliograph", "literature", "works")


def _headings(text: str) -> list[Any]:
    """What ``_HEADING.finditer(text)`` finds, matched only on the lines that hold a
    keyword of its titles: trying the pattern at every line start of a long draft took
    tens of milliseconds, on each analysis."""
    lowered = text.lower()
    # Offsets of `lowered` are those of `text` when lowering changed no length (İ does),
    # and regex.I matches no other character to a keyword's letters than these and ſ.
    if len(lowered) != len(text) or "ſ" in text:
        return list(_HEADING.finditer(text, timeout=REGEX_TIMEOUT))
    starts: set[int] = set()
    for keyword in _HEADING_KEYWORDS:
        found = lowered.find(keyword)
        while found >= 0:
            starts.add(text.rfind("\n", 0, found) + 1)
            found = lowered.find(keyword, found + len(keyword))
    headings = []
    for start in sorted(starts):
        end = text.find("\n", start)
        heading = _HEADING.match(text, start, len(text) if end < 0 else end, timeout=REGEX_TIMEOUT)
        if heading is not None:
            headings.append(heading)
    return headings


@lru_cache(maxsize=4)
def find_reference_section(text: str) -> ReferenceSection | None:
    """The last reference section of ``text`` that holds at least one dated reference
    (remembered for the last few texts: an analysis asks twice)."""
    headings = _headings(text)
    for heading in reversed(headings):
        start = heading.end() + 1 if heading.end() < len(text) else heading.end()
        end = len(text)
        for pattern in (_NEXT_MARKDOWN_HEADING, _APPENDIX_HEADING):
            following = pattern.search(text, start, timeout=REGEX_TIMEOUT)
            if following is not None:
                end = min(end, following.start())
        if _ANY_YEAR.search(text, start, end, timeout=REGEX_TIMEOUT):
            return ReferenceSection(heading.start(), start, end)
    return None


# -- splitting into references --------------------------------------------------------------

_NOISE_LINE = _Lazy(r"^[ \t\f]*(?:\d{1,4}|:::+.*|<div[^>]*>|</div>|\\?\[\\?\]|\f)?[ \t\f]*$")
# "[12] ", "(12) ", "12. " (three digits at most: "2023. URL" is a year).
_NUMBER_MARK = _Lazy(r"^[ \t\f]*(?:\[\d{1,4}\]|\(\d{1,3}\)|\d{1,3}\.)[ \t]+")
_DOI_START = _Lazy(r"10\.\d{4,9}/")


@dataclass
class _Line:
    start: int
    end: int  # without the newline
    text: str

    @property
    def indent(self) -> int:
        text = self.text.lstrip("\f")  # a page break before the line is no indent
        return len(text) - len(text.lstrip(" \t"))


def _lines(text: str, start: int, end: int) -> list[_Line]:
    lines = []
    position = start
    while position < end:
        newline = text.find("\n", position, end)
        stop = end if newline < 0 else newline
        lines.append(_Line(position, stop, text[position:stop]))
        position = stop + 1
    return lines


def _join(lines: list[_Line]) -> str:
    """Lines of one reference as one string: hyphenation and broken URLs undone."""
    out = ""
    for line in lines:
        piece = line.text.strip(" \t\f")
        if not out:
            out = piece
            continue
        last = out.rsplit(" ", 1)[-1]
        identifier = "://" in last or last.startswith(("www.", "doi:")) or _DOI_START.match(last)
        # A URL followed by "," or ";" is finished: "…/chatify," then "2023a." is the year.
        finished = last.endswith((",", ";"))
        if last in ("https:", "http:") or (
            identifier
            and not finished
            and (
                last.endswith(("/", "-", "_", "=", ":"))
                or piece[:1].islower()
                or piece[:1].isdigit()
            )
        ):
            out += piece  # a URL broken across lines
        elif (
            out.endswith("-")
            and len(out) > 1
            and out[-2].isalpha()
            and piece[:1].islower()
            and not last.startswith("http")
        ):
            out = out[:-1] + piece  # "Cap-" + "pelli": a hyphenated word
        else:
            out += " " + piece
    return out


@dataclass(frozen=True)
class RawReference:
    """One reference of a list: its text (lines joined) and its span in the document."""

    text: str
    start: int
    end: int


def split_references(text: str, section: ReferenceSection) -> list[RawReference]:
    """The references of a section, in order.

    Blank-line paragraphs are references when the section has several; with hanging
    indents (``pdftotext -layout``) an unindented line starts a reference; otherwise
    (wrapped lines, as text copied from a PDF) a reference starts at a line after a
    finished one (ending in "." or a URL) that reads as the start of an author list in
    the form most lines of the list start with.
    """
    lines = _lines(text, section.start, section.end)
    content = [line for line in lines if not _NOISE_LINE.fullmatch(line.text)]
    if not content:
        return []
    groups: list[list[_Line]] = []
    indents = {line.indent for line in content}
    if 0 in indents and any(indent >= 2 for indent in indents):
        for line in content:
            if line.indent == 0 or not groups:
                groups.append([line])
            else:
                groups[-1].append(line)
    else:
        paragraphs: list[list[_Line]] = [[]]
        for line in lines:
            if not line.text.strip():
                if paragraphs[-1]:
                    paragraphs.append([])
            elif not _NOISE_LINE.fullmatch(line.text):
                paragraphs[-1].append(line)
        paragraphs = [p for p in paragraphs if p]
        groups = paragraphs if len(paragraphs) >= 2 else _split_wrapped(content)
    references = []
    for group in groups:
        joined = _join(group)
        joined = _NUMBER_MARK.sub("", joined, count=1)
        if joined:
            references.append(RawReference(joined, group[0].start, group[-1].end))
    return references


# A line that can end a reference: final punctuation, or a whole URL or DOI (not one
# broken after "/" or "https:").
_ENDS_REFERENCE = _Lazy(r"(?:[.!?)\]”\"]|https?://\S+\w|\b10\.\d{4,9}/\S+\w)\s*$")


def _split_wrapped(lines: list[_Line]) -> list[list[_Line]]:
    """Wrapped references without blank lines: split where a new author list starts."""
    texts = [line.text.strip() for line in lines]

    def rest(i: int) -> str:
        return _join(lines[i : i + 8])

    # Which form do reference starts take here? Count candidates after finished lines.
    votes: Counter[str] = Counter()
    starts_by_form: dict[int, set[str]] = {}
    for i in range(len(lines)):
        if i > 0 and not _ENDS_REFERENCE.search(texts[i - 1]):
            continue
        forms = entry_start_forms(rest(i))
        starts_by_form[i] = forms
        votes.update(forms)
    form = votes.most_common(1)[0][0] if votes else None
    groups: list[list[_Line]] = []
    for i, line in enumerate(lines):
        starts = (
            not groups
            or (
                _NUMBER_MARK.match(line.text) is not None
                and _ENDS_REFERENCE.search(texts[i - 1]) is not None
            )
            or (
                form is not None
                and form in starts_by_form.get(i, set())
                and _ANY_YEAR.search(_join(groups[-1])) is not None
            )
        )
        if starts:
            groups.append([line])
        else:
            groups[-1].append(line)
    return groups


# -- parsing one reference -------------------------------------------------------------------

_PARTICLES_TEXT = """
    van von der den de del della degli di da du dos das la le ten ter al el bin ibn zu y
"""
_PARTICLES = frozenset(_PARTICLES_TEXT.split())
_CORPORATE = _Lazy(r"^(?:Inc|Ltd|LLC|Corp|Co|GmbH|AG|S\.A)\.?$")
_YEAR_WORD = (
    r"(?:1[5-9]\d\d|20\d\d)(?:[/–-](?:1[5-9]\d\d|20\d\d))?"
    r"|n\.\s?d\.|in\s+press|submitted|forthcoming|accepted"
)
_ANY_YEAR = _Lazy(rf"(?<![\p{{L}}\p{{N}}])(?:{_YEAR_WORD})")
# APA and apalike: "(2021a)." or "(2023, July 3)." right after the authors.
_PAREN_YEAR = _Lazy(rf"\((?P<year>{_YEAR_WORD})(?:-?(?P<suffix>[a-z]))?(?:,[^()\n]{{0,30}})?\)\.?")
# Chicago author-date and ACL: "… Zaremba. 2021a. Title".
_SENTENCE_YEAR = _Lazy(
    rf"(?<=\.)[ \t]+(?P<year>{_YEAR_WORD})(?P<suffix>[a-z])?(?:\.|(?<=d\.))(?=\s|$)"
)
# plainnat: the year near the end, "…, 2021a." (not inside an identifier or a URL).
_TRAILING_YEAR = _Lazy(
    rf"(?<![\p{{L}}\p{{N}}/.:\-])(?P<year>{_YEAR_WORD})(?P<suffix>[a-z])?(?=[.,;)]?(?:\s|$))"
)
_URL = _Lazy(r"(?:https?://|www\.)\S+")
_DOI = _Lazy(r"\b10\.\d{4,9}/[^\s\"<>]+")
_ET_AL = _Lazy(r",?\s*(?:et\s+al\.?|and\s+others)\s*$")
_SEPARATOR = _Lazy(r"\s*,?\s*(?:\band\b|&)\s+|\s*,\s*(?:…|\.\.\.)?\s*|\s*(?:…|\.\.\.)\s*")
# "M.", "J. D.", "J.-F.", "Ch.", or a lone capital whose period ended the block ("D").
# Two-letter initials are digraphs ("Ch.", "Th."); "Le." and "Xu." are surnames.
_DIGRAPHS = r"(?:Ch|Th|Ph|Sh|Zh|Kh|Ts|Gh)"
_INITIAL = rf"(?:(?:\p{{Lu}}|{_DIGRAPHS})\.|\p{{Lu}}(?!\p{{L}}))"
_INITIALS = _Lazy(
    rf"^{_INITIAL}(?:[\s\-]*{_INITIAL})*(?:\s+(?:Jr\.?|Sr\.?|II|III|IV))?"
    r"(?:\s+(?P<particles>(?:[a-z]+\.?\s*)+))?$"
)
# Words that make a one-item author list an organisation rather than a person.
_ORGANISATION_WORDS_TEXT = """
    office institute foundation team contributors association consortium group project
    council organization organisation agency department committee society university
    laboratory laboratories center centre corporation company collaboration community
    developers authors board commission ministry service bureau network alliance inc inc.
    ltd ltd. llc
"""
_ORGANISATION_WORDS = frozenset(_ORGANISATION_WORDS_TEXT.split())
_JOINED = _Lazy(r"(?:\band\b|&)")
_SUFFIXES = frozenset({"Jr.", "Jr", "Sr.", "Sr", "II", "III", "IV"})


@dataclass(frozen=True)
class ReferenceName:
    """An author of a reference: surname (with particles), given names, or an organisation."""

    surname: str
    given: str = ""
    organisation: bool = False

    def person(self) -> PersonName:
        if self.organisation or not self.given:
            return PersonName(last=(self.surname,))
        words = self.surname.split()
        von = tuple(w for w in words if w in _PARTICLES)
        last = tuple(w for w in words if w not in _PARTICLES)
        return PersonName(first=tuple(self.given.split()), von=von, last=last or (self.surname,))


@dataclass(frozen=True)
class ParsedReference:
    """What a reference says: authors, year and suffix as printed, title, the rest."""

    text: str
    names: tuple[ReferenceName, ...]
    truncated: bool  # "et al." or "…": more authors than listed
    year: str
    suffix: str
    title: str
    rest: str
    form: str  # "apa" (also apalike), "chicago", "acl", "natbib", or "" when unread
    doi: str = ""
    url: str = ""

    @property
    def label_names(self) -> str:
        """The author part of the label: "A", "A and B", "A et al."."""
        surnames = [n.surname for n in self.names]
        if not surnames:
            return ""
        if self.form == "chicago" and len(surnames) == 3 and not self.truncated:
            return f"{surnames[0]}, {surnames[1]}, and {surnames[2]}"
        if len(surnames) >= 3 or self.truncated:
            return f"{surnames[0]} et al."
        if len(surnames) == 2:
            return f"{surnames[0]} and {surnames[1]}"
        return surnames[0]


def _is_initials(item: str) -> bool:
    return _INITIALS.fullmatch(item) is not None


def _name_word_ok(word: str, strict: bool) -> bool:
    if word in _PARTICLES or word in _SUFFIXES:
        return True
    core = word.strip("()").rstrip(".,")
    if not core:
        return False
    if core[0].isupper() or (len(core) > 1 and core[0] in "'’dD" and core[1:2] in "'’"):
        return True
    if core[:1].isdigit():
        return not strict and all(ch.isdigit() or ch == "." for ch in core)
    return not strict and core.isalpha() and core.islower()


def _plausible_item(item: str, strict: bool) -> bool:
    words = item.split()
    if not 1 <= len(words) <= (5 if strict else 7):
        return False
    if strict and any(w in ("of", "the", "for", "in", "on", "and") for w in words):
        return False
    if strict and any(
        w.endswith(".") and not regex.fullmatch(_INITIAL + r"(?:-" + _INITIAL + ")*|Jr\\.|St\\.", w)
        for w in words[:-1]
    ):
        return False  # "PMLR. Du": a sentence ended inside the name
    return all(_name_word_ok(word, strict) for word in words)


def _items(block: str) -> tuple[list[str], bool]:
    """Author items of a block ("Chen, M." counts as two items: "Chen" and "M.")."""
    block = block.strip().rstrip(",")
    truncated = False
    et_al = _ET_AL.search(block)
    if et_al:
        truncated = True
        block = block[: et_al.start()]
    if "…" in block or "..." in block:
        truncated = True
    items = [part.strip() for part in _SEPARATOR.split(block) if part and part.strip()]
    merged: list[str] = []
    for item in items:
        if merged and (_CORPORATE.match(item) or item in _SUFFIXES):
            merged[-1] = f"{merged[-1]}, {item}" if _CORPORATE.match(item) else merged[-1]
        else:
            merged.append(item)
    return merged, truncated


def _natural_name(item: str) -> ReferenceName:
    """ "Aaron van den Oord" → surname "van den Oord"; "Anthropic" → an organisation."""
    words = item.split()
    while len(words) > 1 and words[-1] in _SUFFIXES:
        words.pop()
    if words and len(words[-1]) > 2 and words[-1].endswith("."):
        words[-1] = words[-1][:-1]  # the period that ended the author list
    if len(words) == 2 and len(words[1]) > 1 and words[1].isupper() and words[0][1:].islower():
        return ReferenceName(" ".join(words), organisation=True)  # "Mosaic ML"
    has_initial = any(regex.fullmatch(r"\p{Lu}\.(?:-?\p{Lu}\.)*", w) for w in words)
    if (
        len(words) == 1
        or (len(words) >= 5 and not has_initial)
        or any(w.casefold().rstrip(",") in _ORGANISATION_WORDS for w in words)
    ):
        return ReferenceName(" ".join(words), organisation=True)
    for index, word in enumerate(words[1:], start=1):
        if word in _PARTICLES:
            return ReferenceName(" ".join(words[index:]), " ".join(words[:index]))
    return ReferenceName(words[-1], " ".join(words[:-1]))


def parse_author_block(
    block: str, form: str, strict: bool = False
) -> tuple[tuple[ReferenceName, ...], bool, bool]:
    """Names in ``block`` read in ``form`` ("apa", "chicago", "natural"), whether the list
    is truncated, and whether every part read as a name."""
    items, truncated = _items(block)
    if not items:
        return (), truncated, truncated
    names: list[ReferenceName] = []
    ok = True
    index = 0
    if len(items) == 2 and not _JOINED.search(block) and not truncated:
        # One inverted name: "McKinney, Wes", "Contributors, pvlib python".
        given = items[1].rstrip(".") if not _is_initials(items[1]) else items[1]
        ok = _plausible_item(items[0], strict) and (
            _is_initials(given) or _plausible_item(given, strict)
        )
        return (ReferenceName(items[0], given),), truncated, ok
    if form == "apa":
        while index < len(items):
            item = items[index]
            follower = items[index + 1] if index + 1 < len(items) else ""
            if follower and _is_initials(follower):
                # Particles after the initials ("Walt, S. J. van der") are dropped in
                # citations, which name "Walt".
                particles = _INITIALS.fullmatch(follower)["particles"]  # type: ignore[index]
                given = follower[: -len(particles)].strip() if particles else follower
                names.append(ReferenceName(item, given))
                ok = ok and _plausible_item(item, strict)
                index += 2
            else:
                names.append(ReferenceName(item.rstrip("."), organisation=True))
                ok = ok and _plausible_item(item, strict)
                index += 1
        return tuple(names), truncated, ok
    if form == "chicago" and len(items) >= 2 and len(items[0].split()) <= 3:
        names.append(ReferenceName(items[0], items[1]))
        ok = _plausible_item(items[0], strict) and _plausible_item(items[1], strict)
        index = 2
    for item in items[index:]:
        ok = ok and _plausible_item(item, strict)
        names.append(_natural_name(item))
    return tuple(names), truncated, ok


def _block_form(block: str) -> str:
    """The form of an author block from its own shape: "apa" (every name inverted, with
    initials), "chicago" (the first name inverted) or "natural"."""
    items, _ = _items(block)
    if len(items) >= 2 and _is_initials(items[1]):
        # "Stein, J. S., W. F. Holmgren, …": Chicago with initials; APA inverts them all.
        if len(items) >= 4:
            return "apa" if _is_initials(items[3]) else "chicago"
        if len(items) == 3 and regex.match(r"\p{Lu}\.", items[2]):
            return "chicago"
        return "apa"
    if len(items) >= 2 and len(items[0].split()) == 1 and _looks_given(items[1]):
        return "chicago"
    return "natural"


def _looks_given(item: str) -> bool:
    words = item.split()
    return 1 <= len(words) <= 3 and all(
        w[:1].isupper() and w not in _SUFFIXES and not _CORPORATE.match(w) for w in words
    )


_SENTENCE_END = _Lazy(r"(?<=[^\s])([.?!])(?=[\s”\"]|$)")


def _author_block_end(text: str) -> int:
    """Where a natural-order author block ends: the first "." that is not an initial's."""
    for match in _SENTENCE_END.finditer(text, timeout=REGEX_TIMEOUT):
        if match.group(1) != ".":
            return -1
        before = text[: match.start()].rsplit(None, 1)[-1] if text[: match.start()] else ""
        word = before.lstrip("(")
        if regex.fullmatch(
            rf"\p{{Lu}}|{_DIGRAPHS}|\p{{Lu}}\.(?:-?\p{{Lu}})+|(?:\p{{Lu}}\.-)?\p{{Lu}}", word
        ):
            continue  # an initial, "J.-F"
        if word in ("Jr", "Sr", "St") or _CORPORATE.match(word + "."):
            if _CORPORATE.match(word + "."):
                return match.end()
            continue
        return match.end()
    return -1


def _title_and_rest(text: str) -> tuple[str, str]:
    text = text.strip()
    if text and text[0] in '“"':
        close = text.find("”" if text[0] == "“" else '"', 1)
        if close > 0:
            title = text[1:close].strip().rstrip(".,")
            return title, text[close + 1 :].lstrip(" .,")
    for match in _SENTENCE_END.finditer(text, timeout=REGEX_TIMEOUT):
        before = text[: match.start()].rsplit(None, 1)[-1] if text[: match.start()] else ""
        if regex.fullmatch(r"\p{Lu}|vs|e\.g|i\.e|Vol|No|pp|Proc", before):
            continue
        end = match.end() if match.group(1) in "?!" else match.start()
        return text[:end].strip(), text[match.end() :].strip()
    return text.rstrip("."), ""


def _clean_url(url: str) -> str:
    return url.rstrip(".,;)")


def parse_reference(text: str, prefer: str = "") -> ParsedReference:
    """Read one reference (lines already joined). ``prefer`` is the list's usual form,
    used where a block reads either way."""
    text = " ".join(text.split())
    url_match = _URL.search(text)
    doi_match = _DOI.search(text)
    url = _clean_url(url_match.group()) if url_match else ""
    doi = _clean_url(doi_match.group()) if doi_match else ""
    # "(2021a)" after a block of names: APA 7 or apalike.
    for match in _PAREN_YEAR.finditer(text, timeout=REGEX_TIMEOUT):
        block = text[: match.start()].strip()
        if not block:
            break
        form = "apa" if _block_form(block) == "apa" or prefer == "apa" else _block_form(block)
        names, truncated, ok = parse_author_block(block, form)
        if ok and names:
            title, rest = _title_and_rest(text[match.end() :])
            return ParsedReference(
                text,
                names,
                truncated,
                _year_text(match["year"]),
                match["suffix"] or "",
                title,
                rest,
                "apa",
                doi,
                url,
            )
        break
    # "… Zaremba. 2021a. Title": Chicago author-date, ACL.
    sentence_year = _SENTENCE_YEAR.search(text, timeout=REGEX_TIMEOUT)
    if sentence_year is not None:
        block = text[: sentence_year.start()].strip().rstrip(".")
        form = _block_form(block)
        if form == "natural" and prefer == "chicago" and "," in block:
            form = "chicago"
        if form == "apa" and not block.endswith("."):
            block += "."  # the period before the year closed the last initial
        names, truncated, ok = parse_author_block(block, form)
        if ok and names:
            title, rest = _title_and_rest(text[sentence_year.end() :])
            return ParsedReference(
                text,
                names,
                truncated,
                _year_text(sentence_year["year"]),
                sentence_year["suffix"] or "",
                title,
                rest,
                "acl" if form == "natural" else "chicago",
                doi,
                url,
            )
    # plainnat: "Mark Chen, …, and Wojciech Zaremba. Title. Venue, 2021a."
    end = _author_block_end(text)
    names = ()
    truncated = False
    title = rest = ""
    if end > 0:
        block = text[:end].strip().rstrip(".")
        form = _block_form(block)
        if form == "apa" or (form == "chicago" and prefer not in ("chicago", "apa")):
            form = "natural" if form == "chicago" else form
        names, truncated, ok = parse_author_block(block, form)
        if not ok:
            names = ()
        title, rest = _title_and_rest(text[end:])
    year = suffix = ""
    searchable = _URL.sub(lambda m: " " * len(m.group()), text)
    searchable = _DOI.sub(lambda m: " " * len(m.group()), searchable)
    years = list(_TRAILING_YEAR.finditer(searchable, max(end, 0), timeout=REGEX_TIMEOUT))
    if years:
        year, suffix = _year_text(years[-1]["year"]), years[-1]["suffix"] or ""
    return ParsedReference(
        text, names, truncated, year, suffix, title, rest, "natbib" if names else "", doi, url
    )


def _year_text(year: str) -> str:
    return " ".join(year.split())


def entry_start_forms(text: str) -> set[str]:
    """The forms in which ``text`` reads as the start of a reference (strictly: an author
    list followed by a year or by a title)."""
    text = " ".join(text.split())
    forms: set[str] = set()
    paren = _PAREN_YEAR.search(text, 0, 700, timeout=REGEX_TIMEOUT)
    if paren is not None and paren.start() > 0:
        block = text[: paren.start()].strip().rstrip(".")
        if _block_form(block) == "apa" or "," not in block:
            _, _, ok = parse_author_block(block, "apa", strict=True)
            if ok:
                forms.add("apa")
    sentence_year = _SENTENCE_YEAR.search(text, 0, 700, timeout=REGEX_TIMEOUT)
    if sentence_year is not None:
        block = text[: sentence_year.start()].strip().rstrip(".")
        _, _, ok = parse_author_block(block, _block_form(block), strict=True)
        if ok:
            forms.add("chicago")
    end = _author_block_end(text[:700])
    if end > 0:
        block = text[:end].strip().rstrip(".")
        names, _, ok = parse_author_block(block, "natural", strict=True)
        after = text[end:].lstrip()
        starts_sentence = (
            after[:1].isupper() or after[:1].isdigit() or (after != "" and after[0] in '“"')
        )
        # One name alone ("OpenAI", "InternLM Team", "Aiyuan Yang") only when capitalised.
        several = (
            len(names) > 1
            or _ET_AL.search(block)
            or (len(block.split()) <= 3 and all(w[:1].isupper() for w in block.split()))
        )
        if ok and names and starts_sentence and several:
            forms.add("natbib")
    return forms


# -- the bibliography -------------------------------------------------------------------------


@dataclass
class ReferenceList:
    """The section and its references, parsed, in document order."""

    section: ReferenceSection
    references: list[tuple[RawReference, ParsedReference]] = field(default_factory=list)

    @property
    def form(self) -> str:
        forms = Counter(parsed.form for _, parsed in self.references if parsed.form)
        return forms.most_common(1)[0][0] if forms else ""


def read_reference_list(text: str) -> ReferenceList | None:
    """The reference list of a draft, or None when it has no reference section."""
    section = find_reference_section(text)
    if section is None:
        return None
    raws = split_references(text, section)
    first = [parse_reference(raw.text) for raw in raws]
    votes = Counter(p.form for p in first if p.form)
    prefer = votes.most_common(1)[0][0] if votes else ""
    result = ReferenceList(section)
    previous: ParsedReference | None = None
    for raw, parsed in zip(raws, first, strict=True):
        if prefer and parsed.form != prefer:
            again = parse_reference(raw.text, prefer)
            if again.form and again.names:
                parsed = again
        repeated = _SAME_AUTHORS.match(raw.text)
        if repeated is not None and previous is not None:
            # "———. 2019b. Title." (Chicago, MLA): the authors of the reference before.
            stand_in = previous.text.split(".", 1)[0] if previous.names else "Anonymous"
            again = parse_reference(stand_in + raw.text[repeated.end() :], prefer)
            parsed = ParsedReference(
                raw.text,
                previous.names,
                previous.truncated,
                again.year,
                again.suffix,
                again.title,
                again.rest,
                again.form or previous.form,
                again.doi,
                again.url,
            )
        result.references.append((raw, parsed))
        previous = parsed
    return result


_SAME_AUTHORS = _Lazy(r"^(?:—{2,3}|-{3}|_{3,})")


def _key_base(parsed: ParsedReference) -> str:
    surname = parsed.names[0].surname if parsed.names else "ref"
    letters = "".join(ch for ch in fold(surname) if ch.isalnum()) or "ref"
    year = "".join(ch for ch in parsed.year if ch.isalnum())
    return f"{letters}{year}{parsed.suffix}"


# A list with at least this many unreadable references, making up at least this share of
# it, is not used to check citations.
GARBLED_MIN = 3
GARBLED_SHARE = 0.25


def reference_list_bibliography(text: str, path: str) -> Bibliography:
    """The reference list of the draft ``text`` (at ``path``) as a bibliography: one entry
    per reference, spanning it in the draft, labelled as the list prints it."""
    bib = Bibliography(paths=[path])
    found = read_reference_list(text)
    if found is None:
        return bib
    lines = LineIndex(text)
    used: Counter[str] = Counter()
    for raw, parsed in found.references:
        span = lines.span(path, raw.start, raw.end)
        if not parsed.names or not parsed.year:
            missing = "authors" if not parsed.names else "year"
            bib.problems.append(
                LoadProblem(
                    "RW311",
                    f"cannot read the {missing} of this reference, so no citation can point "
                    f"at it: {_shorten(raw.text)}",
                    span,
                )
            )
            continue
        base = _key_base(parsed)
        used[base] += 1
        key = base if used[base] == 1 else f"{base}-{used[base]}"
        authors = tuple(name.person() for name in parsed.names)
        if parsed.truncated:
            authors += (PersonName(last=("others",)),)
        fields = {"title": parsed.title, "year": parsed.year, "note": raw.text}
        if parsed.rest:
            fields["howpublished"] = _URL.sub("", parsed.rest).strip(" .,")
        if parsed.doi:
            fields["doi"] = parsed.doi
        if parsed.url:
            fields["url"] = parsed.url
        entry = BibEntry(
            key=key,
            entry_type="misc",
            fields={k: v for k, v in fields.items() if v},
            authors=authors,
            editors=(),
            span=span,
            source_format=SOURCE_FORMAT,
        )
        bib.entries.append(entry)
        bib.bbl_labels[key.lower()] = BblLabel(
            key, parsed.label_names, parsed.year, parsed.suffix, span.line
        )
    bib.problems.extend(_suffix_problems(bib))
    unread = sum(1 for p in bib.problems if p.code == "RW311")
    total = len(found.references)
    if unread >= GARBLED_MIN and unread >= GARBLED_SHARE * total:
        # Text extracted out of order (a PDF's justified or two-column reference list)
        # splits references into pieces: their "works" would only give false alarms.
        heading = lines.span(path, found.section.heading_start, found.section.start)
        bib.unreliable = (
            f"the reference list could not be read: {unread} of {total} references have no "
            "readable authors or year (text extracted from a PDF out of order? `pdftotext "
            "-raw` keeps each reference whole); citations are not checked against it"
        )
        bib.problems = [LoadProblem("RW311", bib.unreliable, heading)]
    return bib


def _suffix_problems(bib: Bibliography) -> list[LoadProblem]:
    """RW310: references the text cannot tell apart: the same label with the same suffix,
    or, without suffixes, the same authors and year (APA and Chicago tell works by
    different authors apart by naming more of them, so those need no suffix)."""
    groups: dict[tuple[str, ...], list[BibEntry]] = {}
    for entry in bib.entries:
        label = bib.bbl_labels[entry.key.lower()]
        if label.suffix:
            key: tuple[str, ...] = (fold(label.names), label.year, label.suffix)
        else:
            surnames = tuple(fold(a.display_surname()) for a in entry.authors)
            key = (fold(label.names), label.year, "", *surnames)
        groups.setdefault(key, []).append(entry)
    problems: list[LoadProblem] = []
    for entries in groups.values():
        if len(entries) < 2:
            continue
        label = bib.bbl_labels[entries[0].key.lower()]
        for entry in entries:
            problems.append(
                LoadProblem(
                    "RW310",
                    f"{len(entries)} references are labelled '{label.text()}': the list needs "
                    "distinct year suffixes (2021a, 2021b) to tell them apart",
                    entry.span,
                )
            )
    return problems


def _shorten(text: str, limit: int = 80) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"


def reference_section_span(text: str) -> tuple[int, int] | None:
    """Offsets of the reference section (heading to end) when it holds references."""
    section = find_reference_section(text)
    return (section.heading_start, section.end) if section is not None else None

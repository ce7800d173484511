"""Resolve each cited work of a document to one bibliography entry, or explain why it
cannot be (RW001–RW008, RW020).

A document (one draft, or a LaTeX root with the files it includes) is resolved as a whole,
because its labels depend on everything it cites:
1. keyed citations resolve by key; the keys are cited for certain;
2. the author text of each rendered work is matched to names in the bibliography (exact,
   after accent folding, or by first author), giving the works of that name and year;
3. each label group those works belong to is solved (``label_inference``): which members
   the document cites, so which one each written suffix means;
4. each work gets its entry, several possible entries (RW020, information), or a finding.
"""

from __future__ import annotations

import difflib
from collections.abc import Sequence
from dataclasses import dataclass, field

import regex

from ..bibliography.latex_text import fold
from ..bibliography.model import BibEntry
from ..bibliography.names import PersonName
from ..bibliography.work_identity import same_work, work_identities
from ..findings import Finding, Fix, RelatedLocation, TextEdit
from .cited_set import CitedEvidence, DocumentIndex, evidence_from_bbl_labels, solve_groups
from .index import (
    CitationIndex,
    first_surname,
    folded_names,
    line_end_hyphen_readings,
    normalize_names,
)
from .label_inference import (
    NEEDS_SUFFIX,
    SUPERFLUOUS_SUFFIX,
    GroupProblem,
    WrittenLabel,
)
from .model import Citation, CitedWork, Document, NameOption

__all__ = [
    "CitationIndex",
    "CitedEvidence",
    "DocumentIndex",
    "DocumentResolution",
    "ManuscriptFile",
    "WorkResolution",
    "resolve_citations",
    "resolve_manuscript",
]


@dataclass(frozen=True)
class WorkResolution:
    """What one cited work refers to; ``names`` is the reading of the author text used.

    ``candidates`` holds the works it may mean when the text cannot tell (``entry`` is then
    None), or the works a finding was about."""

    work: CitedWork
    citation: Citation
    entry: BibEntry | None
    names: NameOption | None = None
    candidates: tuple[BibEntry, ...] = ()

    @property
    def is_head(self) -> bool:
        """False for a suffix-only work such as the "c" of "2023a,c"."""
        return self.work.start != self.work.year_start

    @property
    def start(self) -> int:
        """Start of this work's own text: its author names, or its lone suffix."""
        if self.names is not None and self.is_head:
            return self.names.start
        return self.work.start

    @property
    def end(self) -> int:
        return self.work.end


@dataclass
class DocumentResolution:
    path: str
    works: list[WorkResolution]
    findings: list[Finding]
    # The document's view of the bibliography: its labels, from its cited set.
    index: DocumentIndex | None = None
    document: Document | None = None


@dataclass(frozen=True)
class ManuscriptFile:
    """One file of a document, with the citations found in it."""

    document: Document
    citations: Sequence[Citation]


# -- name matching (independent of the cited set; cached per written form) -----------------

EXACT, FOLDED, AUTHOR_FORM = "exact", "folded", "author-form"
# The authors written out in full or in part ("Holmgren, Hansen, and Mikofski"): the names
# tell the works apart, so no suffix is needed.
LISTED = "listed"
YEAR_OFF, UNMATCHED, NOT_A_CITATION = "year-off", "unmatched", "not-a-citation"


@dataclass(frozen=True)
class NameMatch:
    """How a rendered work's author text and year met the bibliography.

    ``candidates``: the works with these names (or, for AUTHOR_FORM, this first author) and
    this year. ``others``: for YEAR_OFF the works with these names in other years; for
    UNMATCHED the nearest works (``near``: one spelling edit away)."""

    kind: str
    option: int
    candidates: tuple[BibEntry, ...] = ()
    others: tuple[BibEntry, ...] = ()
    near: BibEntry | None = None


def match_names(index: CitationIndex, work: CitedWork) -> NameMatch:
    """The entries a rendered work's names and year can mean (remembered per spelling)."""
    key = (tuple(o.text for o in work.name_options), work.year)
    cached = index.name_matches.get(key)
    if isinstance(cached, NameMatch):
        return cached
    match = _match_names_uncached(index, work)
    index.name_matches[key] = match
    return match


def _same_year(index: CitationIndex, entries: Sequence[BibEntry], year: str) -> list[BibEntry]:
    return [e for e in entries if index.base_label(e).year == year]


def _match_names_uncached(index: CitationIndex, work: CitedWork) -> NameMatch:
    initialed = _initialed_authors(index, work)
    if initialed is not None:
        return initialed
    year_off: NameMatch | None = None
    for table, kind, normal in (
        (index.by_names, EXACT, normalize_names),
        (index.by_folded_names, FOLDED, folded_names),
    ):
        for number, option in enumerate(work.name_options):
            entries = next(
                (
                    found
                    for written in line_end_hyphen_readings(option.text)
                    if (found := table.get(normal(written)))
                ),
                None,
            )
            if entries:
                same = _same_year(index, entries, work.year)
                if same:
                    return NameMatch(kind, number, tuple(same))
                year_off = NameMatch(YEAR_OFF, number, (), tuple(entries), None)
                break
        if year_off is not None:
            break
    last = len(work.name_options) - 1
    option = work.name_options[last]
    listed = _listed_authors(index, work)
    if listed is not None:
        return listed
    same_first: dict[str, BibEntry] = {}
    for other in work.name_options:
        for entry in index.by_first_surname.get(first_surname(other.text), []):
            same_first.setdefault(entry.key, entry)
    in_year = _same_year(index, list(same_first.values()), work.year)
    author_groups = {normalize_names(index.base_label(e).names) for e in in_year}
    if len(author_groups) == 1:
        # The first author and the year agree: the author form is what is off ("Roweis
        # et al., 2000" for Roweis and Saul, 2000), even when those names exist in
        # another year.
        return NameMatch(AUTHOR_FORM, last, tuple(in_year))
    if year_off is not None:
        return year_off
    near = _one_edit(index, option.text, work.year)
    if near is None and not work.strong and not same_first:
        # "(GPT-4, 2023)": a bare capitalised word and a year, nothing like it cited (but
        # see match_rendered: in parentheses, a surname is a work missing).
        return NameMatch(NOT_A_CITATION, last)
    return NameMatch(UNMATCHED, last, (), tuple(_suggest(index, option.text, work.year)), near)


# A surname as written alone: "Zhang", "Xu", "Müller", "García-Pérez", "O'Neil",
# "McDonald", "van der Berg", "De Vries".
_SURNAME = regex.compile(
    r"(?:(?:[Vv]an|[Vv]on|[Dd]e|[Dd]er|[Dd]en|[Dd]el|[Dd]ella|[Dd]i|[Dd]a|[Dd]u|[Ll]a|[Ll]e|"
    r"[Tt]er|[Tt]en|[Dd]os|[Dd]as)\s+)*"
    r"(?:Mc|Mac|O['’]|D['’])?\p{Lu}\p{Ll}+(?:[-'’]\p{Lu}\p{Ll}+)*",
    regex.V1,
)
# Capitalised words that stand before a year in parentheses without being authors.
_NOT_SURNAMES = frozenset(
    [
        "accessed",
        "appendix",
        "approx",
        "april",
        "august",
        "autumn",
        "available",
        "born",
        "ca",
        "chapter",
        "circa",
        "copyright",
        "december",
        "died",
        "draft",
        "edition",
        "est",
        "eq",
        "equation",
        "february",
        "fig",
        "figure",
        "founded",
        "fall",
        "ibid",
        "issue",
        "january",
        "july",
        "june",
        "march",
        "may",
        "monday",
        "november",
        "october",
        "online",
        "part",
        "phase",
        "preprint",
        "published",
        "release",
        "report",
        "retrieved",
        "revised",
        "saturday",
        "section",
        "september",
        "spring",
        "stage",
        "step",
        "summer",
        "sunday",
        "survey",
        "table",
        "thursday",
        "tuesday",
        "update",
        "updated",
        "version",
        "vol",
        "volume",
        "wednesday",
        # Two-letter words written with a capital (a surname like "Xu" or "Li" is not).
        "an",
        "as",
        "at",
        "be",
        "by",
        "do",
        "go",
        "he",
        "if",
        "in",
        "is",
        "it",
        "me",
        "my",
        "no",
        "of",
        "oh",
        "ok",
        "on",
        "or",
        "so",
        "to",
        "up",
        "us",
        "we",
        "winter",
        "friday",
    ]
)


def _surname_like(index: CitationIndex, text: str) -> bool:
    """Whether a lone capitalised word with a year in parentheses reads as an author's
    surname: shaped like one, not a word that commonly stands before a year, and no word of
    any title in the bibliography (the names of models, methods and datasets are)."""
    word = " ".join(text.split())
    if not _SURNAME.fullmatch(word):
        return False
    folded = fold(word)
    return folded not in _NOT_SURNAMES and folded not in index.title_words


_NAME_LIST = regex.compile(r"\s*,\s*(?:and\s+|&\s*)?|\s+(?:and|&)\s+")


def _listed_authors(index: CitationIndex, work: CitedWork) -> NameMatch | None:
    """Works whose authors the text lists more fully than a label does, as APA, Chicago and
    biblatex write them ("Holmgren, Hansen, and Mikofski, 2018", "Holmgren, Hansen, Stein,
    et al., 2018"): the same surnames in the same order, all of them or, before "et al.",
    the first ones."""
    for number, option in enumerate(work.name_options):
        written, truncated = _written_surnames(option.text.strip())
        if len(written) < 2:
            continue
        found = _with_authors(index, work.year, written, complete=not truncated)
        if found:
            return NameMatch(LISTED, number, tuple(found))
    return None


def _written_surnames(text: str) -> tuple[list[str], bool]:
    """The surnames of a written author list, folded, and whether it ends in "et al." (which
    may be broken across lines: "Bates, Kliegl, et⏎al."; a name hyphenated at a line end,
    "Gol-⏎land", is joined by folded_names)."""
    et_al = _ET_AL_END.search(text)
    if et_al is not None:
        text = text[: et_al.start()].rstrip(" ,\n")
    return [folded_names(part) for part in _NAME_LIST.split(text) if part.strip()], bool(et_al)


def _authors_of(entry: BibEntry) -> list[PersonName]:
    return [p for p in entry.authors or entry.editors if not p.is_others]


def _with_authors(
    index: CitationIndex,
    year: str,
    written: list[str],
    complete: bool = False,
    initials: str = "",
) -> list[BibEntry]:
    """Works of ``year`` whose first authors' surnames are ``written`` (folded), in order:
    all their authors when ``complete``; the first author with these ``initials``."""
    found = []
    for entry in index.by_first_surname.get(written[0], []):
        if index.base_label(entry).year != year:
            continue
        people = _authors_of(entry)
        if initials and (not people or not _initials_of(people[0]).startswith(initials)):
            continue
        surnames = [folded_names(p.display_surname()) for p in people]
        if surnames[: len(written)] == written and (not complete or len(surnames) == len(written)):
            found.append(entry)
    return found


# Initials before a surname, as APA writes them to tell apart first authors of one surname
# ("E. Smith et al.", "P.-H. Chen et al.", "S. M. Smith, Beckmann, et al.").
_INITIALS = regex.compile(r"((?:\p{Lu}\.(?:\s*-\s*|\s+)?)+)\s*(\p{Lu}.*)", regex.V1 | regex.S)
_ET_AL_END = regex.compile(r"\bet\s+al\.?$")


def _initials_of(person: PersonName) -> str:
    """The initials of a person's given names ("Po-Hsuan A." → "PHA")."""
    letters = []
    for token in person.first:
        for part in fold(token).split("-"):
            letter = next((ch for ch in part if ch.isalpha()), "")
            letters.append(letter.upper())
    return "".join(letters)


def _initialed_authors(index: CitationIndex, work: CitedWork) -> NameMatch | None:
    """Works whose first author's initials (and, when written, following surnames) are
    the ones the text writes before the names: APA's way of telling apart authors who
    share a surname and a year, without suffixes."""
    for number, option in enumerate(work.name_options):
        match = _INITIALS.fullmatch(option.text.strip())
        if match is None:
            continue
        initials = "".join(ch for ch in match[1] if ch.isalpha()).upper()
        written, truncated = _written_surnames(match[2])
        if not written:
            continue
        found = _with_authors(index, work.year, written, not truncated, initials)
        if truncated:
            # "et al." stands for authors beyond those written, and for three at least (two
            # are always both named).
            least = max(3, len(written) + 1)
            found = [e for e in found if len(_authors_of(e)) >= least]
        if found:
            return NameMatch(LISTED, number, tuple(found))
    return None


def _unlettered(index: CitationIndex, entry: BibEntry) -> str:
    """ "Chen et al., 2021 (Evaluating …)": a work's names and year, without the letter
    that a document's cited set decides."""
    label = index.base_label(entry)
    year = f", {label.year}" if label.year else ""
    return f"{label.names}{year} ({entry.title or entry.key})"


_SEPARATORS = regex.compile(r"([\s~]+)")


def _keep_breaks(old: str, new: str) -> str:
    """``new`` with the separators of ``old`` between its words where both have as many:
    a fix to a citation broken across lines ("Roziere⏎et al.") keeps the break, one to
    LaTeX text keeps its ties ("Roziere~et al.")."""
    if not ("\n" in old or "~" in old or "\u00a0" in old) or "\n" in new:
        return new
    old_parts = _SEPARATORS.split(old)
    words = new.split(" ")
    if len(words) != len(old_parts[0::2]):
        return new
    rebuilt = []
    for number, word in enumerate(words):
        rebuilt.append(word)
        if number < len(words) - 1:
            rebuilt.append(old_parts[2 * number + 1])
    return "".join(rebuilt)


def _one_edit(index: CitationIndex, names: str, year: str) -> BibEntry | None:
    """An entry of this year whose names are one spelling edit away, if those names are
    one author group's ("Naeth, 1993a" beside Neath 1993a and 1993b: one name, two works)."""
    target = folded_names(names)
    found: list[BibEntry] = []
    groups = set()
    for folded, entries in index.by_folded_names.items():
        if abs(len(folded) - len(target)) <= 1 and _within_one_edit(folded, target):
            in_year = [e for e in entries if index.base_label(e).year == year]
            if in_year:
                found.extend(in_year)
                groups.add(folded)
    return found[0] if len(groups) == 1 else None


def _suggest(index: CitationIndex, names: str, year: str) -> list[BibEntry]:
    """Entries whose first author's surname is close to the one written (the shared
    " et al." must not make "Budninskiy et al." look like "Dosovitskiy et al.")."""
    target = first_surname(names)
    scored: list[tuple[float, str, BibEntry]] = []
    for folded, entries in index.by_first_surname.items():
        matcher = difflib.SequenceMatcher(None, target, folded)
        if matcher.quick_ratio() < 0.75:
            continue
        ratio = matcher.ratio()
        if ratio < 0.75:
            continue
        for entry in entries:
            bonus = 0.2 if index.base_label(entry).year == year else 0.0
            scored.append((ratio + bonus, entry.key, entry))
    scored.sort(key=lambda row: (-row[0], row[1]))
    return [entry for _, _, entry in scored[:3]]


def _within_one_edit(a: str, b: str) -> bool:
    """True when ``a`` and ``b`` differ by at most one insertion, deletion, substitution or
    swap of two adjacent letters ("Nbole" for "Noble", the commonest typing slip)."""
    if a == b:
        return True
    if len(a) > len(b):
        a, b = b, a
    if len(b) - len(a) > 1:
        return False
    for i, (x, y) in enumerate(zip(a, b, strict=False)):
        if x != y:
            if len(a) != len(b):
                return a[i:] == b[i + 1 :]
            swapped = a[i + 1 : i + 2] == y and b[i + 1 : i + 2] == x
            return a[i + 1 :] == b[i + 1 :] or (swapped and a[i + 2 :] == b[i + 2 :])
    return True


# -- the resolver --------------------------------------------------------------------------


@dataclass
class _Pending:
    """A rendered work between name matching and group solving."""

    number: int
    file: int
    work: CitedWork
    citation: Citation
    match: NameMatch
    groups: tuple[str, ...] = ()


@dataclass
class _FileState:
    document: Document
    slots: list[WorkResolution | None] = field(default_factory=list)
    findings: list[list[Finding]] = field(default_factory=list)


class _Resolver:
    def __init__(self, index: CitationIndex, evidence: CitedEvidence) -> None:
        self.index = index
        self.evidence = evidence
        self.files: list[_FileState] = []
        self.view: CitationIndex = index  # the document's labels once groups are solved

    # -- findings -----------------------------------------------------------------------

    def related(self, entries: Sequence[BibEntry]) -> tuple[RelatedLocation, ...]:
        key = tuple(entry.key for entry in entries[:8])
        cached = self.view.related_locations.get(key)
        if cached is None:
            cached = tuple(
                RelatedLocation(entry.span, self.view.describe(entry)) for entry in entries[:8]
            )
            self.view.related_locations[key] = cached
        return cached

    def report(
        self,
        file: int,
        slot: int,
        code: str,
        message: str,
        start: int,
        end: int,
        entries: Sequence[BibEntry] = (),
        fix: Fix | None = None,
        severity: str = "",
    ) -> None:
        span = self.files[file].document.span(start, end)
        self.files[file].findings[slot].append(
            Finding(code, message, span, severity, related=self.related(entries), fix=fix)
        )

    def edit(self, file: int, start: int, end: int, new_text: str) -> TextEdit:
        document = self.files[file].document
        return TextEdit(document.span(start, end), _keep_breaks(document.text[start:end], new_text))

    # -- keyed citations -----------------------------------------------------------------

    def resolve_key(
        self, file: int, slot: int, work: CitedWork, citation: Citation
    ) -> WorkResolution:
        index = self.index
        alias = index.bibliography.key_aliases.get(work.key.lower())
        if alias is not None and alias.lower() in index.entries_by_key:
            return WorkResolution(work, citation, index.entries_by_key[alias.lower()])
        entry = index.entries_by_key.get(work.key.lower())
        if entry is not None:
            if entry.key != work.key:
                fix = Fix(
                    f"Use the key '{entry.key}'",
                    (self.edit(file, work.start, work.end, entry.key),),
                )
                message = f"key '{work.key}' differs in case from the bibliography's '{entry.key}'"
                if citation.form == "pandoc":
                    # Pandoc matches keys case-sensitively: this citation is undefined.
                    self.report(
                        file,
                        slot,
                        "RW007",
                        message + "; Pandoc will not find it",
                        work.start,
                        work.end,
                        [entry],
                        fix,
                    )
                    return WorkResolution(work, citation, None)
                self.report(file, slot, "RW008", message, work.start, work.end, [entry], fix)
            return WorkResolution(work, citation, entry)
        close = difflib.get_close_matches(work.key, list(index.entries_by_key), n=3, cutoff=0.75)
        suggestions = [index.entries_by_key[k] for k in close]
        message = f"undefined citation key '{work.key}'"
        suggested_fix: Fix | None = None
        if suggestions:
            message += "; did you mean " + ", ".join(f"'{e.key}'" for e in suggestions) + "?"
            best = suggestions[0]
            suggested_fix = Fix(
                f"Use the key '{best.key}'",
                (self.edit(file, work.start, work.end, best.key),),
                safe=False,
            )
        self.report(file, slot, "RW007", message, work.start, work.end, suggestions, suggested_fix)
        return WorkResolution(work, citation, None)

    # -- rendered citations: names -------------------------------------------------------

    def match_rendered(self, pending: _Pending, slot: int) -> WorkResolution | None:
        """Report what the names and year alone show; a resolution when nothing is left to
        decide, else None (the work waits for its label group to be solved)."""
        work, match, file = pending.work, pending.match, pending.file
        option = work.name_options[match.option]
        continuation = not _is_head(work)
        start, end = _work_range(work, option)
        cited = f"{option.text}, {work.year}{work.suffix}"
        if match.kind == NOT_A_CITATION:
            surname = next(
                (n for n, o in enumerate(work.name_options) if _surname_like(self.index, o.text)),
                None,
            )
            if pending.citation.form != "parenthetical" or surname is None:
                return WorkResolution(work, pending.citation, None, option)
            # "(Zhang, 2017)": a surname and a year in parentheses is a citation, of a
            # work the bibliography lacks.
            option = work.name_options[surname]
            start, end = _work_range(work, option)
            cited = f"{option.text}, {work.year}{work.suffix}"
            suggestions = tuple(_suggest(self.index, option.text, work.year))
            pending.match = match = NameMatch(UNMATCHED, surname, (), suggestions, None)
        if match.kind == LISTED and len(match.candidates) == 1:
            return WorkResolution(work, pending.citation, match.candidates[0], option)
        if match.kind in (FOLDED, YEAR_OFF) and not continuation:
            spelled = match.candidates or match.others
            correct = self.index.base_label(spelled[0]).names
            if folded_names(correct) == folded_names(option.text) and normalize_names(
                correct
            ) != normalize_names(option.text):
                self._spelling(file, slot, option, correct, spelled)
        if match.kind == YEAR_OFF:
            return self._year_off(pending, slot, option, start, end, cited)
        if match.kind == UNMATCHED:
            self._unmatched(pending, slot, option, start, end, cited)
            return WorkResolution(work, pending.citation, None, option)  # suggestions only
        if match.kind == AUTHOR_FORM and not continuation:
            names = self.index.base_label(match.candidates[0]).names
            described = "; ".join(self.index.describe(e) for e in match.candidates[:3])
            self.report(
                file,
                slot,
                "RW004",
                f"'{option.text}' does not match the authors of {described}: write '{names}'",
                start,
                end,
                match.candidates,
                # Another author form may be another work missing from the bibliography.
                Fix(
                    f"Write '{names}'",
                    (self.edit(file, option.start, option.start + len(option.text), names),),
                    safe=False,
                ),
            )
        return None

    def _spelling(
        self, file: int, slot: int, option: NameOption, correct: str, entries: Sequence[BibEntry]
    ) -> None:
        end = option.start + len(option.text)
        self.report(
            file,
            slot,
            "RW005",
            f"'{option.text}' is spelled '{correct}' in the bibliography: "
            f"{self.index.describe(entries[0])}",
            option.start,
            end,
            entries,
            Fix(f"Spell it '{correct}'", (self.edit(file, option.start, end, correct),)),
        )

    def _year_off(
        self, pending: _Pending, slot: int, option: NameOption, start: int, end: int, cited: str
    ) -> WorkResolution:
        work, others, file = pending.work, pending.match.others, pending.file
        if len(others) == 1:
            entry = others[0]
            label = self.index.base_label(entry)
            self.report(
                file,
                slot,
                "RW006",
                f"no work '{cited}' in the bibliography; the only {label.names} work is "
                f"{self.index.describe(entry)}",
                start,
                end,
                [entry],
                Fix(
                    f"Change the year to {label.year}",
                    (self.edit(file, work.year_start, work.year_end, label.year),),
                    safe=False,
                ),
            )
            return WorkResolution(work, pending.citation, entry, option)
        years = sorted({self.index.base_label(e).year for e in others})
        self.report(
            file,
            slot,
            "RW001",
            f"no work '{cited}' in the bibliography; {option.text} has works from "
            + ", ".join(years),
            start,
            end,
            others,
        )
        return WorkResolution(work, pending.citation, None, option)

    def _unmatched(
        self, pending: _Pending, slot: int, option: NameOption, start: int, end: int, cited: str
    ) -> None:
        match, file = pending.match, pending.file
        message = f"no work '{cited}' in the bibliography"
        lead = option.text.split(",")[0].split(" et al")[0]
        if (
            match.near is None
            and not match.others
            and first_surname(lead) not in self.index.by_first_surname
        ):
            message += f" (no work by {lead} at all)"
        fix = None
        if match.near is not None:
            near = match.near
            names = self.index.base_label(near).names
            # Names and year only: its letter depends on what the document cites.
            message += f"; did you mean {_unlettered(self.index, near)}?"
            # A surname one letter away is as likely another author as a typo.
            fix = Fix(
                f"Write '{names}'",
                (self.edit(file, option.start, option.start + len(option.text), names),),
                safe=False,
            )
        elif match.others:
            message += "; nearest: " + "; ".join(_unlettered(self.index, e) for e in match.others)
        entries = [match.near] if match.near is not None else list(match.others)
        self.report(file, slot, "RW001", message, start, end, entries, fix)

    # -- rendered citations: suffixes ----------------------------------------------------

    def settle(self, pending: _Pending, slot: int, view: DocumentIndex) -> WorkResolution:
        """The work's entry once its label groups are solved, or the finding that says why
        there is none."""
        work, file = pending.work, pending.file
        option = work.name_options[pending.match.option]
        start, end = _work_range(work, option)
        referents: list[BibEntry] = []
        conflicts: list[str] = []
        for group in pending.groups:
            solution = view.solutions[group]
            for key in solution.referents.get(pending.number, ()):
                referents.append(view.entries_by_key[key])
            if pending.number in solution.conflicts:
                conflicts.append(solution.conflicts[pending.number])
        if len(referents) > 1 and view.evidence.labels:
            # Where a .bbl or the reference list printed the names, they decide ("Holmgren
            # et al. 2018" beside "Holmgren, Hansen, and Mikofski 2018" in Chicago style).
            written = normalize_names(option.text)
            printed = [
                e
                for e in referents
                if (label := view.evidence.labels.get(e.key.lower())) is not None
                and normalize_names(label.names) == written
            ]
            if len(printed) == 1:
                referents = printed
        if len(referents) == 1 or (referents and _one_work(referents)):
            # Duplicate entries of one work (RW301 reports them): whichever is cited, the
            # text means that work.
            return WorkResolution(work, pending.citation, referents[0], option)
        cited = f"{option.text}, {work.year}{work.suffix}"
        candidates = pending.match.candidates
        if referents:
            self._uncertain(pending, slot, start, end, cited, referents, view)
            return WorkResolution(work, pending.citation, None, option, tuple(referents))
        reason = conflicts[0] if conflicts else _reason_for(pending, view)
        group_cited = self._cited_in_groups(pending, view)
        if reason == NEEDS_SUFFIX:
            self._needs_suffix(pending, slot, start, end, cited, group_cited, view)
            return WorkResolution(work, pending.citation, None, option, tuple(group_cited))
        exact = view.evidence.exact is not None
        if reason == SUPERFLUOUS_SUFFIX and (
            len(candidates) == 1 or exact and len(group_cited) == 1
        ):
            entry = candidates[0] if len(candidates) == 1 else group_cited[0]
            suffix_start = work.year_end - len(work.suffix)
            where = "exists" if len(candidates) == 1 else "is cited here"
            letters = sorted(
                {s for g in pending.groups for s in view.written_suffixes.get(g, ()) if s}
            )
            message = (
                f"superfluous suffix '{work.suffix}' in '{cited}': only one {option.text} "
                f"{work.year} work {where}, {view.describe(entry)}"
            )
            if len(letters) > 1:
                # "2023a" and "2023b" for one work: one of them may be a work missing from
                # the bibliography, so removing the letter is not certain to keep the meaning.
                message += (
                    f"; the document writes {', '.join(letters)} for it: is a {option.text} "
                    f"{work.year} work missing from the bibliography?"
                )
            self.report(
                file,
                slot,
                "RW003",
                message,
                start,
                end,
                [entry],
                # The "c" of "2023a,c" cannot be removed on its own: no fix there.
                Fix(
                    f"Remove the suffix '{work.suffix}'",
                    (self.edit(file, suffix_start, work.year_end, ""),),
                    safe=len(letters) <= 1,
                )
                if _is_head(work)
                else None,
            )
            if len(letters) > 1:  # which letter means the work in the bibliography?
                return WorkResolution(work, pending.citation, None, option, (entry,))
            return WorkResolution(work, pending.citation, entry, option)
        listed = group_cited if view.evidence.exact is not None and group_cited else candidates
        listed = sorted(listed, key=lambda e: view.label(e).text())
        self.report(
            file,
            slot,
            "RW003",
            f"unknown suffix '{work.suffix}' in '{cited}': "
            + ("the document cites " if listed is group_cited else "the bibliography has ")
            + "; ".join(view.describe(e) for e in listed),
            start,
            end,
            listed,
        )
        return WorkResolution(work, pending.citation, None, option, tuple(candidates))

    def _cited_in_groups(self, pending: _Pending, view: DocumentIndex) -> list[BibEntry]:
        cited = []
        for group in pending.groups:
            for key in view.cited_members(group):
                entry = view.entries_by_key[key]
                if entry in pending.match.candidates:
                    cited.append(entry)
        return cited

    def _needs_suffix(
        self,
        pending: _Pending,
        slot: int,
        start: int,
        end: int,
        cited: str,
        group_cited: list[BibEntry],
        view: DocumentIndex,
    ) -> None:
        work, file = pending.work, pending.file
        if len(group_cited) == 1 and view.label(group_cited[0]).suffix:
            entry = group_cited[0]
            label = view.label(entry)
            self.report(
                file,
                slot,
                "RW002",
                f"'{cited}' needs its suffix: the document's bibliography labels it "
                f"{label.text()} ({entry.title})",
                start,
                end,
                [entry],
                Fix(
                    f"Write {label.year_with_suffix}",
                    (self.edit(file, work.year_start, work.year_end, label.year_with_suffix),),
                ),
            )
            return
        if view.evidence.exact is not None and group_cited:
            reason = f"the document cites {len(group_cited)} such works ({view.evidence.source})"
            works = group_cited
            listed = "; ".join(view.describe(e) for e in works)
        else:
            reason = (
                "a suffix written elsewhere in the document, or several keys, mean it cites "
                "more than one of them"
            )
            works = list(pending.match.candidates)
            listed = "; ".join(f"{e.title or e.key} ({e.key})" for e in works[:6])
        self.report(
            file,
            slot,
            "RW002",
            f"'{cited}' needs a suffix: {reason}; which is meant? {listed}",
            start,
            end,
            works,
        )

    def _uncertain(
        self,
        pending: _Pending,
        slot: int,
        start: int,
        end: int,
        cited: str,
        referents: list[BibEntry],
        view: DocumentIndex,
    ) -> None:
        described = "; ".join(f"{e.key}: {e.title or e.key}" for e in referents[:6])
        self.report(
            pending.file,
            slot,
            "RW020",
            f"'{cited}' may be any of {len(referents)} works, depending on which the document "
            f"cites ({described}); to settle it, cite by key, keep the .bbl or .aux beside "
            "the draft, or list the key under `cited` in relwork.toml",
            start,
            end,
            referents,
        )


def _one_work(entries: Sequence[BibEntry]) -> bool:
    """Whether these entries are all the same work (duplicates under several keys)."""
    first = entries[0]
    identities = work_identities(first)
    return all(
        any(i in identities and same_work(first, other, i) for i in work_identities(other))
        for other in entries[1:]
    )


def _is_head(work: CitedWork) -> bool:
    return work.start != work.year_start


def _work_range(work: CitedWork, option: NameOption) -> tuple[int, int]:
    if not _is_head(work):  # "c" of "2023a,c": the suffix alone
        return work.year_start, work.year_end
    return option.start, work.end


def _reason_for(pending: _Pending, view: DocumentIndex) -> str:
    """Why a work that constrains no group alone (its names fit several) fits none."""
    if not pending.work.suffix:
        return NEEDS_SUFFIX
    if all(len(view.groups[g]) == 1 for g in pending.groups):
        return SUPERFLUOUS_SUFFIX
    return "unknown-suffix"


def resolve_manuscript(
    files: Sequence[ManuscriptFile],
    index: CitationIndex,
    evidence: CitedEvidence | None = None,
) -> list[DocumentResolution]:
    """Resolve every cited work of a document made of ``files`` (all files at once: the
    labels depend on everything the document cites). ``evidence`` defaults to what a
    ``.bbl`` beside the bibliography says."""
    evidence = evidence_from_bbl_labels(index) if evidence is None else evidence
    given = evidence
    resolver = _Resolver(index, evidence)
    pendings: list[tuple[_Pending, int]] = []
    keyed: list[str] = []
    number = 0
    for file_number, file in enumerate(files):
        state = _FileState(file.document)
        resolver.files.append(state)
        for citation in file.citations:
            for work in citation.works:
                slot = len(state.slots)
                state.slots.append(None)
                state.findings.append([])
                if work.is_keyed:
                    resolution = resolver.resolve_key(file_number, slot, work, citation)
                    state.slots[slot] = resolution
                    if resolution.entry is not None:
                        keyed.append(resolution.entry.key.lower())
                    continue
                pending = _Pending(number, file_number, work, citation, match_names(index, work))
                number += 1
                done = resolver.match_rendered(pending, slot)
                if done is not None:
                    state.slots[slot] = done
                    if pending.match.kind == LISTED and done.entry is not None:
                        keyed.append(done.entry.key.lower())  # named in full: cited for sure
                else:
                    pendings.append((pending, slot))
    evidence = evidence.with_known(keyed)
    view = _solve(index, evidence, [p for p, _ in pendings])
    view.source_evidence = given
    resolver.view = view
    for pending, slot in pendings:
        resolver.files[pending.file].slots[slot] = resolver.settle(pending, slot, view)
    results = []
    for state in resolver.files:
        works = [w for w in state.slots if w is not None]
        findings = [f for per_work in state.findings for f in per_work]
        document = state.document
        results.append(DocumentResolution(document.path, works, findings, view, document))
    return results


def _solve(
    index: CitationIndex, evidence: CitedEvidence, pendings: list[_Pending]
) -> DocumentIndex:
    """Build each touched label group's problem from the evidence and the written labels."""
    exact = (
        frozenset(index.entries_by_key)
        if evidence.every_entry
        else frozenset(k.lower() for k in evidence.exact)
        if evidence.exact is not None
        else None
    )
    # A rendered work that can only be one entry marks it cited, like a key.
    only = {
        pending.match.candidates[0].key.lower()
        for pending in pendings
        if len(pending.match.candidates) == 1
    }
    known = frozenset(evidence.known) | only
    order: dict[str, int] = {}
    for key in [*(evidence.exact or ()), *evidence.known]:
        order.setdefault(key.lower(), len(order))
    problems: dict[str, GroupProblem] = {}

    def problem_of(group: str) -> GroupProblem:
        problem = problems.get(group)
        if problem is None:
            members = tuple(e.key.lower() for e in index.groups[group])
            cited_exactly = exact is not None and any(m in exact for m in members)
            certain = (exact if cited_exactly and exact is not None else known) & set(members)
            problem = problems[group] = GroupProblem(
                members, frozenset(certain), exact=cited_exactly
            )
        return problem

    for key in known:
        entry = index.entries_by_key.get(key)
        if entry is not None:
            problem_of(index.group_key(entry))
    # Works written alike share one NameMatch: its groups and candidate keys per group are
    # worked out once (a long draft cites the same works thousands of times).
    by_match: dict[int, tuple[tuple[str, ...], tuple[frozenset[str], ...]]] = {}
    for pending in pendings:
        match = pending.match
        seen = by_match.get(id(match))
        if seen is None:
            groups = tuple(dict.fromkeys(index.group_key(e) for e in match.candidates))
            for entry in match.candidates:
                order.setdefault(entry.key.lower(), len(order))
            keys = frozenset(e.key.lower() for e in match.candidates)
            seen = by_match[id(match)] = (
                groups,
                tuple(keys & set(problem_of(group).members) for group in groups),
            )
        groups, keys_by_group = seen
        pending.groups = groups
        for group, keys in zip(groups, keys_by_group, strict=True):
            problem_of(group).written.append(
                WrittenLabel(pending.number, pending.work.suffix, keys, binding=len(groups) == 1)
            )
    view = solve_groups(index, evidence, problems, order)
    view.written_suffixes = {
        group: {w.suffix for w in problem.written if w.binding}
        for group, problem in problems.items()
    }
    return view


def resolve_citations(
    path: str,
    text: str,
    citations: Sequence[Citation],
    index: CitationIndex,
    evidence: CitedEvidence | None = None,
) -> DocumentResolution:
    """Resolve the citations of a single-file document (see ``resolve_manuscript``)."""
    document = Document(path, text)
    return resolve_manuscript([ManuscriptFile(document, citations)], index, evidence)[0]


def document_labels(
    index: CitationIndex, evidence: CitedEvidence, files: Sequence[ManuscriptFile] = ()
) -> DocumentIndex:
    """The labels of a document: its cited set from ``evidence`` and what ``files`` write."""
    if files:
        resolved = resolve_manuscript(files, index, evidence)
        assert resolved[0].index is not None
        return resolved[0].index
    return _solve(index, evidence, [])

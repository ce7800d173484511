"""Resolve each cited work to one bibliography entry, or explain why it cannot be (RW001–RW008)."""

from __future__ import annotations

import difflib
from collections import defaultdict
from dataclasses import dataclass, field

from ..bibliography.labels import Label, LabelOptions, compute_labels
from ..bibliography.latex_text import fold
from ..bibliography.model import BibEntry, Bibliography, SourceSpan
from ..findings import Finding, Fix, RelatedLocation, TextEdit
from ..positions import LineIndex
from .model import Citation, CitedWork, NameOption
from .rendered import without_invisible


def normalize_names(text: str) -> str:
    """Case-insensitive comparison form of an author group ("Liu & Wan" = "liu and wan")."""
    text = without_invisible(text)  # a soft hyphen or zero-width space pasted from a PDF
    text = text.replace("&", " and ").replace("’", "'").replace(".", " ").replace(",", " ")
    return " ".join(text.casefold().split())


def _folded_names(text: str) -> str:
    return normalize_names(fold(text))


def _first_surname(names: str) -> str:
    """The first author's surname of a names string, folded ("Xu et al." → "xu")."""
    text = _folded_names(names)
    for marker in (" et al", " and "):
        index = text.find(marker)
        if index >= 0:
            text = text[:index]
    return text.strip()


@dataclass
class CitationIndex:
    """A bibliography with its labels, indexed for resolution, completion and hover."""

    bibliography: Bibliography
    options: LabelOptions = field(default_factory=LabelOptions)

    def __post_init__(self) -> None:
        # Rendered works that resolved without findings, by how they were written.
        self.clean_resolutions: dict[tuple[object, ...], tuple[BibEntry, int]] = {}
        self.related_locations: dict[tuple[str, ...], tuple[RelatedLocation, ...]] = {}
        self.entries_by_key: dict[str, BibEntry] = self.bibliography.by_key()
        unique = list(self.entries_by_key.values())
        computed = compute_labels(unique, self.options)
        self.labels: dict[str, Label] = {}
        for entry in unique:
            label = computed[entry.key]
            truth = self.bibliography.bbl_labels.get(entry.key.lower())
            if truth is not None:
                label = Label(truth.names, truth.year, truth.suffix, label.raw_names)
            self.labels[entry.key.lower()] = label
        self.by_names: dict[str, list[BibEntry]] = defaultdict(list)
        self.by_folded_names: dict[str, list[BibEntry]] = defaultdict(list)
        self.by_first_surname: dict[str, list[BibEntry]] = defaultdict(list)
        for entry in unique:
            label = self.labels[entry.key.lower()]
            self.by_names[normalize_names(label.names)].append(entry)
            self.by_folded_names[_folded_names(label.names)].append(entry)
            self.by_first_surname[_first_surname(label.names)].append(entry)

    def label(self, entry: BibEntry) -> Label:
        return self.labels[entry.key.lower()]

    def entry(self, key: str) -> BibEntry | None:
        return self.entries_by_key.get(key.lower())

    def describe(self, entry: BibEntry) -> str:
        """ "Chen et al., 2021 (Evaluating Large Language Models Trained on Code)"."""
        title = entry.title or entry.key
        return f"{self.label(entry).text()} ({title})"


@dataclass(frozen=True)
class WorkResolution:
    """What one cited work refers to; ``names`` is the reading of the author text used."""

    work: CitedWork
    citation: Citation
    entry: BibEntry | None
    names: NameOption | None = None

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


class _Resolver:
    def __init__(self, path: str, text: str, index: CitationIndex) -> None:
        self.path = path
        self.lines = LineIndex(text)
        self.index = index
        self.findings: list[Finding] = []

    def span(self, start: int, end: int) -> SourceSpan:
        return self.lines.span(self.path, start, end)

    def related(self, entries: list[BibEntry]) -> tuple[RelatedLocation, ...]:
        key = tuple(entry.key for entry in entries[:8])
        cached = self.index.related_locations.get(key)
        if cached is None:
            cached = tuple(
                RelatedLocation(entry.span, self.index.describe(entry)) for entry in entries[:8]
            )
            self.index.related_locations[key] = cached
        return cached

    def report(
        self,
        code: str,
        message: str,
        start: int,
        end: int,
        entries: list[BibEntry] | None = None,
        fix: Fix | None = None,
    ) -> None:
        self.findings.append(
            Finding(
                code, message, self.span(start, end), related=self.related(entries or []), fix=fix
            )
        )

    def edit(self, start: int, end: int, new_text: str) -> TextEdit:
        return TextEdit(self.span(start, end), new_text)

    # -- keyed citations -------------------------------------------------------------

    def resolve_key(self, work: CitedWork, citation: Citation) -> WorkResolution:
        alias = self.index.bibliography.key_aliases.get(work.key.lower())
        if alias is not None and alias.lower() in self.index.entries_by_key:
            return WorkResolution(work, citation, self.index.entries_by_key[alias.lower()])
        entry = self.index.entries_by_key.get(work.key.lower())
        if entry is not None:
            if entry.key != work.key:
                fix = Fix(
                    f"Use the key '{entry.key}'", (self.edit(work.start, work.end, entry.key),)
                )
                message = f"key '{work.key}' differs in case from the bibliography's '{entry.key}'"
                if citation.form == "pandoc":
                    # Pandoc matches keys case-sensitively: this citation is undefined.
                    self.report(
                        "RW007",
                        message + "; Pandoc will not find it",
                        work.start,
                        work.end,
                        [entry],
                        fix,
                    )
                    return WorkResolution(work, citation, None)
                self.report("RW008", message, work.start, work.end, [entry], fix)
            return WorkResolution(work, citation, entry)
        close = difflib.get_close_matches(
            work.key, list(self.index.entries_by_key), n=3, cutoff=0.75
        )
        suggestions = [self.index.entries_by_key[k] for k in close]
        message = f"undefined citation key '{work.key}'"
        suggested_fix: Fix | None = None
        if suggestions:
            message += "; did you mean " + ", ".join(f"'{e.key}'" for e in suggestions) + "?"
            best = suggestions[0]
            suggested_fix = Fix(
                f"Use the key '{best.key}'",
                (self.edit(work.start, work.end, best.key),),
                safe=False,
            )
        self.report("RW007", message, work.start, work.end, suggestions, suggested_fix)
        return WorkResolution(work, citation, None)

    # -- rendered citations ----------------------------------------------------------

    def resolve_rendered(self, work: CitedWork, citation: Citation) -> WorkResolution:
        # The same label written the same way resolves the same way: reuse clean results.
        key = (
            tuple(o.text for o in work.name_options),
            work.year,
            work.suffix,
            work.start == work.year_start,
        )
        clean = self.index.clean_resolutions.get(key)
        if clean is not None:
            entry, option_index = clean
            return WorkResolution(work, citation, entry, work.name_options[option_index])
        reported = len(self.findings)
        resolution = self._resolve_rendered(work, citation)
        if (
            resolution.entry is not None
            and len(self.findings) == reported
            and (resolution.names is not None)
        ):
            option_index = work.name_options.index(resolution.names)
            self.index.clean_resolutions[key] = (resolution.entry, option_index)
        return resolution

    def _resolve_rendered(self, work: CitedWork, citation: Citation) -> WorkResolution:
        index = self.index
        continuation = work.start == work.year_start
        for option in work.name_options:
            candidates = index.by_names.get(normalize_names(option.text))
            if candidates:
                return self._by_year(work, citation, option, candidates)
        for option in work.name_options:
            candidates = index.by_folded_names.get(_folded_names(option.text))
            if candidates:
                resolution = self._by_year(work, citation, option, candidates)
                if resolution.entry is not None and not continuation:
                    self._spelling(option, resolution.entry)
                return resolution
        return self._unmatched_names(work, citation, continuation)

    def _spelling(self, option: NameOption, entry: BibEntry) -> None:
        correct = self.index.label(entry).names
        self.report(
            "RW005",
            f"'{option.text}' is spelled '{correct}' in the bibliography: "
            f"{self.index.describe(entry)}",
            option.start,
            option.start + len(option.text),
            [entry],
            Fix(
                f"Spell it '{correct}'",
                (self.edit(option.start, option.start + len(option.text), correct),),
            ),
        )

    def _work_range(self, work: CitedWork, option: NameOption) -> tuple[int, int]:
        if work.start == work.year_start:  # "c" of "2023a,c": the suffix alone
            return work.year_start, work.year_end
        return option.start, work.end

    def _by_year(
        self,
        work: CitedWork,
        citation: Citation,
        option: NameOption,
        candidates: list[BibEntry],
    ) -> WorkResolution:
        index = self.index
        start, end = self._work_range(work, option)
        cited = f"{option.text}, {work.year}{work.suffix}"
        same_year = [e for e in candidates if index.label(e).year == work.year]
        if not same_year:
            years = sorted({index.label(e).year_with_suffix for e in candidates})
            if len(candidates) == 1:
                entry = candidates[0]
                label = index.label(entry)
                self.report(
                    "RW006",
                    f"no work '{cited}' in the bibliography; the only {label.names} work is "
                    f"{index.describe(entry)}",
                    start,
                    end,
                    [entry],
                    Fix(
                        f"Change the year to {label.year_with_suffix}",
                        (self.edit(work.year_start, work.year_end, label.year_with_suffix),),
                        safe=False,
                    ),
                )
                return WorkResolution(work, citation, entry, option)
            self.report(
                "RW001",
                f"no work '{cited}' in the bibliography; {option.text} has works from "
                + ", ".join(years),
                start,
                end,
                candidates,
            )
            return WorkResolution(work, citation, None, option)
        matching = [e for e in same_year if index.label(e).suffix == work.suffix]
        if matching:
            return WorkResolution(work, citation, matching[0], option)
        suffixed = [e for e in same_year if index.label(e).suffix]
        if not work.suffix:
            if len(same_year) == 1:
                entry = same_year[0]
                label = index.label(entry)
                self.report(
                    "RW002",
                    f"'{cited}' needs its suffix: the bibliography labels it "
                    f"{label.text()} ({entry.title})",
                    start,
                    end,
                    [entry],
                    Fix(
                        f"Write {label.year_with_suffix}",
                        (self.edit(work.year_start, work.year_end, label.year_with_suffix),),
                    ),
                )
                return WorkResolution(work, citation, entry, option)
            self.report(
                "RW002",
                f"'{cited}' is ambiguous: {len(same_year)} works match: "
                + "; ".join(index.describe(e) for e in same_year),
                start,
                end,
                same_year,
            )
            return WorkResolution(work, citation, None, option)
        if not suffixed and len(same_year) == 1:
            entry = same_year[0]
            suffix_start = work.year_end - len(work.suffix)
            self.report(
                "RW003",
                f"superfluous suffix '{work.suffix}' in '{cited}': only one {option.text} "
                f"{work.year} work exists, {index.describe(entry)}",
                start,
                end,
                [entry],
                # The "c" of "2023a,c" cannot be removed on its own: no fix there.
                Fix(
                    f"Remove the suffix '{work.suffix}'",
                    (self.edit(suffix_start, work.year_end, ""),),
                )
                if work.start != work.year_start
                else None,
            )
            return WorkResolution(work, citation, entry, option)
        self.report(
            "RW003",
            f"unknown suffix '{work.suffix}' in '{cited}': the bibliography has "
            + "; ".join(index.describe(e) for e in same_year),
            start,
            end,
            same_year,
        )
        return WorkResolution(work, citation, None, option)

    def _unmatched_names(
        self, work: CitedWork, citation: Citation, continuation: bool
    ) -> WorkResolution:
        """No entry has these names: wrong author form, one-edit misspelling, or unknown."""
        index = self.index
        option = work.name_options[-1]
        start, end = self._work_range(work, option)
        cited = f"{option.text}, {work.year}{work.suffix}"
        same_first = [
            e
            for o in work.name_options
            for e in index.by_first_surname.get(_first_surname(o.text), [])
        ]
        exact = [
            e
            for e in same_first
            if index.label(e).year == work.year and index.label(e).suffix == work.suffix
        ]
        if len(exact) == 1:
            entry = exact[0]
            correct = index.label(entry).names
            self.report(
                "RW004",
                f"'{option.text}' does not match the authors of {index.describe(entry)}: "
                f"write '{correct}'",
                start,
                end,
                [entry],
                Fix(
                    f"Write '{correct}'",
                    (self.edit(option.start, option.start + len(option.text), correct),),
                )
                if not continuation
                else None,
            )
            return WorkResolution(work, citation, entry, option)
        near = self._one_edit(option.text, work)
        if near is not None:
            if not continuation:
                self._spelling(option, near)
            return WorkResolution(work, citation, near, option)
        if not work.strong and not same_first:
            # "(GPT-4, 2023)": a bare capitalised word and a year, nothing like it cited.
            return WorkResolution(work, citation, None, option)
        suggestions = self._suggest(option.text, work.year)
        message = f"no work '{cited}' in the bibliography"
        if suggestions:
            message += "; nearest: " + "; ".join(index.describe(e) for e in suggestions)
        self.report("RW001", message, start, end, suggestions)
        return WorkResolution(work, citation, None, option)

    def _one_edit(self, names: str, work: CitedWork) -> BibEntry | None:
        target = _folded_names(names)
        found: list[BibEntry] = []
        for folded, entries in self.index.by_folded_names.items():
            if abs(len(folded) - len(target)) <= 1 and _within_one_edit(folded, target):
                found.extend(
                    e
                    for e in entries
                    if self.index.label(e).year == work.year
                    and self.index.label(e).suffix == work.suffix
                )
        return found[0] if len(found) == 1 else None

    def _suggest(self, names: str, year: str) -> list[BibEntry]:
        index = self.index
        target = _folded_names(names)
        scored: list[tuple[float, str, BibEntry]] = []
        for folded, entries in index.by_folded_names.items():
            ratio = difflib.SequenceMatcher(None, target, folded).quick_ratio()
            if ratio < 0.6:
                continue
            ratio = difflib.SequenceMatcher(None, target, folded).ratio()
            if ratio < 0.6:
                continue
            for entry in entries:
                bonus = 0.2 if index.label(entry).year == year else 0.0
                scored.append((ratio + bonus, entry.key, entry))
        scored.sort(key=lambda row: (-row[0], row[1]))
        return [entry for _, _, entry in scored[:3]]


def _within_one_edit(a: str, b: str) -> bool:
    """True when ``a`` and ``b`` differ by at most one insertion, deletion or substitution."""
    if a == b:
        return True
    if len(a) > len(b):
        a, b = b, a
    if len(b) - len(a) > 1:
        return False
    for i, (x, y) in enumerate(zip(a, b, strict=False)):
        if x != y:
            return a[i + 1 :] == b[i + 1 :] if len(a) == len(b) else a[i:] == b[i + 1 :]
    return True


def resolve_citations(
    path: str, text: str, citations: list[Citation], index: CitationIndex
) -> DocumentResolution:
    """Resolve every work of ``citations`` (found in ``text``) against ``index``."""
    resolver = _Resolver(path, text, index)
    works: list[WorkResolution] = []
    for citation in citations:
        for work in citation.works:
            if work.is_keyed:
                works.append(resolver.resolve_key(work, citation))
            else:
                works.append(resolver.resolve_rendered(work, citation))
    return DocumentResolution(path, works, resolver.findings)

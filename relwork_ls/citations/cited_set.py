"""The works a document cites, and the labels they get there.

BibTeX letters year suffixes among the works a document cites, so a document's labels
come from its cited set: known exactly from a LaTeX ``.aux`` or a ``.bbl``, partly from
keyed citations and the ``cited`` setting, and otherwise inferred from the labels the text
writes (``label_inference``). ``DocumentIndex`` is a ``CitationIndex`` whose labels are a
document's.
"""

from __future__ import annotations

import copy
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field

from ..bibliography.labels import Label, assign_suffixes
from ..bibliography.model import BibEntry
from .index import CitationIndex
from .label_inference import GroupProblem, GroupSolution, SuffixesOf, solve_group


@dataclass(frozen=True)
class CitedEvidence:
    """What is known of a document's cited set before its rendered text is read.

    ``exact``: the cited keys in citation order when a ``.aux`` or ``.bbl`` says them;
    ``every_entry``: ``\\citation{*}``/``\\nocite{*}``; ``known``: keys cited for certain
    (keyed citations, the ``cited`` setting), in order; ``labels``: labels a ``.bbl``
    printed, by lowercase key; ``source``: where the exact set came from, for messages.
    """

    exact: tuple[str, ...] | None = None
    every_entry: bool = False
    known: tuple[str, ...] = ()
    labels: Mapping[str, Label] = field(default_factory=dict)
    source: str = ""

    def with_known(self, keys: Iterable[str]) -> CitedEvidence:
        merged = dict.fromkeys([*self.known, *(k.lower() for k in keys)])
        return CitedEvidence(self.exact, self.every_entry, tuple(merged), self.labels, self.source)


def evidence_from_bbl_labels(index: CitationIndex) -> CitedEvidence:
    """A ``.bbl`` beside the bibliography: the document it was made for cited its items."""
    truth = index.bibliography.bbl_labels
    if not truth:
        return CitedEvidence()
    keys = tuple(k for k in truth if k in index.entries_by_key)
    labels = {
        k: Label(t.names, t.year, t.suffix, index.base_label(index.entries_by_key[k]).raw_names)
        for k, t in truth.items()
        if k in index.entries_by_key
    }
    paths = index.bibliography.paths
    own_list = all(e.source_format == "reference-list" for e in index.entries_by_key.values())
    if own_list:
        source = "the draft's reference list"
    else:
        source = (paths[0].rsplit(".", 1)[0] + ".bbl") if paths else ".bbl"
    return CitedEvidence(exact=keys, labels=labels, source=source)


class DocumentIndex(CitationIndex):
    """A ``CitationIndex`` seen from one document: the same entries and lookups, with the
    labels the document's cited set gives (an entry it does not cite is labelled as it
    would be if cited too)."""

    def __init__(
        self,
        base: CitationIndex,
        evidence: CitedEvidence,
        solutions: Mapping[str, GroupSolution],
        order: Mapping[str, int],
    ) -> None:
        # Share every lookup of the base index; only labels differ.
        self.__dict__.update(base.__dict__)
        self.base = base
        self.evidence = evidence
        # What was known before the document's text was read (its .aux, .bbl, settings):
        # ``evidence`` less the keys its own keyed citations added.
        self.source_evidence = evidence
        self.solutions = dict(solutions)
        self.order = dict(order)
        self.name_matches = base.name_matches
        self.related_locations = {}
        # The suffixes the document writes for each group ("" for none).
        self.written_suffixes: dict[str, set[str]] = {}
        self._labels: dict[str, Label] = {}
        self._exact = (
            None
            if evidence.exact is None and not evidence.every_entry
            else frozenset(base.entries_by_key)
            if evidence.every_entry
            else frozenset(evidence.exact or ())
        )

    def base_index(self) -> CitationIndex:
        return self.base

    def detached(self) -> DocumentIndex:
        """This view with memo caches of its own (see ``CitationIndex.detached``)."""
        view = copy.copy(self)
        view.name_matches = {}
        view.related_locations = {}
        view._labels = dict(self._labels)
        return view

    def cited_members(self, group: str) -> tuple[str, ...]:
        """The members of a group the document cites (or, when inferred, a smallest set of
        them consistent with what it writes), in sort order."""
        solution = self.solutions.get(group)
        if solution is not None:
            return solution.cited
        members = self.groups[group]
        cited = self._exact if self._exact is not None else frozenset(self.evidence.known)
        return tuple(e.key.lower() for e in members if e.key.lower() in cited)

    def local_evidence(self) -> CitedEvidence:
        """What this document is known to cite, for resolving a part of it again (an edited
        paragraph): its evidence plus every work one of its labels settled."""
        settled = [
            key
            for solution in self.solutions.values()
            for referents in solution.referents.values()
            if len(referents) == 1
            for key in referents
        ]
        return self.evidence.with_known(settled)

    def certainly_cites(self, entry: BibEntry) -> bool:
        """Whether every cited set consistent with the document holds ``entry``."""
        key = entry.key.lower()
        if self._exact is not None and key in self._exact:
            return True
        solution = self.solutions.get(self.group_key(entry))
        if solution is not None and key in solution.forced:
            return True
        return key in self.local_evidence().known

    def is_cited(self, entry: BibEntry) -> bool:
        """Whether the document certainly or possibly cites ``entry``."""
        key = entry.key.lower()
        if self._exact is not None and key in self._exact:
            return True
        if key in self.evidence.known:
            return True
        solution = self.solutions.get(self.group_key(entry))
        if solution is None:
            return False
        return key in solution.cited or any(key in r for r in solution.referents.values())

    def label(self, entry: BibEntry) -> Label:
        key = entry.key.lower()
        label = self._labels.get(key)
        if label is None:
            label = self._labels[key] = self._compute_label(entry)
        return label

    def _compute_label(self, entry: BibEntry) -> Label:
        key = entry.key.lower()
        truth = self.evidence.labels.get(key)
        if truth is not None:
            return truth
        group_key = self.group_key(entry)
        members = self.groups[group_key]
        if len(members) == 1:
            return self.base_labels[key]
        solution = self.solutions.get(group_key)
        if solution is not None and key in solution.plain:
            return self.base_labels[key]
        cited = list(self.cited_members(group_key))
        if key not in cited:
            cited.append(key)
        return self.labels_of(cited)[key]

    def labels_of(self, keys: Sequence[str]) -> dict[str, Label]:
        """The labels of these cited members of one group (lowercase keys)."""
        entries = sorted(
            (self.entries_by_key[k] for k in keys),
            key=lambda e: self.order.get(
                e.key.lower(), len(self.order) + self.file_order[e.key.lower()]
            ),
        )
        computed = assign_suffixes([self.basis(e) for e in entries])
        return {e.key.lower(): computed[e.key] for e in entries}


def letters_for(
    index: CitationIndex, order: Mapping[str, int], truth: Mapping[str, Label]
) -> SuffixesOf:
    """A ``SuffixesOf`` for ``solve_group`` over ``index`` (ties broken by ``order``); a
    letter a ``.bbl`` or a reference list printed wins over a computed one."""

    def suffixes_of(cited: Sequence[str]) -> dict[str, str]:
        entries = sorted(
            (index.entries_by_key[k] for k in cited),
            key=lambda e: order.get(e.key.lower(), len(order) + index.file_order[e.key.lower()]),
        )
        computed = assign_suffixes([index.basis(e) for e in entries])
        letters = {e.key.lower(): computed[e.key].suffix for e in entries}
        for key in letters:
            printed = truth.get(key)
            if printed is not None:
                letters[key] = printed.suffix
        return letters

    return suffixes_of


def solve_groups(
    index: CitationIndex,
    evidence: CitedEvidence,
    problems: Mapping[str, GroupProblem],
    order: Mapping[str, int],
) -> DocumentIndex:
    """Solve each label group a document touches and build its ``DocumentIndex``."""
    suffixes_of = letters_for(index, order, evidence.labels)
    solutions = {}
    for group, problem in problems.items():
        raw_labels = {index.bases[m].raw_label for m in problem.members}
        solutions[group] = solve_group(problem, suffixes_of, len(raw_labels) == 1)
    return DocumentIndex(index, evidence, solutions, order)

"""Which works of one label group a document cites, inferred from the labels it writes.

BibTeX letters the works of a label group ("Wang et al. 2024") among the works the document
*cites*: with one of them cited it prints "2024", with two "2024a" and "2024b". A rendered
draft shows only the letters, so each group is a small constraint problem: find the cited
sets S (containing the works known to be cited) under which every label written for the
group is the label of some member of S. A written label can mean any member that carries
it under some consistent S; it is resolved when exactly one member does.

Groups are solved independently (suffixes never depend on other groups). A group whose
members share one raw label is solved by rank arithmetic in linear time; a small group
mixing raw labels (brace variants such as "{OpenAI}" and "OpenAI") by enumerating subsets.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from itertools import combinations

from ..bibliography.labels import suffix_index

ENUMERATION_LIMIT = 12  # members of a mixed group solved by trying every cited set

# Why a written label fits no consistent cited set.
NEEDS_SUFFIX = "needs-suffix"  # written without a letter while several members are cited
SUPERFLUOUS_SUFFIX = "superfluous-suffix"  # a letter on the only member of its group
UNKNOWN_SUFFIX = "unknown-suffix"  # a letter no cited set can give


@dataclass(frozen=True)
class WrittenLabel:
    """One rendered work's constraint on a group: its suffix, and the members its names and
    year could mean (keys). ``binding`` works constrain the group; the others (whose names
    fit members of several groups) are only evaluated against it."""

    work: int
    suffix: str
    candidates: frozenset[str]
    binding: bool = True


@dataclass
class GroupProblem:
    """A label group: its members' keys in sort order and what the document says of it."""

    members: tuple[str, ...]
    known: frozenset[str] = frozenset()  # keys cited for certain (keys, .aux, config)
    exact: bool = False  # the cited members are exactly ``known``
    written: list[WrittenLabel] = field(default_factory=list)


@dataclass
class GroupSolution:
    """What each written label can mean, why some cannot be right, and a cited set to
    label the group's works by (the smallest consistent one)."""

    referents: dict[int, tuple[str, ...]] = field(default_factory=dict)
    conflicts: dict[int, str] = field(default_factory=dict)
    cited: tuple[str, ...] = ()
    # Members that would each be written without a letter (one work of the group cited).
    plain: frozenset[str] = frozenset()
    # Members every consistent cited set holds.
    forced: frozenset[str] = frozenset()


# Letters of the members of a cited set, given in sort order.
SuffixesOf = Callable[[Sequence[str]], dict[str, str]]


def solve_group(
    problem: GroupProblem, suffixes_of: SuffixesOf, single_raw_label: bool
) -> GroupSolution:
    """Solve one group. ``suffixes_of`` letters a cited set (a subset of the members, in
    sort order) exactly as the style does; ``single_raw_label`` says every member shares
    one raw label, so a cited set of k members is lettered a… in order (k > 1)."""
    if problem.exact and problem.known:
        return _solve_exact(problem, suffixes_of)
    if single_raw_label:
        return _solve_by_rank(problem)
    if len(problem.members) - len(problem.known) <= ENUMERATION_LIMIT:
        return _solve_by_enumeration(problem, suffixes_of)
    return _solve_by_rank(problem)


def _conflict_reason(problem: GroupProblem, written: WrittenLabel, cited_count: int) -> str:
    if not written.suffix:
        return NEEDS_SUFFIX
    if len(problem.members) == 1 or cited_count == 1:
        return SUPERFLUOUS_SUFFIX
    return UNKNOWN_SUFFIX


def _solve_exact(problem: GroupProblem, suffixes_of: SuffixesOf) -> GroupSolution:
    cited = tuple(m for m in problem.members if m in problem.known)
    letters = suffixes_of(cited)
    solution = GroupSolution(cited=cited, forced=frozenset(cited))
    if len(cited) == 1 and not letters[cited[0]]:
        solution.plain = frozenset(cited)
    for written in problem.written:
        found = tuple(m for m in cited if m in written.candidates and letters[m] == written.suffix)
        if found:
            solution.referents[written.work] = found
        elif written.binding:
            solution.conflicts[written.work] = _conflict_reason(problem, written, len(cited))
    return solution


def _solve_by_rank(problem: GroupProblem) -> GroupSolution:
    members = problem.members
    count = len(members)
    known = problem.known
    solution = GroupSolution()
    binding = [w for w in problem.written if w.binding]
    # Written labels that no cited set allows, each on its own.
    for written in binding:
        index = suffix_index(written.suffix)
        if written.suffix and (count < 2 or index < 0 or index >= count):
            solution.conflicts[written.work] = _conflict_reason(problem, written, count)
        elif not written.suffix and len(known) > 1:
            solution.conflicts[written.work] = NEEDS_SUFFIX
    lettered = [w for w in binding if w.suffix and w.work not in solution.conflicts]
    # Letters (or several known works) mean several members are cited: then no label of
    # the group is letter-less.
    several = bool(lettered) or len(known) > 1
    if several:
        for written in binding:
            if not written.suffix:
                solution.conflicts[written.work] = NEEDS_SUFFIX
    highest = max((suffix_index(w.suffix) for w in lettered), default=-1)
    group_need = max(highest + 1, 2) if several else 0
    if several:
        solution.cited = _smallest_cited_set(members, known, group_need)
        # As many letters as members: every member is cited.
        solution.forced = frozenset(members) if group_need >= count else frozenset(known)
    elif known:
        solution.cited = tuple(m for m in members if m in known)
        solution.forced = frozenset(known)
    before = _known_before(members, known)
    pool = [m for m in members if m in known] if known else list(members)
    if not several:
        solution.plain = frozenset(pool)
    for written in problem.written:
        if written.work in solution.conflicts:
            continue
        index = suffix_index(written.suffix)
        if not written.suffix:
            found = () if several else tuple(m for m in pool if m in written.candidates)
        elif count < 2 or index < 0 or index >= count:
            found = ()
        else:
            # The member at position p is the index-th cited one in some consistent cited
            # set iff at most ``index`` known members sort before it, at least ``index``
            # members do, and enough members follow it to reach the size the letters need.
            need = max(group_need, index + 1, 2)
            found = tuple(
                members[p]
                for p in range(index, count - need + index + 1)
                if before[p] <= index and members[p] in written.candidates
            )
        if found:
            solution.referents[written.work] = found
    return solution


def _known_before(members: Sequence[str], known: frozenset[str]) -> list[int]:
    """For each position, how many known-cited members sort before it."""
    counts = []
    seen = 0
    for member in members:
        counts.append(seen)
        seen += member in known
    return counts


def _smallest_cited_set(
    members: Sequence[str], known: frozenset[str], need: int
) -> tuple[str, ...]:
    """The known members, then the earliest others, until there are ``need`` (in order)."""
    chosen = set(known)
    for member in members:
        if len(chosen) >= need:
            break
        chosen.add(member)
    return tuple(m for m in members if m in chosen)


def _solve_by_enumeration(problem: GroupProblem, suffixes_of: SuffixesOf) -> GroupSolution:
    members = problem.members
    known = [m for m in members if m in problem.known]
    free = [m for m in members if m not in problem.known]
    binding = [w for w in problem.written if w.binding]
    solution = GroupSolution()

    def cited_sets() -> list[tuple[str, ...]]:
        found = []
        for size in range(len(free) + 1):
            for extra in combinations(free, size):
                chosen = set(known) | set(extra)
                if chosen:
                    found.append(tuple(m for m in members if m in chosen))
        return found

    candidates = cited_sets()
    lettered = {s: suffixes_of(s) for s in candidates}

    def fits(written: WrittenLabel, cited: tuple[str, ...]) -> list[str]:
        letters = lettered[cited]
        return [m for m in cited if m in written.candidates and letters[m] == written.suffix]

    for written in binding:
        if not any(fits(written, s) for s in candidates):
            solution.conflicts[written.work] = _conflict_reason(problem, written, len(members))
    kept = [w for w in binding if w.work not in solution.conflicts]
    consistent = [s for s in candidates if all(fits(w, s) for w in kept)]
    if not consistent:
        # The letter-less labels and the letters cannot all be right: blame the former.
        for written in kept:
            if not written.suffix:
                solution.conflicts[written.work] = NEEDS_SUFFIX
        kept = [w for w in kept if w.work not in solution.conflicts]
        consistent = [s for s in candidates if all(fits(w, s) for w in kept)]
    if not consistent:
        for written in kept:
            solution.conflicts[written.work] = _conflict_reason(problem, written, len(members))
        return solution
    solution.cited = consistent[0]
    solution.forced = frozenset(set(consistent[0]).intersection(*map(set, consistent[1:])))
    if all(len(s) == 1 for s in consistent):
        solution.plain = frozenset(s[0] for s in consistent)
    for written in problem.written:
        if written.work in solution.conflicts:
            continue
        found: dict[str, None] = {}
        for cited in consistent:
            for member in fits(written, cited):
                found[member] = None
        if found:
            solution.referents[written.work] = tuple(m for m in members if m in found)
    return solution

"""Code actions for a range of a document: each finding's fix, fix-all per code, relabel the
workspace, ignore a code on a line, and the file's safe fixes as one source action."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

from ..checks.suppression import suppression_edit
from ..findings import Finding, TextEdit, severity_rank
from ..lint.edits import fixes_by_file
from ..positions import LineIndex

QUICK_FIX = "quickfix"
SOURCE_FIX_ALL = "source.fixAll"


@dataclass(frozen=True)
class Action:
    """One code action: the fixes it applies, by file (each fix a group of edits applied
    whole or not at all, see ``lint.edits.select_fix_edits``)."""

    title: str
    kind: str
    fixes: dict[str, list[tuple[TextEdit, ...]]]
    findings: tuple[Finding, ...] = field(default=())
    preferred: bool = False


@dataclass(frozen=True)
class ActionRequest:
    """A request for the actions at ``start..end`` (offsets into ``text``) of ``path``.

    ``findings`` are the file's findings on exactly ``text``; ``stale_labels`` the RW102
    findings of the whole workspace (for the relabel action); ``kind`` the draft kind
    (None for a bibliography, where nothing is suppressed by comment)."""

    path: str
    text: str
    kind: str | None
    findings: Sequence[Finding]
    start: int
    end: int
    stale_labels: Sequence[Finding] = ()
    quick_fixes: bool = True
    source_actions: bool = True


def code_actions(request: ActionRequest) -> list[Action]:
    """The actions for a request, quick fixes first."""
    lines = LineIndex(request.text)
    here = [f for f in request.findings if _overlaps(_offsets(f, lines), request)]
    here.sort(key=lambda f: (severity_rank(f.severity), f.span.line, f.span.column, f.code))
    actions: list[Action] = []
    if request.quick_fixes:
        actions += _fixes_here(here)
        actions += _fix_all_of_codes(here, request.findings)
        actions += _relabel(here, request.stale_labels)
        actions += _ignore(here, request)
    if request.source_actions:
        safe = [f for f in request.findings if f.fix is not None and f.fix.safe and f.fix.edits]
        if safe:
            actions.append(
                Action(
                    "Fix all safe relwork-ls findings in this file",
                    SOURCE_FIX_ALL,
                    fixes_by_file(safe),
                )
            )
    return actions


def _offsets(finding: Finding, lines: LineIndex) -> tuple[int, int]:
    span = finding.span
    return (
        lines.offset(span.line, span.column),
        lines.offset(span.end_line, span.end_column),
    )


def _overlaps(span: tuple[int, int], request: ActionRequest) -> bool:
    return span[0] <= request.end and request.start <= span[1]


def _fixes_here(here: Sequence[Finding]) -> list[Action]:
    """One action per finding with a fix. Only the first safe one (the most severe, then
    the first in the text) is preferred, so "apply the preferred fix" is never ambiguous."""
    actions = []
    preferred_taken = False
    for finding in here:
        fix = finding.fix
        if fix is None or not fix.edits:
            continue
        preferred = fix.safe and not preferred_taken
        preferred_taken = preferred_taken or preferred
        actions.append(
            Action(
                f"{fix.title} ({finding.code})",
                QUICK_FIX,
                fixes_by_file([finding], unsafe=True),
                (finding,),
                preferred,
            )
        )
    return actions


def _fix_all_of_codes(here: Sequence[Finding], in_file: Sequence[Finding]) -> list[Action]:
    actions = []
    for code in sorted({f.code for f in here if f.fix is not None}):
        same = [f for f in in_file if f.code == code and f.fix is not None and f.fix.safe]
        if len(same) > 1:
            actions.append(
                Action(f"Fix all {code} in this file ({len(same)})", QUICK_FIX, fixes_by_file(same))
            )
    return actions


def _relabel(here: Sequence[Finding], stale_labels: Sequence[Finding]) -> list[Action]:
    stale = [f for f in stale_labels if f.code == "RW102" and f.fix is not None]
    if not stale or not any(f.code == "RW102" for f in here):
        return []
    title = f"Relabel the workspace after the bibliography changed ({len(stale)})"
    return [Action(title, QUICK_FIX, fixes_by_file(stale, unsafe=True))]


def _ignore(here: Iterable[Finding], request: ActionRequest) -> list[Action]:
    """ "Ignore RWxxx on this line" for each code found here (drafts only)."""
    if request.kind is None:
        return []
    actions = []
    seen: set[tuple[str, int]] = set()
    here = list(here)
    # Over a range of several lines, each action says which line it silences.
    several = len({f.span.line for f in here}) > 1
    for finding in here:
        key = (finding.code, finding.span.line)
        if key in seen:
            continue
        seen.add(key)
        edit = suppression_edit(
            request.path, request.text, request.kind, finding.span.line, finding.code
        )
        actions.append(
            Action(
                f"Ignore {finding.code} on line {finding.span.line + 1}"
                if several
                else f"Ignore {finding.code} on this line",
                QUICK_FIX,
                {request.path: [(edit,)]},
                (finding,),
            )
        )
    return actions

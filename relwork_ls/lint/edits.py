"""Which edits of several fixes can be applied together to one text: the one rule used by
``lint --fix`` and by the language server's code actions."""

from __future__ import annotations

from bisect import bisect_left
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from ..findings import Finding, TextEdit
from ..positions import LineIndex


@dataclass(frozen=True, slots=True)
class PlacedEdit:
    """A text edit resolved to string offsets of one text."""

    start: int
    end: int
    new_text: str


def _overlap(a: PlacedEdit, b: PlacedEdit) -> bool:
    if a.start == a.end == b.start == b.end:
        return True  # two insertions at one point: their order would be a guess
    return a.start < b.end and b.start < a.end


def select_fix_edits(lines: LineIndex, fixes: Iterable[Sequence[TextEdit]]) -> list[PlacedEdit]:
    """The edits to apply together to ``lines.text``, sorted by position.

    Each fix (the edits of one finding in this text) is taken whole or not at all, in the
    order of its first edit's position; a fix with an edit overlapping one already taken
    is left out (a later pass of ``--fix``, or the next code action, picks it up).
    """
    placed_fixes = []
    for fix in fixes:
        placed = [
            PlacedEdit(
                lines.offset(e.span.line, e.span.column),
                lines.offset(e.span.end_line, e.span.end_column),
                e.new_text,
            )
            for e in fix
        ]
        placed.sort(key=lambda edit: (edit.start, edit.end))
        if placed:
            placed_fixes.append(placed)
    placed_fixes.sort(key=lambda edits: (edits[0].start, edits[0].end))
    chosen = _Chosen()
    for edits in placed_fixes:
        inner_overlap = any(_overlap(a, b) for i, a in enumerate(edits) for b in edits[i + 1 :])
        if not inner_overlap and not any(chosen.overlaps(edit) for edit in edits):
            for edit in edits:
                chosen.add(edit)
    return chosen.edits


class _Chosen:
    """Non-overlapping edits kept sorted, so a new edit is checked against its neighbours."""

    def __init__(self) -> None:
        self.keys: list[tuple[int, int]] = []
        self.edits: list[PlacedEdit] = []

    def overlaps(self, edit: PlacedEdit) -> bool:
        index = bisect_left(self.keys, (edit.start, edit.end))
        # Taken edits are disjoint, so only the one before and those starting inside
        # (or at) this edit's range can overlap it.
        if index > 0 and _overlap(self.edits[index - 1], edit):
            return True
        while index < len(self.edits):
            other = self.edits[index]
            if other.start > edit.end or (other.start == edit.end and other.start > edit.start):
                return False
            if _overlap(other, edit):
                return True
            index += 1
        return False

    def add(self, edit: PlacedEdit) -> None:
        index = bisect_left(self.keys, (edit.start, edit.end))
        self.keys.insert(index, (edit.start, edit.end))
        self.edits.insert(index, edit)


def apply_placed(text: str, edits: Sequence[PlacedEdit]) -> str:
    """``text`` with non-overlapping placed edits applied (as ``select_fix_edits`` gives)."""
    parts = []
    last = 0
    for edit in edits:
        parts.append(text[last : edit.start])
        parts.append(edit.new_text)
        last = edit.end
    parts.append(text[last:])
    return "".join(parts)


def fixes_by_file(
    findings: Iterable[Finding], unsafe: bool = False
) -> dict[str, list[tuple[TextEdit, ...]]]:
    """Each finding's fix, split by the file its edits change (safe fixes only unless
    ``unsafe``)."""
    grouped: dict[str, list[tuple[TextEdit, ...]]] = defaultdict(list)
    for finding in findings:
        fix = finding.fix
        if fix is None or not fix.edits or not (fix.safe or unsafe):
            continue
        per_file: dict[str, list[TextEdit]] = defaultdict(list)
        for edit in fix.edits:
            per_file[edit.span.path].append(edit)
        for path, edits in per_file.items():
            grouped[path].append(tuple(edits))
    return dict(grouped)


def apply_fixes(text: str, fixes: Iterable[Sequence[TextEdit]]) -> str:
    """``text`` with the fixes that can be applied together applied."""
    return apply_placed(text, select_fix_edits(LineIndex(text), fixes))

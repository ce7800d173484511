"""Rewriting a cited work to a label: how it is written now, and the edits that change it."""

from __future__ import annotations

from ..bibliography.labels import Label
from ..citations.resolution import WorkResolution
from ..findings import TextEdit
from ..positions import LineIndex


def written_label(work: WorkResolution) -> str:
    """The cited work as written, in parenthetical form: "Chen et al., 2021a"."""
    if work.work.is_keyed:
        return work.work.key
    names = work.names.text if work.names is not None else work.work.names
    return f"{names}, {work.work.year}{work.work.suffix}"


def matches_label(work: WorkResolution, label: Label) -> bool:
    """Whether the work is written exactly as ``label`` (case aside); keys always match."""
    if work.work.is_keyed:
        return True
    return written_label(work).casefold() == label.text().casefold()


def relabel_edits(
    work: WorkResolution, label: Label, lines: LineIndex, path: str
) -> tuple[TextEdit, ...] | None:
    """Edits that make a rendered work read as ``label``; None when that cannot be done
    in place (a keyed work, or a suffix-only work whose year would change)."""
    if work.work.is_keyed or work.work.year_start < 0:
        return None

    year_start, year_end = work.work.year_start, work.work.year_end
    if not work.is_head:
        if label.year != work.work.year or not label.suffix:
            return None
        return (TextEdit(lines.span(path, year_start, year_end), label.suffix),)
    edits: list[TextEdit] = []
    if work.names is not None and work.names.text != label.names:
        start = work.names.start
        edits.append(TextEdit(lines.span(path, start, start + len(work.names.text)), label.names))
    if f"{work.work.year}{work.work.suffix}" != label.year_with_suffix:
        edits.append(TextEdit(lines.span(path, year_start, year_end), label.year_with_suffix))
    return tuple(edits)

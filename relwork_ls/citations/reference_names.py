"""The author forms a style writes in the text for the entries of a reference list.

A reference list fixes one label per entry ("Holmgren et al., 2018"), but the text may
name more authors: APA 7 lists as many as it takes to tell two works apart ("Holmgren,
Hansen, Stein, et al., 2018"), Chicago author-date writes up to three ("Jensen, Sifnaios,
and Anderson 2022") and older APA all of up to five. Each of those forms of an entry is
added to the index, so a citation written in any of them resolves to that entry alone.
"""

from __future__ import annotations

from ..bibliography.latex_text import fold
from ..bibliography.reference_list import SOURCE_FORMAT
from .resolution import CitationIndex, normalize_names


def name_forms(surnames: list[str], truncated: bool) -> list[str]:
    """Every longer author form of a work by ``surnames`` (the label itself excluded)."""
    forms = []
    if len(surnames) >= 3 and not truncated:
        forms.append(", ".join(surnames[:-1]) + ", and " + surnames[-1])
    for count in range(2, len(surnames) if not truncated else len(surnames) + 1):
        forms.append(", ".join(surnames[:count]) + ", et al.")
    return forms


def add_reference_list_forms(index: CitationIndex) -> None:
    """Register the longer author forms of every reference-list entry of ``index``."""
    for entry in index.entries_by_key.values():
        if entry.source_format != SOURCE_FORMAT:
            continue
        people = [name for name in entry.authors if not name.is_others]
        truncated = len(people) != len(entry.authors)
        surnames = [name.display_surname() for name in people]
        if not surnames:
            continue
        for form in name_forms(surnames, truncated):
            for table, key in (
                (index.by_names, normalize_names(form)),
                (index.by_folded_names, normalize_names(fold(form))),
            ):
                if entry not in table[key]:
                    table[key].append(entry)
        first = normalize_names(fold(surnames[0]))
        if entry not in index.by_first_surname[first]:
            index.by_first_surname[first].append(entry)

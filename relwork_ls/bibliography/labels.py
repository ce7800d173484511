"""Rendered author-year labels of entries, and where year suffixes (a, b, c…) are assigned.

Each style reproduces its BibTeX style file or style guide:
- ``natbib``: plainnat.bst (also abbrvnat/unsrtnat labels). Suffixes follow BibTeX's first
  SORT on ``sortify(label) + names + year + key`` with identical raw labels lettered in order.
- ``apalike``: apalike.bst ("Author, 2020a"), sorting on label, initials and title.
- ``apa``: APA 7: "A & B", suffixes by title (leading A/An/The ignored).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

from .latex_text import latex_to_unicode, purify, sortify
from .model import PLAIN_TEXT_FORMATS, BibEntry
from .names import PersonName

STYLES = ("natbib", "apalike", "apa")
# Name lists up to this long are sortified joined (longer ones name by name, up to the cut).
_JOINED_SORT_NAMES = 30
ENTRY_MAX = 500  # BibTeX 0.99d's entry.max$: sort keys are truncated there.


@dataclass(frozen=True, slots=True)
class Label:
    """An entry's rendered label, e.g. names "Xu et al.", year "2023", suffix "b"."""

    names: str
    year: str
    suffix: str = ""
    # The short author list as BibTeX built it (braces and ties kept): equal raw names
    # with equal years are what get suffixes.
    raw_names: str = ""

    @property
    def year_with_suffix(self) -> str:
        return f"{self.year}{self.suffix}"

    def text(self) -> str:
        """The parenthetical form: "Xu et al., 2023b" (no year: just the names)."""
        return f"{self.names}, {self.year_with_suffix}" if self.year else self.names

    def narrative(self) -> str:
        """The narrative form: "Xu et al. (2023b)"."""
        return f"{self.names} ({self.year_with_suffix})" if self.year else self.names


@dataclass(frozen=True, slots=True)
class LabelOptions:
    """How labels are formed: style and the word joining two authors ("and" or "&")."""

    style: str = "natbib"
    two_author_joiner: str = "and"


def _short_names(names: Sequence[PersonName], joiner: str) -> str:
    """BibTeX format.lab.names: "A", "A and B", "A et~al." (also "A and others")."""
    first = names[0].label_form()
    if len(names) > 2:
        return first + " et~al."
    if len(names) == 2:
        if names[1].is_others:
            return first + " et~al."
        word = "\\&" if joiner == "&" else "and"
        return f"{first} {word} {names[1].label_form()}"
    return first


def _chop_the(text: str) -> str:
    return text[4:] if text[:4] == "The " else text


def _label_names_source(entry: BibEntry) -> tuple[str, Sequence[PersonName] | None]:
    """Which field names the work, per plainnat's calc.short.authors.

    Returns ("names", list) or ("key"/"organization"/"citekey", None) with the text in
    the entry.
    """
    kind = entry.entry_type
    if kind in ("book", "inbook"):
        if entry.authors:
            return "names", entry.authors
        if entry.editors:
            return "names", entry.editors
        return ("key", None) if entry.fields.get("key") else ("citekey", None)
    if kind == "proceedings":
        if entry.editors:
            return "names", entry.editors
    elif entry.authors:
        return "names", entry.authors
    if entry.fields.get("key"):
        return "key", None
    if kind in ("proceedings", "manual") and entry.fields.get("organization"):
        return "organization", None
    return "citekey", None


def raw_short_names(entry: BibEntry, options: LabelOptions) -> str:
    """The short author list in source form (BibTeX's ``short.list``)."""
    source, names = _label_names_source(entry)
    if source == "names" and names:
        joiner = "&" if options.style == "apa" else options.two_author_joiner
        return _short_names(names, joiner)
    if source == "key":
        return entry.fields["key"]
    if source == "organization":
        return _chop_the(entry.fields["organization"])[:3]
    return entry.key[:3]


def entry_year(entry: BibEntry) -> str:
    """The year as the style prints it; biblatex ``date`` stands in when ``year`` is absent."""
    year = entry.fields.get("year", "").strip()
    if not year:
        date = entry.fields.get("date", "").strip()
        year = date[:4] if date[:4].isdigit() else ""
    return year


def _display(raw: str, source_format: str) -> str:
    if source_format in PLAIN_TEXT_FORMATS:
        return raw.replace("~", " ").replace("\\&", "&")
    return latex_to_unicode(raw)


def _sort_names(names: Sequence[PersonName], year: str, initials: bool) -> str:
    """plainnat/apalike sort.format.names."""
    count = len(names)
    if count <= _JOINED_SORT_NAMES:
        # sortify works character by character on ASCII text without braces: then the
        # joined names can be sortified at once (the separators, "zzzzz" and a year of
        # digits are left as they are).
        forms = [name.sort_form(initials=initials) for name in names]
        if count > 1 and names[-1].is_others:
            forms[-1] = "zzzzz"
        if not initials and count > 2:
            forms[1] = "zz" + year + "   " + forms[1]
        joined = "   ".join(forms)
        if joined.isascii() and "{" not in joined and (not year or year.isdigit()):
            return sortify(joined)
    out = ""
    count = len(names)
    for index, name in enumerate(names):
        if len(out) >= ENTRY_MAX:
            break  # sort keys are cut there: the other names cannot change them
        formatted = name.sort_form(initials=initials)
        if index == 0:
            out += sortify(formatted)
            continue
        out += "   "
        if index == count - 1 and name.is_others:
            out += "zzzzz"
            continue
        if not initials and count > 2 and index == 1:
            out += "zz" + year + "   "
        out += sortify(formatted)
    return out


def _natbib_sort_key(entry: BibEntry, sort_group: str, year: str) -> bytes:
    """plainnat presort: sortify(label) + names + year + cite key (truncated like BibTeX)."""
    kind = entry.entry_type
    if kind in ("book", "inbook"):
        names = entry.authors or entry.editors
        names_part = (
            _sort_names(names, year, False) if names else sortify(entry.fields.get("key", ""))
        )
    elif kind in ("proceedings", "manual"):
        names = entry.editors if kind == "proceedings" else entry.authors
        if names:
            names_part = _sort_names(names, year, False)
        elif entry.fields.get("organization"):
            names_part = sortify(_chop_the(entry.fields["organization"]))
        else:
            names_part = sortify(entry.fields.get("key", ""))
    else:
        names_part = (
            _sort_names(entry.authors, year, False)
            if entry.authors
            else sortify(entry.fields.get("key", ""))
        )
    sort_label = (names_part + "    " + sortify(year) + "    " + entry.key)[:ENTRY_MAX]
    key = (sort_group + "    " + sort_label)[:ENTRY_MAX]
    return key.encode("utf-8")


def _chop_article(title: str) -> str:
    for article in ("A ", "An ", "The "):
        if title.startswith(article):
            return title[len(article) :]
    return title


def _apalike_sort_key(entry: BibEntry, sort_group: str, year: str) -> bytes:
    kind = entry.entry_type
    if kind in ("book", "inbook"):
        names = entry.authors or entry.editors
    elif kind == "proceedings":
        names = entry.editors
    else:
        names = entry.authors
    names_part = _sort_names(names, year, True) if names else sortify(entry.fields.get("key", ""))
    sort_label = (sort_group + "    " + names_part)[:ENTRY_MAX]
    title = sortify(_chop_article(entry.fields.get("title", "")))
    return (sort_label + "    " + title)[:ENTRY_MAX].encode("utf-8")


def _apa_sort_key(entry: BibEntry, sort_group: str, year: str) -> bytes:
    title = purify(_chop_article(entry.title)).casefold()
    return f"{sort_group}\x00{year}\x00{title}".encode()


def suffix_letter(index: int) -> str:
    """a…z, then BibTeX's next characters ({, |…) as plainnat's int.to.chr$ gives them."""
    return chr(ord("a") + index)


def suffix_index(suffix: str) -> int:
    """0 for "a", 1 for "b"… (-1 for no suffix)."""
    return ord(suffix) - ord("a") if len(suffix) == 1 else -1


@dataclass(slots=True, eq=False)
class LabelBasis:
    """What an entry's label is made of before suffixes: entries with the same
    ``raw_label`` form a label group, lettered a, b, c… in ``sort_key`` order among the
    works a document cites. (Not frozen: a frozen dataclass takes eight times as long to
    make, and a large bibliography makes one per entry; nothing changes one once made.)"""

    entry: BibEntry
    sort_key: bytes
    raw_label: str
    raw_names: str
    year: str  # as shown (empty when the label has no year)
    names_text: str  # ``raw_names`` as readable Unicode
    year_text: str  # ``year`` as readable Unicode
    # ``sortify(raw_label)``, the head of the sort key: only entries that share it can sit
    # between two equal raw labels in BibTeX's sort and break their run of letters.
    sort_group: str

    _plain: Label | None = field(default=None, repr=False)

    def label(self, suffix: str = "") -> Label:
        """The label with ``suffix``, names and year in readable Unicode."""
        if suffix:
            return Label(self.names_text, self.year_text, suffix, self.raw_names)
        plain = self._plain
        if plain is None:
            plain = self._plain = Label(self.names_text, self.year_text, "", self.raw_names)
        return plain


def make_basis(
    entry: BibEntry, sort_key: bytes, raw_label: str, raw_names: str, year: str, sort_group: str
) -> LabelBasis:
    """A LabelBasis with its readable forms computed."""
    source = entry.source_format
    names_text = _display(raw_names, source)
    year_text = _display(year, source) if year else ""
    return LabelBasis(
        entry, sort_key, raw_label, raw_names, year, names_text, year_text, sort_group
    )


def label_basis(entry: BibEntry, options: LabelOptions) -> LabelBasis:
    """The label group and sort position of ``entry`` in ``options.style`` (computed once
    per entry and options, or read from the bibliography cache)."""
    memo = entry.label_memo
    if memo is not None and memo[0] == options:
        return memo[1]
    basis = _compute_basis(entry, options)
    entry.label_memo = (options, basis)
    return basis


def _compute_basis(entry: BibEntry, options: LabelOptions) -> LabelBasis:
    year = entry_year(entry)
    if entry.source_format == "bbl":
        # An item of a .bbl read as a bibliography: its label is as printed (the .bbl's
        # letters come with it as the document's labels).
        names = entry.fields.get("printed_names", "") or entry.key[:3]
        raw_label = names + ("(" + year if year else "")
        group = sortify(raw_label)
        return make_basis(
            entry, (group + "    " + entry.key).encode(), raw_label, names, year, group
        )
    raw_names = raw_short_names(entry, options)
    if options.style == "apalike":
        raw_label = raw_names + ", " + purify(year)[-4:]
        group = sortify(raw_label)
        sort_key = _apalike_sort_key(entry, group, year)
        return make_basis(entry, sort_key, raw_label, raw_names, year, group)
    is_key = _label_names_source(entry)[0] == "key"
    shown_year = "" if is_key and options.style == "natbib" else year
    raw_label = raw_names + "(" + shown_year
    group = sortify(raw_label)
    if options.style == "apa":
        sort_key = _apa_sort_key(entry, group, year)
    else:
        sort_key = _natbib_sort_key(entry, group, year)
    return make_basis(entry, sort_key, raw_label, raw_names, shown_year, group)


def assign_suffixes(bases: Sequence[LabelBasis]) -> dict[str, Label]:
    """Labels of the cited works ``bases`` (in citation order, which breaks sort ties, as
    BibTeX's stable sort does), by entry key: runs of equal raw labels in sort order are
    lettered a, b, c…; a work alone in its run gets no letter."""
    rows = sorted(enumerate(bases), key=lambda row: (row[1].sort_key, row[0]))
    labels: dict[str, Label] = {}
    index = 0
    while index < len(rows):
        end = index + 1
        while end < len(rows) and rows[end][1].raw_label == rows[index][1].raw_label:
            end += 1
        run = rows[index:end]
        for position, (_, basis) in enumerate(run):
            labels[basis.entry.key] = basis.label(suffix_letter(position) if len(run) > 1 else "")
        index = end
    return labels


def compute_labels(
    entries: Iterable[BibEntry], options: LabelOptions | None = None
) -> dict[str, Label]:
    """Labels of ``entries`` (the works that participate, in citation/file order) by key."""
    options = options or LabelOptions()
    return assign_suffixes([label_basis(entry, options) for entry in entries])

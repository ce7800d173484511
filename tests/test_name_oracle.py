"""Every name of every bibliography of the corpus, read as independent tools read it.

- Real BibTeX splits the names: a small style file (below) prints, for every author and
  editor of every entry, ``format.name$`` with ``{vv~}{ll}`` (the surname as labels show
  it), ``{ff}`` and ``{jj}``; each must equal ours character for character.
- Real BibTeX + plainnat gives the labels: every ``\\bibitem[...]`` of a ``\\nocite{*}`` run
  must equal our label (short names as written, year, suffix).
- pandoc decodes the LaTeX: its CSL-JSON names must hold the same words as our decoded
  names (BibTeX prints LaTeX, so it cannot check the decoding).
  pandoc splits names its own way (BibTeX's split is checked above), so the words of the
  whole name are compared, after these pandoc conventions are undone: typographic
  apostrophes, a spaced "A. C." for "A.C.", and ``{\\'\\i}`` left as a dotless i with an
  accent.

Every difference is either fixed or listed below by entry key with its reason; the tests
fail on a difference not listed and on a listed one that no longer differs. Random names
(letters of both cases, non-ASCII letters, special characters, braces, hyphens, ties,
commas, "and") are checked against BibTeX too.

Skipped without the corpus, without ``bibtex``/``plainnat.bst`` or without ``pandoc``.
"""

from __future__ import annotations

import json
import shutil
import subprocess
import tempfile
import unicodedata
from dataclasses import dataclass
from functools import cache
from pathlib import Path

import pytest
import regex
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from relwork_ls.bibliography.files import bibliography_from_text
from relwork_ls.bibliography.labels import compute_labels
from relwork_ls.bibliography.latex_text import latex_to_unicode
from relwork_ls.bibliography.model import BibEntry, Bibliography
from relwork_ls.bibliography.names import parse_names

BIBTEX = shutil.which("bibtex")
PANDOC = shutil.which("pandoc")


def _has_plainnat() -> bool:
    kpsewhich = shutil.which("kpsewhich")
    if not kpsewhich:
        return False
    found = subprocess.run([kpsewhich, "plainnat.bst"], capture_output=True, text=True)
    return bool(found.stdout.strip())


needs_bibtex = pytest.mark.skipif(
    BIBTEX is None or not _has_plainnat(), reason="bibtex with plainnat.bst is not installed"
)
needs_pandoc = pytest.mark.skipif(PANDOC is None, reason="pandoc is not installed")

# Differences from BibTeX's name split ({vv~}{ll}, {ff}, {jj}): none left.
BIBTEX_NAME_DIFFERENCES: dict[str, str] = {}

# Differences from plainnat's labels: none left.
PLAINNAT_LABEL_DIFFERENCES: dict[str, str] = {}

# Where pandoc reads a name differently from BibTeX (we follow BibTeX, whose labels
# are what the reader sees in the PDF), or decodes LaTeX that LaTeX reads otherwise.
PANDOC_DIFFERENCES: dict[str, str] = {
    "PollEtal00": (
        "'I L Pi\\~{n}a': the accent command is outside braces, so BibTeX cuts the name at "
        "its '~' (a tie to BibTeX) and the surname is '{n}a'; pandoc decodes 'Piña'"
    ),
    "NuneEtal87": (
        "'A N\\'{u}\\~{n}ez': unbraced \\~ cuts the name in BibTeX (surname '{n}ez'); "
        "pandoc decodes 'Núñez'"
    ),
    "BodiEtal01": (
        "'A Sz\\~{u}cs', 'L Er\\~{o}ss': unbraced \\~ cuts the names in BibTeX "
        "(surnames '{u}cs', '{o}ss'); pandoc decodes 'Szũcs', 'Erõss'"
    ),
    "SheyEtal09": (
        "'Str\\:{o}sslin': \\: is a medium space in LaTeX, not an accent (a typo for \\\"), "
        "so the name prints 'Str osslin'; pandoc drops it and prints 'Strsslin'"
    ),
    "INRZ19jl": (
        "'E. Rebrova and and A. Zare': BibTeX counts an empty fourth name between the two "
        "'and's (5 names, so 'et al.' rules count it); pandoc reads 4 names, the last "
        "being 'and A. Zare'"
    ),
}


def _fold_pandoc_conventions(text: str) -> str:
    """Undo pandoc's typographic choices, and compare words, not how they are spaced."""
    text = text.replace("\u2019", "'")
    # pandoc leaves {\'\i} as a dotless i with a combining accent; LaTeX prints "í".
    text = regex.sub(r"ı(?=\p{Mn})", "i", unicodedata.normalize("NFD", text))
    text = unicodedata.normalize("NFC", text)
    text = regex.sub(r"\.\s+", ".", text)  # "A. C." and "A.C." are the same initials
    return text.replace("-", " ")  # where a hyphen splits given names is the split's business


@dataclass(frozen=True)
class Loaded:
    path: Path
    bibliography: Bibliography

    @property
    def entries(self) -> dict[str, BibEntry]:
        return {entry.key: entry for entry in self.bibliography.entries}


def corpus_bibliographies(corpus: Path) -> list[Loaded]:
    paths = sorted(corpus.rglob("*.bib"))
    assert paths, "the corpus has no .bib files"
    return [_load(path) for path in paths]


@cache
def _load(path: Path) -> Loaded:
    return Loaded(path, bibliography_from_text(path.read_text(encoding="utf-8"), str(path)))


# A style file printing each name part of every author and editor, one record a line.
NAMES_BST = r"""
ENTRY { author editor } { } { }
INTEGERS { i n }
STRINGS { names role }
FUNCTION {emit.names}
{ 'role :=
  duplicate$ empty$
    { pop$ }
    { 'names :=
      names num.names$ 'n :=
      #1 'i :=
      { i n #1 + < }
      { "@@N " role * write$ newline$
        "@@L " names i "{vv~}{ll}" format.name$ * write$ newline$
        "@@F " names i "{ff}" format.name$ * write$ newline$
        "@@J " names i "{jj}" format.name$ * write$ newline$
        i #1 + 'i :=
      }
      while$
    }
  if$
}
FUNCTION {emit.entry}
{ "@@K " cite$ * write$ newline$
  author "author" emit.names
  editor "editor" emit.names
}
READ
ITERATE {emit.entry}
"""


def run_bibtex(bib_source: bytes, style: str) -> str:
    """The .bbl real BibTeX writes for every entry of ``bib_source`` (``\\nocite{*}``)."""
    assert BIBTEX is not None
    with tempfile.TemporaryDirectory() as folder:
        work = Path(folder)
        (work / "refs.bib").write_bytes(bib_source)
        if style == "names":
            (work / "names.bst").write_text(NAMES_BST, encoding="ascii")
        (work / "t.aux").write_text(
            f"\\relax\n\\citation{{*}}\n\\bibstyle{{{style}}}\n\\bibdata{{refs}}\n",
            encoding="ascii",
        )
        subprocess.run([BIBTEX, "t"], cwd=work, capture_output=True, check=False, timeout=60)
        return (work / "t.bbl").read_text(encoding="utf-8")


@dataclass(frozen=True)
class BibtexName:
    key: str
    role: str
    index: int
    surname: str  # {vv~}{ll}
    given: str  # {ff}
    jr: str  # {jj}


def bibtex_names(bib_source: bytes) -> list[BibtexName]:
    """Every name BibTeX parsed, in order, from the names style's output."""
    records: list[str] = []
    for line in run_bibtex(bib_source, "names").split("\n"):
        if line.startswith("@@") or not records:
            records.append(line)
        elif line.strip():  # BibTeX breaks lines over 79 characters at a space
            records[-1] += " " + line.strip()
    names: list[BibtexName] = []
    key = role = ""
    parts: dict[str, str] = {}
    counts: dict[str, int] = {}
    for record in records:
        tag, _, value = record.partition(" ")
        if tag == "@@K":
            key, counts = value, {}
        elif tag == "@@N":
            role = value
        elif tag in ("@@L", "@@F"):
            parts[tag] = value
        elif tag == "@@J":
            index = counts.get(role, 0)
            counts[role] = index + 1
            names.append(BibtexName(key, role, index, parts["@@L"], parts["@@F"], value))
    return names


def _ours(entry: BibEntry | None, role: str) -> tuple:
    if entry is None:
        return ()
    return entry.authors if role == "author" else entry.editors


def name_differences(loaded: Loaded) -> dict[str, list[str]]:
    """Entry key → how our names differ from BibTeX's."""
    entries = loaded.entries
    differences: dict[str, list[str]] = {}
    truth = bibtex_names(loaded.path.read_bytes())
    seen: set[tuple[str, str]] = set()
    for name in truth:
        seen.add((name.key, name.role))
        ours = _ours(entries.get(name.key), name.role)
        if name.index >= len(ours):
            differences.setdefault(name.key, []).append(f"{name.role} {name.index}: missing")
            continue
        mine = ours[name.index]
        theirs = (name.surname, name.given, name.jr)
        found = (mine.label_form(), mine.first_form(), mine.jr_form())
        if found != theirs:
            differences.setdefault(name.key, []).append(
                f"{name.role} {name.index}: BibTeX {theirs}, ours {found}"
            )
    counts: dict[tuple[str, str], int] = {}
    for name in truth:
        counts[(name.key, name.role)] = counts.get((name.key, name.role), 0) + 1
    for key, entry in entries.items():
        for role in ("author", "editor"):
            if len(_ours(entry, role)) != counts.get((key, role), 0):
                differences.setdefault(key, []).append(
                    f"{role}: BibTeX has {counts.get((key, role), 0)} names, "
                    f"ours {len(_ours(entry, role))}"
                )
    return differences


def plainnat_labels(bib_source: bytes) -> dict[str, tuple[str, str, str]]:
    """Key → (short names as written, year, suffix) of every ``\\bibitem[...]``."""
    bbl = " ".join(run_bibtex(bib_source, "plainnat").split())
    labels: dict[str, tuple[str, str, str]] = {}
    for match in regex.finditer(
        r"\\bibitem\[(?P<option>(?:[^\[\]{}]|(?P<g>\{(?:[^{}]|(?&g))*\}))*)\]\{(?P<key>[^}]*)\}",
        bbl,
    ):
        label = regex.match(
            r"(?P<names>(?:[^(){}]|(?P<g>\{(?:[^{}]|(?&g))*\}))*)"
            r"\((?P<year>[^(){}]*)(?:\{\\natexlab\{(?P<suffix>[^{}]*)\}\})?\)",
            match["option"],
        )
        assert label, match["option"]
        labels[match["key"]] = (label["names"], label["year"], label["suffix"] or "")
    return labels


def label_differences(loaded: Loaded) -> dict[str, list[str]]:
    truth = plainnat_labels(loaded.path.read_bytes())
    ours = compute_labels(loaded.bibliography.entries)
    differences: dict[str, list[str]] = {}
    for key in truth.keys() | ours.keys():
        label = ours.get(key)
        found = (label.raw_names, label.year, label.suffix) if label else None
        if found != truth.get(key):
            differences.setdefault(key, []).append(f"plainnat {truth.get(key)}, ours {found}")
    return differences


def pandoc_names(path: Path) -> dict[str, dict[str, list[dict[str, str]]]]:
    assert PANDOC is not None
    converted = subprocess.run(
        [PANDOC, "-f", "bibtex", "-t", "csljson", str(path)],
        capture_output=True,
        text=True,
        check=True,
        timeout=120,
    )
    items = json.loads(converted.stdout)
    return {item["id"]: {r: item.get(r, []) for r in ("author", "editor")} for item in items}


def _pandoc_words(name: dict[str, str]) -> list[str]:
    particle = name.get("non-dropping-particle", "")
    family = name.get("family", "")
    # CSL joins a particle ending in an apostrophe to the family name: "d'Autume".
    surname = particle + family if particle.endswith(("'", "\u2019")) else f"{particle} {family}"
    parts = (name.get("given", ""), name.get("dropping-particle", ""), surname)
    text = " ".join((*parts, name.get("suffix", ""), name.get("literal", "")))
    return sorted(_fold_pandoc_conventions(text).split())


def decoding_differences(loaded: Loaded) -> tuple[int, dict[str, list[str]]]:
    """How many names were compared, and entry key → differences from pandoc's decoding."""
    theirs_by_key = pandoc_names(loaded.path)
    compared = 0
    differences: dict[str, list[str]] = {}
    for key, entry in loaded.entries.items():
        for role in ("author", "editor"):
            ours = _ours(entry, role)
            theirs = theirs_by_key.get(key, {}).get(role, [])
            if len(ours) != len(theirs):
                differences.setdefault(key, []).append(
                    f"{role}: pandoc has {len(theirs)} names, ours {len(ours)}"
                )
                continue
            for mine, their in zip(ours, theirs, strict=True):
                compared += 1
                text = " ".join(
                    (mine.display_given(), mine.display_surname(), latex_to_unicode(mine.jr_form()))
                )
                if sorted(_fold_pandoc_conventions(text).split()) != _pandoc_words(their):
                    differences.setdefault(key, []).append(f"pandoc {their}, ours {text!r}")
    return compared, differences


def _check(differences: dict[str, list[str]], allowed: dict[str, str]) -> None:
    unexplained = {k: v for k, v in differences.items() if k not in allowed}
    stale = sorted(set(allowed) - set(differences))
    assert not unexplained, "differences not listed:\n" + "\n".join(
        f"{key}: {detail}" for key, details in sorted(unexplained.items()) for detail in details
    )
    assert not stale, f"listed differences that are gone (remove them from the list): {stale}"


@needs_bibtex
def test_every_corpus_name_splits_as_bibtex_splits_it(corpus):
    differences: dict[str, list[str]] = {}
    for loaded in corpus_bibliographies(corpus):
        differences.update(name_differences(loaded))
    _check(differences, BIBTEX_NAME_DIFFERENCES)


@needs_bibtex
def test_every_corpus_label_is_plainnats(corpus):
    differences: dict[str, list[str]] = {}
    for loaded in corpus_bibliographies(corpus):
        differences.update(label_differences(loaded))
    _check(differences, PLAINNAT_LABEL_DIFFERENCES)


@needs_pandoc
def test_every_corpus_name_decodes_as_pandoc_decodes_it(corpus):
    differences: dict[str, list[str]] = {}
    compared = 0
    for loaded in corpus_bibliographies(corpus):
        count, found = decoding_differences(loaded)
        compared += count
        differences.update(found)
    assert compared > 1000
    _check(differences, PANDOC_DIFFERENCES)


# Random names against BibTeX: the pieces are the shapes that decide BibTeX's split.
WORD_PIECES = [
    "Smith",
    "van",
    "de",
    "J.",
    "Ávila",
    "ávila",
    "Łukasz",
    "Émile",
    "1a",
    "O'Neil",
    "{\\'A}vila",
    "{\\'e}t{\\'e}",
    "{\\ss}ler",
    "{\\OE}uvre",
    "{\\I}lhan",
    "{\\relax x}y",
    "{Xy}zz",
    "{\\v{S}}ediv{\\'y}",
    "Go{\\~n}i",
    "Pi\\~{n}a",
    "V{\\~o}",
    "{Barnes and Noble}",
    "{de la Fuente}",
    "x",
    "Y",
    '{\\"o}z',
    "{}",
]
SEPARATORS = [" ", " ", " ", "-", "~", " - ", "  ", ",", ", "]


@st.composite
def name_text(draw) -> str:
    # At most two commas: BibTeX ignores a third and then reads a stale separator.
    count = draw(st.integers(min_value=1, max_value=5))
    out = draw(st.sampled_from(WORD_PIECES))
    commas = 0
    for _ in range(count - 1):
        separators = SEPARATORS if commas < 2 else [s for s in SEPARATORS if "," not in s]
        separator = draw(st.sampled_from(separators))
        commas += "," in separator
        out += separator + draw(st.sampled_from(WORD_PIECES))
    return out


@st.composite
def name_list(draw) -> str:
    names = draw(st.lists(name_text(), min_size=1, max_size=4))
    text = names[0]
    for name in names[1:]:
        text += draw(st.sampled_from([" and ", " AND ", " and\n  ", " and and "])) + name
    if draw(st.integers(0, 5)) == 0:
        text += " and others"
    return text


@needs_bibtex
@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(name_list(), min_size=20, max_size=20))
def test_random_names_split_as_bibtex_splits_them(fields):
    source = "".join(
        f"@misc{{k{index},\n  author = {{{field}}},\n  title = {{T}}, year = 2020\n}}\n"
        for index, field in enumerate(fields)
    )
    truth = bibtex_names(source.encode("utf-8"))
    ours = {f"k{index}": parse_names(field) for index, field in enumerate(fields)}
    assert sum(len(names) for names in ours.values()) == len(truth), source
    for name in truth:
        mine = ours[name.key][name.index]
        found = (mine.label_form(), mine.first_form(), mine.jr_form())
        assert found == (name.surname, name.given, name.jr), (fields[int(name.key[1:])], name)

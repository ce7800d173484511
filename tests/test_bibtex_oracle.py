"""Labels against real BibTeX + plainnat on random bibliographies (skipped without bibtex).

The generator makes clusters of works with the same first author and year, varies the
other authors, particles, accents, braces, "and others" and two-author works, so suffix
order, et al. and braces are all exercised.
"""

from __future__ import annotations

import shutil
import subprocess
import tempfile
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from relwork_ls.bibliography.bbl import load_bbl_text
from relwork_ls.bibliography.files import bibliography_from_text
from relwork_ls.bibliography.labels import compute_labels

BIBTEX = shutil.which("bibtex")
pytestmark = pytest.mark.skipif(BIBTEX is None, reason="bibtex is not installed")

SURNAMES = [
    "Xu",
    "Chen",
    "Rozi{\\`e}re",
    "van den Oord",
    "Le Scao",
    "{OpenAI}",
    "Allen-Zhu",
    "de Las Casas",
    'M{\\"u}ller',
    "Wang",
]
GIVEN = ["Can", "Canwen", "Benfeng", "Mark", "Baptiste", 'A{\\"a}ron', "Teven", "Zeyuan", "J."]
YEARS = ["2021", "2022", "2023"]


@st.composite
def person(draw) -> str:
    surname = draw(st.sampled_from(SURNAMES))
    if surname.startswith("{"):
        return surname
    given = draw(st.sampled_from(GIVEN))
    if draw(st.booleans()):
        return (
            f"{given} {surname}"
            if " " not in surname or surname[0].islower()
            else (f"{surname}, {given}")
        )
    return f"{surname}, {given}"


@st.composite
def bibliography(draw) -> str:
    count = draw(st.integers(min_value=2, max_value=9))
    first = draw(person())
    entries = []
    for index in range(count):
        lead = first if draw(st.integers(0, 3)) else draw(person())
        others = draw(st.lists(person(), max_size=3))
        names = [lead, *others]
        if len(names) > 1 and draw(st.integers(0, 4)) == 0:
            names[-1] = "others"
        year = draw(st.sampled_from(YEARS))
        title = draw(st.sampled_from(["Alpha", "Beta", "Gamma", "{PaLM} 2", "The Delta"]))
        entries.append(
            f"@article{{k{index}{draw(st.sampled_from('abcxyz'))},\n"
            f"  author = {{{' and '.join(names)}}},\n  title = {{{title}}},\n"
            f"  journal = {{J}},\n  year = {{{year}}}\n}}\n"
        )
    return "".join(entries)


def bibtex_labels(source: str) -> dict[str, str]:
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder)
        (path / "refs.bib").write_text(source, encoding="utf-8")
        (path / "t.aux").write_text(
            "\\relax\n\\citation{*}\n\\bibstyle{plainnat}\n\\bibdata{refs}\n"
        )
        subprocess.run([BIBTEX, "t"], cwd=path, capture_output=True, check=False, timeout=30)
        bbl = (path / "t.bbl").read_text(encoding="utf-8")
    return {label.key: label.text() for label in load_bbl_text(bbl)}


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(bibliography())
def test_labels_match_bibtex_plainnat(source):
    truth = bibtex_labels(source)
    bib = bibliography_from_text(source, "refs.bib")
    ours = {k: v.text() for k, v in compute_labels(bib.entries).items()}
    assert ours == truth, source

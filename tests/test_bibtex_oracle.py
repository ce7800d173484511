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
        # Few titles, so one work often appears twice (same authors, same title): a sort
        # tie that BibTeX breaks by citation order (or file order under \nocite{*}).
        title = draw(st.sampled_from(["Alpha", "Beta", "Gamma", "{PaLM} 2", "The Delta"]))
        entries.append(
            f"@article{{k{index}{draw(st.sampled_from('abcxyz'))},\n"
            f"  author = {{{' and '.join(names)}}},\n  title = {{{title}}},\n"
            f"  journal = {{J}},\n  year = {{{year}}}\n}}\n"
        )
    # The same work entered twice under another key: identical sort keys but for the key.
    for copy in range(draw(st.integers(min_value=0, max_value=2))):
        original = draw(st.sampled_from(entries))
        entries.append(original.replace("@article{", f"@article{{dup{copy}", 1))
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


def bibtex_cited_labels(source: str, cited: list[str], style: str) -> dict[str, str]:
    """What BibTeX prints when a document cites ``cited`` (in that order) with ``style``."""
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder)
        (path / "refs.bib").write_text(source, encoding="utf-8")
        citations = "".join(f"\\citation{{{key}}}\n" for key in cited)
        (path / "t.aux").write_text(
            f"\\relax\n{citations}\\bibstyle{{{style}}}\n\\bibdata{{refs}}\n"
        )
        subprocess.run([BIBTEX, "t"], cwd=path, capture_output=True, check=False, timeout=30)
        bbl = (path / "t.bbl").read_text(encoding="utf-8")
    return {label.key: label.text() for label in load_bbl_text(bbl)}


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(bibliography(), st.data(), st.sampled_from(["plainnat", "apalike"]))
def test_labels_over_a_cited_subset_in_citation_order_match_bibtex(source, data, style):
    """Suffixes among the works a document cites, with ties (the same work twice, same
    title) in citation order, as BibTeX's stable sort keeps them."""
    from relwork_ls.bibliography.labels import LabelOptions
    from relwork_ls.citations.cited_set import CitedEvidence
    from relwork_ls.citations.resolution import CitationIndex, document_labels

    bib = bibliography_from_text(source, "refs.bib")
    keys = [entry.key for entry in bib.entries]
    cited = data.draw(st.lists(st.sampled_from(keys), min_size=1, unique=True))
    truth = bibtex_cited_labels(source, cited, style)
    index = CitationIndex(bib, LabelOptions("natbib" if style == "plainnat" else "apalike"))
    view = document_labels(index, CitedEvidence(exact=tuple(k.lower() for k in cited)))
    ours = {key: view.label(index.entry(key)).text() for key in cited}
    assert ours == truth, (source, cited)

"""Hostile .bbl files (issue 10): ``\\bibitem[x`` and a newline 10,000 or 50,000 times took
42 s and over 300 s (each unclosed item was scanned to the end of the file); the scan now
stops at the next ``\\bibitem``, so the file costs one pass."""

from __future__ import annotations

import pytest
from measured_run import run_measured

pytestmark = pytest.mark.slow

REFS = (
    "@article{chen2021, author={Chen, Mark and Tworek, Jerry}, year={2021}, title={Codex}}\n"
    "@article{liu2021, author={Liu, Chenxiao and Wan, Xiaojun}, year={2021}, title={CodeQA}}\n"
)


@pytest.mark.parametrize("count", [10_000, 50_000])
def test_unclosed_bibitem_options_cost_one_pass(tmp_path, count):
    (tmp_path / "refs.bib").write_text(REFS)
    # The broken items, then one intact item: it must still be read (its label wins).
    (tmp_path / "refs.bbl").write_text(
        "\\bibitem[x\n" * count
        + "\\bibitem[{Liu and Wan(2021{\\natexlab{z}})}]{liu2021}\nLiu and Wan.\n"
    )
    (tmp_path / "draft.md").write_text("(Chen and Tworek, 2021) and (Liu and Wan, 2021).\n")
    measured = run_measured(["lint", "--bib", "refs.bib", "draft.md"], tmp_path)
    assert measured.within_bounds(), measured.describe()
    assert measured.returncode == 1, measured.describe()
    # The .bbl says "2021z": the draft's "2021" is then missing its suffix.
    assert measured.stdout.startswith("draft.md:1:30: RW002 error"), measured.stdout
    assert "Liu and Wan, 2021z" in measured.stdout


def test_unclosed_braces_in_one_item_do_not_hide_the_next(tmp_path):
    (tmp_path / "refs.bib").write_text(REFS)
    (tmp_path / "refs.bbl").write_text(
        "\\bibitem[{" * 20_000
        + "\n\\bibitem[{Chen and Tworek(2021{\\natexlab{q}})}]{chen2021}\n"
        + "\\bibitem["
        + "{" * 30_000
        + "Liu and Wan(2021)"
        + "}" * 30_000
        + "]{liu2021}\n"
    )
    (tmp_path / "draft.md").write_text("(Chen and Tworek, 2021q) and (Liu and Wan, 2021).\n")
    measured = run_measured(["lint", "--bib", "refs.bib", "draft.md"], tmp_path)
    assert measured.within_bounds(), measured.describe()
    assert measured.returncode == 0, measured.describe()

"""Hostile drafts (issue 10): Pandoc keys ending in long punctuation runs, unclosed
verbatim environments, code spans and comments, and suppression comments on every line.
Each ends within 5 s and 500 MB with the findings a well-formed draft would get."""

from __future__ import annotations

import pytest
from measured_run import Measured, run_measured

pytestmark = pytest.mark.slow

REFS = "@article{chen2021, author={Chen, Mark and Tworek, Jerry}, year={2021}, title={Codex}}\n"


def _lint(tmp_path, name: str, text: str, *args: str) -> Measured:
    (tmp_path / "refs.bib").write_text(REFS)
    (tmp_path / name).write_text(text)
    measured = run_measured(["lint", *args, name], tmp_path)
    assert measured.within_bounds(), measured.describe()
    assert "Traceback" not in measured.stderr, measured.stderr
    return measured


def test_pandoc_keys_followed_by_punctuation_runs(tmp_path):
    # 111 s before: every "@a" tried each shorter punctuation run before failing.
    text = ("@a" + ":.#$%&-+?<>~/" * 50) * 20_000
    measured = _lint(tmp_path, "draft.md", text, "--bib", "refs.bib")
    lines = [line for line in measured.stdout.splitlines() if line.startswith("draft.md")]
    assert len(lines) == 20_000 and all(" RW007 " in line for line in lines)
    assert lines[1] == "draft.md:1:654: RW007 error undefined citation key 'a'"


def test_50000_unclosed_verbatim_environments(tmp_path):
    # A TimeoutError traceback before (the lazy pattern rescanned the rest per \begin).
    text = "\\begin{verbatim}\n" * 50_000 + "\\citep{nokey}\n\\bibliography{refs}\n"
    measured = _lint(tmp_path, "draft.tex", text)
    # The \bibliography after them is found, and the \citep (no environment closes) read.
    assert measured.stdout.splitlines() == [
        "draft.tex:50001:8: RW007 error undefined citation key 'nokey'",
    ]


def test_unclosed_code_spans_and_comments(tmp_path):
    text = "`x``" * 50_000 + "\n\n" + "<!--" * 50_000 + "\n\n(Chen and Tworek, 2021a)\n"
    measured = _lint(tmp_path, "draft.md", text, "--bib", "refs.bib")
    assert measured.stdout.startswith("draft.md:5:2: RW003 error superfluous suffix 'a'")


def test_a_suppression_comment_on_every_one_of_40000_lines(tmp_path):
    cited = "Codex (Chen and Tworek, 2021a) writes code. <!-- relwork: ignore RW003 -->\n"
    plain = "Some prose without a citation. <!-- relwork: ignore RW003 -->\n"
    text = (cited + plain * 3) * 10_000
    measured = _lint(tmp_path, "draft.md", text, "--bib", "refs.bib")
    assert (measured.returncode, measured.stdout) == (0, "")


def test_thousands_of_findings_on_one_long_line_with_a_directive(tmp_path):
    # Each finding used to search its whole (2 MB) line for a directive again.
    text = ("(Chen and Tworek, 2021a) " + "word " * 80) * 5_000 + "% relwork: ignore RW003\n"
    measured = _lint(tmp_path, "draft.tex", text, "--bib", "refs.bib")
    assert (measured.returncode, measured.stdout) == (0, "")

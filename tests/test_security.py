"""Hostile repositories: a revision must never act as a git option, configured paths must
not reach outside the workspace in the server, and odd files in the tree are skipped."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from relwork_ls.cli import main
from relwork_ls.config import ConfigError, load_config
from relwork_ls.git_files import GitError, check_revision_syntax, read_file_at_revision
from relwork_ls.server.state import ServerState

needs_git = pytest.mark.skipif(shutil.which("git") is None, reason="git is not installed")

REFS = "@article{chen2021, author = {Chen, Mark and Tworek, Jerry and Jun, Heewoo}, title = {Codex}, year = {2021}}\n"
OUTSIDE_REFS = (
    "@article{secret2020, author = {Secret, Sam}, title = {Private Title}, year = {2020}}\n"
)


def _git(repo: Path, *args: str) -> None:
    env = {
        **os.environ,
        "GIT_AUTHOR_NAME": "t",
        "GIT_AUTHOR_EMAIL": "t@t",
        "GIT_COMMITTER_NAME": "t",
        "GIT_COMMITTER_EMAIL": "t@t",
    }
    subprocess.run(["git", "-C", str(repo), *args], check=True, capture_output=True, env=env)


def _malicious_repository(tmp_path: Path) -> tuple[Path, Path]:
    """The attack of issue 10: ``since = "--output=k"`` plus a committed symlink ``k:.``
    to a folder outside, so ``git show --output=k:./.bashrc`` would overwrite a file there."""
    home = tmp_path / "home"
    home.mkdir()
    victim = home / ".bashrc"
    victim.write_text("echo original\n")
    repo = tmp_path / "repo"
    repo.mkdir()
    _git(repo, "init", "-q")
    (repo / ".bashrc").write_text("echo pwned\n" + REFS)
    (repo / "draft.md").write_text("Codex (Chen et al., 2021) writes code.\n")
    (repo / "relwork.toml").write_text('since = "--output=k"\nbibliographies = [".bashrc"]\n')
    os.symlink(str(home), repo / "k:.")
    _git(repo, "add", "-A")
    _git(repo, "commit", "-q", "-m", "init")
    return repo, victim


@needs_git
def test_option_as_revision_in_config_is_refused_and_writes_nothing(tmp_path, capsys, monkeypatch):
    repo, victim = _malicious_repository(tmp_path)
    monkeypatch.chdir(repo)
    assert main(["lint", "."]) == 2
    err = capsys.readouterr().err
    assert "not a valid git revision" in err and "Traceback" not in err
    assert victim.read_text() == "echo original\n"
    assert sorted(p.name for p in victim.parent.iterdir()) == [".bashrc"]


@needs_git
def test_option_as_revision_on_the_command_line_is_refused(tmp_path, capsys, monkeypatch):
    repo, victim = _malicious_repository(tmp_path)
    (repo / "relwork.toml").write_text('bibliographies = [".bashrc"]\n')
    monkeypatch.chdir(repo)
    for argv in (["lint", ".", "--since=--output=k"], ["relabel", ".", "--since=--output=k"]):
        assert main(argv) == 2
        assert "not a valid git revision" in capsys.readouterr().err
    assert victim.read_text() == "echo original\n"


@needs_git
def test_option_as_revision_in_server_settings_is_refused(tmp_path):
    repo, victim = _malicious_repository(tmp_path)
    (repo / "relwork.toml").write_text('bibliographies = [".bashrc"]\n')
    # The same value through initializationOptions / didChangeConfiguration.
    state = ServerState([repo], {"since": "--output=k"})
    root = state.roots[0]
    state.lint(root)
    assert root.config_error is not None and "not a valid git revision" in root.config_error
    assert root.error is None  # the folder's own configuration still applies
    state.reconfigure({"since": "--output=k:./.bashrc"})
    state.lint(state.roots[0])
    assert victim.read_text() == "echo original\n"


@needs_git
def test_unknown_revision_in_config_is_a_finding_not_a_crash(tmp_path, capsys, monkeypatch):
    repo, victim = _malicious_repository(tmp_path)
    (repo / "relwork.toml").write_text('since = "no-such-tag"\nbibliographies = [".bashrc"]\n')
    monkeypatch.chdir(repo)
    assert main(["lint", ".", "--select", "RW013"]) == 1
    out = capsys.readouterr().out
    assert "RW013" in out and "'no-such-tag' is not a valid git revision" in out


@needs_git
def test_revision_reads_the_committed_file(tmp_path):
    repo = tmp_path / "repo"
    repo.mkdir()
    _git(repo, "init", "-q")
    (repo / "sub").mkdir()
    bib = repo / "sub" / "refs.bib"
    bib.write_text(REFS)
    _git(repo, "add", "-A")
    _git(repo, "commit", "-q", "-m", "one")
    bib.write_text("changed")
    assert read_file_at_revision(bib, "HEAD") == REFS
    with pytest.raises(GitError):
        read_file_at_revision(bib, "HEAD~5")


@pytest.mark.parametrize("revision", ["--output=k", "-p", "", " ", "HEAD:./x", "a\nb", "v1 --help"])
def test_revision_syntax_rejects_option_like_values(revision):
    with pytest.raises(GitError):
        check_revision_syntax(revision)


def test_config_file_with_option_revision_is_a_config_error(tmp_path):
    config = tmp_path / "relwork.toml"
    config.write_text('since = "-c"\n')
    with pytest.raises(ConfigError, match="since"):
        load_config(config)


# -- paths outside the workspace ---------------------------------------------------------


def _workspace_with_outside_bibliography(tmp_path: Path, how: str) -> Path:
    outside = tmp_path / "outside"
    outside.mkdir()
    (outside / "private.bib").write_text(OUTSIDE_REFS)
    root = tmp_path / "ws"
    root.mkdir()
    (root / "refs.bib").write_text(REFS)
    if how == "config":
        (root / "relwork.toml").write_text('bibliographies = ["../outside/private.bib"]\n')
        (root / "draft.md").write_text("See (Secret, 2020).\n")
    elif how == "named":
        (root / "paper.tex").write_text(
            "See \\citet{secret2020}.\n\\bibliography{../outside/private}\n"
        )
    elif how == "symlink":
        os.symlink(outside / "private.bib", root / "linked.bib")
        (root / "relwork.toml").write_text('bibliographies = ["linked.bib"]\n')
        (root / "draft.md").write_text("See (Secret, 2020).\n")
    return root


@pytest.mark.parametrize("how", ["config", "named", "symlink"])
def test_server_refuses_workspace_config_paths_outside_the_folder(tmp_path, how):
    root_path = _workspace_with_outside_bibliography(tmp_path, how)
    state = ServerState([root_path], {})
    root = state.roots[0]
    state.lint(root)
    findings = [f for fs in root.findings_by_path.values() for f in fs]
    refused = [f for f in findings if f.code == "RW012"]
    assert refused and "outside the workspace folder" in refused[0].message
    # Nothing of the outside file is indexed, so hover/definition cannot show it.
    assert all("secret2020" not in index.entries_by_key for index in state.indexes())
    assert not any("Private Title" in f.message for f in findings)


@pytest.mark.parametrize("how", ["config", "named", "symlink"])
def test_server_reads_outside_paths_when_the_user_allows_it(tmp_path, how):
    root_path = _workspace_with_outside_bibliography(tmp_path, how)
    state = ServerState([root_path], {"allow_outside_paths": True})
    root = state.roots[0]
    state.lint(root)
    findings = [f for fs in root.findings_by_path.values() for f in fs]
    assert not [f for f in findings if f.code in ("RW012", "RW001", "RW007")]


def test_untrusted_workspace_ignores_allow_and_runs_no_git(tmp_path):
    root_path = _workspace_with_outside_bibliography(tmp_path, "config")
    (root_path / "relwork.toml").write_text(
        'bibliographies = ["../outside/private.bib"]\nsince = "HEAD"\n'
    )
    state = ServerState([root_path], {"allow_outside_paths": True, "workspace_trusted": False})
    root = state.roots[0]
    assert root.config.allow_git is False
    state.lint(root)
    codes = {f.code for fs in root.findings_by_path.values() for f in fs}
    assert "RW012" in codes


def test_cli_reads_outside_paths_the_user_named(tmp_path, capsys, monkeypatch):
    root = _workspace_with_outside_bibliography(tmp_path, "config")
    monkeypatch.chdir(root)
    assert main(["lint", "."]) == 0, capsys.readouterr().out


# -- odd files in the tree ---------------------------------------------------------------


def test_symlink_loops_dangling_links_and_fifos_are_skipped_with_a_notice(
    tmp_path, capsys, monkeypatch
):
    root = tmp_path / "ws"
    root.mkdir()
    (root / "refs.bib").write_text(REFS)
    (root / "draft.md").write_text("Codex (Chen et al., 2021) writes code.\n")
    os.symlink(root / "loop-b.md", root / "loop-a.md")
    os.symlink(root / "loop-a.md", root / "loop-b.md")
    os.symlink(root / "missing.md", root / "dangling.md")
    outside = tmp_path / "elsewhere.md"
    outside.write_text("(Nobody, 1999)\n")
    os.symlink(outside, root / "out.md")
    os.symlink(tmp_path, root / "up")  # a folder link out of the tree
    os.symlink(root, root / "self")  # a folder link back into the tree: silently not walked
    if hasattr(os, "mkfifo"):
        os.mkfifo(root / "pipe.md")
    monkeypatch.chdir(root)
    status = main(["lint", "."])
    out = capsys.readouterr().out
    assert status == 1  # RW011 is a warning
    skipped = [line for line in out.splitlines() if "RW011" in line]
    reasons = "\n".join(skipped)
    assert "loop-a.md" in reasons and "symbolic link loop" in reasons
    assert "dangling.md" in reasons and "dangling symbolic link" in reasons
    assert "out.md" in reasons and "outside" in reasons
    assert "up" in reasons
    if hasattr(os, "mkfifo"):
        assert "pipe.md" in reasons and "not a regular file" in reasons
    assert "self" not in {line.split(":")[0].split("/")[-1] for line in skipped}
    assert "RW001" not in out  # the outside draft was not read


def test_lint_in_a_subprocess_does_not_hang_on_a_fifo(tmp_path):
    if not hasattr(os, "mkfifo"):
        pytest.skip("no FIFOs here")
    (tmp_path / "refs.bib").write_text(REFS)
    os.mkfifo(tmp_path / "x.md")
    result = subprocess.run(
        [sys.executable, "-m", "relwork_ls", "lint", str(tmp_path)],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 1 and "RW011" in result.stdout
    assert "Traceback" not in result.stderr

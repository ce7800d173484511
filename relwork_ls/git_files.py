"""Read a file as it was at a git revision, without letting a revision act as an option.

Revisions come from places an attacker can write (a repository's own ``relwork.toml``,
workspace settings), so every value is checked before git sees it, resolved to a commit
id first, and git runs with no shell, a timeout and no system configuration.
"""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

GIT_TIMEOUT_SECONDS = 20.0


class GitError(Exception):
    """A revision that is not valid, or a file git cannot give us; one-line message."""


def check_revision_syntax(revision: str) -> None:
    """Reject values git could read as options or that no revision name can hold."""
    if not revision or not revision.strip():
        raise GitError("empty git revision")
    if revision.startswith("-"):
        raise GitError(f"'{revision}' is not a valid git revision (it starts with '-')")
    if any(ch.isspace() or ord(ch) < 32 or ch == "\x7f" for ch in revision):
        raise GitError(f"{revision!r} is not a valid git revision")
    if ":" in revision:
        raise GitError(f"'{revision}' is not a valid git revision (a path part is not allowed)")


def _environment() -> dict[str, str]:
    env = dict(os.environ)
    # No system-wide configuration, no prompts, no optional locks, no pager.
    env.update(
        GIT_CONFIG_NOSYSTEM="1",
        GIT_TERMINAL_PROMPT="0",
        GIT_OPTIONAL_LOCKS="0",
        GIT_PAGER="cat",
        PAGER="cat",
    )
    for variable in ("GIT_DIR", "GIT_WORK_TREE", "GIT_INDEX_FILE", "GIT_EXTERNAL_DIFF"):
        env.pop(variable, None)
    return env


def _git(folder: Path, arguments: list[str]) -> subprocess.CompletedProcess[bytes]:
    command = ["git", "-c", "core.fsmonitor=false", "-C", str(folder), *arguments]
    try:
        return subprocess.run(
            command,
            capture_output=True,
            check=False,
            timeout=GIT_TIMEOUT_SECONDS,
            env=_environment(),
            stdin=subprocess.DEVNULL,
        )
    except subprocess.TimeoutExpired as error:
        raise GitError(f"git did not answer within {GIT_TIMEOUT_SECONDS:.0f} s") from error
    except OSError as error:
        raise GitError(f"cannot run git: {error.strerror or error}") from error


def _last_line(result: subprocess.CompletedProcess[bytes]) -> str:
    lines = result.stderr.decode("utf-8", "replace").strip().splitlines()
    return lines[-1] if lines else "git failed"


def resolve_commit(folder: Path, revision: str) -> str:
    """The commit id ``revision`` names in the repository holding ``folder``."""
    check_revision_syntax(revision)
    result = _git(
        folder,
        ["rev-parse", "--verify", "--quiet", "--end-of-options", f"{revision}^{{commit}}"],
    )
    commit = result.stdout.decode("ascii", "replace").strip()
    if result.returncode != 0 or not commit or not all(c in "0123456789abcdef" for c in commit):
        raise GitError(f"'{revision}' is not a valid git revision in {folder}")
    return commit


def read_file_at_revision(path: Path, revision: str) -> str:
    """The text of ``path`` at ``revision`` (undecodable bytes replaced)."""
    folder = path.parent
    commit = resolve_commit(folder, revision)
    top = _git(folder, ["rev-parse", "--show-toplevel"])
    if top.returncode != 0:
        raise GitError(f"{folder} is not in a git repository: {_last_line(top)}")
    root = Path(top.stdout.decode("utf-8", "surrogateescape").strip()).resolve()
    try:
        relative = path.resolve().relative_to(root)
    except ValueError as error:
        raise GitError(f"{path} is outside the git repository {root}") from error
    # A commit id, then a path: nothing here can start with "-"; cat-file applies no
    # textconv or filters, so repository attributes cannot run programs.
    result = _git(root, ["cat-file", "blob", f"{commit}:{relative.as_posix()}"])
    if result.returncode != 0:
        raise GitError(f"cannot read {path.name} at {revision}: {_last_line(result)}")
    return result.stdout.decode("utf-8", errors="replace")


def last_commit_time(path: Path) -> int | None:
    """When the last commit touching ``path`` was made (Unix time); None when the file is
    not in a git repository, not tracked, or git is unavailable."""
    if not (path.parent / ".git").exists() and not any(
        (folder / ".git").exists() for folder in path.parents
    ):
        return None
    try:
        result = _git(path.parent, ["log", "-1", "--format=%ct", "--", path.name])
    except GitError:
        return None
    stamp = result.stdout.decode("ascii", "replace").strip()
    return int(stamp) if result.returncode == 0 and stamp.isdigit() else None

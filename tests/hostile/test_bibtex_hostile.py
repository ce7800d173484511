"""Hostile .bib files (issue #10, #17): each lint ends in under 5 s and 500 MB, with a
finding, never a traceback. The files are generated here, not stored.

Each case runs ``relwork-ls lint`` in a child process so its time and peak memory are its
own (``os.wait4``); the child's address space is capped at 2 GB so that a regression
fails the test instead of exhausting the machine.
"""

from __future__ import annotations

import json
import os
import resource
import subprocess
import sys
import tempfile
import threading
import time
from dataclasses import dataclass
from pathlib import Path

import pytest

pytestmark = pytest.mark.slow

TIME_LIMIT_S = 5.0
MEMORY_LIMIT_BYTES = 500 * 1024 * 1024
ADDRESS_SPACE_CAP_BYTES = 2 * 1024 * 1024 * 1024
KILL_AFTER_S = 120.0


def string_chain(depth: int) -> str:
    """``@string{s_i = s_{i-1} # s_{i-1}}``: the value doubles at each step."""
    lines = ['@string{s0 = "ab"}']
    lines += [f"@string{{s{i} = s{i - 1} # s{i - 1}}}" for i in range(1, depth + 1)]
    lines.append(f"@article{{chain, author = {{Ada Lovelace}}, title = s{depth}, year = 2020}}")
    return "\n".join(lines) + "\n"


def nested_title(depth: int) -> str:
    title = "\\emph{" * depth + "Deep" + "}" * depth
    return f"@article{{deep, author = {{Ada Lovelace}}, title = {{{title}}}, year = 2020}}\n"


def nested_author(depth: int) -> str:
    author = "{\\emph{" * depth + "Lovelace" + "}}" * depth
    return f"@article{{deep, author = {{{author}}}, title = {{T}}, year = 2020}}\n"


@dataclass(frozen=True)
class Run:
    exit_code: int
    stdout: str
    stderr: str
    seconds: float
    peak_rss_bytes: int


def _cap_address_space() -> None:
    resource.setrlimit(resource.RLIMIT_AS, (ADDRESS_SPACE_CAP_BYTES, ADDRESS_SPACE_CAP_BYTES))


def run_lint(folder: Path, bib_name: str) -> Run:
    """``relwork-ls lint`` of a draft against ``bib_name``, measured as its own process."""
    args = [sys.executable, "-m", "relwork_ls", "lint", "draft.md", "--bib", bib_name]
    args += ["--format", "json"]
    with tempfile.TemporaryFile() as out, tempfile.TemporaryFile() as err:
        start = time.monotonic()
        child = subprocess.Popen(
            args, cwd=folder, stdout=out, stderr=err, preexec_fn=_cap_address_space
        )
        killer = threading.Timer(KILL_AFTER_S, child.kill)
        killer.start()
        try:
            _, status, usage = os.wait4(child.pid, 0)
        finally:
            killer.cancel()
        seconds = time.monotonic() - start
        child.returncode = os.waitstatus_to_exitcode(status)
        out.seek(0)
        err.seek(0)
        return Run(
            child.returncode,
            out.read().decode("utf-8", "replace"),
            err.read().decode("utf-8", "replace"),
            seconds,
            usage.ru_maxrss * 1024,  # KiB on Linux
        )


CASES = {
    "string-chain-27": (string_chain(27), "longer than 100,000 characters"),
    "title-emph-5000": (nested_title(5000), "nests braces 5,000 deep"),
    "author-emph-3000": (nested_author(3000), "nests braces 6,000 deep"),
    "title-emph-200": (nested_title(200), "nests braces 200 deep"),
}


@pytest.mark.skipif(not hasattr(os, "wait4"), reason="needs os.wait4 (POSIX)")
@pytest.mark.parametrize("case", sorted(CASES))
def test_hostile_bibliography_is_linted_quickly_with_a_finding(tmp_path, case):
    source, expected = CASES[case]
    (tmp_path / "refs.bib").write_text(source, encoding="utf-8")
    (tmp_path / "draft.md").write_text(
        "As Lovelace (2020) showed, and (Lovelace, 2020) again.\n", encoding="utf-8"
    )
    run = run_lint(tmp_path, "refs.bib")
    assert "Traceback" not in run.stderr, run.stderr
    assert run.exit_code == 1, (run.exit_code, run.stderr)  # 1: findings, not a crash
    findings = json.loads(run.stdout)["findings"]
    assert any(f["code"] == "RW306" and expected in f["message"] for f in findings), findings
    assert run.seconds < TIME_LIMIT_S, f"{case} took {run.seconds:.1f} s"
    assert run.peak_rss_bytes < MEMORY_LIMIT_BYTES, (
        f"{case} peaked at {run.peak_rss_bytes / 2**20:.0f} MB"
    )

"""Run ``relwork-ls`` in a child process and measure its wall time and peak memory.

Hostile-input tests assert generous bounds (seconds, megabytes) on what they measure here;
the child's own peak resident set size comes from ``wait4``, so other children of the test
process (servers, editors) do not blur it.
"""

from __future__ import annotations

import os
import resource
import signal
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

# Bounds from issue 10: every hostile input ends in under 5 s with under 500 MB.
TIME_LIMIT_SECONDS = 5.0
MEMORY_LIMIT_MB = 500.0
# A runaway child is stopped well before it can take the machine down.
_KILL_AFTER_SECONDS = 60.0
_ADDRESS_SPACE_CAP = 4 * 1024**3


@dataclass(frozen=True)
class Measured:
    """What one run of the command line did and cost."""

    returncode: int
    stdout: str
    stderr: str
    seconds: float
    peak_mb: float
    killed: bool

    def within_bounds(self) -> bool:
        return (
            not self.killed and self.seconds < TIME_LIMIT_SECONDS and self.peak_mb < MEMORY_LIMIT_MB
        )

    def describe(self) -> str:
        return (
            f"exit {self.returncode}, {self.seconds:.2f} s, {self.peak_mb:.0f} MB"
            f"{' (killed)' if self.killed else ''}; stderr: {self.stderr[-500:]!r}"
        )


def _cap_address_space() -> None:
    resource.setrlimit(resource.RLIMIT_AS, (_ADDRESS_SPACE_CAP, _ADDRESS_SPACE_CAP))


def run_measured(args: list[str], cwd: Path, kill_after: float = _KILL_AFTER_SECONDS) -> Measured:
    """Run ``relwork-ls ARGS`` in ``cwd``; its time, peak RSS and output."""
    with tempfile.TemporaryFile() as out, tempfile.TemporaryFile() as err:
        started = time.perf_counter()
        child = subprocess.Popen(
            [sys.executable, "-m", "relwork_ls", *args],
            cwd=cwd,
            stdin=subprocess.DEVNULL,
            stdout=out,
            stderr=err,
            preexec_fn=_cap_address_space,
        )
        killed = False
        while True:
            pid, status, usage = os.wait4(child.pid, os.WNOHANG)
            if pid:
                break
            if time.perf_counter() - started > kill_after:
                os.kill(child.pid, signal.SIGKILL)
                killed = True
                _, status, usage = os.wait4(child.pid, 0)
                break
            time.sleep(0.01)
        seconds = time.perf_counter() - started
        child.returncode = os.waitstatus_to_exitcode(status)
        out.seek(0)
        err.seek(0)
        return Measured(
            child.returncode,
            out.read().decode("utf-8", "replace"),
            err.read().decode("utf-8", "replace"),
            seconds,
            usage.ru_maxrss / 1024,  # kilobytes on Linux
            killed,
        )

"""Whole processes, timed from outside: relwork-ls beside BibTeX and a bare Python.

Each comparison runs the two commands in turn (A B A B ...) and takes the ratio pair by
pair, so that a machine whose speed drifts still gives a fair ratio; medians are printed,
with CPU time (user + system) and the peak RSS of each run from the kernel (wait4).

- ``relwork-ls --version`` vs ``python -c pass`` (the Python floor);
- ``relwork-ls lint`` of a one-entry workspace vs ``python -c pass``;
- ``relwork-ls labels --no-bbl cdl.bib`` (6,315 entries) vs ``bibtex`` + plainnat with
  ``\\nocite{*}``: cold (no cache: the run parses and writes it) and warm (cache present);
- ``relwork-ls labels`` of a synthetic 50,000-entry bibliography, cold and warm.

``--before DIR`` also runs each relwork-ls command from another checkout's sources (e.g.
``git worktree add /tmp/before main``) to compare before and after.

Run: .venv/bin/python bench/bench_startup.py [--runs N] [--before DIR]
(needs ../shared/corpus; ``bibtex`` from TeX Live for the BibTeX rows)
"""

from __future__ import annotations

import argparse
import os
import platform
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from bench_peers import CDL, synthetic_bib

CACHE = ".relwork_cache"
TIME = Path("/usr/bin/time").is_file()  # GNU time, for the peak RSS of each run


@dataclass
class Run:
    wall: float
    cpu: float
    peak_mb: float


def run_once(command: list[str], cwd: Path, env: dict[str, str]) -> Run:
    """One whole process: wall time, CPU time (the kernel's, from wait4) and peak RSS
    (GNU time's %M: a child forked from this large process would count the pages it
    shares with it until it execs)."""
    with tempfile.NamedTemporaryFile("r", suffix=".rss") as rss:
        timed = ["/usr/bin/time", "-f", "%M", "-o", rss.name, *command] if TIME else command
        start = time.perf_counter()
        child = subprocess.Popen(
            timed, cwd=cwd, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
        )
        _, status, usage = os.wait4(child.pid, 0)
        wall = time.perf_counter() - start
        child.returncode = os.waitstatus_to_exitcode(status)
        if child.returncode not in (0, 1):
            raise SystemExit(f"{' '.join(command)} exited with {child.returncode}")
        text = rss.read().strip()
        peak = int(text.splitlines()[-1]) / 1024 if text else float("nan")
    return Run(wall, usage.ru_utime + usage.ru_stime, peak)


@dataclass
class Command:
    name: str
    argv: list[str]
    cwd: Path
    env: dict[str, str]
    before_each: Callable[[], None] = lambda: None


def paired(a: Command, b: Command, runs: int) -> None:
    """Run A and B in turn ``runs`` times (after one warm-up each) and print medians."""
    for command in (a, b):
        command.before_each()
        run_once(command.argv, command.cwd, command.env)
    results: dict[str, list[Run]] = {a.name: [], b.name: []}
    for _ in range(runs):
        for command in (a, b):
            command.before_each()
            results[command.name].append(run_once(command.argv, command.cwd, command.env))
    for command in (a, b):
        rows = results[command.name]
        print(
            f"  {command.name:<58} wall {statistics.median(r.wall for r in rows):6.3f} s"
            f"  cpu {statistics.median(r.cpu for r in rows):6.3f} s"
            f"  peak {statistics.median(r.peak_mb for r in rows):6.1f} MB"
        )
    walls = [x.wall / y.wall for x, y in zip(results[a.name], results[b.name], strict=True)]
    cpus = [x.cpu / y.cpu for x, y in zip(results[a.name], results[b.name], strict=True)]
    print(
        f"  {'ratio A/B (median of pairs)':<58} wall {statistics.median(walls):6.2f} x "
        f" cpu {statistics.median(cpus):6.2f} x"
    )


def single(command: Command, runs: int) -> None:
    """Run one command ``runs`` times (after a warm-up) and print medians."""
    command.before_each()
    run_once(command.argv, command.cwd, command.env)
    rows = []
    for _ in range(runs):
        command.before_each()
        rows.append(run_once(command.argv, command.cwd, command.env))
    print(
        f"  {command.name:<58} wall {statistics.median(r.wall for r in rows):6.3f} s"
        f"  cpu {statistics.median(r.cpu for r in rows):6.3f} s"
        f"  peak {statistics.median(r.peak_mb for r in rows):6.1f} MB"
        f"  (runs: {', '.join(f'{r.wall:.2f}' for r in rows)})"
    )


def relwork(args: list[str], source: Path | None) -> tuple[list[str], dict[str, str]]:
    """The command line for relwork-ls (from ``source`` when given) and its environment."""
    env = dict(os.environ)
    if source is None:
        return [str(Path(sys.executable).with_name("relwork-ls")), *args], env
    env["PYTHONPATH"] = str(source)
    return [sys.executable, "-m", "relwork_ls", *args], env


def clear_cache(folder: Path) -> Callable[[], None]:
    """Before a cold run: no cache."""
    return lambda: shutil.rmtree(folder / CACHE, ignore_errors=True)


def keep_cache() -> None:
    """Before a warm run: the cache the previous run left."""


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=9)
    parser.add_argument("--before", type=Path, default=None, help="another checkout to compare")
    args = parser.parse_args()
    if not CDL.exists():
        sys.exit("needs ../shared/corpus beside the checkout")
    print(
        f"python {platform.python_version()} on {platform.machine()}, "
        f"{os.cpu_count()} cores, {time.strftime('%Y-%m-%d')}; medians of {args.runs} pairs"
    )
    versions: list[tuple[Path | None, str]] = [(None, "after")]
    if args.before:
        versions.append((args.before.resolve(), "before"))
    floor = [sys.executable, "-c", "pass"]
    with tempfile.TemporaryDirectory() as folder:
        work = Path(folder)
        # Compiled modules are kept (in a folder of their own), as after any installation:
        # an environment that forbids writing them would time Python's compiler instead.
        os.environ.pop("PYTHONDONTWRITEBYTECODE", None)
        os.environ["PYTHONPYCACHEPREFIX"] = str(work / "pycache")
        env = dict(os.environ)
        bibtex_dir = work / "bibtex"
        bibtex_dir.mkdir()
        shutil.copy(CDL, bibtex_dir / "cdl.bib")
        (bibtex_dir / "t.aux").write_text(
            "\\relax\n\\citation{*}\n\\bibstyle{plainnat}\n\\bibdata{cdl}\n", encoding="utf-8"
        )
        tiny = work / "tiny"
        tiny.mkdir()
        (tiny / "refs.bib").write_text(
            "@article{xu2023a, author={Xu, Y.}, title={T}, year={2023}}\n", encoding="utf-8"
        )
        (tiny / "draft.md").write_text("As shown by (Xu, 2023), it works.\n", encoding="utf-8")
        big = work / "big"
        big.mkdir()
        (big / "big.bib").write_text(synthetic_bib(50_000), encoding="utf-8")
        bibtex = Command("bibtex + plainnat, cdl.bib", ["bibtex", "-terse", "t"], bibtex_dir, env)
        python = Command("python -c pass", floor, work, env)

        for source, label in versions:
            print(f"== {label}")
            argv, renv = relwork(["--version"], source)
            paired(Command(f"relwork-ls --version ({label})", argv, work, renv), python, args.runs)
            argv, renv = relwork(["lint", "."], source)
            name = f"relwork-ls lint, a one-entry workspace ({label})"
            paired(Command(name, argv, tiny, renv), python, args.runs)
            argv, renv = relwork(["labels", "--no-bbl", "cdl.bib"], source)
            for state, prepare in (("cold", clear_cache(bibtex_dir)), ("warm", keep_cache)):
                name = f"relwork-ls labels cdl.bib, {state} ({label})"
                command = Command(name, argv, bibtex_dir, renv, prepare)
                if shutil.which("bibtex"):
                    paired(command, bibtex, args.runs)
                else:
                    single(command, args.runs)
            argv, renv = relwork(["labels", "--no-bbl", "big.bib"], source)
            for state, prepare in (("cold", clear_cache(big)), ("warm", keep_cache)):
                name = f"relwork-ls labels, 50,000 entries, {state} ({label})"
                single(Command(name, argv, big, renv, prepare), max(3, args.runs // 2))


if __name__ == "__main__":
    main()

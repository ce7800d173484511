"""relwork-ls side by side with the peers available here, on the same inputs.

- labels: `relwork-ls labels` vs BibTeX + plainnat (and their agreement) vs pandoc --citeproc
  (author-date rendering with its own disambiguation) on cdl-bib-large/cdl.bib;
- duplicates: relwork-ls RW301 vs `bibtex-tidy --duplicates` (time and what each finds);
- scale: a synthetic 50,000-entry bibliography indexed; a workspace of 200 drafts of 50 KB
  linted (time and peak memory).

Run: bash bench/run.sh (installs the peers' npm package), or directly
     .venv/bin/python bench/bench_peers.py [--runs N]   (needs ../shared/corpus)
Peers that are not installed are reported as such and skipped.
"""

from __future__ import annotations

import argparse
import json
import random
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from relwork_ls.bibliography.bbl import load_bbl_text
from relwork_ls.bibliography.files import load_bibliography
from relwork_ls.bibliography.labels import LabelOptions
from relwork_ls.checks.bibliography import duplicate_work_findings
from relwork_ls.citations.resolution import CitationIndex

HERE = Path(__file__).resolve().parent
CORPUS = HERE.parents[1] / "shared" / "corpus"
CDL = CORPUS / "cdl-bib-large" / "cdl.bib"
QWEN = CORPUS / "qwen-related-work"


def timed_runs(action, runs: int) -> tuple[float, list[float], object]:
    times, result = [], None
    for _ in range(runs):
        start = time.perf_counter()
        result = action()
        times.append(time.perf_counter() - start)
    return statistics.median(times), times, result


def show(name: str, median: float, times: list[float], extra: str = "") -> None:
    runs = ", ".join(f"{t:.2f}" for t in times)
    print(f"  {name}: median {median:.2f} s (runs {runs}) {extra}")


def run(command: list[str], cwd: Path | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run(command, cwd=cwd, capture_output=True, text=True, check=False)


# Runs a relwork-ls command in a child Python that reports its own peak RSS on stderr.
_PEAK = (
    "import atexit, resource, sys\n"
    "atexit.register(lambda: print('PEAK_KB', resource.getrusage(resource.RUSAGE_SELF)"
    ".ru_maxrss, file=sys.stderr))\n"
    "from relwork_ls.cli import main\n"
    "sys.exit(main(sys.argv[1:]))\n"
)


def relwork(args: list[str]) -> list[str]:
    return [sys.executable, "-c", _PEAK, *args]


def peak_mb(result: subprocess.CompletedProcess[str]) -> float:
    for line in result.stderr.splitlines():
        if line.startswith("PEAK_KB"):
            return int(line.split()[1]) / 1024
    return float("nan")


def bench_labels(runs: int, work: Path) -> None:
    print("labels of cdl.bib (6,315 entries)")
    command = relwork(["labels", "--no-bbl", "--no-cache", str(CDL)])
    median, times, out = timed_runs(lambda: run(command), runs)
    show(
        "relwork-ls labels (process start included)",
        median,
        times,
        f"[peak RSS {peak_mb(out):.0f} MB]",
    )
    ours = {line.split("\t")[0]: line.split("\t")[1] for line in out.stdout.splitlines()}
    if shutil.which("bibtex"):
        shutil.copy(CDL, work / "cdl.bib")
        (work / "t.aux").write_text(
            "\\relax\n\\citation{*}\n\\bibstyle{plainnat}\n\\bibdata{cdl}\n"
        )
        median, times, _ = timed_runs(lambda: run(["bibtex", "-terse", "t"], work), runs)
        truth = load_bbl_text((work / "t.bbl").read_text(encoding="utf-8", errors="replace"))
        agree = sum(ours.get(label.key) == label.text() for label in truth)
        show(
            "bibtex + plainnat",
            median,
            times,
            f"[labels agree with relwork-ls: {agree}/{len(truth)}]",
        )
    else:
        print("  bibtex: not installed")
    if shutil.which("pandoc"):
        (work / "nocite.md").write_text("---\nnocite: '@*'\n---\n")
        command = [
            "pandoc",
            "--citeproc",
            f"--bibliography={CDL}",
            "-t",
            "plain",
            str(work / "nocite.md"),
        ]
        median, times, result = timed_runs(lambda: run(command), runs)
        show(
            "pandoc --citeproc (renders the whole bibliography)",
            median,
            times,
            f"[exit {result.returncode}]",
        )
    else:
        print("  pandoc: not installed")


def bench_duplicates(runs: int, work: Path) -> None:
    print("duplicates in cdl.bib")

    def ours() -> list[str]:
        index = CitationIndex(load_bibliography(CDL, use_sibling_bbl=False), LabelOptions())
        return [f.message.split("'")[1] for f in duplicate_work_findings(index)]

    median, times, found = timed_runs(ours, runs)
    show(
        "relwork-ls RW301 (load + check, in process)",
        median,
        times,
        f"[{len(found)} duplicate entries]",
    )
    tidy = HERE / "peers" / "node_modules" / ".bin" / "bibtex-tidy"
    if tidy.exists():

        def run_tidy() -> subprocess.CompletedProcess[str]:
            target = work / "tidy.bib"
            shutil.copy(CDL, target)
            return run([str(tidy), str(target), "--duplicates", "--no-modify"])

        median, times, result = timed_runs(run_tidy, runs)
        reported = [
            line
            for line in (result.stdout + result.stderr).splitlines()
            if line.startswith("DUPLICATE_ENTRY")
        ]
        show(
            "bibtex-tidy --duplicates (DOI, key, abstract, author+title)",
            median,
            times,
            f"[{len(reported)} duplicate reports]",
        )
        theirs = {line.split("Entry ")[1].split(" ")[0] for line in reported}
        both = sorted(theirs & set(found))
        print(f"      found by both: {', '.join(both)}")
        print(f"      only bibtex-tidy: {', '.join(sorted(theirs - set(found))) or '-'}")
        print(f"      only relwork-ls: {', '.join(sorted(set(found) - theirs)) or '-'}")
    else:
        print("  bibtex-tidy: not installed (npm install in bench/peers)")


def synthetic_bib(count: int) -> str:
    rng = random.Random(5)
    surnames = [f"Name{i}" for i in range(count // 8)]
    rows = []
    for i in range(count):
        lead = rng.choice(surnames)
        names = " and ".join([f"{lead}, A."] + [f"{rng.choice(surnames)}, B."] * rng.randint(0, 3))
        rows.append(
            f"@article{{s{i}, author={{{names}}}, title={{Synthetic work {i}}},"
            f" journal={{J}}, year={{{2015 + rng.randint(0, 9)}}}}}\n"
        )
    return "".join(rows)


def bench_scale(runs: int, work: Path) -> None:
    print("scale")
    big = work / "big.bib"
    big.write_text(synthetic_bib(50_000))
    command = relwork(["labels", "--no-bbl", "--no-cache", str(big)])
    median, times, result = timed_runs(lambda: run(command), runs)
    show(
        "index and label a synthetic 50,000-entry bibliography (relwork-ls labels)",
        median,
        times,
        f"[{len(result.stdout.splitlines())} labels, peak RSS {peak_mb(result):.0f} MB]",
    )

    drafts = work / "drafts"
    drafts.mkdir()
    shutil.copy(QWEN / "refs_v2.bib", drafts / "refs.bib")
    (drafts / "relwork.toml").write_text('bibliographies = ["refs.bib"]\n')
    paragraphs = [p for p in (QWEN / "related_work_v2.md").read_text().split("\n\n") if "(" in p]
    rng = random.Random(9)
    vocabulary = (
        "model",
        "data",
        "training",
        "language",
        "large",
        "method",
        "results",
        "show",
        "work",
        "approach",
        "task",
        "performance",
        "evaluation",
    )
    for i in range(200):
        parts = []
        while sum(map(len, parts)) < 50_000:
            words = " ".join(rng.choice(vocabulary) for _ in range(rng.randint(40, 120)))
            parts.append(f"{words} {i}-{len(parts)}.\n\n{rng.choice(paragraphs)}")
        text = "\n\n".join(parts)
        # Twenty drafts have an older version beside them (draft groups, drift checks).
        (drafts / f"d{i:03d}.md").write_text(text)
        if i < 20:
            (drafts / f"d{i:03d}_old.md").write_text(text.replace("2023b", "2023a", 3))
    lint = relwork(["lint", "--format", "json", str(drafts)])
    median, times, result = timed_runs(lambda: run(lint), runs)
    findings = len(json.loads(result.stdout)["findings"])
    show(
        "lint 220 drafts (200 x 50 KB + 20 older versions)",
        median,
        times,
        f"[{findings} findings, peak RSS {peak_mb(result):.0f} MB]",
    )


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()
    if not CDL.exists():
        sys.exit("needs ../shared/corpus beside the checkout")
    with tempfile.TemporaryDirectory() as folder:
        work = Path(folder)
        bench_labels(args.runs, work)
        bench_duplicates(args.runs, work)
        bench_scale(args.runs, work)


if __name__ == "__main__":
    main()

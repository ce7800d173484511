"""Core timings: load + label a large real .bib; extract + resolve a 1 MB manuscript.

Run: .venv/bin/python bench/bench_core.py [--runs N]   (needs ../shared/corpus)
Prints the median and all runs of each measurement, in seconds.
"""

from __future__ import annotations

import argparse
import platform
import statistics
import time
from collections.abc import Callable
from pathlib import Path

from relwork_ls.bibliography.files import load_bibliography
from relwork_ls.bibliography.labels import LabelOptions
from relwork_ls.bibliography.latex_text import latex_to_unicode
from relwork_ls.bibliography.names import parse_name
from relwork_ls.citations.documents import _paragraph_citations, extract_citations
from relwork_ls.citations.rendered import _readings
from relwork_ls.citations.resolution import CitationIndex, resolve_citations

CORPUS = Path(__file__).resolve().parents[2] / "shared" / "corpus"


def timed(action: Callable[[], object], runs: int, reset: Callable[[], None]) -> list[float]:
    times = []
    for _ in range(runs):
        reset()
        start = time.perf_counter()
        action()
        times.append(time.perf_counter() - start)
    return times


def report(name: str, times: list[float], extra: str = "") -> None:
    runs = ", ".join(f"{t:.3f}" for t in times)
    print(f"{name}: median {statistics.median(times):.3f} s  (runs: {runs}) {extra}")


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args()
    print(f"python {platform.python_version()} on {platform.machine()}, {platform.processor()}")

    big_bib = CORPUS / "cdl-bib-large" / "cdl.bib"
    count = 0

    def load_and_label() -> None:
        nonlocal count
        index = CitationIndex(load_bibliography(big_bib), LabelOptions())
        count = len(index.entries_by_key)

    def cold_bib() -> None:
        # The LaTeX→Unicode and name caches would make later runs cheaper than a cold start.
        latex_to_unicode.cache_clear()
        parse_name.cache_clear()

    times = timed(load_and_label, args.runs, cold_bib)
    report("load + label cdl.bib", times, f"[{count} entries]")

    qwen = CORPUS / "qwen-related-work"
    draft = (qwen / "related_work_v2.md").read_text(encoding="utf-8")
    # Copies of the draft, each paragraph made unique so no scan of one is reused.
    paragraphs = [p for p in draft.split("\n\n") if p.strip()]
    copies = 1_000_000 // (len(draft) + 2) + 1
    manuscript = "\n\n".join(f"{p} (copy {n})" for n in range(copies) for p in paragraphs)
    bibliography = load_bibliography(qwen / "refs_v2.bib")
    works = 0

    def extract_and_resolve() -> None:
        nonlocal works
        index = CitationIndex(bibliography, LabelOptions())
        citations = extract_citations(manuscript, "markdown")
        works = len(resolve_citations("m.md", manuscript, citations, index).works)

    def cold() -> None:
        # No paragraph or resolution reused from an earlier run: a first scan.
        _paragraph_citations.cache_clear()
        _readings.cache_clear()

    times = timed(extract_and_resolve, args.runs, cold)
    report(
        "extract + resolve 1 MB manuscript",
        times,
        f"[{len(manuscript):,} chars, {works} cited works]",
    )


if __name__ == "__main__":
    main()

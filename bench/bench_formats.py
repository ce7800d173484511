"""In-process timings behind the cold and warm paths (medians of CPU time).

1. Reading .bib files: ``fast_blocks`` (regular expressions) against bibtexparser 2's
   splitter, on every .bib of the corpus and a synthetic 50,000-entry file, checking that
   both give the same blocks.
2. The cache file: loading the same columns (every string and integer of cdl.bib's cache
   file) stored as JSON, as marshal, and as relwork-ls stores them (a block of 64-bit
   integers and NUL-separated UTF-8 strings); then the whole warm load.

Run: .venv/bin/python bench/bench_formats.py [--runs N]   (needs ../shared/corpus)
"""

from __future__ import annotations

import argparse
import json
import marshal
import statistics
import sys
import tempfile
import time
from array import array
from collections.abc import Callable
from pathlib import Path

from bench_peers import CDL, CORPUS, synthetic_bib

from relwork_ls.bibliography import cache as cache_module
from relwork_ls.bibliography.bibtex import bibtexparser_blocks
from relwork_ls.bibliography.bibtex_blocks import fast_blocks
from relwork_ls.bibliography.cache import open_cache
from relwork_ls.bibliography.files import load_bibliography
from relwork_ls.bibliography.labels import LabelOptions


def cpu_median(action: Callable[[], object], runs: int) -> float:
    times = []
    for _ in range(runs):
        start = time.process_time()
        action()
        times.append(time.process_time() - start)
    return statistics.median(times)


def bench_readers(runs: int, work: Path) -> None:
    print("reading .bib files: regular expressions vs bibtexparser (same blocks?)")
    big = work / "big.bib"
    big.write_text(synthetic_bib(50_000), encoding="utf-8")
    for path in [*sorted(CORPUS.rglob("*.bib")), big]:
        text = path.read_bytes().decode("utf-8-sig", errors="replace")
        fast = fast_blocks(text)
        same = fast is not None and fast == bibtexparser_blocks(text)
        reps = max(1, runs // 3) if path == big else runs
        ours = cpu_median(lambda text=text: fast_blocks(text), reps)
        theirs = cpu_median(lambda text=text: bibtexparser_blocks(text), reps)
        print(
            f"  {path.name:<18} {len(text) / 1e6:5.2f} MB  regex {ours:6.3f} s  "
            f"bibtexparser {theirs:6.3f} s  ({theirs / ours:4.1f}x)  same blocks: {same}"
        )


def bench_cache_format(runs: int, work: Path) -> None:
    print("loading cdl.bib's cache columns")
    cache = open_cache(work)
    assert cache is not None
    options = LabelOptions()
    bib = load_bibliography(CDL, use_sibling_bbl=False, cache=cache, label_options=options)
    header, numbers, chunks = cache_module._encode(bib, options)
    blob = b"".join(chunks)
    strings = blob.decode("utf-8").split("\x00")
    as_json = json.dumps({"numbers": numbers.tolist(), "strings": strings}).encode()
    as_marshal = marshal.dumps({"numbers": numbers.tolist(), "strings": strings})
    raw = numbers.tobytes()

    def ours() -> object:
        loaded = array("q")
        loaded.frombytes(raw)
        return loaded, blob.decode("utf-8").split("\x00")

    rows = [
        ("JSON (json.loads)", len(as_json), cpu_median(lambda: json.loads(as_json), runs)),
        (
            "marshal (marshal.loads)",
            len(as_marshal),
            cpu_median(lambda: marshal.loads(as_marshal), runs),
        ),
        ("relwork-ls (array + split)", len(raw) + len(blob), cpu_median(ours, runs)),
    ]
    for name, size, seconds in rows:
        print(f"  {name:<28} {size / 1e6:5.2f} MB  {seconds * 1000:6.1f} ms")
    data = CDL.read_bytes()
    warm = cpu_median(lambda: cache.load(CDL, data, options), runs)
    print(f"  whole warm load of cdl.bib (read, checked, entries made): {warm * 1000:.1f} ms")


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=7)
    args = parser.parse_args()
    if not CDL.exists():
        sys.exit("needs ../shared/corpus beside the checkout")
    with tempfile.TemporaryDirectory() as folder:
        bench_readers(args.runs, Path(folder))
        bench_cache_format(args.runs, Path(folder))


if __name__ == "__main__":
    main()

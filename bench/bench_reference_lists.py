"""Reference-string parsing measured on real rendered lists: relwork-ls's parser and, when
installed, refextract (INSPIRE's reference extractor, the best-kept such library on PyPI).

Lists: the corpus's BibTeX .bbl files typeset by pdflatex and read back by pdftotext
(plainnat: qwen refs_v2, 118 references; apalike: the thesis, 231), and the corpus's
Markdown papers rendered by pandoc --citeproc (APA, Chicago author-date, ACL). Truth: the
.bbl's labels; for the pandoc lists, the .bib entry with the same title (first author's
surname and year). A reference counts as right when its label (names, year, suffix) is
the truth's; "first author + year" is the looser measure refextract can be held to.

    python bench/bench_reference_lists.py [--no-refextract]
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path[:0] = [str(ROOT), str(ROOT / "tests")]

from reference_rendering import bbl_pdf_text, pandoc_plain, pyrse_inputs  # noqa: E402

from relwork_ls.bibliography.bbl import load_bbl_text  # noqa: E402
from relwork_ls.bibliography.files import load_bibliography  # noqa: E402
from relwork_ls.bibliography.latex_text import fold  # noqa: E402
from relwork_ls.bibliography.reference_list import (  # noqa: E402
    find_reference_section,
    read_reference_list,
)
from relwork_ls.citations.resolution import normalize_names  # noqa: E402

CORPUS = ROOT.parent / "shared" / "corpus"


def _norm(text: str) -> str:
    return normalize_names(fold(text))


def _title(text: str) -> str:
    return "".join(ch for ch in fold(text) if ch.isalnum())[:40]


def lists() -> list[tuple[str, str, list[tuple[str, str, str]]]]:
    """(name, text, truth labels or first-author/year pairs)."""
    found = []
    for bbl, name in (
        ("qwen-related-work/refs_v2.bbl", "plainnat (Qwen refs_v2)"),
        ("batzolis-thesis-apalike/thesis.bbl", "apalike (thesis)"),
    ):
        truth = [
            (_norm(b.names), b.year, b.suffix)
            for b in load_bbl_text((CORPUS / bbl).read_text(encoding="utf-8"))
        ]
        for mode in ("raw", "layout"):
            found.append((f"{name}, pdftotext -{mode}", bbl_pdf_text(CORPUS / bbl, mode), truth))
    pvlib = CORPUS / "pvlib-joss-md"
    book = CORPUS / "pyrse-bookdown-md"
    for style in ("apa", "chicago", "acl"):
        found.append(
            (f"pandoc {style}: pvlib paper", pandoc_plain([pvlib / "paper.md"], style, pvlib), [])
        )
        text = pandoc_plain(pyrse_inputs(book), style, book, book / "book.bib")
        found.append((f"pandoc {style}: py-rse book", text, []))
    return found


def _bib_truth(paths: list[Path]) -> dict[str, tuple[str, str]]:
    table = {}
    for path in paths:
        for entry in load_bibliography(path, use_sibling_bbl=False).entries:
            names = entry.authors or entry.editors
            surname = names[0].display_surname() if names else ""
            table[_title(entry.title)] = (_norm(surname), entry.year)
    return table


def measure_ours(text: str, truth: list[tuple[str, str, str]], bib: dict) -> tuple[str, float]:
    start = time.perf_counter()
    found = read_reference_list(text)
    elapsed = time.perf_counter() - start
    parsed = [p for _, p in found.references] if found else []
    if truth:
        got = [(_norm(p.label_names), p.year, p.suffix) for p in parsed]
        right = (
            sum(a == b for a, b in zip(got, truth, strict=False)) if len(got) == len(truth) else 0
        )
        return f"{right}/{len(truth)} labels", elapsed
    right = 0
    for p in parsed:
        expected = bib.get(_title(p.title))
        first = _norm(p.names[0].surname) if p.names else ""
        if expected is not None and expected == (first, p.year):
            right += 1
    return f"{right}/{len(parsed)} first author + year + title", elapsed


def measure_refextract(text: str, truth: list[tuple[str, str, str]], bib: dict) -> str:
    from refextract import extract_references_from_string

    section = find_reference_section(text)
    body = text[section.start : section.end] if section else text
    refs = extract_references_from_string(body)
    refs = [r for r in refs if r.get("author") or r.get("year")]
    right = 0
    for index, ref in enumerate(refs):
        author = (ref.get("author") or [""])[0]
        year = (ref.get("year") or [""])[0]
        first = author.replace(",", " ").split()
        if truth:
            if (
                index < len(truth)
                and first
                and _norm(truth[index][0]).startswith(_norm(first[0]))
                and year == truth[index][1]
            ):
                right += 1
        elif (
            first
            and year
            and any(
                surname.startswith(_norm(first[0])) and y == year for surname, y in bib.values()
            )
        ):
            right += 1
    total = len(truth) if truth else len(refs)
    return f"{right}/{total} first author + year ({len(refs)} references found)"


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--no-refextract", action="store_true")
    args = parser.parse_args()
    bib = _bib_truth([CORPUS / "pvlib-joss-md/paper.bib", CORPUS / "pyrse-bookdown-md/book.bib"])
    print("| list | relwork-ls | time | refextract |")
    print("|---|---|---|---|")
    for name, text, truth in lists():
        ours, elapsed = measure_ours(text, truth, bib)
        theirs = "—" if args.no_refextract else measure_refextract(text, truth, bib)
        print(f"| {name} | {ours} | {elapsed * 1000:.0f} ms | {theirs} |", flush=True)


if __name__ == "__main__":
    main()

"""Read bibliography files of any supported format; a sibling .bbl supplies true labels."""

from __future__ import annotations

from pathlib import Path

from .bbl import load_bbl_text
from .bibtex import load_bibtex_text
from .csl import load_csl_text
from .hayagriva import load_hayagriva_text
from .model import BibEntry, Bibliography, LoadProblem, SourceSpan


class BibliographyError(Exception):
    """A bibliography file that cannot be read at all (missing, a directory, unreadable)."""


def read_text(path: Path) -> tuple[str, bool]:
    """File text as UTF-8 (undecodable bytes replaced); True when bytes were replaced."""
    data = path.read_bytes()
    try:
        return data.decode("utf-8-sig"), False
    except UnicodeDecodeError:
        return data.decode("utf-8", errors="replace"), True


def bibliography_from_text(text: str, path: str) -> Bibliography:
    """Parse bibliography source by the file's extension (.bib, .json, .bbl)."""
    suffix = Path(path).suffix.lower()
    if suffix == ".json":
        return load_csl_text(text, path)
    if suffix == ".bbl":
        return _bbl_as_bibliography(text, path)
    if suffix in (".yml", ".yaml"):
        return load_hayagriva_text(text, path)
    return load_bibtex_text(text, path)


def load_bibliography(path: Path, use_sibling_bbl: bool = True) -> Bibliography:
    """Load one bibliography file; raise BibliographyError if it cannot be read at all."""
    try:
        text, replaced = read_text(path)
    except OSError as error:
        reason = error.strerror or type(error).__name__
        raise BibliographyError(f"cannot read bibliography {path}: {reason}") from error
    if "\x00" in text:
        raise BibliographyError(f"cannot read bibliography {path}: it is a binary file")
    bib = bibliography_from_text(text, str(path))
    if replaced:
        bib.problems.append(
            LoadProblem(
                "RW303",
                "file is not valid UTF-8; undecodable bytes were replaced",
                SourceSpan(str(path), 0, 0, 0, 0),
            )
        )
    sibling = path.with_suffix(".bbl")
    if use_sibling_bbl and path.suffix.lower() != ".bbl" and sibling.is_file():
        bbl_text, _ = read_text(sibling)
        bib.bbl_labels.update((label.key.lower(), label) for label in load_bbl_text(bbl_text))
    key_map = path.parent / "citations.tsv"
    if path.suffix.lower() == ".json" and key_map.is_file():
        bib.key_aliases.update(read_key_map(read_text(key_map)[0]))
    return bib


def read_key_map(text: str) -> dict[str, str]:
    """Manubot's citations.tsv: the key as written (input_id) → the CSL item id (short_id)."""
    rows = [line.split("\t") for line in text.splitlines() if line.strip()]
    if not rows:
        return {}
    header = rows[0]
    if "input_id" not in header or "short_id" not in header:
        return {}
    source, target = header.index("input_id"), header.index("short_id")
    return {row[source].lower(): row[target] for row in rows[1:] if len(row) > max(source, target)}


def _bbl_as_bibliography(text: str, path: str) -> Bibliography:
    """A .bbl on its own: its items are the entries and their labels are the truth."""
    bib = Bibliography(paths=[path])
    for label in load_bbl_text(text):
        span = SourceSpan(path, label.line, 0, label.line, 0)
        bib.entries.append(BibEntry(label.key, "misc", {"year": label.year}, (), (), span, "bbl"))
        bib.bbl_labels[label.key.lower()] = label
    return bib

"""Read bibliography files of any supported format; a sibling .bbl supplies true labels."""

from __future__ import annotations

import gc
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from .cache import BibliographyCache
from .labels import LabelOptions, label_basis
from .model import BibEntry, Bibliography, LoadProblem, SourceSpan


class BibliographyError(Exception):
    """A bibliography file that cannot be read at all (missing, a directory, unreadable)."""


def read_text(path: Path) -> tuple[str, bool]:
    """File text as UTF-8 (undecodable bytes replaced); True when bytes were replaced."""
    return decode_text(path.read_bytes())


def decode_text(data: bytes) -> tuple[str, bool]:
    """Bytes as UTF-8 text (undecodable bytes replaced); True when bytes were replaced."""
    try:
        return data.decode("utf-8-sig"), False
    except UnicodeDecodeError:
        return data.decode("utf-8", errors="replace"), True


def bibliography_from_text(text: str, path: str) -> Bibliography:
    """Parse bibliography source by the file's extension (.bib, .json, .bbl)."""
    suffix = Path(path).suffix.lower()
    if suffix == ".json":
        from .csl import load_csl_text

        return load_csl_text(text, path)
    if suffix == ".bbl":
        return _bbl_as_bibliography(text, path)
    if suffix in (".yml", ".yaml"):
        from .hayagriva import load_hayagriva_text  # YAML is slow to import; rarely needed

        return load_hayagriva_text(text, path)
    from .bibtex import load_bibtex_text  # a warm start needs no parser

    return load_bibtex_text(text, path)


def load_bibliography(
    path: Path,
    use_sibling_bbl: bool = True,
    cache: BibliographyCache | None = None,
    label_options: LabelOptions | None = None,
) -> Bibliography:
    """Load one bibliography file; raise BibliographyError if it cannot be read at all.

    With a ``cache``, an unchanged file is read from it instead of parsed, and a parsed
    one is stored there; ``label_options`` says for which label style the entries' label
    bases are computed and kept along.
    """
    try:
        data = path.read_bytes()
    except OSError as error:
        reason = error.strerror or type(error).__name__
        raise BibliographyError(f"cannot read bibliography {path}: {reason}") from error
    with _collection_paused():
        hit = cache.load(path, data, label_options) if cache is not None else None
        if hit is not None:
            bib, has_bases = hit
            if not has_bases and label_options is not None and cache is not None:
                _label_bases(bib, label_options)
                cache.store(path, data, bib, label_options)
        else:
            bib = _parse(path, data)
            if cache is not None:
                if label_options is not None:
                    _label_bases(bib, label_options)
                cache.store(path, data, bib, label_options)
    sibling = path.with_suffix(".bbl")
    if use_sibling_bbl and path.suffix.lower() != ".bbl" and sibling.is_file():
        from .bbl import load_bbl_text

        bbl_text, _ = read_text(sibling)
        bib.bbl_labels.update((label.key.lower(), label) for label in load_bbl_text(bbl_text))
    key_map = path.parent / "citations.tsv"
    if path.suffix.lower() == ".json" and key_map.is_file():
        bib.key_aliases.update(read_key_map(read_text(key_map)[0]))
    return bib


@contextmanager
def _collection_paused() -> Iterator[None]:
    """No cyclic garbage collection while a bibliography is built: everything made is kept,
    yet each collection would walk all of it again (a tenth of a large load). Collection
    resumes afterwards, unless it was off already (another thread may be loading too)."""
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()


def _parse(path: Path, data: bytes) -> Bibliography:
    text, replaced = decode_text(data)
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
    return bib


def _label_bases(bib: Bibliography, options: LabelOptions) -> None:
    """Compute what the cache keeps beyond the parse: label bases and readable titles."""
    for entry in bib.entries:
        label_basis(entry, options)
        entry.title  # noqa: B018 - computed and remembered on the entry


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
    from .bbl import load_bbl_text

    bib = Bibliography(paths=[path])
    for label in load_bbl_text(text):
        span = SourceSpan(path, label.line, 0, label.line, 0)
        bib.entries.append(BibEntry(label.key, "misc", {"year": label.year}, (), (), span, "bbl"))
        bib.bbl_labels[label.key.lower()] = label
    return bib

"""Read drafts and bibliography files safely, and bibliographies of any supported format;
a sibling .bbl supplies the labels BibTeX produced."""

from __future__ import annotations

import errno
import gc
import os
import stat
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING

from .cache import BibliographyCache
from .labels import LabelOptions, label_basis
from .model import BibEntry, Bibliography, LoadProblem, SourceSpan

if TYPE_CHECKING:
    from .bbl import BblLabel

# Files larger than this are skipped, not read (a default; ``max_file_size_mb`` in config).
DEFAULT_MAX_FILE_MB = 50
MAX_FILE_BYTES = DEFAULT_MAX_FILE_MB * 1024 * 1024


class BibliographyError(Exception):
    """A bibliography file that cannot be read at all (missing, a device, too large,
    unreadable, binary); ``reason`` says why without the path."""

    def __init__(self, message: str, reason: str = "") -> None:
        super().__init__(message)
        self.reason = reason or message


class UnreadableFile(OSError):
    """A file that was not read, and why: not a regular file, too large, a broken link, or
    the operating system refused."""

    def __init__(self, path: Path, reason: str) -> None:
        super().__init__(f"{path}: {reason}")
        self.path = path
        self.reason = reason


def _readable_size(size: float) -> str:
    for unit in ("bytes", "KB", "MB"):
        if size < 1024 or unit == "MB":
            return f"{size:.3g} {unit}" if unit != "bytes" and size < 100 else f"{size:.0f} {unit}"
        size /= 1024
    raise AssertionError("unreachable")


def _too_large(size: int, max_bytes: int) -> str:
    return (
        f"too large ({_readable_size(size)}; the limit is {_readable_size(max_bytes)}, "
        "set by max_file_size_mb)"
    )


def _inside(path: Path, root: Path) -> bool:
    return path == root or root in path.parents


def regular_target(
    file: Path, tree: Path | None = None, max_bytes: int = MAX_FILE_BYTES
) -> tuple[Path | None, str]:
    """The file to read for ``file`` (its resolved path), or None and why it is skipped.

    Links that loop or dangle are not followed, nor links that leave ``tree`` (when given);
    FIFOs, sockets and devices are never opened (reading one can hang or never end), and
    files over ``max_bytes`` are not read."""
    try:
        target = file.resolve(strict=True)
    except RuntimeError:
        return None, "symbolic link loop"
    except FileNotFoundError:
        return None, "dangling symbolic link" if file.is_symlink() else "no such file"
    except OSError as error:
        if error.errno == errno.ELOOP:
            return None, "symbolic link loop"
        return None, f"cannot be read: {error.strerror or error}"
    if tree is not None and file.is_symlink() and not _inside(target, tree):
        return None, f"symbolic link to {target}, outside {tree}"
    try:
        info = target.stat()
    except OSError as error:
        return None, f"cannot be read: {error.strerror or error}"
    if stat.S_ISDIR(info.st_mode):
        return None, "a folder, not a file"
    if not stat.S_ISREG(info.st_mode):
        return None, "not a regular file (FIFO, socket or device)"
    if info.st_size > max_bytes:
        return None, _too_large(info.st_size, max_bytes)
    return target, ""


def read_bytes(path: Path, max_bytes: int = MAX_FILE_BYTES) -> bytes:
    """The bytes of a regular file of at most ``max_bytes``; UnreadableFile otherwise.

    The file is opened without blocking and checked again once open, so a file swapped for
    a FIFO or a device after the first check is still never read."""
    target, reason = regular_target(path, None, max_bytes)
    if target is None:
        raise UnreadableFile(path, reason)
    try:
        descriptor = os.open(target, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0))
    except OSError as error:
        raise UnreadableFile(path, f"cannot be read: {error.strerror or error}") from error
    with os.fdopen(descriptor, "rb") as handle:
        info = os.fstat(handle.fileno())
        if not stat.S_ISREG(info.st_mode):
            raise UnreadableFile(path, "not a regular file (FIFO, socket or device)")
        try:
            data = handle.read(max_bytes + 1)
        except OSError as error:
            raise UnreadableFile(path, f"cannot be read: {error.strerror or error}") from error
    if len(data) > max_bytes:
        raise UnreadableFile(path, _too_large(len(data), max_bytes))
    return data


def read_text(path: Path, max_bytes: int = MAX_FILE_BYTES) -> tuple[str, bool]:
    """File text as UTF-8 (undecodable bytes replaced); True when bytes were replaced.
    Raises UnreadableFile (an OSError) for what ``read_bytes`` refuses."""
    return decode_text(read_bytes(path, max_bytes))


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
    max_bytes: int = MAX_FILE_BYTES,
    label_options: LabelOptions | None = None,
    cache: BibliographyCache | None = None,
    with_identities: bool = False,
) -> Bibliography:
    """Load one bibliography file; raise BibliographyError if it cannot be read at all.

    A sibling ``.bbl`` supplies its labels only when the style that made it gives the
    labels of ``label_options`` (``None``: always); see ``sibling_bbl``. With a ``cache``,
    an unchanged file is read from it instead of parsed, and a parsed one is stored there
    (with the label bases of ``label_options``, and with ``with_identities`` the entries'
    work identities, which checking for duplicates needs)."""
    try:
        data = read_bytes(path, max_bytes)
    except UnreadableFile as error:
        raise BibliographyError(
            f"cannot read bibliography {path}: {error.reason}", error.reason
        ) from error
    with _collection_paused():
        hit = cache.load(path, data, label_options) if cache is not None else None
        bib, has_bases = hit if hit is not None else (_parse(path, data), False)
        if cache is not None:
            # What the cache keeps beyond the parse, computed where it is missing; a file
            # parsed, or completed here, is stored again.
            bases = label_options is not None and not has_bases
            identities = with_identities and any(e.identity_memo is None for e in bib.entries)
            if bases and label_options is not None:
                _label_bases(bib, label_options)
            if identities:
                _work_identities(bib)
            if hit is None or bases or identities:
                cache.store(path, data, bib, label_options)
    if use_sibling_bbl and path.suffix.lower() != ".bbl":
        labels, _ = sibling_bbl(path, label_options, max_bytes)
        bib.bbl_labels.update((label.key.lower(), label) for label in labels)
    key_map = path.parent / "citations.tsv"
    if path.suffix.lower() == ".json" and key_map.is_file():
        try:
            bib.key_aliases.update(read_key_map(read_text(key_map, max_bytes)[0]))
        except UnreadableFile as error:
            span = SourceSpan(str(key_map), 0, 0, 0, 0)
            bib.problems.append(
                LoadProblem("RW011", f"skipped {key_map.name}: {error.reason}", span)
            )
    return bib


def _work_identities(bib: Bibliography) -> None:
    from .work_identity import work_identities  # what `labels` does not need: not loaded

    for entry in bib.entries:
        work_identities(entry)


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
        reason = "it is a binary file (NUL bytes)"
        raise BibliographyError(f"cannot read bibliography {path}: {reason}", reason)
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


def sibling_bbl(
    path: Path, label_options: LabelOptions | None = None, max_bytes: int = MAX_FILE_BYTES
) -> tuple[list[BblLabel], str]:
    """The labels of the ``.bbl`` beside ``path``, and a note when there is one but it is
    not used: it cannot be read, or it was made by another style than ``label_options``
    asks for (a plainnat ``.bbl`` states plainnat labels, not APA ones)."""
    sibling = path.with_suffix(".bbl")
    if not sibling.is_file():
        return [], ""
    try:
        text, _ = read_text(sibling, max_bytes)
    except UnreadableFile as error:
        return [], f"{sibling.name} not used: {error.reason}"
    from .bbl import bbl_style, load_bbl_text

    labels = load_bbl_text(text)
    if label_options is None or not labels:
        return labels, ""
    style, joiner = bbl_style(labels)
    wanted = label_options.style
    if style is not None and style != wanted:
        return [], (
            f"{sibling.name} holds {_STYLE_NAMES.get(style, style)} labels; "
            f"not used for style {wanted}, whose labels are computed"
        )
    if joiner is not None and joiner != label_options.two_author_joiner:
        return [], (
            f"{sibling.name} joins two authors with '{joiner}'; not used with "
            f"'{label_options.two_author_joiner}', whose labels are computed"
        )
    return labels, ""


_STYLE_NAMES = {"natbib": "plainnat (natbib)", "apalike": "apalike"}


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
        # The names as printed stand in for authors: the .bbl keeps no others.
        fields = {"year": label.year, "printed_names": label.names}
        bib.entries.append(BibEntry(label.key, "misc", fields, (), (), span, "bbl"))
        bib.bbl_labels[label.key.lower()] = label
    return bib

"""Parsed bibliographies kept on disk between runs: one JSON file per bibliography file.

A cache file holds what loading a bibliography produced (entries with fields, names and
positions, load problems, readable titles) and, for one label style, each entry's label
basis. It is used only when the file's bytes hash to the digest it records and it was
written by the same relwork-ls, the same loader sources and the same Python; anything
else (another version, a damaged or foreign file) is ignored and the bibliography is
parsed again.

The directory is ``.relwork_cache`` in the workspace (or the user's cache directory when
the workspace is not writable). A cloned repository may ship one, so a cache file is
untrusted input: it is JSON (no pickle), read with a size bound, and every value is
type-checked before it becomes an entry. Writes go to a temporary file that is renamed
into place, so concurrent runs never see half a file.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import stat
import sys
import time
from array import array
from dataclasses import dataclass
from itertools import chain, repeat
from pathlib import Path
from typing import Any

from .. import __version__
from .labels import LabelBasis, LabelOptions
from .model import BibEntry, Bibliography, LoadProblem, SourceSpan
from .names import PersonName

CACHE_DIR_NAME = ".relwork_cache"
# The layout of a cache file; bump it whenever what is stored changes.
FORMAT = 1
# A cache file larger than this many bytes per byte of its bibliography (plus a margin)
# is not read: no real one comes near, a hostile one could be endless.
_MAX_SIZE_RATIO = 16
_MAX_SIZE_MARGIN = 1 << 20
_GITIGNORE = "# Automatically created by relwork-ls.\n*\n"
# At most this many cache files are kept (the least recently written go first).
MAX_CACHE_FILES = 500
# A temporary file older than this was left by a run that was killed while writing.
STALE_TEMPORARY_SECONDS = 3600


class _Corrupt(Exception):
    """A cache file that does not hold what relwork-ls writes."""


class _Unrepresentable(Exception):
    """A bibliography this format cannot hold (a name token with a separator in it)."""


def code_fingerprint() -> str:
    """What the stored data depends on besides the file: the relwork-ls version, the
    sources of the loaders (an edited checkout invalidates its caches), the parsing
    libraries and the Python version (Unicode tables)."""
    parts = [__version__, str(FORMAT), "{}.{}".format(*sys.version_info[:2])]
    here = Path(__file__).parent
    sources = sorted(here.glob("*.py"))
    for library in ("bibtexparser", "pylatexenc", "yaml"):
        module = sys.modules.get(library)
        origin = getattr(module, "__file__", None) if module is not None else None
        if origin is None:
            origin = _library_init(library)
        if origin:
            sources.append(Path(origin))
    for source in sources:
        try:
            info = source.stat()
        except OSError:
            continue
        parts.append(f"{source.name}:{info.st_size}:{info.st_mtime_ns}")
    return hashlib.blake2b("|".join(parts).encode(), digest_size=16).hexdigest()


def _library_init(name: str) -> str | None:
    """The __init__.py of an installed package, found without importing it."""
    for folder in sys.path:
        candidate = os.path.join(folder or ".", name, "__init__.py")
        if os.path.isfile(candidate):
            return candidate
    return None


def user_cache_directory() -> Path:
    """The per-user cache directory for relwork-ls (XDG on Linux, the platform's
    usual place elsewhere)."""
    if sys.platform == "win32":
        base = os.environ.get("LOCALAPPDATA") or str(Path.home() / "AppData" / "Local")
        return Path(base) / "relwork-ls" / "Cache"
    if sys.platform == "darwin":
        return Path.home() / "Library" / "Caches" / "relwork-ls"
    base = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(base) / "relwork-ls"


@dataclass(frozen=True)
class BibliographyCache:
    """A cache directory; ``open_cache`` makes one ready for use."""

    directory: Path
    fingerprint: str

    def file_for(self, path: Path) -> Path:
        """The cache file of the bibliography at ``path`` (one per file, whatever its
        content: a new version replaces the old)."""
        name = hashlib.blake2b(str(path.resolve()).encode(), digest_size=16).hexdigest()
        return self.directory / f"{name}.json"

    def load(
        self, path: Path, data: bytes, options: LabelOptions | None
    ) -> tuple[Bibliography, bool] | None:
        """The bibliography stored for ``path`` if its content was ``data``, and whether
        its entries carry label bases for ``options``; None when there is none usable."""
        target = self.file_for(path)
        payload = _read_bounded(target, _MAX_SIZE_RATIO * len(data) + _MAX_SIZE_MARGIN)
        if payload is None:
            return None
        try:
            document = json.loads(payload)
            if not isinstance(document, dict):
                raise _Corrupt
            if (
                document.get("format") != FORMAT
                or document.get("fingerprint") != self.fingerprint
                or document.get("digest") != content_digest(data)
            ):
                return None
            return _decode(document, str(path), options)
        except (_Corrupt, ValueError, TypeError, KeyError, IndexError, RecursionError):
            return None

    def store(
        self, path: Path, data: bytes, bib: Bibliography, options: LabelOptions | None
    ) -> bool:
        """Write ``bib`` (loaded from ``data``) for ``path``; False when it cannot be
        written or holds what the format cannot represent."""
        try:
            document = _encode(bib, options)
        except _Unrepresentable:
            return False
        document.update(format=FORMAT, fingerprint=self.fingerprint, digest=content_digest(data))
        payload = json.dumps(document, ensure_ascii=False, separators=(",", ":"))
        written = _write_atomically(self.file_for(path), payload.encode("utf-8"))
        if written:
            _prune(self.directory)
        return written


def content_digest(data: bytes) -> str:
    """The hash that ties a cache file to the bytes of its bibliography."""
    return hashlib.blake2b(data, digest_size=20).hexdigest()


def open_cache(root: Path, configured: Path | None = None) -> BibliographyCache | None:
    """The cache for a workspace: ``configured`` (the ``cache_dir`` setting) if given,
    else ``root/.relwork_cache``, else the user cache directory when that one cannot be
    used; None when no directory can be written."""
    candidates = [configured] if configured is not None else [root / CACHE_DIR_NAME]
    candidates.append(user_cache_directory())
    for directory in candidates:
        if _prepare(directory):
            return BibliographyCache(directory, code_fingerprint())
    return None


def _prepare(directory: Path) -> bool:
    """Create the directory (with a .gitignore, as ruff and mypy do) or check that an
    existing one is a real, writable directory."""
    try:
        try:
            directory.mkdir(parents=True)
        except FileExistsError:
            pass  # ours from an earlier run, or another run's of a moment ago
        else:
            (directory / ".gitignore").write_text(_GITIGNORE, encoding="utf-8")
        if directory.is_symlink() or not directory.is_dir():
            return False  # a repository could point a link anywhere
        return os.access(directory, os.W_OK | os.X_OK)
    except OSError:
        return False


def _read_bounded(path: Path, limit: int) -> bytes | None:
    """The bytes of a regular file no larger than ``limit`` (never following a link)."""
    flags = os.O_RDONLY | getattr(os, "O_NOFOLLOW", 0) | getattr(os, "O_BINARY", 0)
    try:
        descriptor = os.open(path, flags)
    except OSError:
        return None
    try:
        info = os.fstat(descriptor)
        if not stat.S_ISREG(info.st_mode) or info.st_size > limit:
            return None
        with os.fdopen(descriptor, "rb", closefd=False) as stream:
            payload = stream.read(limit + 1)
        return payload if len(payload) <= limit else None
    except OSError:
        return None
    finally:
        os.close(descriptor)


def _prune(directory: Path, keep: int = MAX_CACHE_FILES) -> None:
    """Remove the least recently written cache files beyond ``keep`` (bibliographies that
    moved or were deleted leave theirs behind), and temporary files a killed run left."""
    now = time.time()
    files: list[tuple[float, str]] = []
    try:
        with os.scandir(directory) as listing:
            for item in listing:
                if item.name.startswith(".tmp-"):
                    with contextlib.suppress(OSError):
                        if now - item.stat().st_mtime > STALE_TEMPORARY_SECONDS:
                            os.unlink(item.path)
                elif item.name.endswith(".json"):
                    with contextlib.suppress(OSError):
                        files.append((item.stat().st_mtime, item.path))
    except OSError:
        return
    if len(files) > keep:
        files.sort()
        for _, old in files[: len(files) - keep]:
            with contextlib.suppress(OSError):
                os.unlink(old)


def _write_atomically(target: Path, payload: bytes) -> bool:
    """Write through a temporary file renamed over ``target``: readers see the old file
    or the new one, never a mix, whatever other runs do at the same time."""
    import tempfile  # only when writing: a warm start never needs it

    try:
        handle, temporary = tempfile.mkstemp(dir=target.parent, prefix=".tmp-", suffix=".json")
    except OSError:
        return False
    try:
        with os.fdopen(handle, "wb") as stream:
            stream.write(payload)
        os.replace(temporary, target)
        return True
    except OSError:
        with contextlib.suppress(OSError):
            os.unlink(temporary)
        return False


# -- encoding: column by column, so that loading checks and builds each column in C -------

_NAME_PARTS = ("first", "von", "last", "jr", "von_last_seps", "first_seps", "jr_seps")
_TOKEN = "\t"  # white space: BibTeX never keeps it inside a token
_PART = "\n"
_BASIS_TEXTS = ("raw_label", "raw_names", "year", "names_text", "year_text", "sort_group")


def _encode(bib: Bibliography, options: LabelOptions | None) -> dict[str, Any]:
    people: dict[int, int] = {}  # id of a PersonName → its number (parse_name shares them)
    table: list[PersonName] = []

    def refs(names: tuple[PersonName, ...]) -> list[int]:
        numbers = []
        for person in names:
            number = people.get(id(person))
            if number is None:
                number = people[id(person)] = len(table)
                table.append(person)
            numbers.append(number)
        return numbers

    entries = bib.entries
    document: dict[str, Any] = {
        "keys": [e.key for e in entries],
        "types": [e.entry_type for e in entries],
        "formats": [e.source_format for e in entries],
        "fields": [e.fields for e in entries],
        "titles": [e.title for e in entries],
        "spans": [n for e in entries for n in _span_numbers(e.span)],
        "authors": [refs(e.authors) for e in entries],
        "editors": [refs(e.editors) for e in entries],
    }
    document["names"] = [_encode_name(person) for person in table]
    bases = [_basis_for(e, options) for e in entries]
    if options is not None and all(b is not None for b in bases):
        document["labels"] = [options.style, options.two_author_joiner]
        rows = [b for b in bases if b is not None]
        document["sort_keys"] = [b.sort_key.decode("utf-8") for b in rows]
        for name in _BASIS_TEXTS:
            document[name] = [getattr(b, name) for b in rows]
    else:
        document["labels"] = None
    problems = bib.problems
    document["problems"] = {
        "codes": [p.code for p in problems],
        "messages": [p.message for p in problems],
        "spans": [n for p in problems for n in _span_numbers(p.span)],
    }
    document["bbl"] = [[b.key, b.names, b.year, b.suffix, b.line] for b in bib.bbl_labels.values()]
    document["aliases"] = bib.key_aliases
    return document


def _encode_name(person: PersonName) -> str:
    """A name as one string: each token preceded by _TOKEN, the seven parts (first, von,
    last, jr and the separators of three of them) separated by _PART."""
    parts = (
        person.first,
        person.von,
        person.last,
        person.jr,
        person.von_last_seps,
        person.first_seps,
        person.jr_seps,
    )
    text = _PART.join(_TOKEN + _TOKEN.join(part) if part else "" for part in parts)
    if text.count(_PART) != len(parts) - 1 or text.count(_TOKEN) != sum(map(len, parts)):
        raise _Unrepresentable  # a token with a separator in it
    return text


def _span_numbers(span: SourceSpan) -> tuple[int, int, int, int]:
    return span.line, span.column, span.end_line, span.end_column


def _basis_for(entry: BibEntry, options: LabelOptions | None) -> LabelBasis | None:
    memo = entry.label_memo
    return memo[1] if options is not None and memo is not None and memo[0] == options else None


# -- decoding: every value checked before use ----------------------------------------------


def _decode(
    document: dict[str, Any], path: str, options: LabelOptions | None
) -> tuple[Bibliography, bool]:
    keys = _strings(document["keys"])
    count = len(keys)
    types = _strings(document["types"], count)
    formats = _strings(document["formats"], count)
    titles = _strings(document["titles"], count)
    fields = _column(document["fields"], count)
    for values in fields:
        if type(values) is not dict:
            raise _Corrupt
        "".join(values.values())  # TypeError unless every value is a string (keys are)
    spans = _spans(document["spans"], path, count)
    people = _NameTable(_strings(document["names"]))
    authors = [
        _Names(people, refs) if refs else ()
        for refs in people.references(document["authors"], count)
    ]
    editors = [
        _Names(people, refs) if refs else ()
        for refs in people.references(document["editors"], count)
    ]
    entries = list(map(BibEntry, keys, types, fields, authors, editors, spans, formats, titles))
    stored = document["labels"]
    with_bases = options is not None and stored == [options.style, options.two_author_joiner]
    if with_bases and options is not None:
        sort_keys = [text.encode("utf-8") for text in _strings(document["sort_keys"], count)]
        texts = [_strings(document[name], count) for name in _BASIS_TEXTS]
        for entry, basis in zip(entries, map(LabelBasis, entries, sort_keys, *texts), strict=True):
            entry.label_memo = (options, basis)
    bib = Bibliography(entries=entries, paths=[path])
    problems = document["problems"]
    codes = _strings(problems["codes"])
    messages = _strings(problems["messages"], len(codes))
    spans = _spans(problems["spans"], path, len(codes))
    bib.problems = list(map(LoadProblem, codes, messages, spans))
    bbl_rows = _column(document["bbl"])
    if bbl_rows:
        from .bbl import BblLabel  # a .bbl read as a bibliography: rare
    for row in bbl_rows:
        key, names, year, suffix, line = _column(row, 5)
        _strings([key, names, year, suffix])
        label = BblLabel(key, names, year, suffix, _naturals([line])[0])
        bib.bbl_labels[key.lower()] = label
    aliases = document["aliases"]
    if type(aliases) is not dict:
        raise _Corrupt
    _strings(list(aliases.values()))
    bib.key_aliases.update(aliases)
    return bib, with_bases


def _column(value: Any, length: int | None = None) -> list[Any]:
    """A list (of ``length`` items, when given)."""
    if type(value) is not list or (length is not None and len(value) != length):
        raise _Corrupt
    return value


def _strings(value: Any, length: int | None = None) -> list[str]:
    """A list of strings; checked by joining them (in C, a TypeError on anything else)."""
    column = _column(value, length)
    "".join(column)
    return column


def _naturals(value: Any, length: int | None = None) -> list[int]:
    """A list of integers >= 0 (checked in C: array() refuses anything else)."""
    column = _column(value, length)
    numbers = array("q", column)
    if numbers and min(numbers) < 0:
        raise _Corrupt
    return column


def _spans(value: Any, path: str, count: int) -> list[SourceSpan]:
    numbers = _naturals(value, 4 * count)
    return list(map(SourceSpan, repeat(path, count), *(numbers[i::4] for i in range(4))))


class _NameTable:
    """The names of a cache file, checked when loaded, made into PersonName objects when
    an entry's names are first looked at."""

    def __init__(self, encoded: list[str]) -> None:
        for text in encoded:
            if text.count(_PART) != len(_NAME_PARTS) - 1:
                raise _Corrupt
        self.encoded = encoded
        self.people: list[PersonName | None] = [None] * len(encoded)

    def references(self, value: Any, count: int) -> list[list[int]]:
        """Each entry's list of name numbers, all checked to be in the table."""
        column = _column(value, count)
        for refs in column:
            if type(refs) is not list:
                raise _Corrupt
        numbers = array("q", chain.from_iterable(column))
        if numbers and (min(numbers) < 0 or max(numbers) >= len(self.encoded)):
            raise _Corrupt
        return column

    def person(self, number: int) -> PersonName:
        person = self.people[number]
        if person is None:
            parts = (tuple(part.split(_TOKEN)[1:]) for part in self.encoded[number].split(_PART))
            person = self.people[number] = PersonName(*parts)
        return person


class _Names:
    """An entry's authors or editors, by number in the file's name table."""

    __slots__ = ("table", "refs")

    def __init__(self, table: _NameTable, refs: list[int]) -> None:
        self.table = table
        self.refs = refs

    def resolve(self) -> tuple[PersonName, ...]:
        return tuple(map(self.table.person, self.refs))

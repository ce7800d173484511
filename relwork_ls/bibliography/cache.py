"""Parsed bibliographies kept on disk between runs: one cache file per bibliography file.

A cache file holds what loading a bibliography produced (entries with fields, names and
positions, load problems, readable titles) and, for one label style, each entry's label
basis. It is used only when the file's bytes hash to the digest it records and it was
written by the same relwork-ls, the same loader sources and the same Python; anything
else (another version, a damaged or foreign file) is ignored and the bibliography is
parsed again.

The directory is ``.relwork_cache`` in the workspace (or the user's cache directory when
the workspace is not writable). A cloned repository may ship one, so a cache file is
untrusted input. It holds plain data only, never objects (no pickle): a line ``relwork-ls
cache``, a JSON header with the counts, a block of 64-bit integers and a table of strings
separated by NUL characters; loading checks every count, position and number before any
entry is made, and reads the file with a size bound. The integers and strings are read in
one pass each (no JSON parsing of thousands of small values: that took as long as
everything else a warm start does). Writes go to a temporary file renamed into place, so
concurrent runs never see half a file.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import re
import stat
import sys
import time
from array import array
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from itertools import chain, islice, repeat
from operator import attrgetter
from pathlib import Path
from typing import Any

from .. import __version__
from .labels import LabelBasis, LabelOptions
from .model import BibEntry, Bibliography, DeferredNames, LoadProblem, SourceSpan
from .names import PersonName, parse_name, parse_names, split_name_list

CACHE_DIR_NAME = ".relwork_cache"
# The layout of a cache file; bump it whenever what is stored changes, or how it is derived
# (4: titles decode TeX quote and dash ligatures; RW303 messages say what is wrong;
# 5: entries' work identities, when they were computed before the file was stored).
FORMAT = 5
_MAGIC = b"relwork-ls cache\n"
_SEPARATOR = "\x00"  # between strings: no bibliography text holds it (a .bib with one is binary)
_IDENTITY_SEPARATOR = "\x1f"  # between an entry's work identities, in one string
# A cache file larger than this many bytes per byte of its bibliography (plus a margin)
# is not read: no real one comes near, a hostile one could be endless.
_MAX_SIZE_RATIO = 16
_MAX_SIZE_MARGIN = 1 << 20
_GITIGNORE = "# Automatically created by relwork-ls.\n*\n"
# At most this many cache files are kept (the least recently written go first).
MAX_CACHE_FILES = 500
# A temporary file older than this was left by a run that was killed while writing.
STALE_TEMPORARY_SECONDS = 3600
# The names of cache files (see BibliographyCache.file_for) and of temporary ones.
_CACHE_NAME = re.compile(r"[0-9a-f]{32}\.cache")
_TEMPORARY_NAME = re.compile(r"\.tmp-[A-Za-z0-9_]+\.cache")


class _Corrupt(Exception):
    """A cache file that does not hold what relwork-ls writes."""


class _Unrepresentable(Exception):
    """A bibliography this format cannot hold (a NUL, a name token with a separator in it,
    text that is not valid Unicode)."""


def code_fingerprint() -> str:
    """What the stored data depends on besides the file: the relwork-ls version, the
    sources of the loaders (an edited checkout invalidates its caches), the parsing
    libraries and the Python version (Unicode tables)."""
    parts = [__version__, str(FORMAT), "{}.{}".format(*sys.version_info[:2]), sys.byteorder]
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
        return self.directory / f"{name}.cache"

    def load(
        self, path: Path, data: bytes, options: LabelOptions | None
    ) -> tuple[Bibliography, bool] | None:
        """The bibliography stored for ``path`` if its content was ``data``, and whether
        its entries carry label bases for ``options``; None when there is none usable."""
        target = self.file_for(path)
        payload = _read_bounded(target, _MAX_SIZE_RATIO * len(data) + _MAX_SIZE_MARGIN)
        if payload is None or not payload.startswith(_MAGIC):
            return None
        try:
            header_end = payload.index(b"\n", len(_MAGIC))
            header = json.loads(payload[len(_MAGIC) : header_end])
            if not isinstance(header, dict):
                raise _Corrupt
            if (
                header.get("format") != FORMAT
                or header.get("fingerprint") != self.fingerprint
                or header.get("digest") != content_digest(data)
            ):
                return None
            return _decode(header, payload, header_end + 1, str(path), options)
        except (_Corrupt, ValueError, TypeError, KeyError, IndexError, RecursionError):
            return None

    def store(
        self, path: Path, data: bytes, bib: Bibliography, options: LabelOptions | None
    ) -> bool:
        """Write ``bib`` (loaded from ``data``) for ``path``; False when it cannot be
        written or holds what the format cannot represent."""
        header, numbers, strings = _encode(bib, options)
        header.update(format=FORMAT, fingerprint=self.fingerprint, digest=content_digest(data))
        head = _MAGIC + json.dumps(header).encode() + b"\n"
        written = _write_atomically(self.file_for(path), chain((head, numbers.tobytes()), strings))
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
        if not directory.exists():
            # Made only where the user may write; a folder whose mode forbids writing (a
            # read-only checkout, shared data) is left alone even by root, who could.
            parent = next((p for p in directory.parents if p.exists()), None)
            if parent is None or not _writable(parent):
                return False
        try:
            directory.mkdir(parents=True)
        except FileExistsError:
            pass  # ours from an earlier run, or another run's of a moment ago
        else:
            (directory / ".gitignore").write_text(_GITIGNORE, encoding="utf-8")
        if directory.is_symlink() or not directory.is_dir():
            return False  # a repository could point a link anywhere
        return _writable(directory)
    except OSError:
        return False


def _writable(directory: Path) -> bool:
    """Writable by this process, and not marked read-only by its mode bits."""
    mode = directory.stat().st_mode
    return bool(mode & 0o222) and os.access(directory, os.W_OK | os.X_OK)


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
                # Only names relwork-ls gives its files are touched.
                if _TEMPORARY_NAME.fullmatch(item.name):
                    with contextlib.suppress(OSError):
                        if now - item.stat().st_mtime > STALE_TEMPORARY_SECONDS:
                            os.unlink(item.path)
                elif _CACHE_NAME.fullmatch(item.name):
                    with contextlib.suppress(OSError):
                        files.append((item.stat().st_mtime, item.path))
    except OSError:
        return
    if len(files) > keep:
        files.sort()
        for _, old in files[: len(files) - keep]:
            with contextlib.suppress(OSError):
                os.unlink(old)


def _write_atomically(target: Path, chunks: Iterable[bytes]) -> bool:
    """Write through a temporary file renamed over ``target``: readers see the old file
    or the new one, never a mix, whatever other runs do at the same time. False when it
    could not be written, or the content cannot be represented (nothing is left)."""
    import tempfile  # only when writing: a warm start never needs it

    try:
        handle, temporary = tempfile.mkstemp(dir=target.parent, prefix=".tmp-", suffix=".cache")
    except OSError:
        return False
    try:
        with os.fdopen(handle, "wb") as stream:
            stream.writelines(chunks)
        os.replace(temporary, target)
        return True
    except (OSError, _Unrepresentable):
        with contextlib.suppress(OSError):
            os.unlink(temporary)
        return False


# -- encoding ---------------------------------------------------------------------------

_BASIS_TEXTS = ("raw_label", "raw_names", "year", "names_text", "year_text", "sort_group")
_TOKEN = "\t"  # before each token of a name (BibTeX never keeps white space in a token)
_PART = "\n"  # between the seven parts of a name


def _encode(
    bib: Bibliography, options: LabelOptions | None
) -> tuple[dict[str, Any], array[int], Iterator[bytes]]:
    """The header, the integers and the strings (as chunks of bytes, made while they are
    written: a large bibliography's strings would otherwise sit in memory three times) of
    a cache file for ``bib``. ``_decode`` reads them in this order."""
    entries = bib.entries
    fields = [e.fields for e in entries]
    # BibTeX names are parsed again from the author and editor fields when looked at (the
    # same parse, of the same text): storing them would cost more than that.
    derived = [e.source_format == "bibtex" for e in entries]
    authors = [() if d else e.authors for e, d in zip(entries, derived, strict=True)]
    editors = [() if d else e.editors for e, d in zip(entries, derived, strict=True)]
    field_names: dict[str, int] = {}
    people: dict[int, int] = {}  # id of a PersonName → its number (loaders share them)
    table: list[PersonName] = []
    numbers = array("q", [n for e in entries for n in _span_numbers(e.span)])
    numbers.extend(
        n
        for f, a, e, d in zip(fields, authors, editors, derived, strict=True)
        for n in (len(f), len(a), len(e), d)
    )
    numbers.extend(field_names.setdefault(name, len(field_names)) for f in fields for name in f)
    field_count = len(numbers) - 8 * len(entries)
    for person in chain.from_iterable(chain.from_iterable(zip(authors, editors, strict=True))):
        number = people.setdefault(id(person), len(table))
        if number == len(table):
            table.append(person)
        numbers.append(number)
    bases = [_basis_for(e, options) for e in entries]
    with_bases = options is not None and bool(entries) and all(b is not None for b in bases)
    identities = _identity_texts(entries)
    columns: list[Iterable[str]] = [
        (t for e in entries for t in (e.key, e.entry_type, e.source_format, e.title)),
        field_names,
        (value for f in fields for value in f.values()),
        map(_encode_name, table),
    ]
    if with_bases:
        rows = [b for b in bases if b is not None]
        columns.append(b.sort_key.decode("utf-8") for b in rows)
        columns.extend(map(attrgetter(name), rows) for name in _BASIS_TEXTS)
    if identities is not None:
        columns.append(identities)
    for problem in bib.problems:
        columns.append((problem.code, problem.message))
        numbers.extend(_span_numbers(problem.span))
    for label in bib.bbl_labels.values():
        columns.append((label.key, label.names, label.year, label.suffix, label.form))
        numbers.append(label.line)
    columns.extend(bib.key_aliases.items())
    count = len(entries)
    string_count = 4 * count + len(field_names) + field_count + len(table)
    string_count += (1 + len(_BASIS_TEXTS)) * count if with_bases else 0
    string_count += count if identities is not None else 0
    string_count += 2 * len(bib.problems) + 5 * len(bib.bbl_labels) + 2 * len(bib.key_aliases)
    header = {
        "entries": count,
        "field_names": len(field_names),
        "fields": field_count,
        "names": len(table),
        "labels": [options.style, options.two_author_joiner] if with_bases and options else None,
        "identities": identities is not None,
        "problems": len(bib.problems),
        "bbl": len(bib.bbl_labels),
        "aliases": len(bib.key_aliases),
        "numbers": len(numbers),
        "strings": string_count,
    }
    return header, numbers, _string_chunks(chain.from_iterable(columns), string_count)


def _string_chunks(strings: Iterator[str], count: int, size: int = 4096) -> Iterator[bytes]:
    """The strings separated by NUL, encoded, ``size`` strings at a time; raises
    _Unrepresentable for a string holding a NUL or a lone surrogate, or a wrong count."""
    written = 0
    while True:
        chunk = list(islice(strings, size))
        if not chunk:
            break
        text = _SEPARATOR.join(chunk)
        if text.count(_SEPARATOR) != len(chunk) - 1:
            raise _Unrepresentable
        try:
            yield (_SEPARATOR + text if written else text).encode("utf-8")
        except UnicodeEncodeError as error:  # a lone surrogate from a CSL-JSON escape
            raise _Unrepresentable from error
        written += len(chunk)
    if written != count:
        raise _Unrepresentable


def _encode_name(person: PersonName) -> str:
    """A name as one string: each token preceded by _TOKEN, the seven parts (first, von,
    last, jr and the separators of three of them) separated by _PART."""
    first, von, last, jr = person.first, person.von, person.last, person.jr
    von_last_seps, first_seps, jr_seps = person.von_last_seps, person.first_seps, person.jr_seps
    text = _PART.join(
        (
            _TOKEN + _TOKEN.join(first) if first else "",
            _TOKEN + _TOKEN.join(von) if von else "",
            _TOKEN + _TOKEN.join(last) if last else "",
            _TOKEN + _TOKEN.join(jr) if jr else "",
            _TOKEN + _TOKEN.join(von_last_seps) if von_last_seps else "",
            _TOKEN + _TOKEN.join(first_seps) if first_seps else "",
            _TOKEN + _TOKEN.join(jr_seps) if jr_seps else "",
        )
    )
    tokens = len(first) + len(von) + len(last) + len(jr)
    tokens += len(von_last_seps) + len(first_seps) + len(jr_seps)
    if text.count(_PART) != 6 or text.count(_TOKEN) != tokens:
        raise _Unrepresentable  # a token with a separator in it
    return text


def _identity_texts(entries: list[BibEntry]) -> list[str] | None:
    """Each entry's work identities as one string, when all were computed (and none holds
    a separator); None otherwise: the identities are then computed again when needed."""
    texts = []
    for entry in entries:
        memo = entry.identity_memo
        if memo is None or any(not i or _IDENTITY_SEPARATOR in i for i in memo):
            return None
        texts.append(_IDENTITY_SEPARATOR.join(memo))
    return texts or None


def _span_numbers(span: SourceSpan) -> tuple[int, int, int, int]:
    return span.line, span.column, span.end_line, span.end_column


def _basis_for(entry: BibEntry, options: LabelOptions | None) -> LabelBasis | None:
    memo = entry.label_memo
    return memo[1] if options is not None and memo is not None and memo[0] == options else None


# -- decoding: every count, number and position checked before use -------------------------


class _Cursor:
    """Takes the next ``count`` items of a column, checking that there are that many."""

    def __init__(self, items: Any) -> None:
        self.items = items
        self.position = 0

    def take(self, count: int) -> Any:
        start = self.position
        self.position = end = start + count
        if end > len(self.items):
            raise _Corrupt
        return self.items[start:end]


def _decode(
    header: dict[str, Any], payload: bytes, start: int, path: str, options: LabelOptions | None
) -> tuple[Bibliography, bool]:
    sizes = {
        name: header[name]
        for name in ("entries", "field_names", "fields", "names", "problems", "bbl", "aliases")
    }
    sizes["numbers"], sizes["strings"] = header["numbers"], header["strings"]
    for size in sizes.values():
        if type(size) is not int or size < 0:
            raise _Corrupt
    count = sizes["entries"]
    numbers = array("q")
    end = start + 8 * sizes["numbers"]
    if end > len(payload):
        raise _Corrupt
    numbers.frombytes(payload[start:end])
    strings = payload[end:].decode("utf-8").split(_SEPARATOR)
    if len(strings) != sizes["strings"] or (numbers and min(numbers) < 0):
        raise _Corrupt
    ints, texts = _Cursor(numbers), _Cursor(strings)

    spans = _spans(ints.take(4 * count), path)
    counts = ints.take(4 * count)
    field_counts, author_counts, editor_counts = counts[0::4], counts[1::4], counts[2::4]
    derived = counts[3::4]
    field_name_numbers = ints.take(sizes["fields"])
    name_numbers = ints.take(sum(author_counts) + sum(editor_counts))
    if sum(field_counts) != sizes["fields"] or (derived and max(derived) > 1):
        raise _Corrupt
    if (field_name_numbers and max(field_name_numbers) >= sizes["field_names"]) or (
        name_numbers and max(name_numbers) >= sizes["names"]
    ):
        raise _Corrupt
    heads = texts.take(4 * count)
    keys, types, formats, titles = heads[0::4], heads[1::4], heads[2::4], heads[3::4]
    field_names = texts.take(sizes["field_names"])
    names_of_fields = [field_names[n] for n in field_name_numbers]
    values = texts.take(sizes["fields"])
    people = _NameTable(texts.take(sizes["names"]))

    fields: list[dict[str, str]] = []
    authors: list[tuple[PersonName, ...] | DeferredNames] = []
    editors: list[tuple[PersonName, ...] | DeferredNames] = []
    at = taken = 0
    for field_count, author_count, editor_count, parse in zip(
        field_counts, author_counts, editor_counts, derived, strict=True
    ):
        end = at + field_count
        entry_fields = dict(zip(names_of_fields[at:end], values[at:end], strict=True))
        fields.append(entry_fields)
        at = end
        if parse:
            authors.append(_ParsedNames(entry_fields["author"]) if "author" in entry_fields else ())
            editors.append(_ParsedNames(entry_fields["editor"]) if "editor" in entry_fields else ())
            continue
        end = taken + author_count
        authors.append(_Names(people, name_numbers[taken:end]) if author_count else ())
        taken, end = end, end + editor_count
        editors.append(_Names(people, name_numbers[taken:end]) if editor_count else ())
        taken = end
    entries = list(map(BibEntry, keys, types, fields, authors, editors, spans, formats, titles))

    stored = header["labels"]
    with_bases = options is not None and stored == [options.style, options.two_author_joiner]
    if stored is not None:
        sort_keys = [text.encode("utf-8") for text in texts.take(count)]
        columns = [texts.take(count) for _ in _BASIS_TEXTS]
        if with_bases and options is not None:
            for entry, basis in zip(
                entries, map(LabelBasis, entries, sort_keys, *columns), strict=True
            ):
                entry.label_memo = (options, basis)

    identities = header["identities"]
    if type(identities) is not bool:
        raise _Corrupt
    if identities:
        for entry, text in zip(entries, texts.take(count), strict=True):
            entry.identity_memo = tuple(text.split(_IDENTITY_SEPARATOR)) if text else ()

    bib = Bibliography(entries=entries, paths=[path])
    problem_texts = texts.take(2 * sizes["problems"])
    problem_spans = _spans(ints.take(4 * sizes["problems"]), path)
    bib.problems = list(map(LoadProblem, problem_texts[0::2], problem_texts[1::2], problem_spans))
    if sizes["bbl"]:
        from .bbl import BblLabel  # a .bbl read as a bibliography: rare

        bbl = texts.take(5 * sizes["bbl"])
        for index, line in enumerate(ints.take(sizes["bbl"])):
            key, names, year, suffix, form = bbl[5 * index : 5 * index + 5]
            bib.bbl_labels[key.lower()] = BblLabel(key, names, year, suffix, line, form)
    aliases = texts.take(2 * sizes["aliases"])
    bib.key_aliases.update(zip(aliases[0::2], aliases[1::2], strict=True))
    if ints.position != len(numbers) or texts.position != len(strings):
        raise _Corrupt
    return bib, with_bases


def _spans(numbers: Any, path: str) -> list[SourceSpan]:
    count = len(numbers) // 4
    return list(map(SourceSpan, repeat(path, count), *(numbers[i::4] for i in range(4))))


class _NameTable:
    """The names of a cache file, checked when loaded, made into PersonName objects when
    an entry's names are first looked at."""

    def __init__(self, encoded: list[str]) -> None:
        for text in encoded:
            if text.count(_PART) != 6:
                raise _Corrupt
        self.encoded = encoded
        self.people: list[PersonName | None] = [None] * len(encoded)

    def person(self, number: int) -> PersonName:
        person = self.people[number]
        if person is None:
            parts = (tuple(part.split(_TOKEN)[1:]) for part in self.encoded[number].split(_PART))
            person = self.people[number] = PersonName(*parts)
        return person


class _ParsedNames:
    """The names of a BibTeX author or editor field, parsed when first looked at."""

    __slots__ = ("text",)

    def __init__(self, text: str) -> None:
        self.text = text

    def resolve(self) -> tuple[PersonName, ...]:
        return parse_names(self.text)

    def first(self) -> PersonName | None:
        names = split_name_list(self.text)
        return parse_name(names[0]) if names else None


class _Names:
    """An entry's authors or editors, by number in the file's name table."""

    __slots__ = ("table", "refs")

    def __init__(self, table: _NameTable, refs: Any) -> None:
        self.table = table
        self.refs = refs

    def resolve(self) -> tuple[PersonName, ...]:
        return tuple(map(self.table.person, self.refs))

    def first(self) -> PersonName | None:
        return self.table.person(self.refs[0]) if len(self.refs) else None

"""Apply the edits of fixes to files: atomically, keeping encoding, line endings, hard
links, owner and mode, and never over an edit someone else made meanwhile.

How a fixed file is written (``write_atomically``):

1. It is refused when it is read-only, its folder is read-only, or another program holds
   a lock on it (each reported, nothing written).
2. Under a per-file lock (``flock``, where the platform has it) the file is checked again:
   same file (device and inode) and same bytes as when it was read.
3. The new text goes to a temporary file beside it, flushed to disk and read back.
4. Right before the swap the file is checked once more (identity, size, time, bytes), then
   the temporary file and the file are exchanged atomically (``renameat2`` with
   ``RENAME_EXCHANGE`` on Linux; elsewhere a rename). The replaced content stays under the
   temporary name until it is verified to be exactly what was read; if an edit landed in
   the last instant, the exchange is undone (the edit stays, the fix is not written) and
   reported. Where no exchange exists, an edit to the old file in that instant is detected
   through the still-open old file and saved to ``NAME.relwork-lost``, and reported.
5. A file with several hard links, or owned by someone else, is written in place instead
   (a rename would split the links or change the owner), after a verified backup copy that
   is removed only once the new content reads back correctly.
"""

from __future__ import annotations

import contextlib
import ctypes
import difflib
import errno
import hashlib
import os
import stat
import sys
import tempfile
from collections import defaultdict
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path

from ..bibliography.files import MAX_FILE_BYTES, read_bytes
from ..findings import Finding, TextEdit
from .edits import apply_fixes

try:
    import fcntl
except ImportError:  # pragma: no cover - Windows
    fcntl = None  # type: ignore[assignment]


class FixNotWritten(Exception):
    """A fixed file that was not written; the message says which and why."""


class FileChangedError(FixNotWritten):
    """A file changed on disk between reading and writing; it was left alone."""


class ProtectedFile(FixNotWritten):
    """A read-only file or folder, a lock held by another program, or a link leading out
    of the linted folders: respected, not written."""


class ConcurrentEditError(FixNotWritten):
    """An edit landed while the file was being written; the message says where it is."""


@dataclass(frozen=True)
class FileSnapshot:
    """A file as read: its bytes' digest, text, whether it began with a BOM, and which
    file it was (device, inode)."""

    path: Path
    digest: str
    text: str
    bom: bool
    identity: tuple[int, int] | None = None

    @classmethod
    def read(cls, path: Path, max_bytes: int = MAX_FILE_BYTES) -> FileSnapshot | None:
        """None for a file that is not valid UTF-8: we do not rewrite what we cannot decode.
        Raises UnreadableFile (an OSError) for a file that cannot be read."""
        before = os.stat(path)
        data = read_bytes(path, max_bytes)
        try:
            text = data.decode("utf-8-sig")
        except UnicodeDecodeError:
            return None
        return cls(
            path,
            _digest(data),
            text,
            data.startswith(b"\xef\xbb\xbf"),
            (before.st_dev, before.st_ino),
        )

    def encode(self, text: str) -> bytes:
        return (b"\xef\xbb\xbf" if self.bom else b"") + text.encode("utf-8")


def _digest(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def apply_edits(text: str, edits: Iterable[TextEdit]) -> str:
    """Apply edits, each on its own, by the rule of ``edits.select_fix_edits`` (an edit
    overlapping one before it is skipped)."""
    return apply_fixes(text, [(edit,) for edit in edits])


def fix_edits_by_file(
    findings: Iterable[Finding], unsafe: bool = False
) -> dict[str, list[TextEdit]]:
    """The edits of the findings' fixes, by file (safe ones only unless ``unsafe``)."""
    grouped: dict[str, list[TextEdit]] = defaultdict(list)
    for finding in findings:
        fix = finding.fix
        if fix is None or not fix.edits or not (fix.safe or unsafe):
            continue
        for edit in fix.edits:
            grouped[edit.span.path].append(edit)
    return grouped


# -- protections ---------------------------------------------------------------------------


def _writable(path: Path, info: os.stat_result) -> bool:
    """Whether the file or folder's permissions let us write it. Root may write anything,
    so for root a file without any write bit counts as read-only: it was made so on
    purpose (0444)."""
    if os.name == "posix" and os.geteuid() == 0:
        return bool(info.st_mode & 0o222)
    return os.access(path, os.W_OK)


def write_protection(path: Path) -> str:
    """Why ``path`` must not be rewritten ("" when it may be)."""
    try:
        info = os.stat(path)
        folder = os.stat(path.parent)
    except OSError as error:
        return f"cannot be checked: {error.strerror or error}"
    if not _writable(path, info):
        return "the file is read-only"
    if not _writable(path.parent, folder):
        return f"its folder {path.parent} is read-only"
    return ""


@contextlib.contextmanager
def _locked(handle: int, path: Path) -> Iterator[None]:
    """An exclusive advisory lock on the open file, or ProtectedFile when another
    program holds one (nothing waits: the file is skipped)."""
    if fcntl is None:  # pragma: no cover - no flock on this platform
        yield
        return
    try:
        fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError as error:
        raise ProtectedFile(f"{path} is locked by another program; not fixed") from error
    except OSError:
        yield  # the file system has no locks (some network mounts): go on unlocked
        return
    try:
        yield
    finally:
        fcntl.flock(handle, fcntl.LOCK_UN)


# -- writing -------------------------------------------------------------------------------


def _read_all(handle: int) -> bytes:
    chunks: list[bytes] = []
    offset = 0
    while True:
        chunk = os.pread(handle, 1 << 20, offset)
        if not chunk:
            return b"".join(chunks)
        chunks.append(chunk)
        offset += len(chunk)


def _write_file(path: str, data: bytes) -> None:
    with open(path, "wb") as out:
        out.write(data)
        out.flush()
        os.fsync(out.fileno())


def _same_state(a: os.stat_result, b: os.stat_result) -> bool:
    return (a.st_dev, a.st_ino, a.st_size, a.st_mtime_ns) == (
        b.st_dev,
        b.st_ino,
        b.st_size,
        b.st_mtime_ns,
    )


_RENAME_EXCHANGE = 2
_AT_FDCWD = -100


def exchange(first: str, second: str) -> bool:
    """Atomically swap two names in one folder (Linux ``renameat2(RENAME_EXCHANGE)``);
    False where the system or the file system cannot."""
    if not sys.platform.startswith("linux"):
        return False
    try:
        libc = ctypes.CDLL(None, use_errno=True)
        renameat2 = libc.renameat2
    except (OSError, AttributeError):
        return False
    result = renameat2(
        _AT_FDCWD, os.fsencode(first), _AT_FDCWD, os.fsencode(second), _RENAME_EXCHANGE
    )
    if result == 0:
        return True
    code = ctypes.get_errno()
    if code in (errno.EINVAL, errno.ENOSYS, errno.EOPNOTSUPP, errno.ENOTSUP):
        return False
    raise OSError(code, os.strerror(code), second)


def write_atomically(snapshot: FileSnapshot, new_text: str) -> None:
    """Replace the file with ``new_text`` if it is still exactly as read (see the module
    docstring). Raises FixNotWritten (FileChangedError, ProtectedFile,
    ConcurrentEditError) when it was not written, OSError when the system refused."""
    path = snapshot.path
    reason = write_protection(path)
    if reason:
        raise ProtectedFile(f"{path}: {reason}; not fixed")
    data = snapshot.encode(new_text)
    handle = os.open(path, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0))
    try:
        with _locked(handle, path):
            checked = os.fstat(handle)
            identity = (checked.st_dev, checked.st_ino)
            if snapshot.identity is not None and identity != snapshot.identity:
                raise FileChangedError(f"{path} was replaced since it was read; not fixed")
            if _digest(_read_all(handle)) != snapshot.digest:
                raise FileChangedError(f"{path} changed since it was read; not fixed")
            owner_kept = checked.st_uid == os.geteuid() or os.geteuid() == 0
            if checked.st_nlink > 1 or not owner_kept:
                _write_in_place(path, handle, checked, snapshot, data)
            else:
                _write_by_exchange(path, handle, checked, snapshot, data)
    finally:
        os.close(handle)


def _temporary_beside(path: Path, kind: str) -> tuple[int, str]:
    return tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=f".{kind}")


def _write_by_exchange(
    path: Path, handle: int, checked: os.stat_result, snapshot: FileSnapshot, data: bytes
) -> None:
    descriptor, temporary = _temporary_beside(path, "tmp")
    os.close(descriptor)
    keep_temporary = False
    try:
        _write_file(temporary, data)
        os.chmod(temporary, stat.S_IMODE(checked.st_mode))
        if os.geteuid() == 0:
            os.chown(temporary, checked.st_uid, checked.st_gid)
        if Path(temporary).read_bytes() != data:
            raise OSError(errno.EIO, "the new content did not read back as written", temporary)
        # The last look before the swap: same file, same size and time, same bytes.
        if not _same_state(os.stat(path), checked) or _digest(_read_all(handle)) != (
            snapshot.digest
        ):
            raise FileChangedError(f"{path} changed while it was being fixed; not fixed")
        if exchange(temporary, str(path)):
            keep_temporary = not _verify_replaced(path, temporary, checked, snapshot, data)
            return
        os.replace(temporary, path)
        _check_old_file(path, handle, snapshot)
    finally:
        if not keep_temporary and os.path.lexists(temporary):
            os.unlink(temporary)


def _verify_replaced(
    path: Path, replaced: str, checked: os.stat_result, snapshot: FileSnapshot, data: bytes
) -> bool:
    """After the exchange ``replaced`` holds what ``path`` held: True when that is the
    file as read. Otherwise an edit landed in the last instant: swap back so it stays in
    place, and raise ConcurrentEditError (saying where it is if it could not go back)."""
    info = os.stat(replaced)
    if (info.st_dev, info.st_ino) == (checked.st_dev, checked.st_ino) and _digest(
        Path(replaced).read_bytes()
    ) == snapshot.digest:
        return True
    if Path(path).read_bytes() == data and exchange(replaced, str(path)):
        raise ConcurrentEditError(
            f"{path} was edited while it was being fixed; the edit was kept and the file "
            "was not fixed"
        )
    lost = _recovery_name(path)
    os.replace(replaced, lost)
    raise ConcurrentEditError(
        f"{path} was edited while it was being fixed; that version is saved as {lost}"
    )


def _check_old_file(path: Path, handle: int, snapshot: FileSnapshot) -> None:
    """Without an atomic exchange: an edit written into the old file after the last check
    is still readable through ``handle``; save it rather than lose it."""
    old = _read_all(handle)
    if _digest(old) == snapshot.digest:
        return
    lost = _recovery_name(path)
    _write_file(str(lost), old)
    raise ConcurrentEditError(
        f"{path} was edited while it was being fixed; that version is saved as {lost}"
    )


def _recovery_name(path: Path) -> Path:
    candidate = path.with_name(path.name + ".relwork-lost")
    number = 1
    while candidate.exists():
        number += 1
        candidate = path.with_name(f"{path.name}.relwork-lost-{number}")
    return candidate


def _write_in_place(
    path: Path, handle: int, checked: os.stat_result, snapshot: FileSnapshot, data: bytes
) -> None:
    """Rewrite the file itself (its hard links and owner stay), after a verified backup."""
    original = _read_all(handle)
    descriptor, backup = _temporary_beside(path, "orig")
    os.close(descriptor)
    _write_file(backup, original)
    if Path(backup).read_bytes() != original:
        os.unlink(backup)
        raise OSError(errno.EIO, "the backup copy did not read back as written", backup)
    try:
        with open(path, "r+b") as out:
            if (
                not _same_state(os.fstat(out.fileno()), checked)
                or _digest(_read_all(out.fileno())) != snapshot.digest
            ):
                os.unlink(backup)
                raise FileChangedError(f"{path} changed while it was being fixed; not fixed")
            out.seek(0)
            out.write(data)
            out.truncate(len(data))
            out.flush()
            os.fsync(out.fileno())
    except FixNotWritten:
        raise
    except BaseException as error:
        raise ConcurrentEditError(
            f"{path} could not be written in place ({error}); its content as read is kept "
            f"in {backup}"
        ) from error
    if Path(path).read_bytes() != data:
        raise ConcurrentEditError(
            f"{path} was edited while it was being fixed; its content as read is kept in {backup}"
        )
    os.unlink(backup)


# -- diffs ---------------------------------------------------------------------------------


def _patch_lines(text: str) -> list[str]:
    """Lines as ``patch`` sees them: split at "\\n" only (a form feed or U+2028 is text
    inside a line), each keeping its "\\n"; the last may lack one."""
    lines = text.split("\n")
    result = [line + "\n" for line in lines[:-1]]
    if lines[-1]:
        result.append(lines[-1])
    return result


def unified_diff(path: str, before: str, after: str) -> str:
    """A unified diff of one file that ``patch -p0`` and ``git apply -p0`` apply: both
    header names are ``path``, and a last line without a newline is marked
    ``\\ No newline at end of file``."""
    out = []
    for line in difflib.unified_diff(
        _patch_lines(before), _patch_lines(after), fromfile=path, tofile=path
    ):
        out.append(line)
        if not line.endswith("\n"):
            out.append("\n\\ No newline at end of file\n")
    return "".join(out)

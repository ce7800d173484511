"""Apply the edits of fixes to files: atomically, keeping encoding and line endings, and
never over a file that changed since it was read."""

from __future__ import annotations

import difflib
import hashlib
import os
import tempfile
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from ..findings import Finding, TextEdit
from .edits import apply_fixes


class FileChangedError(Exception):
    """A file changed on disk between reading and writing; it was left alone."""


@dataclass(frozen=True)
class FileSnapshot:
    """A file as read: its bytes' digest, text, and whether it began with a BOM."""

    path: Path
    digest: str
    text: str
    bom: bool

    @classmethod
    def read(cls, path: Path) -> FileSnapshot | None:
        """None for a file that is not valid UTF-8: we do not rewrite what we cannot decode."""
        data = path.read_bytes()
        try:
            text = data.decode("utf-8-sig")
        except UnicodeDecodeError:
            return None
        return cls(path, hashlib.sha256(data).hexdigest(), text, data.startswith(b"\xef\xbb\xbf"))


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


def write_atomically(snapshot: FileSnapshot, new_text: str) -> None:
    """Replace the file with ``new_text`` via a temporary file and rename, if unchanged."""
    path = snapshot.path
    current = hashlib.sha256(path.read_bytes()).hexdigest()
    if current != snapshot.digest:
        raise FileChangedError(f"{path} changed since it was read; not fixed")
    data = (b"\xef\xbb\xbf" if snapshot.bom else b"") + new_text.encode("utf-8")
    mode = path.stat().st_mode
    handle, temporary = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(handle, "wb") as out:
            out.write(data)
        os.chmod(temporary, mode & 0o7777)
        os.replace(temporary, path)
    except BaseException:
        if os.path.exists(temporary):
            os.unlink(temporary)
        raise


def unified_diff(path: str, before: str, after: str) -> str:
    return "".join(
        difflib.unified_diff(
            before.splitlines(keepends=True),
            after.splitlines(keepends=True),
            fromfile=f"a/{path}",
            tofile=f"b/{path}",
        )
    )

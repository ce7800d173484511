"""The bibliography a draft carries itself: a Word document's citation fields (Zotero,
Mendeley), else the draft's own reference list."""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path

from ..bibliography.model import Bibliography
from ..bibliography.reference_list import find_reference_section, reference_list_bibliography
from .docx import DocxText, citation_items, field_bibliography, read_docx
from .kinds import REFERENCE_LIST_KINDS


@lru_cache(maxsize=32)
def _read_docx(path: str, stamp: tuple[int, int]) -> DocxText:
    return read_docx(Path(path))


def docx_text(path: Path) -> DocxText:
    """A .docx file's text and fields, read once per version of the file (DocxError)."""
    info = path.stat()
    return _read_docx(str(path), (info.st_mtime_ns, info.st_size))


def has_reference_list(text: str, kind: str) -> bool:
    """Whether the draft ends with a reference section holding references."""
    return kind in REFERENCE_LIST_KINDS and find_reference_section(text) is not None


def has_citation_fields(path: Path, kind: str) -> bool:
    """Whether a Word document carries Zotero/Mendeley citation items."""
    if kind != "docx" or not path.is_file():
        return False
    return bool(citation_items(docx_text(path), str(path))[0])


def own_bibliography(path: Path, text: str, kind: str) -> Bibliography:
    """A Word document's field items when it has them, else the draft's reference list."""
    if has_citation_fields(path, kind):
        return field_bibliography(docx_text(path), str(path))
    return reference_list_bibliography(text, str(path))

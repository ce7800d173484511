"""Which files are drafts (and of what kind) and which are bibliographies, by suffix."""

from __future__ import annotations

from pathlib import PurePath

DRAFT_SUFFIXES = {
    ".txt": "text",
    ".text": "text",
    ".md": "markdown",
    ".markdown": "markdown",
    ".rmd": "markdown",
    ".qmd": "markdown",
    ".tex": "latex",
    ".ltx": "latex",
    ".typ": "typst",
    ".docx": "docx",  # its text: paragraphs, then footnotes, one line each (citations/docx.py)
}
BIBLIOGRAPHY_SUFFIXES = (".bib", ".json", ".bbl", ".yml", ".yaml")
# Kinds whose reference section (a list at the end) is a bibliography, not prose.
REFERENCE_LIST_KINDS = frozenset({"text", "markdown", "docx"})


def document_kind(path: str) -> str | None:
    """ "text", "markdown", "latex", "typst" or "docx" for a draft, None for other files."""
    return DRAFT_SUFFIXES.get(PurePath(path).suffix.lower())

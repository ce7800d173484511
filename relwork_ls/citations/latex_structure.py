"""How a LaTeX document is put together: its root file, the files it includes, and the
works its ``.aux`` says it cites (``\\citation`` lines, as BibTeX reads them)."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import PurePosixPath

import regex

from .documents import prose_text
from .rendered import REGEX_TIMEOUT

_MAGIC_ROOT = regex.compile(
    r"^[ \t]*%[ \t]*!\s*TeX\s+root\s*=\s*(?P<path>[^\n]+?)\s*$", regex.M | regex.I
)
_DOCUMENT_CLASS = regex.compile(r"\\documentclass\s*(?:\[[^\]]*\])?\s*\{")
_INCLUDE = regex.compile(
    r"\\(?:input|include|subfile|InputIfFileExists)\s*\{(?P<file>[^{}\n]+)\}"
    r"|\\(?:import|subimport|inputfrom|subinputfrom|includefrom|subincludefrom)\*?\s*"
    r"\{(?P<dir>[^{}\n]*)\}\s*\{(?P<rel>[^{}\n]+)\}"
)
_CITATION = regex.compile(r"\\citation\{(?P<keys>[^{}]*)\}")
_AUX_INPUT = regex.compile(r"\\@input\{(?P<file>[^{}]+)\}")


def magic_root(text: str) -> str | None:
    """The root named by a ``% !TEX root = main.tex`` comment (as written), if any."""
    match = _MAGIC_ROOT.search(text[:4000], timeout=REGEX_TIMEOUT)
    if match is None:
        return None
    name = match["path"].strip().strip("\"'")
    return name if PurePosixPath(name).suffix else name + ".tex"


def is_latex_root(text: str) -> bool:
    """Whether the file starts a document (it has ``\\documentclass`` outside comments)."""
    if "\\documentclass" not in text:
        return False
    return _DOCUMENT_CLASS.search(prose_text(text, "latex"), timeout=REGEX_TIMEOUT) is not None


def included_files(text: str) -> list[str]:
    """Files that ``\\input``, ``\\include``, ``\\subfile`` or ``\\import`` bring in, as paths
    relative to the including document's folder (".tex" added where LaTeX adds it)."""
    found: list[str] = []
    for match in _INCLUDE.finditer(prose_text(text, "latex"), timeout=REGEX_TIMEOUT):
        if match["file"] is not None:
            name = match["file"].strip()
        else:
            folder = match["dir"].strip()
            name = str(PurePosixPath(folder) / match["rel"].strip()) if folder else match["rel"]
        if not name:
            continue
        found.append(name if PurePosixPath(name).suffix else name + ".tex")
    return found


@dataclass(frozen=True)
class AuxCitations:
    """What one ``.aux`` file says: cited keys in order, ``\\citation{*}``, nested aux files."""

    keys: tuple[str, ...]
    every_entry: bool
    inputs: tuple[str, ...]


def aux_citations(text: str) -> AuxCitations:
    """The ``\\citation`` keys of an ``.aux`` file (``\\nocite{*}`` writes ``*``)."""
    keys: list[str] = []
    every = False
    for match in _CITATION.finditer(text, timeout=REGEX_TIMEOUT):
        for key in match["keys"].split(","):
            key = key.strip()
            if key == "*":
                every = True
            elif key:
                keys.append(key)
    inputs = tuple(m["file"].strip() for m in _AUX_INPUT.finditer(text, timeout=REGEX_TIMEOUT))
    return AuxCitations(tuple(dict.fromkeys(keys)), every, inputs)

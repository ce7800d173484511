"""Which files make one document, and what is known of the works it cites.

A LaTeX document is its root file (``\\documentclass``, or the file a ``% !TEX root``
comment names) with every file it includes; its cited set is what the ``.aux`` beside the
root lists, else the items of the ``.bbl`` beside it. Any other draft is a document of its
own. The ``cited_from`` setting names ``.aux``/``.bbl`` files for drafts that have none
(a related-work section pasted from a paper), and ``cited`` lists keys cited for certain.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path

import regex

from ..bibliography.bbl import load_bbl_text
from ..bibliography.labels import Label
from ..bibliography.reference_list import reference_list_bibliography
from ..checks.reference_list import match_reference_list
from ..citations.cited_set import CitedEvidence, evidence_from_bbl_labels
from ..citations.draft_bibliography import has_reference_list
from ..citations.index import CitationIndex
from ..citations.kinds import document_kind
from ..citations.latex_structure import aux_citations, included_files, is_latex_root, magic_root
from ..config import Config

# How far up from a LaTeX file to look for the root that includes it, and how many .tex
# files to open there at most: a chapter sits beside or below its root.
ROOT_SEARCH_LEVELS = 2
ROOT_SEARCH_FILES = 200
_NATEXLAB = regex.compile(r"\\natexlab\{")

TextReader = Callable[[Path], "str | None"]


@dataclass(frozen=True)
class Manuscript:
    """One document: the root file (it names the bibliography and owns .aux/.bbl) and all
    its files, root first."""

    root: Path
    files: tuple[Path, ...]


class ManuscriptFinder:
    """Finds the document a draft belongs to, and its cited-set evidence (cached by the
    texts and file stamps they come from)."""

    def __init__(self, read: TextReader, allowed: Callable[[Path], bool]) -> None:
        self.read = read
        self.allowed = allowed
        self._closures: dict[Path, tuple[str, tuple[Path, ...]]] = {}

    def manuscript_of(self, path: Path, text: str) -> Manuscript:
        """The document ``path`` (with ``text``) belongs to."""
        if document_kind(str(path)) != "latex":
            return Manuscript(path, (path,))
        named = magic_root(text)
        if named is not None:
            root = (path.parent / named).resolve()
            if root != path and self.allowed(root):
                root_text = self.read(root)
                if root_text is not None:
                    files = self.closure(root, root_text)
                    return Manuscript(root, files if path in files else (*files, path))
        if is_latex_root(text):
            return Manuscript(path, self.closure(path, text))
        for root in self._candidate_roots(path):
            root_text = self.read(root)
            if root_text is None or not is_latex_root(root_text):
                continue
            files = self.closure(root, root_text)
            if path in files:
                return Manuscript(root, files)
        return Manuscript(path, (path,))

    def closure(self, root: Path, text: str) -> tuple[Path, ...]:
        """The root and every file it includes, recursively, in order of inclusion."""
        cached = self._closures.get(root)
        if cached is not None and cached[0] == text:
            return cached[1]
        files: list[Path] = [root]
        queue = [(root, text)]
        while queue:
            current, current_text = queue.pop(0)
            for name in included_files(current_text):
                # LaTeX resolves \input paths from the folder the root was compiled in.
                for base in (root.parent, current.parent):
                    candidate = (base / name).resolve()
                    if candidate in files or not self.allowed(candidate):
                        continue
                    included = self.read(candidate)
                    if included is None:
                        continue
                    files.append(candidate)
                    queue.append((candidate, included))
                    break
        result = tuple(files)
        self._closures[root] = (text, result)
        return result

    def _candidate_roots(self, path: Path) -> list[Path]:
        found: list[Path] = []
        folder = path.parent
        for _ in range(ROOT_SEARCH_LEVELS + 1):
            if not self.allowed(folder):
                break
            try:
                names = sorted(p for p in folder.iterdir() if p.suffix.lower() == ".tex")
            except OSError:
                break
            found.extend(p.resolve() for p in names if p.resolve() != path)
            if len(found) > ROOT_SEARCH_FILES or folder.parent == folder:
                break
            folder = folder.parent
        return found[:ROOT_SEARCH_FILES]


def evidence_for(
    manuscript: Manuscript,
    index: CitationIndex,
    config: Config,
    read: TextReader,
    listed: Callable[[], CitedEvidence | None] | None = None,
) -> CitedEvidence:
    """What is known of the document's cited set, best source first: its ``.aux``, its
    ``.bbl`` (the root's, or those of the same name beside a text draft), configured
    ``cited_from`` files, the draft's own reference list (``listed``, asked only when
    nothing before answers; see ``reference_list_evidence``), a ``.bbl``
    beside the bibliography; plus the ``cited`` keys.
    (Keyed citations in the text are added when it is resolved.)"""
    evidence: CitedEvidence | None = None
    if document_kind(str(manuscript.root)) is not None:
        # A LaTeX root's own build files; beside a text draft of the same name (the PDF's
        # text next to the paper's .aux or .bbl), those of the build it was printed from.
        evidence = _from_files([manuscript.root.with_suffix(".aux")], index, config, read)
        if evidence is None:
            evidence = _from_files([manuscript.root.with_suffix(".bbl")], index, config, read)
    if evidence is None and config.cited_from:
        evidence = _from_files(config.cited_from, index, config, read)
    if evidence is None and listed is not None:
        evidence = listed()
    if evidence is None:
        evidence = evidence_from_bbl_labels(index)
    return evidence.with_known(config.cited)


def reference_list_evidence(root: Path, text: str, index: CitationIndex) -> CitedEvidence | None:
    """The works a draft's own reference list prints, found in the bibliography it is
    checked against (a PDF's text with its .bib): cited for certain. Not the whole cited
    set: a reference the list's reading merged into another, or left out, must not make
    the text's labels wrong."""
    kind = document_kind(str(root)) or "text"
    if str(root) in index.bibliography.paths or not has_reference_list(text, kind):
        return None
    listed = reference_list_bibliography(text, str(root))
    if not listed.entries or listed.unreliable:
        return None
    matches, _ = match_reference_list(CitationIndex(listed), index)
    keys = tuple(dict.fromkeys(match.key.lower() for _, match in matches))
    if not matches or len(keys) < len(matches):
        return None  # two references taken for one entry: the matching is not to be trusted
    return CitedEvidence(known=keys)


def _from_files(
    paths: list[Path], index: CitationIndex, config: Config, read: TextReader
) -> CitedEvidence | None:
    keys: list[str] = []
    every = False
    labels: dict[str, Label] = {}
    sources: list[str] = []
    for path in paths:
        text = read(path)
        if text is None:
            continue
        sources.append(path.name)
        if path.suffix.lower() == ".aux":
            found, every_here = _aux_keys(path, text, read)
            keys.extend(found)
            every = every or every_here
        else:
            keys_here, labels_here = _bbl_items(text, index, config)
            keys.extend(keys_here)
            labels.update(labels_here)
    if not sources:
        return None
    return CitedEvidence(
        exact=tuple(dict.fromkeys(k.lower() for k in keys)),
        every_entry=every,
        labels=labels,
        source=", ".join(sources),
    )


def _aux_keys(path: Path, text: str, read: TextReader) -> tuple[list[str], bool]:
    """Keys of an .aux and of the .aux files it inputs (\\include writes one per chapter)."""
    keys: list[str] = []
    every = False
    seen = {path}
    queue = [(path, text)]
    while queue:
        current, current_text = queue.pop(0)
        found = aux_citations(current_text)
        keys.extend(found.keys)
        every = every or found.every_entry
        for name in found.inputs:
            nested = (path.parent / name).resolve()
            if nested in seen:
                continue
            seen.add(nested)
            nested_text = read(nested)
            if nested_text is not None:
                queue.append((nested, nested_text))
    return keys, every


def _bbl_items(
    text: str, index: CitationIndex, config: Config
) -> tuple[list[str], Mapping[str, Label]]:
    """The keys of a .bbl, and its labels when the style that wrote it is the one in use
    (natbib styles mark suffixes with \\natexlab; apalike writes them plainly)."""
    items = load_bbl_text(text)
    keys = [item.key for item in items]
    lettered = any(item.suffix for item in items)
    family = "natbib" if _NATEXLAB.search(text) else "apalike"
    if lettered and family != config.style:
        return keys, {}
    labels = {}
    for item in items:
        entry = index.entry(item.key)
        if entry is not None:
            raw_names = index.base_label(entry).raw_names
            labels[entry.key.lower()] = Label(item.names, item.year, item.suffix, raw_names)
    return keys, labels


def evidence_from_files(
    paths: list[Path], index: CitationIndex, config: Config, read: TextReader
) -> CitedEvidence:
    """The cited set that ``.aux``/``.bbl`` files state (empty when none can be read)."""
    return _from_files(paths, index, config, read) or CitedEvidence(exact=())

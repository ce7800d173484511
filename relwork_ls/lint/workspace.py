"""A workspace of drafts and bibliographies: which bibliography each draft uses, and its
findings. Both ``lint`` and the language server work through this class."""

from __future__ import annotations

import fnmatch
import os
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, TypeVar, cast

from ..bibliography.files import (
    MAX_FILE_BYTES,
    BibliographyError,
    bibliography_from_text,
    load_bibliography,
    read_text,
    regular_target,
)
from ..bibliography.labels import LabelOptions
from ..bibliography.model import Bibliography, LoadProblem, SourceSpan
from ..citations.documents import (
    BIBLIOGRAPHY_SUFFIXES,
    document_kind,
    extract_citations,
    named_bibliographies,
)
from ..citations.model import Citation
from ..citations.rendered import invisible_character_findings
from ..citations.resolution import CitationIndex, DocumentResolution, resolve_citations
from ..config import Config
from ..findings import Finding

T = TypeVar("T")
_SKIPPED_DIRECTORIES = {
    ".git",
    ".hg",
    ".svn",
    "node_modules",
    ".venv",
    "venv",
    "__pycache__",
    ".tox",
    ".mypy_cache",
    ".pytest_cache",
    "_build",
    "build",
    "dist",
}


@dataclass
class DocumentAnalysis:
    """Citations of one draft, what they resolve to, and the findings on them."""

    path: Path
    text: str
    kind: str
    bibliographies: tuple[Path, ...]
    citations: list[Citation]
    resolution: DocumentResolution
    index: CitationIndex | None

    @property
    def findings(self) -> list[Finding]:
        return self.resolution.findings


@dataclass
class Workspace:
    """Configuration plus cached bibliographies and their label indexes."""

    config: Config
    extra_bibliographies: list[Path] = field(default_factory=list)
    # Bibliographies found while walking the lint paths; used when nothing names one.
    discovered_bibliographies: list[Path] = field(default_factory=list)
    # Editor buffers override files on disk (path → text).
    overlays: dict[Path, str] = field(default_factory=dict)

    def __post_init__(self) -> None:
        self._memo: dict[tuple[str, object], tuple[object, Any]] = {}
        self._undecodable: set[Path] = set()
        self._analyses: dict[Path, tuple[tuple[object, ...], DocumentAnalysis]] = {}
        self._bibliographies: dict[Path, tuple[object, Bibliography]] = {}
        self._indexes: dict[tuple[Path, ...], tuple[tuple[object, ...], CitationIndex]] = {}
        # Paths that configuration or a draft named but that lie outside the trusted root:
        # path → where they were named (config file or draft). Reported as RW012.
        self.refused: dict[Path, Path | None] = {}
        # Bibliographies that could not be read (each reported once as RW011).
        self.unreadable: set[Path] = set()

    def permitted(self, paths: Iterable[Path], named_in: Path | None) -> list[Path]:
        """The paths that may be read; the others are remembered as refused."""
        allowed = []
        for path in paths:
            if self.config.allows_path(path) or path in self.extra_bibliographies:
                allowed.append(path)
            else:
                self.refused.setdefault(path, named_in)
        return allowed

    def memo(self, kind: str, key: object, anchor: object, compute: Callable[[], T]) -> T:
        """``compute()`` once while ``anchor`` (an index, a text, an analysis, or a tuple of
        them) stays the same object for ``(kind, key)``; the server relints on every edit."""
        hit = self._memo.get((kind, key))
        if hit is not None and same_objects(hit[0], anchor):
            return cast(T, hit[1])
        value = compute()
        self._memo[(kind, key)] = (anchor, value)
        return value

    # -- bibliographies ------------------------------------------------------------------

    def _stamp(self, path: Path) -> object:
        if path in self.overlays:
            return ("overlay", hash(self.overlays[path]))
        try:
            stat = path.stat()
        except OSError:
            return None
        sibling = path.with_suffix(".bbl")
        sibling_stamp = sibling.stat().st_mtime_ns if sibling.is_file() else None
        return (stat.st_mtime_ns, stat.st_size, sibling_stamp)

    def bibliography(self, path: Path) -> Bibliography:
        """One bibliography file, loaded once per change; raises BibliographyError."""
        stamp = self._stamp(path)
        cached = self._bibliographies.get(path)
        if cached is not None and cached[0] == stamp:
            return cached[1]
        self.unreadable.discard(path)
        if path in self.overlays:
            bib = bibliography_from_text(self.overlays[path], str(path))
        else:
            options = LabelOptions(self.config.style, self.config.two_author_joiner)
            try:
                bib = load_bibliography(
                    path, max_bytes=self.config.max_file_bytes, label_options=options
                )
            except Exception as error:  # noqa: BLE001 - one bad file is one finding
                # The drafts and the other bibliographies still count.
                self.unreadable.add(path)
                bib = Bibliography(paths=[str(path)])
                span = SourceSpan(str(path), 0, 0, 0, 0)
                if isinstance(error, BibliographyError):
                    problem = LoadProblem("RW011", f"skipped {path.name}: {error.reason}", span)
                else:  # a bug in a loader
                    message = (
                        f"internal error while reading this file ({type(error).__name__}: "
                        f"{str(error)[:200]}); it was skipped. Please report it."
                    )
                    problem = LoadProblem("RW014", message, span)
                bib.problems.append(problem)
        self._bibliographies[path] = (stamp, bib)
        return bib

    def readable(self, paths: tuple[Path, ...]) -> tuple[Path, ...]:
        """The bibliographies of ``paths`` that could be read (the others are RW011)."""
        for path in paths:
            self.bibliography(path)
        return tuple(path for path in paths if path not in self.unreadable)

    def index(self, paths: tuple[Path, ...]) -> CitationIndex:
        """The label index over the union of ``paths``, rebuilt only when a file changed."""
        stamps = tuple(self._stamp(p) for p in paths)
        cached = self._indexes.get(paths)
        if cached is not None and cached[0] == stamps:
            return cached[1]
        combined = Bibliography()
        for path in paths:
            combined.extend(self.bibliography(path))
        options = LabelOptions(self.config.style, self.config.two_author_joiner)
        index = CitationIndex(combined, options)
        self._indexes[paths] = (stamps, index)
        return index

    def bibliographies_for(self, draft: Path, text: str, kind: str) -> tuple[Path, ...]:
        """--bib first; else the draft's own \\bibliography/front matter (those that exist),
        else the configured ones, else those found beside the drafts."""
        if self.extra_bibliographies:
            return tuple(dict.fromkeys(self.extra_bibliographies))
        named = [(draft.parent / name).resolve() for name in named_bibliographies(text, kind)]
        # A named file that exists but cannot be read (a device, too large) is kept, to be
        # reported; one that does not exist falls back to the configured ones.
        existing = [p for p in named if p.exists() or p.is_symlink() or p in self.overlays]
        if existing:
            return tuple(dict.fromkeys(self.permitted(existing, draft)))
        if self.config.bibliographies:
            configured = self.permitted(self.config.bibliographies, self.config.source)
            return tuple(dict.fromkeys(configured))
        if self.discovered_bibliographies:
            return tuple(dict.fromkeys(self.discovered_bibliographies))
        beside = discover(
            [draft.parent],
            self.config.exclude,
            recursive=False,
            max_bytes=self.config.max_file_bytes,
        ).bibliographies
        return (beside[0],) if len(beside) == 1 else ()

    # -- documents -----------------------------------------------------------------------

    def text_of(self, path: Path) -> str:
        """An editor buffer's text, else the file's (undecodable bytes replaced, noted)."""
        if path in self.overlays:
            return self.overlays[path]
        text, replaced = read_text(path, self.config.max_file_bytes)
        if replaced:
            self._undecodable.add(path)
        else:
            self._undecodable.discard(path)
        return text

    def analyze(self, path: Path, text: str | None = None) -> DocumentAnalysis:
        """Extract and resolve the citations of one draft (raises BibliographyError)."""
        text = self.text_of(path) if text is None else text
        kind = document_kind(str(path)) or "text"
        bibs = self.bibliographies_for(path, text, kind)
        readable = self.readable(bibs)
        index = self.index(readable) if readable else None
        # Unchanged text against the same index: reuse (the server relints on every edit).
        key = (text, bibs, id(index))
        cached = self._analyses.get(path)
        if cached is not None and cached[0] == key:
            return cached[1]
        analysis = self._analyze(path, text, kind, bibs, index)
        self._analyses[path] = (key, analysis)
        return analysis

    def _analyze(
        self,
        path: Path,
        text: str,
        kind: str,
        bibs: tuple[Path, ...],
        index: CitationIndex | None,
    ) -> DocumentAnalysis:
        start = SourceSpan(str(path), 0, 0, 0, 0)
        if "\x00" in text:
            finding = Finding(
                "RW010", "binary file (NUL bytes): not a draft; skipped", start, severity="info"
            )
            resolution = DocumentResolution(str(path), [], [finding])
            return DocumentAnalysis(path, text, kind, bibs, [], resolution, index)
        notes = []
        if path in self._undecodable and path not in self.overlays:
            notes.append(
                Finding(
                    "RW010",
                    "file is not valid UTF-8; undecodable bytes were replaced before scanning",
                    start,
                )
            )
        try:
            citations = extract_citations(text, kind)
        except TimeoutError:
            # Pathological input (the regex timeout held): say so rather than hang or crash.
            message = "document too complex to scan for citations in time; it was skipped"
            finding = Finding("RW009", message, SourceSpan(str(path), 0, 0, 0, 0))
            resolution = DocumentResolution(str(path), [], [finding])
            return DocumentAnalysis(path, text, kind, bibs, [], resolution, index)
        notes.extend(invisible_character_findings(str(path), text, citations))
        if index is None:
            resolution = DocumentResolution(str(path), [], [])
        else:
            resolution = resolve_citations(str(path), text, citations, index)
        resolution.findings[:0] = notes
        return DocumentAnalysis(path, text, kind, bibs, citations, resolution, index)

    def bibliography_findings(self, paths: Iterable[Path]) -> list[Finding]:
        """Problems found while loading these bibliography files."""
        findings: list[Finding] = []
        for path in dict.fromkeys(paths):
            for problem in self.bibliography(path).problems:
                findings.append(Finding(problem.code, problem.message, problem.span))
        return findings

    def configure(self, finding: Finding) -> Finding | None:
        """Apply select/ignore and severity overrides; None when the finding is off."""
        if not self.config.enabled(finding.code):
            return None
        severity = self.config.severity_of(finding.code, finding.severity)
        if severity == finding.severity:
            return finding
        return Finding(
            finding.code, finding.message, finding.span, severity, finding.related, finding.fix
        )


def same_objects(a: object, b: object) -> bool:
    """Identity, element-wise for tuples (a memo anchored on several objects)."""
    if isinstance(a, tuple) and isinstance(b, tuple):
        return len(a) == len(b) and all(x is y for x, y in zip(a, b, strict=True))
    return a is b


@dataclass(frozen=True)
class SkippedFile:
    """A file under a linted path that was not read, and why (reported as RW011)."""

    path: Path
    reason: str


@dataclass
class Discovery:
    """What a walk of the linted paths found."""

    drafts: list[Path] = field(default_factory=list)
    bibliographies: list[Path] = field(default_factory=list)
    skipped: list[SkippedFile] = field(default_factory=list)


def _inside(path: Path, root: Path) -> bool:
    return path == root or root in path.parents


def discover(
    paths: Iterable[Path],
    exclude: Iterable[str] = (),
    recursive: bool = True,
    max_bytes: int = MAX_FILE_BYTES,
) -> Discovery:
    """Drafts and bibliography files under ``paths`` (files are taken as given), and the
    files of those kinds that could not be taken (links that loop, dangle or leave the
    folder, FIFOs, sockets and devices, files over ``max_bytes``)."""
    patterns = list(exclude)
    found = Discovery()

    def consider(file: Path, explicit: bool, tree: Path | None) -> None:
        if any(fnmatch.fnmatch(str(file), p) or fnmatch.fnmatch(file.name, p) for p in patterns):
            return
        is_draft = bool(document_kind(str(file)))
        suffix = file.suffix.lower()
        if not is_draft and suffix not in BIBLIOGRAPHY_SUFFIXES:
            return
        target, reason = regular_target(file, tree, max_bytes)
        if target is None:
            found.skipped.append(SkippedFile(file.absolute(), reason))
            return
        if is_draft:
            found.drafts.append(target)
        elif explicit or suffix != ".json" or _looks_like_csl(target):
            found.bibliographies.append(target)

    for path in paths:
        if path.is_dir():
            tree = path.resolve()
            for folder, subfolders, files in os.walk(path):
                kept = []
                for name in sorted(subfolders):
                    if not recursive or name in _SKIPPED_DIRECTORIES:
                        continue
                    sub = Path(folder) / name
                    if sub.is_symlink():
                        reason = _linked_folder_reason(sub, tree)
                        if reason:
                            found.skipped.append(SkippedFile(sub.absolute(), reason))
                        continue  # never walked through: its files are reached directly
                    kept.append(name)
                subfolders[:] = kept
                for name in sorted(files):
                    consider(Path(folder) / name, explicit=False, tree=tree)
        else:
            consider(path, explicit=True, tree=None)
    # A .bbl next to its .bib only supplies labels; it is not a second bibliography.
    bibs = found.bibliographies
    stems = {b.with_suffix("") for b in bibs if b.suffix.lower() != ".bbl"}
    found.bibliographies = [
        b for b in bibs if b.suffix.lower() != ".bbl" or b.with_suffix("") not in stems
    ]
    found.drafts = list(dict.fromkeys(found.drafts))
    found.bibliographies = list(dict.fromkeys(found.bibliographies))
    return found


def _linked_folder_reason(folder: Path, tree: Path) -> str:
    """Why a linked folder is worth a notice: a loop, a dangling link, or a link out of the
    tree (a link to a folder inside the tree is skipped silently: its files are walked)."""
    try:
        target = folder.resolve(strict=True)
    except RuntimeError:
        return "symbolic link loop"
    except OSError as error:
        if error.errno == 40:
            return "symbolic link loop"
        return "dangling symbolic link"
    if _inside(target, tree):
        return ""
    return f"symbolic link to {target}, outside {tree}; not followed"


def _looks_like_csl(path: Path) -> bool:
    try:
        with path.open("rb") as handle:
            head = handle.read(4096).lstrip()
    except OSError:
        return False
    return head.startswith(b"[") and b'"id"' in head


__all__ = [
    "BibliographyError",
    "Discovery",
    "DocumentAnalysis",
    "SkippedFile",
    "Workspace",
    "discover",
]

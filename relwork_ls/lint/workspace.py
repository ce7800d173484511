"""A workspace of drafts and bibliographies: which bibliography each draft uses, and its
findings. Both ``lint`` and the language server work through this class."""

from __future__ import annotations

import fnmatch
import os
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from functools import partial
from pathlib import Path
from typing import Any, TypeVar, cast

from ..bibliography.cache import CACHE_DIR_NAME, open_cache
from ..bibliography.files import (
    MAX_FILE_BYTES,
    BibliographyError,
    bibliography_from_text,
    load_bibliography,
    read_text,
    regular_target,
)
from ..bibliography.hayagriva import looks_like_hayagriva
from ..bibliography.labels import LabelOptions
from ..bibliography.model import Bibliography, LoadProblem, SourceSpan
from ..checks.reference_list import list_disagreements
from ..citations.cited_set import CitedEvidence
from ..citations.documents import extract_citations, named_bibliographies
from ..citations.docx import DocxError
from ..citations.draft_bibliography import (
    docx_text,
    has_citation_fields,
    has_reference_list,
    own_bibliography,
)
from ..citations.kinds import BIBLIOGRAPHY_SUFFIXES, document_kind
from ..citations.model import Citation, Document
from ..citations.reference_names import add_reference_list_forms
from ..citations.rendered import invisible_character_findings
from ..citations.resolution import (
    CitationIndex,
    DocumentResolution,
    ManuscriptFile,
    resolve_manuscript,
)
from ..config import Config
from ..findings import Finding
from .manuscripts import ManuscriptFinder, evidence_for, reference_list_evidence

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
    CACHE_DIR_NAME,  # ours: never a draft's folder, even when a link points elsewhere
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

    @property
    def document(self) -> Document:
        """The draft as analysed (its line index is shared by every check)."""
        if self.resolution.document is None:
            self.resolution.document = Document(str(self.path), self.text, self.kind)
        return self.resolution.document


class LintInterrupted(BaseException):
    """A lint stopped at a checkpoint because its ``interrupt`` said so (the server's lint
    of a whole folder gives way to an edited draft's). A BaseException: the handlers that
    turn one failing file or check into one finding must let it through."""


@dataclass
class Workspace:
    """Configuration plus cached bibliographies and their label indexes."""

    config: Config
    extra_bibliographies: list[Path] = field(default_factory=list)
    # Bibliographies found while walking the lint paths; used when nothing names one.
    discovered_bibliographies: list[Path] = field(default_factory=list)
    # Editor buffers override files on disk (path → text).
    overlays: dict[Path, str] = field(default_factory=dict)
    # --bib-from-text: a draft with a reference list uses it even beside a bibliography.
    bib_from_text: bool = False
    # Whether a .bbl beside a bibliography supplies labels (labels --no-bbl: no).
    use_sibling_bbl: bool = True
    # Asked before each step that is not cached (an analysis, a check): True stops the lint
    # with LintInterrupted. What was computed stays cached for the next lint.
    interrupt: Callable[[], bool] | None = None

    def __post_init__(self) -> None:
        self._memo: dict[tuple[str, object], tuple[object, Any]] = {}
        self._undecodable: set[Path] = set()
        self._unopenable: dict[Path, str] = {}
        # Per document root: the key it was analysed under and the analyses of its files.
        self._analyses: dict[Path, tuple[tuple[object, ...], dict[Path, DocumentAnalysis]]] = {}
        self._members: dict[Path, tuple[Path, ...]] = {}
        self.manuscripts = ManuscriptFinder(
            self.read_if_possible, lambda path: self.config.allows_path(path)
        )
        self._bibliographies: dict[Path, tuple[object, Bibliography]] = {}
        self._indexes: dict[tuple[Path, ...], tuple[tuple[object, ...], CitationIndex]] = {}
        # Paths that configuration or a draft named but that lie outside the trusted root:
        # path → where they were named (config file or draft). Reported as RW012.
        self.refused: dict[Path, Path | None] = {}
        # Bibliographies named (by a draft or the config) that do not exist: path → where
        # they were named. Reported as RW011; the draft falls back to the others.
        self.missing: dict[Path, Path | None] = {}
        # Problems of bibliographies used together (RW307), by the set of paths.
        self.combination_findings: dict[tuple[Path, ...], list[Finding]] = {}
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
        self.checkpoint()
        value = compute()
        self._memo[(kind, key)] = (anchor, value)
        return value

    def checkpoint(self) -> None:
        """Raise LintInterrupted when ``interrupt`` asks for it."""
        if self.interrupt is not None and self.interrupt():
            raise LintInterrupted

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
        kind = document_kind(str(path))
        if kind is not None:  # a draft that is its own bibliography (its reference list)
            bib = own_bibliography(path, self.text_of(path), kind)
        elif path in self.overlays:
            bib = bibliography_from_text(self.overlays[path], str(path))
        else:
            config = self.config
            # Parsed bibliographies persist in the cache directory between runs.
            cache = self.memo(
                "bibliography-cache",
                None,
                config,
                lambda: (
                    open_cache(config.root, config.permitted_cache_dir())
                    if config.use_cache
                    else None
                ),
            )
            options = LabelOptions(config.style, config.two_author_joiner)
            try:
                bib = load_bibliography(
                    path,
                    use_sibling_bbl=self.use_sibling_bbl,
                    max_bytes=config.max_file_bytes,
                    label_options=options,
                    cache=cache,
                    with_identities=True,  # every lint checks for duplicate works
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
        parts = [self.bibliography(path) for path in paths]
        for part in parts:
            combined.extend(part)
        self.combination_findings[paths] = printed_label_conflicts(parts)
        if sum(1 for part in parts if part.bbl_labels) > 1:
            # Two .bbl files are two documents' labels: merged, they describe neither.
            combined.bbl_labels = {}
        options = LabelOptions(self.config.style, self.config.two_author_joiner)
        index = CitationIndex(combined, options)
        add_reference_list_forms(index)
        self._indexes[paths] = (stamps, index)
        return index

    def bibliographies_for(self, draft: Path, text: str, kind: str) -> tuple[Path, ...]:
        """--bib first; else the draft's own \\bibliography/front matter (those that exist)
        or Word citation fields, else the configured ones, else those found beside the
        drafts, else the draft's own reference list. With --bib-from-text, the reference
        list comes first."""
        if self.bib_from_text and has_reference_list(text, kind):
            return (draft,)
        own = self._other_bibliographies(draft, text, kind)
        if own:
            return own
        return (draft,) if has_reference_list(text, kind) else ()

    def _other_bibliographies(self, draft: Path, text: str, kind: str) -> tuple[Path, ...]:
        if self.extra_bibliographies:
            return tuple(dict.fromkeys(self.extra_bibliographies))
        if kind == "docx" and draft not in self._unopenable and has_citation_fields(draft, kind):
            return (draft,)
        named = [(draft.parent / name).resolve() for name in named_bibliographies(text, kind)]
        # A named file that exists but cannot be read (a device, too large) is kept, to be
        # reported; one that does not exist falls back to the configured ones.
        existing = [p for p in named if p.exists() or p.is_symlink() or p in self.overlays]
        for path in named:
            if path not in existing:
                self.missing.setdefault(path, draft)
        if existing:
            return tuple(dict.fromkeys(self.permitted(existing, draft)))
        if self.config.bibliographies:
            configured = self.present(
                self.permitted(self.config.bibliographies, self.config.source)
            )
            if configured:
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
        if document_kind(str(path)) == "docx":
            try:
                text = docx_text(path).text
            except DocxError as error:
                self._unopenable[path] = str(error)
                return ""
            self._unopenable.pop(path, None)
            return text
        text, replaced = read_text(path, self.config.max_file_bytes)
        if replaced:
            self._undecodable.add(path)
        else:
            self._undecodable.discard(path)
        return text

    def present(self, paths: Iterable[Path]) -> list[Path]:
        """The configured bibliographies that exist; the others are remembered as missing."""
        found = []
        for path in paths:
            if path.exists() or path.is_symlink() or path in self.overlays:
                found.append(path)
            else:
                self.missing.setdefault(path, self.config.source)
        return found

    def members_of(self, root: Path) -> tuple[Path, ...]:
        """The files of the document ``root`` starts (itself alone unless it is a LaTeX
        root that includes others), as its last analysis found them."""
        return self._members.get(root, (root,))

    def alone(self, path: Path) -> bool:
        """Whether ``path`` is a document on its own: it includes no other file, and no
        document analysed here includes it."""
        return self.members_of(path) == (path,) and not any(
            path in files for root, files in self._members.items() if root != path
        )

    def read_if_possible(self, path: Path) -> str | None:
        """A buffer's or file's text; None when it cannot be read (not a regular file, too
        large, unreadable) or lies outside what may be read."""
        if path in self.overlays:
            return self.overlays[path]
        if not self.config.allows_path(path):
            return None
        target, _ = regular_target(path, None, self.config.max_file_bytes)
        if target is None:
            return None
        try:
            return read_text(target, self.config.max_file_bytes)[0]
        except OSError:
            return None

    def analyze(
        self, path: Path, text: str | None = None, texts: Mapping[Path, str] | None = None
    ) -> DocumentAnalysis:
        """Extract and resolve the citations of one draft, together with the other files of
        its document (``texts`` overrides their contents); raises BibliographyError."""
        texts = texts or {}
        text = texts.get(path, self.text_of(path)) if text is None else text
        manuscript = self.manuscripts.manuscript_of(path, text)
        if manuscript.root == path:
            self._members[path] = manuscript.files

        def member_text(member: Path) -> str | None:
            if member == path:
                return text
            if member in texts:
                return texts[member]
            return self.read_if_possible(member)

        members = [(m, member_text(m)) for m in manuscript.files]
        present = tuple((m, t) for m, t in members if t is not None)
        root = manuscript.root
        root_text = dict(present).get(root, text)
        bibs = self.bibliographies_for(root, root_text, document_kind(str(root)) or "text")
        readable = self.readable(bibs)
        index = self.index(readable) if readable else None
        evidence = None
        if index is not None:
            # Parsing the draft's reference list and matching it against every entry takes
            # tens of ms: once per text of the root and index, not on every analysis.
            compute = partial(reference_list_evidence, root, root_text, index)
            listed = partial(self.memo, "listed evidence", root, (index, root_text), compute)
            evidence = evidence_for(manuscript, index, self.config, self.read_if_possible, listed)
        # The same texts against the same index and evidence: reuse (the server relints on
        # every edit; chapters of one document share one resolution).
        key = (present, bibs, id(index), evidence)
        cached = self._analyses.get(root)
        if cached is not None and cached[0] == key and path in cached[1]:
            return cached[1][path]
        self.checkpoint()
        analyses = self._analyze_manuscript(present, bibs, index, evidence)
        self._analyses[root] = (key, analyses)
        return analyses[path]

    def _scan(self, path: Path, text: str) -> tuple[list[Citation], list[Finding]]:
        """Citations of one file and notes on it (binary, undecodable, too complex)."""
        start = SourceSpan(str(path), 0, 0, 0, 0)
        if "\x00" in text:
            return [], [
                Finding("RW010", "binary file (NUL bytes): not a draft; skipped", start, "info")
            ]
        notes = []
        if path in self._unopenable and path not in self.overlays:
            notes.append(Finding("RW010", self._unopenable[path], start))
        if path in self._undecodable and path not in self.overlays:
            notes.append(
                Finding(
                    "RW010",
                    "file is not valid UTF-8; undecodable bytes were replaced before scanning",
                    start,
                )
            )
        try:
            citations = extract_citations(text, document_kind(str(path)) or "text")
            notes.extend(invisible_character_findings(str(path), text, citations))
            return citations, notes
        except TimeoutError:
            # Pathological input (the regex timeout held): say so rather than hang or crash.
            message = "document too complex to scan for citations in time; it was skipped"
            return [], [*notes, Finding("RW009", message, start)]

    def _analyze_manuscript(
        self,
        members: tuple[tuple[Path, str], ...],
        bibs: tuple[Path, ...],
        index: CitationIndex | None,
        evidence: CitedEvidence | None,
    ) -> dict[Path, DocumentAnalysis]:
        scanned = {path: self._scan(path, text) for path, text in members}
        documents = [Document(str(p), t, document_kind(str(p)) or "text") for p, t in members]
        if index is None:
            resolutions = [DocumentResolution(d.path, [], [], None, d) for d in documents]
        else:
            files = [ManuscriptFile(d, scanned[Path(d.path)][0]) for d in documents]
            resolutions = resolve_manuscript(files, index, evidence)
        analyses = {}
        for (path, text), resolution in zip(members, resolutions, strict=True):
            citations, notes = scanned[path]
            kind = document_kind(str(path)) or "text"
            if index is not None and bibs == (path,) and self.bib_from_text:
                # The draft's own reference list beside a bibliography: where they differ.
                others = self._other_bibliographies(path, text, kind)
                if others and others != (path,):
                    notes = [*notes, *list_disagreements(index, self.index(others))]
            if index is not None and bibs == (path,) and index.bibliography.unreliable:
                # Its own reference list could not be read (RW311 says so, once): checking
                # citations against the pieces would only raise false alarms.
                resolution.findings[:] = [
                    f for f in resolution.findings if f.code not in _RESOLUTION_CODES
                ]
            resolution.findings[:0] = notes
            view = resolution.index or index
            analyses[path] = DocumentAnalysis(path, text, kind, bibs, citations, resolution, view)
        return analyses

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


def printed_label_conflicts(parts: list[Bibliography]) -> list[Finding]:
    """RW307 for each key whose .bbl labels differ between bibliographies used together
    (two versions of one bibliography, each with the .bbl of the document it served)."""
    printed: dict[str, tuple[str, Bibliography]] = {}
    findings = []
    for part in parts:
        for key, label in part.bbl_labels.items():
            seen = printed.setdefault(key, (label.text(), part))
            if seen[1] is part or seen[0] == label.text():
                continue
            entry = next((e for e in part.entries if e.key.lower() == key), None)
            where = entry.span if entry is not None else SourceSpan(part.paths[0], 0, 0, 0, 0)
            first = Path(seen[1].paths[0]).with_suffix(".bbl").name
            second = Path(part.paths[0]).with_suffix(".bbl").name
            findings.append(
                Finding(
                    "RW307",
                    f"'{key}' is labelled '{seen[0]}' by {first} and '{label.text()}' by "
                    f"{second}: two versions of one bibliography are in use together, so "
                    "neither .bbl is trusted; name the one each draft uses",
                    where,
                )
            )
    return findings


# What resolving a citation against a bibliography reports.
_RESOLUTION_CODES = frozenset(
    {"RW001", "RW002", "RW003", "RW004", "RW005", "RW006", "RW007", "RW008", "RW020"}
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
        elif explicit or _looks_like_bibliography(target, suffix):
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
    # A .bbl next to its .bib only supplies labels; it is not a second bibliography. Nor
    # is the .bbl LaTeX made for a document (beside its .tex), unless nothing else is
    # there to resolve against (an arXiv source often ships main.tex and main.bbl only).
    bibs = found.bibliographies
    stems = {b.with_suffix("") for b in bibs if b.suffix.lower() != ".bbl"}
    documents = {d.with_suffix("") for d in found.drafts if d.suffix.lower() == ".tex"}
    others = len(stems) > 0
    found.bibliographies = [
        b
        for b in bibs
        if b.suffix.lower() != ".bbl"
        or (b.with_suffix("") not in stems and not (others and b.with_suffix("") in documents))
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


def _looks_like_bibliography(path: Path, suffix: str) -> bool:
    """.bib and .bbl always; .json only as CSL-JSON, .yml/.yaml only as Hayagriva."""
    if suffix not in (".json", ".yml", ".yaml"):
        return True
    try:
        with path.open("rb") as handle:
            head = handle.read(4096)
    except OSError:
        return False
    if suffix == ".json":
        stripped = head.lstrip()
        return stripped.startswith(b"[") and b'"id"' in stripped
    return looks_like_hayagriva(head.decode("utf-8", errors="replace"))


__all__ = [
    "BibliographyError",
    "Discovery",
    "DocumentAnalysis",
    "SkippedFile",
    "Workspace",
    "discover",
]

"""What the server knows, owned by the event loop: workspace folders with their latest
accepted results, the open documents, and views of a file's results on its current text.

Lints run elsewhere (``scheduler``) on immutable snapshots; their outcomes are accepted here
on the loop, file by file, only when they are not older than what is held. No LSP types."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

from ..bibliography.files import read_text
from ..citations.kinds import document_kind
from ..citations.resolution import CitationIndex, WorkResolution
from ..config import Config
from ..editor.completion import CompletionTable
from ..editor.live import (
    ChangedRegion,
    LocalAnalysis,
    carry_over,
    changed_region,
    innermost_work,
    local_analysis,
    merge_local,
    shifted_work,
)
from ..editor.navigation import CitationTable
from ..editor.session import (
    CROSS_DRAFT_CODES,
    FileResult,
    LintOutcome,
    RootSession,
    Snapshot,
    build_config,
)
from ..findings import Finding
from ..lint.workspace import MAX_FILE_BYTES, DocumentAnalysis
from ..positions import LineIndex
from .convert import path_of, uri_of
from .documents import Documents

# A range larger than this (a selection of the whole file) is not rescanned for a text the
# last lint has not seen: its findings are those of the last lint, moved onto the text.
MAX_RESCAN = 10_000


@dataclass(eq=False)
class Root:
    """A workspace folder: its configuration, the session that lints it (used by the
    worker thread only) and the latest accepted results, by file."""

    path: Path
    config: Config
    session: RootSession
    config_error: str | None = None
    files: dict[Path, FileResult] = field(default_factory=dict)
    tables: dict[int, CompletionTable] = field(default_factory=dict)
    error: str | None = None
    linted: bool = False  # a lint of the whole folder has been accepted
    # False for the folder of a file opened outside every workspace folder: only the open
    # documents directly in it are linted, the folder is never walked.
    walk: bool = True
    # Files read from disk by the last folder lint (bibliographies, their .bbl, the config
    # file) with their (mtime, size) then: compared when the client cannot watch files.
    stamps: dict[Path, tuple[int, int] | None] = field(default_factory=dict)

    def holds(self, path: Path) -> bool:
        if self.walk:
            return path == self.path or self.path in path.parents
        return path.parent == self.path

    @property
    def findings_by_path(self) -> dict[str, list[Finding]]:
        return {str(p): list(r.findings) for p, r in self.files.items() if r.findings}

    @property
    def analyses(self) -> list[DocumentAnalysis]:
        return [r.analysis for r in self.files.values() if r.analysis is not None]


@dataclass(frozen=True)
class View:
    """A file's results on its current text: findings moved onto it, and the analysis only
    when it was computed on exactly this text (``analysis``), else the last one (for its
    index) as ``previous``."""

    path: Path
    root: Root
    text: str
    version: int | None
    kind: str | None
    findings: list[Finding]
    analysis: DocumentAnalysis | None
    previous: DocumentAnalysis | None
    # Whether ``findings`` were computed on this very text (not moved onto it).
    exact: bool = False
    _local: dict[tuple[int, int], LocalAnalysis] = field(default_factory=dict, compare=False)
    _regions: dict[int, ChangedRegion] = field(default_factory=dict, compare=False)

    @property
    def index(self) -> CitationIndex | None:
        """The label index of the file's last analysis; for a draft not analysed yet (just
        opened), the index its folder's drafts use, so it is answered before its lint."""
        source = self.analysis or self.previous
        if source is not None:
            return source.index
        if self.kind is None:
            return None
        return next((a.index for a in self.root.analyses if a.index is not None), None)

    def work_at(self, offset: int) -> WorkResolution | None:
        """The cited work under ``offset`` of the current text: from the last analysis
        (moved, when it was of an earlier text and the work lies outside what changed), else
        rescanned around the offset."""
        if self.analysis is not None:
            return innermost_work(self.analysis.resolution.works, offset)
        if self.previous is not None:
            region = self._region(self.previous.text)
            old = region.to_old(offset)
            work = innermost_work(self.previous.resolution.works, old) if old is not None else None
            moved = region.to_new(work.start, work.end) if work is not None else None
            if work is not None and moved is not None:
                return shifted_work(work, moved[0] - work.start)
        local = self.rescan(offset, offset)
        return innermost_work(local.works, offset) if local is not None else None

    def _region(self, earlier: str) -> ChangedRegion:
        if id(earlier) not in self._regions:
            self._regions[id(earlier)] = changed_region(earlier, self.text)
        return self._regions[id(earlier)]

    def findings_at(self, start: int, end: int) -> list[Finding]:
        """The findings on the current text, with those of the paragraphs around
        ``start..end`` recomputed when the last analysis was of another text."""
        small = end - start <= MAX_RESCAN
        local = self.rescan(start, end) if not self.exact and small else None
        if local is None:
            return self.findings
        return merge_local(self.findings, local, LineIndex(self.text))

    def rescan(self, start: int, end: int) -> LocalAnalysis | None:
        """The paragraphs around ``start..end`` of the current text, scanned and resolved
        (for a text the last lint has not seen)."""
        index = self.index
        if index is None or self.kind is None:
            return None
        if (start, end) not in self._local:
            self._local[(start, end)] = local_analysis(
                str(self.path), self.text, self.kind, index, self.root.config, start, end
            )
        return self._local[(start, end)]


class ServerState:
    """Workspace folders, open documents and accepted results."""

    def __init__(self, roots: Iterable[Path] = (), settings: Mapping[str, Any] | None = None):
        self.settings: Mapping[str, Any] = dict(settings or {})
        self.documents = Documents()
        self.roots: list[Root] = []
        self._disk: dict[Path, tuple[tuple[int, int], str]] = {}
        self._views: dict[Path, tuple[tuple[object, str], View]] = {}
        self._citations: CitationTable | None = None
        for path in roots:
            self.add_root(path)

    # -- folders -----------------------------------------------------------------------

    def add_root(self, path: Path, walk: bool = True) -> Root:
        config, error = build_config(path, self.settings)
        root = Root(path, config, RootSession(path, config, walk), error, walk=walk)
        self.roots.append(root)
        return root

    def remove_root(self, path: Path) -> Root | None:
        for root in self.roots:
            if root.path == path:
                self.roots.remove(root)
                return root
        return None

    def reconfigure(self, settings: Mapping[str, Any]) -> None:
        """New client settings: every folder whose configuration they change gets a new one
        and a new session (results of lints still running for the old ones are dropped when
        they arrive); the others keep theirs, with what they have indexed."""
        self.settings = dict(settings)
        for root in self.roots:
            config, root.config_error = build_config(root.path, self.settings)
            if config != root.config:
                root.config = config
                root.session = RootSession(root.path, root.config, root.walk)

    def root_for(self, path: Path) -> Root:
        """The workspace folder holding ``path`` (the deepest). A file outside every folder
        gets a folder of its own that is never walked: it is linted alone (with the
        bibliographies it names, or the one beside it), not its parent tree."""
        containing = [r for r in self.roots if r.holds(path)]
        if not containing:
            return self.add_root(path.parent, walk=False)
        return max(containing, key=lambda r: len(r.path.parts))

    def path_of(self, uri: str, language_id: str | None = None) -> Path | None:
        """The path a document is known by: its file, or for a new unsaved buffer
        (``untitled:``) a name in the first workspace folder that no file can have, so it
        is linted with that folder's bibliographies. None for other schemes."""
        known = self.documents.path_of(uri)
        if known is not None:
            return known
        if uri.startswith("untitled:") and self.roots:
            name = uri.removeprefix("untitled:").replace("/", "_").replace("\\", "_")
            suffix = {"markdown": ".md", "latex": ".tex", "tex": ".tex"}.get(
                language_id or "", ".txt"
            )
            return self.roots[0].path / f"untitled:{name}{suffix}"
        return path_of(uri)

    def uri_of(self, path: Path) -> str:
        document = self.documents.get(path)
        return document.uri if document is not None else uri_of(path)

    # -- results -------------------------------------------------------------------------

    def snapshot(self, root: Root) -> Snapshot:
        return Snapshot.of(
            {p: d for p, d in self.documents.under([root.path]).items() if root.holds(p)}
        )

    def lint(self, root: Root) -> set[Path]:
        """Lint a folder now, on the calling thread, and accept the outcome (for tools and
        tests; the server lints through its scheduler's worker)."""
        snapshot = self.snapshot(root)
        return self.accept(root, root.session, snapshot, root.session.lint(snapshot))

    def accept(
        self, root: Root, session: RootSession, snapshot: Snapshot, outcome: LintOutcome
    ) -> set[Path]:
        """Take what is new in an outcome; return the files whose results changed.

        A file's result replaces the held one only if it is for the document's current
        version or one no older than the held result's; results of a replaced session
        are dropped. A lint of one draft keeps the held cross-draft findings, moved onto
        the new text."""
        if session is not root.session or root not in self.roots:
            return set()
        root.error = outcome.error
        if outcome.error:
            return set()
        changed: set[Path] = set()
        for path, result in outcome.files.items():
            held = root.files.get(path)
            result = self._same_text_as_open(result)
            if not self._acceptable(path, result.version, held):
                continue
            if not outcome.complete and held is not None and not result.incremental:
                result = _with_cross_draft(result, held)
            root.files[path] = result
            changed.add(path)
        if outcome.complete:
            for path in list(root.files):
                held = root.files[path]
                if path not in outcome.files and held.version == snapshot.version(path):
                    del root.files[path]
                    changed.add(path)
            root.tables = dict(outcome.tables)
            root.linted = True
            root.stamps = self._disk_stamps(root, outcome.bibliography_stamps)
        else:
            root.tables.update(outcome.tables)
        return changed

    def adopt_open(self, path: Path) -> bool:
        """Tie the held result of a document just opened to its version when it was
        computed on the same text (read from disk): no lint is needed to publish it."""
        held = self.held(path)
        if held is None:
            return False
        root, result = held
        adopted = self._same_text_as_open(result)
        if adopted is result:
            return False
        root.files[path] = adopted
        return True

    def _same_text_as_open(self, result: FileResult) -> FileResult:
        """A result computed on a file's text from disk, for the document opened meanwhile
        with that very text: the result of its current version."""
        document = self.documents.get(result.path)
        if (
            result.version is None
            and document is not None
            and result.text is not None
            and result.text == document.text
        ):
            return replace(result, version=document.version)
        return result

    def _acceptable(self, path: Path, version: int | None, held: FileResult | None) -> bool:
        current = self.documents.version(path)
        if current is None or version is None:
            return current is None and version is None
        if version > current:
            return False
        return held is None or held.version is None or version >= held.version

    def _disk_stamps(
        self, root: Root, bibliographies: Mapping[Path, tuple[int, int] | None]
    ) -> dict[Path, tuple[int, int] | None]:
        files = [*bibliographies, *(b.with_suffix(".bbl") for b in bibliographies)]
        if root.config.source is not None:
            files.append(root.config.source)
        return {path: file_stamp(path) for path in files if path not in self.documents}

    def changed_on_disk(self) -> list[Root]:
        """Folders whose bibliographies or configuration changed on disk since their last
        lint (for clients that do not report file changes: Neovim on Linux)."""
        return [
            root
            for root in self.roots
            if root.linted and any(file_stamp(path) != stamp for path, stamp in root.stamps.items())
        ]

    def publishable(self, path: Path) -> bool:
        """Whether the held result of ``path`` is for its current text (a file without a
        held result has no findings, whatever its text)."""
        held = self.held(path)
        return held is None or held[1].version == self.documents.version(path)

    def held(self, path: Path) -> tuple[Root, FileResult] | None:
        for root in sorted(self.roots, key=lambda r: -len(r.path.parts)):
            result = root.files.get(path)
            if result is not None:
                return root, result
        return None

    # -- views -------------------------------------------------------------------------

    def text_of(self, path: Path) -> str | None:
        """An open document's text, else the file's (read again only when it changed)."""
        document = self.documents.get(path)
        if document is not None:
            return document.text
        try:
            info = path.stat()
            stamp = (info.st_mtime_ns, info.st_size)
            cached = self._disk.get(path)
            if cached is not None and cached[0] == stamp:
                return cached[1]
            if info.st_size > MAX_FILE_BYTES:
                return None
            text, _ = read_text(path)
        except (OSError, RuntimeError):
            return None
        self._disk[path] = (stamp, text)
        return text

    def view(self, path: Path) -> View | None:
        """The results of ``path`` on its current text (None when it cannot be read)."""
        text = self.text_of(path)
        held = self.held(path)
        if text is None:  # unreadable (a dangling link, say): only findings at its start
            if held is None:
                return None
            text = held[1].text or ""
        root, result = held if held is not None else (self.root_for(path), None)
        key = (result, text)
        cached = self._views.get(path)
        if cached is not None and _same(cached[0], key):
            return cached[1]
        findings: list[Finding] = []
        analysis = previous = None
        exact = result is None
        if result is not None:
            previous = result.analysis
            source = result.text if result.text is not None else text
            exact = source is text or source == text
            findings = (
                list(result.findings)
                if exact
                else carry_over(result.findings, str(path), source, text)
            )
            if previous is not None and (previous.text is text or previous.text == text):
                analysis = previous
        kind = document_kind(str(path))
        version = self.documents.version(path)
        view = View(path, root, text, version, kind, findings, analysis, previous, exact)
        self._views[path] = (key, view)
        return view

    def findings_for(self, path: Path) -> list[Finding]:
        view = self.view(path)
        return view.findings if view is not None else []

    def indexes(self) -> list[CitationIndex]:
        """Each bibliography index once (documents' label views share their base index)."""
        seen: dict[int, CitationIndex] = {}
        for root in self.roots:
            for analysis in root.analyses:
                if analysis.index is not None:
                    base = analysis.index.base_index()
                    seen.setdefault(id(base), base)
        return list(seen.values())

    def completion_table(self, index: CitationIndex) -> CompletionTable | None:
        for root in self.roots:
            table = root.tables.get(id(index))
            if table is not None and table.index is index:
                return table
        return None

    def citations(self) -> CitationTable:
        """Every resolved citation of every accepted analysis, by entry."""
        analyses = [a for root in self.roots for a in root.analyses]
        cached = self._citations
        if (
            cached is None
            or len(cached.analyses) != len(analyses)
            or any(a is not b for a, b in zip(cached.analyses, analyses, strict=True))
        ):
            self._citations = cached = CitationTable(analyses)
        return cached

    def stale_labels(self) -> list[Finding]:
        """RW102 findings of every file, on the files' current texts."""
        found: list[Finding] = []
        for root in self.roots:
            for path, result in root.files.items():
                if any(f.code == "RW102" for f in result.findings):
                    found.extend(f for f in self.findings_for(path) if f.code == "RW102")
        return found


def _with_cross_draft(result: FileResult, held: FileResult) -> FileResult:
    kept = [f for f in held.findings if f.code in CROSS_DRAFT_CODES]
    if not kept or held.text is None or result.text is None:
        return result
    moved = carry_over(kept, str(result.path), held.text, result.text)
    return replace(result, findings=result.findings + tuple(moved))


def _same(a: tuple[object, str], b: tuple[object, str]) -> bool:
    return a[0] is b[0] and a[1] is b[1]


def file_stamp(path: Path) -> tuple[int, int] | None:
    try:
        info = path.stat()
    except OSError:
        return None
    return info.st_mtime_ns, info.st_size

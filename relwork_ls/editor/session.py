"""Linting a live workspace folder: immutable snapshots in, immutable results out.

A ``RootSession`` holds the caches of one folder (its core ``Workspace`` and ``History``)
and is used by one thread only. It lints a ``Snapshot`` — the open documents' texts with
their versions — and returns a ``LintOutcome`` that records which version of each document
it saw, so the caller can drop results for text that has changed since.
"""

from __future__ import annotations

import logging
from collections import defaultdict
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from fnmatch import fnmatch
from pathlib import Path
from types import MappingProxyType
from typing import Any

from ..bibliography.files import BibliographyError
from ..bibliography.model import SourceSpan
from ..citations.kinds import document_kind
from ..citations.resolution import CitationIndex
from ..config import Config, ConfigError, config_from_mapping, find_config_file, read_config_data
from ..findings import Finding
from ..lint.run import History, LintResult, LintUsageError, lint_paths
from ..lint.workspace import (
    DocumentAnalysis,
    LintInterrupted,
    SkippedFile,
    Workspace,
    discover,
)
from .completion import CompletionTable
from .live import relint_changed

logger = logging.getLogger(__name__)
# Client settings about trust: never read from a file in the workspace.
TRUST_SETTINGS = ("allow_outside_paths", "workspace_trusted")
# Client settings for the editor only (not relwork.toml keys): inlay_hints = "none" (the
# default), "key" or "title".
EDITOR_SETTINGS = ("inlay_hints",)
# Findings that depend on other drafts: a lint of one draft cannot recompute them.
CROSS_DRAFT_CODES = frozenset({"RW101"})
# Drafts at least this long are relinted around an edit only, between folder lints.
INCREMENTAL_CHARACTERS = 100_000


def build_config(root: Path, settings: Mapping[str, Any]) -> tuple[Config, str | None]:
    """relwork.toml/pyproject of the root, overridden by client settings, and why the
    configuration was not taken as given (None when it was).

    A workspace's own files cannot widen what is read: paths outside ``root`` are refused
    unless the client setting ``allow_outside_paths`` is true, and git is not run when the
    client says the workspace is not trusted (``workspace_trusted: false``)."""
    data: dict[str, Any] = {}
    base = root
    error = None
    config_file = find_config_file(root)
    client = {
        k: v for k, v in settings.items() if k not in TRUST_SETTINGS and k not in EDITOR_SETTINGS
    }
    trusted = settings.get("workspace_trusted") is not False
    allow_outside = trusted and settings.get("allow_outside_paths") is True
    try:
        if config_file is not None:
            data = read_config_data(config_file)
            base = config_file.parent
        config = config_from_mapping({**data, **client}, base, where=str(config_file or "settings"))
        config.source = config_file
    except ConfigError as problem:
        error = str(problem)
        try:  # a bad client setting must not also lose the folder's own configuration
            config = config_from_mapping(data, base, where=str(config_file))
            config.source = config_file
        except ConfigError:
            config = Config(root=root)
    config.trusted_root = None if allow_outside else root
    config.allow_git = trusted
    return config, error


@dataclass(frozen=True)
class DocumentText:
    """An open document's text and the client's version number for it."""

    text: str
    version: int


@dataclass(frozen=True)
class Snapshot:
    """What one lint sees: the open documents under a folder, frozen."""

    documents: Mapping[Path, DocumentText] = field(default_factory=lambda: MappingProxyType({}))

    @staticmethod
    def of(documents: Mapping[Path, DocumentText]) -> Snapshot:
        return Snapshot(MappingProxyType(dict(documents)))

    @property
    def texts(self) -> dict[Path, str]:
        return {path: document.text for path, document in self.documents.items()}

    def version(self, path: Path) -> int | None:
        document = self.documents.get(path)
        return document.version if document is not None else None


@dataclass(frozen=True)
class FileResult:
    """What a lint found for one file, and the text (and version) its spans refer to.

    ``text`` is None for a file read from disk that is not a draft (a bibliography)."""

    path: Path
    version: int | None
    text: str | None
    analysis: DocumentAnalysis | None
    findings: tuple[Finding, ...]
    # Relinted around an edit only: the findings of the previous result are already moved
    # in (cross-draft ones included), and ``analysis`` is of an earlier text.
    incremental: bool = False


@dataclass(frozen=True)
class LintOutcome:
    """The result of one lint: per file, and the completion tables of the indexes used.

    ``complete`` is True for a lint of the whole folder: files it does not mention have no
    findings. A partial lint (some drafts) only replaces the files it mentions."""

    files: Mapping[Path, FileResult]
    complete: bool
    tables: Mapping[int, CompletionTable] = field(default_factory=dict)
    error: str | None = None
    # Files the lint read from disk, with their (mtime, size) when it read them.
    bibliography_stamps: Mapping[Path, tuple[int, int] | None] = field(default_factory=dict)
    # The lint gave way (its ``interrupt`` said so) before it was done: no results.
    interrupted: bool = False


class RootSession:
    """The analysis caches of one folder. Not thread-safe: one thread uses it."""

    def __init__(self, path: Path, config: Config, walk: bool = True) -> None:
        self.path = path
        self.walk = walk
        self.workspace = Workspace(config)
        self.history = History(list(config.bibliographies_before), config.since)
        self._tables: dict[int, CompletionTable] = {}

    @property
    def config(self) -> Config:
        return self.workspace.config

    def lint(
        self,
        snapshot: Snapshot,
        drafts: list[Path] | None = None,
        previous: Mapping[Path, FileResult] | None = None,
        progress: Callable[[str], None] | None = None,
        interrupt: Callable[[], bool] | None = None,
    ) -> LintOutcome:
        """Lint the folder (``drafts`` None) or only ``drafts``, with the snapshot's texts
        in place of the files on disk. Problems that stop the lint become ``error``.

        A large draft with a ``previous`` result is relinted where it changed only
        (``live.relint_changed``); the folder's lint then recomputes it whole. ``progress``
        is told what a folder's lint is doing as it goes; ``interrupt`` is asked between
        its steps whether to stop (the outcome is then ``interrupted``, and what was done
        is kept for the next lint)."""
        self.workspace.interrupt = interrupt
        try:
            return self._lint(snapshot, drafts, previous, progress)
        except LintInterrupted:
            return LintOutcome({}, complete=False, interrupted=True)
        finally:
            self.workspace.interrupt = None

    def _lint(
        self,
        snapshot: Snapshot,
        drafts: list[Path] | None,
        previous: Mapping[Path, FileResult] | None,
        progress: Callable[[str], None] | None,
    ) -> LintOutcome:
        self.workspace.overlays = snapshot.texts
        complete = drafts is None
        skipped: list[SkippedFile] = []
        updated: dict[Path, FileResult] = {}
        try:
            if drafts is None:
                report = progress or (lambda message: None)
                report(f"looking for drafts in {self.path.name}")
                drafts, skipped = self._discover(snapshot)
                self._index_bibliographies(report)
                report(f"checking {len(drafts)} draft{'s' if len(drafts) != 1 else ''}")
            else:
                for path in drafts:
                    changed = self._relint_changed(path, snapshot, (previous or {}).get(path))
                    if changed is not None:
                        updated[path] = changed
                drafts = [path for path in drafts if path not in updated]
                if not drafts:
                    return LintOutcome(MappingProxyType(updated), complete=False)
            result = self._lint_isolated(snapshot, drafts, skipped)
        except (ConfigError, OSError) as problem:
            return LintOutcome({}, complete=False, error=str(problem))
        grouped: dict[str, list[Finding]] = defaultdict(list)
        for finding in result.findings:
            grouped[finding.span.path].append(finding)
        files: dict[Path, FileResult] = {}
        for analysis in result.analyses:
            findings = tuple(grouped.pop(str(analysis.path), ()))
            version = snapshot.version(analysis.path)
            files[analysis.path] = FileResult(
                analysis.path, version, analysis.text, analysis, findings
            )
        for path_text, findings_of_file in grouped.items():
            path = Path(path_text)
            document = snapshot.documents.get(path)
            files[path] = FileResult(
                path,
                document.version if document else None,
                document.text if document else None,
                None,
                tuple(findings_of_file),
            )
        if not complete:
            # A lint of some drafts also reports on bibliographies and unused entries as
            # if only these drafts existed: keep the drafts' own results only.
            wanted = set(drafts or ())
            files = {path: result for path, result in files.items() if path in wanted}
            files.update(updated)
        stamps = {path: _stamp(path) for path in result.bibliographies}
        tables = self._tables_for(result.analyses, complete)
        return LintOutcome(MappingProxyType(files), complete, tables, None, stamps)

    def _index_bibliographies(self, report: Callable[[str], None]) -> None:
        """Load and label the folder's bibliographies before the drafts (the long part of a
        first lint), saying which."""
        workspace = self.workspace
        bibs = workspace.permitted(self.config.bibliographies, self.config.source)
        bibs = bibs or workspace.discovered_bibliographies
        if not bibs:
            return
        report("indexing " + ", ".join(path.name for path in bibs))
        try:
            index = workspace.index(tuple(dict.fromkeys(bibs)))
        except (BibliographyError, OSError):
            return  # the lint reports it
        report(f"indexed {len(index.entries_by_key):,} entries")

    def _lint_isolated(
        self, snapshot: Snapshot, drafts: list[Path], skipped: list[SkippedFile]
    ) -> LintResult:
        """Lint the drafts together; if that fails, find the drafts that fail alone, report
        each with RW011 (and why), and lint the others together: one bad file never
        blinds the folder."""
        texts = snapshot.texts
        try:
            return lint_paths([], self.workspace, self.history, texts, drafts, skipped)
        except Exception as problem:  # any failure: isolate it below
            _log_failure(problem)
        failing: dict[Path, Exception] = {}
        for draft in drafts:
            try:
                lint_paths([], self.workspace, self.history, texts, [draft])
            except Exception as problem:  # this draft fails on its own
                failing[draft] = problem
        good = [draft for draft in drafts if draft not in failing]
        try:
            result = lint_paths([], self.workspace, self.history, texts, good, skipped)
        except Exception as problem:  # not one draft's fault (a bibliography, say)
            _log_failure(problem)
            failing.update({draft: problem for draft in good})
            result = LintResult([], drafts, [])
        result.findings.extend(_not_checked(path, problem) for path, problem in failing.items())
        return result

    def _relint_changed(
        self, path: Path, snapshot: Snapshot, previous: FileResult | None
    ) -> FileResult | None:
        """The result of an edited large draft from its previous one, or None when it needs
        a full analysis (small, first seen, bibliographies changed or named differently)."""
        document = snapshot.documents.get(path)
        kind = document_kind(str(path))
        if (
            document is None
            or kind is None
            or len(document.text) < INCREMENTAL_CHARACTERS
            or previous is None
            or previous.text is None
            or previous.analysis is None
        ):
            return None
        analysis = previous.analysis
        index = analysis.index
        if index is None:
            return None
        if self.workspace.index(analysis.bibliographies) is not index.base_index():
            return None  # a bibliography changed: every citation may resolve differently
        findings = relint_changed(
            str(path),
            previous.text,
            document.text,
            previous.findings,
            kind,
            index,
            self.config,
            whole_document=self.workspace.alone(path),
        )
        if findings is None:
            return None
        return FileResult(
            path, document.version, document.text, analysis, tuple(findings), incremental=True
        )

    def _discover(self, snapshot: Snapshot) -> tuple[list[Path], list[SkippedFile]]:
        """The folder's drafts (on disk, and open ones not saved yet) and the files its walk
        skipped; sets the bibliographies found as the fallback for drafts naming none."""
        open_drafts = [
            path
            for path in snapshot.documents
            if document_kind(str(path))
            and not self._excluded(path)
            and (path.parent == self.path or self.walk and self.path in path.parents)
        ]
        if not self.walk:
            return open_drafts, []
        found = discover([self.path], self.config.exclude)
        self.workspace.discovered_bibliographies = found.bibliographies
        on_disk = set(found.drafts)
        return found.drafts + [p for p in open_drafts if p not in on_disk and not p.exists()], (
            found.skipped
        )

    def _excluded(self, path: Path) -> bool:
        patterns = self.config.exclude
        return any(fnmatch(str(path), p) or fnmatch(path.name, p) for p in patterns)

    def _tables_for(
        self, analyses: list[DocumentAnalysis], complete: bool
    ) -> Mapping[int, CompletionTable]:
        """Completion tables of the indexes in use, built here rather than on a keystroke."""
        tables: dict[int, CompletionTable] = {}
        # One table of search data per bibliography index, shared by documents' views.
        by_base = {
            id(table.search.base): table for table in self._tables.values() if table is not None
        }
        for analysis in analyses:
            index = analysis.index
            if index is None or id(index) in tables:
                continue
            table = self._tables.get(id(index))
            if table is None or table.index is not index:
                base = index.base_index()
                table = CompletionTable(index, by_base.get(id(base)))
                by_base[id(base)] = table
            tables[id(index)] = table
        self._tables = tables if complete else {**self._tables, **tables}
        return MappingProxyType(tables)


def _stamp(path: Path) -> tuple[int, int] | None:
    try:
        info = path.stat()
    except OSError:
        return None
    return info.st_mtime_ns, info.st_size


def indexes_of(outcome_files: Mapping[Path, FileResult]) -> list[CitationIndex]:
    """The distinct label indexes the analyses of these files use."""
    seen: dict[int, CitationIndex] = {}
    for result in outcome_files.values():
        if result.analysis is not None and result.analysis.index is not None:
            seen.setdefault(id(result.analysis.index), result.analysis.index)
    return list(seen.values())


def _log_failure(problem: Exception) -> None:
    expected = (LintUsageError, BibliographyError, OSError, TimeoutError, RecursionError)
    if isinstance(problem, expected):
        logger.warning("lint failed: %s", problem)
    else:  # a bug: keep the traceback in the log
        logger.exception("lint failed", exc_info=problem)


def _not_checked(path: Path, problem: Exception) -> Finding:
    reason = str(problem) or type(problem).__name__
    reason = reason.removeprefix(f"{path}: ")
    return Finding("RW011", f"skipped {path.name}: {reason}", SourceSpan(str(path), 0, 0, 0, 0))

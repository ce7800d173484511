"""The server's workspace index: one core Workspace per root folder, open buffers as
overlays, and the latest lint result. No LSP types here."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ..bibliography.files import BibliographyError
from ..bibliography.model import BibEntry
from ..citations.resolution import CitationIndex, WorkResolution
from ..config import Config, ConfigError, config_from_mapping, find_config_file, read_config_data
from ..findings import Finding
from ..lint.run import History, LintResult, LintUsageError, lint_paths
from ..lint.workspace import DocumentAnalysis, Workspace, same_objects
from ..positions import LineIndex
from .completion import CompletionTable

# Findings that depend on other drafts: the per-draft quick lint cannot recompute them.
CROSS_DRAFT_CODES = frozenset({"RW101"})


@dataclass
class Root:
    """One workspace folder with its configuration and latest results."""

    path: Path
    workspace: Workspace
    history: History
    result: LintResult | None = None
    error: str | None = None
    # Why the configuration (file or client settings) was not taken as given.
    config_error: str | None = None
    findings_by_path: dict[str, list[Finding]] = field(default_factory=dict)

    @property
    def analyses(self) -> list[DocumentAnalysis]:
        return self.result.analyses if self.result else []


# Client settings about trust: never read from a file in the workspace.
TRUST_SETTINGS = ("allow_outside_paths", "workspace_trusted")


def build_config(root: Path, settings: dict[str, Any]) -> tuple[Config, str | None]:
    """relwork.toml/pyproject of the root, overridden by client settings.

    A workspace's own files cannot widen what is read: paths outside ``root`` are refused
    unless the client setting ``allow_outside_paths`` is true, and git is not run when the
    client says the workspace is not trusted (``workspace_trusted: false``)."""
    data: dict[str, Any] = {}
    base = root
    error = None
    config_file = find_config_file(root)
    client = {k: v for k, v in settings.items() if k not in TRUST_SETTINGS}
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


class ServerState:
    """Everything the language server knows about the workspace."""

    def __init__(self, roots: list[Path], settings: dict[str, Any] | None = None) -> None:
        self.settings = settings or {}
        self.overlays: dict[Path, str] = {}
        self.roots: list[Root] = []
        self._tables: dict[int, CompletionTable] = {}
        self._files: dict[Path, tuple[tuple[int, int], str]] = {}
        self._citing: tuple[tuple[DocumentAnalysis, ...], dict[Any, Any]] | None = None
        for root in roots:
            self.add_root(root)

    def add_root(self, path: Path) -> Root:
        config, error = build_config(path, self.settings)
        workspace = Workspace(config)
        workspace.overlays = self.overlays
        history = History(list(config.bibliographies_before), config.since)
        root = Root(path, workspace, history, config_error=error)
        self.roots.append(root)
        return root

    def reconfigure(self, settings: dict[str, Any]) -> None:
        self.settings = settings
        paths = [root.path for root in self.roots]
        self.roots = []
        for path in paths:
            self.add_root(path)

    def root_for(self, path: Path) -> Root:
        """The root folder containing ``path`` (the deepest), or a new root at its folder."""
        containing = [r for r in self.roots if path == r.path or r.path in path.parents]
        if not containing:
            return self.add_root(path.parent)
        return max(containing, key=lambda r: len(r.path.parts))

    # -- analysis ----------------------------------------------------------------------

    def snapshot(self, root: Root) -> dict[Path, str]:
        """The open buffers under a root, as they are now."""
        return {p: t for p, t in list(self.overlays.items()) if root.path in p.parents}

    def lint(self, root: Root, texts: dict[Path, str] | None = None) -> LintResult | None:
        """Relint a root with the open buffers (or ``texts``); problems become its error."""
        texts = self.snapshot(root) if texts is None else texts
        try:
            root.result = lint_paths([root.path], root.workspace, root.history, texts=texts)
            root.error = None
        except (LintUsageError, BibliographyError, ConfigError, OSError) as problem:
            root.error = str(problem)
            root.result = None
        for analysis in root.result.analyses if root.result else []:
            if analysis.index is not None:
                self.completion_table(analysis.index)  # built now, not on the first keystroke
        grouped: dict[str, list[Finding]] = defaultdict(list)
        for finding in root.result.findings if root.result else []:
            grouped[finding.span.path].append(finding)
        root.findings_by_path = dict(grouped)
        return root.result

    def quick_lint(self, path: Path) -> Root:
        """Relint one draft alone (fast, while typing); keep the root's findings that need
        the other drafts (drift) until the next full lint."""
        root = self.root_for(path)
        text = self.overlays.get(path)
        try:
            result = lint_paths(
                [path],
                root.workspace,
                root.history,
                texts={path: text} if text is not None else None,
            )
        except (LintUsageError, BibliographyError, ConfigError, OSError) as problem:
            root.error = str(problem)
            return root
        key = str(path)
        kept = [f for f in root.findings_by_path.get(key, []) if f.code in CROSS_DRAFT_CODES]
        root.findings_by_path[key] = [f for f in result.findings if f.span.path == key] + kept
        if root.result is not None:
            root.result.analyses = [
                a if a.path != path else next(iter(result.analyses), a)
                for a in root.result.analyses
            ]
        return root

    def analysis(self, path: Path) -> tuple[Root, DocumentAnalysis | None]:
        """The latest analysis of a draft (analysed now if the last lint did not include it)."""
        root = self.root_for(path)
        for analysis in root.analyses:
            if analysis.path == path:
                return root, analysis
        try:
            return root, root.workspace.analyze(path, self.overlays.get(path))
        except (BibliographyError, OSError, TimeoutError):
            return root, None

    def work_at(
        self, path: Path, offset: int
    ) -> tuple[Root, DocumentAnalysis, WorkResolution] | None:
        """The cited work whose text contains ``offset`` (the innermost one)."""
        root, analysis = self.analysis(path)
        if analysis is None:
            return None
        best: WorkResolution | None = None
        for work in analysis.resolution.works:
            if work.start <= offset <= work.end and (
                best is None or work.end - work.start < best.end - best.start
            ):
                best = work
        return (root, analysis, best) if best is not None else None

    def entry_at(self, path: Path, offset: int) -> tuple[CitationIndex, BibEntry] | None:
        """A bibliography entry whose key is at ``offset`` of a bibliography file."""
        text = self.text_of(path)
        if text is None:
            return None
        line, column = LineIndex(text).position(offset)
        wanted = str(path)
        for index in self.indexes():
            for entry in index.entries_by_key.values():
                span = entry.span
                if (
                    span.line == line
                    and span.column <= column <= span.column + len(entry.key)
                    and span.path == wanted
                ):
                    return index, entry
        return None

    def citing_works(self, entry: BibEntry) -> list[tuple[DocumentAnalysis, WorkResolution]]:
        """Every cited work, in every draft of every root, that resolves to ``entry``."""
        analyses = tuple(a for root in self.roots for a in root.analyses)
        if self._citing is None or not same_objects(self._citing[0], analyses):
            table: dict[tuple[str, str], list[tuple[DocumentAnalysis, WorkResolution]]] = (
                defaultdict(list)
            )
            for analysis in analyses:
                for work in analysis.resolution.works:
                    if work.entry is not None:
                        key = (work.entry.span.path, work.entry.key.lower())
                        table[key].append((analysis, work))
            self._citing = (analyses, table)
        return list(self._citing[1].get((entry.span.path, entry.key.lower()), []))

    def indexes(self) -> list[CitationIndex]:
        """Each bibliography index once (documents' label views share their base index)."""
        seen: dict[int, CitationIndex] = {}
        for root in self.roots:
            for analysis in root.analyses:
                if analysis.index is not None:
                    base = getattr(analysis.index, "base", analysis.index)
                    seen.setdefault(id(base), base)
        return list(seen.values())

    def completion_table(self, index: CitationIndex) -> CompletionTable:
        table = self._tables.get(id(index))
        if table is None or table.index is not index:
            table = self._tables[id(index)] = CompletionTable(index)
        return table

    def findings_for(self, path: Path) -> list[Finding]:
        found: list[Finding] = []
        for root in self.roots:
            found.extend(root.findings_by_path.get(str(path), []))
        return found

    def text_of(self, path: Path) -> str | None:
        """An open buffer's text, else the file's (read again only when it changed)."""
        if path in self.overlays:
            return self.overlays[path]
        try:
            stat = path.stat()
            stamp = (stat.st_mtime_ns, stat.st_size)
            cached = self._files.get(path)
            if cached is not None and cached[0] == stamp:
                return cached[1]
            text = self.root_for(path).workspace.text_of(path)
        except OSError:
            return None
        self._files[path] = (stamp, text)
        return text

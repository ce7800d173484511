"""The server's workspace index: one core Workspace per root folder, open buffers as
overlays, and the latest lint result. No LSP types here."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from .bibliography import BibEntry
from .bibliography_files import BibliographyError
from .completion import CompletionTable
from .config import Config, ConfigError, config_from_mapping, find_config_file, read_config_data
from .findings import Finding
from .lint import History, LintResult, LintUsageError, lint_paths
from .positions import LineIndex
from .resolution import CitationIndex, WorkResolution
from .workspace import DocumentAnalysis, Workspace


@dataclass
class Root:
    """One workspace folder with its configuration and latest results."""

    path: Path
    workspace: Workspace
    history: History
    result: LintResult | None = None
    error: str | None = None
    findings_by_path: dict[str, list[Finding]] = field(default_factory=dict)

    @property
    def analyses(self) -> list[DocumentAnalysis]:
        return self.result.analyses if self.result else []


def build_config(root: Path, settings: dict[str, Any]) -> tuple[Config, str | None]:
    """relwork.toml/pyproject of the root, overridden by client settings."""
    data: dict[str, Any] = {}
    base = root
    error = None
    config_file = find_config_file(root)
    try:
        if config_file is not None:
            data = read_config_data(config_file)
            base = config_file.parent
        data = {**data, **settings}
        return config_from_mapping(data, base, where=str(config_file or "settings")), None
    except ConfigError as problem:
        error = str(problem)
    return Config(root=root), error


class ServerState:
    """Everything the language server knows about the workspace."""

    def __init__(self, roots: list[Path], settings: dict[str, Any] | None = None) -> None:
        self.settings = settings or {}
        self.overlays: dict[Path, str] = {}
        self.roots: list[Root] = []
        self._tables: dict[int, CompletionTable] = {}
        for root in roots:
            self.add_root(root)

    def add_root(self, path: Path) -> Root:
        config, error = build_config(path, self.settings)
        workspace = Workspace(config)
        workspace.overlays = self.overlays
        history = History(list(config.bibliographies_before), config.since)
        root = Root(path, workspace, history, error=error)
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

    def lint(self, root: Root) -> LintResult | None:
        """Relint a root with the open buffers; problems become the root's error."""
        texts = {p: t for p, t in self.overlays.items() if root.path in p.parents}
        try:
            root.result = lint_paths([root.path], root.workspace, root.history, texts=texts)
            root.error = None
        except (LintUsageError, BibliographyError, ConfigError, OSError) as problem:
            root.error = str(problem)
            root.result = None
        grouped: dict[str, list[Finding]] = defaultdict(list)
        for finding in root.result.findings if root.result else []:
            grouped[finding.span.path].append(finding)
        root.findings_by_path = dict(grouped)
        return root.result

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
        for root in self.roots:
            for analysis in root.analyses:
                if analysis.index is None:
                    continue
                for entry in analysis.index.entries_by_key.values():
                    if Path(entry.span.path) != path:
                        continue
                    text = root.workspace.text_of(path)
                    start = _offset(text, entry.span.line, entry.span.column)
                    if start <= offset <= start + len(entry.key):
                        return analysis.index, entry
        return None

    def citing_works(self, entry: BibEntry) -> list[tuple[DocumentAnalysis, WorkResolution]]:
        """Every cited work, in every draft of every root, that resolves to ``entry``."""
        found = []
        for root in self.roots:
            for analysis in root.analyses:
                for work in analysis.resolution.works:
                    if work.entry is not None and _same_entry(work.entry, entry):
                        found.append((analysis, work))
        return found

    def indexes(self) -> list[CitationIndex]:
        seen: dict[int, CitationIndex] = {}
        for root in self.roots:
            for analysis in root.analyses:
                if analysis.index is not None:
                    seen.setdefault(id(analysis.index), analysis.index)
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
        if path in self.overlays:
            return self.overlays[path]
        try:
            return self.root_for(path).workspace.text_of(path)
        except OSError:
            return None


def _same_entry(a: BibEntry, b: BibEntry) -> bool:
    return a is b or (a.key.lower() == b.key.lower() and a.span.path == b.span.path)


def _offset(text: str, line: int, column: int) -> int:
    return LineIndex(text).offset(line, column)

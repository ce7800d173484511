"""Headless lint: every finding of a set of drafts and their bibliographies, and --fix."""

from __future__ import annotations

import fnmatch
import re
from collections.abc import Callable, Mapping, Sequence
from contextlib import suppress
from dataclasses import dataclass, field
from functools import partial
from pathlib import Path

from ..bibliography.files import BibliographyError, UnreadableFile, load_bibliography
from ..bibliography.labels import LabelOptions
from ..bibliography.model import BibEntry, Bibliography, SourceSpan
from ..checks.bibliography import (
    conflicting_definitions,
    duplicate_work_findings,
    unused_entry_findings,
)
from ..checks.draft_alignment import AlignedWork, detect_groups, shingles
from ..checks.drift import DraftVersion, align_versions, drift_findings
from ..checks.history import old_bibliography_from_git, stale_label_findings
from ..checks.style import style_findings
from ..checks.suppression import Directives, filter_suppressed, unknown_code_findings
from ..citations.cited_set import DocumentIndex
from ..citations.columns import without_fixes_across_columns
from ..citations.resolution import CitationIndex
from ..findings import Finding, severity_rank
from ..git_files import last_commit_time
from .edits import apply_fixes, fixes_by_file
from .fixes import (
    FileSnapshot,
    FixNotWritten,
    write_atomically,
)
from .fixes import unified_diff as make_diff
from .reports import display_path
from .workspace import DocumentAnalysis, SkippedFile, Workspace, discover

MAX_FIX_PASSES = 4
# Findings on a bibliography outside the linted folders that still concern the drafts: the
# rest (duplicates, repeated fields…) is for whoever keeps that library.
_READ_PROBLEMS = frozenset({"RW011", "RW014", "RW303"})
# A stale label (RW102) says more about a work than these findings at the same place.
_SUPERSEDED_BY_STALE = frozenset({"RW001", "RW002", "RW003", "RW006", "RW101"})


class LintUsageError(Exception):
    """The lint cannot run as asked (missing path, no bibliography); exit status 2."""


@dataclass
class History:
    """The bibliography before the change: files (--bib-before) or a git revision (--since)."""

    before: list[Path] = field(default_factory=list)
    since: str | None = None

    @property
    def active(self) -> bool:
        return bool(self.before or self.since)


@dataclass
class LintResult:
    findings: list[Finding]
    drafts: list[Path]
    bibliographies: list[Path]
    analyses: list[DocumentAnalysis] = field(default_factory=list)
    # RW014: what went wrong inside relwork-ls, one per file (kept whatever select says,
    # so that the exit status and the report's notifications show it).
    internal_errors: list[Finding] = field(default_factory=list)


def internal_error(path: Path | str, doing: str, error: BaseException) -> Finding:
    """RW014 for an unexpected exception while ``doing`` something with one file."""
    detail = str(error).splitlines()[0][:200] if str(error) else ""
    message = (
        f"internal error while {doing} this file ({type(error).__name__}"
        f"{': ' + detail if detail else ''}); the other files were checked. Please report it."
    )
    return Finding("RW014", message, SourceSpan(str(path), 0, 0, 0, 0))


class _Isolated:
    """Runs one file's step so that a failure costs that file only: the other drafts and
    bibliographies are still checked, and the failure becomes a finding."""

    def __init__(self) -> None:
        self.findings: list[Finding] = []

    def run(self, path: Path | str, doing: str, step: Callable[[], list[Finding]]) -> list[Finding]:
        try:
            return step()
        except TimeoutError:
            finding = _timeout(path, doing)
        except Exception as error:  # noqa: BLE001 - any bug: one finding, not a crash
            finding = internal_error(path, doing, error)
        self.findings.append(finding)
        return []


def _natural_key(path: Path) -> list[object]:
    return [int(p) if p.isdigit() else p for p in re.split(r"(\d+)", str(path))]


def draft_groups(analyses: list[DocumentAnalysis], workspace: Workspace) -> list[list[Path]]:
    """Configured groups (in their order), then groups detected by shared text."""
    config = workspace.config
    paths = [a.path for a in analyses]
    groups: list[list[Path]] = []
    grouped: set[Path] = set()
    for patterns in config.drafts:
        members: list[Path] = []
        for pattern in patterns:
            full = str((config.root / pattern).resolve())
            for path in paths:
                if path not in members and (str(path) == full or fnmatch.fnmatch(str(path), full)):
                    members.append(path)
        if len(members) > 1:
            groups.append(members)
            grouped.update(members)
    if config.detect_drafts:
        texts = {str(a.path): a.text for a in analyses if a.path not in grouped and a.citations}

        def cached_shingles(path: str, text: str) -> set[int]:
            return workspace.memo("shingles", path, text, lambda: shingles(text))

        for detected in detect_groups(texts, cached_shingles):
            groups.append(_oldest_first([Path(p) for p in detected], config.allow_git))
    return groups


def _oldest_first(paths: list[Path], use_git: bool) -> list[Path]:
    """Drafts by when they were last changed: the last commit touching each, else its
    modification time; the name breaks ties ("v2" after "v1")."""

    def moment(path: Path) -> tuple[float, float, list[object]]:
        try:
            modified = path.stat().st_mtime
        except OSError:
            modified = 0.0
        committed = last_commit_time(path) if use_git else None
        return (committed if committed is not None else modified, modified, _natural_key(path))

    return sorted(paths, key=moment)


class _Linter:
    def __init__(self, workspace: Workspace, history: History) -> None:
        self.workspace = workspace
        self.history = history
        self._old_indexes: dict[tuple[Path, ...], CitationIndex | None] = {}
        # Why the older bibliography could not be read (RW013), once per cause.
        self.problems: list[Finding] = []

    def old_index(self, bibs: tuple[Path, ...]) -> CitationIndex | None:
        """The label index of the bibliography before the change; None when it cannot be
        read (an invalid revision, git refused): reported once, RW102 is skipped."""
        if bibs not in self._old_indexes:
            try:
                old = self._old_bibliography(bibs)
            except BibliographyError as error:
                self._old_indexes[bibs] = None
                where = self.workspace.config.source or bibs[0]
                message = f"cannot check for stale labels (RW102): {error}"
                if all(f.message != message for f in self.problems):
                    self.problems.append(
                        Finding("RW013", message, SourceSpan(str(where), 0, 0, 0, 0))
                    )
                return None
            config = self.workspace.config
            self._old_indexes[bibs] = CitationIndex(
                old, LabelOptions(config.style, config.two_author_joiner)
            )
        return self._old_indexes[bibs]

    def _old_bibliography(self, bibs: tuple[Path, ...]) -> Bibliography:
        config = self.workspace.config
        if self.history.before:
            old = Bibliography()
            for path in self.workspace.permitted(self.history.before, config.source):
                old.extend(load_bibliography(path, max_bytes=config.max_file_bytes))
            return old
        if not self.workspace.config.allow_git:
            raise BibliographyError("git is not run in an untrusted workspace")
        return old_bibliography_from_git(list(bibs), self.history.since or "HEAD")

    def document_findings(self, analysis: DocumentAnalysis) -> list[Finding]:
        findings = list(analysis.findings)
        works = analysis.resolution.works
        findings += style_findings(
            analysis.document, works, analysis.index, self.workspace.config.suffix_separator
        )
        if self.history.active and analysis.index is not None and analysis.bibliographies:
            old = self.old_index(analysis.bibliographies)
            if old is not None:
                findings += stale_label_findings(
                    analysis.document,
                    analysis.citations,
                    analysis.resolution,
                    old,
                    analysis.index,
                )
        return findings


def _supersede(findings: list[Finding]) -> list[Finding]:
    stale_at = {(f.span.path, f.span.line, f.span.column) for f in findings if f.code == "RW102"}
    return [
        f
        for f in findings
        if f.code not in _SUPERSEDED_BY_STALE
        or (f.span.path, f.span.line, f.span.column) not in stale_at
    ]


def lint_paths(
    paths: list[Path],
    workspace: Workspace,
    history: History | None = None,
    texts: Mapping[Path, str] | None = None,
    drafts: list[Path] | None = None,
    skipped: Sequence[SkippedFile] = (),
) -> LintResult:
    """Lint the drafts under ``paths`` and the bibliographies they use.

    ``texts`` overrides file contents (the fixer passes what it read). With ``drafts``
    (the language server, which walks its folder itself) only those are linted, against
    ``workspace.discovered_bibliographies`` as set before, and ``skipped`` are the files
    the walk could not take: nothing is walked here.
    """
    history = history or History()
    explicit_drafts: set[Path] = set()
    if drafts is None:
        for path in paths:
            if not path.exists() and not path.is_symlink():
                raise LintUsageError(f"no such file or directory: {path}")
        max_bytes = workspace.config.max_file_bytes
        found = discover(paths, workspace.config.exclude, max_bytes=max_bytes)
        explicit = {path.absolute() for path in paths if not path.is_dir()}
        for skipped_file in found.skipped:
            if skipped_file.path in explicit:  # a file named on the command line: say so
                raise LintUsageError(f"{skipped_file.path}: {skipped_file.reason}")
        drafts, skipped = found.drafts, found.skipped
        explicit_drafts = {path.resolve() for path in explicit}
        workspace.discovered_bibliographies = found.bibliographies or _beside_named_drafts(
            paths, workspace
        )
    found_bibs = workspace.discovered_bibliographies
    linter = _Linter(workspace, history)
    isolated = _Isolated()
    analyses: list[DocumentAnalysis] = []
    findings: list[Finding] = [_skipped_finding(file) for file in skipped]
    drafts = list(drafts)
    for draft in drafts:  # grows: a LaTeX root brings the files it includes
        try:
            analysis = workspace.analyze(draft, (texts or {}).get(draft), texts)
            drafts.extend(m for m in workspace.members_of(draft) if m not in drafts)
        except OSError as error:  # UnreadableFile among others: the draft is skipped
            if draft in explicit_drafts:
                reason = error.reason if isinstance(error, UnreadableFile) else error.strerror
                raise LintUsageError(f"{draft}: {reason or error}") from error
            if isinstance(error, TimeoutError):
                isolated.findings.append(_timeout(draft, "finding its bibliography"))
            else:
                findings.append(_skipped_finding(SkippedFile(draft, _read_failure(error))))
            continue
        except Exception as error:  # noqa: BLE001 - one bad draft is one finding
            isolated.findings.append(internal_error(draft, "analysing", error))
            continue
        if (
            analysis.citations
            and not analysis.bibliographies
            and not workspace.refused
            and not workspace.unreadable
            and not workspace.missing
        ):
            raise LintUsageError(
                f"{draft}: no bibliography: pass --bib FILE, list `bibliographies` in "
                "relwork.toml, or name one in the document"
            )
        analyses.append(analysis)
        findings.extend(
            isolated.run(draft, "checking", partial(linter.document_findings, analysis))
        )
    newest = analyses[-1].path if analyses else Path(".")
    findings.extend(isolated.run(newest, "comparing drafts", lambda: _drift(analyses, workspace)))
    used: list[Path] = []
    for analysis in analyses:
        used.extend(b for b in analysis.bibliographies if b not in used)
    configured_bibs = workspace.present(
        workspace.permitted(workspace.config.bibliographies, workspace.config.source)
    )
    for bib in [*workspace.extra_bibliographies, *configured_bibs, *found_bibs]:
        if bib not in used:
            used.append(bib)
    for bib in used:
        if not bib.exists() and not bib.is_symlink() and bib not in workspace.overlays:
            raise LintUsageError(f"bibliography not found: {bib}")
    findings.extend(_cited_setting_findings(workspace, analyses))
    with_bibliography = {a.path for a in analyses if a.bibliographies}
    for missing, named_in in sorted(workspace.missing.items(), key=lambda item: str(item[0])):
        if named_in in with_bibliography:
            continue  # the draft fell back on another bibliography, which it resolves with
        where = named_in or missing
        findings.append(
            Finding(
                "RW011",
                f"{missing.name} is named as a bibliography but does not exist ({missing})",
                SourceSpan(str(where), 0, 0, 0, 0),
            )
        )
    owned = [p.resolve() if p.is_dir() else p.resolve().parent for p in paths]
    owned.append(workspace.config.root.resolve())
    for bib in used:
        found_there = isolated.run(bib, "reading", partial(workspace.bibliography_findings, [bib]))
        if not _inside_any(bib, owned):
            # A shared library elsewhere: only what keeps its entries from being read.
            found_there = [f for f in found_there if f.code in _READ_PROBLEMS]
        findings.extend(found_there)
    for analysis in analyses:
        findings.extend(workspace.combination_findings.get(analysis.bibliographies, []))
    findings.extend(_refused_findings(workspace))
    findings.extend(linter.problems)
    # Drafts named one by one (a pre-commit hook, an editor's file): bibliography checks
    # about what they do not cite are not theirs to report.
    files_only = bool(paths) and not any(p.is_dir() for p in paths)
    findings.extend(_bibliography_checks(analyses, workspace, owned, isolated, files_only))
    findings.extend(isolated.findings)
    findings = _supersede(findings)
    internal = [f for f in findings if f.code == "RW014"]
    sources = {str(a.path): a.text for a in analyses}
    used_paths = {str(path) for path in used}
    for path_text in {f.span.path for f in findings} & used_paths:
        path = Path(path_text)
        if path not in workspace.unreadable:
            with suppress(OSError):  # reported already; its findings stay unsuppressed
                sources[path_text] = workspace.text_of(path)
    directives: dict[str, Directives] = {}
    findings = filter_suppressed(findings, sources, directives)
    findings.extend(unknown_code_findings(sources, directives))
    # A fix must not reach across the columns of a two-column page's text.
    plain = {str(a.path): a.text for a in analyses if a.kind == "text"}
    findings = without_fixes_across_columns(findings, plain)
    configured = [f for f in (workspace.configure(f) for f in findings) if f is not None]
    unique = {(f.span, f.code, f.message): f for f in configured}
    result = sorted(
        unique.values(), key=lambda f: (f.span.path, f.span.line, f.span.column, f.code)
    )
    return LintResult(result, drafts, used, analyses, internal)


def _timeout(path: Path | str, doing: str) -> Finding:
    message = f"too complex to finish {doing} in time; that step was skipped"
    return Finding("RW009", message, SourceSpan(str(path), 0, 0, 0, 0))


def _read_failure(error: OSError) -> str:
    if isinstance(error, UnreadableFile):
        return error.reason
    return f"cannot be read: {error.strerror or error}"


def _beside_named_drafts(paths: list[Path], workspace: Workspace) -> list[Path]:
    """The one bibliography under the folders of drafts named alone, if there is exactly one
    (a pre-commit hook names the files a commit touches; the .bib may sit in a subfolder)."""
    folders = list(dict.fromkeys(path.resolve().parent for path in paths if path.is_file()))
    found = discover(folders, workspace.config.exclude).bibliographies if folders else []
    return found if len(found) == 1 else []


def _cited_setting_findings(
    workspace: Workspace, analyses: list[DocumentAnalysis]
) -> list[Finding]:
    """The `cited` and `cited_from` settings, checked: a key no bibliography in use has
    (RW007), a file that does not exist (RW011); reported on the config file."""
    config = workspace.config
    where = SourceSpan(str(config.source or config.root), 0, 0, 0, 0)
    findings = []
    indexes = [a.index for a in analyses if a.index is not None]
    if indexes:
        for key in config.cited:
            if all(index.entry(key) is None for index in indexes):
                findings.append(
                    Finding("RW007", f"'{key}' (in `cited`) is in no bibliography in use", where)
                )
    for path in config.cited_from:
        if not path.is_file():
            findings.append(
                Finding("RW011", f"{path.name} (in `cited_from`) does not exist ({path})", where)
            )
    return findings


def _skipped_finding(skipped: SkippedFile) -> Finding:
    span = SourceSpan(str(skipped.path), 0, 0, 0, 0)
    return Finding("RW011", f"skipped {skipped.path.name}: {skipped.reason}", span)


def _refused_findings(workspace: Workspace) -> list[Finding]:
    """RW012 for each path named by configuration or a draft that lies outside the
    workspace folder (reported where it was named)."""
    findings = []
    root = workspace.config.trusted_root
    for path, named_in in sorted(workspace.refused.items(), key=lambda item: str(item[0])):
        where = named_in or path
        findings.append(
            Finding(
                "RW012",
                f"not read: {path} is outside the workspace folder {root}; allow it with the "
                "editor setting relwork.allow_outside_paths",
                SourceSpan(str(where), 0, 0, 0, 0),
            )
        )
    return findings


def _drift(analyses: list[DocumentAnalysis], workspace: Workspace) -> list[Finding]:
    by_path = {a.path: a for a in analyses}
    findings: list[Finding] = []
    for group in draft_groups(analyses, workspace):
        versions = []
        for path in group:
            analysis = by_path[path]
            if analysis.index is not None:
                versions.append(
                    workspace.memo(
                        "draft-version",
                        path,
                        analysis,
                        lambda a=analysis: DraftVersion(  # type: ignore[misc]
                            a.document, a.resolution.works, a.index
                        ),
                    )
                )

        def align(here: DraftVersion, there: DraftVersion) -> list[AlignedWork]:
            return workspace.memo(
                "alignment",
                (here.path, there.path),
                (here, there),
                lambda: align_versions(here, there),
            )

        findings.extend(drift_findings(versions, align))
    return findings


def _bibliography_checks(
    analyses: list[DocumentAnalysis],
    workspace: Workspace,
    owned: list[Path],
    isolated: _Isolated,
    files_only: bool = False,
) -> list[Finding]:
    """RW301 for each bibliography set that some draft cites from; RW302 (when enabled)
    for entries no document cites, in bibliographies the workspace owns (a shared library
    elsewhere is not ours to prune). With ``files_only`` (drafts named one by one), RW301
    only for duplicates the drafts cite. A failure on one bibliography is one finding."""
    findings: list[Finding] = []
    documents: dict[int, list[DocumentIndex]] = {}
    bases: dict[int, CitationIndex] = {}
    referenced: dict[int, list[BibEntry]] = {}
    for analysis in analyses:
        view = analysis.index
        if view is None or not analysis.citations:
            continue
        base = view.base_index()
        bases[id(base)] = base
        referenced.setdefault(id(base), []).extend(
            entry
            for work in analysis.resolution.works
            for entry in ((work.entry,) if work.entry is not None else work.candidates)
        )
        if isinstance(view, DocumentIndex) and all(
            v is not view for v in documents.get(id(base), [])
        ):
            documents.setdefault(id(base), []).append(view)
    for key, base in bases.items():
        views = documents.get(key, [])
        where = base.bibliography.paths[0] if base.bibliography.paths else "."
        if not any(_inside_any(Path(p), owned) for p in base.bibliography.paths):
            continue  # a shared library elsewhere: its duplicates are its keeper's business
        if base.bibliography.unreliable:
            continue  # a reference list read in pieces: RW311 said so
        findings.extend(
            isolated.run(
                where, "checking", partial(_duplicates, workspace, base, views, files_only)
            )
        )
        conflicts = partial(conflicting_definitions, base)
        findings.extend(
            isolated.run(
                where, "checking", partial(workspace.memo, "conflicts", key, base, conflicts)
            )
        )
        setting = workspace.config.unused_entries
        entries = base.entries_by_key.values()
        own_list = bool(entries) and all(e.source_format == "reference-list" for e in entries)
        if setting or (setting is None and own_list):
            # A reference list is printed whole: there, unused means never referred to.
            # Relative to what the documents cite, and to every work a citation resolved to.
            used: list[DocumentIndex | BibEntry] = list(referenced.get(key, []))
            if not own_list:
                used.extend(views)
            unused = isolated.run(where, "checking", partial(unused_entry_findings, base, used))
            findings.extend(f for f in unused if _inside_any(Path(f.span.path), owned))
    return findings


def _inside_any(path: Path, folders: list[Path]) -> bool:
    resolved = path.resolve()
    return any(resolved == f or f in resolved.parents for f in folders)


def _duplicates(
    workspace: Workspace, index: CitationIndex, views: list[DocumentIndex], cited_only: bool
) -> list[Finding]:
    """RW301 of an index, computed once per version of its bibliographies and documents."""
    key = (tuple(index.bibliography.paths), cited_only)
    return workspace.memo(
        "duplicates",
        key,
        (index, *views),
        lambda: duplicate_work_findings(index, views, cited_only),
    )


def exit_status(findings: list[Finding], fail_on: str) -> int:
    """1 when some finding is at least as severe as ``fail_on``, else 0."""
    threshold = severity_rank(fail_on)
    return 1 if any(severity_rank(f.severity) <= threshold for f in findings) else 0


@dataclass
class FixOutcome:
    result: LintResult
    changed: dict[Path, tuple[str, str]]  # path → (before, after): what the fixes change
    skipped: list[str]  # why a file was not fixed, one line each
    written: list[Path] = field(default_factory=list)  # the files actually rewritten
    # Files that begin with a byte-order mark (kept by --fix; shown by --diff).
    with_bom: set[Path] = field(default_factory=set)


def _writable_roots(paths: list[Path]) -> list[Path]:
    """Where --fix may write: the linted folders, and the folder of each file named (as
    named: a link named on the command line does not carry the fix to its target's folder
    unless the target lies there too)."""
    roots = []
    for path in paths:
        folder = path if path.is_dir() else path.absolute().parent
        roots.append(folder.resolve())
    return roots


def _outside(path: Path, roots: list[Path]) -> bool:
    return not any(path == root or root in path.parents for root in roots)


def lint_and_fix(
    paths: list[Path],
    workspace: Workspace,
    history: History | None = None,
    unsafe: bool = False,
    write: bool = True,
) -> FixOutcome:
    """Apply fixes until nothing changes (at most a few passes), then lint once more.

    Every draft is read once, up front; edits are computed on exactly that text, and a file
    that changed on disk meanwhile, a read-only file or folder, a locked file and a file
    reached through a link out of the linted folders are not written (each is reported in
    ``skipped``). With ``write=False`` nothing is written and ``changed`` holds what would
    change.
    """
    for path in paths:
        if not path.exists():
            raise LintUsageError(f"no such file or directory: {path}")
    snapshots: dict[Path, FileSnapshot] = {}
    skipped: list[str] = []
    max_bytes = workspace.config.max_file_bytes
    for draft in discover(paths, workspace.config.exclude, max_bytes=max_bytes).drafts:
        if draft.suffix.lower() == ".docx":
            skipped.append(f"{draft}: Word documents are checked, not fixed")
            continue
        try:
            snapshot = FileSnapshot.read(draft, max_bytes)
        except OSError as error:
            skipped.append(f"{draft}: {_read_failure(error)}; not fixed")
            continue
        if snapshot is None:
            skipped.append(f"{draft}: not valid UTF-8; not fixed")
        else:
            snapshots[draft] = snapshot
    current = {path: snapshot.text for path, snapshot in snapshots.items()}
    for _ in range(MAX_FIX_PASSES):
        result = lint_paths(paths, workspace, history, texts=current)
        progressed = False
        for path_text, file_fixes in fixes_by_file(result.findings, unsafe).items():
            path = Path(path_text)
            if path not in current:
                continue  # a bibliography, or a file we could not decode
            updated = apply_fixes(current[path], file_fixes)
            if updated != current[path]:
                current[path] = updated
                progressed = True
        if not progressed:
            break
    changed = {
        p: (snapshots[p].text, text) for p, text in current.items() if text != snapshots[p].text
    }
    written: list[Path] = []
    if write:
        roots = _writable_roots(paths)
        for path, (_, after) in sorted(changed.items()):
            if _outside(path, roots):
                skipped.append(
                    f"{path}: reached through a symbolic link out of the linted folders; not "
                    "fixed (name the file itself to fix it)"
                )
                continue
            try:
                write_atomically(snapshots[path], after)
            except FixNotWritten as error:
                skipped.append(str(error))
            except OSError as error:
                skipped.append(f"{path}: could not be written: {error.strerror or error}")
            else:
                written.append(path)
    final = lint_paths(paths, workspace, history, texts=None if write else current)
    with_bom = {path for path in changed if snapshots[path].bom}
    return FixOutcome(final, changed, skipped, written, with_bom)


def unified_diff(outcome: FixOutcome) -> str:
    """The changes as a patch; a file's byte-order mark is part of its first line, so
    ``patch`` finds that line."""
    parts = []
    for path, (before, after) in sorted(outcome.changed.items()):
        mark = "\ufeff" if path in outcome.with_bom else ""
        parts.append(make_diff(display_path(str(path)), mark + before, mark + after))
    return "".join(parts)

"""Headless lint: every finding of a set of drafts and their bibliographies."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from .findings import Finding, severity_rank
from .workspace import Workspace, discover


class LintUsageError(Exception):
    """The lint cannot run as asked (missing path, no bibliography); exit status 2."""


@dataclass
class LintResult:
    findings: list[Finding]
    drafts: list[Path]
    bibliographies: list[Path]


def lint_paths(paths: list[Path], workspace: Workspace) -> LintResult:
    """Lint the drafts under ``paths`` and the bibliographies they use."""
    for path in paths:
        if not path.exists():
            raise LintUsageError(f"no such file or directory: {path}")
    drafts, found_bibs = discover(paths, workspace.config.exclude)
    workspace.discovered_bibliographies = found_bibs
    findings: list[Finding] = []
    used: list[Path] = []
    for draft in drafts:
        analysis = workspace.analyze(draft)
        if analysis.citations and not analysis.bibliographies:
            raise LintUsageError(
                f"{draft}: no bibliography: pass --bib FILE, list `bibliographies` in "
                "relwork.toml, or name one in the document"
            )
        findings.extend(analysis.findings)
        used.extend(analysis.bibliographies)
    for bib in [*workspace.extra_bibliographies, *workspace.config.bibliographies, *found_bibs]:
        if bib not in used:
            used.append(bib)
    for bib in used:
        if not bib.is_file():
            raise LintUsageError(f"bibliography not found: {bib}")
    findings.extend(workspace.bibliography_findings(used))
    configured = [f for f in (workspace.configure(f) for f in findings) if f is not None]
    configured.sort(key=lambda f: (f.span.path, f.span.line, f.span.column, f.code))
    return LintResult(configured, drafts, used)


def exit_status(findings: list[Finding], fail_on: str) -> int:
    """1 when some finding is at least as severe as ``fail_on``, else 0."""
    threshold = severity_rank(fail_on)
    return 1 if any(severity_rank(f.severity) <= threshold for f in findings) else 0

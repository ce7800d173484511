"""Render findings for people and machines: text, JSON, SARIF 2.1.0, GitHub annotations."""

from __future__ import annotations

import json
import os
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from .. import __version__
from ..bibliography.model import SourceSpan
from ..findings import Finding
from ..rules import RULES

FORMATS = ("text", "json", "sarif", "github")
_SARIF_LEVEL = {"error": "error", "warning": "warning", "info": "note", "hint": "note"}


def display_path(path: str, base: Path | None = None) -> str:
    """``path`` relative to ``base`` (default: the current directory) when it is below it."""
    base = base or Path.cwd()
    try:
        return os.path.relpath(path, base) if Path(path).is_absolute() else path
    except ValueError:  # another drive on Windows
        return path


def _span_dict(span: SourceSpan) -> dict[str, Any]:
    # 1-based lines and columns, as editors and CI annotations count them.
    return {
        "path": display_path(span.path),
        "line": span.line + 1,
        "column": span.column + 1,
        "end_line": span.end_line + 1,
        "end_column": span.end_column + 1,
    }


def finding_dict(finding: Finding) -> dict[str, Any]:
    """The JSON object of one finding."""
    fix = None
    if finding.fix is not None:
        fix = {
            "title": finding.fix.title,
            "safe": finding.fix.safe,
            "edits": [{**_span_dict(e.span), "new_text": e.new_text} for e in finding.fix.edits],
        }
    return {
        **_span_dict(finding.span),
        "code": finding.code,
        "severity": finding.severity,
        "message": finding.message,
        "related": [{**_span_dict(r.span), "message": r.message} for r in finding.related],
        "fix": fix,
    }


def format_text(findings: Sequence[Finding]) -> str:
    lines = [
        f"{display_path(f.span.path)}:{f.span.line + 1}:{f.span.column + 1}: "
        f"{f.code} {f.severity} {f.message}"
        for f in findings
    ]
    return "\n".join(lines) + ("\n" if lines else "")


def format_json(findings: Sequence[Finding]) -> str:
    return (
        json.dumps(
            {"version": 1, "findings": [finding_dict(f) for f in findings]},
            ensure_ascii=False,
            indent=2,
        )
        + "\n"
    )


def _sarif_location(span: SourceSpan) -> dict[str, Any]:
    return {
        "physicalLocation": {
            "artifactLocation": {"uri": Path(display_path(span.path)).as_posix()},
            "region": {
                "startLine": span.line + 1,
                "startColumn": span.column + 1,
                "endLine": span.end_line + 1,
                "endColumn": max(span.end_column + 1, 1),
            },
        }
    }


def format_sarif(findings: Sequence[Finding]) -> str:
    """A SARIF 2.1.0 log with one run, in the shape GitHub code scanning accepts."""
    rules = [
        {
            "id": code,
            "name": item.name,
            "shortDescription": {"text": item.summary},
            "fullDescription": {"text": item.explanation},
            "helpUri": item.url,
            "help": {"text": f"{item.explanation} Example: {item.example}"},
            "defaultConfiguration": {"level": _SARIF_LEVEL[item.severity.value]},
        }
        for code, item in sorted(RULES.items())
    ]
    rule_index = {rule["id"]: i for i, rule in enumerate(rules)}
    results = []
    for finding in findings:
        result: dict[str, Any] = {
            "ruleId": finding.code,
            "ruleIndex": rule_index[finding.code],
            "level": _SARIF_LEVEL[finding.severity],
            "message": {"text": finding.message},
            "locations": [_sarif_location(finding.span)],
        }
        if finding.related:
            result["relatedLocations"] = [
                {"id": i, **_sarif_location(r.span), "message": {"text": r.message}}
                for i, r in enumerate(finding.related)
            ]
        results.append(result)
    log = {
        "$schema": "https://json.schemastore.org/sarif-2.1.0.json",
        "version": "2.1.0",
        "runs": [
            {
                "tool": {
                    "driver": {
                        "name": "relwork-ls",
                        "version": __version__,
                        "informationUri": "https://pypi.org/project/relwork-ls/",
                        "rules": rules,
                    }
                },
                "results": results,
            }
        ],
    }
    return json.dumps(log, ensure_ascii=False, indent=2) + "\n"


def _escape_data(text: str) -> str:
    return text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def _escape_property(text: str) -> str:
    return _escape_data(text).replace(":", "%3A").replace(",", "%2C")


def format_github(findings: Sequence[Finding]) -> str:
    """GitHub Actions workflow commands (``::error file=…::message``)."""
    kind = {"error": "error", "warning": "warning", "info": "notice", "hint": "notice"}
    lines = []
    for f in findings:
        props = ",".join(
            [
                f"file={_escape_property(display_path(f.span.path))}",
                f"line={f.span.line + 1}",
                f"col={f.span.column + 1}",
                f"endLine={f.span.end_line + 1}",
                f"endColumn={f.span.end_column + 1}",
                f"title={_escape_property(f.code + ' ' + f.name)}",
            ]
        )
        lines.append(f"::{kind[f.severity]} {props}::{_escape_data(f.message)}")
    return "\n".join(lines) + ("\n" if lines else "")


def render(findings: Sequence[Finding], fmt: str) -> str:
    return {
        "text": format_text,
        "json": format_json,
        "sarif": format_sarif,
        "github": format_github,
    }[fmt](findings)

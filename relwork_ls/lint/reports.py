"""Render findings for people and machines: text, JSON, SARIF 2.1.0, GitHub annotations."""

from __future__ import annotations

import json
import os
from collections.abc import Sequence
from functools import lru_cache
from pathlib import Path
from typing import Any
from urllib.parse import quote

from .. import __version__
from ..bibliography.model import SourceSpan
from ..findings import Finding
from ..rules import RULES

FORMATS = ("text", "json", "sarif", "github")
_SARIF_LEVEL = {"error": "error", "warning": "warning", "info": "note", "hint": "note"}
HELP_URI = "https://pypi.org/project/relwork-ls/"

# What each code means, as the README's table of findings says (SARIF fullDescription).
DESCRIPTIONS = {code: item.explanation for code, item in RULES.items()}


def display_path(path: str, base: Path | None = None) -> str:
    """``path`` relative to ``base`` (default: the current directory) when it is below it."""
    return _relative(path, str(base) if base is not None else os.getcwd())


@lru_cache(maxsize=4096)
def _relative(path: str, base: str) -> str:
    # Cached: a report names the same few files thousands of times.
    try:
        return os.path.relpath(path, base) if os.path.isabs(path) else path
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


def format_json(findings: Sequence[Finding], internal_errors: Sequence[Finding] = ()) -> str:
    payload = {
        "version": 1,
        "findings": [finding_dict(f) for f in findings],
        "internal_errors": [finding_dict(f) for f in internal_errors],
    }
    return json.dumps(payload, ensure_ascii=False, indent=2) + "\n"


def artifact_uri(path: str) -> str:
    """A file's SARIF artifact URI: relative to the current directory when below it, with
    spaces, ``#``, ``%`` and non-ASCII characters percent-encoded (UTF-8)."""
    shown = display_path(path)
    if os.path.isabs(shown):
        return Path(shown).as_uri()
    return quote(Path(shown).as_posix(), safe="/")


def _sarif_location(span: SourceSpan) -> dict[str, Any]:
    physical: dict[str, Any] = {
        "artifactLocation": {"uri": artifact_uri(span.path), "uriBaseId": "%SRCROOT%"},
        "region": {
            "startLine": span.line + 1,
            "startColumn": span.column + 1,
            "endLine": max(span.end_line, span.line) + 1,
            "endColumn": max(span.end_column + 1, 1),
        },
    }
    return {"physicalLocation": physical}


def _sarif_rules() -> list[dict[str, Any]]:
    return [
        {
            "id": code,
            "name": item.name,
            "shortDescription": {"text": item.summary},
            "fullDescription": {"text": item.explanation},
            "helpUri": item.url,
            "help": {
                "text": f"{item.explanation} Example: {item.example}",
                "markdown": _rule_help(code),
            },
            "defaultConfiguration": {"level": _SARIF_LEVEL[item.severity.value]},
        }
        for code, item in sorted(RULES.items())
    ]


def _rule_help(code: str) -> str:
    return (
        f"**{code}** {DESCRIPTIONS.get(code, '')} Silence one with `relwork: ignore {code}` "
        "on its line; `relwork-ls rule {code}` explains it."
    )


def _notification(problem: Finding) -> dict[str, Any]:
    notification: dict[str, Any] = {
        "level": "error",
        "message": {"text": problem.message},
        "associatedRule": {"id": problem.code},
    }
    if problem.span.path:
        notification["locations"] = [_sarif_location(problem.span)]
    return notification


def format_sarif(findings: Sequence[Finding], internal_errors: Sequence[Finding] = ()) -> str:
    """A SARIF 2.1.0 log with one run, in the shape GitHub code scanning accepts.

    Internal errors are also tool execution notifications: the run says it did not
    succeed fully, and where."""
    rules = _sarif_rules()
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
                        "informationUri": HELP_URI,
                        "rules": rules,
                    }
                },
                "invocations": [
                    {
                        "executionSuccessful": not internal_errors,
                        "toolExecutionNotifications": [
                            _notification(problem) for problem in internal_errors
                        ],
                    }
                ],
                "originalUriBaseIds": {"%SRCROOT%": {"uri": Path.cwd().as_uri() + "/"}},
                "columnKind": "unicodeCodePoints",
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


def render(findings: Sequence[Finding], fmt: str, internal_errors: Sequence[Finding] = ()) -> str:
    """The report of ``findings`` in a format of FORMATS. ``internal_errors`` (RW014, also
    a crash with an empty path) are listed apart where the format has a place for them."""
    if fmt == "json":
        return format_json(findings, internal_errors)
    if fmt == "sarif":
        return format_sarif(findings, internal_errors)
    if fmt == "github":
        return format_github(findings)
    return format_text(findings)

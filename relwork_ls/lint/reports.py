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
from ..findings import CODES, Finding

FORMATS = ("text", "json", "sarif", "github")
_SARIF_LEVEL = {"error": "error", "warning": "warning", "info": "note", "hint": "note"}
HELP_URI = "https://pypi.org/project/relwork-ls/"

# What each code means, as the README's table of findings says (SARIF fullDescription).
DESCRIPTIONS = {
    "RW001": "Unresolved: no entry with these authors and year (nearest entries suggested).",
    "RW002": "Needs a suffix: written without a letter where the document cites several works "
    "of these authors and year.",
    "RW003": "Unknown or superfluous suffix ('2021a' when only one such work exists).",
    "RW004": "Author form wrong for the entry ('et al.' on a two-author work, wrong second "
    "author).",
    "RW005": "Spelling variant: the same names after accent, case or punctuation folding "
    "('Roziere').",
    "RW006": "Year off: the only work by these authors has another year.",
    "RW007": "LaTeX/Pandoc key not in any bibliography (close keys suggested).",
    "RW008": "Key differs in case from the bibliography's (BibTeX accepts it, Pandoc does not).",
    "RW009": "A document too pathological to scan within the regex time limit (skipped).",
    "RW010": "A draft that is not valid UTF-8 (bytes replaced before scanning), or binary "
    "(skipped).",
    "RW011": "A draft or bibliography that was skipped: a symbolic link that loops, dangles or "
    "leads out of the folder, a FIFO, socket or device, an unreadable file, or a file over "
    "the size limit.",
    "RW012": "A path named by configuration or a draft that lies outside the workspace folder "
    "and was not read.",
    "RW013": "The older bibliography for RW102 cannot be read; RW102 is skipped.",
    "RW014": "Internal error while analysing this file: a bug in relwork-ls; the other files "
    "were checked.",
    "RW015": "Invisible character (zero-width space or joiner, soft hyphen) inside a "
    "citation, usually pasted from a PDF.",
    "RW016": "A bibliography field of the wrong type (CSL-JSON 'author': null); the field is "
    "ignored.",
    "RW017": "Unknown code in a 'relwork: ignore' comment.",
    "RW020": "Uncertain: consistent with the bibliography, but the text cannot tell which of "
    "several works it means; cite by key, keep the .aux/.bbl, or list the key under cited.",
    "RW101": "Draft drift: the same sentence of another draft cites another work, or writes "
    "the same work with another label.",
    "RW102": "Stale label: written against the older bibliography; the work is now labelled "
    "otherwise, was merged into a duplicate, or was removed.",
    "RW201": "Separator inside a suffix list differs from the document's usual one.",
    "RW202": "The same author group twice in one parenthetical.",
    "RW203": "Narrative citation glued to a noun ('Codex Chen et al. (2021a)').",
    "RW301": "One work under two keys (same DOI, arXiv id, or title and first author).",
    "RW302": "Entry cited by no draft.",
    "RW303": "Bibliography syntax error (the broken entry is skipped, the rest loads).",
    "RW304": "Duplicate key in a bibliography (BibTeX keeps the first).",
    "RW305": "Repeated field in an entry (BibTeX keeps the first value).",
    "RW306": "A bibliography value too large or nested too deep to expand or decode; capped, "
    "the raw text kept.",
    "RW307": "Bibliographies used together disagree: a key defined differently, or .bbl files "
    "that label a work differently.",
    "RW310": "Reference list: references the text cannot tell apart (same label and suffix).",
    "RW311": "Reference list: a reference whose authors or year cannot be read.",
    "RW312": "--bib-from-text: a reference the bibliography beside the draft lacks, or labels "
    "otherwise.",
}


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
            "name": name,
            "shortDescription": {"text": name.replace("-", " ")},
            "fullDescription": {"text": DESCRIPTIONS.get(code, name.replace("-", " "))},
            "helpUri": HELP_URI,
            "help": {"text": DESCRIPTIONS.get(code, name), "markdown": _rule_help(code)},
            "defaultConfiguration": {"level": _SARIF_LEVEL[severity]},
        }
        for code, (severity, name) in sorted(CODES.items())
    ]


def _rule_help(code: str) -> str:
    return (
        f"**{code}** {DESCRIPTIONS.get(code, '')} Silence one with `relwork: ignore {code}` "
        "on its line; see the README's *Findings* table."
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

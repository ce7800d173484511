"""Findings: what lint reports and the server publishes, with codes, severities and fixes."""

from __future__ import annotations

from dataclasses import dataclass, field

from .positions import SourceSpan

SEVERITIES = ("error", "warning", "info", "hint")

# code → (default severity, short name)
CODES: dict[str, tuple[str, str]] = {
    "RW001": ("error", "unresolved-citation"),
    "RW002": ("error", "ambiguous-citation"),
    "RW003": ("error", "unknown-suffix"),
    "RW004": ("warning", "author-form"),
    "RW005": ("warning", "spelling-variant"),
    "RW006": ("error", "year-mismatch"),
    "RW007": ("error", "undefined-key"),
    "RW008": ("warning", "key-case-mismatch"),
    "RW009": ("error", "scan-timeout"),
    "RW010": ("warning", "unreadable-draft"),
    "RW011": ("warning", "skipped-file"),
    "RW012": ("warning", "path-outside-workspace"),
    "RW013": ("error", "history-unavailable"),
    "RW014": ("error", "internal-error"),
    "RW015": ("warning", "invisible-character"),
    "RW016": ("warning", "invalid-field-type"),
    "RW017": ("error", "unknown-code"),
    "RW020": ("info", "uncertain-citation"),
    "RW101": ("warning", "draft-drift"),
    "RW102": ("warning", "stale-label"),
    "RW201": ("info", "suffix-separator"),
    "RW202": ("hint", "repeated-author-group"),
    "RW203": ("warning", "narrative-glued-to-noun"),
    "RW301": ("warning", "duplicate-work"),
    "RW302": ("hint", "unused-entry"),
    "RW303": ("error", "bibliography-syntax-error"),
    "RW304": ("warning", "duplicate-key"),
    "RW305": ("warning", "duplicate-field"),
    "RW306": ("warning", "oversized-bibliography-value"),
    "RW307": ("warning", "conflicting-definitions"),
    "RW310": ("warning", "reference-list-suffixes"),
    "RW311": ("warning", "unreadable-reference"),
    "RW312": ("warning", "reference-list-mismatch"),
}


def severity_rank(severity: str) -> int:
    """0 for error … 3 for hint: lower is more severe."""
    return SEVERITIES.index(severity)


@dataclass(frozen=True)
class TextEdit:
    """Replace the text of ``span`` by ``new_text``."""

    span: SourceSpan
    new_text: str


@dataclass(frozen=True)
class Fix:
    """A fix for one finding; ``safe`` fixes are applied by ``lint --fix``."""

    title: str
    edits: tuple[TextEdit, ...]
    safe: bool = True


@dataclass(frozen=True)
class RelatedLocation:
    span: SourceSpan
    message: str


@dataclass(frozen=True)
class Finding:
    code: str
    message: str
    span: SourceSpan
    severity: str = ""
    related: tuple[RelatedLocation, ...] = field(default=())
    fix: Fix | None = None

    def __post_init__(self) -> None:
        if not self.severity:
            object.__setattr__(self, "severity", CODES[self.code][0])

    @property
    def name(self) -> str:
        return CODES.get(self.code, ("", self.code))[1]

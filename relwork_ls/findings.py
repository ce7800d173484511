"""Findings: what lint reports and the server publishes, with codes, severities and fixes."""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from .positions import SourceSpan
from .rules import RULES

_HYPHEN_BREAK = re.compile(r"([^\W\d_])-[ \t]*(?:\r\n?|\n)[ \t]*([^\W\d_])")


def _unhyphenated(match: re.Match[str]) -> str:
    return match[1] + match[2] if match[2].islower() else match[0]


_LINE_BREAK = re.compile(r"[ \t]*(?:\r\n?|\n)[ \t]*")

SEVERITIES = ("error", "warning", "info", "hint")

# code → (default severity, short name), from the rule registry.
CODES: dict[str, tuple[str, str]] = {
    code: (item.severity.value, item.name) for code, item in RULES.items()
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
        if "\n" in self.message or "\r" in self.message:
            # A citation broken across lines is quoted on one line (reports are one line
            # per finding; the span still covers the text as written), a word hyphenated
            # at the line end whole again ("Man-⏎ning" → "Manning").
            message = _HYPHEN_BREAK.sub(_unhyphenated, self.message)
            object.__setattr__(self, "message", _LINE_BREAK.sub(" ", message))

    @property
    def name(self) -> str:
        return CODES.get(self.code, ("", self.code))[1]

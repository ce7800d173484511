"""BibTeX name lists: split at "and", parse "First von Last, Jr" parts as BibTeX does."""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache

import regex

from .latex_text import latex_to_unicode, special_char_letters

_AND = regex.compile(r"\s+and\s+", regex.IGNORECASE)


@dataclass(frozen=True, slots=True)
class PersonName:
    """One name of an author list; parts keep their source text (LaTeX for BibTeX)."""

    first: tuple[str, ...] = ()
    von: tuple[str, ...] = ()
    last: tuple[str, ...] = ()
    jr: tuple[str, ...] = ()
    # Separators that preceded each token of ``von + last`` ("-" or " ").
    von_last_seps: tuple[str, ...] = ()

    @property
    def is_others(self) -> bool:
        return not self.first and not self.von and not self.jr and self.last == ("others",)

    def label_form(self) -> str:
        """BibTeX ``{vv~}{ll}``: von particles and surname, raw, as plainnat's label has them."""
        von = _join_tokens(self.von, self.von_last_seps[: len(self.von)])
        last = _join_tokens(self.last, self.von_last_seps[len(self.von) :])
        return f"{von}~{last}" if von else last

    def sort_form(self, initials: bool = False) -> str:
        """BibTeX ``{vv{ } }{ll{ }}{  ff{ }}{  jj{ }}`` (``f`` for initials, as apalike)."""
        parts: list[str] = []
        if self.von:
            parts.append(" ".join(self.von) + " ")
        parts.append(" ".join(self.last))
        if self.first:
            firsts = [_initial(t) for t in self.first] if initials else list(self.first)
            parts.append("  " + " ".join(firsts))
        if self.jr:
            parts.append("  " + " ".join(self.jr))
        return "".join(parts)

    def display_surname(self) -> str:
        """Unicode von+last, e.g. "van den Oord", "Rozière", "Mosaic ML"."""
        return latex_to_unicode(self.label_form())

    def display_given(self) -> str:
        return latex_to_unicode(" ".join(self.first))


def _initial(token: str) -> str:
    """First letter of a token, keeping a leading special character whole."""
    if token.startswith("{"):
        depth = 0
        for i, ch in enumerate(token):
            depth += ch == "{"
            depth -= ch == "}"
            if depth == 0:
                return token[: i + 1]
        return token
    return token[:1]


def _join_tokens(tokens: tuple[str, ...], seps: tuple[str, ...]) -> str:
    """Join tokens as format.name$ does by default: hyphens kept, ties after short text."""
    if not tokens:
        return ""
    out = tokens[0]
    for i in range(1, len(tokens)):
        sep = seps[i] if i < len(seps) else " "
        if sep == "-":
            out += "-"
        elif i == len(tokens) - 1 or len(out) < 3:
            out += "~"
        else:
            out += " "
        out += tokens[i]
    return out


def split_name_list(raw: str) -> list[str]:
    """Split an author/editor field at " and " outside braces (BibTeX's num.names$)."""
    if "{" not in raw:
        return [" ".join(name.split()) for name in _AND.split(raw) if name.strip()]
    names: list[str] = []
    depth = 0
    start = 0
    i = 0
    n = len(raw)
    while i < n:
        ch = raw[i]
        if ch == "{":
            depth += 1
        elif ch == "}":
            depth = max(0, depth - 1)
        elif depth == 0 and ch.isspace():
            m = _AND.match(raw, i)
            if m:
                names.append(raw[start:i])
                start = i = m.end()
                continue
        i += 1
    names.append(raw[start:])
    return [" ".join(name.split()) for name in names if name.strip()]


def parse_names(raw: str) -> tuple[PersonName, ...]:
    """Parse a BibTeX name list into PersonName parts."""
    return tuple(parse_name(name) for name in split_name_list(raw))


_PLAIN_TOKEN = regex.compile(r"[^\s~-]+")


def _tokenize(text: str) -> tuple[list[str], list[str]]:
    """Tokens at brace level 0 separated by whitespace, "~" or "-"; returns tokens and seps."""
    if "{" not in text:
        tokens = []
        seps = []
        previous_end = 0
        for match in _PLAIN_TOKEN.finditer(text):
            run = text[previous_end : match.start()]
            seps.append("-" if "-" in run else (" " if run else ""))
            tokens.append(match.group())
            previous_end = match.end()
        return tokens, seps
    tokens = []
    seps = []
    depth = 0
    current: list[str] = []
    pending_sep = ""
    for ch in text:
        if ch == "{":
            depth += 1
        elif ch == "}":
            depth = max(0, depth - 1)
        if depth == 0 and (ch.isspace() or ch in "~-"):
            if current:
                tokens.append("".join(current))
                seps.append(pending_sep)
                current = []
                pending_sep = ""
            if ch == "-" or not pending_sep:
                pending_sep = "-" if ch == "-" else " "
            continue
        current.append(ch)
    if current:
        tokens.append("".join(current))
        seps.append(pending_sep)
    return tokens, seps


def _split_commas(text: str) -> list[str]:
    if "{" not in text:
        return [part.strip() for part in text.split(",")]
    parts: list[str] = []
    depth = 0
    start = 0
    for i, ch in enumerate(text):
        if ch == "{":
            depth += 1
        elif ch == "}":
            depth = max(0, depth - 1)
        elif ch == "," and depth == 0:
            parts.append(text[start:i].strip())
            start = i + 1
    parts.append(text[start:].strip())
    return parts


def is_lowercase_token(token: str) -> bool:
    """BibTeX's von test: the first letter at brace level 0 (or in a special char) is lowercase."""
    depth = 0
    i = 0
    while i < len(token):
        ch = token[i]
        if ch == "{":
            if depth == 0 and token[i + 1 : i + 2] == "\\":
                # A special character counts by its letters: {\'E} is upper, {\ss} lower.
                end, letters = special_char_letters(token, i)
                if letters:
                    return letters[0].islower()
                i = end
                continue
            depth += 1
        elif ch == "}":
            depth = max(0, depth - 1)
        elif depth == 0 and ch.isalpha():
            return ch.islower()
        i += 1
    return False


@lru_cache(maxsize=65536)
def parse_name(name: str) -> PersonName:
    """Parse one BibTeX name in any of the forms "First von Last", "von Last, First",
    "von Last, Jr, First"."""
    parts = _split_commas(name)
    if len(parts) == 1:
        tokens, seps = _tokenize(parts[0])
        if not tokens:
            return PersonName()
        n = len(tokens)
        # von starts at the first lowercase token before the last one; it ends at the
        # last lowercase token before the last one.
        von_start = next((i for i in range(n - 1) if is_lowercase_token(tokens[i])), None)
        if von_start is None:
            # Without particles the surname is the last token, extended back over
            # hyphens: "Zeyuan Allen-Zhu" has surname "Allen-Zhu".
            last_start = n - 1
            while last_start > 0 and seps[last_start] == "-":
                last_start -= 1
            first, von = tokens[:last_start], []
        else:
            von_end = max(i for i in range(von_start, n - 1) if is_lowercase_token(tokens[i]))
            first, von = tokens[:von_start], tokens[von_start : von_end + 1]
            last_start = von_end + 1
        last = tokens[last_start:]
        von_last_seps = seps[len(first) :]
        return PersonName(tuple(first), tuple(von), tuple(last), (), tuple(von_last_seps))
    head, rest = parts[0], parts[1:]
    tokens, seps = _tokenize(head)
    n = len(tokens)
    von_end = -1
    for i in range(n - 1):
        if is_lowercase_token(tokens[i]):
            von_end = i
    von = tokens[: von_end + 1]
    last = tokens[von_end + 1 :]
    if len(rest) == 1:
        jr: list[str] = []
        first = _tokenize(rest[0])[0]
    else:
        jr = _tokenize(rest[0])[0]
        first = _tokenize(", ".join(rest[1:]))[0]
    return PersonName(tuple(first), tuple(von), tuple(last), tuple(jr), tuple(seps))

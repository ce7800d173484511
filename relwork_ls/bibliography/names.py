"""BibTeX name lists: split at "and", parse "First von Last, Jr" parts as BibTeX does.

Everything here follows BibTeX 0.99d (``bibtex.web``), which works on bytes: only the
ASCII letters A-Z and a-z have a case. A non-ASCII character (every byte of its UTF-8
form) is a letter without case, so the von test skips it and looks at the next letter:
"Bernardo Ávila Pires" has the von part "Ávila" (its first cased letter, "v", is
lowercase) and plainnat prints "Ávila Pires", while "Bernardo {\\'A}vila Pires" has the
surname "Pires" (the special character ``{\\'A}`` counts by its letter, uppercase "A").
``tests/test_name_oracle.py`` checks this against real BibTeX on every name of the corpus.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache

from .latex_text import latex_to_unicode

# BibTeX's white_space class (a field's line breaks are white space too) and sep_char class.
_WHITE = frozenset(" \t\n\r")
_SEP_CHARS = frozenset("-~")
_WHITE_RUN = re.compile(r"[ \t\n\r]+")
# "and" between white space, outside braces (name_scan_for_and); plain text only.
_AND = re.compile(r"(?<=[ \t\n\r])[aA][nN][dD](?=[ \t\n\r])")

# Control sequences BibTeX knows as foreign letters inside a special character ``{\\...}``:
# their case decides the von test (``{\\ss}`` is lowercase, ``{\\OE}`` uppercase).
_LOWER_LETTER_COMMANDS = frozenset({"i", "j", "oe", "ae", "aa", "o", "l", "ss"})
_UPPER_LETTER_COMMANDS = frozenset({"OE", "AE", "AA", "O", "L"})


@dataclass(frozen=True, slots=True)
class PersonName:
    """One name of an author list; parts keep their source text (LaTeX for BibTeX)."""

    first: tuple[str, ...] = ()
    von: tuple[str, ...] = ()
    last: tuple[str, ...] = ()
    jr: tuple[str, ...] = ()
    # The separator written before each token ("-", "~", " " or "," — format.name$ keeps
    # "-" and "~"): of ``von + last``, of ``first`` and of ``jr``.
    von_last_seps: tuple[str, ...] = ()
    first_seps: tuple[str, ...] = ()
    jr_seps: tuple[str, ...] = ()

    @property
    def is_others(self) -> bool:
        return not self.first and not self.von and not self.jr and self.last == ("others",)

    def label_form(self) -> str:
        """BibTeX ``{vv~}{ll}``: von particles and surname, raw, as plainnat's label has them."""
        counter = _TextCounter()
        von = format_tokens(self.von, self.von_last_seps[: len(self.von)], counter)
        if von:
            # The tie after "vv" is discretionary: kept after fewer than 3 characters.
            von += "~" if not counter.has(von, 3) else " "
        return von + format_tokens(self.last, self.von_last_seps[len(self.von) :], counter)

    def first_form(self) -> str:
        """BibTeX ``{ff}``: the given names, raw ("Carola-Bibiane", "M.~C.")."""
        return format_tokens(self.first, self.first_seps)

    def jr_form(self) -> str:
        """BibTeX ``{jj}``: the Jr part, raw."""
        return format_tokens(self.jr, self.jr_seps)

    def sort_form(self, initials: bool = False) -> str:
        """BibTeX ``{vv{ } }{ll{ }}{  ff{ }}{  jj{ }}`` (``f`` for initials, as apalike)."""
        if not self.von and not self.jr and not initials:  # most names
            last = " ".join(self.last)
            return last + "  " + " ".join(self.first) if self.first else last
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
        return latex_to_unicode(self.first_form())


def _initial(token: str) -> str:
    """The letter format.name$ abbreviates a token to: its first letter (BibTeX's alpha
    class, so digits and punctuation are passed over), or a special character whole."""
    for i, ch in enumerate(token):
        if _is_bibtex_alpha(ch):
            return ch
        if ch == "{" and token[i + 1 : i + 2] == "\\":
            return token[i : _group_end(token, i)]
    return ""


@dataclass(slots=True)
class _TextCounter:
    """BibTeX's enough_text_chars, for the groups of one format.name$ call.

    BibTeX counts with a global brace level that is not reset between calls and is left
    raised when counting stops inside a group, so a later count can see ``{\\'e}`` as an
    ordinary group rather than one special character. One counter per call keeps that.
    """

    brace_level: int = 0

    def has(self, text: str, wanted: int) -> bool:
        """Does ``text`` hold ``wanted`` characters (a special character counting as one,
        other characters by their UTF-8 bytes, as in BibTeX)?"""
        count = 0
        i = 0
        n = len(text)
        while i < n and count < wanted:
            ch = text[i]
            i += 1
            if ch == "{":
                self.brace_level += 1
                if self.brace_level == 1 and i < n and text[i] == "\\":
                    i += 1
                    while i < n and self.brace_level > 0:
                        if text[i] == "}":
                            self.brace_level -= 1
                        elif text[i] == "{":
                            self.brace_level += 1
                        i += 1
            elif ch == "}":
                self.brace_level -= 1
            count += 1 if ch.isascii() else len(ch.encode("utf-8"))
        return count >= wanted


def format_tokens(
    tokens: tuple[str, ...], seps: tuple[str, ...], counter: _TextCounter | None = None
) -> str:
    """Join the tokens of one name part as format.name$ does by default.

    A "-" or "~" written between two tokens is kept; otherwise a tie goes before the
    part's last token and after text shorter than 3 characters, a space elsewhere.
    """
    if not tokens:
        return ""
    counter = counter or _TextCounter()
    out = tokens[0]
    for i in range(1, len(tokens)):
        sep = seps[i] if i < len(seps) else " "
        if sep in _SEP_CHARS:
            out += sep
        elif i == len(tokens) - 1 or not counter.has(out, 3):
            out += "~"
        else:
            out += " "
        out += tokens[i]
    return out


def split_name_list(raw: str) -> list[str]:
    """Split an author/editor field into names as BibTeX's num.names$ does.

    A separator is "and" in any case, with white space on both sides, outside braces.
    White space runs become one space; an empty name between two "and"s still counts.
    """
    # BibTeX drops white space around a field's value before it looks for "and".
    raw = raw.strip(" \t\n\r")
    if not raw:
        return []
    # White space runs become one space (at once here: it moves no "and").
    raw = _WHITE_RUN.sub(" ", raw)
    if "{" not in raw and "}" not in raw:
        pieces = _AND.split(raw)
    else:
        pieces = []
        depth = 0
        start = 0
        previous_white = False
        i = 0
        n = len(raw)
        while i < n:
            ch = raw[i]
            if ch == "{":
                depth += 1
            elif ch == "}":
                depth = max(0, depth - 1)
            elif (
                depth == 0
                and previous_white
                and ch in "aA"
                and raw[i + 1 : i + 3].lower() == "nd"
                and raw[i + 3 : i + 4] in _WHITE
            ):
                pieces.append(raw[start:i])
                start = i + 3
                i += 3
                previous_white = False
                continue
            previous_white = depth == 0 and ch in _WHITE
            i += 1
        pieces.append(raw[start:])
    return [piece.strip(" ") for piece in pieces]


def parse_names(raw: str) -> tuple[PersonName, ...]:
    """Parse a BibTeX name list into PersonName parts."""
    return tuple(map(parse_name, split_name_list(raw)))


@dataclass(slots=True)
class _Tokens:
    """A name cut into tokens as BibTeX does, with where its (at most two) commas were."""

    tokens: list[str]
    seps: list[str]  # the separator written before each token ("" before the first)
    commas: list[int]  # token index at which each comma stands


# The separators between the tokens of a name without braces, and the one each run keeps.
_SEPARATOR_RUN = re.compile(r"([ \t\n\r~,-]+)")
_KEPT_SEPARATOR = {" ": " ", "\t": " ", "\n": " ", "\r": " ", "-": "-", "~": "~"}


def _tokenize(name: str) -> _Tokens:
    """BibTeX's name tokenizer: brace groups are copied whole; white space, "-", "~" and
    commas (at most two) separate tokens; the first separator of a run is the one kept."""
    # Trailing white space, sep chars and commas go (BibTeX warns about a final comma).
    name = name.rstrip(" \t\n\r-~,")
    if "{" in name or "}" in name or not name:
        return _tokenize_by_character(name)
    # Names without braces (most): split at separator runs. After a token, a run keeps its
    # first character ("-" or "~" as written, white space as a space); a comma in it (the
    # first two count) marks where the part ends and is the separator kept.
    parts = _SEPARATOR_RUN.split(name)
    tokens = parts[0::2]
    gaps = parts[1::2]
    if "," not in name:
        seps = [""] + [_KEPT_SEPARATOR[gap[0]] for gap in gaps]
        if not tokens[0]:  # a separator run before the first token keeps nothing
            del tokens[0], seps[1]
        return _Tokens(tokens, seps, [])
    commas: list[int] = []
    next_sep = ""
    if not tokens[0]:  # before the first token only its commas count
        del tokens[0]
        for ch in gaps.pop(0):
            if ch == "," and len(commas) < 2:
                commas.append(0)
                next_sep = ","
    seps = [next_sep]
    for number, gap in enumerate(gaps, start=1):
        if gap[0] != ",":
            next_sep = _KEPT_SEPARATOR[gap[0]]
        if "," in gap:
            for ch in gap:
                if ch == "," and len(commas) < 2:  # BibTeX ignores a third comma
                    commas.append(number)
                    next_sep = ","
        seps.append(next_sep)
    return _Tokens(tokens, seps, commas)


def _tokenize_by_character(name: str) -> _Tokens:
    """``_tokenize`` character by character (names with braces or commas)."""
    pieces: list[list[str]] = []
    seps: list[str] = []
    commas: list[int] = []
    next_sep = ""
    starting = True
    i = 0
    n = len(name)
    while i < n:
        ch = name[i]
        if ch == ",":
            if len(commas) < 2:  # BibTeX ignores a third comma (and warns)
                commas.append(len(pieces))
                next_sep = ","
            starting = True
        elif ch in _WHITE or ch in _SEP_CHARS:
            if not starting:
                next_sep = " " if ch in _WHITE else ch
            starting = True
        else:
            if starting:
                pieces.append([])
                seps.append(next_sep)
                starting = False
            if ch == "{":
                end = _group_end(name, i)
                pieces[-1].append(name[i:end])
                i = end
                continue
            if ch != "}":  # an unbalanced closing brace is dropped (BibTeX warns)
                pieces[-1].append(ch)
        i += 1
    return _Tokens(["".join(piece) for piece in pieces], seps, commas)


def _group_end(text: str, start: int) -> int:
    """Index just past the brace group opening at ``start`` (the end of text if unclosed)."""
    depth = 0
    for i in range(start, len(text)):
        if text[i] == "{":
            depth += 1
        elif text[i] == "}":
            depth -= 1
            if depth == 0:
                return i + 1
    return len(text)


def _is_ascii_upper(ch: str) -> bool:
    return "A" <= ch <= "Z"


def _is_ascii_lower(ch: str) -> bool:
    return "a" <= ch <= "z"


def _is_bibtex_alpha(ch: str) -> bool:
    """BibTeX's alpha class: ASCII letters and every non-ASCII byte."""
    return _is_ascii_upper(ch) or _is_ascii_lower(ch) or not ch.isascii()


def is_lowercase_token(token: str) -> bool:
    """BibTeX's von_token_found: the token's first cased letter decides.

    Scanned at brace level 0, skipping every character that is not an ASCII letter
    (digits, punctuation, non-ASCII letters). A brace group is skipped whole unless it
    is a special character ``{\\...}``, which decides by its foreign-letter command
    (``{\\ss}`` lower, ``{\\AE}`` upper) or else by its first ASCII letter; a special
    character without one makes the token not von.
    """
    i = 0
    n = len(token)
    while i < n:
        ch = token[i]
        if _is_ascii_upper(ch):
            return False
        if _is_ascii_lower(ch):
            return True
        if ch != "{":
            i += 1
            continue
        i += 1
        if i + 2 < n and token[i] == "\\":
            return _special_char_is_lower(token, i + 1)
        depth = 1
        while depth > 0 and i < n:
            if token[i] == "}":
                depth -= 1
            elif token[i] == "{":
                depth += 1
            i += 1
    return False


def _special_char_is_lower(token: str, start: int) -> bool:
    """The von test inside a special character, ``start`` just after its backslash."""
    end = start
    while end < len(token) and _is_bibtex_alpha(token[end]):
        end += 1
    command = token[start:end]
    if command in _LOWER_LETTER_COMMANDS:
        return True
    if command in _UPPER_LETTER_COMMANDS:
        return False
    depth = 1
    i = end
    while i < len(token) and depth > 0:
        ch = token[i]
        if _is_ascii_upper(ch):
            return False
        if _is_ascii_lower(ch):
            return True
        if ch == "}":
            depth -= 1
        elif ch == "{":
            depth += 1
        i += 1
    return False


def _von_end(tokens: list[str], von_start: int, last_end: int) -> int:
    """BibTeX: the von part ends after its last lowercase token before the last token."""
    von_end = last_end - 1
    while von_end > von_start:
        if is_lowercase_token(tokens[von_end - 1]):
            return von_end
        von_end -= 1
    return von_end


@lru_cache(maxsize=65536)
def parse_name(name: str) -> PersonName:
    """Parse one BibTeX name in any of the forms "First von Last", "von Last, First",
    "von Last, Jr, First", exactly as BibTeX 0.99d splits it."""
    cut = _tokenize(name)
    tokens, seps = cut.tokens, cut.seps
    if not tokens:
        return PersonName()
    if not cut.commas:
        # First von Last: von starts at the first lowercase token before the last one.
        last_end = len(tokens)
        first_end = None
        for i in range(last_end - 1):
            start = tokens[i][:1]
            # The first letter decides when it is an ASCII one (most tokens).
            if "A" <= start <= "Z":
                continue
            if "a" <= start <= "z" or is_lowercase_token(tokens[i]):
                first_end = i
                break
        if first_end is not None:
            von_end = _von_end(tokens, first_end, last_end)
        else:
            # Without particles the surname is the last token, extended back over
            # hyphens: "Zeyuan Allen-Zhu" has surname "Allen-Zhu" (a tie does not join).
            first_end = last_end - 1
            while first_end > 0 and seps[first_end] == "-":
                first_end -= 1
            von_end = first_end
        return PersonName(
            first=tuple(tokens[:first_end]),
            von=tuple(tokens[first_end:von_end]),
            last=tuple(tokens[von_end:last_end]),
            von_last_seps=tuple(seps[first_end:last_end]),
            first_seps=tuple(seps[:first_end]),
        )
    # von Last, [Jr,] First: von is everything up to the last lowercase token before
    # the surname's last token (so "De la Fuente, J." has von "De la").
    last_end = cut.commas[0]
    jr_end = cut.commas[1] if len(cut.commas) > 1 else last_end
    von_end = max(0, _von_end(tokens, 0, last_end))
    return PersonName(
        first=tuple(tokens[jr_end:]),
        von=tuple(tokens[:von_end]),
        last=tuple(tokens[von_end:last_end]),
        jr=tuple(tokens[last_end:jr_end]),
        von_last_seps=tuple(seps[:last_end]),
        first_seps=tuple(seps[jr_end:]),
        jr_seps=tuple(seps[last_end:jr_end]),
    )

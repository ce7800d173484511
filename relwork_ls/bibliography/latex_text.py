"""LaTeX-to-Unicode conversion, BibTeX's purify$, and the folded forms used for matching."""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache
from typing import Any

_NEEDS_LATEX = frozenset("\\{}~$")
_NEEDS_PARSER = frozenset("\\$%")

# Text that flat_latex_to_text decodes exactly as pylatexenc does: accent commands on a
# letter, the special letters, escaped characters, braces and ties, and no character
# pylatexenc reads specially (a bare "&", "$" or "%", the ligatures ``, '', --, !`, ?`,
# <<, >>). A control word must not be followed by a letter (pylatexenc reads Unicode
# letters as part of its name) or white space (which it eats, newlines too).
# tests/test_fast_paths.py holds the two decoders to the same output on such text.
_ACCENTS_ONLY = re.compile(
    r"""
    (?:
        [^\\$%{}`'!?<>&-]
      | [{}]
      | (?<![`'!?<>-])[`'!?<>-](?![`'-])
      | \\[`'^"~=.](?:[A-Za-z]|\{[A-Za-z]\}|\\[ij](?![\w\s])|\{\\[ij]\})
      | \\[uvHcdbrk](?:\{[A-Za-z]\}|\ [A-Za-z])
      | \\(?:ss|o|O|l|L|ae|AE|oe|OE|aa|AA|i|j)(?![\w\s])
      | \\[&%$\#_{}]
    )*
    """,
    re.VERBOSE,
)

# pylatexenc recurses once or more per brace level and fails near 100 levels; no real
# field nests more than a few. Deeper text is decoded by the flat decoder below instead.
MAX_LATEX_DEPTH = 40


@lru_cache(maxsize=65536)
def latex_to_unicode(text: str) -> str:
    """Render a BibTeX field value as plain Unicode text (NFC, single spaces).

    A tie ``~`` is a space; an accent command keeps its letter: ``Go{\\~n}i`` is "Goñi".
    Text nested deeper than MAX_LATEX_DEPTH braces is decoded without a LaTeX parser
    (accents, special letters and escaped characters still decoded, other commands and
    braces dropped), never failing.
    """
    if not _NEEDS_LATEX.intersection(text):
        plain = _ligatures(text)
    elif not _NEEDS_PARSER.intersection(text):
        # Only braces (case protection, "{PaLM}") and ties: no need for a LaTeX parser.
        plain = _ligatures(text.replace("{", "").replace("}", "").replace("~", " "))
    elif _ACCENTS_ONLY.fullmatch(text):
        # Only accents, special letters and escapes (most names): the linear decoder reads
        # these exactly as pylatexenc does, much faster.
        plain = flat_latex_to_text(text)
    else:
        # pylatexenc drops a bare "&" (an alignment tab): carry "\\&" through a placeholder.
        # A tie comes out as a no-break space, which the split below turns into a space.
        plain = _parse_latex(text.replace("\\&", "\ue000")).replace("\ue000", "&")
    return unicodedata.normalize("NFC", " ".join(plain.split()))


def _ligatures(text: str) -> str:
    """TeX's quote and dash ligatures as pylatexenc renders them (``Mind'' → “Mind”,
    2020--2021 → 2020–2021)."""
    if "``" in text or "''" in text or "--" in text:
        text = text.replace("---", "—").replace("--", "–").replace("``", "“").replace("''", "”")
    return text


@lru_cache(maxsize=1)
def _converter() -> Any:
    """pylatexenc's converter, made on first use: most runs need no LaTeX parser (and
    importing pylatexenc is a good part of a warm start)."""
    from pylatexenc.latex2text import LatexNodes2Text

    return LatexNodes2Text(math_mode="verbatim", strict_latex_spaces=True)


def _parse_latex(text: str) -> str:
    from pylatexenc.latexwalker import LatexWalkerError

    if brace_depth(text) > MAX_LATEX_DEPTH:
        return flat_latex_to_text(text)
    try:
        return str(_converter().latex_to_text(text))
    except (RecursionError, LatexWalkerError):
        # Deep nesting without braces (environments, math) or a parser failure.
        return flat_latex_to_text(text)


def brace_depth(text: str) -> int:
    """The deepest brace nesting in ``text`` (escaped braces ``\\{`` do not count)."""
    return _braces(text)[0]


def unclosed_braces(text: str) -> int:
    """How many ``{`` of ``text`` are still open at its end (escaped ones do not count)."""
    return _braces(text)[1]


def _braces(text: str) -> tuple[int, int]:
    """(deepest nesting, braces left open); a "}" with none open is ignored."""
    depth = deepest = 0
    escaped = False
    for ch in text:
        if escaped:
            escaped = False
        elif ch == "\\":
            escaped = True
        elif ch == "{":
            depth += 1
            deepest = max(deepest, depth)
        elif ch == "}":
            depth = max(0, depth - 1)
    return deepest, depth


# Combining marks of LaTeX's accent commands.
_ACCENT_MARKS = {
    "`": "\u0300",
    "'": "\u0301",
    "^": "\u0302",
    "~": "\u0303",
    "=": "\u0304",
    "u": "\u0306",
    ".": "\u0307",
    '"': "\u0308",
    "r": "\u030a",
    "H": "\u030b",
    "v": "\u030c",
    "d": "\u0323",
    "c": "\u0327",
    "k": "\u0328",
    "b": "\u0331",
    "t": "\u0361",
}
_LETTERS = {
    "ss": "ß",
    "o": "ø",
    "O": "Ø",
    "l": "ł",
    "L": "Ł",
    "ae": "æ",
    "AE": "Æ",
    "oe": "œ",
    "OE": "Œ",
    "aa": "å",
    "AA": "Å",
    "i": "ı",
    "j": "ȷ",
}


def flat_latex_to_text(text: str) -> str:
    """Decode LaTeX in one linear pass, without a parser (any depth, never recursing).

    Accents (``\\'e``, ``{\\~n}``, ``\\v{s}``) and letter commands (``\\ss``, ``\\o``) are
    decoded; ``\\&``-style escapes keep their character; other command names and braces
    are dropped, keeping the text they enclose; a tie is a space.
    """
    out: list[str] = []
    marks: list[str] = []  # accents waiting for the next letter
    i = 0
    n = len(text)
    while i < n:
        ch = text[i]
        if ch == "\\" and i + 1 < n:
            j = i + 1
            if text[j].isascii() and text[j].isalpha():
                while j < n and text[j].isascii() and text[j].isalpha():
                    j += 1
                name = text[i + 1 : j]
                while j < n and text[j] == " ":  # spaces after a control word are eaten
                    j += 1
            else:
                name = text[j]
                j += 1
            i = j
            if name in _ACCENT_MARKS:
                marks.append(_ACCENT_MARKS[name])
            elif name in _LETTERS:
                # A dotless i/j under an accent is written for the dotted letter.
                letter = name if marks and name in ("i", "j") else _LETTERS[name]
                out.append(letter + "".join(reversed(marks)))
                marks.clear()
            elif name == "\\":
                out.append(" ")
            elif not name.isalpha():
                out.append(name)  # \\& \\% \\$ \\# \\_ \\{ \\} and the like
            continue
        if ch in "{}":
            i += 1
            continue
        if ch == "~":
            out.append(" ")
        elif marks:
            if not ch.isspace():  # "\\~ n" is "ñ" too
                out.append(ch + "".join(reversed(marks)))
                marks.clear()
        else:
            out.append(ch)
        i += 1
    return unicodedata.normalize("NFC", "".join(out))


def strip_accents(text: str) -> str:
    """Remove combining marks, and map the letters NFD cannot decompose (ø, ł, ß…)."""
    if text.isascii():
        return text
    decomposed = unicodedata.normalize("NFD", text)
    stripped = "".join(ch for ch in decomposed if not unicodedata.combining(ch))
    return stripped.translate(_UNDECOMPOSABLE)


_UNDECOMPOSABLE = str.maketrans(
    {
        "ø": "o",
        "Ø": "O",
        "ł": "l",
        "Ł": "L",
        "ß": "ss",
        "æ": "ae",
        "Æ": "AE",
        "œ": "oe",
        "Œ": "OE",
        "đ": "d",
        "Đ": "D",
        "ı": "i",
        "þ": "th",
        "’": "'",
    }
)


@lru_cache(maxsize=65536)
def fold(text: str) -> str:
    """Accent- and case-insensitive form used to compare names across spellings."""
    return strip_accents(text).casefold()


def purify(text: str) -> str:
    """BibTeX's purify$: keep letters, digits and spaces; hyphens and ties become spaces.

    A special character such as ``{\\'e}`` or ``{\\ss}`` keeps only its letters, as in BibTeX.
    """
    if "{" not in text:
        return text.translate(_PURIFY_PLAIN)
    out: list[str] = []
    depth = 0
    i = 0
    n = len(text)
    while i < n:
        ch = text[i]
        if ch == "{":
            if depth == 0 and i + 1 < n and text[i + 1] == "\\":
                # Special character: skip control sequence names that are accents,
                # keep letters of the rest (BibTeX keeps e.g. "ss", "o", "ae").
                end, inner = special_char_letters(text, i)
                out.append(inner)
                i = end
                continue
            depth += 1
        elif ch == "}":
            depth = max(0, depth - 1)
        elif ch in " \t\n-~":
            out.append(" ")
        elif ch.isalnum() or ord(ch) > 127:
            out.append(ch)
        i += 1
    return "".join(out)


# purify$ of text without braces: ASCII punctuation goes, " \t\n-~" become spaces.
_PURIFY_PLAIN = str.maketrans(
    {chr(c): (" " if chr(c) in " \t\n-~" else None) for c in range(128) if not chr(c).isalnum()}
)
_ACCENT_COMMANDS = frozenset("`'^~=.\"uvHcdbrtk")
_LETTER_COMMANDS = frozenset(
    {"oe", "OE", "ae", "AE", "aa", "AA", "o", "O", "l", "L", "ss", "i", "j"}
)


def special_char_letters(text: str, start: int) -> tuple[int, str]:
    """End index and letters BibTeX keeps of the special character ``{\\…}`` at ``start``."""
    depth = 0
    i = start
    letters: list[str] = []
    n = len(text)
    while i < n:
        ch = text[i]
        if ch == "{":
            depth += 1
        elif ch == "}":
            depth -= 1
            if depth == 0:
                return i + 1, "".join(letters)
        elif ch == "\\":
            j = i + 1
            while j < n and text[j].isalpha():
                j += 1
            name = text[i + 1 : j] if j > i + 1 else text[i + 1 : i + 2]
            if name in _LETTER_COMMANDS:
                letters.append(name)
            elif name and name[0] in _ACCENT_COMMANDS and len(name) == 1:
                pass
            i = j if j > i + 1 else i + 2
            continue
        elif ch.isalnum() or ord(ch) > 127:
            letters.append(ch)
        i += 1
    return n, "".join(letters)


def ascii_lower(text: str) -> str:
    """BibTeX's change.case$ "l": lowercase ASCII letters only."""
    return text.translate(_ASCII_LOWER)


_ASCII_LOWER = str.maketrans({chr(c): chr(c + 32) for c in range(65, 91)})


def sortify(text: str) -> str:
    """BibTeX's sortify: purify$ then lowercase."""
    if text.isascii() and "{" not in text:
        # One pass over bytes (most names and labels): the same result, faster.
        return text.encode("ascii").translate(_SORTIFY_ASCII, _PURIFY_DELETED).decode("ascii")
    return ascii_lower(purify(text))


_PURIFY_DELETED = bytes(c for c in range(128) if _PURIFY_PLAIN.get(c, c) is None)
_SORTIFY_ASCII = bytes(
    ord(" ") if chr(c) in " \t\n\r-~" else ord(chr(c).lower()) if chr(c).isalpha() else c
    for c in range(256)
)

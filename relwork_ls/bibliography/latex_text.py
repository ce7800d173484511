"""LaTeX-to-Unicode conversion, BibTeX's purify$, and the folded forms used for matching."""

from __future__ import annotations

import unicodedata
from functools import lru_cache

from pylatexenc.latex2text import LatexNodes2Text

_CONVERTER = LatexNodes2Text(math_mode="verbatim", strict_latex_spaces=True)
_NEEDS_LATEX = frozenset("\\{}~$")
_NEEDS_PARSER = frozenset("\\$%")


@lru_cache(maxsize=65536)
def latex_to_unicode(text: str) -> str:
    """Render a BibTeX field value as plain Unicode text (NFC, single spaces)."""
    if not _NEEDS_LATEX.intersection(text):
        plain = text
    elif not _NEEDS_PARSER.intersection(text):
        # Only braces (case protection, "{PaLM}") and ties: no need for a LaTeX parser.
        plain = text.replace("{", "").replace("}", "").replace("~", " ")
    else:
        # A tie is a non-breaking space: readers and matchers want a space.
        # pylatexenc drops a bare "&" (an alignment tab): carry "\\&" through a placeholder.
        escaped = text.replace("~", " ").replace("\\&", "\ue000")
        plain = _CONVERTER.latex_to_text(escaped).replace("\ue000", "&")
    return unicodedata.normalize("NFC", " ".join(plain.split()))


def strip_accents(text: str) -> str:
    """Remove combining marks, and map the letters NFD cannot decompose (ø, ł, ß…)."""
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
    return ascii_lower(purify(text))

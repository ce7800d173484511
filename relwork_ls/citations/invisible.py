"""Characters that take no room in rendered text but break words and names apart when
a PDF's text is pasted (soft hyphens, zero-width spaces and joiners, byte order marks)."""

from __future__ import annotations

INVISIBLE_CHARACTERS = "\u00ad\u200b\u200c\u200d\u2060\ufeff"
_INVISIBLE_TABLE = dict.fromkeys(map(ord, INVISIBLE_CHARACTERS))


def without_invisible(text: str) -> str:
    """``text`` without the invisible characters of INVISIBLE_CHARACTERS."""
    return text.translate(_INVISIBLE_TABLE)

"""relwork-ls: keeps the author-year citations of a manuscript honest."""

__version__ = "0.1.0"

"""Bibliographies: loaders for BibTeX, CSL-JSON and .bbl with source positions, BibTeX name
parsing, LaTeX to Unicode, and labels with their year suffixes."""

"""Render real reference lists with real tools, for tests and bench/reference_lists.py.

- ``pandoc --citeproc`` with the CSL styles of Debian's ``citation-style-language-styles``
  (APA 7, Chicago author-date, ACL) on the corpus's Markdown papers, as plain text;
- a BibTeX ``.bbl`` (plainnat, apalike) typeset by ``pdflatex`` and turned back into
  text by ``pdftotext`` (``-raw``: lines as a PDF viewer copies them; ``-layout``:
  hanging indents kept), as text pasted from a PDF looks.
"""

from __future__ import annotations

import shutil
import subprocess
import tempfile
from pathlib import Path

CSL_STYLES = Path("/usr/share/citation-style-language/styles")
STYLES = {
    "apa": "apa.csl",
    "chicago": "chicago-author-date.csl",
    "acl": "association-for-computational-linguistics.csl",
}


def missing_tools(*tools: str) -> list[str]:
    return [tool for tool in tools if shutil.which(tool) is None]


def csl_style(name: str) -> Path | None:
    path = CSL_STYLES / STYLES[name]
    return path if path.is_file() else None


def pandoc_plain(
    inputs: list[Path], style: str, cwd: Path, bibliography: Path | None = None
) -> str:
    """The inputs rendered by ``pandoc --citeproc`` in ``style`` as plain text."""
    csl = csl_style(style)
    if csl is None:
        raise FileNotFoundError(STYLES[style])
    command = ["pandoc", *map(str, inputs), "--citeproc", "--csl", str(csl)]
    if bibliography is not None:
        command += ["--bibliography", str(bibliography)]
    command += ["-f", "markdown", "-t", "plain", "--wrap=none"]
    return subprocess.run(
        command, cwd=cwd, check=True, capture_output=True, text=True, timeout=300
    ).stdout


_DOCUMENT = r"""\documentclass{article}
\usepackage[utf8]{inputenc}
\usepackage{natbib}
\usepackage{url}
\begin{document}
\input{refs.bbl}
\end{document}
"""


def bbl_pdf_text(bbl: Path, mode: str = "raw") -> str:
    """The reference list of ``bbl`` as ``pdftotext -raw`` (or ``-layout``) gives it."""
    with tempfile.TemporaryDirectory() as folder:
        work = Path(folder)
        shutil.copy(bbl, work / "refs.bbl")
        (work / "doc.tex").write_text(_DOCUMENT, encoding="utf-8")
        subprocess.run(
            ["pdflatex", "-interaction=nonstopmode", "-halt-on-error", "doc.tex"],
            cwd=work,
            check=True,
            capture_output=True,
            timeout=300,
        )
        subprocess.run(
            ["pdftotext", f"-{mode}", "-enc", "UTF-8", "doc.pdf", "doc.txt"],
            cwd=work,
            check=True,
            capture_output=True,
            timeout=120,
        )
        return (work / "doc.txt").read_text(encoding="utf-8")


def pyrse_inputs(book: Path) -> list[Path]:
    """The chapters of the py-rse book in _bookdown.yml's order, then its references."""
    chapters = []
    for line in (book / "_bookdown.yml").read_text(encoding="utf-8").splitlines():
        name = line.strip().removeprefix("- ").strip()
        if name == "index.Rmd" or name.startswith("chapters/"):
            chapters.append(book / name)
        if "End files" in line:
            break
    return [*chapters, book / "references.Rmd"]

"""Real-looking papers typeset by pdflatex + BibTeX + natbib and read back by pdftotext.

A paper is a related-work section of generated prose citing a few dozen works of a real
bibliography (chosen so that works of one author group and year appear together and
BibTeX has to print year suffixes), with the natbib commands authors use: ``\\citet``,
``\\citep`` with several keys and pre/post notes, ``\\citeauthor``, ``\\citeyear``,
``\\citealp``, ``\\citealt``, ``\\Citet``, starred forms. It is compiled with a real
``.bst`` (plainnat, abbrvnat, unsrtnat, apalike), and its PDF turned into text by
``pdftotext`` as a reader gets it: lines broken inside citations, hyphenated names,
ligatures, two columns, a reference list at the end.

The ``.bbl`` BibTeX wrote says which label every cited work got; the test module uses it
to find citations in the text and to damage them on purpose.
"""

from __future__ import annotations

import random
import re
import shutil
import subprocess
from dataclasses import dataclass, field
from pathlib import Path

from relwork_ls.api import labels as product_labels
from relwork_ls.api import parse_bibliography

TOOLS = ("pdflatex", "bibtex", "pdftotext")
EXTRACTION_MODES = ("default", "layout", "raw")

_SAFE_KEY = re.compile(r"[A-Za-z0-9_:.\-+/]+")
_YEAR = re.compile(r"\d{4}")


def missing_tools() -> list[str]:
    return [tool for tool in TOOLS if shutil.which(tool) is None]


@dataclass(frozen=True)
class PaperSpec:
    name: str
    bib: Path  # the real bibliography the keys come from
    bst: str  # plainnat, abbrvnat, unsrtnat, apalike
    natbib_options: tuple[str, ...] = ("round",)
    twocolumn: bool = False
    seed: int = 0
    clusters: int = 6  # author-year groups with several works to cite
    singles: int = 22  # other works
    microtype: bool = False  # font expansion and protrusion change the line breaks
    hyperref: bool = False


@dataclass
class Paper:
    spec: PaperSpec
    folder: Path
    keys: list[str]  # cited keys, as written in the .bib
    bib_subset: Path  # the cited entries alone: the paper's own .bib
    texts: dict[str, str] = field(default_factory=dict)  # extraction mode → text
    bbl: str = ""

    @property
    def style(self) -> str:
        return "apalike" if self.spec.bst == "apalike" else "natbib"


# ---------------------------------------------------------------- choosing the works


def _entry_blocks(source: str) -> dict[str, str]:
    """Each entry's source text by key (lowercase), found by brace matching."""
    blocks: dict[str, str] = {}
    for match in re.finditer(r"@([A-Za-z]+)\s*([{(])\s*([^,\s]+)\s*,", source):
        if match.group(1).lower() in ("string", "preamble", "comment"):
            continue
        opening = match.group(2)
        closing = "}" if opening == "{" else ")"
        depth = 0
        end = match.start()
        for i in range(match.start(2), len(source)):
            char = source[i]
            if char == "{" or char == opening:
                depth += 1
            elif char == "}" or char == closing:
                depth -= 1
                if depth == 0:
                    end = i + 1
                    break
        if end > match.start():
            blocks.setdefault(match.group(3).lower(), source[match.start() : end])
    return blocks


def choose_keys(spec: PaperSpec) -> tuple[list[list[str]], list[str]]:
    """Author-year clusters (lists of keys with the same label before suffixes) and single
    works, drawn at random (seeded) from the bibliography's entries that have authors and
    a four-digit year."""
    source = spec.bib.read_text(encoding="utf-8")
    bibliography = parse_bibliography(source, spec.bib.name)
    every = product_labels(bibliography)
    groups: dict[tuple[str, str], list[str]] = {}
    for entry in bibliography.entries:
        if not _SAFE_KEY.fullmatch(entry.key) or not entry.fields.get("author"):
            continue
        if not _YEAR.fullmatch(entry.fields.get("year", "").strip()):
            continue
        label = every[entry.key]
        groups.setdefault((label.names, label.year), []).append(entry.key)
    rng = random.Random(spec.seed)
    names = sorted(groups)
    multi = [n for n in names if len(groups[n]) > 1]
    single = [n for n in names if len(groups[n]) == 1]
    rng.shuffle(multi)
    rng.shuffle(single)
    clusters = []
    for name in multi[: spec.clusters]:
        members = list(groups[name])
        rng.shuffle(members)
        # Mostly two or three of the group; sometimes one alone (no suffix printed).
        size = rng.choice([1, 2, 2, 3, 3, len(members)])
        clusters.append(members[: max(1, min(size, len(members)))])
    singles = [groups[n][0] for n in single[: spec.singles]]
    return clusters, singles


# ---------------------------------------------------------------- writing the prose

_TOPICS = [
    "efficient fine-tuning of large models",
    "episodic memory and recall",
    "offline reinforcement learning",
    "the classification of natural images",
    "flexible workflows for scientific software",
    "first-order optimisation",
    "diffusion-based generative modelling",
    "the official benchmarks of the field",
    "memory consolidation during sleep",
    "solar irradiance forecasting",
    "reproducible research software",
    "in-context learning",
]
_VERBS = ["proposed", "studied", "extended", "revisited", "formalised", "benchmarked"]
_OPENERS = [
    "In contrast,",
    "More recently,",
    "Building on this,",
    "Similarly,",
    "In parallel,",
    "Early on,",
]


class _Writer:
    def __init__(self, rng: random.Random) -> None:
        self.rng = rng

    def topic(self) -> str:
        return self.rng.choice(_TOPICS)

    def verb(self) -> str:
        return self.rng.choice(_VERBS)

    def opener(self) -> str:
        return self.rng.choice(_OPENERS)

    def single(self, key: str) -> str:
        """One sentence citing ``key`` alone, in one of many natbib forms."""
        rng = self.rng
        forms = [
            lambda: f"\\citet{{{key}}} {self.verb()} an approach to {self.topic()}.",
            lambda: f"{self.opener()} \\citet{{{key}}} {self.verb()} {self.topic()}.",
            lambda: f"Work on {self.topic()} is related \\citep{{{key}}}.",
            lambda: (
                f"Similar ideas appear in earlier work \\citep[see][p.~{rng.randint(2, 400)}]{{{key}}}."
            ),
            lambda: (
                f"\\citet[Sec.~{rng.randint(1, 9)}]{{{key}}} discusses {self.topic()} in detail."
            ),
            lambda: f"Following \\citet{{{key}}}, we treat {self.topic()} as a baseline.",
            lambda: (
                f"As noted by \\citeauthor{{{key}}} \\citeyearpar{{{key}}}, {self.topic()} remains open."
            ),
            lambda: (
                f"The analysis of \\citeauthor{{{key}}} (\\citeyear{{{key}}}) covers {self.topic()}."
            ),
            lambda: f"In \\citeyear{{{key}}}, \\citeauthor{{{key}}} {self.verb()} {self.topic()}.",
            lambda: f"\\citeauthor{{{key}}} argue that {self.topic()} is underexplored.",
            lambda: f"This is a standard choice (cf.~\\citealp{{{key}}}).",
            lambda: f"This holds for {self.topic()} (see \\citealt{{{key}}}).",
            lambda: (
                f"A survey of {self.topic()} is available \\citep[][Chapter~{rng.randint(2, 12)}]{{{key}}}."
            ),
            lambda: f"\\Citet{{{key}}} first {self.verb()} {self.topic()}.",
            lambda: (
                f"The first detailed treatment of {self.topic()} \\citep*{{{key}}} predates most benchmarks."
            ),
        ]
        return rng.choice(forms)()

    def several(self, keys: list[str]) -> str:
        """One sentence citing several keys together."""
        rng = self.rng
        joined = ",".join(keys)
        forms = [
            lambda: (
                f"{self.topic().capitalize()} has been studied extensively \\citep{{{joined}}}."
            ),
            lambda: f"Prior work covers {self.topic()} \\citep[e.g.,][]{{{joined}}}.",
            lambda: f"See \\citet{{{joined}}} for {self.topic()}.",
            lambda: f"Related results exist (e.g., \\citealp{{{joined}}}).",
            lambda: (
                f"Several groups {self.verb()} {self.topic()} \\citep[see][and references therein]{{{joined}}}."
            ),
        ]
        return rng.choice(forms)()


def write_latex(spec: PaperSpec, clusters: list[list[str]], singles: list[str]) -> str:
    rng = random.Random(spec.seed + 1)
    writer = _Writer(rng)
    sentences: list[str] = []
    pool = list(singles)
    rng.shuffle(pool)
    for cluster in clusters:
        # A cluster cited together (natbib compresses "2021a,b"), then each member once
        # more on its own, somewhere else.
        if len(cluster) > 1:
            extra = [pool.pop()] if pool and rng.random() < 0.5 else []
            sentences.append(writer.several(cluster + extra))
        for key in cluster:
            sentences.append(writer.single(key))
    while pool:
        take = rng.choice([1, 1, 1, 2, 3])
        chunk, pool = pool[:take], pool[take:]
        sentences.append(writer.single(chunk[0]) if len(chunk) == 1 else writer.several(chunk))
    # Keep cited works apart from the sentences that first name them: shuffle in blocks.
    rng.shuffle(sentences)
    paragraphs = [" ".join(sentences[i : i + 6]) for i in range(0, len(sentences), 6)]
    options = ",".join(spec.natbib_options)
    fonts = "\\usepackage{microtype}\n" if spec.microtype else ""
    hyperref = "\\usepackage{hyperref}\n" if spec.hyperref else ""
    classopt = "[twocolumn]" if spec.twocolumn else ""
    body = "\n\n".join(paragraphs)
    return (
        f"\\documentclass{classopt}{{article}}\n"
        "\\usepackage[utf8]{inputenc}\n"
        f"{fonts}"
        f"\\usepackage[{options}]{{natbib}}\n"
        "\\usepackage{url}\n"
        f"{hyperref}"
        "\\title{Notes on Related Work}\n\\author{A. Writer}\\date{}\n"
        "\\begin{document}\n\\maketitle\n"
        "\\section{Introduction}\n"
        "In 2023, 12 of the 40 systems we surveyed used offline data (Table~2). "
        "Section~2 reviews prior work; Figure~3 summarises it.\n\n"
        "\\section{Related Work}\n"
        f"{body}\n\n"
        f"\\bibliographystyle{{{spec.bst}}}\n\\bibliography{{paper}}\n"
        "\\end{document}\n"
    )


# ---------------------------------------------------------------- building


def _run(command: list[str], cwd: Path) -> None:
    subprocess.run(command, cwd=cwd, capture_output=True, timeout=120, check=False)


def build(spec: PaperSpec, folder: Path) -> Paper:
    """Write, compile and extract one paper in ``folder`` (created)."""
    folder.mkdir(parents=True, exist_ok=True)
    clusters, singles = choose_keys(spec)
    keys = [k for c in clusters for k in c] + singles
    blocks = _entry_blocks(spec.bib.read_text(encoding="utf-8"))
    subset = "\n\n".join(blocks[k.lower()] for k in keys) + "\n"
    (folder / "paper.bib").write_text(subset, encoding="utf-8")
    (folder / "paper.tex").write_text(write_latex(spec, clusters, singles), encoding="utf-8")
    latex = ["pdflatex", "-interaction=nonstopmode", "paper.tex"]
    _run(latex, folder)
    _run(["bibtex", "paper"], folder)
    _run(latex, folder)
    _run(latex, folder)
    paper = Paper(spec, folder, keys, folder / "paper.bib")
    paper.bbl = (folder / "paper.bbl").read_text(encoding="utf-8", errors="replace")
    for mode in EXTRACTION_MODES:
        out = folder / f"paper-{mode}.txt"
        flags = [] if mode == "default" else [f"-{mode}"]
        _run(["pdftotext", *flags, "-enc", "UTF-8", "paper.pdf", out.name], folder)
        paper.texts[mode] = out.read_text(encoding="utf-8")
    return paper

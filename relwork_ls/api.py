"""A small Python API over relwork-ls: load bibliographies, compute labels, lint drafts.

Everything here is a thin layer over the functions ``relwork-ls lint`` and the language
server use, so results are the same as the command line's::

    from relwork_ls import api

    bib = api.load_bibliography("refs.bib")
    api.labels(bib)["chen2021codex"].text()          # 'Chen et al., 2021'
    findings = api.lint_texts(
        {"draft.md": "Codex (Chen et al., 2021a) ..."}, {"refs.bib": bib_source}
    )
    [(f.code, f.span.line, f.message) for f in findings]

Positions in findings are 0-based lines and character columns (``SourceSpan``); ``fix``
holds the edits of a certain correction. The names below are the supported API; the
modules they come from may change between versions.
"""

from __future__ import annotations

import os
import tempfile
from collections.abc import Iterable, Mapping
from dataclasses import replace
from pathlib import Path, PurePosixPath
from typing import Any

from .bibliography.files import BibliographyError, bibliography_from_text
from .bibliography.files import load_bibliography as _load_bibliography_file
from .bibliography.labels import Label, LabelOptions
from .bibliography.model import BibEntry, Bibliography, SourceSpan
from .citations.resolution import CitationIndex
from .config import Config, ConfigError, config_from_mapping, find_config_file, load_config
from .findings import Finding
from .lint.run import History, LintUsageError, lint_paths
from .lint.workspace import Workspace

__all__ = [
    "BibEntry",
    "Bibliography",
    "BibliographyError",
    "ConfigError",
    "Finding",
    "Label",
    "LintUsageError",
    "SourceSpan",
    "labels",
    "lint",
    "lint_texts",
    "load_bibliography",
    "parse_bibliography",
]

StrPath = str | os.PathLike[str]


def load_bibliography(*paths: StrPath, use_bbl: bool = True) -> Bibliography:
    """Read one or more bibliography files (.bib, CSL-JSON .json, .bbl) into one
    Bibliography, in the order given. With ``use_bbl``, a ``.bbl`` beside a ``.bib`` supplies
    the labels BibTeX produced. Raises BibliographyError for a file that cannot be read;
    syntax errors inside a file are kept in ``Bibliography.problems`` (the rest loads)."""
    combined = Bibliography()
    for path in paths:
        combined.extend(_load_bibliography_file(Path(path), use_sibling_bbl=use_bbl))
    return combined


def parse_bibliography(text: str, name: str = "refs.bib") -> Bibliography:
    """Parse bibliography source held in memory; ``name``'s extension picks the format
    (.bib, .json for CSL-JSON, .bbl) and becomes the path in source spans."""
    return bibliography_from_text(text, name)


def labels(
    bibliography: Bibliography, *, style: str = "natbib", two_author_joiner: str = "and"
) -> dict[str, Label]:
    """The label every entry gets (all entries take part, as with ``\\nocite{*}``), by key
    as written in the bibliography. ``style``: natbib (plainnat), apalike or apa;
    ``two_author_joiner``: "and" or "&". Labels from a .bbl win over computed ones."""
    index = CitationIndex(bibliography, LabelOptions(style, two_author_joiner))
    return {entry.key: index.label(entry) for entry in index.entries_by_key.values()}


def lint(
    paths: Iterable[StrPath],
    *,
    bibliographies: Iterable[StrPath] = (),
    settings: Mapping[str, Any] | None = None,
    config_file: StrPath | None = None,
) -> list[Finding]:
    """Lint drafts on disk as ``relwork-ls lint PATH...`` does (sorted by path and
    position). ``bibliographies`` are like ``--bib``; ``settings`` take the keys of
    relwork.toml (paths relative to the first path's folder) and replace the config file
    found above the first path (or ``config_file``). Raises LintUsageError (nothing to
    resolve against, a missing path) and ConfigError (invalid settings)."""
    path_list = [Path(p) for p in paths] or [Path(".")]
    if settings is not None:
        first = path_list[0].resolve()
        config = config_from_mapping(dict(settings), first if first.is_dir() else first.parent)
    else:
        found = Path(config_file) if config_file else find_config_file(path_list[0].resolve())
        config = load_config(found) if found else Config(root=Path.cwd())
    extra = [Path(b).resolve() for b in bibliographies]
    history = History(config.bibliographies_before, config.since)
    return lint_paths(path_list, Workspace(config, extra_bibliographies=extra), history).findings


def lint_texts(
    drafts: Mapping[str, str],
    bibliographies: Mapping[str, str],
    *,
    settings: Mapping[str, Any] | None = None,
) -> list[Finding]:
    """Lint drafts given as text against bibliographies given as text, with every check of
    ``lint`` (drift between the drafts included). Keys are relative file names whose
    extensions give the kinds ("draft.md", "paper.tex", "refs.bib", "refs.json"); findings
    name those same paths. ``settings`` take the keys of relwork.toml, with paths naming
    keys of ``bibliographies``; unless they set ``bibliographies``, every bibliography
    given that is not in ``bibliographies_before`` is used. ``since`` (a git revision) has
    no meaning for texts and raises ValueError."""
    for name in [*drafts, *bibliographies]:
        _check_relative(name)
    data = dict(settings or {})
    if data.get("since") is not None:
        raise ValueError(
            "since names a git revision: pass the old bibliography in "
            "bibliographies and name it in bibliographies_before"
        )
    before = {str(name) for name in data.get("bibliographies_before", [])}
    data.setdefault("bibliographies", [name for name in bibliographies if name not in before])
    with tempfile.TemporaryDirectory(prefix="relwork-ls-") as temporary:
        root = Path(temporary).resolve()
        for name, text in [*drafts.items(), *bibliographies.items()]:
            target = root / name
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_text(text, encoding="utf-8")
        config = config_from_mapping(data, root)
        history = History(config.bibliographies_before, config.since)
        workspace = Workspace(config)
        result = lint_paths([root / name for name in drafts], workspace, history)
        return [_relative_finding(finding, root) for finding in result.findings]


def _check_relative(name: str) -> None:
    path = PurePosixPath(name)
    if not name or path.is_absolute() or ".." in path.parts or "\\" in name:
        raise ValueError(f"not a relative file name: {name!r}")


def _relative_span(span: SourceSpan, root: Path) -> SourceSpan:
    try:
        relative = Path(span.path).resolve().relative_to(root)
    except ValueError:
        return span
    return replace(span, path=relative.as_posix())


def _relative_finding(finding: Finding, root: Path) -> Finding:
    """``finding`` with the paths of its span, related locations and fix made relative."""
    fix = finding.fix
    if fix is not None:
        edits = tuple(replace(edit, span=_relative_span(edit.span, root)) for edit in fix.edits)
        fix = replace(fix, edits=edits)
    related = tuple(replace(r, span=_relative_span(r.span, root)) for r in finding.related)
    return replace(finding, span=_relative_span(finding.span, root), related=related, fix=fix)

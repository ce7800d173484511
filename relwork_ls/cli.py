"""The ``relwork-ls`` command: ``labels``, ``lint`` and ``serve``."""

from __future__ import annotations

import argparse
import contextlib
import gc
import os
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, NoReturn

from . import __version__

# The modules of each command are imported when it runs: `--version` starts with nothing
# but argparse, a warm `labels` without the LaTeX, document and language-server machinery.
if TYPE_CHECKING:
    from .citations.index import CitationIndex
    from .config import Config
    from .lint.run import FixOutcome, History
    from .lint.workspace import Workspace


class UsageError(Exception):
    """Reported as ``relwork-ls: error: …`` with exit status 2."""


def _codes(value: str) -> list[str]:
    return [code.strip().upper() for code in value.split(",") if code.strip()]


def build_parser() -> argparse.ArgumentParser:
    from .bibliography.labels import STYLES
    from .findings import SEVERITIES
    from .lint.reports import FORMATS

    parser = argparse.ArgumentParser(
        prog="relwork-ls",
        description="Check author-year citations against bibliographies and across drafts.",
    )
    parser.add_argument("--version", action="version", version=f"relwork-ls {__version__}")
    commands = parser.add_subparsers(dest="command", required=True)

    labels = commands.add_parser("labels", help="print the rendered label of every entry")
    labels.add_argument("bibliographies", nargs="+", type=Path, metavar="BIB")
    labels.add_argument("--style", choices=STYLES, default=None)
    labels.add_argument(
        "--and",
        dest="joiner",
        choices=("and", "&"),
        default=None,
        help="word between two authors (default: and)",
    )
    labels.add_argument("--format", choices=("tsv", "json"), default="tsv")
    labels.add_argument(
        "--no-bbl", action="store_true", help="ignore a sibling .bbl; compute every label"
    )
    _cache_option(labels)
    labels.add_argument(
        "--cited-by",
        nargs="+",
        type=Path,
        default=None,
        metavar="PATH",
        help="only the works these documents cite (drafts, or .aux/.bbl files), labelled "
        "among them as BibTeX would (default: every entry, as with \\nocite{*})",
    )

    lint = commands.add_parser("lint", help="report citation problems")
    lint.add_argument("paths", nargs="*", type=Path, metavar="PATH")
    lint.add_argument(
        "--bib",
        action="append",
        type=Path,
        default=[],
        metavar="FILE",
        help="bibliography to resolve against (repeatable)",
    )
    lint.add_argument(
        "--bib-from-text",
        action="store_true",
        help="check drafts against their own reference list, even beside a bibliography "
        "(and report where the two disagree)",
    )
    lint.add_argument("--format", choices=FORMATS, default="text")
    lint.add_argument(
        "--select",
        type=_codes,
        default=None,
        metavar="CODES",
        help="only these codes or prefixes (comma-separated)",
    )
    lint.add_argument("--ignore", type=_codes, default=None, metavar="CODES")
    lint.add_argument(
        "--fail-on",
        choices=SEVERITIES,
        default="warning",
        help="lowest severity that makes the exit status 1 (default: warning)",
    )
    lint.add_argument("--style", choices=STYLES, default=None)
    lint.add_argument("--config", type=Path, default=None, help="config file to use")
    lint.add_argument("--no-config", action="store_true", help="ignore config files")
    lint.add_argument("--output", "-o", type=Path, default=None, help="write the report here")
    _history_options(lint)
    lint.add_argument("--fix", action="store_true", help="apply safe fixes to the drafts")
    lint.add_argument(
        "--unsafe-fixes", action="store_true", help="with --fix or --diff, apply unsafe fixes too"
    )
    lint.add_argument(
        "--diff", action="store_true", help="print what --fix would change, change nothing"
    )
    _cache_option(lint)

    serve = commands.add_parser("serve", help="run the language server (stdio by default)")
    serve.add_argument("--stdio", action="store_true", help="talk over stdin/stdout (default)")
    serve.add_argument("--tcp", metavar="HOST:PORT", default=None, help="listen on TCP instead")

    relabel = commands.add_parser(
        "relabel", help="rewrite citations whose labels moved since an older bibliography"
    )
    relabel.add_argument("paths", nargs="*", type=Path, metavar="PATH")
    relabel.add_argument("--bib", action="append", type=Path, default=[], metavar="FILE")
    relabel.add_argument("--diff", action="store_true", help="print the changes, write nothing")
    relabel.add_argument("--style", choices=STYLES, default=None)
    relabel.add_argument("--config", type=Path, default=None)
    relabel.add_argument("--no-config", action="store_true")
    _history_options(relabel)
    _cache_option(relabel)
    return parser


def _cache_option(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--no-cache",
        action="store_true",
        help="neither read nor write the cache of parsed bibliographies",
    )


def _history_options(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--bib-before",
        action="append",
        type=Path,
        default=[],
        metavar="FILE",
        help="the bibliography as it was (repeatable): flag labels that moved",
    )
    parser.add_argument(
        "--since",
        metavar="REV",
        default=None,
        help="read the older bibliography from this git revision",
    )


def _history(args: argparse.Namespace, config: Config) -> History:
    """--bib-before/--since, else the config's ``bibliographies_before``/``since``."""
    from .git_files import GitError, resolve_commit
    from .lint.run import History

    before = [p.resolve() for p in args.bib_before] or config.bibliographies_before
    for path in before:
        if not path.is_file():
            raise UsageError(f"no such bibliography: {path}")
    if args.since is not None:
        start = (args.paths or [Path(".")])[0].resolve()
        try:
            resolve_commit(start if start.is_dir() else start.parent, args.since)
        except GitError as error:
            raise UsageError(f"--since: {error}") from error
    return History(before, args.since or config.since)


def _config_for(args: argparse.Namespace, start: Path) -> Config:
    from .config import Config, find_config_file, load_config

    if getattr(args, "no_config", False):
        return Config(root=Path.cwd())
    path = args.config if getattr(args, "config", None) else find_config_file(start.resolve())
    if path is None:
        return Config(root=Path.cwd())
    if not path.is_file():
        raise UsageError(f"config file not found: {path}")
    return load_config(path)


def run_labels(args: argparse.Namespace) -> int:
    from .bibliography.cache import open_cache
    from .bibliography.files import load_bibliography
    from .bibliography.labels import LabelOptions
    from .bibliography.model import Bibliography
    from .citations.index import CitationIndex

    for path in args.bibliographies:
        if not path.is_file():
            raise UsageError(f"no such bibliography: {path}")
    config = _config_for(args, args.bibliographies[0])
    config.use_cache = config.use_cache and not args.no_cache
    options = LabelOptions(args.style or config.style, args.joiner or config.two_author_joiner)
    cache = open_cache(config.root, config.permitted_cache_dir()) if config.use_cache else None
    combined = Bibliography()
    for path in args.bibliographies:
        combined.extend(
            load_bibliography(
                path, use_sibling_bbl=not args.no_bbl, cache=cache, label_options=options
            )
        )
    index = CitationIndex(combined, options)
    if args.cited_by:
        rows = _cited_rows(args, config, index)
    else:
        rows = [(e.key, index.label(e).text(), e.title) for e in index.entries_by_key.values()]
    if args.format == "json":
        import json

        payload = [{"key": k, "label": label, "title": t} for k, label, t in rows]
        sys.stdout.write(json.dumps(payload, ensure_ascii=False, indent=2) + "\n")
    else:
        for key, label, title in rows:
            sys.stdout.write(f"{key}\t{label}\t{title}\n")
    for problem in combined.problems:
        span = problem.span
        sys.stderr.write(
            f"{span.path}:{span.line + 1}:{span.column + 1}: {problem.code} {problem.message}\n"
        )
    return 0


def _cited_rows(
    args: argparse.Namespace, config: Config, index: CitationIndex
) -> list[tuple[str, str, str]]:
    """Rows for the works the --cited-by documents cite, each labelled by the first
    document that cites it."""
    from .citations.cited_set import DocumentIndex
    from .citations.resolution import document_labels
    from .lint.manuscripts import evidence_from_files
    from .lint.run import lint_paths
    from .lint.workspace import Workspace

    config.style = index.options.style
    config.two_author_joiner = index.options.two_author_joiner
    for path in args.cited_by:
        if not path.exists():
            raise UsageError(f"no such file or directory: {path}")
    listed = [p.resolve() for p in args.cited_by if p.suffix.lower() in (".aux", ".bbl")]
    drafts = [p for p in args.cited_by if p.suffix.lower() not in (".aux", ".bbl")]
    workspace = Workspace(config, extra_bibliographies=[b.resolve() for b in args.bibliographies])
    views: list[CitationIndex] = []
    if listed:
        evidence = evidence_from_files(listed, index, config, workspace.read_if_possible)
        views.append(document_labels(index, evidence))
    if drafts:
        result = lint_paths(drafts, workspace)
        views.extend(a.index for a in result.analyses if a.index is not None)
    rows = []
    for entry in index.entries_by_key.values():
        for view in views:
            if isinstance(view, DocumentIndex) and view.entry(entry.key) is not None:
                match = view.entry(entry.key)
                if match is not None and view.is_cited(match):
                    rows.append((entry.key, view.label(match).text(), entry.title))
                    break
    return rows


def _workspace(args: argparse.Namespace, paths: list[Path]) -> Workspace:
    from .lint.workspace import Workspace

    config = _config_for(args, paths[0])
    config.use_cache = config.use_cache and not args.no_cache
    if getattr(args, "select", None) is not None:
        config.select = args.select
    if getattr(args, "ignore", None) is not None:
        config.ignore = [*config.ignore, *args.ignore]
    if args.style:
        config.style = args.style
    for bib in args.bib:
        if not bib.is_file():
            raise UsageError(f"no such bibliography: {bib}")
    return Workspace(
        config,
        extra_bibliographies=[b.resolve() for b in args.bib],
        bib_from_text=getattr(args, "bib_from_text", False),
    )


def _report_fix(outcome: FixOutcome, show_diff: bool) -> None:
    from .lint.run import unified_diff

    if show_diff:
        sys.stdout.write(unified_diff(outcome))
    for message in outcome.skipped:
        sys.stderr.write(f"relwork-ls: {message}\n")
    if not show_diff and outcome.changed:
        count = len(outcome.changed)
        sys.stderr.write(f"relwork-ls: fixed {count} file{'s' if count != 1 else ''}\n")


def run_lint(args: argparse.Namespace) -> int:
    from .lint.reports import render
    from .lint.run import exit_status, lint_and_fix, lint_paths

    paths = args.paths or [Path(".")]
    workspace = _workspace(args, paths)
    history = _history(args, workspace.config)
    if args.fix or args.diff:
        outcome = lint_and_fix(paths, workspace, history, args.unsafe_fixes, write=not args.diff)
        _report_fix(outcome, args.diff)
        if args.diff:
            return 1 if outcome.changed else 0
        result = outcome.result
    else:
        result = lint_paths(paths, workspace, history)
    report = render(result.findings, args.format)
    if args.output:
        args.output.write_text(report, encoding="utf-8")
    else:
        sys.stdout.write(report)
    return exit_status(result.findings, args.fail_on)


def run_relabel(args: argparse.Namespace) -> int:
    from .lint.reports import render
    from .lint.run import lint_and_fix

    paths = args.paths or [Path(".")]
    workspace = _workspace(args, paths)
    history = _history(args, workspace.config)
    if not history.active:
        raise UsageError("relabel needs --since REV or --bib-before FILE")
    workspace.config.select = ["RW102"]
    outcome = lint_and_fix(paths, workspace, history, write=not args.diff)
    _report_fix(outcome, args.diff)
    sys.stdout.write(render(outcome.result.findings, "text") if not args.diff else "")
    return 0


def main(argv: Sequence[str] | None = None) -> int:
    if argv is None:  # run as a program: the console script or python -m relwork_ls
        arguments = sys.argv[1:]
        if _command_of(arguments) != "serve":
            # A command-line run is short and keeps what it makes until it ends: sweeps for
            # cyclic garbage found none to free, yet took a fifth of a large lint run. The
            # language server, which runs for hours, keeps collecting.
            gc.disable()
        _exit_at_once(main(arguments))
    if _asks_for_version(argv):
        sys.stdout.write(f"relwork-ls {__version__}\n")
        return 0
    parser = build_parser()
    args = parser.parse_args(argv)
    try:
        if args.command == "labels":
            return run_labels(args)
        if args.command == "serve":
            from .server.app import start_server

            return start_server(args.tcp)
        if args.command == "relabel":
            return run_relabel(args)
        return run_lint(args)
    except _usage_errors() as error:  # evaluated only when an exception is raised
        sys.stderr.write(f"relwork-ls: error: {error}\n")
        return 2


def _exit_at_once(status: int) -> NoReturn:
    """End the process without freeing its objects one by one, as mypy does: after a large
    run, that teardown took a tenth of the time. Output is flushed first."""
    for stream in (sys.stdout, sys.stderr):
        with contextlib.suppress(OSError, ValueError):  # a closed pipe: nothing to add
            stream.flush()
    os._exit(status)


def _command_of(argv: Sequence[str]) -> str | None:
    """The command named on the command line (its first argument that is not an option)."""
    return next((argument for argument in argv if not argument.startswith("-")), None)


def _asks_for_version(argv: Sequence[str]) -> bool:
    """Whether ``--version`` comes before the command, where argparse would print the
    version and exit: answered before the parser (and what it imports) is built."""
    for argument in argv:
        if argument == "--version":
            return True
        if not argument.startswith("-") or argument == "--":
            return False
    return False


def _usage_errors() -> tuple[type[Exception], ...]:
    """The errors reported as usage errors (exit status 2), imported when one occurs."""
    from .bibliography.files import BibliographyError
    from .config import ConfigError
    from .lint.run import LintUsageError

    return (UsageError, ConfigError, LintUsageError, BibliographyError)


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())

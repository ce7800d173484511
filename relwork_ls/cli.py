"""The ``relwork-ls`` command: ``labels``, ``lint``, ``relabel`` and ``serve``."""

from __future__ import annotations

import argparse
import contextlib
import difflib
import gc
import json
import os
import select
import stat
import sys
import tempfile
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, NoReturn

from . import __version__
from .bibliography.cache import open_cache
from .bibliography.files import (
    BibliographyError,
    load_bibliography,
    regular_target,
    sibling_bbl,
)
from .bibliography.labels import STYLES, LabelOptions
from .bibliography.model import Bibliography
from .citations.index import CitationIndex
from .citations.kinds import BIBLIOGRAPHY_SUFFIXES, DRAFT_SUFFIXES, document_kind
from .config import (
    Config,
    ConfigError,
    check_codes,
    closest_codes,
    find_config_file,
    load_config,
)
from .findings import SEVERITIES
from .lint.reports import FORMATS, display_path, render
from .rules import RULES, describe, rule, rules_document

# What only linting needs (scanners, resolution, checks) is imported by the commands that
# lint: `labels` and `rule` start without it.
if TYPE_CHECKING:
    from .citations.cited_set import DocumentIndex
    from .lint.run import FixOutcome, History, LintResult
    from .lint.workspace import Workspace

EXIT_FINDINGS = 1
EXIT_USAGE = 2
EXIT_INTERNAL = 3

EXIT_STATUS_HELP = """\
exit status:
  0  nothing at or above --fail-on was found (labels: done; relabel: every stale label
     rewritten, or none found)
  1  findings at or above --fail-on; relabel: stale labels left (a file it could not
     write, a label it cannot settle); with --diff: something would change
  2  usage, configuration or input error, one line on stderr: a missing, unreadable or
     oversized file, a bad option value, an unknown code (also in a 'relwork: ignore'
     comment), a report or output that cannot be written
  3  internal error, a bug in relwork-ls: the report is still written (RW014 names the
     file, SARIF lists it in toolExecutionNotifications); please report it
"""


class UsageError(Exception):
    """Reported as ``relwork-ls: error: …`` with exit status 2."""


def _codes(value: str) -> list[str]:
    return [code.strip().upper() for code in value.split(",") if code.strip()]


def _subcommand(
    commands: argparse._SubParsersAction[argparse.ArgumentParser], name: str, text: str
) -> argparse.ArgumentParser:
    return commands.add_parser(
        name,
        help=text,
        description=text[:1].upper() + text[1:] + ".",
        epilog=EXIT_STATUS_HELP,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )


def build_parser() -> argparse.ArgumentParser:

    parser = argparse.ArgumentParser(
        prog="relwork-ls",
        description="Check author-year citations against bibliographies and across drafts.",
        epilog=EXIT_STATUS_HELP,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument(
        "--version", action="version", version=f"relwork-ls {__version__}", help="print the version"
    )
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    labels = _subcommand(commands, "labels", "print the rendered label of every entry")
    labels.add_argument(
        "bibliographies",
        nargs="+",
        type=Path,
        metavar="BIB",
        help="bibliography files (.bib, CSL-JSON .json, or .bbl)",
    )
    labels.add_argument(
        "--style", choices=STYLES, default=None, help="label style (default: natbib, i.e. plainnat)"
    )
    labels.add_argument(
        "--and",
        dest="joiner",
        choices=("and", "&"),
        default=None,
        help="word between two authors (default: and)",
    )
    labels.add_argument(
        "--format", choices=("tsv", "json"), default="tsv", help="output format (default: tsv)"
    )
    labels.add_argument(
        "--no-bbl",
        action="store_true",
        help="ignore a sibling .bbl; compute every label (a .bbl made by another style is "
        "ignored anyway)",
    )
    _config_options(labels)
    labels.add_argument(
        "--cited-by",
        nargs="+",
        type=Path,
        default=None,
        metavar="PATH",
        help="only the works these documents cite (drafts, or .aux/.bbl files), labelled "
        "among them as BibTeX would (default: every entry, as with \\nocite{*})",
    )

    lint = _subcommand(commands, "lint", "report citation problems")
    lint.add_argument(
        "paths",
        nargs="*",
        type=Path,
        metavar="PATH",
        help="drafts, or folders to search for drafts and bibliographies (default: .)",
    )
    _bib_option(lint)
    lint.add_argument(
        "--format", choices=FORMATS, default="text", help="report format (default: text)"
    )
    lint.add_argument(
        "--bib-from-text",
        action="store_true",
        help="check drafts against their own reference list, even beside a bibliography "
        "(and report where the two disagree)",
    )
    lint.add_argument(
        "--select",
        type=_codes,
        default=None,
        metavar="CODES",
        help="only these codes or prefixes (comma-separated, e.g. RW00,RW101)",
    )
    lint.add_argument(
        "--ignore",
        type=_codes,
        default=None,
        metavar="CODES",
        help="leave out these codes or prefixes (comma-separated)",
    )
    lint.add_argument(
        "--fail-on",
        choices=SEVERITIES,
        default="warning",
        help="lowest severity that makes the exit status 1 (default: warning)",
    )
    lint.add_argument(
        "--style", choices=STYLES, default=None, help="label style (default: natbib, i.e. plainnat)"
    )
    _config_options(lint)
    lint.add_argument(
        "--output",
        "-o",
        type=Path,
        default=None,
        metavar="FILE",
        help="write the report (with --diff alone: the diff) to FILE instead of standard output",
    )
    _history_options(lint)
    lint.add_argument("--fix", action="store_true", help="apply the safe fixes to the drafts")
    lint.add_argument(
        "--unsafe-fixes", action="store_true", help="with --fix or --diff, apply unsafe fixes too"
    )
    lint.add_argument(
        "--diff",
        action="store_true",
        help="print the fixes as a unified diff (apply with patch -p0); alone it changes "
        "nothing and exits 1 if there is any; with --fix it applies them and shows them",
    )

    rule = _subcommand(commands, "rule", "explain a finding code (e.g. RW003)")
    rule.add_argument("code", nargs="?", metavar="CODE", help="the code to explain")
    rule.add_argument("--all", action="store_true", help="every rule (docs/rules.md)")

    serve = _subcommand(commands, "serve", "run the language server (stdio by default)")
    serve.add_argument("--stdio", action="store_true", help="talk over stdin/stdout (default)")
    serve.add_argument(
        "--tcp",
        metavar="HOST:PORT",
        default=None,
        help="listen on TCP instead, e.g. 127.0.0.1:2087",
    )

    relabel = _subcommand(
        commands, "relabel", "rewrite citations whose labels moved since an older bibliography"
    )
    relabel.add_argument(
        "paths",
        nargs="*",
        type=Path,
        metavar="PATH",
        help="drafts, or folders to search for drafts (default: .)",
    )
    _bib_option(relabel)
    relabel.add_argument(
        "--diff",
        action="store_true",
        help="print the changes as a unified diff, write nothing (exit 1 if there is any)",
    )
    relabel.add_argument(
        "--style", choices=STYLES, default=None, help="label style (default: natbib, i.e. plainnat)"
    )
    _config_options(relabel)
    _history_options(relabel)
    return parser


def _bib_option(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--bib",
        action="append",
        type=Path,
        default=[],
        metavar="FILE",
        help="bibliography to resolve against (repeatable; .bib, CSL-JSON .json, .bbl, or "
        "Hayagriva .yml)",
    )


def _config_options(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--config", type=Path, default=None, metavar="FILE", help="use this config file"
    )
    parser.add_argument(
        "--no-config", action="store_true", help="ignore relwork.toml and pyproject.toml"
    )
    parser.add_argument(
        "--no-cache",
        action="store_true",
        help="neither read nor write the cache of parsed bibliographies (.relwork_cache)",
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


# -- checks on what the user named -------------------------------------------------------


def _check_bibliography_file(path: Path, option: str, max_bytes: int) -> None:
    """UsageError unless ``path`` is a readable bibliography file."""
    kind = document_kind(str(path))
    if kind is not None:
        raise UsageError(
            f"{option} {path}: a draft ({kind}), not a bibliography "
            f"({', '.join(BIBLIOGRAPHY_SUFFIXES)})"
        )
    target, reason = regular_target(path, None, max_bytes)
    if target is None:
        if reason in ("no such file", "dangling symbolic link"):
            raise UsageError(f"no such bibliography: {path}")
        raise UsageError(f"{option} {path}: {reason}")


def _history(args: argparse.Namespace, config: Config) -> History:
    """--bib-before/--since, else the config's ``bibliographies_before``/``since``."""
    from .git_files import GitError, resolve_commit
    from .lint.run import History

    for path in args.bib_before:
        _check_bibliography_file(path.resolve(), "--bib-before", config.max_file_bytes)
    # The config's older bibliographies are checked when read: one that is missing is a
    # finding (RW013), not a stopped run.
    before = [p.resolve() for p in args.bib_before] or config.bibliographies_before
    if args.since is not None:
        start = (args.paths or [Path(".")])[0].resolve()
        folder = start if start.is_dir() else start.parent
        try:
            resolve_commit(folder, args.since)
        except GitError as error:
            if not _in_git_repository(folder):
                raise UsageError(f"--since: {folder} is not in a git repository") from error
            raise UsageError(f"--since: {error}") from error
    return History(before, args.since or config.since)


def _in_git_repository(folder: Path) -> bool:
    return any((parent / ".git").exists() for parent in (folder, *folder.parents))


def _config_for(args: argparse.Namespace, start: Path) -> Config:
    from .config import Config

    if getattr(args, "no_config", False):
        return Config(root=Path.cwd())
    path = args.config if getattr(args, "config", None) else find_config_file(start.resolve())
    if path is None:
        return Config(root=Path.cwd())
    if not path.is_file():
        raise UsageError(f"config file not found: {path}")
    return load_config(path)


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
    workspace = Workspace(
        config,
        extra_bibliographies=[b.resolve() for b in args.bibliographies],
        use_sibling_bbl=not args.no_bbl,
    )
    views: list[DocumentIndex] = []
    if listed:
        evidence = evidence_from_files(listed, index, config, workspace.read_if_possible)
        views.append(document_labels(index, evidence))
    if drafts:
        result = lint_paths(drafts, workspace)
        views.extend(a.index for a in result.analyses if isinstance(a.index, DocumentIndex))
    rows = []
    unsettled = []
    for entry in index.entries_by_key.values():
        certain = next(
            (
                (view, match)
                for view in views
                if (match := view.entry(entry.key)) and view.certainly_cites(match)
            ),
            None,
        )
        if certain is not None:
            view, match = certain
            rows.append((entry.key, view.label(match).text(), entry.title))
        elif any((e := v.entry(entry.key)) and v.is_cited(e) for v in views):
            unsettled.append(entry.key)
    if unsettled:
        # Works the text may cite, but cannot say (RW020): their labels depend on which.
        _note(
            f"note: {len(unsettled)} work(s) may be cited but the text cannot say which, so "
            f"they are not listed: {', '.join(unsettled[:8])}"
            + (" …" if len(unsettled) > 8 else "")
        )
    return rows


def _workspace(args: argparse.Namespace, paths: list[Path]) -> Workspace:
    from .lint.workspace import Workspace

    config = _config_for(args, paths[0])
    config.use_cache = config.use_cache and not args.no_cache
    if getattr(args, "select", None) is not None:
        check_codes(args.select, "--select")
        config.select = args.select
    if getattr(args, "ignore", None) is not None:
        check_codes(args.ignore, "--ignore")
        config.ignore = [*config.ignore, *args.ignore]
    if args.style:
        config.style = args.style
    for bib in args.bib:
        _check_bibliography_file(bib, "--bib", config.max_file_bytes)
    return Workspace(
        config,
        extra_bibliographies=[b.resolve() for b in args.bib],
        bib_from_text=getattr(args, "bib_from_text", False),
    )


# -- output --------------------------------------------------------------------------------


def _note(message: str) -> None:
    """One line on stderr; a closed stderr is no reason to fail."""
    try:
        sys.stderr.write(f"relwork-ls: {message}\n")
        sys.stderr.flush()
    except (OSError, ValueError, AttributeError):  # closed, or no stderr at all (2>&-)
        pass


def _print(text: str) -> None:
    """Write to stdout and flush now, so that a closed pipe or a full disk is reported
    here, as one line, not as a traceback when Python exits."""
    if not text:
        return
    if sys.stdout is None:  # started with stdout closed (>&-)
        raise UsageError("cannot write the output: standard output is closed")
    try:
        _write_all(text)
    except BrokenPipeError:
        raise
    except OSError as error:
        raise UsageError(f"cannot write the output: {error.strerror or error}") from error


def _write_all(text: str) -> None:
    """Write ``text`` to stdout whole. Unbuffered (``python -u``, ``PYTHONUNBUFFERED``),
    stdout's text layer hands one write to the OS and drops what a pipe did not take; the
    bytes are written here until all are taken or the OS refuses (a closed pipe)."""
    stream = sys.stdout
    buffer = getattr(stream, "buffer", None)
    if buffer is None:  # replaced by a plain text stream (tests capture it so)
        stream.write(text)
        stream.flush()
        return
    stream.flush()
    data = memoryview(text.encode(stream.encoding or "utf-8", stream.errors or "strict"))
    while data:
        written = buffer.write(data)
        if written is None:  # a non-blocking stream that is full: wait for it
            select.select([], [buffer], [])
            continue
        data = data[written:]
    buffer.flush()


def _check_output(path: Path | None) -> None:
    """Before any work: the report's folder must exist."""
    if path is None:
        return
    folder = path.absolute().parent
    if not folder.is_dir():
        raise UsageError(f"cannot write the report to {path}: folder {folder} does not exist")
    if path.is_dir():
        raise UsageError(f"cannot write the report to {path}: it is a folder")


def _write_report(path: Path, text: str) -> None:
    """Write the report whole or not at all (a temporary file renamed over it); a FIFO,
    device or /dev/stdout-like target is written directly."""
    data = text.encode("utf-8", "backslashreplace")
    try:
        if path.exists() and not stat.S_ISREG(path.stat().st_mode):
            with path.open("wb") as out:
                out.write(data)
            return
        handle, temporary = tempfile.mkstemp(
            dir=path.absolute().parent, prefix=f".{path.name}.", suffix=".tmp"
        )
        try:
            with os.fdopen(handle, "wb") as out:
                out.write(data)
                out.flush()
                os.fsync(out.fileno())
            os.chmod(temporary, 0o666 & ~_umask())
            os.replace(temporary, path)
        finally:
            if os.path.lexists(temporary):
                os.unlink(temporary)
    except OSError as error:
        raise UsageError(f"cannot write the report to {path}: {error.strerror or error}") from error


def _umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask


def _emit(args: argparse.Namespace, report: str) -> None:
    if args.output:
        _write_report(args.output, report)
    else:
        _print(report)


# -- commands ------------------------------------------------------------------------------


def run_labels(args: argparse.Namespace) -> int:
    config = _config_for(args, args.bibliographies[0])
    config.use_cache = config.use_cache and not args.no_cache
    options = LabelOptions(args.style or config.style, args.joiner or config.two_author_joiner)
    cache = open_cache(config.root, config.permitted_cache_dir()) if config.use_cache else None
    combined = Bibliography()
    for path in args.bibliographies:
        _check_bibliography_file(path, "labels", config.max_file_bytes)
        bib = load_bibliography(
            path,
            use_sibling_bbl=False,
            max_bytes=config.max_file_bytes,
            label_options=options,
            cache=cache,
        )
        if not args.no_bbl and path.suffix.lower() != ".bbl":
            bbl_labels, note = sibling_bbl(path, options, config.max_file_bytes)
            bib.bbl_labels.update((label.key.lower(), label) for label in bbl_labels)
            if note:
                _note(f"note: {note}")
        combined.extend(bib)
    index = CitationIndex(combined, options)
    if args.cited_by:
        rows = _cited_rows(args, config, index)
    else:
        rows = [(e.key, index.label(e).text(), e.title) for e in index.entries_by_key.values()]
    if args.format == "json":
        payload = [{"key": k, "label": label, "title": t} for k, label, t in rows]
        _print(json.dumps(payload, ensure_ascii=False, indent=2) + "\n")
    else:
        _print("".join(f"{key}\t{label}\t{title}\n" for key, label, title in rows))
    for problem in combined.problems:
        span = problem.span
        _note(f"{span.path}:{span.line + 1}:{span.column + 1}: {problem.code} {problem.message}")
    return 0


def _report_fix(outcome: FixOutcome, args: argparse.Namespace) -> None:
    """The diff (with ``--diff``: into ``--output`` when the diff is all there is to
    report, i.e. without ``--fix``) and a note per file skipped or fixed."""
    from .lint.run import unified_diff

    if args.diff:
        if getattr(args, "output", None) and not getattr(args, "fix", False):
            _write_report(args.output, unified_diff(outcome))
        else:
            _print(unified_diff(outcome))
    for message in outcome.skipped:
        _note(message)
    if outcome.written:
        count = len(outcome.written)
        _note(f"fixed {count} file{'s' if count != 1 else ''}")


def _status(result: LintResult, fail_on: str) -> int:
    from .lint.run import exit_status

    unknown = [f for f in result.findings if f.code == "RW017"]
    if result.internal_errors:
        _note(
            f"internal error while checking {len(result.internal_errors)} file(s) (RW014); "
            "the others were checked. This is a bug; please report it."
        )
        return EXIT_INTERNAL
    if unknown:
        first = unknown[0]
        where = f"{display_path(first.span.path)}:{first.span.line + 1}"
        raise UsageError(f"{where}: {first.message}")
    return exit_status(result.findings, fail_on)


def _no_drafts(result: LintResult, paths: list[Path]) -> None:
    if result.drafts:
        return
    named = " ".join(str(p) for p in paths)
    suffixes = ", ".join(sorted({s for s in DRAFT_SUFFIXES if s not in (".text", ".ltx")}))
    unread = [
        f
        for f in result.findings
        if f.code == "RW011" and Path(f.span.path).suffix.lower() in DRAFT_SUFFIXES
    ]
    if unread:
        _note(f"no draft in {named} could be read (RW011 above says why)")
        return
    if not result.bibliographies:
        raise UsageError(f"no drafts ({suffixes}) or bibliographies found in {named}")
    _note(f"no drafts ({suffixes}) found in {named}; only the bibliographies were checked")


def run_lint(args: argparse.Namespace) -> int:
    from .lint.run import LintUsageError, internal_error, lint_and_fix, lint_paths

    paths = args.paths or [Path(".")]
    if args.unsafe_fixes and not (args.fix or args.diff):
        raise UsageError("--unsafe-fixes applies with --fix or --diff")
    _check_output(args.output)
    workspace = _workspace(args, paths)
    history = _history(args, workspace.config)
    try:
        if args.fix or args.diff:
            outcome = lint_and_fix(paths, workspace, history, args.unsafe_fixes, write=args.fix)
            if args.fix and args.diff:
                outcome.changed = {p: outcome.changed[p] for p in outcome.written}
            _report_fix(outcome, args)
            if not args.fix:
                return EXIT_FINDINGS if outcome.changed else 0
            result = outcome.result
        else:
            result = lint_paths(paths, workspace, history)
    except (UsageError, ConfigError, LintUsageError, BibliographyError, BrokenPipeError):
        raise
    except Exception as error:  # noqa: BLE001 - a bug: still write the report, exit 3
        crash = internal_error("", "checking", error)
        _emit(args, render([], args.format, [crash]))
        _note(f"internal error: {crash.message}")
        return EXIT_INTERNAL
    _no_drafts(result, paths)
    _emit(args, render(result.findings, args.format, result.internal_errors))
    return _status(result, args.fail_on)


def run_relabel(args: argparse.Namespace) -> int:
    from .lint.run import lint_and_fix

    paths = args.paths or [Path(".")]
    workspace = _workspace(args, paths)
    history = _history(args, workspace.config)
    if not history.active:
        raise UsageError("relabel needs --since REV or --bib-before FILE")
    workspace.config.select = ["RW102"]
    outcome = lint_and_fix(paths, workspace, history, write=not args.diff)
    _report_fix(outcome, args)
    if args.diff:
        return EXIT_FINDINGS if outcome.changed else 0
    remaining = outcome.result.findings
    _print(render(remaining, "text"))
    if outcome.result.internal_errors:
        return EXIT_INTERNAL
    if remaining:  # a file that could not be written, or a label no rewrite settles
        count = len(remaining)
        _note(f"{count} stale label{'s' if count != 1 else ''} left as written (listed above)")
        return EXIT_FINDINGS
    return 0


def _tcp_address(value: str) -> str:
    host, colon, port = value.rpartition(":")
    if not colon or not port.isdigit() or not 0 < int(port) < 65536 or " " in host:
        raise UsageError(f"--tcp {value!r}: expected HOST:PORT, e.g. 127.0.0.1:2087")
    return value


def run_serve(args: argparse.Namespace) -> int:
    # Importing the server makes some hundred thousand objects that live as long as it
    # does (lsprotocol's classes above all): collections while they are made only walk
    # them again, and afterwards they are set apart from what later collections scan.
    enabled = gc.isenabled()
    gc.disable()
    from .server.app import start_server

    gc.freeze()
    if enabled:
        gc.enable()

    tcp = _tcp_address(args.tcp) if args.tcp else None
    try:
        return start_server(tcp)
    except OSError as error:
        raise UsageError(f"cannot listen on {tcp}: {error.strerror or error}") from error


def _tolerant_streams() -> None:
    """Text that cannot be encoded (a lone surrogate from a broken file) is escaped, not
    a crash at the very end."""
    for stream in (sys.stdout, sys.stderr):
        reconfigure = getattr(stream, "reconfigure", None)
        if reconfigure is not None:
            with contextlib.suppress(ValueError, OSError):
                reconfigure(errors="backslashreplace")


def run_rule(args: argparse.Namespace) -> int:
    if args.all:
        _print(rules_document())
        return 0
    if not args.code:
        raise UsageError("name a code (relwork-ls rule RW003) or pass --all")
    try:
        text = describe(rule(args.code))
    except KeyError:
        known = sorted(RULES)
        suggestions = closest_codes(args.code.upper())
        hint = f"did you mean {', '.join(suggestions)}? " if suggestions else ""
        raise UsageError(
            f"unknown code {args.code!r}; {hint}codes are {known[0]}…{known[-1]} "
            "(relwork-ls rule --all lists them)"
        ) from None
    _print(text)
    return 0


def _unrecognized(
    parser: argparse.ArgumentParser, args: argparse.Namespace, unknown: list[str]
) -> NoReturn:
    """Exit 2 with the subcommand's usage and, for a mistyped option, the options it is
    closest to (argparse says only "unrecognized arguments")."""
    command = getattr(args, "command", None)
    subparsers = [a for a in parser._actions if isinstance(a, argparse._SubParsersAction)]
    target = subparsers[0].choices.get(command, parser) if subparsers and command else parser
    options = [o for action in target._actions for o in action.option_strings]
    described = []
    for word in unknown:
        close = (
            difflib.get_close_matches(word.split("=", 1)[0], options, n=2, cutoff=0.6)
            if word.startswith("-")
            else []
        )
        described.append(f"{word} (did you mean {' or '.join(close)}?)" if close else word)
    target.error("unrecognized arguments: " + " ".join(described))
    raise AssertionError("argparse's error() exits")


def main(argv: Sequence[str] | None = None) -> int:
    _tolerant_streams()
    parser = build_parser()
    args, unknown = parser.parse_known_args(argv)
    if unknown:
        _unrecognized(parser, args, unknown)
    if sys.stdout is None and args.command != "serve" and not getattr(args, "output", None):
        # Before any work: a --fix must not be written when its report cannot be.
        _note("error: cannot write the output: standard output is closed")
        return EXIT_USAGE
    if argv is None and args.command != "serve":
        # A command-line run is short and keeps what it makes until it ends: sweeps for
        # cyclic garbage free nothing, yet took a fifth of a large lint. The language
        # server, which runs for hours, keeps collecting.
        gc.disable()
    try:
        if args.command == "labels":
            return run_labels(args)
        if args.command == "serve":
            return run_serve(args)
        if args.command == "relabel":
            return run_relabel(args)
        if args.command == "rule":
            return run_rule(args)
        return run_lint(args)
    except _usage_errors() as error:
        _note(f"error: {error}")
        return EXIT_USAGE
    except BrokenPipeError:
        from .__main__ import discard_stdout

        discard_stdout()
        _note("error: the output was closed before it was complete (broken pipe)")
        return EXIT_USAGE
    except KeyboardInterrupt:
        _note("interrupted")
        return 130
    except Exception as error:  # noqa: BLE001 - a bug: one line and its own exit status
        _note(
            f"internal error: {type(error).__name__}: {error}. This is a bug in relwork-ls "
            "(exit status 3); please report it."
        )
        return EXIT_INTERNAL


def _usage_errors() -> tuple[type[Exception], ...]:
    """The errors reported as usage errors (exit status 2), imported when one occurs."""
    from .bibliography.files import BibliographyError
    from .config import ConfigError
    from .lint.run import LintUsageError

    return (UsageError, ConfigError, LintUsageError, BibliographyError)


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())

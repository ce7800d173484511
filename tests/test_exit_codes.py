"""Exit statuses and clean failures (issues 11 and 17): every bad input or environment ends
in one line on stderr and exit 2; an internal error has its own status, 3, and the report
is still written; one bad file is one finding while the others are checked."""

from __future__ import annotations

import argparse
import errno
import json
import os
import shutil
import socket
import subprocess
import sys
import tempfile
from collections.abc import Iterator
from pathlib import Path

import pytest

from relwork_ls.cli import build_parser, main

REFS = (
    "@article{chen2021, author={Chen, Mark and Tworek, Jerry and Jun, Heewoo}, year={2021},"
    " title={Codex}}\n"
    "@article{liu2021, author={Liu, Chenxiao and Wan, Xiaojun}, year={2021}, title={CodeQA}}\n"
)


def run(capsys, *args: str) -> tuple[int, str, str]:
    status = main(list(args))
    out, err = capsys.readouterr()
    return status, out, err


def one_line_error(err: str) -> str:
    assert err.startswith("relwork-ls: error: ") and err.count("\n") == 1, err
    assert "Traceback" not in err
    return err


@pytest.fixture
def project(tmp_path: Path) -> Path:
    (tmp_path / "refs.bib").write_text(REFS)
    (tmp_path / "good.md").write_text("Codex (Chen et al., 2021) and (Liu and Wan, 2021).\n")
    (tmp_path / "bad.md").write_text("Codex (Chen et al., 2021a) and (Liu et al., 2021).\n")
    return tmp_path


# -- help ----------------------------------------------------------------------------------


def _parsers(parser: argparse.ArgumentParser) -> Iterator[argparse.ArgumentParser]:
    yield parser
    for action in parser._actions:
        if isinstance(action, argparse._SubParsersAction):
            for sub in action.choices.values():
                yield from _parsers(sub)


def test_every_option_has_help_and_help_lists_exit_statuses():
    for parser in _parsers(build_parser()):
        for action in parser._actions:
            if isinstance(action, argparse._SubParsersAction):
                assert all(choice.help for choice in action._choices_actions)
                continue
            assert action.help, f"{parser.prog} {action.option_strings or action.dest}"
        text = parser.format_help()
        assert "exit status:" in text and "3  internal error" in text, parser.prog


# -- codes ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("option", "value", "expected"),
    [
        ("--select", "RW10l", "--select: unknown code 'RW10L'; did you mean RW101"),
        ("--ignore", "RW003,RW9x9", "--ignore: unknown code 'RW9X9'"),
    ],
)
def test_unknown_code_on_the_command_line(project, capsys, option, value, expected):
    status, out, err = run(capsys, "lint", str(project), option, value)
    assert status == 2 and out == ""
    assert expected in one_line_error(err)


def test_known_prefixes_are_accepted(project, capsys):
    status, _, err = run(capsys, "lint", str(project), "--select", "RW00", "--ignore", "RW3")
    assert status == 1, err


@pytest.mark.parametrize(
    ("config", "expected"),
    [
        ('ignore = ["RW10l"]\n', "ignore: unknown code 'RW10L'; did you mean RW101"),
        ('[severity]\nRW0O5 = "info"\n', "severity: unknown code 'RW0O5'; did you mean RW005"),
    ],
)
def test_unknown_code_in_the_config(project, capsys, config, expected):
    (project / "relwork.toml").write_text(config)
    status, _, err = run(capsys, "lint", str(project))
    assert status == 2 and expected in one_line_error(err)


def test_unknown_code_in_a_suppression_comment(project, capsys, monkeypatch):
    (project / "bad.md").write_text("Codex (Chen et al., 2021a). <!-- relwork: ignore RW10l -->\n")
    monkeypatch.chdir(project)
    status, out, err = run(capsys, "lint", "bad.md", "--bib", "refs.bib")
    assert status == 2
    # The typo silences nothing, and says where it is.
    assert (
        "bad.md:1:50: RW017 error unknown code 'RW10l' in a relwork: ignore comment; did "
        "you mean RW101" in out
    )
    assert "bad.md:1:8: RW003" in out
    assert one_line_error(err).startswith("relwork-ls: error: bad.md:1: unknown code 'RW10l'")


# -- inputs --------------------------------------------------------------------------------


def test_bib_that_is_a_draft(project, capsys):
    status, _, err = run(capsys, "lint", str(project / "good.md"), "--bib", str(project / "bad.md"))
    assert status == 2
    assert one_line_error(err) == (
        f"relwork-ls: error: --bib {project / 'bad.md'}: a draft (markdown), not a bibliography "
        "(.bib, .json, .bbl, .yml, .yaml)\n"
    )


def test_empty_directory_says_it_found_no_drafts(tmp_path, capsys):
    status, out, err = run(capsys, "lint", str(tmp_path))
    assert (status, out) == (2, "")
    assert (
        "no drafts (.docx, .markdown, .md, .qmd, .rmd, .tex, .txt, .typ) or bibliographies found in"
        in (one_line_error(err))
    )


def test_folder_with_only_a_bibliography_checks_it_and_says_so(tmp_path, capsys):
    (tmp_path / "refs.bib").write_text(REFS + "@article{chen2021, title={again}}\n")
    status, out, err = run(capsys, "lint", str(tmp_path))
    assert status == 1 and "RW304" in out
    assert "no drafts" in err and "only the bibliographies were checked" in err


def test_output_into_a_missing_folder(project, capsys):
    report = project / "no" / "such" / "report.sarif"
    status, out, err = run(capsys, "lint", str(project), "-o", str(report))
    assert (status, out) == (2, "")
    assert f"folder {report.parent} does not exist" in one_line_error(err)


@pytest.mark.skipif(not Path("/dev/full").exists(), reason="no /dev/full here")
def test_report_onto_a_full_disk(project, capsys):
    status, _, err = run(capsys, "lint", str(project), "-o", "/dev/full")
    assert status == 2 and "No space left on device" in one_line_error(err)


@pytest.mark.skipif(not Path("/dev/full").exists(), reason="no /dev/full here")
def test_standard_output_onto_a_full_disk(project):
    with open("/dev/full", "w") as full:
        result = subprocess.run(
            [sys.executable, "-m", "relwork_ls", "lint", str(project)],
            stdout=full,
            stderr=subprocess.PIPE,
            text=True,
        )
    assert result.returncode == 2
    assert "No space left on device" in one_line_error(result.stderr)


def _closed_descriptor_run(arguments: list[str], closed: int, cwd: Path) -> tuple[int, str]:
    """Run relwork-ls started with file descriptor ``closed`` (1 or 2) closed, as the shell's
    ``>&-`` and ``2>&-`` start it; what it wrote to the other one."""
    result = subprocess.run(
        [sys.executable, "-m", "relwork_ls", *arguments],
        stdout=subprocess.PIPE if closed == 2 else None,
        stderr=subprocess.PIPE if closed == 1 else None,
        text=True,
        cwd=cwd,
        preexec_fn=lambda: os.close(closed),  # noqa: PLW1509 - only closes a descriptor
    )
    return result.returncode, (result.stdout or "") + (result.stderr or "")


@pytest.mark.parametrize(
    "arguments", [["--version"], ["lint", "."], ["labels", "refs.bib"], ["lint", ".", "--fix"]]
)
def test_closed_standard_output_is_a_usage_error_before_any_work(project, arguments):
    before = (project / "bad.md").read_text(encoding="utf-8")
    status, output = _closed_descriptor_run(arguments, 1, project)
    assert status == 2, output
    assert "standard output is closed" in output and "Traceback" not in output
    assert (project / "bad.md").read_text(encoding="utf-8") == before  # --fix not applied


def test_closed_standard_error_keeps_the_exit_status(project):
    status, output = _closed_descriptor_run(["lint", "no-such-folder"], 2, project)
    assert status == 2 and "Traceback" not in output


def test_version_into_a_closed_pipe_or_a_full_disk():
    command = [sys.executable, "-m", "relwork_ls", "--version"]
    reading, writing = os.pipe()
    os.close(reading)  # the reader went away before anything was written
    try:
        result = subprocess.run(command, stdout=writing, stderr=subprocess.PIPE, text=True)
    finally:
        os.close(writing)
    assert result.returncode == 2 and "Broken pipe" in one_line_error(result.stderr)
    if Path("/dev/full").exists():
        with open("/dev/full", "w") as full:
            result = subprocess.run(command, stdout=full, stderr=subprocess.PIPE, text=True)
        assert result.returncode == 2
        assert "No space left on device" in one_line_error(result.stderr)


def test_report_write_failing_midway_leaves_the_old_report(project, capsys, monkeypatch):
    report = project / "report.json"
    report.write_text("the previous report\n")

    def full_disk(descriptor: int) -> None:
        raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))

    monkeypatch.setattr(os, "fsync", full_disk)
    status, _, err = run(capsys, "lint", str(project), "--format", "json", "-o", str(report))
    assert status == 2 and "No space left on device" in one_line_error(err)
    assert report.read_text() == "the previous report\n"
    assert sorted(p.name for p in project.iterdir()) == [
        "bad.md",
        "good.md",
        "refs.bib",
        "report.json",
    ]


@pytest.mark.parametrize("address", ["bogus", "localhost:http", "127.0.0.1:99999", ":0"])
def test_serve_tcp_bad_address(capsys, address):
    status, _, err = run(capsys, "serve", "--tcp", address)
    assert status == 2 and "expected HOST:PORT" in one_line_error(err)


def test_serve_tcp_port_in_use(capsys):
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        result = subprocess.run(
            [sys.executable, "-m", "relwork_ls", "serve", "--tcp", f"127.0.0.1:{port}"],
            capture_output=True,
            text=True,
            timeout=60,
        )
    assert result.returncode == 2
    assert f"cannot listen on 127.0.0.1:{port}" in one_line_error(result.stderr)


# -- broken pipes --------------------------------------------------------------------------


def _run_into_closed_pipe(args: list[str], cwd: Path) -> subprocess.CompletedProcess[str]:
    """Run with stdout a pipe whose reading end is already closed (as ``| head`` ends)."""
    read_end, write_end = os.pipe()
    os.close(read_end)
    try:
        return subprocess.run(
            [sys.executable, "-m", "relwork_ls", *args],
            cwd=cwd,
            stdout=write_end,
            stderr=subprocess.PIPE,
            text=True,
            timeout=120,
        )
    finally:
        os.close(write_end)


@pytest.mark.parametrize(
    "args",
    [
        ["lint", "."],
        ["lint", ".", "--format", "json"],
        ["lint", ".", "--format", "sarif"],
        ["lint", ".", "--format", "github"],
        ["lint", ".", "--diff"],
        ["lint", ".", "--fix", "--diff"],
        ["labels", "refs.bib"],
        ["labels", "refs.bib", "--format", "json"],
        ["relabel", ".", "--bib", "refs.bib", "--bib-before", "old.bib", "--diff"],
    ],
    ids=lambda args: " ".join(args),
)
def test_broken_pipe_is_one_line_and_exit_two(project, args):
    (project / "old.bib").write_text(
        REFS + "@article{chen2021b, author={Chen, Mark and Li, A. and B, C.}, year={2021}, "
        "title={Other}}\n"
    )
    (project / "relabel.md").write_text("Codex (Chen et al., 2021a).\n")
    (project / "spelling.md").write_text("QA (Líu and Wan, 2021).\n")  # a safe fix for --diff
    result = _run_into_closed_pipe(args, project)
    assert result.returncode == 2, result.stderr
    assert result.stderr == (
        "relwork-ls: error: the output was closed before it was complete (broken pipe)\n"
    )


# -- unreadable files, as a user who cannot read them --------------------------------------


@pytest.fixture
def shared_folder() -> Iterator[Path]:
    """A folder another user may enter (tmp_path's parents are private to root)."""
    folder = Path(tempfile.mkdtemp(prefix="relwork-perm-"))
    folder.chmod(0o755)
    try:
        yield folder
    finally:
        for path in folder.rglob("*"):
            if not path.is_symlink():
                path.chmod(0o755 if path.is_dir() else 0o644)
        shutil.rmtree(folder)


def _unprivileged(args: list[str], cwd: Path) -> subprocess.CompletedProcess[str]:
    """Run the command line as an ordinary user: as root, permissions are not enforced.
    (``setpriv`` drops to user nobody, keeping root's rights only to start the program.)"""
    prefix: list[str] = []
    if os.geteuid() == 0:
        setpriv = shutil.which("setpriv")
        if setpriv is None:
            pytest.skip("running as root without setpriv: permissions cannot be tested")
        prefix = [setpriv, "--reuid=65534", "--regid=65534", "--clear-groups"]
    # Coverage's subprocess patch would write its data file as that user, and fail.
    environment = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith(("COVERAGE", "COV_CORE"))
    }
    return subprocess.run(
        [*prefix, sys.executable, "-m", "relwork_ls", *args],
        cwd=cwd,
        capture_output=True,
        text=True,
        timeout=120,
        env=environment,
    )


def test_unreadable_draft(shared_folder):
    (shared_folder / "refs.bib").write_text(REFS)
    (shared_folder / "good.md").write_text("Codex (Chen et al., 2021a).\n")
    secret = shared_folder / "secret.md"
    secret.write_text("Codex (Chen et al., 2021a).\n")
    secret.chmod(0)
    named = _unprivileged(["lint", "secret.md", "--bib", "refs.bib"], shared_folder)
    assert named.returncode == 2
    assert one_line_error(named.stderr) == (
        f"relwork-ls: error: {secret}: cannot be read: Permission denied\n"
    )
    walked = _unprivileged(["lint", "."], shared_folder)
    assert walked.returncode == 1, walked.stderr
    assert "secret.md:1:1: RW011 warning skipped secret.md: cannot be read: Permission denied" in (
        walked.stdout
    )
    assert "good.md:1:8: RW003" in walked.stdout  # the others are checked


def test_unreadable_bibliography_is_one_finding(shared_folder):
    (shared_folder / "refs.bib").write_text(REFS)
    (shared_folder / "relwork.toml").write_text('bibliographies = ["refs.bib", "more.bib"]\n')
    (shared_folder / "more.bib").write_text("@misc{x, title={y}}\n")
    (shared_folder / "more.bib").chmod(0)
    (shared_folder / "good.md").write_text("Codex (Chen et al., 2021a).\n")
    result = _unprivileged(["lint", "good.md"], shared_folder)
    assert result.returncode == 1, result.stderr
    assert "more.bib:1:1: RW011 warning skipped more.bib: cannot be read: Permission denied" in (
        result.stdout
    )
    assert "good.md:1:8: RW003" in result.stdout


def test_read_only_folder_under_fix(shared_folder):
    (shared_folder / "refs.bib").write_text(REFS)
    (shared_folder / "relwork.toml").write_text('bibliographies = ["refs.bib"]\n')
    locked = shared_folder / "locked"
    locked.mkdir()
    (locked / "a.md").write_text("Codex (Chen et al., 2021a).\n")
    free = shared_folder / "free"
    free.mkdir()
    (free / "b.md").write_text("Codex (Chen et al., 2021a).\n")
    if os.geteuid() == 0:  # the unprivileged run must own what it may write
        for path in (free, free / "b.md", locked / "a.md"):
            os.chown(path, 65534, 65534)
    locked.chmod(0o555)
    result = _unprivileged(["lint", ".", "--fix"], shared_folder)
    assert "Traceback" not in result.stderr
    assert f"relwork-ls: {locked / 'a.md'}: its folder {locked} is read-only; not fixed" in (
        result.stderr
    )
    assert "relwork-ls: fixed 1 file\n" in result.stderr
    assert (free / "b.md").read_text() == "Codex (Chen et al., 2021).\n"
    assert (locked / "a.md").read_text() == "Codex (Chen et al., 2021a).\n"
    assert result.returncode == 1  # a.md still has its finding


# -- internal errors -----------------------------------------------------------------------


def test_internal_error_in_one_file_exits_three_and_writes_the_report(project, capsys, monkeypatch):
    import relwork_ls.lint.run as run_module

    original = run_module.style_findings

    def failing(document, *args, **kwargs):
        if document.path.endswith("good.md"):
            raise KeyError("boom")
        return original(document, *args, **kwargs)

    monkeypatch.setattr(run_module, "style_findings", failing)
    report = project / "report.json"
    status, out, err = run(capsys, "lint", str(project), "--format", "json", "-o", str(report))
    assert status == 3
    data = json.loads(report.read_text())
    [problem] = data["internal_errors"]
    assert problem["code"] == "RW014" and problem["path"].endswith("good.md")
    assert "KeyError: 'boom'" in problem["message"]
    codes = {(Path(f["path"]).name, f["code"]) for f in data["findings"]}
    assert ("bad.md", "RW003") in codes and ("good.md", "RW014") in codes
    assert "internal error while checking 1 file(s) (RW014)" in err


def test_internal_error_in_one_bibliography_is_one_finding(project, capsys, monkeypatch):
    import relwork_ls.bibliography.bibtex as files

    original = files.load_bibtex_text

    def failing(text, path):
        if path.endswith("broken.bib"):
            raise RecursionError("maximum recursion depth exceeded")
        return original(text, path)

    monkeypatch.setattr(files, "load_bibtex_text", failing)
    (project / "broken.bib").write_text("@misc{x, title={y}}\n")
    (project / "relwork.toml").write_text('bibliographies = ["refs.bib", "broken.bib"]\n')
    status, out, _ = run(capsys, "lint", str(project / "bad.md"))
    assert status == 3
    assert (
        "broken.bib:1:1: RW014 error internal error while reading this file (RecursionError" in out
    )
    assert "bad.md:1:8: RW003" in out  # resolved against refs.bib all the same


def test_crash_outside_any_file_still_writes_the_report(project, capsys, monkeypatch):
    import relwork_ls.lint.run as run_module

    def broken(findings):
        raise AttributeError("a bug")

    monkeypatch.setattr(run_module, "_supersede", broken)
    report = project / "report.sarif"
    status, out, err = run(capsys, "lint", str(project), "--format", "sarif", "-o", str(report))
    assert status == 3 and out == ""
    log = json.loads(report.read_text())
    invocation = log["runs"][0]["invocations"][0]
    assert invocation["executionSuccessful"] is False
    assert "AttributeError: a bug" in invocation["toolExecutionNotifications"][0]["message"]["text"]
    assert err.count("\n") == 1 and "internal error" in err and "Traceback" not in err


def test_deeply_nested_emph_in_a_bib_does_not_stop_the_lint(project, capsys):
    (project / "refs.bib").write_text(
        REFS.replace("title={Codex}", "title={" + "\\emph{" * 200 + "x" + "}" * 200 + "}")
    )
    (project / "liu.md").write_text("(Liu et al., 2021)\n")
    status, out, err = run(capsys, "lint", str(project))
    assert "Traceback" not in err
    # Describing that entry may fail (the LaTeX decoder's depth); it costs one finding at
    # most, and the drafts that do not need it are checked as usual.
    assert status in (1, 3)
    assert "liu.md:1:2: RW004 warning" in out
    assert "bad.md:1:8: RW003" in out or "bad.md:1:1: RW014" in out


def test_dangling_link_and_loop_are_findings_and_the_rest_is_checked(project, capsys):
    os.symlink(project / "nowhere.md", project / "dangling.md")
    os.symlink(project / "loop-b.bib", project / "loop-a.bib")
    os.symlink(project / "loop-a.bib", project / "loop-b.bib")
    status, out, _ = run(capsys, "lint", str(project))
    assert status == 1
    assert "dangling.md:1:1: RW011 warning skipped dangling.md: dangling symbolic link" in out
    assert "loop-a.bib:1:1: RW011 warning skipped loop-a.bib: symbolic link loop" in out
    assert "bad.md:1:8: RW003" in out


@pytest.mark.parametrize("unbuffered", ["1", ""])
def test_a_pipe_closed_after_part_of_a_long_output_is_reported(tmp_path, unbuffered):
    """``| head -1`` on output larger than a pipe holds: the reader takes a part, then
    goes. Unbuffered (PYTHONUNBUFFERED, as many CI images set it), Python's text layer
    would drop the rest of one large write silently."""
    entries = "".join(
        f"@article{{k{i}, author={{Author{i}, A.}}, year={{2020}}, title={{Title {i}}}}}\n"
        for i in range(20_000)
    )
    (tmp_path / "big.bib").write_text(entries)
    environment = {**os.environ, "PYTHONUNBUFFERED": unbuffered}
    process = subprocess.Popen(
        [sys.executable, "-m", "relwork_ls", "labels", "--no-cache", "big.bib"],
        cwd=tmp_path,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        env=environment,
    )
    assert process.stdout is not None and process.stderr is not None
    assert process.stdout.readline()  # the first line, as head -1 reads it
    process.stdout.close()
    stderr = process.stderr.read().decode()
    assert process.wait(timeout=120) == 2, stderr
    assert stderr.endswith("the output was closed before it was complete (broken pipe)\n")

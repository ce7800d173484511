import fcntl
import os
import shutil
import stat
import subprocess
from pathlib import Path

import pytest

import relwork_ls.lint.fixes as fixes
from relwork_ls.cli import main
from relwork_ls.lint.fixes import FileChangedError, FileSnapshot, write_atomically

REFS = """@article{chen2021, author={Chen, Mark and Tworek, Jerry and Jun, Heewoo}, year={2021},
  title={Evaluating Large Language Models Trained on Code}}
@article{roziere, author={Rozi{\\`e}re, Baptiste and Gehring, Jonas and Gloeckle, Fabian}, year={2023},
  title={Code Llama}}
"""


@pytest.fixture
def project(tmp_path: Path) -> Path:
    (tmp_path / "refs.bib").write_text(REFS, encoding="utf-8")
    (tmp_path / "relwork.toml").write_text('bibliographies = ["refs.bib"]\n')
    return tmp_path


def test_fix_keeps_crlf_and_bom_and_is_idempotent(project, capsys):
    draft = project / "d.txt"
    original = "\ufeffCodex (Chen et al., 2021a).\r\nLlama (Roziere et al., 2023).\r\n"
    draft.write_bytes(original.encode("utf-8"))
    assert main(["lint", str(project), "--fix"]) == 0
    fixed = draft.read_bytes()
    assert fixed == "\ufeffCodex (Chen et al., 2021).\r\nLlama (Rozière et al., 2023).\r\n".encode()
    assert main(["lint", str(project), "--fix"]) == 0
    assert draft.read_bytes() == fixed
    capsys.readouterr()


def test_diff_changes_nothing_and_exits_one(project, capsys):
    draft = project / "d.txt"
    draft.write_text("Codex (Chen et al., 2021a).\n")
    assert main(["lint", str(project), "--diff"]) == 1
    out = capsys.readouterr().out
    assert "-Codex (Chen et al., 2021a).\n+Codex (Chen et al., 2021).\n" in out
    assert draft.read_text() == "Codex (Chen et al., 2021a).\n"


def test_unsafe_fixes_only_on_request(project, capsys):
    draft = project / "d.tex"
    draft.write_text("\\citep{chen2020}\n")
    main(["lint", str(project), "--fix"])
    assert draft.read_text() == "\\citep{chen2020}\n"
    main(["lint", str(project), "--fix", "--unsafe-fixes"])
    assert draft.read_text() == "\\citep{chen2021}\n"
    capsys.readouterr()


def test_file_changed_since_read_is_left_alone(tmp_path):
    path = tmp_path / "d.txt"
    path.write_text("old")
    snapshot = FileSnapshot.read(path)
    path.write_text("someone else's edit")
    with pytest.raises(FileChangedError):
        write_atomically(snapshot, "new")
    assert path.read_text() == "someone else's edit"
    assert not [p for p in tmp_path.iterdir() if p.name.endswith(".tmp")]


def test_invalid_utf8_draft_is_not_rewritten(project, capsys):
    draft = project / "d.txt"
    data = "Codex (Chen et al., 2021a) M\xfcller.\n".encode("latin-1")
    draft.write_bytes(data)
    main(["lint", str(project), "--fix"])
    assert draft.read_bytes() == data
    assert "not valid UTF-8" in capsys.readouterr().err


OLD_WANGS = (
    "@article{w1, author={Wang, Ann and Bo, B. and Cy, C.}, year={2023}, title={One}}\n"
    "@article{w2, author={Wang, Zoe and Bo, B. and Cy, C.}, year={2023}, title={Two}}\n"
    "@article{l1, author={Lee, Kim and Bo, B. and Cy, C.}, year={2020}, title={Three}}\n"
)
NEW_WANGS = OLD_WANGS + (
    "@article{w3, author={Wang, Bea and Bo, B. and Cy, C.}, year={2023}, title={New}}\n"
    "@article{l2, author={Lee, Max and Bo, B. and Cy, C.}, year={2020}, title={Four}}\n"
)


def write_new_bbl(folder) -> None:
    """The .bbl of the paper that now also cites Bea Wang (sorting between Ann and Zoe) and
    a second Lee: BibTeX letters Zoe "c" and the Lees "a"/"b"."""
    items = [("l1", "Lee", "2020", "a"), ("l2", "Lee", "2020", "b"), ("w1", "Wang", "2023", "a")]
    items += [("w3", "Wang", "2023", "b"), ("w2", "Wang", "2023", "c")]
    (folder / "refs.bbl").write_text(
        "\\begin{thebibliography}{5}\n"
        + "".join(
            f"\\bibitem[{n} et~al.({y}{{\\natexlab{{{x}}}}})]{{{k}}}\nT.\n\n"
            for k, n, y, x in items
        )
        + "\\end{thebibliography}\n"
    )


@pytest.mark.skipif(shutil.which("git") is None, reason="git is not installed")
def test_relabel_since_a_git_revision(tmp_path, capsys):
    def git(*args: str) -> None:
        subprocess.run(["git", "-C", str(tmp_path), *args], check=True, capture_output=True)

    bib = tmp_path / "refs.bib"
    bib.write_text(OLD_WANGS)
    draft = tmp_path / "d.txt"
    draft.write_text("First (Wang et al., 2023a) then (Wang et al., 2023b; Lee et al., 2020).\n")
    git("init", "-q")
    git("-c", "user.email=a@b", "-c", "user.name=t", "add", ".")
    git("-c", "user.email=a@b", "-c", "user.name=t", "commit", "-qm", "v1")
    # The paper now also cites a new Wang (Bea), who sorts between them, and a second Lee:
    # BibTeX's new .bbl letters Zoe "c" and the Lees "a"/"b", so "Lee et al., 2020" needs a
    # suffix and the draft fits the old bibliography better.
    bib.write_text(NEW_WANGS)
    write_new_bbl(tmp_path)
    # --diff: exit 1 because something would change.
    assert main(["relabel", str(tmp_path), "--bib", str(bib), "--since", "HEAD", "--diff"]) == 1
    expected = "First (Wang et al., 2023a) then (Wang et al., 2023c; Lee et al., 2020a).\n"
    assert "+" + expected in capsys.readouterr().out
    assert main(["relabel", str(tmp_path), "--bib", str(bib), "--since", "HEAD"]) == 0
    assert draft.read_text() == expected
    assert main(["relabel", str(tmp_path), "--bib", str(bib), "--since", "HEAD"]) == 0
    assert draft.read_text() == expected
    assert main(["relabel", str(tmp_path), "--bib", str(bib), "--since", "nosuchrev"]) == 2
    capsys.readouterr()


# -- write safety (issue 17) ---------------------------------------------------------------

FIXABLE = "Codex (Chen et al., 2021a).\n"
FIXED = "Codex (Chen et al., 2021).\n"


def _no_temporaries(folder: Path) -> None:
    # (The bibliography cache is the lint's, not a leftover of the fix.)
    leftovers = [p.name for p in folder.iterdir() if p.name.startswith(".")]
    assert not [name for name in leftovers if name != ".relwork_cache"], list(folder.iterdir())


def _fix(capsys, *paths: Path) -> str:
    main(["lint", *map(str, paths), "--fix"])
    return capsys.readouterr().err


def test_edit_landing_just_before_the_swap_is_kept(project, capsys, monkeypatch):
    draft = project / "d.txt"
    draft.write_text(FIXABLE)
    real_exchange = fixes.exchange

    def editor_writes_first(first: str, second: str) -> bool:
        with open(second, "r+") as editor:  # an editor saving in place, at the worst moment
            editor.write("Codex (Chen et al., 2021b) edited.\n")
        return real_exchange(first, second)

    monkeypatch.setattr(fixes, "exchange", editor_writes_first)
    err = _fix(capsys, project)
    assert draft.read_text() == "Codex (Chen et al., 2021b) edited.\n"
    assert "was edited while it was being fixed; the edit was kept" in err
    assert "fixed" not in err.replace("being fixed", "").replace("not fixed", "")
    _no_temporaries(project)


def test_editor_saving_by_rename_just_before_the_swap_is_kept(project, capsys, monkeypatch):
    draft = project / "d.txt"
    draft.write_text(FIXABLE)
    real_exchange = fixes.exchange

    def editor_renames_first(first: str, second: str) -> bool:
        saved = project / ".editor-save"
        saved.write_text("the editor's version\n")
        os.replace(saved, second)
        return real_exchange(first, second)

    monkeypatch.setattr(fixes, "exchange", editor_renames_first)
    err = _fix(capsys, project)
    assert draft.read_text() == "the editor's version\n"
    assert "the edit was kept" in err
    _no_temporaries(project)


def test_without_an_atomic_exchange_a_late_edit_is_saved_and_reported(project, capsys, monkeypatch):
    draft = project / "d.txt"
    draft.write_text(FIXABLE)

    def no_exchange_and_a_late_edit(first: str, second: str) -> bool:
        with open(second, "r+") as editor:
            editor.write("Codex (Chen et al., 2021b) edited.\n")
        return False  # as on a system without renameat2: a plain rename follows

    monkeypatch.setattr(fixes, "exchange", no_exchange_and_a_late_edit)
    err = _fix(capsys, project)
    lost = project / "d.txt.relwork-lost"
    assert lost.read_text() == "Codex (Chen et al., 2021b) edited.\n"
    assert f"that version is saved as {lost}" in err


def test_file_locked_by_another_program_is_left_alone(project, capsys):
    draft = project / "d.txt"
    draft.write_text(FIXABLE)
    with open(draft) as other:
        fcntl.flock(other, fcntl.LOCK_EX)
        err = _fix(capsys, project)
    assert draft.read_text() == FIXABLE
    assert f"{draft} is locked by another program; not fixed" in err


def test_read_only_file_is_skipped_and_only_written_files_are_counted(project, capsys):
    protected = project / "a.txt"
    protected.write_text(FIXABLE)
    protected.chmod(0o444)
    (project / "b.txt").write_text(FIXABLE)
    err = _fix(capsys, project)
    assert protected.read_text() == FIXABLE
    assert stat.S_IMODE(protected.stat().st_mode) == 0o444
    assert f"{protected}: the file is read-only; not fixed" in err
    assert "fixed 1 file\n" in err
    assert (project / "b.txt").read_text() == FIXED


def test_link_out_of_the_linted_folder_is_not_written_through(tmp_path, capsys):
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    target = elsewhere / "shared.txt"
    target.write_text(FIXABLE)
    work = tmp_path / "work"
    work.mkdir()
    (work / "refs.bib").write_text(REFS)
    link = work / "d.txt"
    os.symlink(target, link)
    err = _fix(capsys, link, "--bib", work / "refs.bib")
    assert target.read_text() == FIXABLE
    assert "reached through a symbolic link out of the linted folders; not fixed" in err
    _fix(capsys, target, "--bib", work / "refs.bib")  # asked for by name: written
    assert target.read_text() == FIXED and link.is_symlink()


def test_hard_links_owner_and_mode_are_kept(project, capsys):
    draft = project / "d.txt"
    draft.write_text(FIXABLE)
    draft.chmod(0o640)
    twin = project / "twin.text"
    os.link(draft, twin)
    solo = project / "solo.txt"
    solo.write_text(FIXABLE)
    solo.chmod(0o604)
    if os.geteuid() == 0:
        os.chown(solo, 65534, 65534)
    before = draft.stat()
    _fix(capsys, draft, solo)
    after = draft.stat()
    assert draft.read_text() == twin.read_text() == FIXED
    assert (after.st_ino, after.st_nlink) == (before.st_ino, 2)
    assert stat.S_IMODE(after.st_mode) == 0o640
    assert solo.read_text() == FIXED and stat.S_IMODE(solo.stat().st_mode) == 0o604
    if os.geteuid() == 0:
        assert (solo.stat().st_uid, solo.stat().st_gid) == (65534, 65534)
    _no_temporaries(project)


def test_fix_replaces_the_file_whole_never_in_place(project, capsys):
    """Mutation check: a reader that opened the draft before the fix reads the old text in
    full, and the name now leads to another file. An in-place write would change what the
    reader sees (and a crash half-way would leave a torn file)."""
    draft = project / "d.txt"
    draft.write_text(FIXABLE * 1000)
    with open(draft, "rb") as reader:
        inode = os.fstat(reader.fileno()).st_ino
        _fix(capsys, project)
        assert reader.read() == (FIXABLE * 1000).encode()
    assert draft.read_text() == FIXED * 1000
    assert draft.stat().st_ino != inode


def test_a_failing_write_leaves_the_file_as_it_was(project, capsys, monkeypatch):
    draft = project / "d.txt"
    draft.write_text(FIXABLE)

    def full_disk(descriptor: int) -> None:
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(os, "fsync", full_disk)
    err = _fix(capsys, project)
    assert draft.read_text() == FIXABLE
    assert f"{draft}: could not be written: No space left on device" in err
    _no_temporaries(project)


def test_file_replaced_since_it_was_read_is_left_alone(tmp_path):
    path = tmp_path / "d.txt"
    path.write_text("old")
    snapshot = FileSnapshot.read(path)
    (tmp_path / "other").write_text("old")
    os.replace(tmp_path / "other", path)  # same bytes, another file
    with pytest.raises(FileChangedError, match="replaced since it was read"):
        write_atomically(snapshot, "new")
    assert path.read_text() == "old"


# -- diffs that apply ------------------------------------------------------------------------

AWKWARD = {
    "plain.txt": FIXABLE,
    "no-newline.txt": "First line.\nCodex (Chen et al., 2021a).",
    "crlf.txt": "A\r\nCodex (Chen et al., 2021a).\r\nB\r\n",
    "form-feed.txt": "page one\x0cpage two (Chen et al., 2021a)\u2028still the same line\n",
}


def _awkward_project(project: Path) -> None:
    for name, text in AWKWARD.items():
        (project / name).write_bytes(text.encode())


@pytest.mark.parametrize(
    "tool",
    [
        pytest.param(["patch", "-p0", "--quiet"], id="patch"),
        pytest.param(["git", "apply", "-p0"], id="git-apply"),
    ],
)
def test_diff_applies_with_patch_tools(project, capsys, monkeypatch, tool):
    if shutil.which(tool[0]) is None:
        pytest.skip(f"{tool[0]} is not installed")
    _awkward_project(project)
    monkeypatch.chdir(project)
    assert main(["lint", ".", "--diff"]) == 1
    diff = capsys.readouterr().out
    assert "\\ No newline at end of file\n" in diff
    applied = subprocess.run(tool, input=diff.encode(), cwd=project, capture_output=True)
    assert applied.returncode == 0, applied.stderr.decode() + diff
    patched = {name: (project / name).read_bytes() for name in AWKWARD}
    _awkward_project(project)
    main(["lint", ".", "--fix"])
    capsys.readouterr()
    assert patched == {name: (project / name).read_bytes() for name in AWKWARD}
    assert patched["no-newline.txt"] == b"First line.\nCodex (Chen et al., 2021)."


def test_fix_with_diff_applies_and_shows(project, capsys, monkeypatch):
    (project / "d.txt").write_text(FIXABLE)
    monkeypatch.chdir(project)
    assert main(["lint", ".", "--fix", "--diff"]) == 0
    out, err = capsys.readouterr()
    assert "--- d.txt\n+++ d.txt\n" in out and "+" + FIXED in out
    assert (project / "d.txt").read_text() == FIXED
    assert "fixed 1 file" in err


def test_relabel_that_cannot_write_a_draft_exits_1_and_lists_what_is_left(tmp_path, capsys):
    # As in the git case above, with the older bibliography named by --bib-before.
    bib_before = tmp_path / "before.bib"
    bib_before.write_text(OLD_WANGS)
    bib = tmp_path / "refs.bib"
    bib.write_text(NEW_WANGS)
    write_new_bbl(tmp_path)
    draft = tmp_path / "d.txt"
    original = "First (Wang et al., 2023a) then (Wang et al., 2023b; Lee et al., 2020).\n"
    draft.write_text(original)
    draft.chmod(0o444)
    args = ["relabel", str(draft), "--bib", str(bib), "--bib-before", str(bib_before)]
    try:
        assert main(args) == 1
    finally:
        draft.chmod(0o644)
    captured = capsys.readouterr()
    assert draft.read_text() == original
    assert "read-only; not fixed" in captured.err
    assert "RW102" in captured.out and "left as written" in captured.err
    assert main(args) == 0  # writable again: rewritten, nothing left
    expected = "First (Wang et al., 2023a) then (Wang et al., 2023c; Lee et al., 2020a).\n"
    assert draft.read_text() == expected

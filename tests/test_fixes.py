import shutil
import subprocess
from pathlib import Path

import pytest

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


@pytest.mark.skipif(shutil.which("git") is None, reason="git is not installed")
def test_relabel_since_a_git_revision(tmp_path, capsys):
    def git(*args: str) -> None:
        subprocess.run(["git", "-C", str(tmp_path), *args], check=True, capture_output=True)

    bib = tmp_path / "refs.bib"
    bib.write_text(
        "@article{w1, author={Wang, Ann and Bo, B. and Cy, C.}, year={2023}, title={One}}\n"
        "@article{w2, author={Wang, Zoe and Bo, B. and Cy, C.}, year={2023}, title={Two}}\n"
        "@article{l1, author={Lee, Kim and Bo, B. and Cy, C.}, year={2020}, title={Three}}\n"
    )
    draft = tmp_path / "d.txt"
    draft.write_text("First (Wang et al., 2023a) then (Wang et al., 2023b; Lee et al., 2020).\n")
    git("init", "-q")
    git("-c", "user.email=a@b", "-c", "user.name=t", "add", ".")
    git("-c", "user.email=a@b", "-c", "user.name=t", "commit", "-qm", "v1")
    # A new Wang (Bea) sorts between them and a second Lee appears: Zoe moves from b to c
    # and "Lee et al., 2020" needs a suffix, so the draft fits the old bibliography better.
    bib.write_text(
        bib.read_text()
        + "@article{w3, author={Wang, Bea and Bo, B. and Cy, C.}, year={2023}, title={New}}\n"
        + "@article{l2, author={Lee, Max and Bo, B. and Cy, C.}, year={2020}, title={Four}}\n"
    )
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

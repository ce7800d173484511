import textwrap
from pathlib import Path

from helpers import bib

from relwork_ls.checks.draft_alignment import detect_groups
from relwork_ls.checks.drift import DraftVersion, drift_findings
from relwork_ls.checks.history import entry_successors, stale_label_findings
from relwork_ls.citations.documents import extract_citations
from relwork_ls.citations.model import Document
from relwork_ls.citations.resolution import resolve_citations

OLD = """
@article{chen2023agent, author={Chen, Weize and Su, Yusheng and Zuo, Jingwei}, year={2023}, title={AgentVerse}}
@article{chen2023phoenix, author={Chen, Zhihong and Jiang, Feng and Chen, Junying}, year={2023}, title={Phoenix}}
@article{codexa, author={Chen, Mark and Tworek, Jerry and Jun, Heewoo}, year={2021},
  title={Evaluating Large Language Models Trained on Code}, eprint={2107.03374}, archiveprefix={arXiv}}
@article{codexb, author={Chen, Mark and Tworek, Jerry and Jun, Heewoo}, year={2021},
  title={Evaluating Large Language Models Trained on Code}}
@article{gone, author={Gone, Anna}, year={2020}, title={Removed}}
"""
NEW = """
@article{chen2023extending, author={Chen, Shouyuan and Wong, Sherman and Chen, Liangjian}, year={2023}, title={Extending Context}}
@article{chen2023agent, author={Chen, Weize and Su, Yusheng and Zuo, Jingwei}, year={2023}, title={AgentVerse}}
@article{chen2023phoenix, author={Chen, Zhihong and Jiang, Feng and Chen, Junying}, year={2023}, title={Phoenix}}
@article{codexb, author={Chen, Mark and Tworek, Jerry and Jun, Heewoo}, year={2021},
  title={Evaluating Large Language Models Trained on Code}}
"""

OLD_DRAFT = textwrap.dedent("""\
    Agents cooperate in simulated societies (Chen et al., 2023a; Gone, 2020).
    Chat models were tuned on multilingual data (Chen et al., 2023b).
    Code models start with Codex (Chen et al., 2021a).
""")
NEW_DRAFT = textwrap.dedent("""\
    Large models keep improving every month.
    Agents cooperate in simulated societies (Chen et al., 2023b).
    Chat models were tuned on multilingual data (Chen et al., 2023c).
    Code models start with Codex (Chen et al., 2021).
""")


def version(name: str, text: str, index) -> DraftVersion:
    resolution = resolve_citations(name, text, extract_citations(text, "text"), index)
    return DraftVersion(Document(name, text), resolution.works, index)


def test_drift_found_for_shifted_labels_and_points_at_the_newer_draft():
    index = bib(NEW)
    findings = drift_findings(
        [version("v1.txt", OLD_DRAFT, index), version("v2.txt", NEW_DRAFT, index)]
    )
    assert [(Path(f.span.path).name, f.span.line) for f in findings] == [
        ("v1.txt", 0),
        ("v1.txt", 1),
        ("v1.txt", 2),
    ]
    assert (
        "v2.txt line 2 cites Chen et al., 2023b (AgentVerse) in the same sentence"
        in findings[0].message
    )
    assert findings[0].related[0].span.line == 1
    assert [e.new_text for e in findings[0].fix.edits] == ["2023b"]
    assert not findings[0].fix.safe
    assert findings[2].fix.safe  # same work, another label: adopt the bibliography's


def test_no_drift_between_consistent_drafts():
    index = bib(NEW)
    reordered = "Something new first. " + NEW_DRAFT.replace("Large models", "Big models")
    assert (
        drift_findings([version("a.txt", NEW_DRAFT, index), version("b.txt", reordered, index)])
        == []
    )


def test_draft_groups_detected_by_shared_text():
    other = "An unrelated note about gardening tomatoes in late summer with plenty of water."
    groups = detect_groups({"v1.txt": OLD_DRAFT, "v2.txt": NEW_DRAFT, "notes.txt": other})
    assert groups == [["v1.txt", "v2.txt"]]


def test_successors_follow_keys_and_merged_duplicates():
    successors = entry_successors(bib(OLD), bib(NEW))
    assert successors["codexa"].key == "codexb"  # merged duplicate: same title and author
    assert successors["gone"] is None


def test_stale_labels_when_the_draft_fits_the_old_bibliography():
    old, new = bib(OLD), bib(NEW)
    citations = extract_citations(OLD_DRAFT, "text")
    current = resolve_citations("v1.txt", OLD_DRAFT, citations, new)
    findings = stale_label_findings(Document("v1.txt", OLD_DRAFT), citations, current, old, new)
    messages = [f.message for f in findings]
    assert len(findings) == 4
    assert "that work is now Chen et al., 2023b" in messages[0]
    assert "no longer in the bibliography" in messages[1]
    assert "Chen et al., 2021 (merged into 'codexb')" in messages[3]
    assert [e.new_text for e in findings[0].fix.edits] == ["2023b"]


def test_no_stale_labels_for_a_draft_written_against_the_new_bibliography():
    old, new = bib(OLD), bib(NEW)
    citations = extract_citations(NEW_DRAFT, "text")
    current = resolve_citations("v2.txt", NEW_DRAFT, citations, new)
    assert stale_label_findings(Document("v2.txt", NEW_DRAFT), citations, current, old, new) == []


# -- which draft is the newest (issue 11) -----------------------------------------------------


def _two_drafts(folder: Path) -> tuple[Path, Path]:
    """An older draft whose name sorts last and a newer one whose name sorts first."""
    import os

    (folder / "refs.bib").write_text(textwrap.dedent(NEW))
    older = folder / "zz_old.txt"
    newer = folder / "aa_new.txt"
    older.write_text(OLD_DRAFT)
    newer.write_text(NEW_DRAFT)
    os.utime(older, (1_600_000_000, 1_600_000_000))
    os.utime(newer, (1_700_000_000, 1_700_000_000))
    return older, newer


def test_detected_drafts_are_ordered_by_time_not_by_name(tmp_path):
    from relwork_ls.config import Config
    from relwork_ls.lint.run import lint_paths
    from relwork_ls.lint.workspace import Workspace

    older, newer = _two_drafts(tmp_path)
    result = lint_paths([tmp_path], Workspace(Config(root=tmp_path)))
    drift = [f for f in result.findings if f.code == "RW101"]
    assert drift and {Path(f.span.path).name for f in drift} == {"zz_old.txt"}
    assert all("[aa_new.txt is taken as the newest draft]" in f.message for f in drift)


def test_unsafe_fixes_never_rewrite_the_newest_draft_toward_an_older_one(tmp_path):
    from relwork_ls.cli import main

    older, newer = _two_drafts(tmp_path)
    before = newer.read_text()
    main(["lint", str(tmp_path), "--fix", "--unsafe-fixes", "--select", "RW101"])
    assert newer.read_text() == before
    assert older.read_text() != OLD_DRAFT  # the older draft follows the newest


def test_git_commit_time_orders_drafts_before_file_times(tmp_path):
    import os
    import shutil
    import subprocess

    import pytest

    from relwork_ls.lint.run import _oldest_first

    if shutil.which("git") is None:
        pytest.skip("git is not installed")
    older, newer = _two_drafts(tmp_path)

    def commit(path: Path, when: str) -> None:
        env = {**os.environ, "GIT_AUTHOR_DATE": when, "GIT_COMMITTER_DATE": when}
        env.update(GIT_AUTHOR_NAME="t", GIT_AUTHOR_EMAIL="t@t", GIT_COMMITTER_NAME="t")
        env["GIT_COMMITTER_EMAIL"] = "t@t"
        subprocess.run(["git", "-C", str(tmp_path), "add", path.name], check=True, env=env)
        subprocess.run(
            ["git", "-C", str(tmp_path), "commit", "-qm", path.name], check=True, env=env
        )

    subprocess.run(["git", "-C", str(tmp_path), "init", "-q"], check=True)
    commit(newer, "2020-01-01T00:00:00")  # committed first, although touched later on disk
    commit(older, "2021-01-01T00:00:00")
    assert _oldest_first([older, newer], use_git=True) == [newer, older]
    assert _oldest_first([older, newer], use_git=False) == [older, newer]

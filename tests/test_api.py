"""The documented Python API (relwork_ls.api) gives what the command line gives."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from relwork_ls import api

ROOT = Path(__file__).resolve().parents[1]
EXAMPLE = ROOT / "examples" / "related-work"

REFS = r"""@article{chen2021codex,
  author = {Chen, Mark and Tworek, Jerry and Jun, Heewoo},
  title = {Evaluating Large Language Models Trained on Code}, year = {2021}}
@article{chen2021other,
  author = {Chen, Xinyun and Liang, Chen and Yu, Adams Wei},
  title = {Another Chen Work}, year = {2021}}
@article{liu2021codeqa, author = {Liu, Chenxiao and Wan, Xiaojun}, title = {CodeQA}, year = {2021}}
"""


def test_labels_match_the_labels_command():
    bib = api.load_bibliography(EXAMPLE / "refs.bib")
    labels = api.labels(bib)
    command = [sys.executable, "-m", "relwork_ls", "labels", str(EXAMPLE / "refs.bib")]
    rows = json.loads(subprocess.check_output([*command, "--format", "json"], text=True))
    assert {key: label.text() for key, label in labels.items()} == {
        row["key"]: row["label"] for row in rows
    }
    assert labels["chen2023agentverse"].text() == "Chen et al., 2023b"


def test_labels_follow_style_and_joiner():
    bib = api.parse_bibliography(REFS)
    assert api.labels(bib)["chen2021codex"].text() == "Chen et al., 2021a"
    assert api.labels(bib)["liu2021codeqa"].narrative() == "Liu and Wan (2021)"
    assert api.labels(bib, two_author_joiner="&")["liu2021codeqa"].text() == "Liu & Wan, 2021"
    assert api.labels(bib, style="apa")["liu2021codeqa"].text() == "Liu & Wan, 2021"


def test_parse_bibliography_picks_the_format_by_name_and_keeps_problems():
    csl = json.dumps(
        [
            {
                "id": "x",
                "type": "article",
                "title": "T",
                "author": [{"family": "Xu", "given": "Can"}],
                "issued": {"date-parts": [[2023]]},
            }
        ]
    )
    assert api.labels(api.parse_bibliography(csl, "refs.json"))["x"].text() == "Xu, 2023"
    broken = api.parse_bibliography(REFS + "@article{broken, title = {unclosed\n")
    assert [p.code for p in broken.problems] == ["RW303"]
    assert len(api.labels(broken)) == 3


def test_load_bibliography_combines_files_and_reports_unreadable_ones(tmp_path):
    (tmp_path / "a.bib").write_text(REFS)
    (tmp_path / "b.bib").write_text("@misc{solo, author = {Solo, Han}, title = {S}, year = {1977}}")
    both = api.load_bibliography(tmp_path / "a.bib", str(tmp_path / "b.bib"))
    assert [e.key for e in both.entries][-1] == "solo" and len(both.entries) == 4
    with pytest.raises(api.BibliographyError):
        api.load_bibliography(tmp_path / "missing.bib")


def test_lint_texts_reports_with_the_given_names():
    findings = api.lint_texts(
        {"notes/draft.md": "Codex (Chen et al., 2021) and QA (Liu et al., 2021).\n"},
        {"refs.bib": REFS},
    )
    by_code = {f.code: f for f in findings}
    # Two Chen et al. 2021 works and no suffix: right if the draft cites one of them, but
    # the text cannot say which (information).
    assert {"RW020", "RW004"} <= set(by_code)
    ambiguous = by_code["RW020"]
    assert ambiguous.severity == "info" and ambiguous.span.path == "notes/draft.md"
    assert (ambiguous.span.line, ambiguous.span.column) == (0, 7)
    assert {r.span.path for r in ambiguous.related} == {"refs.bib"}
    fix = by_code["RW004"].fix
    assert fix is not None and fix.edits[0].span.path == "notes/draft.md"
    assert fix.edits[0].new_text == "Liu and Wan"


def test_lint_texts_checks_drift_between_drafts_and_applies_settings():
    drafts = {
        "v1.txt": "Code models are strong (Chen et al., 2021a) as shown before in our work.\n",
        "v2.txt": "Code models are strong (Chen et al., 2021b) as shown before in our work.\n",
    }
    settings = {"drafts": [["v1.txt", "v2.txt"]], "severity": {"RW101": "error"}}
    findings = api.lint_texts(drafts, {"refs.bib": REFS}, settings=settings)
    drift = [f for f in findings if f.code == "RW101"]
    assert drift and all(f.severity == "error" for f in drift)
    quiet = api.lint_texts(drafts, {"refs.bib": REFS}, settings={**settings, "ignore": ["RW1"]})
    assert not [f for f in quiet if f.code.startswith("RW1")]


def test_lint_texts_uses_the_old_bibliography_for_stale_labels():
    # The old bibliography had Codex twice (so "2021a"/"2021b"); the new one merged them.
    current = REFS.replace(
        REFS[REFS.index("@article{chen2021other") : REFS.index("@article{liu")], ""
    )
    codex = current[: current.index("@article{liu")]
    old = current + codex.replace("chen2021codex", "chen2021codexdup")
    findings = api.lint_texts(
        {"draft.txt": "Codex (Chen et al., 2021b) writes code.\n"},
        {"refs.bib": current, "old.bib": old},
        settings={"bibliographies_before": ["old.bib"]},
    )
    stale = [f for f in findings if f.code == "RW102"]
    assert stale and stale[0].fix is not None
    assert stale[0].fix.edits[0].new_text == "2021"


def test_lint_texts_refuses_names_outside_its_folder_and_git_history():
    with pytest.raises(ValueError):
        api.lint_texts({"../draft.md": "x"}, {"refs.bib": REFS})
    with pytest.raises(ValueError):
        api.lint_texts({"/tmp/draft.md": "x"}, {"refs.bib": REFS})
    with pytest.raises(ValueError):
        api.lint_texts({"draft.md": "x"}, {"refs.bib": REFS}, settings={"since": "HEAD"})
    with pytest.raises(api.ConfigError):
        api.lint_texts({"draft.md": "x"}, {"refs.bib": REFS}, settings={"style": "vancouver"})


def test_lint_on_disk_matches_the_command_line(tmp_path):
    workspace = tmp_path / "related-work"
    shutil.copytree(EXAMPLE, workspace)
    findings = api.lint([workspace])
    command = [sys.executable, "-m", "relwork_ls", "lint", str(workspace), "--format", "json"]
    run = subprocess.run(command, capture_output=True, text=True)
    expected = json.loads(run.stdout)["findings"]
    assert [(f.code, f.span.line + 1, f.span.column + 1) for f in findings] == [
        (f["code"], f["line"], f["column"]) for f in expected
    ]
    ignored = api.lint([workspace], settings={"bibliographies": ["refs.bib"], "ignore": ["RW3"]})
    assert ignored and not [f for f in ignored if f.code.startswith("RW3")]
    with pytest.raises(api.LintUsageError):
        api.lint([tmp_path / "missing"])

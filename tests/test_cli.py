import json
import textwrap
from pathlib import Path

import pytest

from relwork_ls.cli import main

REFS = textwrap.dedent("""\
    @article{chen2021, author={Chen, Mark and Tworek, Jerry and Jun, Heewoo}, year={2021},
      title={Evaluating Large Language Models Trained on Code}}
    @article{liu2021, author={Liu, Chenxiao and Wan, Xiaojun}, year={2021}, title={CodeQA}}
""")


@pytest.fixture
def project(tmp_path: Path) -> Path:
    (tmp_path / "refs.bib").write_text(REFS, encoding="utf-8")
    (tmp_path / "clean.txt").write_text("Codex (Chen et al., 2021) and (Liu and Wan, 2021).\n")
    (tmp_path / "bad.txt").write_text("Codex (Chen et al., 2021a).\n🙂 (Liu et al., 2021)\n")
    return tmp_path


def run(capsys, *args: str) -> tuple[int, str, str]:
    status = main(list(args))
    out, err = capsys.readouterr()
    return status, out, err


def test_clean_document_exits_zero(project, capsys):
    status, out, _ = run(
        capsys, "lint", str(project / "clean.txt"), "--bib", str(project / "refs.bib")
    )
    assert (status, out) == (0, "")


def test_text_format_and_exit_one(project, capsys, monkeypatch):
    monkeypatch.chdir(project)
    status, out, _ = run(capsys, "lint", "bad.txt", "--bib", "refs.bib")
    assert status == 1
    lines = out.splitlines()
    assert lines[0].startswith("bad.txt:1:8: RW003 error superfluous suffix 'a'")
    # Columns count characters: the emoji is one.
    assert lines[1].startswith("bad.txt:2:4: RW004 warning")


def test_fail_on_and_select_ignore(project, capsys, monkeypatch):
    monkeypatch.chdir(project)
    assert (
        run(
            capsys,
            "lint",
            "bad.txt",
            "--bib",
            "refs.bib",
            "--ignore",
            "RW003",
            "--fail-on",
            "error",
        )[0]
        == 0
    )
    status, out, _ = run(capsys, "lint", "bad.txt", "--bib", "refs.bib", "--select", "RW004")
    assert status == 1 and "RW003" not in out and "RW004" in out


def test_json_format(project, capsys, monkeypatch):
    monkeypatch.chdir(project)
    _, out, _ = run(capsys, "lint", "bad.txt", "--bib", "refs.bib", "--format", "json")
    data = json.loads(out)
    assert data["version"] == 1
    first = data["findings"][0]
    assert {k: first[k] for k in ("path", "line", "column", "end_line", "end_column", "code")} == {
        "path": "bad.txt",
        "line": 1,
        "column": 8,
        "end_line": 1,
        "end_column": 26,
        "code": "RW003",
    }
    assert first["related"][0]["path"] == "refs.bib"
    assert first["fix"]["edits"][0]["new_text"] == ""


def test_sarif_format_shape(project, capsys, monkeypatch):
    monkeypatch.chdir(project)
    _, out, _ = run(capsys, "lint", "bad.txt", "--bib", "refs.bib", "--format", "sarif")
    log = json.loads(out)
    assert log["version"] == "2.1.0"
    run_ = log["runs"][0]
    rule_ids = [r["id"] for r in run_["tool"]["driver"]["rules"]]
    for result in run_["results"]:
        assert rule_ids[result["ruleIndex"]] == result["ruleId"]
        assert result["level"] in ("error", "warning", "note")
        region = result["locations"][0]["physicalLocation"]["region"]
        assert region["startLine"] >= 1 and region["startColumn"] >= 1
        assert result["locations"][0]["physicalLocation"]["artifactLocation"]["uri"] == "bad.txt"


def test_github_annotations(project, capsys, monkeypatch):
    monkeypatch.chdir(project)
    _, out, _ = run(capsys, "lint", "bad.txt", "--bib", "refs.bib", "--format", "github")
    assert out.splitlines()[0].startswith("::error file=bad.txt,line=1,col=8,endLine=1,")


def test_usage_errors_exit_two_with_one_line(project, capsys):
    status, _, err = run(
        capsys, "lint", str(project / "missing.txt"), "--bib", str(project / "refs.bib")
    )
    assert status == 2 and err.startswith("relwork-ls: error: no such file or directory")
    status, _, err = run(
        capsys, "lint", str(project / "bad.txt"), "--bib", str(project / "nope.bib")
    )
    assert status == 2 and "no such bibliography" in err and err.count("\n") == 1
    (project / "relwork.toml").write_text('style = "chicago"\n')
    status, _, err = run(capsys, "lint", str(project / "bad.txt"))
    assert status == 2 and "style must be one of" in err


def test_config_names_bibliography_and_severity(project, capsys, monkeypatch):
    (project / "relwork.toml").write_text(
        'bibliographies = ["refs.bib"]\n[severity]\nRW004 = "info"\n'
    )
    monkeypatch.chdir(project)
    status, out, _ = run(capsys, "lint", "bad.txt", "--ignore", "RW003")
    assert status == 0 and "RW004 info" in out


def test_pyproject_section_and_latex_bibliography(tmp_path, capsys, monkeypatch):
    (tmp_path / "pyproject.toml").write_text('[tool.relwork-ls]\nignore = ["RW008"]\n')
    (tmp_path / "refs.bib").write_text(REFS)
    (tmp_path / "paper.tex").write_text("\\citep{Chen2021,liu2021,nokey}\n\\bibliography{refs}\n")
    monkeypatch.chdir(tmp_path)
    status, out, _ = run(capsys, "lint", ".")
    assert status == 1
    assert [line.split()[1] for line in out.splitlines()] == ["RW007"]


def test_broken_bib_reports_and_still_resolves(tmp_path, capsys, monkeypatch):
    (tmp_path / "refs.bib").write_text(REFS + "@article{broken, title={oops\n")
    (tmp_path / "d.txt").write_text("(Liu and Wan, 2021)\n")
    monkeypatch.chdir(tmp_path)
    status, out, _ = run(capsys, "lint", ".")
    assert status == 1
    assert (
        "refs.bib:4:1: RW303 error bibliography syntax error in '@article{broken, title={oops': 2 '{' not closed before the next entry or the end"
        in out
    )
    assert "d.txt" not in out  # the citation still resolved


def test_labels_command(tmp_path, capsys):
    (tmp_path / "refs.bib").write_text(REFS)
    status, out, _ = run(capsys, "labels", str(tmp_path / "refs.bib"))
    assert status == 0
    assert out.splitlines() == [
        "chen2021\tChen et al., 2021\tEvaluating Large Language Models Trained on Code",
        "liu2021\tLiu and Wan, 2021\tCodeQA",
    ]
    _, out, _ = run(capsys, "labels", str(tmp_path / "refs.bib"), "--and", "&", "--format", "json")
    assert json.loads(out)[1]["label"] == "Liu & Wan, 2021"


def test_scan_timeout_is_a_finding_not_a_crash(project, capsys, monkeypatch):
    import relwork_ls.lint.workspace as workspace

    def slow(text: str, kind: str):
        raise TimeoutError("regex time-out")

    monkeypatch.setattr(workspace, "extract_citations", slow)
    monkeypatch.chdir(project)
    status, out, _ = run(capsys, "lint", "bad.txt", "--bib", "refs.bib")
    assert status == 1 and out.startswith("bad.txt:1:1: RW009 error document too complex")


PLAINNAT_BBL = r"""\begin{thebibliography}{2}
\bibitem[Chen et~al.(2021{\natexlab{q}})Chen, Tworek, and Jun]{chen2021}
\bibitem[Liu and Wan(2021)]{liu2021}
\end{thebibliography}
"""


def test_labels_use_a_bbl_only_for_the_style_that_made_it(tmp_path, capsys):
    """A plainnat .bbl states plainnat labels: with --style apa or --and & it is set aside
    (and stderr says so), the labels are computed."""
    bib = tmp_path / "refs.bib"
    bib.write_text(REFS)
    (tmp_path / "refs.bbl").write_text(PLAINNAT_BBL)
    status, out, err = run(capsys, "labels", str(bib))
    assert status == 0 and err == ""
    assert [line.split("\t")[1] for line in out.splitlines()] == [
        "Chen et al., 2021q",  # from the .bbl: what BibTeX printed
        "Liu and Wan, 2021",
    ]
    _, out, err = run(capsys, "labels", str(bib), "--style", "apa")
    assert [line.split("\t")[1] for line in out.splitlines()] == [
        "Chen et al., 2021",
        "Liu & Wan, 2021",
    ]
    assert err == (
        "relwork-ls: note: refs.bbl holds plainnat (natbib) labels; not used for style apa, "
        "whose labels are computed\n"
    )
    _, out, err = run(capsys, "labels", str(bib), "--and", "&")
    assert [line.split("\t")[1] for line in out.splitlines()] == [
        "Chen et al., 2021",
        "Liu & Wan, 2021",
    ]
    assert "refs.bbl joins two authors with 'and'; not used with '&'" in err
    _, out, _ = run(capsys, "labels", str(bib), "--style", "apalike")
    assert out.splitlines()[0].split("\t")[1] == "Chen et al., 2021"


def test_labels_use_an_apalike_bbl_for_apalike(tmp_path, capsys):
    bib = tmp_path / "refs.bib"
    bib.write_text(REFS)
    (tmp_path / "refs.bbl").write_text(
        "\\bibitem[Chen et~al., 2021q]{chen2021}\n\\bibitem[Liu and Wan, 2021]{liu2021}\n"
    )
    _, out, err = run(capsys, "labels", str(bib), "--style", "apalike")
    assert out.splitlines()[0].split("\t")[1] == "Chen et al., 2021q" and err == ""
    _, out, err = run(capsys, "labels", str(bib))
    assert out.splitlines()[0].split("\t")[1] == "Chen et al., 2021"
    assert "refs.bbl holds apalike labels; not used for style natbib" in err


def test_lint_sets_aside_a_bbl_of_another_style(tmp_path, capsys, monkeypatch):
    (tmp_path / "refs.bib").write_text(REFS)
    (tmp_path / "refs.bbl").write_text(PLAINNAT_BBL)
    (tmp_path / "d.txt").write_text("Codex (Chen et al., 2021q).\n")
    monkeypatch.chdir(tmp_path)
    assert run(capsys, "lint", "d.txt", "--bib", "refs.bib")[0] == 0
    status, out, _ = run(capsys, "lint", "d.txt", "--bib", "refs.bib", "--style", "apa")
    assert status == 1 and "RW003" in out


def test_readme_quick_start_shows_the_real_output(capsys, monkeypatch):
    root = Path(__file__).resolve().parents[1]
    readme = (root / "README.md").read_text(encoding="utf-8")
    quick_start = readme.split("## Quick start", 1)[1].split("## ", 1)[0]
    shown = quick_start.split("relwork-ls lint examples/related-work\n```\n\n```\n", 1)[1]
    shown = shown.split("```", 1)[0]
    monkeypatch.chdir(root)
    status, out, _ = run(capsys, "lint", "examples/related-work")
    assert status == 1 and out == shown


def test_labels_does_not_load_what_only_linting_needs(tmp_path):
    # Start-up time is measured in bench/; this keeps the imports that made it slow out.
    import subprocess
    import sys

    (tmp_path / "refs.bib").write_text(
        "@article{a, author={Xu, Can}, title={T}, year={2023}}\n", encoding="utf-8"
    )
    probe = (
        "import sys, io, contextlib\n"
        "from relwork_ls.cli import main\n"
        "with contextlib.redirect_stdout(io.StringIO()):\n"
        "    main(['labels', '--no-bbl', '--no-cache', 'refs.bib'])\n"
        "print(' '.join(sorted(sys.modules)))\n"
    )
    loaded = subprocess.run(
        [sys.executable, "-c", probe], cwd=tmp_path, capture_output=True, text=True, check=True
    ).stdout.split()
    assert "relwork_ls.bibliography.labels" in loaded
    heavy = ("relwork_ls.lint.run", "relwork_ls.citations.resolution", "relwork_ls.checks")
    assert [m for m in loaded if m.startswith(heavy) or m in ("regex", "lsprotocol")] == []


def test_diff_goes_to_the_output_file_when_it_is_all_there_is(project, capsys, monkeypatch):
    monkeypatch.chdir(project)
    patch = project / "fixes.patch"
    status = main(["lint", "--diff", "-o", str(patch)])
    out = capsys.readouterr().out
    assert status == 1 and out == ""
    assert patch.read_text(encoding="utf-8").startswith("---")

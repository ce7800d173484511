"""Defects found by trying relwork-ls as a new user would, each pinned by a test."""

from __future__ import annotations

import shutil
import subprocess

import pytest
from test_exit_codes import run

from relwork_ls.cli import main
from relwork_ls.config import Config, ConfigError, config_from_mapping
from relwork_ls.lint.run import lint_paths
from relwork_ls.lint.workspace import Workspace, discover

REFS = (
    "@article{chen2021, author={Chen, Mark and Tworek, Jerry and Jun, Heewoo}, year={2021},"
    " title={Evaluating Large Language Models Trained on Code}}\n"
    "@article{hol2018a, author={Holmgren, William and Hansen, Clifford and Mikofski, Mark},"
    " year={2018}, title={pvlib python}}\n"
    "@article{hol2018b, author={Holmgren, William and Hansen, Clifford and Stein, Joshua and"
    " Mikofski, Mark}, year={2018}, title={Review of open source tools}}\n"
    "@article{dos2021, author={Dosanjh, A. and Bee, B. and Cee, C.}, year={2021}, title={Q}}\n"
)
ROZIERE = (
    "@article{r, author={Rozi{\\`e}re, B. and Gehring, J. and Gloeckle, F.},"
    " title={Code Llama}, year={2023}}\n"
)


def test_a_bbl_named_as_the_bibliography_resolves_its_printed_labels(tmp_path, capsys):
    (tmp_path / "paper.bbl").write_text(
        "\\begin{thebibliography}{2}\n"
        "\\bibitem[Goodfellow et~al.(2016)Goodfellow, Bengio, and Courville]{good16}\nDL.\n\n"
        "\\bibitem[Xu et~al.(2023{\\natexlab{a}})Xu, Sun, and Zheng]{xu23a}\nW.\n\n"
        "\\bibitem[Xu et~al.(2023{\\natexlab{b}})Xu, Guo, and Duan]{xu23b}\nB.\n\n"
        "\\end{thebibliography}\n"
    )
    draft = tmp_path / "d.txt"
    draft.write_text("(Goodfellow et al., 2016; Xu et al., 2023b) and (Xu et al., 2023c).\n")
    status, out, _ = run(capsys, "lint", str(draft), "--bib", str(tmp_path / "paper.bbl"))
    assert status == 1 and [line.split()[1] for line in out.splitlines()] == ["RW003"]


def test_the_bbl_of_a_latex_document_is_not_a_second_bibliography(tmp_path):
    (tmp_path / "main.tex").write_text("\\documentclass{article}\n\\bibliography{refs}\n")
    (tmp_path / "main.bbl").write_text("\\bibitem[Chen et~al.(2021)]{chen2021}\nX.\n")
    (tmp_path / "refs.bib").write_text(REFS)
    assert [p.name for p in discover([tmp_path]).bibliographies] == ["refs.bib"]
    # An arXiv-style source: the .tex and its .bbl, no .bib: the .bbl is the bibliography.
    (tmp_path / "refs.bib").unlink()
    assert [p.name for p in discover([tmp_path]).bibliographies] == ["main.bbl"]


def test_naming_a_latex_root_lints_the_files_it_includes(tmp_path, capsys):
    (tmp_path / "refs.bib").write_text(REFS)
    (tmp_path / "main.tex").write_text(
        "\\documentclass{article}\n\\begin{document}\n\\include{chapters/one}\n"
        "\\bibliography{refs}\n\\end{document}\n"
    )
    (tmp_path / "chapters").mkdir()
    (tmp_path / "chapters" / "one.tex").write_text("Codex (Chen et al., 2019).\n")
    status, out, _ = run(capsys, "lint", str(tmp_path / "main.tex"))
    assert status == 1 and "one.tex:1:8: RW006" in out


def test_a_missing_bibliography_named_by_a_draft_is_a_finding(tmp_path, capsys):
    (tmp_path / "p.tex").write_text("\\citep{x}\n\\bibliography{gone}\n")
    status, out, err = run(capsys, "lint", str(tmp_path))
    assert status == 1 and err == ""
    assert "RW011 warning gone.bib is named as a bibliography but does not exist" in out


def test_config_values_are_checked(tmp_path, capsys):
    for key, value in (("detect_drafts", "yes"), ("unused_entries", 1)):
        with pytest.raises(ConfigError, match=key):
            config_from_mapping({key: value}, tmp_path)
    (tmp_path / "refs.bib").write_text(REFS)
    (tmp_path / "d.md").write_text("Codex (Chen et al., 2021).\n")
    (tmp_path / "relwork.toml").write_text('cited = ["nosuchkey"]\ncited_from = ["missing.aux"]\n')
    status, out, _ = run(capsys, "lint", str(tmp_path))
    assert "relwork.toml:1:1: RW007 error 'nosuchkey' (in `cited`) is in no bibliography" in out
    assert "relwork.toml:1:1: RW011 warning missing.aux (in `cited_from`) does not exist" in out


def test_unused_entries_count_every_work_a_citation_resolved_to(tmp_path):
    (tmp_path / "refs.bib").write_text(REFS)
    (tmp_path / "d.txt").write_text("Codex (Chen et al., 2021a).\n")  # RW003, yet Codex
    config = Config(root=tmp_path, unused_entries=True)
    result = lint_paths([tmp_path], Workspace(config))
    unused = {f.message.split("'")[1] for f in result.findings if f.code == "RW302"}
    assert unused == {"hol2018a", "hol2018b", "dos2021"}


def test_a_shared_library_outside_the_linted_folder_reports_only_what_blocks_reading(
    tmp_path, capsys
):
    library = tmp_path / "library.bib"
    library.write_text(REFS + REFS.replace("{chen2021", "{chen2021copy"))  # duplicates
    project = tmp_path / "paper"
    project.mkdir()
    (project / "d.md").write_text("Codex (Chen et al., 2021a) and (Holmgren et al., 2018a).\n")
    status, out, _ = run(capsys, "lint", str(project), "--bib", str(library))
    assert "RW301" not in out and "library.bib" not in out
    # Inside the linted folder, the same duplicates are reported.
    shutil.copy(library, project / "refs.bib")
    status, out, _ = run(capsys, "lint", str(project), "--bib", str(project / "refs.bib"))
    assert "RW301" in out


def test_author_lists_written_out_resolve(tmp_path, capsys):
    (tmp_path / "refs.bib").write_text(REFS)
    (tmp_path / "d.md").write_text(
        "APA (Holmgren, Hansen, & Mikofski, 2018), Chicago (Holmgren, Hansen, and Mikofski "
        "2018) and (Holmgren, Hansen, Stein, et al., 2018); and then (Holmgren et al., 2018a).\n"
    )
    status, out, _ = run(capsys, "lint", str(tmp_path))
    assert out == "" and status == 0


def test_suggestions_follow_the_first_author(tmp_path, capsys):
    (tmp_path / "refs.bib").write_text(REFS)
    (tmp_path / "d.md").write_text("(Dosanjj et al., 2021) and (Zworykin et al., 2020).\n")
    _, out, _ = run(capsys, "lint", str(tmp_path))
    first, second = out.splitlines()
    assert "did you mean Dosanjh et al., 2021" in first  # a surname one letter away
    assert "no work by Zworykin at all" in second and "nearest" not in second


def test_diff_of_a_file_with_a_byte_order_mark_applies(tmp_path, capsys, monkeypatch):
    if shutil.which("patch") is None:
        pytest.skip("patch is not installed")
    (tmp_path / "refs.bib").write_text(REFS)
    draft = tmp_path / "bom.md"
    draft.write_bytes("\ufeffCodex (Chen et al., 2021a).\nMore.\n".encode())
    monkeypatch.chdir(tmp_path)
    status, diff, _ = run(capsys, "lint", ".", "--diff")
    assert status == 1
    (tmp_path / "fix.patch").write_text(diff, encoding="utf-8")
    subprocess.run(
        ["patch", "-p0", "-i", "fix.patch"], cwd=tmp_path, check=True, capture_output=True
    )
    assert draft.read_bytes() == "\ufeffCodex (Chen et al., 2021).\nMore.\n".encode()


def test_unsafe_fixes_alone_is_a_usage_error(tmp_path, capsys):
    (tmp_path / "refs.bib").write_text(REFS)
    status, _, err = run(capsys, "lint", str(tmp_path), "--unsafe-fixes")
    assert status == 2 and "--unsafe-fixes applies with --fix or --diff" in err


def test_labels_cited_by_lists_only_works_the_text_settles(tmp_path, capsys):
    bib = tmp_path / "refs.bib"
    bib.write_text(REFS)
    (tmp_path / "d.txt").write_text("(Holmgren et al., 2018) and (Chen et al., 2021).\n")
    status, out, err = run(capsys, "labels", str(bib), "--cited-by", str(tmp_path / "d.txt"))
    assert status == 0 and out.splitlines() == [
        "chen2021\tChen et al., 2021\tEvaluating Large Language Models Trained on Code"
    ]
    assert "2 work(s) may be cited but the text cannot say which" in err


def test_labels_of_a_folder_says_it_is_a_folder(tmp_path, capsys):
    status, _, err = run(capsys, "labels", str(tmp_path))
    assert status == 2 and "a folder, not a file" in err


def test_a_tiny_size_limit_is_reported_in_readable_units(tmp_path, capsys):
    (tmp_path / "refs.bib").write_text(REFS)
    (tmp_path / "d.md").write_text("Codex (Chen et al., 2021).\n" * 8)
    (tmp_path / "relwork.toml").write_text(
        'bibliographies = ["refs.bib"]\nmax_file_size_mb = 0.0001\n'
    )
    status, out, err = run(capsys, "lint", str(tmp_path))
    assert status == 1
    assert "too large (216 bytes; the limit is 104 bytes" in out
    assert "no draft in" in err and "could be read" in err
    assert "no drafts (" not in err


def test_a_mistyped_option_names_the_subcommand_and_the_closest_options(tmp_path, capsys):
    with pytest.raises(SystemExit) as stopped:
        main(["lint", "--formt", "json", str(tmp_path)])
    assert stopped.value.code == 2
    err = capsys.readouterr().err
    assert err.startswith("usage: relwork-ls lint")
    assert "unrecognized arguments: --formt (did you mean --format?)" in err


def test_an_unknown_rule_code_suggests_known_ones(capsys):
    status, _, err = run(capsys, "rule", "RW30l")
    assert status == 2
    assert "did you mean RW301" in err and "codes are RW001…" in err
    from relwork_ls.rules import RULES

    assert f"…{sorted(RULES)[-1]}" in err


def test_a_citation_broken_across_lines_is_quoted_on_one_line(tmp_path, capsys):
    (tmp_path / "refs.bib").write_text(REFS)
    (tmp_path / "d.md").write_text("Agents (Wang et al.,\n2019) and (Hol-\nmgren et al., 2017).\n")
    status, out, _ = run(
        capsys, "lint", str(tmp_path / "d.md"), "--bib", str(tmp_path / "refs.bib")
    )
    assert status == 1
    assert "'Wang et al., 2019'" in out and "'Holmgren et al., 2017'" in out
    assert len(out.splitlines()) == 2


def test_the_aux_beside_a_text_draft_of_the_same_name_settles_its_cited_set(tmp_path, capsys):
    # The PDF's text next to the paper's .aux: which Holmgren 2018 work is cited is known.
    (tmp_path / "refs.bib").write_text(REFS)
    (tmp_path / "paper.txt").write_text("The library (Holmgren et al., 2018).\n")
    bib = str(tmp_path / "refs.bib")
    status, out, _ = run(capsys, "lint", str(tmp_path / "paper.txt"), "--bib", bib)
    assert "RW020" in out  # either of two works, without the .aux
    (tmp_path / "paper.aux").write_text("\\citation{hol2018a}\n")
    status, out, _ = run(capsys, "lint", str(tmp_path / "paper.txt"), "--bib", bib)
    assert (status, out) == (0, "")


def test_drafts_named_one_by_one_get_duplicates_only_of_what_they_cite(tmp_path, capsys):
    (tmp_path / "refs.bib").write_text(
        REFS + "@article{dos2021b, author={Dosanjh, A. and Bee, B. and Cee, C.}, year={2021},"
        " title={Quantum of solace in citation}}\n"
        + "@article{dos2021c, author={Dosanjh, A. and Bee, B. and Cee, C.}, year={2021},"
        " title={Quantum of Solace in Citation}}\n"
    )
    (tmp_path / "a.md").write_text("Codex (Chen et al., 2021).\n")
    (tmp_path / "b.md").write_text("Q (Dosanjh et al., 2021b).\n")
    bib = str(tmp_path / "refs.bib")
    assert run(capsys, "lint", str(tmp_path / "a.md"), "--bib", bib)[:2] == (0, "")
    status, out, _ = run(capsys, "lint", str(tmp_path / "b.md"), "--bib", bib)
    assert status == 1 and "RW301" in out
    status, out, _ = run(capsys, "lint", str(tmp_path), "--bib", bib)
    assert "RW301" in out  # the folder: every duplicate of its bibliography


def test_a_fix_to_a_citation_broken_across_lines_keeps_the_break(tmp_path, capsys):
    (tmp_path / "refs.bib").write_text(ROZIERE)
    draft = tmp_path / "d.md"
    draft.write_text("Code Llama (Roziere\net al., 2023) is good.\n")
    run(capsys, "lint", str(draft), "--bib", str(tmp_path / "refs.bib"), "--fix")
    assert draft.read_text() == "Code Llama (Rozière\net al., 2023) is good.\n"


def test_latex_ties_in_rendered_citations_read_as_spaces_and_fixes_keep_them(tmp_path, capsys):
    (tmp_path / "refs.bib").write_text(ROZIERE)
    draft = tmp_path / "d.tex"
    draft.write_text("Code (Roziere~et~al., 2023) and Go{\\~n}i.\n")
    status, out, _ = run(capsys, "lint", str(draft), "--bib", str(tmp_path / "refs.bib"))
    assert status == 1 and "RW005" in out and "'Roziere et al.'" in out
    run(capsys, "lint", str(draft), "--bib", str(tmp_path / "refs.bib"), "--fix")
    assert draft.read_text() == "Code (Rozière~et~al., 2023) and Go{\\~n}i.\n"

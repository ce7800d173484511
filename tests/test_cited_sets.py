"""Which works a document cites: .aux and .bbl beside a LaTeX root, documents made of
several files, the `cited`/`cited_from` settings, per-draft cited sets, RW302 and
`labels --cited-by`; and the label-group solver against brute force."""

from __future__ import annotations

import textwrap
from itertools import combinations
from pathlib import Path

from hypothesis import given, settings
from hypothesis import strategies as st

from relwork_ls.citations.label_inference import (
    GroupProblem,
    WrittenLabel,
    _solve_by_enumeration,
    _solve_by_rank,
)
from relwork_ls.cli import main
from relwork_ls.config import Config
from relwork_ls.lint.run import lint_paths
from relwork_ls.lint.workspace import Workspace

REFS = textwrap.dedent("""\
    @article{xu2023a, author={Xu, Benfeng and Yang, An and Lin, Junyang}, year={2023}, title={ExpertPrompting}}
    @article{xu2023b, author={Xu, Can and Sun, Qingfeng and Zheng, Kai}, year={2023}, title={WizardLM}}
    @article{xu2023c, author={Xu, Canwen and Guo, Daya and Duan, Nan}, year={2023}, title={Baize}}
    @article{lee2020, author={Lee, Ann}, year={2020}, title={Other}}
""")


def lint(folder: Path, **config: object) -> list[tuple[str, str, int]]:
    settings_ = Config(root=folder)
    for name, value in config.items():
        setattr(settings_, name, value)
    result = lint_paths([folder], Workspace(settings_))
    return [(f.code, Path(f.span.path).name, f.span.line) for f in result.findings]


def latex_document(folder: Path, chapter: str, aux: str | None = None) -> None:
    (folder / "refs.bib").write_text(REFS)
    (folder / "main.tex").write_text(
        "\\documentclass{article}\n\\begin{document}\n\\input{chapters/one}\n"
        "\\bibliography{refs}\n\\end{document}\n"
    )
    (folder / "chapters").mkdir()
    (folder / "chapters" / "one.tex").write_text(chapter)
    if aux is not None:
        (folder / "main.aux").write_text(aux)


def test_aux_beside_the_root_settles_which_work_a_chapter_means(tmp_path):
    latex_document(
        tmp_path,
        "As WizardLM (Xu et al., 2023) showed.\n",
        "\\relax\n\\citation{xu2023b}\n\\citation{lee2020}\n\\bibdata{refs}\n",
    )
    assert lint(tmp_path) == []


def test_without_aux_the_chapter_is_consistent_but_undecided(tmp_path):
    latex_document(tmp_path, "As WizardLM (Xu et al., 2023) showed.\n")
    assert lint(tmp_path) == [("RW020", "one.tex", 0)]


def test_aux_citing_two_of_the_group_makes_a_suffixless_label_an_error(tmp_path):
    latex_document(
        tmp_path,
        "As WizardLM (Xu et al., 2023) showed.\n",
        "\\citation{xu2023b,xu2023c}\n\\@input{chapters/one.aux}\n",
    )
    (tmp_path / "chapters" / "one.aux").write_text("\\citation{lee2020}\n")
    result = lint_paths([tmp_path], Workspace(Config(root=tmp_path)))
    (finding,) = result.findings
    assert finding.code == "RW002" and "main.aux" in finding.message
    assert "WizardLM" in finding.message and "Baize" in finding.message


def test_keys_in_one_file_settle_rendered_text_in_another_of_the_same_document(tmp_path):
    latex_document(tmp_path, "Baize (Xu et al., 2023) chats; see \\citet{xu2023c}.\n")
    assert lint(tmp_path) == []


def test_magic_root_comment_joins_a_file_to_its_document(tmp_path):
    latex_document(tmp_path, "Nothing here.\n", "\\citation{xu2023c}\n")
    elsewhere = tmp_path / "notes"
    elsewhere.mkdir()
    (elsewhere / "draft.tex").write_text("% !TEX root = ../main.tex\nBaize (Xu et al., 2023).\n")
    assert lint(tmp_path) == []


def test_bbl_beside_the_root_gives_the_cited_set_and_the_labels(tmp_path):
    latex_document(tmp_path, "WizardLM (Xu et al., 2023b) and Baize (Xu et al., 2023a).\n")
    (tmp_path / "main.bbl").write_text(
        "\\begin{thebibliography}{2}\n"
        "\\bibitem[Xu et~al.(2023{\\natexlab{a}})Xu, Guo, and Duan]{xu2023c}\nB.\n\n"
        "\\bibitem[Xu et~al.(2023{\\natexlab{b}})Xu, Sun, and Zheng]{xu2023b}\nW.\n\n"
        "\\end{thebibliography}\n"
    )
    # As printed, Baize is "a" and WizardLM "b"; the .bbl has no "c" (though the .bib
    # has a third Xu et al. 2023 work), and no suffix-less Xu et al. 2023.
    assert lint(tmp_path) == []
    (tmp_path / "chapters" / "one.tex").write_text("(Xu et al., 2023c) and (Xu et al., 2023)\n")
    assert lint(tmp_path) == [("RW003", "one.tex", 0), ("RW002", "one.tex", 0)]


def test_cited_from_and_cited_settings(tmp_path):
    (tmp_path / "refs.bib").write_text(REFS)
    (tmp_path / "related.md").write_text("WizardLM (Xu et al., 2023) follows instructions.\n")
    assert lint(tmp_path) == [("RW020", "related.md", 0)]
    assert lint(tmp_path, cited=["xu2023b"]) == []
    (tmp_path / "paper.aux").write_text("\\citation{xu2023a,xu2023b}\n")
    found = lint(tmp_path, cited_from=[tmp_path / "paper.aux"])
    assert found == [("RW002", "related.md", 0)]


def test_each_draft_has_its_own_cited_set(tmp_path):
    (tmp_path / "refs.bib").write_text(REFS)
    (tmp_path / "a.txt").write_text("Only WizardLM (Xu et al., 2023) here, about gardens.\n")
    (tmp_path / "b.txt").write_text(
        "ExpertPrompting (Xu et al., 2023a) and WizardLM (Xu et al., 2023b), about ships.\n"
    )
    codes = lint(tmp_path, detect_drafts=False)
    assert ("RW020", "a.txt", 0) in codes
    assert not [c for c in codes if c[0] in ("RW001", "RW002", "RW003")]


def test_unused_entries_are_opt_in_and_only_for_owned_bibliographies(tmp_path):
    project = tmp_path / "project"
    project.mkdir()
    (project / "refs.bib").write_text(REFS)
    (project / "d.txt").write_text("See (Lee, 2020).\n")
    assert [c for c in lint(project) if c[0] == "RW302"] == []
    unused = [c for c in lint(project, unused_entries=True) if c[0] == "RW302"]
    assert len(unused) == 3
    shared = tmp_path / "library.bib"
    shared.write_text(REFS)
    (project / "refs.bib").unlink()
    config = Config(root=project, bibliographies=[shared], unused_entries=True)
    result = lint_paths([project], Workspace(config))
    assert [f for f in result.findings if f.code == "RW302"] == []


def test_labels_cited_by_a_draft_or_an_aux(tmp_path, capsys):
    bib = tmp_path / "refs.bib"
    bib.write_text(REFS)
    assert main(["labels", str(bib)]) == 0
    every = capsys.readouterr().out
    assert "xu2023b\tXu et al., 2023b\t" in every and "lee2020" in every
    (tmp_path / "d.txt").write_text("WizardLM (Xu et al., 2023b) and Baize (Xu et al., 2023c).\n")
    assert main(["labels", str(bib), "--cited-by", str(tmp_path / "d.txt")]) == 0
    rows = capsys.readouterr().out.splitlines()
    assert [r.split("\t")[:2] for r in rows] == [
        ["xu2023a", "Xu et al., 2023a"],
        ["xu2023b", "Xu et al., 2023b"],
        ["xu2023c", "Xu et al., 2023c"],
    ]
    (tmp_path / "p.aux").write_text("\\citation{xu2023c}\n\\citation{lee2020}\n")
    assert main(["labels", str(bib), "--cited-by", str(tmp_path / "p.aux")]) == 0
    rows = capsys.readouterr().out.splitlines()
    assert [r.split("\t")[:2] for r in rows] == [
        ["xu2023c", "Xu et al., 2023"],
        ["lee2020", "Lee, 2020"],
    ]


# -- the solver: rank arithmetic agrees with trying every cited set ------------------------


def _letters(cited):
    return {m: (chr(ord("a") + i) if len(cited) > 1 else "") for i, m in enumerate(cited)}


@settings(max_examples=400, deadline=None)
@given(
    st.integers(min_value=1, max_value=6),
    st.data(),
)
def test_rank_solver_agrees_with_enumeration(size, data):
    members = tuple(f"m{i}" for i in range(size))
    known = frozenset(data.draw(st.lists(st.sampled_from(members), unique=True, max_size=size)))
    suffixes = data.draw(
        st.lists(st.sampled_from(["", "a", "b", "c", "d", "e", "f", "g"]), min_size=1, max_size=4)
    )
    written = [WrittenLabel(i, s, frozenset(members)) for i, s in enumerate(suffixes)]
    problem = GroupProblem(members, known, False, written)
    by_rank = _solve_by_rank(problem)
    by_enumeration = _solve_by_enumeration(problem, _letters)
    assert by_rank.referents == by_enumeration.referents, (known, suffixes)
    assert set(by_rank.conflicts) == set(by_enumeration.conflicts), (known, suffixes)
    # The representative cited set is consistent with every label not in conflict.
    letters = _letters(by_rank.cited) if by_rank.cited else {}
    for label in written:
        if label.work not in by_rank.conflicts and by_rank.cited:
            assert label.suffix in letters.values()


def test_brute_force_sanity():
    members = ("a", "b", "c")
    sets = [c for k in range(1, 4) for c in combinations(members, k)]
    assert len(sets) == 7


def test_two_versions_of_a_bibliography_in_use_together_are_reported(tmp_path):
    (tmp_path / "old.bib").write_text(REFS)
    (tmp_path / "new.bib").write_text(REFS.replace("title={Baize}", "title={Baize 2}"))
    (tmp_path / "d.txt").write_text("Baize (Xu et al., 2023) chats.\n")
    found = lint(tmp_path)
    assert [c for c in found if c[0] == "RW307"] == [("RW307", "old.bib", 2)]  # listed second
    # Each with the .bbl of the document it served: the labels disagree.
    for name, letter in (("old", "a"), ("new", "b")):
        (tmp_path / f"{name}.bbl").write_text(
            f"\\bibitem[Xu et~al.(2023{{\\natexlab{{{letter}}}}})]{{xu2023c}}\nB.\n"
        )
    messages = [
        f.message
        for f in lint_paths([tmp_path], Workspace(Config(root=tmp_path))).findings
        if f.code == "RW307" and "labelled" in f.message
    ]
    assert messages and "by old.bbl" in messages[0] and "by new.bbl" in messages[0]

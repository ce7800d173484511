"""The rule registry is the one source of codes: README table, docs/rules.md, SARIF rules,
``relwork-ls rule`` and the fixes findings actually carry all agree with it."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from relwork_ls.cli import main
from relwork_ls.config import load_config
from relwork_ls.findings import CODES, Finding
from relwork_ls.lint.reports import format_sarif
from relwork_ls.lint.run import lint_paths
from relwork_ls.lint.workspace import Workspace
from relwork_ls.rules import RULES, Code, FixSafety, markdown_table, rule, rules_document

ROOT = Path(__file__).resolve().parents[1]

FIXTURE_BIB = r"""@article{chen2021codex, author = {Chen, Mark and Tworek, Jerry and Jun, Heewoo},
  title = {Evaluating Large Language Models Trained on Code}, year = {2021}}
@article{roziere2023, author = {Rozi{\`e}re, Baptiste and Gehring, Jonas and Gloeckle, Fabian},
  title = {Code Llama}, year = {2023}}
@article{liu2021, author = {Liu, Pengfei and Wan, Xiaojun}, title = {Pair}, year = {2021}}
@article{touvron2023, author = {Touvron, Hugo and Lavril, Thibaut and Izacard, Gautier},
  title = {LLaMA}, year = {2023}}
@article{xu2023a, author = {Xu, Can and Sun, Q. and Zheng, K.}, title = {WizardLM}, year = {2023}}
@article{xu2023b, author = {Xu, Canwen and Guo, D. and Duan, N.}, title = {Baize}, year = {2023}}
@article{lee2020, author = {Lee, Kim}, title = {Lee}, year = {2020}}
"""
FIXTURE_DRAFT = (
    "Codex (Chen et al., 2021a) and (Roziere et al., 2023) and (Liu et al., 2021).\n"
    "Llama (Touvron et al., 2022). Also (Xu et al., 2023b; Lee, 2020; Xu et al., 2023a).\n"
    "Glued: Codex Chen et al. (2021) and (Xu et al., 2023).\n"
    "Keys \\cite{Chen2021Codex} and \\cite{chen2021codx}.\n"
)


def test_every_code_has_exactly_one_rule():
    assert set(RULES) == {code.value for code in Code} == set(CODES)
    for code, item in RULES.items():
        assert CODES[code] == (item.severity.value, item.name)
        assert item.summary and item.explanation and item.example
        assert item.url.endswith("#" + code.lower())
    assert Finding("RW005", "m", None).severity == "warning"  # type: ignore[arg-type]


def test_readme_table_and_rules_document_are_generated_from_the_registry():
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    assert markdown_table() in readme
    assert (ROOT / "docs" / "rules.md").read_text(encoding="utf-8") == rules_document()
    for code in RULES:
        assert f"## {code}\n" in rules_document()


def test_sarif_rules_carry_explanations_and_links():
    log = json.loads(format_sarif([]))
    rules = {r["id"]: r for r in log["runs"][0]["tool"]["driver"]["rules"]}
    assert set(rules) == set(RULES)
    assert rules["RW003"]["helpUri"] == rule("RW003").url
    assert rules["RW003"]["fullDescription"]["text"] == rule("RW003").explanation
    assert rules["RW201"]["defaultConfiguration"]["level"] == "note"


def test_rule_command(capsys):
    assert main(["rule", "rw203"]) == 0
    out = capsys.readouterr().out
    assert out.startswith("RW203\n") and "narrative-glued-to-noun" in out and "Example:" in out
    assert main(["rule", "RW999"]) == 2
    assert "unknown code" in capsys.readouterr().err
    assert main(["rule", "--all"]) == 0
    assert capsys.readouterr().out == rules_document()


def test_fixes_found_agree_with_the_registry(tmp_path):
    """Every fix a finding carries is of the safety its rule declares."""
    (tmp_path / "refs.bib").write_text(FIXTURE_BIB, encoding="utf-8")
    (tmp_path / "relwork.toml").write_text('bibliographies = ["refs.bib"]\n')
    (tmp_path / "draft.tex").write_text(FIXTURE_DRAFT, encoding="utf-8")
    example = tmp_path / "example"
    shutil.copytree(ROOT / "examples" / "related-work", example)
    findings = []
    for folder in (tmp_path, example):
        workspace = Workspace(load_config(folder / "relwork.toml"))
        findings += lint_paths([folder], workspace).findings
    with_fix = [f for f in findings if f.fix is not None]
    assert {f.code for f in with_fix} >= {"RW003", "RW004", "RW005", "RW006", "RW008", "RW203"}
    for finding in findings:
        declared = rule(finding.code).fix
        if finding.fix is None:
            continue
        expected = (
            {FixSafety.SAFE, FixSafety.SOME}
            if finding.fix.safe
            else {FixSafety.UNSAFE, FixSafety.SOME}
        )
        assert declared in expected, (finding.code, finding.fix)


@pytest.mark.parametrize("code", sorted(RULES))
def test_rule_explanations_print_for_every_code(code, capsys):
    assert main(["rule", code]) == 0
    assert rule(code).explanation in capsys.readouterr().out

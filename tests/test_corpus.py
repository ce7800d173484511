"""Acceptance on the real corpus in ../shared (skipped when it is absent)."""

import json
import subprocess
import sys
from pathlib import Path

import pytest

from relwork_ls.bibliography_files import load_bibliography
from relwork_ls.labels import LabelOptions, compute_labels
from relwork_ls.load_bbl import load_bbl_text


def lint_json(*args: str | Path) -> list[dict]:
    result = subprocess.run(
        [sys.executable, "-m", "relwork_ls", "lint", "--format", "json", *map(str, args)],
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode in (0, 1), result.stderr
    return json.loads(result.stdout)["findings"]


def agreement(bib: Path, bbl: Path, style: str) -> tuple[int, int]:
    """Labels computed without the .bbl vs the labels BibTeX wrote, over the .bbl's keys."""
    truth = load_bbl_text(bbl.read_text(encoding="utf-8"))
    entries = {e.key.lower(): e for e in load_bibliography(bib, use_sibling_bbl=False).entries}
    cited = [entries[t.key.lower()] for t in truth if t.key.lower() in entries]
    labels = {k.lower(): v.text() for k, v in compute_labels(cited, LabelOptions(style)).items()}
    return sum(labels.get(t.key.lower()) == t.text() for t in truth), len(truth)


@pytest.mark.parametrize("version,count", [("v1", 72), ("v2", 118)])
def test_plainnat_labels_agree_with_bibtex(corpus, version, count):
    folder = corpus / "qwen-related-work"
    assert agreement(folder / f"refs_{version}.bib", folder / f"refs_{version}.bbl", "natbib") == (
        count,
        count,
    )


def test_apalike_labels_agree_with_thesis_bbl(corpus):
    folder = corpus / "batzolis-thesis-apalike"
    matched, total = agreement(
        folder / "References" / "references.bib", folder / "thesis.bbl", "apalike"
    )
    # Measured: 231 of 231 (100%). Keys differing in case from the .bib are matched too.
    assert total == 231 and matched / total == 1.0


def test_labels_cli_matches_bbl(corpus):
    folder = corpus / "qwen-related-work"
    out = subprocess.run(
        [sys.executable, "-m", "relwork_ls", "labels", "--no-bbl", str(folder / "refs_v2.bib")],
        capture_output=True,
        text=True,
        check=True,
    )
    got = {line.split("\t")[0]: line.split("\t")[1] for line in out.stdout.splitlines()}
    truth = load_bbl_text((folder / "refs_v2.bbl").read_text(encoding="utf-8"))
    assert len(got) == 118 and all(got[t.key] == t.text() for t in truth)


def test_each_draft_resolves_against_its_own_bibliography(corpus):
    folder = corpus / "qwen-related-work"
    v1 = lint_json(folder / "related_work_v1.txt", "--bib", folder / "refs_v1.bib")
    assert v1 == []
    v2 = lint_json(folder / "related_work_v2.md", "--bib", folder / "refs_v2.bib")
    assert [f["code"] for f in v2] == ["RW005", "RW005"]
    assert all("Roziere et al." in f["message"] for f in v2)


def test_old_draft_against_new_bibliography_flags_codex_suffixes(corpus):
    folder = corpus / "qwen-related-work"
    findings = lint_json(folder / "related_work_v1.txt", "--bib", folder / "refs_v2.bib")
    assert [f["code"] for f in findings] == ["RW003", "RW003"]
    for finding, suffix in zip(findings, "ab", strict=True):
        assert f"Chen et al., 2021{suffix}" in finding["message"]
        assert "Evaluating Large Language Models Trained on Code" in finding["message"]


def test_real_markdown_papers_have_no_false_alarms(corpus):
    assert lint_json(corpus / "pvlib-joss-md") == []
    assert lint_json(corpus / "pyrse-bookdown-md") == []


def test_manubot_manuscript_keys_resolve_through_citations_tsv(corpus):
    folder = corpus / "deepreview-manubot-md"
    findings = lint_json(folder / "manuscript.md")
    # 1,203 citations; the only findings are two rendered years that disagree with the
    # CSL items (Jensen 2018 vs 2019, Yoshikawa et al. 2019 vs 2018).
    assert [f["code"] for f in findings] == ["RW006", "RW006"]

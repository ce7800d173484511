"""Acceptance on the real corpus in ../shared (skipped when it is absent)."""

import json
import subprocess
import sys
from pathlib import Path

import pytest

from relwork_ls.bibliography.bbl import load_bbl_text
from relwork_ls.bibliography.files import load_bibliography
from relwork_ls.bibliography.labels import LabelOptions, compute_labels


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
    v1 = lint_json(
        folder / "related_work_v1.txt", "--bib", folder / "refs_v1.bib", "--select", "RW0"
    )
    assert v1 == []
    v2 = lint_json(
        folder / "related_work_v2.md", "--bib", folder / "refs_v2.bib", "--select", "RW0"
    )
    assert [f["code"] for f in v2] == ["RW005", "RW005"]
    assert all("Roziere et al." in f["message"] for f in v2)


def test_old_draft_against_new_bibliography_flags_codex_suffixes(corpus):
    folder = corpus / "qwen-related-work"
    findings = lint_json(
        folder / "related_work_v1.txt", "--bib", folder / "refs_v2.bib", "--select", "RW0"
    )
    assert [f["code"] for f in findings] == ["RW003", "RW003"]
    for finding, suffix in zip(findings, "ab", strict=True):
        assert f"Chen et al., 2021{suffix}" in finding["message"]
        assert "Evaluating Large Language Models Trained on Code" in finding["message"]


def test_real_markdown_papers_have_no_false_alarms(corpus):
    assert lint_json(corpus / "pvlib-joss-md") == []
    assert lint_json(corpus / "pyrse-bookdown-md") == []


def test_manubot_manuscript_keys_resolve_through_citations_tsv(corpus):
    folder = corpus / "deepreview-manubot-md"
    findings = lint_json(folder / "manuscript.md", "--select", "RW0")
    # 1,203 citations; the only findings are two rendered years that disagree with the
    # CSL items (Jensen 2018 vs 2019, Yoshikawa et al. 2019 vs 2018).
    assert [f["code"] for f in findings] == ["RW006", "RW006"]


def qwen_copy(corpus: Path, tmp_path: Path) -> Path:
    for name in ("related_work_v1.txt", "related_work_v2.md", "refs_v1.bib", "refs_v2.bib"):
        (tmp_path / name).write_bytes((corpus / "qwen-related-work" / name).read_bytes())
    return tmp_path


def test_drift_between_the_two_drafts(corpus, tmp_path):
    folder = qwen_copy(corpus, tmp_path)
    findings = lint_json(
        folder / "related_work_v1.txt",
        folder / "related_work_v2.md",
        "--bib",
        folder / "refs_v2.bib",
        "--select",
        "RW101",
    )
    got = [(Path(f["path"]).name, f["line"], f["message"]) for f in findings]
    v1 = [g for g in got if g[0] == "related_work_v1.txt"]
    v2 = [g for g in got if g[0] == "related_work_v2.md"]
    # Both Chen et al. 2023 citations (three places) and both Codex citations of v1 drift,
    # each pointing at the line of v2 that cites the work; v2 misspells Rozière twice.
    assert [(line, "2023" in msg, "2021" in msg) for _, line, msg in v1] == [
        (5, True, False),
        (5, True, False),
        (11, True, False),
        (15, False, True),
        (15, False, True),
    ]
    assert "related_work_v2.md line 17 cites Chen et al., 2023c (Phoenix" in v1[0][2]
    assert "related_work_v2.md line 23 cites Chen et al., 2023b (AgentVerse" in v1[2][2]
    assert [line for _, line, _ in v2] == [27, 27] and all("Roziere" in m for *_, m in v2)
    related = findings[0]["related"][0]
    assert Path(related["path"]).name == "related_work_v2.md" and related["line"] == 17


def test_stale_labels_fixed_then_clean(corpus, tmp_path):
    folder = qwen_copy(corpus, tmp_path)
    v1 = folder / "related_work_v1.txt"
    stale = lint_json(
        v1,
        "--bib",
        folder / "refs_v2.bib",
        "--bib-before",
        folder / "refs_v1.bib",
        "--select",
        "RW102",
    )
    assert [f["line"] for f in stale] == [5, 5, 11, 15, 15]
    assert all(f["fix"] and f["fix"]["safe"] for f in stale)
    before = v1.read_bytes()
    lint_json(v1, "--bib", folder / "refs_v2.bib", "--bib-before", folder / "refs_v1.bib", "--fix")
    after = v1.read_bytes()
    assert after != before and after.count(b"\n") == before.count(b"\n")
    relint = lint_json(v1, "--bib", folder / "refs_v2.bib", "--select", "RW1,RW003")
    assert relint == []
    # A second run changes nothing.
    lint_json(v1, "--bib", folder / "refs_v2.bib", "--bib-before", folder / "refs_v1.bib", "--fix")
    assert v1.read_bytes() == after


def test_duplicate_codex_entry_in_refs_v1(corpus):
    folder = corpus / "qwen-related-work"
    findings = lint_json(
        folder / "related_work_v1.txt", "--bib", folder / "refs_v1.bib", "--select", "RW301"
    )
    assert len(findings) == 1
    message = findings[0]["message"]
    assert "'chen2021codex' is the same work as 'chen2021evaluating'" in message
    assert "spurious suffixes" in message and "Chen et al., 2021a" in message

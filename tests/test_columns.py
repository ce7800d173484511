"""Two-column pages of ``pdftotext -layout`` text, read column by column
(relwork_ls/citations/columns.py): citations broken across a column's lines are read whole
and reported where they are in the file; fixes never reach into the other column; text
that is not two-column is read as before."""

from __future__ import annotations

import tempfile
from pathlib import Path

import pytest
from conftest import CORPUS
from helpers import bib
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from relwork_ls import api
from relwork_ls.citations import documents
from relwork_ls.citations.columns import column_reading
from relwork_ls.citations.documents import extract_citations
from relwork_ls.config import Config
from relwork_ls.editor.live import local_analysis, relint_changed
from relwork_ls.lint.run import lint_and_fix, lint_paths
from relwork_ls.lint.workspace import Workspace
from relwork_ls.positions import LineIndex

REFS = r"""@article{chen2021, author={Chen, Mark and Tworek, Jerry and Jun, Heewoo}, year={2021}, title={Codex}}
@article{liu2021, author={Liu, Chenxiao and Wan, Xiaojun}, year={2021}, title={CodeQA}}
@article{bai2022b, author={Bai, Yuntao and Jones, Andy and Ndousse, Kamal}, year={2022}, title={Helpful}}
@article{bai2022c, author={Bai, Yuntao and Kadavath, Saurav and Kundu, Sandipan}, year={2022}, title={Constitutional}}
@article{touvron, author={Touvron, Hugo and Lavril, Thibaut and Izacard, Gautier}, year={2023}, title={LLaMA}}
"""


def wrap(words: str, width: int = 44) -> list[str]:
    lines, line = [], ""
    for word in words.split():
        if line and len(line) + 1 + len(word) > width:
            lines.append(line)
            line = word
        else:
            line = f"{line} {word}" if line else word
    return [*lines, line] if line else lines


def two_columns(left: str, right: str, gutter: int = 52, offset_rows: bool = False) -> str:
    """A page as ``pdftotext -layout`` prints it: each row holds a left line and a right
    line side by side (with ``offset_rows``, the columns' baselines differ on the first
    rows, so those rows alternate between the two, as they do beside a heading)."""
    lefts, rights = wrap(left), wrap(right)
    rows = []
    for index in range(max(len(lefts), len(rights))):
        line = lefts[index] if index < len(lefts) else ""
        if index < len(rights):
            if offset_rows and index < 8:
                rows.append(line)
                line = ""
            line = line.ljust(gutter) + rights[index]
        rows.append(line)
    return "\n".join(rows) + "\n"


FILLER = (
    "Prior work covers efficient fine-tuning of large models and the evaluation of code "
    "generation on the benchmarks of the field, with results that vary across settings. "
)
LEFT = (
    FILLER + "Code models were trained on public repositories (Chen, Tworek, and Jun, 2021) and "
    "aligned with human feedback (Bai et al., 2022a,b). " + FILLER
)
RIGHT = (
    FILLER + "Open models followed soon after, as Touvron et al. (2023) show, and pairs of "
    "questions were collected (Liu and Wan, 2021). " + FILLER
)


def lint(text: str) -> list[api.Finding]:
    findings = api.lint_texts({"paper.txt": text}, {"refs.bib": REFS})
    return [f for f in findings if f.span.path == "paper.txt"]


def test_a_two_column_page_is_read_column_by_column():
    text = two_columns(LEFT, RIGHT)
    reading = column_reading(text)
    assert reading is not None
    assert " ".join(reading.text.split()) == " ".join((LEFT + RIGHT).split())
    # Every character read maps back to itself in the file.
    for offset, char in enumerate(reading.text):
        if char != "\n":
            assert text[reading.original(offset)] == char


@pytest.mark.parametrize("offset_rows", [False, True])
def test_citations_broken_across_a_columns_lines_are_read_whole(offset_rows):
    text = two_columns(LEFT, RIGHT, offset_rows=offset_rows)
    citations = extract_citations(text, "text")
    found = {(w.names.replace("\n", " "), w.year + w.suffix) for c in citations for w in c.works}
    assert found == {
        ("Chen, Tworek, and Jun", "2021"),
        ("Bai et al.", "2022a"),
        ("Bai et al.", "2022b"),
        ("Touvron et al.", "2023"),
        ("Liu and Wan", "2021"),
    }
    for citation in citations:
        for work in citation.works:
            # Offsets are the file's: the year and the first name are where they are written.
            assert text[work.year_start : work.year_end] in ("2021", "2022a", "b", "2023")
            first = work.name_options[-1]
            assert text[first.start : first.start + 3] == first.text[:3]
    assert lint(text) == []


def test_findings_point_into_the_file_and_fixes_stay_in_one_column():
    text = two_columns(
        LEFT.replace("2022a,b", "2022a,c"),
        RIGHT.replace("Liu and Wan, 2021", "Lui and Wan, 2021"),
    )
    findings = lint(text)
    lines = LineIndex(text)
    reading = column_reading(text)
    assert reading is not None
    by_code = {f.code: f for f in findings}
    assert set(by_code) >= {"RW003", "RW001"}
    suffix = by_code["RW003"]
    start = lines.offset(suffix.span.line, suffix.span.column)
    assert text[start] == "c"
    misspelt = by_code["RW001"]
    assert "Lui and Wan" in misspelt.message.replace("\n", " ")
    for finding in findings:
        for edit in finding.fix.edits if finding.fix else ():
            span = edit.span
            assert reading.contiguous(
                lines.offset(span.line, span.column), lines.offset(span.end_line, span.end_column)
            )


def test_a_misspelt_name_broken_across_a_columns_lines_gets_no_fix_through_the_other():
    left = LEFT.replace("(Chen, Tworek, and Jun, 2021)", "(Chen, Twerok, and Jun, 2021)")
    text = two_columns(left, RIGHT)
    lines = LineIndex(text)
    reading = column_reading(text)
    assert reading is not None
    for finding in lint(text):
        if finding.fix is None:
            continue
        for edit in finding.fix.edits:
            span = edit.span
            assert reading.contiguous(
                lines.offset(span.line, span.column), lines.offset(span.end_line, span.end_column)
            )


def _draft_with_refs(root: Path, text: str) -> tuple[Path, Config]:
    """``text`` as draft.txt in ``root``, with REFS as its one bibliography."""
    (root / "refs.bib").write_text(REFS)
    draft = root / "draft.txt"
    draft.write_text(text)
    config = Config(root=root, bibliographies=[(root / "refs.bib").resolve()], unused_entries=False)
    return draft, config


def run_fix(text: str) -> tuple[str, str]:
    with tempfile.TemporaryDirectory() as folder:
        draft, config = _draft_with_refs(Path(folder), text)
        lint_and_fix([draft], Workspace(config))
        first = draft.read_text()
        lint_and_fix([draft], Workspace(config))
        return first, draft.read_text()


FIXABLE = [
    "Codex (Chen et al., 2021a). ",
    "Codex Chen et al. (2021). ",
    "(Bai et al., 2022b;c) ",
    "(Bai et al., 2022b,c) ",
    "(Liu et al., 2021) ",
    "(Touvron et al., 2023b) ",
    "(Chen, Twerok, and Jun, 2021) ",
    "plain words of prose in between ",
]
CLEAN = [
    "(Liu and Wan, 2021) ",
    "(Bai et al., 2022a,b) ",
    "Touvron et al. (2023) ",
    "plain words of prose in between ",
]


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    st.lists(st.sampled_from(FIXABLE), min_size=4, max_size=14).map("".join),
    st.lists(st.sampled_from(CLEAN), min_size=4, max_size=14).map("".join),
)
def test_fixes_never_touch_the_other_column(left, right):
    """--fix on a two-column page (fixable citations on the left, none on the right)
    converges, and leaves every right-column line and the rows' count as they were."""
    text = two_columns(FILLER + left + FILLER, FILLER + right + FILLER)
    before = column_reading(text)
    assert before is not None
    first, second = run_fix(text)
    assert second == first
    assert first.count("\n") == text.count("\n")
    for old_row, new_row in zip(text.split("\n"), first.split("\n"), strict=True):
        if len(old_row) > 52:
            assert new_row[52:] == old_row[52:] or new_row.rstrip().endswith(old_row[52:])


def test_relint_of_two_column_text_is_a_full_analysis():
    """A window of rows is no paragraph of a two-column page: the server analyses it all;
    and a local analysis there finds what the full one finds."""
    old = two_columns(LEFT, RIGHT)
    new = old.replace("(Bai et al., 2022a,b)", "(Bai et al., 2022a,d)", 1)
    index = bib(REFS)
    assert relint_changed("paper.txt", old, new, [], "text", index, Config()) is None
    at = new.index("2022a,d")
    local = local_analysis("paper.txt", new, "text", index, Config(), at, at + 7)
    assert [f.code for f in local.findings] == ["RW003"]


# ------------------------------------------------------------------- not two columns


SINGLE_COLUMN_LAYOUT = """\
                     Notes on Related Work

1   Introduction

Prior work covers efficient fine-tuning of large models (Chen et al.,
2021a). Code models were aligned with human feedback (Bai et al.,
2022a,b), and open models followed (Touvron et al., 2023).

References

[1] Mark Chen, Jerry Tworek, and Heewoo Jun. Evaluating large
    language models trained on code. arXiv preprint, 2021.
[2] Yuntao Bai, Andy Jones, and Kamal Ndousse. Training a helpful
    and harmless assistant. arXiv preprint, 2022.
[3] Yuntao Bai, Saurav Kadavath, and Sandipan Kundu. Constitutional
    AI: harmlessness from AI feedback. arXiv preprint, 2022.
[4] Hugo Touvron, Thibaut Lavril, and Gautier Izacard. LLaMA: open
    and efficient foundation language models. arXiv, 2023.
"""

MARKDOWN_TABLE = """\
Results of the models we compare (Chen et al., 2021a; Touvron et al., 2023).

| Model              | Source                          | Score |
|--------------------|---------------------------------|-------|
| Codex              | Chen et al. (2021a)             | 28.8  |
| LLaMA              | Touvron et al. (2023)           | 15.8  |
| Helpful assistant  | Bai et al. (2022a)              | 12.0  |
| Constitutional AI  | Bai et al. (2022b)              | 11.9  |
| CodeQA             | Liu and Wan (2021)              | 10.2  |
| Another model      | (Liu and Wan, 2021)             |  9.9  |
| Yet another one    | (Bai et al., 2022a,b)           |  9.1  |
"""

ALIGNED = """\
Terms used below, as defined in the works we cite (Chen et al., 2021a):

    pass@k                     the share of problems solved in k samples
    temperature                the softmax temperature of sampling
    nucleus                    the probability mass sampled from
    context window             the tokens a model reads at once
    instruction tuning         fine-tuning on instructions (Bai et al., 2022b)
    preference model           a model of human preferences (Bai et al., 2022c)
    red teaming                adversarial testing of a model
    open weights               weights anyone may download (Touvron et al., 2023)

    def score(samples, k):     # as in Chen et al. (2021a)
        total = 0              # problems solved
        for s in samples:      # every sample
            total += s.passed  # counts once
        return total / k       # the estimate
"""


def _plain(text: str) -> list:
    """The citations as read without column detection."""
    return documents._citations_of(text, "text")


@pytest.mark.parametrize("text", [SINGLE_COLUMN_LAYOUT, MARKDOWN_TABLE, ALIGNED])
def test_text_that_is_not_two_column_is_read_as_before(text):
    assert column_reading(text) is None
    assert extract_citations(text, "text") == _plain(text)
    assert extract_citations(text, "markdown") == documents._citations_of(text, "markdown")


def test_the_qwen_drafts_are_not_two_column():
    folder = CORPUS / "qwen-related-work"
    if not folder.is_dir():
        pytest.skip("../shared/corpus is not available")
    for name in ("related_work_v1.txt", "related_work_v2.md"):
        text = (folder / name).read_text(encoding="utf-8")
        assert column_reading(text) is None, name
        assert extract_citations(text, "text") == _plain(text)


def test_a_page_of_prose_beside_single_column_pages():
    """Only the two-column page is read by columns; the others keep their offsets."""
    first = "One page of prose (Liu and Wan, 2021) in a single column.\n" * 3
    page = two_columns(LEFT, RIGHT)
    text = first + "\f" + page + "\f" + first
    reading = column_reading(text)
    assert reading is not None
    citations = extract_citations(text, "text")
    starts = [c.start for c in citations]
    assert starts[:3] == [i for i in range(len(first)) if first.startswith("(Liu", i)]
    assert text[citations[-1].start : citations[-1].end] == "(Liu and Wan, 2021)"
    assert citations[-1].start > len(first) + len(page)
    result = lint_paths_text(text)
    assert result == []


def lint_paths_text(text: str) -> list:
    with tempfile.TemporaryDirectory() as folder:
        draft, config = _draft_with_refs(Path(folder), text)
        return lint_paths([draft], Workspace(config)).findings

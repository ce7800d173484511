from helpers import bib, lint_text

from relwork_ls.checks.bibliography import duplicate_work_findings, unused_entry_findings
from relwork_ls.checks.style import style_findings
from relwork_ls.checks.suppression import filter_suppressed
from relwork_ls.citations.documents import extract_citations
from relwork_ls.citations.model import Document
from relwork_ls.citations.resolution import resolve_citations
from relwork_ls.findings import Finding

REFS = """
@article{xu2023a, author={Xu, Benfeng and Yang, An and Lin, Junyang}, year={2023}, title={ExpertPrompting}}
@article{xu2023b, author={Xu, Can and Sun, Qingfeng and Zheng, Kai}, year={2023}, title={WizardLM}}
@article{xu2023c, author={Xu, Canwen and Guo, Daya and Duan, Nan}, year={2023}, title={Baize}}
@article{bai2022b, author={Bai, Yuntao and Jones, Andy and Ndousse, Kamal}, year={2022}, title={Helpful}}
@article{bai2022c, author={Bai, Yuntao and Kadavath, Saurav and Kundu, Sandipan}, year={2022}, title={Constitutional}}
@article{lee2020, author={Lee, Ann}, year={2020}, title={Other}}
@article{wang2023, author={Wang, Yizhong and Kordi, Yeganeh and Mishra, Swaroop}, year={2023}, title={Self-Instruct}}
@article{chen2021, author={Chen, Mark and Tworek, Jerry and Jun, Heewoo}, year={2021}, title={Codex paper}}
"""


def style(text: str, separator: str | None = None) -> list[Finding]:
    index = bib(REFS)
    works = resolve_citations("d.txt", text, extract_citations(text, "text"), index).works
    return style_findings(Document("d.txt", text), works, index, separator)


def test_rw201_separator_unlike_the_document_majority():
    findings = style("(Bai et al., 2022b,c) and (Xu et al., 2023a,b) and (Xu et al., 2023b;c)")
    assert [(f.code, f.fix.edits[0].new_text) for f in findings] == [("RW201", ",")]
    assert style("(Bai et al., 2022b;c) and (Xu et al., 2023a;c)") == []
    assert [f.code for f in style("(Bai et al., 2022b;c)", separator=",")] == ["RW201"]


def test_rw202_same_author_group_twice():
    # natbib prints one author group once per run of adjacent keys: a repeat is mergeable.
    (finding,) = style("(Xu et al., 2023b; Lee, 2020; Xu et al., 2023a,c)")
    assert finding.code == "RW202" and not finding.fix.safe
    from relwork_ls.lint.fixes import apply_edits

    text = "(Xu et al., 2023b; Lee, 2020; Xu et al., 2023a,c)"
    assert apply_edits(text, finding.fix.edits) == "(Xu et al., 2023b,a,c; Lee, 2020)"
    assert style("(Bai et al., 2022b; Lee, 2020; Xu et al., 2023a)") == []


def test_rw203_glued_narrative_and_near_miss():
    (finding,) = style("These include Codex Chen et al. (2021) and more.")
    assert finding.code == "RW203"
    assert finding.fix.edits[0].new_text == "(Chen et al., 2021)"
    assert style("as proposed in Wang et al. (2023) and by Chen et al. (2021).") == []


def test_rw301_duplicates_by_doi_arxiv_title_and_near_miss():
    index = bib("""
        @article{a1, author={Chen, Mark}, year={2021}, title={Evaluating Code Models}, journal={arXiv preprint arXiv:2107.03374}}
        @inproceedings{a2, author={Chen, Mark}, year={2022}, title={Evaluating code models.}, doi={10.48550/arXiv.2107.03374}}
        @article{d1, author={Roe, R.}, year={2020}, title={One}, doi={10.1/ABC}}
        @article{d2, author={Poe, P.}, year={2020}, title={Two}, doi={https://doi.org/10.1/abc}}
        @article{n1, author={Doe, J.}, year={2020}, title={Learning to rank documents}}
        @article{n2, author={Doe, J.}, year={2020}, title={Learning to rank images}}
    """)
    findings = duplicate_work_findings(index)
    assert [(f.code, f.message.split("'")[1]) for f in findings] == [
        ("RW301", "a2"),
        ("RW301", "d2"),
    ]
    assert "same arXiv id 2107.03374" in findings[0].message
    assert "same DOI 10.1/abc" in findings[1].message


def test_rw302_unused_entries_relative_to_what_documents_cite():
    index = bib(REFS)
    findings = unused_entry_findings(index, [index.entry("lee2020")])
    assert len(findings) == 7 and all(f.code == "RW302" for f in findings)
    # Relative to a document's cited set: works it may cite (RW020) count as cited.
    text = "(Xu et al., 2023) and (Lee et al., 2020)"
    view = resolve_citations("d.txt", text, extract_citations(text, "text"), index).index
    unused = {f.message.split("'")[1] for f in unused_entry_findings(index, [view])}
    assert "lee2020" not in unused and not any(k.startswith("xu2023") for k in unused)


def test_suppression_on_the_line_or_the_line_above():
    text = "(Zz et al., 2020) relwork: ignore RW001\n% relwork: ignore\n(Yy et al., 2020)\n(Xx et al., 2020) relwork: ignore RW005\n"
    index = bib(REFS)
    findings = resolve_citations("d.txt", text, extract_citations(text, "text"), index).findings
    assert [f.span.line for f in findings] == [0, 2, 3]
    kept = filter_suppressed(findings, {"d.txt": text})
    assert [f.span.line for f in kept] == [3]


def test_rw301_title_match_needs_close_years():
    index = bib("""
        @book{badd86, author={Baddeley, Alan}, year={1986}, title={Working Memory}}
        @article{badd74, author={Baddeley, Alan and Hitch, Graham}, year={1974}, title={Working memory}}
        @article{pre, author={Crone, N. E.}, year={1997}, title={Functional mapping. {II}. {E}vent-related}}
        @article{pub, author={Crone, N. E.}, year={1998}, title={Functional mapping. {II}. Event-related}}
    """)
    findings = duplicate_work_findings(index)
    assert [f.message.split("'")[1] for f in findings] == ["pub"]


def test_rw203_not_after_a_function_word_hyphenated_at_a_line_end():
    # pdftotext keeps TeX's hyphenation: "Fol-⏎lowing Yang et al. (2023)" is "Following …".
    index = bib("@article{y, author={Yang, A. and Li, B. and Wu, C.}, year={2023}, title={T}}")
    text = "The results are consistent with prior reports of this. Fol-\nlowing Yang et al. (2023), we go."
    assert lint_text(text, index) == []

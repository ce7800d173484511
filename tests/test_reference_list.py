"""Reference-list mode: a draft checked against its own reference list."""

from __future__ import annotations

from pathlib import Path

import pytest

from relwork_ls.bibliography.reference_list import (
    find_reference_section,
    parse_reference,
    read_reference_list,
    reference_list_bibliography,
)
from relwork_ls.citations.documents import extract_citations
from relwork_ls.cli import main
from relwork_ls.config import Config
from relwork_ls.lint.run import lint_paths
from relwork_ls.lint.workspace import Workspace

DATA = Path(__file__).parent / "data" / "reference_lists"


def label(text: str, prefer: str = "") -> tuple[str, str, str]:
    parsed = parse_reference(text, prefer)
    return parsed.label_names, parsed.year, parsed.suffix


@pytest.mark.parametrize(
    ("reference", "expected", "title"),
    [
        (  # plainnat
            "Mark Chen, Jerry Tworek, Heewoo Jun, and Wojciech Zaremba. Evaluating large "
            "language models trained on code. CoRR, abs/2107.03374, 2021a. URL https://x.org/a.",
            ("Chen et al.", "2021", "a"),
            "Evaluating large language models trained on code",
        ),
        (  # ACL
            "Aaron van den Oord and Oriol Vinyals. 2017b. Neural discrete representation "
            "learning. In NeurIPS.",
            ("van den Oord and Vinyals", "2017", "b"),
            "Neural discrete representation learning",
        ),
        (  # APA 7
            "Chen, M., Tworek, J., & Zaremba, W. (2021a). Evaluating large language models "
            "trained on code. arXiv. https://doi.org/10.48550/arXiv.2107.03374",
            ("Chen et al.", "2021", "a"),
            "Evaluating large language models trained on code",
        ),
        (  # apalike
            "Arandjelovic, R. and Zisserman, A. (2017). Look, listen and learn. In ICCV.",
            ("Arandjelovic and Zisserman", "2017", ""),
            "Look, listen and learn",
        ),
        (  # Chicago author-date, three authors are all named in the text
            "Jensen, Adam R., Ioannis Sifnaios, and Kevin Anderson. 2022. “twoaxistracking a "
            "Python Package.” MethodsX 9: 101876.",
            ("Jensen, Sifnaios, and Anderson", "2022", ""),
            "twoaxistracking a Python Package",
        ),
        (  # organisation, plainnat
            "OpenAI. GPT-4 technical report. Technical report, OpenAI, 2023.",
            ("OpenAI", "2023", ""),
            "GPT-4 technical report",
        ),
        (  # organisation with a corporate suffix
            "LangChain, Inc. LangChain: Building applications with LLMs. Software, 2023.",
            ("LangChain, Inc", "2023", ""),
            "LangChain: Building applications with LLMs",
        ),
        (  # APA with an ellipsis before the last of 21+ authors
            "Virtanen, P., Gommers, R., Oliphant, T. E., … SciPy 1.0 Contributors. (2020). "
            "SciPy 1.0. Nature Methods, 17, 261–272.",
            ("Virtanen et al.", "2020", ""),
            "SciPy 1.0",
        ),
        (  # no date
            "Contributors, pvlib python. n.d. “Pvlib Python.” https://doi.org/10.5281/x.",
            ("Contributors", "n.d.", ""),
            "Pvlib Python",
        ),
    ],
)
def test_parses_each_rendering(reference: str, expected: tuple[str, str, str], title: str):
    parsed = parse_reference(reference)
    assert (parsed.label_names, parsed.year, parsed.suffix) == expected
    assert parsed.title == title


def test_two_letter_surnames_are_not_initials():
    text = "Jason Wei, Nan Du, and Quoc V. Le. Finetuned language models. In ICLR, 2022a."
    parsed = parse_reference(text)
    assert [n.surname for n in parsed.names] == ["Wei", "Du", "Le"]
    assert parsed.title == "Finetuned language models"


def test_chicago_dash_repeats_the_previous_authors():
    text = (
        "Intro (Wilson 2019a; Wilson 2019b).\n\nReferences\n\n"
        "Wilson, Greg. 2019a. Teaching Tech Together. Taylor & Francis.\n\n"
        "———. 2019b. “Ten Quick Tips.” PLOS Computational Biology.\n"
    )
    found = read_reference_list(text)
    assert found is not None
    assert [(p.label_names, p.year, p.suffix) for _, p in found.references] == [
        ("Wilson", "2019", "a"),
        ("Wilson", "2019", "b"),
    ]


def test_wrapped_pdf_text_is_split_at_author_lists():
    text = (
        "As shown by Allal et al. (2023).\n\nReferences\n"
        "Loubna Ben Allal, Raymond Li, Denis Kocetkov, Chenghao Mou, Christopher\n"
        "Akiki, et al. SantaCoder: Don't reach for the stars! arXiv preprint\n"
        "arXiv:2301.03988, 2023. doi: 10.48550/arXiv.2301.03988. URL https://\n"
        "arxiv.org/abs/2301.03988.\n"
        "Anthropic. Introducing Claude. Blog post, 2023a. URL https://www.\n"
        "anthropic.com/index/introducing-claude.\n"
        "12\n"
        "\fAnthropic. Model card and evaluations for Claude models. Technical report,\n"
        "Anthropic, 2023b. URL https://www-files.anthropic.com/production/\n"
        "images/Model-Card-Claude-2.pdf. Claude 2 model card.\n"
    )
    found = read_reference_list(text)
    assert found is not None
    parsed = [p for _, p in found.references]
    assert [(p.label_names, p.year, p.suffix) for p in parsed] == [
        ("Allal et al.", "2023", ""),
        ("Anthropic", "2023", "a"),
        ("Anthropic", "2023", "b"),
    ]
    assert parsed[0].doi == "10.48550/arXiv.2301.03988"
    assert parsed[1].url == "https://www.anthropic.com/index/introducing-claude"


def test_reference_section_is_not_scanned_for_citations():
    text = "Text (Chen et al., 2021).\n\n# References\n\nChen, M., & Li, J. (2021). T. V.\n"
    section = find_reference_section(text)
    assert section is not None and text[section.heading_start :].startswith("# References")
    assert [c.works[0].names for c in extract_citations(text, "markdown")] == ["Chen et al."]


def test_entries_span_their_reference_and_carry_its_label():
    text = "See Hunter (2007).\n\nReferences\n\nHunter, J. D. (2007). Matplotlib. CiSE.\n"
    bib = reference_list_bibliography(text, "d.txt")
    (entry,) = bib.entries
    assert (entry.span.line, entry.span.column) == (4, 0)
    assert entry.title == "Matplotlib"
    assert bib.bbl_labels[entry.key.lower()].text() == "Hunter, 2007"


def lint_text(tmp_path: Path, name: str, text: str, **workspace: object) -> list[str]:
    draft = tmp_path / name
    draft.write_text(text, encoding="utf-8")
    result = lint_paths([draft], Workspace(Config(root=tmp_path), **workspace))  # type: ignore[arg-type]
    return [f"{f.code} {f.span.line + 1}:{f.span.column + 1} {f.message}" for f in result.findings]


@pytest.mark.parametrize("style", ["apa", "chicago", "acl"])
def test_rendered_paper_resolves_with_zero_findings(tmp_path: Path, style: str):
    text = (DATA / f"pvlib_{style}.txt").read_text(encoding="utf-8")
    found = read_reference_list(text)
    assert found is not None and len(found.references) == 17
    assert lint_text(tmp_path, "paper.txt", text) == []


APA = (DATA / "pvlib_apa.txt").read_text(encoding="utf-8")
ACL = (DATA / "pvlib_acl.txt").read_text(encoding="utf-8")


@pytest.mark.parametrize(
    ("text", "old", "new", "code"),
    [
        (APA, "(Hunter, 2007)", "(Smith et al., 2007)", "RW001 RW302"),
        # Which Holmgren et al. 2018 is meant is unknown, so neither is called unused.
        (ACL, "(Holmgren et al., 2018a)", "(Holmgren et al., 2018)", "RW002"),
        (APA, "(Lam et al., 2015)", "(Lam et al., 2015a)", "RW003"),
        (APA, "(Stein & Hansen, 2022)", "(Stein et al., 2022)", "RW004"),
        (APA, "(Harris et al., 2020)", "(Harrís et al., 2020)", "RW005"),
        (APA, "(Hunter, 2007)", "(Hunter, 2008)", "RW006"),
        (APA, "(Krekel et al., 2004)", "(pytest)", "RW302"),
        (
            ACL,
            "Mikofski. 2018b. Review of",
            "Mikofski. 2018a. Review of",
            # Two references now print "2018a": the text's "2018a" may be either (RW020),
            # its "2018b" is gone (RW003), and the list is told to letter them (RW310).
            "RW003 RW020 RW310 RW310",
        ),
    ],
)
def test_injected_errors_are_found(tmp_path: Path, text: str, old: str, new: str, code: str):
    assert old in text
    findings = lint_text(tmp_path, "paper.txt", text.replace(old, new, 1))
    assert sorted(f.split()[0] for f in findings) == sorted(code.split()), findings


def test_two_references_that_are_one_work(tmp_path: Path):
    reference = "Hunter, J. D. (2007). Matplotlib: A 2D graphics environment. Computing in Sci"
    start = APA.index(reference)
    end = APA.index("\n", start)
    doubled = APA[:end] + "\n\n" + APA[start:end] + APA[end:]
    codes = sorted(f.split()[0] for f in lint_text(tmp_path, "paper.txt", doubled))
    # One work twice (RW301), the copy is cited by nothing (the citation resolves to the
    # first), and the list cannot tell the two 'Hunter, 2007' apart (RW310).
    assert codes == ["RW301", "RW302", "RW310", "RW310"]


def test_bib_from_text_reports_where_list_and_bib_disagree(tmp_path: Path):
    text = "Codex (Chen et al., 2021a).\n\nReferences\n\n" + (
        "Mark Chen, Jerry Tworek, and Wojciech Zaremba. Evaluating large language models "
        "trained on code. CoRR, abs/2107.03374, 2021a.\n\n"
        "Ada Lovelace. Notes on the analytical engine. Taylor, 1843.\n"
    )
    bib = tmp_path / "refs.bib"
    bib.write_text(
        "@article{chen2021codex, author = {Chen, Mark and Tworek, Jerry and Zaremba, "
        "Wojciech}, title = {Evaluating Large Language Models Trained on Code}, "
        "journal = {CoRR}, year = {2021}}\n",
        encoding="utf-8",
    )
    findings = lint_text(tmp_path, "draft.txt", text, bib_from_text=True)
    assert [f.split()[0] for f in findings] == ["RW312", "RW302", "RW312"], findings
    assert "gives it 'Chen et al., 2021'" in findings[0]
    assert "not in refs.bib" in findings[2]
    # Without the option the .bib wins: the text's "2021a" is then a superfluous suffix.
    assert [f.split()[0] for f in lint_text(tmp_path, "draft.txt", text)] == ["RW003"]


def test_cli_uses_the_reference_list_when_no_bibliography_exists(tmp_path: Path, capsys):
    (tmp_path / "paper.txt").write_text(APA.replace("(Hunter, 2007)", "(Hunter, 2008)"))
    assert main(["lint", "--no-config", str(tmp_path / "paper.txt")]) == 1
    assert "RW006" in capsys.readouterr().out


def test_a_reference_list_read_in_pieces_is_not_checked_against(tmp_path: Path):
    """pdftotext's default mode can scatter a justified list into fragments: one RW311 says
    so, and no citation gets a false "no work" from the pieces."""
    text = (
        "As shown (Allen et al., 2012) and Bates et al. (2015a).\n\n"
        "References\n\n"
        "E A Allen, E Damaraju, and S M Plis.\n\n"
        "Tracking whole-brain connectivity.\n\n"
        "Cortex, 24(3):663–676, 2012.\n\n"
        "Cerebral\n\n"
        "D Bates, R Kliegl, and S Vasishth.\n\n"
        "Parsimonious mixed models.\n\n"
        "arXiv, 1506.04967, 2015a.\n"
    )
    found = lint_text(tmp_path, "paper.txt", text)
    assert len(found) == 1 and found[0].startswith("RW311 3:1 the reference list could not be read")


def test_a_year_after_a_finished_url_stays_the_year(tmp_path: Path):
    text = (
        "Chatify (Manning et al., 2023a) and the other (Manning et al., 2023b).\n\n"
        "References\n"
        "J R Manning, H Menjunatha, and K Kord-\n"
        "ing. Chatify: A Jupyter extension for adding\n"
        "chatbots to notebooks.\n"
        "https://github.com/ContextLab/chatify,\n"
        "2023a.\n"
        "J R Manning, E C Whitaker, and P C Fitzpatrick. Feature and order manipulations.\n"
        "PsyArXiv, 2023b.\n"
    )
    assert lint_text(tmp_path, "paper.txt", text) == []


def test_bib_from_text_compares_labels_over_the_works_the_list_holds(tmp_path: Path):
    # The .bib holds three Chen et al. 2021 works; the list, printed from the document,
    # holds two of them, lettered a and b: exactly what BibTeX gives when those two are
    # cited, though over the whole file they would be a and c.
    text = "Codex (Chen et al., 2021a) and (Chen et al., 2021b).\n\nReferences\n\n" + (
        "Mark Chen, Jerry Tworek, and Wojciech Zaremba. Evaluating large language models "
        "trained on code. CoRR, 2021a.\n\n"
        "Mia Chen, Jerry Tworek, and Wojciech Zaremba. Other things. CoRR, 2021b.\n"
    )
    entries = [("chen2021codex", "Mark", "Evaluating Large Language Models Trained on Code")]
    entries += [("chen2021mid", "Max", "Middle work"), ("chen2021other", "Mia", "Other Things")]
    (tmp_path / "refs.bib").write_text(
        "".join(
            f"@article{{{key}, author = {{Chen, {given} and Tworek, Jerry and Zaremba, "
            f"Wojciech}}, title = {{{title}}}, journal = {{CoRR}}, year = {{2021}}}}\n"
            for key, given, title in entries
        ),
        encoding="utf-8",
    )
    findings = lint_text(tmp_path, "draft.txt", text, bib_from_text=True)
    assert [f for f in findings if f.startswith("RW312")] == [], findings


def test_a_reference_list_beside_a_bibliography_tells_which_works_are_cited(tmp_path: Path):
    # Two Chen et al. 2021 works in the .bib: "(Chen et al., 2021)" could be either, unless
    # the draft's printed list says which one it cites.
    bib = tmp_path / "refs.bib"
    bib.write_text(
        "@article{chen2021codex, author = {Chen, Mark and Tworek, Jerry and Zaremba, "
        "Wojciech}, title = {Evaluating Large Language Models Trained on Code}, year = {2021}}\n"
        "@article{chen2021other, author = {Chen, Mia and Tworek, Jerry and Zaremba, "
        "Wojciech}, title = {Something Else Entirely}, year = {2021}}\n",
        encoding="utf-8",
    )
    body = "Codex (Chen et al., 2021) writes code.\n"
    alone = lint_text(tmp_path, "bare.txt", body, extra_bibliographies=[bib])
    assert [f.split()[0] for f in alone] == ["RW020"]
    listed = body + (
        "\nReferences\n\nMark Chen, Jerry Tworek, and Wojciech Zaremba. Evaluating large "
        "language models trained\non code. CoRR, 2021.\n"
    )
    assert lint_text(tmp_path, "paper.txt", listed, extra_bibliographies=[bib]) == []


def test_the_reference_list_is_read_for_evidence_once_per_text(tmp_path: Path, monkeypatch):
    import relwork_ls.lint.workspace as workspace_module

    calls = []
    reader = workspace_module.reference_list_evidence

    def counting(*args):
        calls.append(args[0])
        return reader(*args)

    monkeypatch.setattr(workspace_module, "reference_list_evidence", counting)
    bib = tmp_path / "refs.bib"
    bib.write_text("@article{a, author={Lee, Kim}, title={Lee}, year={2020}}\n", encoding="utf-8")
    draft = tmp_path / "paper.txt"
    text = "As (Lee, 2020).\n\nReferences\n\nKim Lee. Lee. 2020.\n"
    draft.write_text(text, encoding="utf-8")
    workspace = Workspace(Config(root=tmp_path), extra_bibliographies=[bib])
    workspace.analyze(draft, text)
    workspace.analyze(draft, text)  # the same text: the server asks again on every relint
    assert calls == [draft]
    workspace.analyze(draft, text + "More.\n")
    assert len(calls) == 2

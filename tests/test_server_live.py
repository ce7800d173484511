"""The editor core the server is built on: moving results onto an edited text, relinting only
around an edit, choosing edits that apply together, suppression comments, the outline."""

from __future__ import annotations

from pathlib import Path

import pytest
from helpers import bib
from hypothesis import given, settings
from hypothesis import strategies as st

from relwork_ls.bibliography.model import SourceSpan
from relwork_ls.checks.style import style_findings
from relwork_ls.checks.suppression import filter_suppressed, suppression_edit
from relwork_ls.citations.documents import extract_citations
from relwork_ls.citations.model import Document
from relwork_ls.citations.resolution import resolve_citations
from relwork_ls.config import Config
from relwork_ls.editor.actions import ActionRequest, code_actions
from relwork_ls.editor.live import (
    LOCAL_CODES,
    carry_over,
    changed_region,
    local_analysis,
    relint_changed,
)
from relwork_ls.editor.navigation import InvalidKey, checked_key
from relwork_ls.editor.outline import outline
from relwork_ls.editor.session import (
    INCREMENTAL_CHARACTERS,
    DocumentText,
    RootSession,
    Snapshot,
    build_config,
)
from relwork_ls.findings import Finding, Fix, TextEdit
from relwork_ls.lint.edits import apply_fixes, select_fix_edits
from relwork_ls.positions import LineIndex

INDEX = bib(
    r"""
    @article{chen2021codex, author = {Chen, Mark and Tworek, J. and Jun, H.}, title = {Codex}, year = {2021}}
    @article{roziere2023, author = {Rozi{\`e}re, B. and Gehring, J. and Gloeckle, F.}, title = {Code Llama}, year = {2023}}
    @article{liu2021, author = {Liu, Pengfei and Wan, Xiaojun}, title = {Pair}, year = {2021}}
    @article{xu2023a, author = {Xu, Can and Sun, Q. and Zheng, K.}, title = {WizardLM}, year = {2023}}
    @article{xu2023b, author = {Xu, Canwen and Guo, D. and Duan, N.}, title = {Baize}, year = {2023}}
    @article{lee2020, author = {Lee, Kim}, title = {Lee}, year = {2020}}
    """
)
PIECES = [
    "(Chen et al., 2021a) ",
    "(Roziere et al., 2023) ",
    "(Liu et al., 2021) ",
    "(Xu et al., 2023) ",
    "Codex Chen et al. (2021) ",
    "(Xu et al., 2023b; Lee, 2020; Xu et al., 2023a) ",
    "(Nobody et al., 1999) ",
    "plain words ",
    "\n",
    "\n\n",
    "<!-- relwork: ignore RW005 -->\n",
]


def findings_of(text: str, kind: str = "markdown") -> list[Finding]:
    """What a full analysis reports on ``text`` (the codes a paragraph rescan recomputes)."""
    path = "draft.md"
    resolution = resolve_citations(path, text, extract_citations(text, kind), INDEX)
    document = Document(path, text, kind)
    found = resolution.findings + style_findings(document, resolution.works, INDEX)
    return filter_suppressed([f for f in found if f.code in LOCAL_CODES], {path: text})


def covered(text: str, span: SourceSpan) -> str:
    lines = LineIndex(text)
    return text[lines.offset(span.line, span.column) : lines.offset(span.end_line, span.end_column)]


documents = st.lists(st.sampled_from(PIECES), min_size=1, max_size=25).map("".join)


@st.composite
def edits(draw):
    text = draw(documents)
    start = draw(st.integers(0, len(text)))
    end = draw(st.integers(start, min(len(text), start + 40)))
    inserted = draw(
        st.sampled_from(PIECES + ["", "x", "a", "(", ")", ", 2021", "Codex ", "In ", " words "])
    )
    return text, text[:start] + inserted + text[end:]


@given(st.text(alphabet="ab\n(", max_size=30), st.text(alphabet="ab\n(", max_size=30))
def test_changed_region_is_the_smallest_difference(old, new):
    region = changed_region(old, new)
    assert old[: region.start] == new[: region.start]
    assert old[region.old_end :] == new[region.new_end :]
    assert old[: region.start] + new[region.start : region.new_end] + old[region.old_end :] == new
    if region.start < min(len(old), len(new)):
        assert (
            old[region.start] != new[region.start]
            or region.old_end - region.start == 0
            or (region.new_end == region.start)
        )


@settings(max_examples=300, deadline=None)
@given(st.integers(0, 3), st.integers(0, 70_000), st.integers(0, 30), st.text("ab\n", max_size=5))
def test_changed_region_of_long_texts_is_exact(seed, where, removed, inserted):
    # Long enough for the common prefix and suffix to be compared piece by piece.
    old = ("ab\nba" * 15_000)[seed:]
    where = min(where, len(old))
    new = old[:where] + inserted + old[where + removed :]
    region = changed_region(old, new)
    shorter = min(len(old), len(new))
    prefix = next((i for i in range(shorter) if old[i] != new[i]), shorter)
    assert region.start == prefix
    rest = shorter - prefix
    suffix = next((i for i in range(rest) if old[len(old) - 1 - i] != new[len(new) - 1 - i]), rest)
    assert (region.old_end, region.new_end) == (len(old) - suffix, len(new) - suffix)


@given(edits())
def test_moved_findings_cover_the_same_text(edit):
    old, new = edit
    for finding in carry_over(findings_of(old), "draft.md", old, new):
        original = next(
            f for f in findings_of(old) if f.code == finding.code and f.message == finding.message
        )
        assert covered(new, finding.span) == covered(old, original.span)
        for moved, before in zip(
            finding.fix.edits if finding.fix else (),
            original.fix.edits if original.fix else (),
            strict=True,
        ):
            assert covered(new, moved.span) == covered(old, before.span)


@settings(max_examples=400)
@given(edits())
def test_relint_around_an_edit_equals_a_full_analysis(edit):
    old, new = edit
    relinted = relint_changed("draft.md", old, new, findings_of(old), "markdown", INDEX, Config())
    if relinted is None:
        # The edit touches a label group cited outside the edited paragraphs: labels depend
        # on the whole document, so the server analyses all of it (checked below); so does
        # an edit that may open or close code, a comment or the reference list.
        assert _shares_groups(old, new) or _near_structure(old, new)
        return
    key = lambda f: (f.span, f.code, f.message, f.fix)  # noqa: E731
    assert sorted(map(key, relinted), key=repr) == sorted(map(key, findings_of(new)), key=repr)


def _near_structure(old: str, new: str) -> bool:
    from relwork_ls.editor.live import _STRUCTURE, _lines_around

    region = changed_region(old, new)
    return bool(
        _STRUCTURE.search(_lines_around(old, region.start, region.old_end))
        or _STRUCTURE.search(_lines_around(new, region.start, region.new_end))
    )


def _shares_groups(old: str, new: str) -> bool:
    """Some author group and year is cited both in the changed paragraphs and elsewhere."""
    from relwork_ls.editor.live import (
        _citations_in,
        _shares_label_groups,
        changed_region,
        paragraph_bounds,
    )

    region = changed_region(old, new)
    old_window = paragraph_bounds(old, region.start, region.old_end)
    new_window = paragraph_bounds(new, region.start, region.new_end)
    inside = _citations_in(old, "markdown", old_window) + _citations_in(new, "markdown", new_window)
    return _shares_label_groups(new, "markdown", inside, new_window)


def test_relint_around_an_edit_in_a_paragraph_of_its_own():
    old = "(Lee, 2020) first.\n\n(Xu et al., 2023a) and (Xu et al., 2023b).\n"
    new = old.replace("(Lee, 2020) first.", "(Chen et al., 2021a) first.")
    relinted = relint_changed("draft.md", old, new, findings_of(old), "markdown", INDEX, Config())
    assert relinted is not None
    key = lambda f: (f.span, f.code, f.message, f.fix)  # noqa: E731
    assert sorted(map(key, relinted), key=repr) == sorted(map(key, findings_of(new)), key=repr)
    # An edit to a group cited in another paragraph: the whole document again.
    shared = old.replace("(Lee, 2020) first.", "(Xu et al., 2023) first.")
    assert (
        relint_changed("draft.md", old, shared, findings_of(old), "markdown", INDEX, Config())
        is None
    )


def test_relint_refuses_an_edit_to_what_names_the_bibliography():
    old = "---\nbibliography: refs.bib\n---\n(Chen et al., 2021a)\n"
    new = old.replace("refs.bib", "other.bib")
    assert relint_changed("d.md", old, new, [], "markdown", INDEX, Config()) is None
    tex = "See \\citep{x}.\n\n\\bibliography{refs}\n"
    assert (
        relint_changed("d.tex", tex, tex.replace("refs", "more"), [], "latex", INDEX, Config())
        is None
    )
    far = "---\nbibliography: refs.bib\n---\n\n(Chen et al., 2021a)\n"
    assert relint_changed("d.md", far, far + "More.\n", [], "markdown", INDEX, Config()) is not None


def test_local_analysis_applies_the_configuration_and_skips_code_blocks():
    text = "```\n\n(Roziere et al., 2023)\n\n```\n\n(Roziere et al., 2023)\n"
    in_code = text.index("(Roziere")
    assert (
        local_analysis("d.md", text, "markdown", INDEX, Config(), in_code, in_code).findings == []
    )
    prose = text.rindex("(Roziere")
    found = local_analysis("d.md", text, "markdown", INDEX, Config(), prose, prose).findings
    assert [f.code for f in found] == ["RW005"]
    quiet = Config(severity={"RW005": "info"})
    assert (
        local_analysis("d.md", text, "markdown", INDEX, quiet, prose, prose).findings[0].severity
        == "info"
    )
    assert (
        local_analysis(
            "d.md", text, "markdown", INDEX, Config(ignore=["RW005"]), prose, prose
        ).findings
        == []
    )


# -- edit selection --------------------------------------------------------------------------


def _edit(line: int, start: int, end: int, new_text: str) -> TextEdit:
    return TextEdit(SourceSpan("d.txt", line, start, line, end), new_text)


def test_fixes_are_taken_whole_in_position_order():
    lines = LineIndex("abcdefghij\n")
    first = (_edit(0, 6, 8, "X"),)
    overlapping_pair = (_edit(0, 0, 2, "Y"), _edit(0, 7, 9, "Z"))  # its second edit overlaps
    later = (_edit(0, 9, 10, "W"),)
    chosen = select_fix_edits(lines, [later, overlapping_pair, first])
    # The pair comes first by position; "first" overlaps it and is left out.
    assert [(e.start, e.end, e.new_text) for e in chosen] == [
        (0, 2, "Y"),
        (7, 9, "Z"),
        (9, 10, "W"),
    ]
    assert apply_fixes("abcdefghij\n", [later, overlapping_pair, first]) == "YcdefgZW\n"


def test_two_insertions_at_one_point_keep_only_the_first():
    text = "ab\n"
    fixes = [(_edit(0, 1, 1, "X"),), (_edit(0, 1, 1, "Y"),), (_edit(0, 0, 1, "Z"),)]
    assert apply_fixes(text, fixes) == "ZXb\n"


# -- suppression comments ------------------------------------------------------------------


@pytest.mark.parametrize(
    ("kind", "text", "line", "expected"),
    [
        (
            "markdown",
            "See (Roziere et al., 2023).\n",
            0,
            "See (Roziere et al., 2023). <!-- relwork: ignore RW005 -->\n",
        ),
        (
            "latex",
            "See (Roziere et al., 2023).\nNext\n",
            0,
            "See (Roziere et al., 2023). % relwork: ignore RW005\nNext\n",
        ),
        (
            "text",
            "  See (Roziere et al., 2023).\r\n",
            0,
            "  relwork: ignore RW005\r\n  See (Roziere et al., 2023).\r\n",
        ),
        (
            "markdown",
            "See (Roziere et al., 2023). <!-- relwork: ignore RW203 -->\n",
            0,
            "See (Roziere et al., 2023). <!-- relwork: ignore RW203 RW005 -->\n",
        ),
        (
            "text",
            "relwork: ignore RW203\nSee (Roziere et al., 2023).\n",
            1,
            "relwork: ignore RW203 RW005\nSee (Roziere et al., 2023).\n",
        ),
    ],
)
def test_suppression_edit_silences_the_code_on_its_line(kind, text, line, expected):
    edit = suppression_edit("d", text, kind, line, "RW005")
    fixed = apply_fixes(text, [(edit,)])
    assert fixed == expected
    finding_line = line + (1 if fixed.count("\n") > text.count("\n") else 0)
    finding = Finding("RW005", "m", SourceSpan("d", finding_line, 5, finding_line, 10))
    assert filter_suppressed([finding], {"d": fixed}) == []
    assert filter_suppressed([Finding("RW004", "m", finding.span)], {"d": fixed}) != []


# -- actions, outline, keys ----------------------------------------------------------------


def test_actions_prefer_one_safe_fix_and_offer_ignore_per_code():
    text = "Codex Chen et al. (2021a) and (Roziere et al., 2023).\n"
    found = findings_of(text)
    request = ActionRequest("draft.md", text, "markdown", found, 0, len(text) - 1)
    actions = code_actions(request)
    assert sum(a.preferred for a in actions) == 1
    preferred = next(a for a in actions if a.preferred)
    assert preferred.findings[0].severity == "error"  # the most severe finding's fix
    ignores = [a.title for a in actions if a.title.startswith("Ignore")]
    assert ignores == sorted(ignores, key=lambda t: t) or len(ignores) == len(set(ignores))
    assert {t.split()[1] for t in ignores} == {f.code for f in found}
    assert actions[-1].kind == "source.fixAll"
    assert not any(
        a.title.startswith("Ignore")
        for a in code_actions(ActionRequest("refs.bib", text, None, found, 0, len(text)))
    )
    # Over two lines with the same code on each, the titles say which line.
    two = "(Roziere et al., 2023).\n(Roziere et al., 2023).\n"
    request = ActionRequest("draft.md", two, "markdown", findings_of(two), 0, len(two) - 1)
    titles = [a.title for a in code_actions(request) if a.title.startswith("Ignore")]
    assert titles == ["Ignore RW005 on line 1", "Ignore RW005 on line 2"]


def test_outline_lists_citations_in_document_order_inside_sections():
    text = (
        "\\section{Intro}\nA \\citep{a}.\n\\subsection{Detail}\nB \\citep{b}.\n"
        "Back in detail \\citep{c}.\n\\section{End}\nC \\citep{d}.\n"
    )
    items = outline(text, "latex", extract_citations(text, "latex"))
    assert [i.name for i in items] == ["Intro", "End"]
    intro = items[0]
    assert [(c.kind, c.name) for c in intro.children] == [
        ("citation", "\\citep{a}"),
        ("section", "Detail"),
    ]
    assert [c.name for c in intro.children[1].children] == ["\\citep{b}", "\\citep{c}"]
    flat = outline(
        "No sections (Chen et al., 2021).",
        "text",
        extract_citations("No sections (Chen et al., 2021).", "text"),
    )
    assert [i.kind for i in flat] == ["citation"]


@pytest.mark.parametrize("name", ["", "  ", "a b", "x,y", "k{1}", "50%", "a\tb", 'q"u'])
def test_invalid_keys_are_refused(name):
    with pytest.raises(InvalidKey):
        checked_key(name)


def test_valid_keys_are_kept_trimmed():
    assert checked_key("  chen2021:codex-v2  ") == "chen2021:codex-v2"


def test_unchanged_findings_keep_their_identity():
    text = "(Roziere et al., 2023) and more.\n\nLater (Chen et al., 2021a).\n"
    found = findings_of(text)
    moved = carry_over(found, "draft.md", text, text + "Appended.\n")
    assert all(a is b for a, b in zip(moved, found, strict=True))
    fixed = Finding("RW003", "m", SourceSpan("draft.md", 2, 7, 2, 25), fix=Fix("t", ()))
    assert carry_over([fixed], "draft.md", text, "x" + text)[0].span.line == 2


# -- incremental sync -----------------------------------------------------------------------

_LINE_BREAK = __import__("re").compile(r"\r\n|\r|\n")


def reference_offset(text: str, line: int, character: int) -> int:
    """LSP's model written independently: lines split at \\r\\n, \\r, \\n only; characters
    in UTF-16 code units, clamped to the line."""
    starts = [0] + [m.end() for m in _LINE_BREAK.finditer(text)]
    if line >= len(starts):
        return len(text)
    start = starts[line]
    end = starts[line + 1] if line + 1 < len(starts) else len(text)
    content = _LINE_BREAK.sub("", text[start:end])
    units = 0
    for index, char in enumerate(content):
        width = 2 if ord(char) > 0xFFFF else 1
        if units + width > character:
            return start + index
        units += width
    return start + len(content)


@given(
    st.text(alphabet="ab \n\r\x0c\x1c\x85\u2028\u2029é🙂", max_size=40),
    st.integers(0, 6),
    st.integers(0, 12),
    st.integers(0, 6),
    st.integers(0, 12),
    st.text(alphabet="xy\n\u2028", max_size=4),
)
def test_incremental_changes_follow_lsps_line_model(text, l1, c1, l2, c2, inserted):
    from lsprotocol import types

    from relwork_ls.server.documents import apply_change

    start = reference_offset(text, l1, c1)
    end = max(start, reference_offset(text, l2, c2))
    change = types.TextDocumentContentChangePartial(
        range=types.Range(
            start=types.Position(line=l1, character=c1), end=types.Position(line=l2, character=c2)
        ),
        text=inserted,
    )
    assert apply_change(text, change, "utf-16") == text[:start] + inserted + text[end:]


# -- completion ------------------------------------------------------------------------------


def _many_attention_titles():
    rows = [
        f"@article{{a{i}, author = {{Aaron{i}, A.}}, title = {{Selective attention in task {i}}}, year = {{2001}}}}"
        for i in range(80)
    ]
    rows.append(
        "@article{vaswani2017, author = {Vaswani, Ashish and Shazeer, Noam and Parmar, Niki},"
        " title = {Attention Is All You Need}, year = {2017}}"
    )
    rows.append(
        "@article{chen2021, author = {Chen, Mark and Tworek, J.}, title = {Codex}, year = {2021}}"
    )
    rows.append(
        "@article{zhang2020, author = {Zhang, Wei and Chen, Li}, title = {Other}, year = {2020}}"
    )
    return bib("\n".join(rows))


def test_completion_ranks_by_relevance_not_the_alphabet():
    from relwork_ls.editor.completion import CompletionTable, completion_context

    table = CompletionTable(_many_attention_titles())
    context = completion_context("See (Attention", 0, "markdown")
    found, incomplete = table.candidates(context)
    assert found[0].entry.key == "vaswani2017" and incomplete  # 81 titles hold the word
    context = completion_context("(chen", 0, "text")  # lower case inside a parenthetical
    assert context is not None and context.prefix == "chen"
    keys = [c.entry.key for c in table.candidates(context)[0]]
    assert keys[:2] == ["chen2021", "zhang2020"]  # first author first, then a co-author
    by_title = table.candidates(completion_context("(Attention is", 0, "text"))[0]
    assert [c.entry.key for c in by_title] == ["vaswani2017"]


@pytest.mark.parametrize(
    ("line", "expected"),
    [
        ("The ", None),
        ("In ", None),
        ("This work", None),
        ("As shown by Chen", "Chen"),
        ("(The", "The"),
        ("(Xu et al., 20", "Xu et al., 20"),
        ("Also (", ""),
    ],
)
def test_completion_context_in_prose(line, expected):
    from relwork_ls.editor.completion import completion_context

    context = completion_context(line, 0, "text")
    assert (context.prefix if context is not None else None) == expected


def test_completion_detail_renders_tex_math():
    from relwork_ls.editor.completion import display_title

    assert (
        display_title("$\\alpha$-tuning with $O(n \\log n)$ steps")
        == "α-tuning with O(n log n) steps"
    )
    assert display_title("Plain “quoted” title") == "Plain “quoted” title"


def test_typing_prose_in_a_paragraph_whose_works_are_cited_elsewhere_needs_no_full_analysis():
    prose = "Plain words here, and a sentence long enough to keep the citation away. "
    paragraph = prose + "And more words. (Xu et al., 2023b; Xu et al., 2023) then.\n\n"
    old = paragraph * 3
    key = lambda f: (f.span, f.code, f.message, f.fix)  # noqa: E731
    # A word typed far from any citation: the findings move, nothing is resolved again.
    new = "Some " + old
    relinted = relint_changed("draft.md", old, new, findings_of(old), "markdown", INDEX, Config())
    assert relinted is not None
    assert sorted(map(key, relinted), key=repr) == sorted(map(key, findings_of(new)), key=repr)
    # Right before a citation ("Codex Xu et al. (2023b)" would read as a glued name) or on
    # a citation, the group cited in the other paragraphs needs the whole document.
    near = old.replace("then.", "then Codex Xu et al. (2023a).", 1)
    assert (
        relint_changed("draft.md", old, near, findings_of(old), "markdown", INDEX, Config()) is None
    )
    # A suppression comment typed on the line: recomputed too.
    ignore = old.replace("And more words.", "And more words. <!-- relwork: ignore RW002 -->", 1)
    assert (
        relint_changed("draft.md", old, ignore, findings_of(old), "markdown", INDEX, Config())
        is None
    )


def test_document_tables_share_search_data_and_keep_their_own_labels():
    from relwork_ls.citations.cited_set import CitedEvidence
    from relwork_ls.citations.resolution import document_labels
    from relwork_ls.editor.completion import CompletionTable, completion_context

    # One document cites both Xu 2023 works (2023a/2023b), another only Canwen Xu's: no
    # suffix there. Completion offers each document its own label.
    both = document_labels(INDEX, CitedEvidence(known=("xu2023a", "xu2023b")))
    one = document_labels(INDEX, CitedEvidence(known=("xu2023b",)))
    first = CompletionTable(both)
    second = CompletionTable(one, first)
    assert second.search is first.search  # built once per bibliography
    context = completion_context("(Xu et al., 20", 0, "markdown")
    assert {c.label for c in first.candidates(context)[0]} == {
        "Xu et al., 2023a",
        "Xu et al., 2023b",
    }
    assert "Xu et al., 2023" in {c.label for c in second.candidates(context)[0]}
    typed = completion_context("(Xu et al., 2023b", 0, "markdown")
    assert [c.entry.key for c in first.candidates(typed)[0]] == ["xu2023b"]


XU_REFS = (
    "@article{xu2023a, author={Xu, Can and Sun, Q. and Zheng, K.}, title={W}, year={2023}}\n"
    "@article{xu2023b, author={Xu, Canwen and Guo, D. and Duan, N.}, title={B}, year={2023}}\n"
)


def large_draft(folder: Path, last: str, refs: str = XU_REFS) -> tuple[RootSession, Path, str]:
    """A session on ``folder`` and a draft over INCREMENTAL_CHARACTERS: one paragraph citing
    "(Xu et al., 2023a)" again and again, then ``last``."""
    (folder / "refs.bib").write_text(refs)
    paragraph = "Plain words to keep the citations apart, " * 3 + "(Xu et al., 2023a).\n\n"
    text = paragraph * (INCREMENTAL_CHARACTERS // len(paragraph) + 1) + last
    draft = folder / "d.md"
    draft.write_text(text)
    config, _ = build_config(folder, {})
    return RootSession(folder, config), draft, text


def test_an_edit_to_a_large_draft_is_relinted_around_the_edit(tmp_path):
    session, draft, text = large_draft(tmp_path, "(Xu et al., 2023c)\n")
    first = session.lint(Snapshot.of({draft: DocumentText(text, 1)}))
    assert not first.files[draft].incremental
    edited = "Some " + text
    second = session.lint(
        Snapshot.of({draft: DocumentText(edited, 2)}), drafts=[draft], previous=first.files
    )
    result = second.files[draft]
    assert result.incremental and result.version == 2
    codes = sorted(f.code for f in result.findings)
    assert codes == sorted(f.code for f in first.files[draft].findings) and codes


def test_an_edit_to_a_citation_of_a_group_cited_all_over_a_large_draft(tmp_path):
    lee = "@article{lee2020, author={Lee, Kim}, title={L}, year={2020}}\n"
    session, draft, text = large_draft(tmp_path, "(Lee, 2020) last.\n", XU_REFS + lee)
    config = session.config
    first = session.lint(Snapshot.of({draft: DocumentText(text, 1)}))
    # The last paragraph now cites the group too, with the other suffix: every "2023a"
    # elsewhere is still right, and the group's works are told apart.
    edited = text.replace("(Lee, 2020) last.", "(Xu et al., 2023b) last.")
    second = session.lint(
        Snapshot.of({draft: DocumentText(edited, 2)}), drafts=[draft], previous=first.files
    )
    assert second.files[draft].incremental
    # Then one "2023a" loses its letter: it needs one again (RW002), the others stand.
    again = edited.replace("(Xu et al., 2023a).", "(Xu et al., 2023).", 1)
    third = session.lint(
        Snapshot.of({draft: DocumentText(again, 3)}), drafts=[draft], previous=second.files
    )
    assert third.files[draft].incremental
    full = RootSession(tmp_path, config).lint(Snapshot.of({draft: DocumentText(again, 3)}))
    local = lambda result: sorted(  # noqa: E731
        (f.span, f.code, f.message) for f in result.findings if f.code in LOCAL_CODES
    )
    assert local(third.files[draft]) == local(full.files[draft])
    assert [f.code for f in third.files[draft].findings if f.code in LOCAL_CODES] == ["RW002"]


# Label groups cited in several paragraphs, works that may belong to two groups ("Chen et
# al., 2021" is Chen, Tworek and Jun or Chen, Li and Wu), keyed citations of group members
# (one with its key's case wrong), a work missing from the bibliography.
GROUPS_INDEX = bib(
    r"""
    @article{chen2021codex, author = {Chen, Mark and Tworek, J. and Jun, H.}, title = {Codex}, year = {2021}}
    @article{chen2021b, author = {Chen, Mark and Tworek, J. and Jun, H. and Li, A.}, title = {Codex two}, year = {2021}}
    @article{chen2021c, author = {Chen, Mia and Li, Bo and Wu, C.}, title = {Other Chen}, year = {2021}}
    @article{chen2021d, author = {Chen, Mark and Tworek, Jerry}, title = {Two authors}, year = {2021}}
    @article{xu2023a, author = {Xu, Can and Sun, Q. and Zheng, K.}, title = {WizardLM}, year = {2023}}
    @article{xu2023b, author = {Xu, Canwen and Guo, D. and Duan, N.}, title = {Baize}, year = {2023}}
    @article{xu2023c, author = {Xu, Can and Sun, Q.}, title = {Two Xus}, year = {2023}}
    @article{lee2020, author = {Lee, Kim}, title = {Lee}, year = {2020}}
    """
)
GROUP_PIECES = [
    "(Chen et al., 2021a) ",
    "(Chen et al., 2021b) ",
    "(Chen et al., 2021) ",
    "(Chen and Tworek, 2021) ",
    "(Xu et al., 2023) ",
    "(Xu et al., 2023a; Lee, 2020; Xu et al., 2023b) ",
    "(Xu and Sun, 2023) ",
    "Xu et al. (2023c) ",
    "[@xu2023b] ",
    "[@Chen2021codex] ",
    "(Lee, 2020b) ",
    "(Nobody et al., 1999) ",
    "words ",
    "\n\n",
]
group_documents = st.lists(st.sampled_from(GROUP_PIECES), min_size=1, max_size=30).map("".join)


def full_findings(text: str, kind: str = "markdown"):
    """A whole document's findings (``LOCAL_CODES``) and the view it was resolved with."""
    path = "draft.md"
    resolution = resolve_citations(path, text, extract_citations(text, kind), GROUPS_INDEX)
    document = Document(path, text, kind)
    found = resolution.findings + style_findings(document, resolution.works, resolution.index)
    found = filter_suppressed([f for f in found if f.code in LOCAL_CODES], {path: text})
    return found, resolution.index


@st.composite
def group_edits(draw):
    text = draw(group_documents)
    start = draw(st.integers(0, len(text)))
    end = draw(st.integers(start, min(len(text), start + 30)))
    return text, text[:start] + draw(st.sampled_from(GROUP_PIECES + ["", "x", "b", ")"])) + text[
        end:
    ]


@settings(max_examples=400, deadline=None)
@given(group_edits())
def test_relint_of_label_groups_cited_elsewhere_equals_a_full_analysis(edit):
    old, new = edit
    before, view = full_findings(old)
    relinted = relint_changed(
        "draft.md", old, new, before, "markdown", view, Config(), whole_document=True
    )
    if relinted is None:
        assert _near_structure(old, new)
        return
    key = lambda f: (f.span, f.code, f.message, f.fix)  # noqa: E731
    after, _ = full_findings(new)
    assert sorted(map(key, relinted), key=repr) == sorted(map(key, after), key=repr)


@pytest.mark.parametrize(
    ("old", "new"),
    [
        # A keyed citation deleted: the group's cited set loses a member, so the label
        # written elsewhere no longer needs a suffix (RW002 goes).
        (
            "\\citep{xu2023a} \\citep{xu2023b} words\n\n(Xu et al., 2023) more\n",
            "\\citep{xu2023a} words\n\n(Xu et al., 2023) more\n",
        ),
        # A second work of the group cited: the unsuffixed label elsewhere now needs one.
        (
            "(Lee, 2020) words\n\n(Xu et al., 2023) more\n",
            "(Xu et al., 2023b) words\n\n(Xu et al., 2023) more\n",
        ),
        # A citation of two groups elsewhere ties Lee's group to Xu's.
        (
            "(Xu et al., 2023a) x\n\n(Xu et al., 2023b; Lee, 2020b) y\n\n(Lee, 2020) z\n",
            "(Xu et al., 2023) x\n\n(Xu et al., 2023b; Lee, 2020b) y\n\n(Lee, 2020) z\n",
        ),
    ],
)
def test_relint_of_shared_label_groups_on_known_cases(old, new):
    kind = "latex" if "\\citep" in old else "markdown"
    before, view = full_findings(old, kind)
    relinted = relint_changed(
        "draft.md", old, new, before, kind, view, Config(), whole_document=True
    )
    assert relinted is not None
    key = lambda f: (f.span, f.code, f.message, f.fix)  # noqa: E731
    after, _ = full_findings(new, kind)
    assert sorted(map(key, relinted), key=repr) == sorted(map(key, after), key=repr)
    assert {f.code for f in after} != {f.code for f in before}  # the edit mattered

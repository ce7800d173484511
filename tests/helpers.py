"""Small builders for inline test documents."""

from __future__ import annotations

import textwrap

from relwork_ls.bibliography.files import bibliography_from_text
from relwork_ls.bibliography.labels import LabelOptions
from relwork_ls.citations.documents import extract_citations
from relwork_ls.citations.model import Citation
from relwork_ls.citations.resolution import CitationIndex, resolve_citations
from relwork_ls.findings import Finding


def bib(source: str, path: str = "refs.bib") -> CitationIndex:
    """A label index over inline .bib (or .json) source."""
    return CitationIndex(bibliography_from_text(textwrap.dedent(source), path), LabelOptions())


def lint_text(text: str, index: CitationIndex, kind: str = "text") -> list[Finding]:
    citations: list[Citation] = extract_citations(text, kind)
    return resolve_citations("draft.txt", text, citations, index).findings


def codes(findings: list[Finding]) -> list[str]:
    return [f.code for f in findings]


def answer_refresh_requests(client) -> list[str]:
    """Answer the server's ``workspace/codeLens/refresh`` and ``workspace/inlayHint/refresh``
    as an editor does (pytest-lsp's recorded capabilities claim support for them); returns
    the list the methods asked are appended to."""
    from lsprotocol import types

    asked: list[str] = []

    @client.feature(types.WORKSPACE_CODE_LENS_REFRESH)
    def code_lens_refresh(params: None) -> None:
        asked.append(types.WORKSPACE_CODE_LENS_REFRESH)

    @client.feature(types.WORKSPACE_INLAY_HINT_REFRESH)
    def inlay_hint_refresh(params: None) -> None:
        asked.append(types.WORKSPACE_INLAY_HINT_REFRESH)

    return asked

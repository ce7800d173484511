"""Workspace fixtures in texlab's style: several files inline (``%! name``), findings marked
under the line they are on (``^^^ RW003``), a cursor marked with ``|``. Each fixture's
*complete* set of findings is compared — from ``lint`` and from the language server's
diagnostics — so a missing or an extra finding fails."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path

import pytest
import pytest_asyncio
from lsprotocol import types
from pytest_lsp import client_capabilities
from server_harness import InProcessClient

from relwork_ls.config import load_config
from relwork_ls.lint.run import lint_paths
from relwork_ls.lint.workspace import Workspace

_MARKER = re.compile(r"^\s*(\^+)\s+(RW\d{3})\s*$")


@dataclass
class Fixture:
    files: dict[str, str]
    expected: set[tuple[str, int, int, int, str]] = field(default_factory=set)
    cursor: tuple[str, int, int] | None = None  # file, line, column

    def write(self, root: Path) -> None:
        for name, text in self.files.items():
            path = root / name
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(text, encoding="utf-8")


def parse_fixture(source: str) -> Fixture:
    """Split ``%! name`` sections; marker lines (carets and a code) annotate the content line
    above them and are removed; ``|`` marks the cursor and is removed."""
    fixture = Fixture({})
    name = None
    lines: list[str] = []

    def flush() -> None:
        if name is not None:
            fixture.files[name] = "\n".join(lines) + "\n"

    for raw in source.strip("\n").split("\n"):
        if raw.startswith("%! "):
            flush()
            name, lines = raw[3:].strip(), []
            continue
        marker = _MARKER.match(raw)
        if marker:
            start = marker.start(1)
            end = marker.end(1)
            fixture.expected.add((name, len(lines) - 1, start, end, marker.group(2)))
            continue
        if "|" in raw and fixture.cursor is None and not name.endswith(".bib"):
            fixture.cursor = (name, len(lines), raw.index("|"))
            raw = raw.replace("|", "", 1)
        lines.append(raw)
    flush()
    return fixture


REFS = r"""%! refs.bib
@article{chen2021codex, author = {Chen, Mark and Tworek, Jerry and Jun, Heewoo},
  title = {Evaluating Large Language Models Trained on Code}, year = {2021}}
@article{roziere2023, author = {Rozi{\`e}re, Baptiste and Gehring, Jonas and Gloeckle, Fabian},
  title = {Code {Llama}}, year = {2023}}
@article{liu2021, author = {Liu, Pengfei and Wan, Xiaojun}, title = {Pair}, year = {2021}}
@article{xu2023wizard, author = {Xu, Can and Sun, Q. and Zheng, K.}, title = {WizardLM}, year = {2023}}
@article{xu2023baize, author = {Xu, Canwen and Guo, D. and Duan, N.}, title = {Baize}, year = {2023}}
@article{touvron2023, author = {Touvron, Hugo and Lavril, T. and Izacard, G.}, title = {LLaMA}, year = {2023}}
%! relwork.toml
bibliographies = ["refs.bib"]
unused_entries = false
"""

FIXTURES = {
    "resolution": REFS
    + r"""%! draft.md
# Related

Codex (Chen et al., 2021a) and Llama (Roziere et al., 2023).
       ^^^^^^^^^^^^^^^^^^ RW003
                                      ^^^^^^^^^^^^^^ RW005
Pairs (Liu et al., 2021) and (Touvron et al., 2022) and (Xu et al., 2023).
       ^^^^^^^^^^^^^^^^ RW004
                              ^^^^^^^^^^^^^^^^^^^^ RW006
                                                         ^^^^^^^^^^^^^^^ RW002
Unknown (Nobody et al., 1999) but (Xu et al., 2023a) is fine.
         ^^^^^^^^^^^^^^^^^^^ RW001
""",
    "keys and suppression": REFS
    + r"""%! paper.tex
See \citep{Chen2021Codex} and \citet{chen2021codx}.
           ^^^^^^^^^^^^^ RW008
                                     ^^^^^^^^^^^^ RW007
% relwork: ignore RW003
Codex (Chen et al., 2021a) is silenced.
Llama (Roziere et al., 2023) too. % relwork: ignore RW005
\bibliography{refs}
""",
    "style": REFS
    + r"""%! notes.txt
Codex Chen et al. (2021) wrote it.
      ^^^^^^^^^^^^^^^^^^ RW203
Both (Xu et al., 2023b; Liu and Wan, 2021; Xu et al., 2023a).
                                           ^^^^^^^^^^^^^^^^ RW202
""",
    "subfolder bibliography without configuration": r"""%! bib/refs.bib
@article{chen2021codex, author = {Chen, Mark and Tworek, Jerry and Jun, Heewoo},
  title = {Evaluating Large Language Models Trained on Code}, year = {2021}}
%! draft.md
Codex (Chen et al., 2021a).
       ^^^^^^^^^^^^^^^^^^ RW003
""",
}


def lint_findings(root: Path) -> set[tuple[str, int, int, int, str]]:
    config_file = root / "relwork.toml"
    workspace = Workspace(load_config(config_file)) if config_file.exists() else None
    if workspace is None:
        from relwork_ls.config import Config

        workspace = Workspace(Config(root=root))
    result = lint_paths([root], workspace)
    found = set()
    for f in result.findings:
        assert f.span.line == f.span.end_line, f
        name = Path(f.span.path).relative_to(root).as_posix()
        found.add((name, f.span.line, f.span.column, f.span.end_column, f.code))
    return found


def test_fixture_parser():
    fixture = parse_fixture("%! a.md\nab (X|, 2020)\n   ^^^^^^^^^^ RW001\n")
    assert fixture.files == {"a.md": "ab (X, 2020)\n"}
    assert fixture.expected == {("a.md", 0, 3, 13, "RW001")}
    assert fixture.cursor == ("a.md", 0, 5)


@pytest.mark.parametrize("name", sorted(FIXTURES))
def test_lint_reports_exactly_the_marked_findings(tmp_path, name):
    fixture = parse_fixture(FIXTURES[name])
    fixture.write(tmp_path)
    assert lint_findings(tmp_path) == fixture.expected


@pytest_asyncio.fixture
async def server():
    client = InProcessClient()
    yield client
    client.shutdown()


@pytest.mark.asyncio
@pytest.mark.parametrize("profile", ["visual_studio_code", "neovim"])
@pytest.mark.parametrize("name", sorted(FIXTURES))
async def test_server_diagnostics_are_exactly_the_marked_findings(server, tmp_path, name, profile):
    fixture = parse_fixture(FIXTURES[name])
    fixture.write(tmp_path)
    await server.initialize(tmp_path.as_uri(), client_capabilities(profile))
    await server.settle()
    for file_name, text in fixture.files.items():
        if file_name.endswith((".md", ".tex", ".txt")):
            server.open((tmp_path / file_name).as_uri(), text)
    await server.settle()
    found = set()
    for file_name in fixture.files:
        published = server.published((tmp_path / file_name).as_uri())
        for item in published["diagnostics"] if published else []:
            start, end = item["range"]["start"], item["range"]["end"]
            assert start["line"] == end["line"]
            found.add(
                (file_name, start["line"], start["character"], end["character"], item["code"])
            )
    assert found == fixture.expected


HOVER = (
    REFS
    + r"""%! draft.md
Llama (Roz|iere et al., 2023) and Codex (Chen et al., 2021).
"""
)


@pytest.mark.asyncio
async def test_hover_and_definition_at_the_cursor(server, tmp_path):
    fixture = parse_fixture(HOVER)
    fixture.write(tmp_path)
    await server.initialize(tmp_path.as_uri(), client_capabilities("neovim"))
    name, line, column = fixture.cursor
    uri = (tmp_path / name).as_uri()
    server.open(uri, fixture.files[name])
    await server.settle()
    position = types.Position(line=line, character=column)
    document = types.TextDocumentIdentifier(uri=uri)
    hover = await server.request(
        types.TEXT_DOCUMENT_HOVER, types.HoverParams(text_document=document, position=position)
    )
    assert "Code Llama" in hover["contents"]["value"] and "RW005" in hover["contents"]["value"]
    location = await server.request(
        types.TEXT_DOCUMENT_DEFINITION,
        types.DefinitionParams(text_document=document, position=position),
    )
    assert (
        location["uri"] == (tmp_path / "refs.bib").as_uri()
        and location["range"]["start"]["line"] == 2
    )

"""SARIF output is valid SARIF 2.1.0: checked against the schema (vendored in tests/sarif
with its licence) including string formats, with percent-encoded artifact URIs, the
column kind, full rule descriptions, and internal errors as tool notifications."""

from __future__ import annotations

import json
from pathlib import Path
from urllib.parse import unquote

import pytest
from jsonschema import Draft4Validator, FormatChecker

from relwork_ls.cli import main
from relwork_ls.findings import CODES
from relwork_ls.lint.reports import DESCRIPTIONS, artifact_uri

SCHEMA = json.loads(
    (Path(__file__).parent / "sarif" / "sarif-2.1.0-rtm.5.json").read_text(encoding="utf-8")
)
REFS = "@article{chen2021, author={Chen, Mark and Tworek, Jerry and Jun, Heewoo}, year={2021}, title={Codex}}\n"


def validate(log: dict) -> None:
    checker = FormatChecker()
    # The format checks must really run, or the validation proves little.
    assert not checker.conforms("a b.md", "uri-reference")
    assert not checker.conforms("not a uri", "uri")
    Draft4Validator(SCHEMA, format_checker=checker).validate(log)


@pytest.fixture
def awkward(tmp_path: Path) -> Path:
    """Drafts whose names need percent-encoding: a space, a '#', non-ASCII letters."""
    folder = tmp_path / "my drafts"
    folder.mkdir()
    (folder / "refs.bib").write_text(REFS + "@article{broken, title={x}\n")
    (folder / "draft #1.md").write_text("Codex (Chen et al., 2021a).\n")
    (folder / "Müller – Übersicht.txt").write_text("Codex (Chen et al., 2021b) (Chen, 2021).\n")
    return folder


def sarif_of(capsys, *args: str) -> dict:
    status = main(["lint", *args, "--format", "sarif"])
    out = capsys.readouterr().out
    assert status in (1, 3), status
    return json.loads(out)


def test_report_is_valid_against_the_schema_with_formats(awkward, capsys, monkeypatch):
    monkeypatch.chdir(awkward.parent)
    log = sarif_of(capsys, "my drafts")
    validate(log)
    run = log["runs"][0]
    assert run["columnKind"] == "unicodeCodePoints"
    uris = {
        result["locations"][0]["physicalLocation"]["artifactLocation"]["uri"]
        for result in run["results"]
    }
    assert uris == {
        "my%20drafts/draft%20%231.md",
        "my%20drafts/M%C3%BCller%20%E2%80%93%20%C3%9Cbersicht.txt",
        "my%20drafts/refs.bib",
    }
    # Each URI, resolved against %SRCROOT%, names the file.
    root = run["originalUriBaseIds"]["%SRCROOT%"]["uri"]
    assert root == awkward.parent.as_uri() + "/"
    for uri in uris:
        assert (awkward.parent / unquote(uri)).is_file()


def test_rules_have_full_descriptions_and_help(awkward, capsys, monkeypatch):
    monkeypatch.chdir(awkward)
    rules = sarif_of(capsys, ".")["runs"][0]["tool"]["driver"]["rules"]
    assert [rule["id"] for rule in rules] == sorted(CODES)
    for rule in rules:
        assert rule["fullDescription"]["text"] == DESCRIPTIONS[rule["id"]]
        assert rule["helpUri"].startswith("https://")
        assert rule["help"]["text"]


def test_every_code_has_a_description():
    assert set(DESCRIPTIONS) == set(CODES)


def test_artifact_uri_encoding(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    assert artifact_uri(str(tmp_path / "a b" / "x#y%z.md")) == "a%20b/x%23y%25z.md"
    assert artifact_uri("relative/ü.md") == "relative/%C3%BC.md"


def test_internal_error_is_a_tool_execution_notification(awkward, capsys, monkeypatch):
    import relwork_ls.lint.run as run_module

    original = run_module.style_findings

    def failing(document, *args, **kwargs):
        if document.path.endswith(".txt"):
            raise ValueError("a bug in a check")
        return original(document, *args, **kwargs)

    monkeypatch.setattr(run_module, "style_findings", failing)
    monkeypatch.chdir(awkward)
    log = sarif_of(capsys, ".")
    validate(log)
    invocation = log["runs"][0]["invocations"][0]
    assert invocation["executionSuccessful"] is False
    [notification] = invocation["toolExecutionNotifications"]
    assert notification["level"] == "error"
    assert "ValueError: a bug in a check" in notification["message"]["text"]
    location = notification["locations"][0]["physicalLocation"]["artifactLocation"]["uri"]
    assert unquote(location) == "Müller – Übersicht.txt"
    # The other draft was still checked.
    results = log["runs"][0]["results"]
    assert any(r["ruleId"] == "RW003" and "draft" in str(r["locations"]) for r in results)


def test_clean_run_is_valid_and_successful(tmp_path, capsys, monkeypatch):
    (tmp_path / "refs.bib").write_text(REFS)
    (tmp_path / "d.md").write_text("Codex (Chen et al., 2021).\n")
    monkeypatch.chdir(tmp_path)
    assert main(["lint", ".", "--format", "sarif"]) == 0
    log = json.loads(capsys.readouterr().out)
    validate(log)
    assert log["runs"][0]["results"] == []
    assert log["runs"][0]["invocations"][0]["executionSuccessful"] is True

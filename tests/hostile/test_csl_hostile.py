"""Hostile CSL-JSON (issue 10): wrong types, 100,000-deep nesting, a 100,000-digit number
and a 100 MB file each end in a finding within 5 s and 500 MB, never a traceback."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from measured_run import Measured, run_measured

pytestmark = pytest.mark.slow

CHEN = {"family": "Chen", "given": "Mark"}
TWOREK = {"family": "Tworek", "given": "Jerry"}


def _lint(root: Path, bibliography: str, draft: str, *extra: str) -> Measured:
    (root / "draft.md").write_text(draft, encoding="utf-8")
    measured = run_measured(["lint", "--bib", bibliography, *extra, "draft.md"], root)
    assert measured.within_bounds(), measured.describe()
    assert "Traceback" not in measured.stderr, measured.stderr
    return measured


def _lines(measured: Measured, code: str) -> list[str]:
    return [line for line in measured.stdout.splitlines() if f" {code} " in line]


def test_wrong_types_are_findings_and_the_rest_still_loads(tmp_path):
    items = [
        {"id": "null-author", "author": None, "issued": {"date-parts": [[2019]]}},
        {"id": "string-author", "author": "Chen, Mark", "issued": {"date-parts": [[2018]]}},
        {"id": "flat-date", "author": [CHEN, TWOREK], "issued": {"date-parts": [2021]}},
        {"id": "list-family", "author": [{"family": ["Chen"]}], "issued": "2017"},
        {"id": "object-title", "title": {"text": "x"}, "author": [CHEN]},
        {"id": "number-title", "title": 42, "editor": {"family": "Chen"}},
        {"id": "bad-year", "author": [TWOREK], "issued": {"date-parts": [["soon"]]}},
        {"id": 7, "author": [{"family": True}]},
        ["not", "an", "item"],
    ]
    (tmp_path / "refs.json").write_text(json.dumps(items))
    measured = _lint(tmp_path, "refs.json", "Codex (Chen and Tworek, 2021) writes code.\n")
    assert measured.returncode == 1
    wrong = "\n".join(_lines(measured, "RW016"))
    for field in (
        "'null-author': 'author' is null",
        "'string-author': 'author' is a string",
        "'flat-date': 'issued.date-parts' is a list",
        "'list-family': 'author[0].family' is a list",
        "'list-family': 'issued' is a string",
        "'object-title': 'title' is an object",
        "'number-title': 'editor' is an object",
        "'bad-year': 'issued.date-parts[0][0]' is a string",
        "'7': 'author[0].family' is a boolean",
    ):
        assert field in wrong, (field, wrong)
    assert "CSL-JSON item 9 is not an object; skipped" in measured.stdout
    # The flat date still gives the year: the citation resolves, nothing else is reported.
    assert "draft.md" not in measured.stdout


@pytest.mark.parametrize(
    "source",
    ["[" * 100_000 + "]" * 100_000, '{"a":' * 100_000 + "1" + "}" * 100_000],
    ids=["arrays", "objects"],
)
def test_nesting_100000_deep_is_a_syntax_finding(tmp_path, source):
    (tmp_path / "refs.json").write_text(source)
    measured = _lint(tmp_path, "refs.json", "[@a]\n")
    assert "refs.json:1:1: RW303 error CSL-JSON nested too deeply" in measured.stdout
    assert "draft.md:1:3: RW007 error undefined citation key 'a'" in measured.stdout


def test_a_100000_digit_number_is_no_year(tmp_path):
    digits = "9" * 100_000
    source = (
        '[{"id": "a", "author": [{"family": "Chen"}], "page": ' + digits + ", "
        '"issued": {"date-parts": [[' + digits + "]]}}]"
    )
    (tmp_path / "refs.json").write_text(source)
    measured = _lint(tmp_path, "refs.json", "[@a]\n")
    assert _lines(measured, "RW016") and "'issued.date-parts[0][0]' is a number" in (
        measured.stdout
    )
    assert "RW007" not in measured.stdout  # the item itself loaded


def _write_large_csl(path: Path, megabytes: int) -> None:
    item = (
        '{"id": "k%d", "type": "article-journal", "title": "%s", '
        '"author": [{"family": "Chen", "given": "Mark"}], "issued": {"date-parts": [[2021]]}}'
    )
    padding = "x" * 300
    count = megabytes * 1024 * 1024 // (len(item) + len(padding))
    with path.open("w") as out:  # one line, as minified exports are
        out.write("[" + ",".join(item % (i, padding) for i in range(count)) + "]")


def test_100_mb_file_is_skipped_with_a_finding_naming_the_limit(tmp_path):
    _write_large_csl(tmp_path / "refs.json", 100)
    (tmp_path / "relwork.toml").write_text('bibliographies = ["refs.json"]\n')
    (tmp_path / "draft.md").write_text("[@k1]\n")
    measured = run_measured(["lint", "draft.md"], tmp_path)
    assert measured.within_bounds(), measured.describe()
    assert re.match(
        r"refs\.json:1:1: RW011 warning skipped refs\.json: too large \(10\d MB; the limit "
        r"is 50 MB, set by max_file_size_mb\)\n\Z",
        measured.stdout,
    ), measured.stdout


def test_the_size_limit_is_configurable(tmp_path):
    _write_large_csl(tmp_path / "refs.json", 3)
    (tmp_path / "draft.md").write_text("[@k1] and [@k2]\n")
    (tmp_path / "relwork.toml").write_text(
        'bibliographies = ["refs.json"]\nmax_file_size_mb = 2\nunused_entries = false\n'
    )
    measured = run_measured(["lint", "draft.md"], tmp_path)
    assert measured.within_bounds(), measured.describe()
    assert "the limit is 2 MB" in measured.stdout
    (tmp_path / "relwork.toml").write_text(
        'bibliographies = ["refs.json"]\nmax_file_size_mb = 4\nunused_entries = false\n'
    )
    measured = run_measured(["lint", "draft.md"], tmp_path)
    assert measured.within_bounds(), measured.describe()
    assert "RW011" not in measured.stdout and "RW007" not in measured.stdout

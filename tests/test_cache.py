"""The cache of parsed bibliographies: same results warm as cold, safe when damaged,
hostile or shared by concurrent runs, never across versions."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import textwrap
from array import array
from pathlib import Path

import pytest

from relwork_ls.bibliography import cache as cache_module
from relwork_ls.bibliography import files, work_identity
from relwork_ls.bibliography.cache import (
    CACHE_DIR_NAME,
    BibliographyCache,
    code_fingerprint,
    open_cache,
)
from relwork_ls.bibliography.files import load_bibliography
from relwork_ls.bibliography.labels import LabelOptions, label_basis
from relwork_ls.bibliography.work_identity import work_identities
from relwork_ls.citations.index import CitationIndex
from relwork_ls.cli import main
from relwork_ls.config import Config, load_config
from relwork_ls.lint.workspace import Workspace

ROOT = Path(__file__).resolve().parents[1]
NATBIB = LabelOptions()
IGNORE_CACHE = shutil.ignore_patterns(CACHE_DIR_NAME)

# Names with particles, accents, braces and "others"; a macro, a duplicate key, a
# repeated field, an unbalanced entry: what loading has to keep besides entries.
REFS = textwrap.dedent(
    """\
    @string{acl = {Proc. of ACL}}
    @inproceedings{chen2023a, author = {Chen, Mark and van der Berg, Jan and others},
      title = {Code {Llama}: Open {Foundation} Models}, booktitle = acl # { 2023}, year = 2023,
      doi = {10.18653/v1/2023.acl-long.1}}
    @article{chen2023b, author = {Mark Chen and Jerry Tworek}, title = {Evaluating {LLM}s},
      journal = {arXiv}, year = {2023}}
    @book{roziere, author = {Rozi{\\`e}re, Baptiste and {\\O}stergaard, Jr., P.},
      editor = {{OpenAI}}, title = {Caf{\\'e} Stra{\\ss}e}, year = {2021}, year = {2020}}
    @misc{chen2023a, title = {Duplicate key}}
    @article{broken, title = {Unbalanced
      year = 2020
    }
    @misc{org, key = {OpenAI}, title = {GPT-4 Technical Report}, year = {2023}}
    """
)


@pytest.fixture
def refs(tmp_path: Path) -> Path:
    path = tmp_path / "refs.bib"
    path.write_text(REFS, encoding="utf-8")
    return path


@pytest.fixture
def cache(tmp_path: Path) -> BibliographyCache:
    opened = open_cache(tmp_path)
    assert opened is not None and opened.directory == tmp_path / CACHE_DIR_NAME
    return opened


def snapshot(bib):
    """Everything a loaded bibliography holds, in comparable form."""
    entries = [
        (
            e.key,
            e.entry_type,
            e.fields,
            e.authors,
            e.editors,
            e.span,
            e.source_format,
            e.title,
        )
        for e in bib.entries
    ]
    return entries, bib.problems, bib.paths, bib.bbl_labels, bib.key_aliases


def labels(bib, options=NATBIB):
    index = CitationIndex(bib, options)
    return [(e.key, index.label(e).text()) for e in index.entries_by_key.values()]


def no_parsing(monkeypatch):
    """Make any parse fail: what loads now comes from the cache."""

    def refuse(*_args):
        raise AssertionError("parsed although the cache should have answered")

    monkeypatch.setattr(files, "bibliography_from_text", refuse)


def test_a_warm_load_equals_a_cold_one_without_parsing(refs, cache, monkeypatch):
    cold = load_bibliography(refs)
    stored = load_bibliography(refs, cache=cache, label_options=NATBIB)
    assert cache.file_for(refs).is_file()
    no_parsing(monkeypatch)
    warm = load_bibliography(refs, cache=cache, label_options=NATBIB)
    assert snapshot(warm) == snapshot(cold) == snapshot(stored)
    assert labels(warm) == labels(cold)
    # The label bases came from the cache, equal to computed ones.
    for entry in warm.entries:
        memo = entry.label_memo
        assert memo is not None and memo[0] == NATBIB
        entry.label_memo = None
        fresh = label_basis(entry, NATBIB)
        assert memo[1].sort_key == fresh.sort_key
        assert memo[1].label() == fresh.label()
        assert memo[1].sort_group == fresh.sort_group


def test_every_corpus_bibliography_round_trips(corpus, tmp_path, monkeypatch):
    cache = open_cache(tmp_path)
    assert cache is not None
    paths = [*sorted(corpus.rglob("*.bib")), *sorted(corpus.rglob("*.cache"))]
    paths += [corpus / "qwen-related-work" / "refs_v2.bbl"]
    cold = {p: load_bibliography(p, use_sibling_bbl=False) for p in paths}
    for path in paths:
        load_bibliography(
            path, use_sibling_bbl=False, cache=cache, label_options=NATBIB, with_identities=True
        )
    no_parsing(monkeypatch)
    for path in paths:
        warm = load_bibliography(path, use_sibling_bbl=False, cache=cache, label_options=NATBIB)
        stored = [entry.identity_memo for entry in warm.entries]
        # The first name alone, before the names are made (as duplicate checks ask for it).
        leads = [entry.lead_person() for entry in warm.entries]
        assert snapshot(warm) == snapshot(cold[path]), path.name
        assert labels(warm) == labels(cold[path]), path.name
        expected = [(e.authors or e.editors or (None,))[0] for e in cold[path].entries]
        assert leads == expected, path.name
        assert stored == [fresh_identities(e) for e in cold[path].entries], path.name


def fresh_identities(entry):
    entry.identity_memo = None
    return tuple(work_identities(entry))


def test_work_identities_are_stored_when_computed_and_read_back(refs, cache, monkeypatch):
    # `labels` does not need them: its cache file goes without.
    load_bibliography(refs, cache=cache, label_options=NATBIB)
    assert read_parts(cache.file_for(refs))[0]["identities"] is False
    # A lint does: the next load computes them and stores the file again, with them.
    upgraded = load_bibliography(refs, cache=cache, label_options=NATBIB, with_identities=True)
    assert all(e.identity_memo is not None for e in upgraded.entries)
    assert read_parts(cache.file_for(refs))[0]["identities"] is True
    no_parsing(monkeypatch)
    monkeypatch.setattr(
        work_identity, "work_identities", lambda entry: pytest.fail("computed again")
    )
    warm = load_bibliography(refs, cache=cache, label_options=NATBIB, with_identities=True)
    stored = [e.identity_memo for e in warm.entries]
    monkeypatch.undo()
    assert stored == [fresh_identities(e) for e in warm.entries]
    assert any(len(memo or ()) > 1 for memo in stored)  # arXiv id and title, say
    # A cold load computes them before it stores the file.
    cache.file_for(refs).unlink()
    load_bibliography(refs, cache=cache, label_options=NATBIB, with_identities=True)
    assert read_parts(cache.file_for(refs))[0]["identities"] is True


def test_an_identity_holding_the_separator_is_not_stored(refs, cache):
    bib = load_bibliography(refs)
    for entry in bib.entries:
        entry.identity_memo = ("doi:10.1/a\x1fb",) if entry.key == "roziere" else ()
    data = refs.read_bytes()
    assert cache.store(refs, data, bib, NATBIB)
    assert read_parts(cache.file_for(refs))[0]["identities"] is False
    loaded = cache.load(refs, data, NATBIB)
    assert loaded is not None and all(e.identity_memo is None for e in loaded[0].entries)


def test_another_label_style_is_computed_and_stored(refs, cache, monkeypatch):
    load_bibliography(refs, cache=cache, label_options=NATBIB)
    apalike = LabelOptions("apalike")
    expected = labels(load_bibliography(refs), apalike)
    no_parsing(monkeypatch)
    assert labels(load_bibliography(refs, cache=cache, label_options=apalike), apalike) == (
        expected
    )
    header, _, _ = read_parts(cache.file_for(refs))
    assert header["labels"] == ["apalike", "and"]
    warm = load_bibliography(refs, cache=cache, label_options=apalike)
    assert all(e.label_memo is not None and e.label_memo[0] == apalike for e in warm.entries)


def test_an_edited_file_is_parsed_again(refs, cache):
    load_bibliography(refs, cache=cache, label_options=NATBIB)
    refs.write_text(REFS.replace("Evaluating {LLM}s", "Evaluating Code Models"), "utf-8")
    warm = load_bibliography(refs, cache=cache, label_options=NATBIB)
    assert warm.entries[1].title == "Evaluating Code Models"


MAGIC = b"relwork-ls cache\n"


def read_parts(path: Path) -> tuple[dict, list[int], list[str]]:
    """A cache file's header, integers and strings."""
    payload = path.read_bytes()
    assert payload.startswith(MAGIC)
    end = payload.index(b"\n", len(MAGIC))
    header = json.loads(payload[len(MAGIC) : end])
    numbers = array("q")
    numbers.frombytes(payload[end + 1 : end + 1 + 8 * header["numbers"]])
    strings = payload[end + 1 + 8 * header["numbers"] :].decode("utf-8").split("\x00")
    return header, list(numbers), strings


def write_parts(header: dict, numbers: list[int], strings: list[str]) -> bytes:
    blob = "\x00".join(strings).encode("utf-8", errors="surrogatepass")
    return MAGIC + json.dumps(header).encode() + b"\n" + array("q", numbers).tobytes() + blob


def damaged(good: bytes, path: Path) -> list[tuple[str, bytes]]:
    """Copies of a cache file, each spoiled in one way a disk, a bug or an attacker could
    spoil it: counts that do not add up, numbers out of range, strings missing or split,
    bytes cut or garbled."""
    header, numbers, strings = read_parts(path)
    count = header["entries"]
    counts = numbers[4 * count : 8 * count]  # per entry: fields, authors, editors, parsed
    name_references = sum(counts[1::4]) + sum(counts[2::4])
    first_name = 4 * count + header["field_names"] + header["fields"]

    def spoil(name, change):
        h, n, s = json.loads(json.dumps(header)), list(numbers), list(strings)
        change(h, n, s)
        return name, write_parts(h, n, s)

    spoilt = [
        spoil("entry count too high", lambda h, n, s: h.__setitem__("entries", count + 1)),
        spoil("entry count too low", lambda h, n, s: h.__setitem__("entries", count - 1)),
        spoil("entry count negative", lambda h, n, s: h.__setitem__("entries", -1)),
        spoil("entry count a string", lambda h, n, s: h.__setitem__("entries", str(count))),
        spoil("integer count short", lambda h, n, s: h.__setitem__("numbers", len(n) - 1)),
        spoil("integer count long", lambda h, n, s: h.__setitem__("numbers", len(n) + 1)),
        spoil("a string missing", lambda h, n, s: s.pop()),
        spoil("a string split by NUL", lambda h, n, s: s.__setitem__(5, s[5] + "\x00x")),
        spoil("negative position", lambda h, n, s: n.__setitem__(0, -3)),
        spoil("field count off", lambda h, n, s: n.__setitem__(4 * count, n[4 * count] + 1)),
        spoil("author count off", lambda h, n, s: n.__setitem__(4 * count + 1, 50)),
        spoil("parse flag not 0 or 1", lambda h, n, s: n.__setitem__(4 * count + 3, 2)),
        spoil("field name out of range", lambda h, n, s: n.__setitem__(8 * count, 10**6)),
        spoil("label bases not announced", lambda h, n, s: h.__setitem__("labels", None)),
        spoil(
            "work identities wrongly announced",
            lambda h, n, s: h.__setitem__("identities", not h["identities"]),
        ),
        spoil("identities flag not true or false", lambda h, n, s: h.__setitem__("identities", 1)),
        spoil("problems miscounted", lambda h, n, s: h.__setitem__("problems", 9)),
        spoil("lone surrogate", lambda h, n, s: s.__setitem__(0, "\ud800")),
        spoil("header a list", lambda h, n, s: h.clear()),
        ("truncated", good[: len(good) // 2]),
        ("strings cut mid-character", good + "é".encode()[:1]),
        ("empty", b""),
        ("no header line", MAGIC + b"{"),
        ("header not JSON", MAGIC + b"{nope\n" + good[good.index(b"\n", len(MAGIC)) + 1 :]),
        ("deeply nested header", MAGIC + b"[" * 100_000 + b"]" * 100_000 + b"\n"),
        ("not a cache file", b"\x80\x04\x95pickle?"),
        ("JSON instead", json.dumps({"entries": []}).encode()),
    ]
    if header["names"]:  # stored names (CSL-JSON; BibTeX names are parsed again)
        last = 8 * count + header["fields"] + name_references - 1
        spoilt += [
            spoil("name number out of range", lambda h, n, s: n.__setitem__(last, 10**6)),
            spoil("name without its parts", lambda h, n, s: s.__setitem__(first_name, "Chen")),
        ]
    return spoilt


CSL = [
    {
        "id": "chen2023a",
        "type": "article-journal",
        "title": "Code Llama",
        "author": [
            {"family": "Chen", "given": "Mark"},
            {"family": "Berg", "given": "Jan", "non-dropping-particle": "van der"},
        ],
        "issued": {"date-parts": [[2023]]},
    },
    {
        "id": "openai",
        "type": "report",
        "title": "GPT-4",
        "author": [{"literal": "OpenAI"}],
        "editor": [{"family": "Chen", "given": "Mark"}],
        "issued": {"date-parts": [[2023]]},
    },
]


@pytest.mark.parametrize("kind", ["bib", "json"])
def test_a_damaged_cache_file_is_ignored(kind, refs, cache, monkeypatch):
    if kind == "json":
        refs = refs.with_suffix(".json")
        refs.write_text(json.dumps(CSL), encoding="utf-8")
    expected = snapshot(load_bibliography(refs))
    expected_labels = labels(load_bibliography(refs))
    load_bibliography(refs, cache=cache, label_options=NATBIB)
    target = cache.file_for(refs)
    good = target.read_bytes()
    assert write_parts(*read_parts(target)) == good  # the test's reader reads it right
    spoilt = damaged(good, target)
    assert len(spoilt) == (27 if kind == "bib" else 29)
    for name, payload in spoilt:
        target.write_bytes(payload)
        assert cache.load(refs, refs.read_bytes(), NATBIB) is None, name
        bib = load_bibliography(refs, cache=cache, label_options=NATBIB)
        assert snapshot(bib) == expected, name
        assert labels(bib) == expected_labels, name
        # ... and the file was written again, good this time.
        assert target.read_bytes() == good, name


@pytest.mark.parametrize(
    "item",
    [
        {"id": "nul", "title": "A NUL \u0000 in a title"},
        {"id": "tab", "title": "T", "author": [{"literal": "Name\twith a tab"}]},
        {"id": "surrogate", "title": "A lone \ud800 surrogate"},
    ],
)
def test_what_the_format_cannot_hold_is_not_cached(item, tmp_path, cache):
    path = tmp_path / "refs.json"
    path.write_text(json.dumps([item]), encoding="utf-8")
    expected = snapshot(load_bibliography(path))
    assert snapshot(load_bibliography(path, cache=cache, label_options=NATBIB)) == expected
    assert not cache.file_for(path).exists()
    assert [p.name for p in cache.directory.iterdir()] == [".gitignore"]  # no temporary left


def test_a_cache_written_by_another_version_is_not_used(refs, cache, monkeypatch):
    load_bibliography(refs, cache=cache, label_options=NATBIB)
    monkeypatch.setattr(cache_module, "__version__", "0.0.1")
    other = BibliographyCache(cache.directory, code_fingerprint())
    assert other.fingerprint != cache.fingerprint
    assert other.load(refs, refs.read_bytes(), NATBIB) is None
    monkeypatch.undo()
    assert cache.load(refs, refs.read_bytes(), NATBIB) is not None


def test_the_fingerprint_follows_the_loader_sources(tmp_path, monkeypatch):
    before = code_fingerprint()
    source = Path(cache_module.__file__)
    info = source.stat()
    try:
        os.utime(source, ns=(info.st_atime_ns, info.st_mtime_ns + 1_000_000_000))
        assert code_fingerprint() != before
    finally:
        os.utime(source, ns=(info.st_atime_ns, info.st_mtime_ns))
    assert code_fingerprint() == before


def test_the_cache_directory_carries_a_gitignore(tmp_path):
    opened = open_cache(tmp_path)
    assert opened is not None
    ignore = (tmp_path / CACHE_DIR_NAME / ".gitignore").read_text(encoding="utf-8")
    assert "*" in ignore.splitlines()


def test_an_existing_directory_named_by_the_user_gets_no_gitignore(tmp_path):
    mine = tmp_path / "mine"
    mine.mkdir()
    (mine / "notes.txt").write_text("keep me", encoding="utf-8")
    opened = open_cache(tmp_path, configured=mine)
    assert opened is not None and opened.directory == mine
    assert not (mine / ".gitignore").exists()


def test_an_unusable_workspace_falls_back_to_the_user_cache(tmp_path, monkeypatch):
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "user-cache"))
    monkeypatch.setattr(sys, "platform", "linux")
    # A repository that ships .relwork_cache as a link elsewhere: never written through.
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    workspace = tmp_path / "ws"
    workspace.mkdir()
    (workspace / CACHE_DIR_NAME).symlink_to(elsewhere)
    opened = open_cache(workspace)
    assert opened is not None
    assert opened.directory == tmp_path / "user-cache" / "relwork-ls"
    # A workspace whose mode says read-only (a shared corpus): the same, even for root.
    read_only = tmp_path / "read-only"
    read_only.mkdir()
    read_only.chmod(0o555)
    try:
        opened = open_cache(read_only)
        assert opened is not None
        assert opened.directory == tmp_path / "user-cache" / "relwork-ls"
        assert list(read_only.iterdir()) == []
    finally:
        read_only.chmod(0o755)
    # A workspace that is a file, not a folder: the same.
    blocked = tmp_path / "blocked"
    blocked.write_text("", encoding="utf-8")
    opened = open_cache(blocked)
    assert opened is not None and opened.directory == tmp_path / "user-cache" / "relwork-ls"
    assert list(elsewhere.iterdir()) == []


def test_a_cache_file_that_is_a_link_or_huge_is_not_read(refs, cache, tmp_path):
    load_bibliography(refs, cache=cache, label_options=NATBIB)
    target = cache.file_for(refs)
    real = tmp_path / "real.cache"
    shutil.move(target, real)
    target.symlink_to(real)
    assert cache.load(refs, refs.read_bytes(), NATBIB) is None
    target.unlink()
    payload = real.read_bytes()
    target.write_bytes(payload + b" " * (17 * len(REFS) + (1 << 20)))
    assert cache.load(refs, refs.read_bytes(), NATBIB) is None
    target.write_bytes(payload)
    assert cache.load(refs, refs.read_bytes(), NATBIB) is not None


def test_old_cache_files_and_left_temporaries_are_pruned(tmp_path):
    directory = tmp_path / "c"
    directory.mkdir()
    names = [f"{number:032x}.cache" for number in range(12)]
    for number, name in enumerate(names):
        path = directory / name
        path.write_text("{}", encoding="utf-8")
        os.utime(path, (1_000_000 + number, 1_000_000 + number))
    stale = directory / ".tmp-abc.cache"
    stale.write_text("", encoding="utf-8")
    os.utime(stale, (1_000_000, 1_000_000))
    fresh = directory / ".tmp-def.cache"  # another run writing now
    fresh.write_text("", encoding="utf-8")
    # Files relwork-ls did not name are never touched, however old.
    foreign = ["notes.cache", "fonts.cache-7", ".tmp-x.json", "ABCDEF.cache"]
    for name in foreign:
        (directory / name).write_text("", encoding="utf-8")
        os.utime(directory / name, (1_000, 1_000))
    cache_module._prune(directory, keep=5)
    kept = sorted(p.name for p in directory.iterdir())
    assert kept == sorted([*names[7:], fresh.name, *foreign])


def test_a_cache_dir_from_a_config_stays_in_the_project_or_the_user_cache(tmp_path, monkeypatch):
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "user-cache"))
    monkeypatch.setattr(sys, "platform", "linux")
    project = tmp_path / "project"
    project.mkdir()
    for setting, expected in (
        ("build/cache", project / "build" / "cache"),
        (
            str(tmp_path / "user-cache" / "relwork-ls" / "p"),
            tmp_path / "user-cache" / "relwork-ls" / "p",
        ),
        (str(tmp_path / "elsewhere"), None),
        ("../sibling", None),
    ):
        (project / "relwork.toml").write_text(f"cache_dir = {json.dumps(setting)}\n", "utf-8")
        config = load_config(project / "relwork.toml")
        assert config.permitted_cache_dir() == expected, setting
    # Refused: the default folder is used, and nothing is written where the config pointed.
    opened = open_cache(config.root, config.permitted_cache_dir())
    assert opened is not None and opened.directory == project / CACHE_DIR_NAME
    assert not (tmp_path / "sibling").exists()


CONCURRENT_LOADS = """
import json, sys
from pathlib import Path
from relwork_ls.bibliography.cache import BibliographyCache, code_fingerprint
from relwork_ls.bibliography.files import load_bibliography
from relwork_ls.bibliography.labels import LabelOptions
from relwork_ls.citations.index import CitationIndex

refs, directory, expected = Path(sys.argv[1]), Path(sys.argv[2]), json.loads(sys.argv[3])
cache = BibliographyCache(directory, code_fingerprint())
for round in range(30):
    if round % 2:
        cache.file_for(refs).unlink(missing_ok=True)  # the others read or write meanwhile
    bib = load_bibliography(refs, cache=cache, label_options=LabelOptions())
    index = CitationIndex(bib, LabelOptions())
    got = [[e.key, index.label(e).text()] for e in index.entries_by_key.values()]
    assert got == expected, got
print("ok")
"""

# Reads the cache file over and over while the loads run: it must always be whole.
WATCH = """
import sys
from pathlib import Path

target, good, stop = Path(sys.argv[1]), Path(sys.argv[2]).read_bytes(), Path(sys.argv[3])
reads = 0
while not stop.exists():
    try:
        payload = target.read_bytes()
    except FileNotFoundError:
        continue
    assert payload == good, f"read {len(payload)} bytes of {len(good)}"
    reads += 1
print(reads)
"""


def test_concurrent_runs_never_see_half_a_cache_file(refs, cache, tmp_path):
    # A large bibliography, so that writing takes long enough to overlap.
    entries = "".join(
        f"@article{{k{n}, author = {{Chen, M. and Xu, {n % 7}.}}, title = {{Work {n}}},"
        f" year = {{20{n % 20:02d}}}}}\n"
        for n in range(3000)
    )
    refs.write_text(REFS + entries, encoding="utf-8")
    expected = [list(row) for row in labels(load_bibliography(refs))]
    load_bibliography(refs, cache=cache, label_options=NATBIB)
    good = tmp_path / "good.cache"
    shutil.copy(cache.file_for(refs), good)
    stop = tmp_path / "stop"
    python = [sys.executable, "-c"]
    watch = subprocess.Popen(
        [*python, WATCH, str(cache.file_for(refs)), str(good), str(stop)],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
    )
    arguments = [str(refs), str(cache.directory), json.dumps(expected)]
    loads = [
        subprocess.Popen(
            [*python, CONCURRENT_LOADS, *arguments], stdout=subprocess.PIPE, stderr=subprocess.PIPE
        )
        for _ in range(2)
    ]
    try:
        for run in loads:
            out, err = run.communicate(timeout=300)
            assert run.returncode == 0, err.decode()
            assert out.decode().strip() == "ok"
    finally:
        stop.touch()
    out, err = watch.communicate(timeout=60)
    assert watch.returncode == 0, err.decode()
    assert int(out) > 0
    assert not [p for p in cache.directory.iterdir() if p.name.startswith(".tmp-")]


def test_workspace_and_cli_use_the_cache_and_no_cache_turns_it_off(tmp_path, monkeypatch):
    ws = tmp_path / "ws"
    shutil.copytree(ROOT / "examples" / "related-work", ws, ignore=IGNORE_CACHE)
    monkeypatch.chdir(ws)
    assert main(["lint", "--no-cache", "."]) in (0, 1)
    assert not (ws / CACHE_DIR_NAME).exists()
    assert main(["labels", "--no-cache", "refs.bib"]) == 0
    assert not (ws / CACHE_DIR_NAME).exists()
    assert main(["lint", "."]) in (0, 1)
    cached = list((ws / CACHE_DIR_NAME).glob("*.cache"))
    assert len(cached) == 1
    config = Config(root=ws)
    workspace = Workspace(config)
    no_parsing(monkeypatch)
    assert workspace.bibliography((ws / "refs.bib").resolve()).entries


def test_the_cache_dir_setting(tmp_path, monkeypatch, capsys):
    ws = tmp_path / "ws"
    shutil.copytree(ROOT / "examples" / "related-work", ws, ignore=IGNORE_CACHE)
    (ws / "relwork.toml").write_text('cache_dir = "build/bibcache"\n', encoding="utf-8")
    monkeypatch.chdir(ws)
    assert main(["labels", "refs.bib"]) == 0
    first = capsys.readouterr().out
    assert len(list((ws / "build" / "bibcache").glob("*.cache"))) == 1
    assert not (ws / CACHE_DIR_NAME).exists()
    no_parsing(monkeypatch)
    assert main(["labels", "refs.bib"]) == 0
    assert capsys.readouterr().out == first


def test_a_cache_folder_that_is_a_link_is_neither_walked_nor_reported(tmp_path, capsys):
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    project = tmp_path / "project"
    project.mkdir()
    (project / "refs.bib").write_text(REFS, encoding="utf-8")
    (project / "draft.md").write_text("As (Rozière, 2021) shows.\n", encoding="utf-8")
    (project / CACHE_DIR_NAME).symlink_to(elsewhere, target_is_directory=True)
    main(["lint", str(project), "--format", "json", "--select", "RW011"])
    assert json.loads(capsys.readouterr().out)["findings"] == []

"""Project configuration from relwork.toml or [tool.relwork-ls] in pyproject.toml."""

from __future__ import annotations

import difflib
import sys
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from .bibliography.files import DEFAULT_MAX_FILE_MB
from .bibliography.labels import STYLES

CONFIG_FILES = ("relwork.toml", ".relwork.toml", "pyproject.toml")


class ConfigError(Exception):
    """The configuration is invalid; the message says where and why."""


@dataclass
class Config:
    """Settings that shape analysis; paths are absolute once loaded."""

    root: Path = field(default_factory=Path.cwd)
    bibliographies: list[Path] = field(default_factory=list)
    style: str = "natbib"
    two_author_joiner: str = "and"
    select: list[str] = field(default_factory=list)
    ignore: list[str] = field(default_factory=list)
    severity: dict[str, str] = field(default_factory=dict)
    exclude: list[str] = field(default_factory=list)
    # Draft groups: lists of paths or globs (relative to the config file), oldest first.
    drafts: list[list[str]] = field(default_factory=list)
    detect_drafts: bool = True
    # "," or ";" between year suffixes ("2022b,c"); None: the document's own majority.
    suffix_separator: str | None = None
    # RW302 (entries no document cites): None is off, except for a draft's own reference
    # list (every reference there should be cited).
    unused_entries: bool | None = None
    # The bibliography before the latest change, for RW102: files, or a git revision.
    bibliographies_before: list[Path] = field(default_factory=list)
    since: str | None = None
    # What drafts cite, when their text cannot say it: keys cited for certain, and .aux or
    # .bbl files listing the cited set of drafts that have none of their own.
    cited: list[str] = field(default_factory=list)
    cited_from: list[Path] = field(default_factory=list)
    # Drafts and bibliographies larger than this are skipped with a finding, not read.
    max_file_size_mb: float = DEFAULT_MAX_FILE_MB
    source: Path | None = None
    # Where parsed bibliographies are cached (None: ``.relwork_cache`` in ``root``), and
    # whether they are (``--no-cache`` turns it off).
    cache_dir: Path | None = None
    use_cache: bool = True
    # Trust, set by whoever runs us (never by a config file): whether configured paths may
    # point outside ``trusted_root`` (None: anywhere) and whether git may be run.
    trusted_root: Path | None = None
    allow_git: bool = True

    def enabled(self, code: str) -> bool:
        """Whether a finding code is reported (``select`` prefixes, then ``ignore``)."""
        if self.select and not any(code.startswith(p) for p in self.select):
            return False
        return not any(code.startswith(p) for p in self.ignore)

    @property
    def max_file_bytes(self) -> int:
        return int(self.max_file_size_mb * 1024 * 1024)

    def severity_of(self, code: str, default: str) -> str:
        return self.severity.get(code, default)

    def allows_path(self, path: Path) -> bool:
        """Whether a configured or named file may be read (inside ``trusted_root``)."""
        if self.trusted_root is None:
            return True
        try:
            resolved = path.resolve()
            root = self.trusted_root.resolve()
        except (OSError, RuntimeError):  # a symlink loop: never inside
            return False
        return resolved == root or root in resolved.parents

    def permitted_cache_dir(self) -> Path | None:
        """The configured ``cache_dir`` when it may be written: inside the configuration's
        folder or the user's cache directory (a cloned repository's config must not make
        relwork-ls write, or prune, anywhere else), and inside ``trusted_root``."""
        from .bibliography.cache import user_cache_directory

        directory = self.cache_dir
        if directory is None or not self.allows_path(directory):
            return None
        for allowed in (self.root, user_cache_directory()):
            try:
                inside = directory == allowed.resolve() or allowed.resolve() in directory.parents
            except (OSError, RuntimeError):
                inside = False
            if inside:
                return directory
        return None


def is_known_code(code: str, allow_prefix: bool = True) -> bool:
    """Whether ``code`` names a finding (or, with ``allow_prefix``, begins some codes:
    "RW00" selects RW001–RW009)."""
    from .findings import CODES

    code = code.upper()
    if code in CODES:
        return True
    return allow_prefix and len(code) >= 2 and any(c.startswith(code) for c in CODES)


def closest_codes(code: str, count: int = 3) -> list[str]:
    """The known codes nearest to a mistyped one ("RW10l" → RW101, RW102, …)."""
    from .findings import CODES

    code = code.upper()
    # Digits typed as letters are the usual slip: l/I → 1, O → 0.
    guess = code[:2] + code[2:].translate(str.maketrans("LIO", "110"))
    found = [guess] if guess in CODES else []
    found += difflib.get_close_matches(code, list(CODES), n=count, cutoff=0.5)
    return list(dict.fromkeys(found))[:count]


def check_codes(codes: list[str], where: str) -> None:
    """ConfigError naming the first unknown code and the closest known ones."""
    for code in codes:
        if not is_known_code(code):
            suggestions = closest_codes(code)
            hint = f"; did you mean {', '.join(suggestions)}?" if suggestions else ""
            raise ConfigError(f"{where}: unknown code '{code}'{hint}")


def find_config_file(start: Path) -> Path | None:
    """The nearest relwork.toml (or pyproject.toml with our section) at or above ``start``."""
    directory = start if start.is_dir() else start.parent
    for folder in (directory, *directory.parents):
        for name in CONFIG_FILES:
            candidate = folder / name
            if candidate.is_file() and (name != "pyproject.toml" or _has_tool_section(candidate)):
                return candidate
    return None


def _toml() -> Any:
    """The TOML reader, imported when a config file is read."""
    if sys.version_info >= (3, 11):
        import tomllib
    else:  # pragma: no cover
        import tomli as tomllib
    return tomllib


def _has_tool_section(path: Path) -> bool:
    tomllib = _toml()
    try:
        return "relwork-ls" in tomllib.loads(path.read_text("utf-8")).get("tool", {})
    except (OSError, tomllib.TOMLDecodeError, UnicodeDecodeError):
        return False


def read_config_data(path: Path) -> dict[str, Any]:
    """The raw settings table of a config file (our section of a pyproject.toml)."""
    tomllib = _toml()
    try:
        data = tomllib.loads(path.read_text("utf-8"))
    except (OSError, UnicodeDecodeError) as error:
        raise ConfigError(f"cannot read {path}: {error}") from error
    except tomllib.TOMLDecodeError as error:
        raise ConfigError(f"{path}: invalid TOML: {error}") from error
    if path.name == "pyproject.toml":
        data = data.get("tool", {}).get("relwork-ls", {})
    return data


def load_config(path: Path) -> Config:
    """Read a config file; raise ConfigError with a one-line reason when invalid."""
    config = config_from_mapping(read_config_data(path), path.parent, where=str(path))
    config.source = path
    return config


def config_from_mapping(data: dict[str, Any], root: Path, where: str = "settings") -> Config:
    """Build a Config from parsed TOML or LSP settings, validating every value."""
    from .findings import CODES, SEVERITIES  # imported here: a run without a config is lighter
    from .git_files import GitError, check_revision_syntax

    config = Config(root=root)
    known = {
        "bibliographies",
        "bibliography",
        "style",
        "two_author_joiner",
        "select",
        "ignore",
        "severity",
        "exclude",
        "drafts",
        "detect_drafts",
        "suffix_separator",
        "unused_entries",
        "bibliographies_before",
        "since",
        "cited",
        "cited_from",
        "max_file_size_mb",
        "cache_dir",
    }
    unknown = sorted(set(data) - known)
    if unknown:
        raise ConfigError(f"{where}: unknown setting(s): {', '.join(unknown)}")
    bibs = data.get("bibliographies", data.get("bibliography", []))
    if isinstance(bibs, str):
        bibs = [bibs]
    config.bibliographies = [
        (root / str(b)).resolve() for b in _list(bibs, where, "bibliographies")
    ]
    config.style = str(data.get("style", config.style))
    if config.style not in STYLES:
        raise ConfigError(f"{where}: style must be one of {', '.join(STYLES)}")
    config.two_author_joiner = str(data.get("two_author_joiner", "and"))
    if config.two_author_joiner not in ("and", "&"):
        raise ConfigError(f"{where}: two_author_joiner must be 'and' or '&'")
    config.select = [str(c).upper() for c in _list(data.get("select", []), where, "select")]
    config.ignore = [str(c).upper() for c in _list(data.get("ignore", []), where, "ignore")]
    check_codes(config.select, f"{where}: select")
    check_codes(config.ignore, f"{where}: ignore")
    config.exclude = [str(g) for g in _list(data.get("exclude", []), where, "exclude")]
    groups = _list(data.get("drafts", []), where, "drafts")
    if not all(isinstance(g, list) and all(isinstance(p, str) for p in g) for g in groups):
        raise ConfigError(f"{where}: drafts must be a list of lists of paths, oldest first")
    config.drafts = [list(g) for g in groups]
    detect = data.get("detect_drafts", True)
    if not isinstance(detect, bool):
        raise ConfigError(f"{where}: detect_drafts must be true or false")
    config.detect_drafts = detect
    separator = data.get("suffix_separator")
    if separator not in (None, ",", ";"):
        raise ConfigError(f"{where}: suffix_separator must be ',' or ';'")
    config.suffix_separator = separator
    unused = data.get("unused_entries")
    if unused is not None and not isinstance(unused, bool):
        raise ConfigError(f"{where}: unused_entries must be true or false")
    config.unused_entries = unused
    before = _list(data.get("bibliographies_before", []), where, "bibliographies_before")
    config.bibliographies_before = [(root / str(b)).resolve() for b in before]
    config.cited = [str(k) for k in _list(data.get("cited", []), where, "cited")]
    cited_from = data.get("cited_from", [])
    if isinstance(cited_from, str):
        cited_from = [cited_from]
    config.cited_from = [(root / str(p)).resolve() for p in _list(cited_from, where, "cited_from")]
    for path in config.cited_from:
        if path.suffix.lower() not in (".aux", ".bbl"):
            raise ConfigError(f"{where}: cited_from must name .aux or .bbl files, not {path.name}")
    cache_dir = data.get("cache_dir")
    if cache_dir is not None and not isinstance(cache_dir, str):
        raise ConfigError(f"{where}: cache_dir must be a path")
    config.cache_dir = (root / Path(cache_dir).expanduser()).resolve() if cache_dir else None
    since = data.get("since")
    if since is not None and not isinstance(since, str):
        raise ConfigError(f"{where}: since must be a git revision string")
    if since is not None:
        try:
            check_revision_syntax(since)
        except GitError as error:
            raise ConfigError(f"{where}: since: {error}") from error
    config.since = since
    limit = data.get("max_file_size_mb", DEFAULT_MAX_FILE_MB)
    if (
        isinstance(limit, bool)
        or not isinstance(limit, (int, float))
        or not 0 < limit < float("inf")
    ):
        raise ConfigError(f"{where}: max_file_size_mb must be a positive number of megabytes")
    config.max_file_size_mb = float(limit)
    severity = data.get("severity", {})
    if not isinstance(severity, dict):
        raise ConfigError(f'{where}: severity must be a table of CODE = "level"')
    for code, level in severity.items():
        if code.upper() not in CODES:
            check_codes([code], f"{where}: severity")
            raise ConfigError(f"{where}: severity: '{code}' is a prefix; name one code")
        if level not in SEVERITIES:
            raise ConfigError(
                f"{where}: severity.{code} = {level!r}: the level must be one of "
                + ", ".join(SEVERITIES)
            )
        config.severity[code.upper()] = str(level)
    return config


def _list(value: Any, where: str, name: str) -> list[Any]:
    if not isinstance(value, list):
        raise ConfigError(f"{where}: {name} must be a list")
    return value

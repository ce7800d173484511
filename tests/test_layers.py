"""The layering README's *Development* section describes: each layer imports only the
layers before it, and only ``server/`` imports the protocol libraries."""

from __future__ import annotations

import ast
from pathlib import Path

PACKAGE = Path(__file__).resolve().parents[1] / "relwork_ls"
LAYERS = [
    {"__init__", "positions", "rules", "findings", "git_files"},
    {"bibliography"},
    {"config"},
    {"citations"},
    {"checks"},
    {"lint"},
    {"editor"},
    {"server"},
    {"api", "cli", "__main__"},
]
PROTOCOL_LIBRARIES = ("lsprotocol", "pygls")


def layer_of(module: str) -> int:
    top = module.split(".")[0]
    if not (PACKAGE / top).is_dir() and not (PACKAGE / f"{top}.py").is_file():
        top = "__init__"  # a name the package itself defines (__version__)
    for number, members in enumerate(LAYERS):
        if top in members:
            return number
    raise AssertionError(f"{module}: in no layer of the README")


def imports_of(path: Path) -> list[tuple[str, bool]]:
    """(module, relative?) for each import of a module of the package."""
    parts = list(path.relative_to(PACKAGE).with_suffix("").parts)
    package = parts[:-1]
    found = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            found += [(alias.name, False) for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            if not node.level:
                found.append((node.module or "", False))
                continue
            base = package[: len(package) - (node.level - 1)]
            if node.module:
                found.append((".".join([*base, node.module]), True))
            else:  # from . import x
                found += [(".".join([*base, alias.name]), True) for alias in node.names]
    return found


def test_each_layer_imports_only_the_ones_before_it():
    upward = []
    for path in PACKAGE.rglob("*.py"):
        own = layer_of(str(path.relative_to(PACKAGE).with_suffix("")).replace("/", "."))
        for module, relative in imports_of(path):
            if relative and module and layer_of(module) > own:
                upward.append(f"{path.relative_to(PACKAGE)} imports {module}")
    assert upward == []


def test_only_the_server_imports_the_protocol_libraries():
    outside = [
        f"{path.relative_to(PACKAGE)} imports {module}"
        for path in PACKAGE.rglob("*.py")
        if path.relative_to(PACKAGE).parts[0] != "server"
        for module, relative in imports_of(path)
        if not relative and module.split(".")[0] in PROTOCOL_LIBRARIES
    ]
    assert outside == []

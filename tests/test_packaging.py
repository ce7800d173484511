"""The package as users get it: `python -m build` makes a wheel and an sdist; the wheel
installed alone into a fresh virtual environment (as pipx does) lints the example as the
README shows; the sdist carries its tests, and they run against the sdist's own code.

These build and install for real (PyPI or the pip cache for dependencies), so they take
about a minute; they run in the README's test command like every other test."""

from __future__ import annotations

import email.parser
import os
import re
import shutil
import subprocess
import sys
import tarfile
import zipfile
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
VERSION = re.search(
    r'^__version__ = "([^"]+)"', (ROOT / "relwork_ls" / "__init__.py").read_text(), re.M
).group(1)


def clean_environment(**extra: str) -> dict[str, str]:
    """The environment without anything that points Python at this checkout or its venv."""
    drop = {"PYTHONPATH", "PYTHONHOME", "VIRTUAL_ENV", "PYTHONSTARTUP", "PYTHONUSERBASE"}
    environment = {k: v for k, v in os.environ.items() if k not in drop}
    venv_bin = str(Path(sys.executable).parent)
    environment["PATH"] = os.pathsep.join(
        p for p in environment.get("PATH", "").split(os.pathsep) if p != venv_bin
    )
    environment["PYTHONNOUSERSITE"] = "1"
    return {**environment, **extra}


@pytest.fixture(scope="module")
def dist(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The wheel and sdist of this checkout (the wheel built from the sdist, as build does)."""
    out = tmp_path_factory.mktemp("dist")
    build = subprocess.run(
        [sys.executable, "-m", "build", "--outdir", str(out), str(ROOT)],
        cwd=out,  # not the checkout: its build/ folder would shadow the build package
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert build.returncode == 0, build.stdout[-3000:] + build.stderr[-3000:]
    return out


def test_wheel_metadata_and_contents(dist):
    (wheel,) = dist.glob("relwork_ls-*.whl")
    assert wheel.name == f"relwork_ls-{VERSION}-py3-none-any.whl"
    with zipfile.ZipFile(wheel) as archive:
        names = set(archive.namelist())
        metadata = email.parser.Parser().parsestr(
            archive.read(f"relwork_ls-{VERSION}.dist-info/METADATA").decode()
        )
    assert metadata["Version"] == VERSION
    assert metadata["License-Expression"] == "MIT"
    assert metadata["License-File"] == "LICENSE"
    assert f"relwork_ls-{VERSION}.dist-info/licenses/LICENSE" in names
    assert metadata["Requires-Python"] == ">=3.10"
    classifiers = metadata.get_all("Classifier")
    assert "Typing :: Typed" in classifiers
    assert "Programming Language :: Python :: 3.10" in classifiers
    assert not [c for c in classifiers if c.startswith("License ::")]  # SPDX instead
    assert {u.split(",")[0] for u in metadata.get_all("Project-URL")} >= {"Homepage", "Source"}
    assert {"relwork_ls/py.typed", "relwork_ls/api.py", "relwork_ls/server/app.py"} <= names
    assert not [n for n in names if n.startswith("tests/")]


def test_wheel_alone_in_a_fresh_environment_lints_the_example(dist, tmp_path):
    (wheel,) = dist.glob("relwork_ls-*.whl")
    venv = tmp_path / "venv"
    # Like pipx: a venv of its own, without the system's or this checkout's site-packages.
    subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True, timeout=300)
    python = venv / "bin" / "python"
    environment = clean_environment()
    install = subprocess.run(
        [str(python), "-m", "pip", "install", "-q", "--disable-pip-version-check", str(wheel)],
        capture_output=True,
        text=True,
        env=environment,
        timeout=600,
    )
    assert install.returncode == 0, install.stderr[-3000:]
    project = tmp_path / "project"
    shutil.copytree(ROOT / "examples" / "related-work", project / "examples" / "related-work")
    where = subprocess.run(
        [str(python), "-c", "import relwork_ls, relwork_ls.api as a; print(relwork_ls.__file__)"],
        cwd=project,
        capture_output=True,
        text=True,
        env=environment,
    )
    assert Path(where.stdout.strip()).is_relative_to(venv), where.stdout + where.stderr
    lint = subprocess.run(
        [str(venv / "bin" / "relwork-ls"), "lint", "examples/related-work"],
        cwd=project,
        capture_output=True,
        text=True,
        env=environment,
        timeout=120,
    )
    assert lint.returncode == 1, lint.stdout + lint.stderr
    # The README's quick start shows these lines (shortened with "…"): each must be output.
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    quick_start = readme.split("## Quick start", 1)[1].split("\n## ", 1)[0]
    shown = [line for line in quick_start.splitlines() if line.startswith("examples/")]
    assert len(shown) >= 4
    output = lint.stdout.splitlines()
    for line in shown:
        assert any(out.startswith(line.split("…")[0]) for out in output), line
    version = subprocess.run(
        [str(venv / "bin" / "relwork-ls"), "--version"], capture_output=True, text=True
    )
    assert VERSION in version.stdout + version.stderr


def test_sdist_carries_its_tests_and_they_run_on_its_own_code(dist, tmp_path):
    (sdist,) = dist.glob("relwork_ls-*.tar.gz")
    with tarfile.open(sdist) as archive:
        archive.extractall(tmp_path, filter="data")
    unpacked = tmp_path / f"relwork_ls-{VERSION}"
    for needed in [
        "LICENSE",
        "README.md",
        ".pre-commit-hooks.yaml",
        "relwork_ls/py.typed",
        "tests/conftest.py",
        "tests/helpers.py",
        "tests/nvim/drive.lua",
        "examples/related-work/draft.md",
        "examples/related-work/refs.bib",
        "examples/related-work/relwork.toml",
        "editors/nvim/lsp/relwork_ls.lua",
    ]:
        assert (unpacked / needed).is_file(), needed
    # The sdist's own relwork_ls first on the path, not this checkout's.
    environment = clean_environment(PYTHONPATH=str(unpacked))
    where = subprocess.run(
        [sys.executable, "-c", "import relwork_ls; print(relwork_ls.__file__)"],
        cwd=unpacked,
        capture_output=True,
        text=True,
        env=environment,
    )
    assert Path(where.stdout.strip()).is_relative_to(unpacked), where.stdout + where.stderr
    pytest_command = [sys.executable, "-m", "pytest", "-p", "no:cacheprovider"]
    collected = subprocess.run(
        [*pytest_command, "-q", "--collect-only", "tests"],
        cwd=unpacked,
        capture_output=True,
        text=True,
        env=environment,
        timeout=300,
    )
    assert collected.returncode == 0, collected.stdout[-3000:] + collected.stderr[-3000:]
    # Quiet collection (-q here and in addopts) prints "tests/test_x.py: N" per module.
    per_module = re.findall(r"^tests/test_\w+\.py: (\d+)$", collected.stdout, re.M)
    assert len(per_module) >= 20 and sum(map(int, per_module)) > 150, collected.stdout[-3000:]
    run = subprocess.run(
        [*pytest_command, "tests/test_cli.py", "tests/test_labels.py", "tests/test_api.py"],
        cwd=unpacked,
        capture_output=True,
        text=True,
        env=environment,
        timeout=600,
    )
    assert run.returncode == 0, run.stdout[-3000:] + run.stderr[-3000:]
    assert re.search(r"\d+ passed", run.stdout)

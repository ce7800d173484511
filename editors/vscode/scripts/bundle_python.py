"""Install relwork-ls and its dependencies into bundled/libs for one VS Code target.

The .vsix then carries the server: the extension runs bundled/tool/server.py with any
Python 3.10+ it finds. Most of it is pure Python; the compiled modules of `regex`, `lxml` (for
python-docx) and PyYAML are specific to the platform and the CPython minor version, so each
such project's wheels for every supported CPython are unpacked side by side (the module
files carry the version in their names, so each interpreter imports its own). Wheels are downloaded for the target platform, so any
target can be built on any machine.

Usage: python3 scripts/bundle_python.py --target linux-x64
"""

from __future__ import annotations

import argparse
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import zipfile
from pathlib import Path

HERE = Path(__file__).resolve().parent
EXTENSION = HERE.parent
REPOSITORY = EXTENSION.parent.parent
LIBS = EXTENSION / "bundled" / "libs"
MANIFEST = EXTENSION / "bundled" / "bundle.json"

# CPython minor versions the bundle supports (the package needs 3.10+).
PYTHONS = ("3.10", "3.11", "3.12", "3.13", "3.14")

# VS Code target → pip platform tags of the wheels that run there. pip widens macOS tags
# to older releases and universal2 by itself.
PLATFORMS: dict[str, tuple[str, ...]] = {
    "linux-x64": ("manylinux_2_28_x86_64", "manylinux_2_17_x86_64", "manylinux2014_x86_64"),
    "linux-arm64": ("manylinux_2_28_aarch64", "manylinux_2_17_aarch64", "manylinux2014_aarch64"),
    "alpine-x64": ("musllinux_1_2_x86_64", "musllinux_1_1_x86_64"),
    "alpine-arm64": ("musllinux_1_2_aarch64", "musllinux_1_1_aarch64"),
    "darwin-x64": ("macosx_11_0_x86_64",),
    "darwin-arm64": ("macosx_11_0_arm64",),
    "win32-x64": ("win_amd64",),
    "win32-arm64": ("win_arm64",),
}


# What environment markers see on each target (sys_platform, platform_machine…).
MARKER_PLATFORMS: dict[str, dict[str, str]] = {
    "linux-x64": {"sys_platform": "linux", "platform_system": "Linux", "platform_machine": "x86_64"},
    "linux-arm64": {"sys_platform": "linux", "platform_system": "Linux", "platform_machine": "aarch64"},
    "alpine-x64": {"sys_platform": "linux", "platform_system": "Linux", "platform_machine": "x86_64"},
    "alpine-arm64": {"sys_platform": "linux", "platform_system": "Linux", "platform_machine": "aarch64"},
    "darwin-x64": {"sys_platform": "darwin", "platform_system": "Darwin", "platform_machine": "x86_64"},
    "darwin-arm64": {"sys_platform": "darwin", "platform_system": "Darwin", "platform_machine": "arm64"},
    "win32-x64": {"sys_platform": "win32", "platform_system": "Windows", "platform_machine": "AMD64"},
    "win32-arm64": {"sys_platform": "win32", "platform_system": "Windows", "platform_machine": "ARM64"},
}


def pip(*args: str) -> None:
    environment = {**os.environ, "PIP_ROOT_USER_ACTION": "ignore"}
    subprocess.run([sys.executable, "-m", "pip", "--quiet", *args], check=True, env=environment)


def platform_options(target: str, python: str) -> list[str]:
    options = ["--only-binary=:all:", "--implementation", "cp", "--python-version", python]
    for tag in PLATFORMS[target]:
        options += ["--platform", tag]
    return options


def installed_version(libs: Path, project: str) -> str:
    """The version pip installed into ``libs`` (from the .dist-info folder name)."""
    prefix = project.replace("-", "_") + "-"
    for info in libs.glob("*.dist-info"):
        if info.name.lower().startswith(prefix):
            return info.name[len(prefix) : -len(".dist-info")]
    raise SystemExit(f"{project} was not installed into {libs}")


def _canonical(name: str) -> str:
    return re.sub(r"[-_.]+", "-", name).lower()


def missing_requirements(target: str) -> list[str]:
    """Requirements of the installed distributions that some supported Python on ``target``
    needs but that are not in LIBS. pip evaluates markers for the interpreter running it,
    not for --python-version, so backports such as tomli (Python < 3.11) are added here."""
    try:
        from packaging.requirements import Requirement
    except ImportError:  # pip always carries a copy
        from pip._vendor.packaging.requirements import Requirement  # type: ignore[no-redef]
    installed = {
        _canonical(info.name.split("-")[0]) for info in LIBS.glob("*.dist-info")
    }
    environments = [
        {
            **MARKER_PLATFORMS[target],
            "python_version": python,
            "python_full_version": f"{python}.0",
            "implementation_name": "cpython",
            "platform_python_implementation": "CPython",
            "os_name": "nt" if target.startswith("win32") else "posix",
            "extra": "",
        }
        for python in PYTHONS
    ]
    needed: dict[str, str] = {}
    for metadata in LIBS.glob("*.dist-info/METADATA"):
        for line in metadata.read_text(encoding="utf-8").splitlines():
            if not line.startswith("Requires-Dist:"):
                continue
            requirement = Requirement(line.split(":", 1)[1].strip())
            name = _canonical(requirement.name)
            if name in installed:
                continue
            marker = requirement.marker
            if marker is None or any(marker.evaluate(env) for env in environments):
                needed[name] = f"{requirement.name}{requirement.specifier}"
    return sorted(needed.values())


def compiled_projects() -> dict[str, str]:
    """Installed distributions that carry compiled modules (regex, lxml, PyYAML…): their
    names and versions, from the .dist-info RECORD files."""
    found = {}
    for record in LIBS.glob("*.dist-info/RECORD"):
        lines = record.read_text(encoding="utf-8").splitlines()
        if any(line.split(",")[0].endswith((".so", ".pyd")) for line in lines):
            name, version = record.parent.name[: -len(".dist-info")].split("-", 1)
            found[name] = version
    return found


def add_compiled_builds(target: str, scratch: Path) -> list[str]:
    """Unpack each compiled project's modules for every CPython beside the ones installed
    (their file names carry the version, so each interpreter imports its own); return the
    versions every compiled project has a build for."""
    have = set(PYTHONS)
    for project, version in sorted(compiled_projects().items()):
        built = set()
        for python in PYTHONS:
            download = scratch / f"{project}-{python}"
            try:
                pip(
                    "download",
                    f"{project}=={version}",
                    "--no-deps",
                    "--dest",
                    str(download),
                    *platform_options(target, python),
                )
            except subprocess.CalledProcessError:
                print(f"note: no {project} {version} wheel for CPython {python} on {target}")
                continue
            (wheel,) = download.glob("*.whl")
            with zipfile.ZipFile(wheel) as archive:
                for name in archive.namelist():
                    if name.endswith((".so", ".pyd")) and ".dist-info/" not in name:
                        path = LIBS / name
                        path.parent.mkdir(parents=True, exist_ok=True)
                        path.write_bytes(archive.read(name))
            built.add(python)
        have &= built
    return [python for python in PYTHONS if python in have]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--target", choices=sorted(PLATFORMS), required=True)
    args = parser.parse_args()
    shutil.rmtree(LIBS, ignore_errors=True)
    LIBS.mkdir(parents=True)
    with tempfile.TemporaryDirectory() as temporary:
        scratch = Path(temporary)
        # Built from a copy of the package's sources: pip builds in place, and a stale
        # build/ folder of the checkout could put deleted modules into the wheel.
        source = scratch / "source"
        source.mkdir()
        for name in ("pyproject.toml", "README.md", "LICENSE", "MANIFEST.in"):
            shutil.copy2(REPOSITORY / name, source / name)
        shutil.copytree(
            REPOSITORY / "relwork_ls",
            source / "relwork_ls",
            ignore=shutil.ignore_patterns("__pycache__", "*.pyc"),
        )
        pip("wheel", "--no-deps", "--wheel-dir", str(scratch / "wheel"), str(source))
        (wheel,) = (scratch / "wheel").glob("relwork_ls-*.whl")
        # Resolved for the oldest supported Python, so its backports (tomli…) come along.
        pip(
            "install",
            "--target",
            str(LIBS),
            "--no-compile",
            *platform_options(args.target, PYTHONS[0]),
            str(wheel),
        )
        while missing := missing_requirements(args.target):
            pip(
                "install",
                "--target",
                str(LIBS),
                "--no-compile",
                "--no-deps",
                *platform_options(args.target, PYTHONS[0]),
                *missing,
            )
        pythons = add_compiled_builds(args.target, scratch)
    # Console scripts carry the build machine's interpreter path: useless in the .vsix.
    shutil.rmtree(LIBS / "bin", ignore_errors=True)
    shutil.rmtree(LIBS / "regex" / "tests", ignore_errors=True)
    for cache in list(LIBS.rglob("__pycache__")):
        shutil.rmtree(cache)
    manifest = {
        "target": args.target,
        "pythons": pythons,
        "relwork_ls": installed_version(LIBS, "relwork-ls"),
        "regex": installed_version(LIBS, "regex"),
    }
    MANIFEST.write_text(json.dumps(manifest, indent=2) + "\n", encoding="utf-8")
    print(f"bundled relwork-ls for {args.target}: {json.dumps(manifest)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())

"""Build the offline install archive (make dist; docs/zh/install-offline.md).

    dist/dangjian-<version>-<python tag>-<platform>.tar.gz
      dangjian-<version>-<python tag>-<platform>/
        install.sh       creates a virtualenv, pip install --no-index --find-links wheels/
        README.md        the steps, in Chinese
        docs/            install-offline, deploy, backup (zh) and configuration, as in the repo
        wheels/          every runtime dependency (no dev extras) + the project's own wheel,
                         which carries the npm front-end files the pages load
                         (settings.DANGJIAN_VENDOR_FILES, as dangjian/vendor/...)
        SHA256SUMS       of every other file (install.sh checks it)

Target: this machine's Python and platform by default (dependencies without a wheel are built
here with `pip wheel`), or another one with --python-version / --platform (env
DIST_PYTHON_VERSION / DIST_PLATFORM), fetched with `pip download --only-binary=:all:`: then
every dependency must have a wheel for that target (pip names the one that has none).

Versions are pinned to those installed in the interpreter running this script (the project's
.venv, which the tests ran against); --no-pin takes the newest the index offers instead.

Quick and deterministic to rebuild: the wheels are kept in dist/.cache/ and the next build
first resolves from there alone (no index, no network), going to the index only when that
fails (a new dependency or version); pip's own cache serves the rest. The archive's bytes
depend only on its contents and the last commit's time: sorted entries, fixed owners, the project
wheel built with SOURCE_DATE_EPOCH.
"""

from __future__ import annotations

import argparse
import ast
import gzip
import hashlib
import os
import re
import shutil
import subprocess
import sys
import sysconfig
import tarfile
import tempfile
import tomllib
from pathlib import Path
from typing import NoReturn

ROOT = Path(__file__).resolve().parent.parent
TEMPLATES = Path(__file__).resolve().parent / "dist"
# For a machine with no checkout, where they are in the repository (so their links work).
DOCS = [
    "docs/zh/install-offline.md",
    "docs/zh/deploy.md",
    "docs/zh/backup.md",
    "docs/configuration.md",
]
# 1980-01-01, the earliest time a zip file (a wheel) can hold.
ZIP_EPOCH = 315532800


def main() -> None:
    args = parse_args()
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())
    version = project["project"]["version"]
    py_version = args.python_version or "{}.{}".format(*sys.version_info[:2])
    py_tag = "cp" + py_version.replace(".", "")
    platforms = [p.strip() for p in (args.platform or "").split(",") if p.strip()]
    platform = (
        platforms[0] if platforms else sysconfig.get_platform().replace("-", "_").replace(".", "_")
    )
    cross = bool(args.python_version or args.platform)
    name = f"dangjian-{version}-{py_tag}-{platform}"
    out = Path(args.out).resolve()
    cache = out / ".cache"
    wheel_cache = cache / f"wheels-{py_tag}-{platform}"
    build_cache = cache / "build"
    for d in (wheel_cache, build_cache):
        d.mkdir(parents=True, exist_ok=True)
    epoch = source_date_epoch()

    with tempfile.TemporaryDirectory(prefix="make-dist-") as tmp_name:
        tmp = Path(tmp_name)
        stage = stage_source(tmp / "source")
        project_dir = tmp / "project"
        build_project_wheel(stage, project_dir, build_cache, project, epoch)
        (project_wheel,) = project_dir.glob("dangjian-*.whl")

        wheels = tmp / name / "wheels"
        wheels.mkdir(parents=True)
        pins = tmp / "pins.txt"
        pins.write_text("" if args.no_pin else installed_versions())
        fetch_dependencies(project_wheel, wheels, wheel_cache, pins, cross, py_version, platforms)
        not_wheels = [p.name for p in wheels.iterdir() if p.suffix != ".whl"]
        if not_wheels:
            fail(f"not wheels: {not_wheels}")
        for wheel in wheels.glob("*.whl"):
            if not wheel.name.startswith("dangjian-") and not (wheel_cache / wheel.name).exists():
                shutil.copy2(wheel, wheel_cache / wheel.name)

        assemble(tmp / name, version, py_version, platform)
        out.mkdir(parents=True, exist_ok=True)
        archive = out / f"{name}.tar.gz"
        write_archive(tmp / name, archive, epoch)
    size = archive.stat().st_size / 1e6
    count = len(list(wheels_in(archive)))
    print(f"make-dist: {archive} ({size:.1f} MB, {count} wheels)")


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="make-dist", description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "--python-version",
        default=os.environ.get("DIST_PYTHON_VERSION") or None,
        help="target Python, e.g. 3.11 (default: the one running this script)",
    )
    parser.add_argument(
        "--platform",
        default=os.environ.get("DIST_PLATFORM") or None,
        help="target platform tag(s), comma-separated, e.g. manylinux_2_28_x86_64; the first"
        " names the archive (default: this machine's)",
    )
    parser.add_argument("--out", default=str(ROOT / "dist"), help="output directory (dist/)")
    parser.add_argument(
        "--no-pin",
        action="store_true",
        help="newest versions from the index instead of those installed here",
    )
    args = parser.parse_args()
    if args.python_version and not re.fullmatch(r"3\.\d+", args.python_version):
        parser.error("--python-version: major.minor, e.g. 3.11")
    return args


def source_date_epoch() -> int:
    """The last commit's time (a fixed date outside git): the wheel's and archive's times."""
    if os.environ.get("SOURCE_DATE_EPOCH"):
        return int(os.environ["SOURCE_DATE_EPOCH"])
    try:
        stamp = subprocess.run(
            ["git", "-C", str(ROOT), "log", "-1", "--format=%ct"],
            capture_output=True,
            text=True,
            check=True,
        ).stdout.strip()
        return max(int(stamp), ZIP_EPOCH)
    except (OSError, subprocess.CalledProcessError, ValueError):
        return ZIP_EPOCH


def stage_source(stage: Path) -> Path:
    """A clean copy of the project to build the wheel from, with the front-end files inside."""
    skip = shutil.ignore_patterns("__pycache__", "*.pyc", "*.egg-info", "vendor")
    stage.mkdir()
    for name in ("pyproject.toml", "README.md", "LICENSE"):
        if (ROOT / name).exists():
            shutil.copy2(ROOT / name, stage / name)
    shutil.copytree(ROOT / "src", stage / "src", ignore=skip)
    for name, source in vendor_files().items():
        if not (ROOT / "node_modules" / source).is_file():
            fail(f"node_modules/{source} is missing: run `make install` (npm ci) first")
        (stage / "src" / "dangjian" / name).parent.mkdir(parents=True, exist_ok=True)
        shutil.copy2(ROOT / "node_modules" / source, stage / "src" / "dangjian" / name)
    return stage


def vendor_files() -> dict[str, str]:
    """settings.DANGJIAN_VENDOR_FILES (static name → file under node_modules), read as a
    literal: importing the settings would need the environment they read."""
    tree = ast.parse((ROOT / "src" / "dangjian" / "settings.py").read_text())
    for node in tree.body:
        if isinstance(node, ast.Assign) and any(
            isinstance(t, ast.Name) and t.id == "DANGJIAN_VENDOR_FILES" for t in node.targets
        ):
            return dict(ast.literal_eval(node.value))
    fail("settings.DANGJIAN_VENDOR_FILES not found")


def pip(*args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    command = [sys.executable, "-m", "pip", "--disable-pip-version-check", *args]
    return subprocess.run(command, capture_output=True, text=True, env=env)


def offline_first(
    args: list[str], cache: Path, env: dict[str, str] | None = None, check: bool = True
) -> subprocess.CompletedProcess[str]:
    """Run pip from the cache alone; only if that fails, with the index (and the cache)."""
    result = pip(*args, "--no-index", "--find-links", str(cache), env=env)
    if result.returncode == 0:
        return result
    result = pip(*args, "--find-links", str(cache), env=env)
    if check and result.returncode != 0:
        fail(f"pip {args[0]} failed", result)
    return result


def fail(message: str, result: subprocess.CompletedProcess[str] | None = None) -> NoReturn:
    if result is not None:
        # Not pip's progress, nor its notes on the configured mirrors that lack a project.
        lines = [
            line
            for line in (result.stdout + result.stderr).splitlines()
            if "is ignored: it is neither" not in line
        ]
        start = next(
            (i for i, line in enumerate(lines) if line.startswith(("ERROR", "The conflict"))),
            max(len(lines) - 40, 0),
        )
        sys.stderr.write("\n".join(lines[start:]) + "\n")
    sys.exit(f"make-dist: {message}")


def build_project_wheel(
    stage: Path, out: Path, build_cache: Path, project: dict, epoch: int
) -> None:
    requires = project["build-system"]["requires"]
    if not any(build_cache.glob("*.whl")):
        # The build backend (setuptools), kept so that the next build needs no index.
        offline_first(
            ["download", "--only-binary=:all:", "-q", "-d", str(build_cache), *requires],
            build_cache,
        )
    env = {**os.environ, "SOURCE_DATE_EPOCH": str(epoch)}
    offline_first(["wheel", "--no-deps", "-q", "-w", str(out), str(stage)], build_cache, env)


def installed_versions() -> str:
    """Constraints: the versions installed in this interpreter (the tested set)."""
    result = pip("list", "--format=freeze", "--exclude-editable")
    if result.returncode != 0:
        fail("pip list failed", result)
    lines = [
        line
        for line in result.stdout.splitlines()
        if "==" in line and not line.lower().startswith("dangjian==")
    ]
    return "\n".join(lines) + "\n"


def fetch_dependencies(
    project_wheel: Path,
    wheels: Path,
    cache: Path,
    pins: Path,
    cross: bool,
    py_version: str,
    platforms: list[str],
) -> None:
    if not cross:
        # pip wheel: a downloaded wheel is kept as is, a dependency without one is built here.
        args = ["wheel", "-w", str(wheels), "-q", "-c", str(pins), str(project_wheel)]
        offline_first(args, cache)
        return
    target = ["--python-version", py_version, "--implementation", "cp"]
    for platform in expand_platforms(platforms):
        target += ["--platform", platform]
    args = ["download", "--only-binary=:all:", *target, "-d", str(wheels)]
    args += ["-c", str(pins), str(project_wheel)]
    built: set[str] = set()
    while True:
        result = offline_first(args, cache, check=False)
        if result.returncode == 0:
            return
        found = re.search(r"No matching distribution found for (\S+)", result.stderr)
        if "(constraint)" in result.stdout + result.stderr:
            fail(
                "the versions tested here (pinned) have no wheel for the target: try another"
                " --platform (e.g. manylinux_2_28_x86_64), or --no-pin for other versions",
                result,
            )
        if not found or found.group(1) in built:
            fail("a dependency has no wheel for the target", result)
        built.add(found.group(1))
        build_pure_wheel(found.group(1), cache, pins, result)


def expand_platforms(platforms: list[str]) -> list[str]:
    """manylinux_2_28_x86_64 also takes the older manylinux wheels a glibc 2.28 runs (pip 23
    does not infer them): manylinux_2_27 ... 2_17 (= manylinux2014), manylinux2010, manylinux1."""
    expanded: list[str] = []
    for platform in platforms:
        expanded.append(platform)
        found = re.fullmatch(r"manylinux_2_(\d+)_(\w+)", platform)
        if found:
            glibc, arch = int(found.group(1)), found.group(2)
            expanded += [f"manylinux_2_{minor}_{arch}" for minor in range(glibc - 1, 16, -1)]
            expanded += [f"manylinux2014_{arch}", f"manylinux2010_{arch}", f"manylinux1_{arch}"]
    return list(dict.fromkeys(expanded))


def build_pure_wheel(
    requirement: str, cache: Path, pins: Path, failed: subprocess.CompletedProcess[str]
) -> None:
    """A dependency published only as source: built here, usable elsewhere if pure Python."""
    probe = pip(
        "download",
        "--only-binary=:all:",
        "--no-deps",
        "-q",
        "-d",
        str(cache / "probe"),
        "-c",
        str(pins),
        requirement,
    )
    shutil.rmtree(cache / "probe", ignore_errors=True)
    if probe.returncode == 0:
        fail(
            f"{requirement} has wheels, but none for the target: try another --platform"
            " (e.g. manylinux_2_28_x86_64) or --no-pin, or build on a machine like the target",
            failed,
        )
    with tempfile.TemporaryDirectory() as out:
        offline_first(["wheel", "--no-deps", "-q", "-w", out, "-c", str(pins), requirement], cache)
        for wheel in Path(out).glob("*.whl"):
            if not wheel.name.endswith("-none-any.whl"):
                fail(f"{requirement} has no wheel and is not pure Python ({wheel.name})")
            shutil.copy2(wheel, cache / wheel.name)


def assemble(top: Path, version: str, py_version: str, platform: str) -> None:
    values = {"@VERSION@": version, "@PYTHON_VERSION@": py_version, "@PLATFORM@": platform}
    for template, mode in (("install.sh", 0o755), ("README.md", 0o644)):
        text = (TEMPLATES / template).read_text()
        for key, value in values.items():
            text = text.replace(key, value)
        (top / template).write_text(text)
        (top / template).chmod(mode)
    for doc in DOCS:
        if (ROOT / doc).exists():
            (top / doc).parent.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(ROOT / doc, top / doc)
    sums = []
    for path in sorted(p for p in top.rglob("*") if p.is_file()):
        digest = hashlib.sha256(path.read_bytes()).hexdigest()
        sums.append(f"{digest}  {path.relative_to(top).as_posix()}\n")
    (top / "SHA256SUMS").write_text("".join(sums))


def write_archive(top: Path, archive: Path, epoch: int) -> None:
    """A tar.gz whose bytes depend only on the files: sorted, fixed times, owners and modes."""

    def entry(path: Path) -> tarfile.TarInfo:
        info = tarfile.TarInfo((Path(top.name) / path.relative_to(top)).as_posix())
        info.mtime = epoch
        info.uid = info.gid = 0
        info.uname = info.gname = "root"
        if path.is_dir():
            info.type = tarfile.DIRTYPE
            info.mode = 0o755
        else:
            info.size = path.stat().st_size
            info.mode = 0o755 if os.access(path, os.X_OK) else 0o644
        return info

    partial = archive.with_name(archive.name + ".partial")
    with (
        open(partial, "wb") as raw,
        gzip.GzipFile(filename="", mode="wb", fileobj=raw, mtime=0, compresslevel=6) as zipped,
        tarfile.open(fileobj=zipped, mode="w", format=tarfile.USTAR_FORMAT) as tar,
    ):
        tar.addfile(entry(top))
        for path in sorted(top.rglob("*")):
            if path.is_dir():
                tar.addfile(entry(path))
            else:
                with open(path, "rb") as f:
                    tar.addfile(entry(path), f)
    partial.replace(archive)


def wheels_in(archive: Path) -> list[str]:
    with tarfile.open(archive) as tar:
        return [n for n in tar.getnames() if n.endswith(".whl")]


if __name__ == "__main__":
    main()

"""The offline install archive (scripts/make-dist, docs/zh/install-offline.md).

Built once per run (dist/.cache keeps the wheels between runs), unpacked into a temp directory
and installed into a fresh virtualenv by its own install.sh with no way to reach a package
index: pip is isolated from this machine's configuration (whose find-links and local mirrors
would hide a missing wheel), pointed at an address nothing answers, and, where `unshare --net`
works, has no network at all. The installed package then migrates, checks, collects its static
files and serves them with gunicorn, in the production configuration, with no checkout nearby.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import socket
import subprocess
import sys
import tarfile
import time
import urllib.error
import urllib.request
import zipfile
from collections.abc import Iterator
from pathlib import Path

import pytest
from django.conf import settings

pytestmark = pytest.mark.faults

ROOT = Path(__file__).resolve().parents[4]
PACKAGE = ROOT / "src" / "dangjian"


def can_unshare_net() -> bool:
    try:
        return subprocess.run(["unshare", "--net", "true"], capture_output=True).returncode == 0
    except OSError:
        return False


def clean_env(home: Path, **extra: str) -> dict[str, str]:
    """Nothing from this checkout's environment: no PYTHONPATH, DATABASE_URL, pip settings."""
    return {"PATH": "/usr/local/bin:/usr/bin:/bin", "HOME": str(home), "LANG": "C.UTF-8", **extra}


def offline_pip_env(home: Path) -> dict[str, str]:
    return clean_env(
        home,
        PIP_CONFIG_FILE=os.devnull,  # not /etc/pip.conf's find-links and file:// mirrors
        PIP_NO_INDEX="1",
        PIP_INDEX_URL="http://127.0.0.1:9/simple/",  # discard port: nothing answers
        PIP_NO_CACHE_DIR="1",
    )


def run_install(unpacked: Path, target: Path) -> subprocess.CompletedProcess[str]:
    command = ["sh", str(unpacked / "install.sh"), str(target)]
    if can_unshare_net():
        command = ["unshare", "--net", *command]
    # The interpreter this virtualenv was made from: the archive is built for its version.
    env = {**offline_pip_env(target.parent), "PYTHON": getattr(sys, "_base_executable", "")}
    return subprocess.run(
        command,
        env=env,
        capture_output=True,
        text=True,
        timeout=600,
    )


@pytest.fixture(scope="module")
def archive() -> Path:
    """scripts/make-dist into dist/ (as `make dist`), so its wheel cache outlives the run."""
    result = subprocess.run(
        [str(ROOT / "scripts" / "make-dist"), "--out", str(ROOT / "dist")],
        env={**os.environ, "DANGJIAN_PYTHON": sys.executable},
        capture_output=True,
        text=True,
        timeout=900,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    (path,) = re.findall(r"make-dist: (\S+\.tar\.gz)", result.stdout)
    return Path(path)


@pytest.fixture(scope="module")
def unpacked(archive: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    where = tmp_path_factory.mktemp("unpacked")
    with tarfile.open(archive) as tar:
        tar.extractall(where, filter="data")
    (top,) = where.iterdir()
    return top


@pytest.fixture(scope="module")
def site(unpacked: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    target = tmp_path_factory.mktemp("site") / "dangjian"
    result = run_install(unpacked, target)
    assert result.returncode == 0, result.stdout + result.stderr
    return target


def manage(site: Path, *args: str) -> str:
    result = subprocess.run(
        [str(site / ".venv" / "bin" / "dangjian"), *args],
        env=production_env(site),
        cwd=site.parent,
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert result.returncode == 0, f"dangjian {' '.join(args)}:\n{result.stdout}{result.stderr}"
    return result.stdout


def production_env(site: Path) -> dict[str, str]:
    return clean_env(
        site.parent,
        DANGJIAN_ENV="production",
        DANGJIAN_SECRET_KEY="offline-install-test-" + "k" * 40,
        DANGJIAN_FIELD_KEY="offline-install-test-field-key-" + "f" * 32,
        DANGJIAN_ALLOWED_HOSTS="127.0.0.1",
        DANGJIAN_TLS="0",  # plain http on loopback (docs/configuration.md)
    )


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def fetch(url: str) -> tuple[int, bytes]:
    try:
        with urllib.request.urlopen(url, timeout=10) as response:
            return response.status, response.read()
    except urllib.error.HTTPError as error:
        return error.code, error.read()


@pytest.fixture(scope="module")
def prepared(site: Path) -> Path:
    """migrate, check and collectstatic in the installed site, as docs/zh/install-offline.md."""
    code = "import dangjian; print(dangjian.__file__)"
    where = subprocess.run(
        [str(site / ".venv" / "bin" / "python"), "-c", code],
        env=production_env(site),
        cwd=site.parent,
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    assert where.startswith(str(site / ".venv")), where  # installed, not this checkout
    manage(site, "migrate", "--noinput")
    # No DANGJIAN_VAR_DIR / DANGJIAN_STATIC_ROOT: both go next to the .venv install.sh made.
    assert (site / "var" / "dangjian.sqlite3").is_file()
    manage(site, "check", "--deploy")
    manage(site, "collectstatic", "--noinput")
    return site


@pytest.fixture
def server(prepared: Path) -> Iterator[str]:
    """gunicorn from the installed virtualenv, on a free loopback port."""
    port = free_port()
    process = subprocess.Popen(
        [
            str(prepared / ".venv" / "bin" / "gunicorn"),
            "dangjian.wsgi",
            f"--bind=127.0.0.1:{port}",
            "--workers=1",
            "--timeout=120",
        ],
        env=production_env(prepared),
        cwd=prepared.parent,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 120
        while True:
            if process.poll() is not None:
                pytest.fail("gunicorn exited:\n" + process.communicate()[1].decode())
            try:
                if fetch(base + "/health/live/")[0] == 200:
                    break
            except OSError:
                pass
            assert time.monotonic() < deadline, "gunicorn did not answer /health/live/"
            time.sleep(0.2)
        yield base
    finally:
        process.terminate()
        process.wait(timeout=30)


def test_the_installed_site_serves_its_pages_and_front_end_files(
    prepared: Path, server: str
) -> None:
    status, login = fetch(server + "/accounts/login/")
    assert status == 200
    assert "登录" in login.decode()
    # The page names htmx by its hashed, collected name (ManifestStaticFilesStorage).
    (htmx,) = re.findall(r'src="(/static/vendor/htmx/htmx\.min\.[0-9a-f]+\.js)"', login.decode())
    status, body = fetch(server + htmx)
    assert status == 200
    assert b"htmx" in body[:5000]
    manifest = json.loads((prepared / "staticfiles" / "staticfiles.json").read_text())
    echarts = manifest["paths"]["vendor/echarts/echarts.min.js"]
    status, body = fetch(server + "/static/" + echarts)
    assert status == 200
    assert len(body) > 500_000 and b"echarts" in body[:5000]
    assert fetch(server + "/static/vendor/htmx/no-such-file.js")[0] == 404


def test_install_fails_when_the_archive_lacks_a_wheel(unpacked: Path, tmp_path: Path) -> None:
    """Proof that the install above could only use the archive: take Django away, pip fails."""
    broken = tmp_path / "broken"
    shutil.copytree(unpacked, broken)
    (django,) = (broken / "wheels").glob("django-5*.whl")
    django.unlink()
    sums = broken / "SHA256SUMS"
    sums.write_text(
        "".join(line for line in sums.read_text().splitlines(True) if django.name not in line)
    )
    result = run_install(broken, tmp_path / "site")
    assert result.returncode != 0
    assert "No matching distribution found for Django" in result.stdout + result.stderr


def test_install_refuses_an_altered_archive(unpacked: Path, tmp_path: Path) -> None:
    altered = tmp_path / "altered"
    shutil.copytree(unpacked, altered)
    with open(altered / "README.md", "a") as f:
        f.write("\n")
    result = run_install(altered, tmp_path / "site")
    assert result.returncode != 0
    assert "SHA256SUMS" in result.stderr
    assert not (tmp_path / "site").exists()


def package_files() -> set[str]:
    """Every file of the package a site needs: all but caches and the tests."""
    files = set()
    for path in PACKAGE.rglob("*"):
        relative = path.relative_to(PACKAGE.parent)
        if path.is_file() and "__pycache__" not in relative.parts and path.suffix != ".pyc":
            files.add(relative.as_posix())
    return files


def test_the_project_wheel_carries_every_package_file_and_the_front_end(unpacked: Path) -> None:
    (wheel,) = (unpacked / "wheels").glob("dangjian-*.whl")
    names = set(zipfile.ZipFile(wheel).namelist())
    missing = package_files() - names
    assert not missing, sorted(missing)[:20]
    # The npm files the pages load, as they are in node_modules.
    with zipfile.ZipFile(wheel) as archive:
        for name, source in settings.DANGJIAN_VENDOR_FILES.items():
            vendored = archive.read(f"dangjian/{name}")
            assert vendored == (ROOT / "node_modules" / source).read_bytes(), name
    # Templates, static files and data files, named here so a lost glob cannot pass unseen.
    for needed in (
        "dangjian/core/templates/base.html",
        "dangjian/core/static/core/app.css",
        "dangjian/stations/gb2260.txt",
        "dangjian/vendor/htmx/htmx.min.js",
        "dangjian/vendor/echarts/echarts.min.js",
    ):
        assert needed in names


def test_the_archive_holds_only_wheels_and_its_checksums_match(unpacked: Path) -> None:
    assert sorted(p.name for p in unpacked.iterdir()) == [
        "README.md",
        "SHA256SUMS",
        "docs",
        "install.sh",
        "wheels",
    ]
    assert all(p.suffix == ".whl" for p in (unpacked / "wheels").iterdir())
    assert (unpacked / "docs" / "zh" / "install-offline.md").is_file()
    check = subprocess.run(
        ["sha256sum", "--check", "--strict", "SHA256SUMS"], cwd=unpacked, capture_output=True
    )
    assert check.returncode == 0, check.stdout
    # Runtime dependencies only: the dev extras stay out.
    names = {p.name.split("-")[0].lower() for p in (unpacked / "wheels").iterdir()}
    assert {"django", "gunicorn", "whitenoise", "psycopg_binary"} <= names
    assert not names & {"pytest", "playwright", "ruff", "mypy", "locust", "hypothesis"}

"""Fixtures for the browser tests: the built sample site, a GitHub Pages-like server, Chromium.

Tools come from outside the Python environment and are installed by ``scripts/test.sh``:

- ``/usr/bin/chromium`` (Debian's chromium package), driven by Playwright's Python package;
- ``QI_AXE_JS``: path of axe-core's ``axe.min.js``;
- ``QI_VNU_JAR``: path of the Nu HTML checker's ``vnu.jar`` (run with ``java``).

When one of them is missing the tests that need it are skipped with the reason, except when the
environment variable ``CI`` is set: CI must never skip them silently, so they fail instead.

``QI_TEST_SITE_DIR``, when set, names an already built site to test instead of building one.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING, NoReturn

import pytest

if str(Path(__file__).resolve().parent) not in sys.path:
    sys.path.insert(0, str(Path(__file__).resolve().parent))
from ghpages import GhPagesServer

if TYPE_CHECKING:
    from playwright.sync_api import Browser

REPO_ROOT = Path(__file__).resolve().parents[2]
BASE_URL = "https://example.org/repo/"
BASE_PATH = "/repo/"
CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--enable-unsafe-swiftshader",
]


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line(
        "markers", "browser: runs the built site in headless Chromium (needs /usr/bin/chromium)"
    )


def in_ci() -> bool:
    return os.environ.get("CI", "").strip().lower() not in ("", "0", "false", "no")


def unavailable(reason: str) -> NoReturn:
    """Skip locally; fail under CI, where a missing tool must never pass unnoticed."""
    hint = " (scripts/test.sh installs it)"
    if in_ci():
        pytest.fail(f"{reason}{hint}; CI=true, so this is a failure, not a skip", pytrace=False)
    pytest.skip(f"{reason}{hint}")


@pytest.fixture(scope="session")
def built_site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The sample site, built once per session by the real CLI for https://example.org/repo/."""
    preset = os.environ.get("QI_TEST_SITE_DIR")
    if preset:
        site = Path(preset).resolve()
        assert site.is_dir(), f"QI_TEST_SITE_DIR={preset} is not a directory"
        return site
    out = tmp_path_factory.mktemp("built") / "site"
    cmd = [sys.executable, "generate.py", "build", "--out", str(out), "--base-url", BASE_URL]
    proc = subprocess.run(
        cmd, cwd=REPO_ROOT, capture_output=True, text=True, timeout=600, check=False
    )
    if proc.returncode != 0 or not (out / "index.html").is_file():
        pytest.fail(
            f"`{' '.join(cmd[1:])}` exited {proc.returncode}"
            f"{'' if (out / 'index.html').is_file() else ' and wrote no index.html'}\n"
            f"--- stdout ---\n{proc.stdout[-4000:]}\n--- stderr ---\n{proc.stderr[-4000:]}",
            pytrace=False,
        )
    return out


@pytest.fixture(scope="session")
def served_site(built_site: Path) -> Iterator[GhPagesServer]:
    """The built site served under /repo/ the way GitHub Pages serves a project site."""
    with GhPagesServer(built_site, BASE_PATH) as server:
        yield server


@pytest.fixture(scope="session")
def browser() -> Iterator[Browser]:
    """One headless Debian Chromium for the whole session (Playwright's own browsers unused)."""
    if not Path(CHROMIUM).is_file():
        unavailable(f"{CHROMIUM} not found (Debian package 'chromium')")
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        unavailable("Python package 'playwright' is not installed")
    with sync_playwright() as pw:
        chromium = pw.chromium.launch(
            executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS, chromium_sandbox=False
        )
        try:
            yield chromium
        finally:
            chromium.close()


@pytest.fixture(scope="session")
def axe_js() -> str:
    """Source of axe-core (axe.min.js) from $QI_AXE_JS."""
    path = os.environ.get("QI_AXE_JS")
    if not path or not Path(path).is_file():
        unavailable(f"axe-core not found: QI_AXE_JS={path!r} is not a file")
    return Path(path).read_text(encoding="utf-8")


@pytest.fixture(scope="session")
def vnu_command() -> list[str]:
    """Command prefix that runs the Nu HTML checker from $QI_VNU_JAR."""
    path = os.environ.get("QI_VNU_JAR")
    if not path or not Path(path).is_file():
        unavailable(f"Nu HTML checker not found: QI_VNU_JAR={path!r} is not a file")
    java = shutil.which("java")
    if java is None:
        unavailable("java not found (Debian package 'default-jre-headless')")
    # -Xss: the checker recurses deeply on large inline scripts (plotly figures)
    return [java, "-Xss4m", "-XX:+UseSerialGC", "-jar", path]

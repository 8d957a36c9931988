"""``serve`` in headless Chromium: an edit on disk shows in the open page without a reload from
the test, within 2 seconds; a broken edit shows the problems banner over the last good page; the
fix takes the banner away. Runs on a copy of the sample, never the repo's content."""

from __future__ import annotations

import shutil
import time
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING

import pytest

from qi_report.serve import Preview

if TYPE_CHECKING:
    from playwright.sync_api import Browser, ConsoleMessage

pytestmark = pytest.mark.browser

REPO = Path(__file__).resolve().parents[2]
EDITION = Path("content/editions/2020-01-improving-coaching.yaml")
TITLE = "Improving our improvement coaching"
WITHIN_MS = 2000


@pytest.fixture
def preview(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Preview]:
    """``serve`` with its watcher thread, on a copy of content/ and data/ (the working folder,
    so that problems name the file as a user sees it)."""
    shutil.copytree(REPO / "content", tmp_path / "content")
    shutil.copytree(REPO / "data", tmp_path / "data")
    monkeypatch.chdir(tmp_path)
    with Preview(Path("content"), Path("data"), port=0) as running:
        yield running


def h1(title: str) -> str:
    return f"() => document.querySelector('main h1')?.textContent === {title!r}"


def test_edits_show_in_the_open_page_and_problems_in_a_banner(
    browser: Browser, preview: Preview
) -> None:
    original = EDITION.read_text(encoding="utf-8")
    assert f"title: {TITLE}\n" in original and "status: published\n" in original
    page = browser.new_page()
    refused: list[str] = []

    def console(message: ConsoleMessage) -> None:
        if message.type == "error":
            refused.append(message.text)

    page.on("console", console)
    try:
        page.goto(preview.url + "editions/2020-01-improving-coaching/")
        page.wait_for_function(h1(TITLE), timeout=WITHIN_MS)

        # an edit: the page reloads by itself and shows it
        started = time.monotonic()
        EDITION.write_text(original.replace(TITLE, "Coaching, improved", 1), encoding="utf-8")
        page.wait_for_function(h1("Coaching, improved"), timeout=WITHIN_MS)
        shown_after = time.monotonic() - started
        assert page.locator("[role=alert]").count() == 0

        # a broken edit: the banner lists the file and line; the last good page stays
        broken = original.replace(TITLE, "Broken", 1).replace("status: published", "status: maybe")
        EDITION.write_text(broken, encoding="utf-8")
        banner = page.locator("#qi-serve-problems[role=alert]")
        page.wait_for_function(
            "() => document.querySelector('[role=alert]')?.textContent"
            f".includes('{EDITION.as_posix()}: line 5, field \\'status\\': \\'maybe\\'')",
            timeout=WITHIN_MS,
        )
        assert banner.is_visible()
        assert "1 problem found" in banner.inner_text()
        assert page.locator("main h1").inner_text() == "Coaching, improved"
        colours = banner.evaluate(
            "b => [getComputedStyle(b).color, getComputedStyle(b).backgroundColor,"
            " getComputedStyle(b).position]"
        )
        assert colours == ["rgb(0, 0, 0)", "rgb(255, 235, 59)", "fixed"]  # 17:1 contrast

        # the fix: a new build, so the page reloads, without the banner
        EDITION.write_text(original, encoding="utf-8")
        page.wait_for_function(
            f"() => !document.querySelector('[role=alert]') && ({h1(TITLE)})()",
            timeout=WITHIN_MS,
        )
    finally:
        page.close()
    assert shown_after < WITHIN_MS / 1000
    assert refused == [], "console errors (a Content-Security-Policy refusal?)"

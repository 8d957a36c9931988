"""Site search in headless Chromium, served under /repo/ as on GitHub Pages."""

from __future__ import annotations

import pytest
from ghpages import GhPagesServer
from playwright.sync_api import Browser

pytestmark = pytest.mark.browser


def test_search_from_a_story_page_finds_the_story(
    browser: Browser, served_site: GhPagesServer
) -> None:
    page = browser.new_page()
    try:
        # Start on a deep page, as a reader would, and use the search box in the header.
        page.goto(served_site.url("stories/protected-coaching-time/"))
        page.fill("#site-search-q", "shift pattern")
        page.press("#site-search-q", "Enter")
        page.wait_for_selector(".search-result")
        assert page.url.startswith(served_site.url("search/"))
        titles = page.locator(".search-result h2 a").all_inner_texts()
        assert "A buddy for every newly trained coach" in titles
        link = page.locator(".search-result h2 a", has_text="A buddy for every newly trained")
        link.click()
        page.wait_for_load_state()
        assert page.url == served_site.url("stories/coaching-buddies/")
        status = page.goto(served_site.url("search/?q=zzzznothing"))
        assert status is not None and status.ok
        page.wait_for_selector("#search-status:has-text('0 results')")
    finally:
        page.close()

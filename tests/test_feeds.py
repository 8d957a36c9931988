"""The Atom feed, the sitemap and the search index of the built sample site."""

from __future__ import annotations

import json
from pathlib import Path
from xml.etree import ElementTree as ET

import pytest
from click.testing import CliRunner

from qi_report.cli import main

REPO = Path(__file__).resolve().parent.parent
ATOM = "{http://www.w3.org/2005/Atom}"
SITEMAP = "{http://www.sitemaps.org/schemas/sitemap/0.9}"
BASE = "https://example.org/repo/"


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("feeds") / "site"
    result = CliRunner().invoke(
        main,
        [
            "build",
            "--content",
            str(REPO / "content"),
            "--data",
            str(REPO / "data"),
            "--out",
            str(out),
            "--base-url",
            BASE,
        ],
    )
    assert result.exit_code == 0, result.output
    return out


def published_editions() -> set[str]:
    import yaml

    found = set()
    for path in (REPO / "content" / "editions").glob("*.yaml"):
        if yaml.safe_load(path.read_text(encoding="utf-8"))["status"] == "published":
            found.add(path.stem)
    return found


def test_feed_is_atom_with_required_elements_and_absolute_links(site: Path) -> None:
    feed = ET.parse(site / "feed.xml").getroot()
    assert feed.tag == f"{ATOM}feed"
    # RFC 4287 4.1.1: a feed has id, title and updated, and an author (here on the feed).
    for tag in ("id", "title", "updated", "author"):
        assert feed.find(f"{ATOM}{tag}") is not None, tag
    self_link = feed.find(f"{ATOM}link[@rel='self']")
    assert self_link is not None and self_link.get("href") == BASE + "feed.xml"
    entries = feed.findall(f"{ATOM}entry")
    slugs = set()
    for entry in entries:
        for tag in ("id", "title", "updated", "summary"):
            assert entry.find(f"{ATOM}{tag}") is not None, tag
        link = entry.find(f"{ATOM}link[@rel='alternate']")
        assert link is not None
        href = link.get("href", "")
        assert href.startswith(BASE + "editions/") and href.endswith("/")
        slugs.add(href.removeprefix(BASE + "editions/").strip("/"))
    # Published editions only: the draft is not in the feed.
    assert slugs == published_editions()
    updated = [e.findtext(f"{ATOM}updated") for e in entries]
    assert updated == sorted(updated, reverse=True)


def test_sitemap_lists_every_page(site: Path) -> None:
    urls = {loc.text for loc in ET.parse(site / "sitemap.xml").getroot().iter(f"{SITEMAP}loc")}
    pages = set()
    for html in site.rglob("*.html"):
        relative = html.relative_to(site).as_posix()
        if relative == "404.html":
            continue
        pages.add(BASE + relative.removesuffix("index.html"))
    assert urls == pages


def test_pages_announce_feed_and_canonical_address(site: Path) -> None:
    html = (site / "stories" / "coaching-buddies" / "index.html").read_text(encoding="utf-8")
    assert (
        '<link rel="canonical" href="https://example.org/repo/stories/coaching-buddies/">' in html
    )
    assert 'type="application/atom+xml"' in html and 'href="../../feed.xml"' in html
    assert (
        '<meta property="og:image" content="https://example.org/repo/assets/og-image.png">' in html
    )
    assert (site / "assets" / "og-image.png").read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"


def test_no_feed_without_a_site_address(tmp_path: Path) -> None:
    content = tmp_path / "content"
    import shutil

    shutil.copytree(REPO / "content", content)
    site_yaml = content / "site.yaml"
    site_yaml.write_text(
        "\n".join(
            line for line in site_yaml.read_text().splitlines() if not line.startswith("site_url")
        )
        + "\n"
    )
    result = CliRunner().invoke(
        main,
        [
            "build",
            "--content",
            str(content),
            "--data",
            str(REPO / "data"),
            "--out",
            str(tmp_path / "site"),
        ],
    )
    assert result.exit_code == 0, result.output
    assert not (tmp_path / "site" / "feed.xml").exists()
    assert result.output.count("site_url") == 1
    assert "canonical" not in (tmp_path / "site" / "index.html").read_text()


def test_search_index_holds_stories_editions_and_measures(site: Path) -> None:
    entries = json.loads((site / "search.json").read_text(encoding="utf-8"))
    kinds = {e["k"] for e in entries}
    assert kinds == {"Edition", "Story", "Measure"}
    buddies = next(e for e in entries if e["u"] == "stories/coaching-buddies/")
    assert buddies["t"] == "A buddy for every newly trained coach"
    assert "shift pattern" in buddies["x"].lower()

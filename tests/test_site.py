"""The built site as a reader sees it, parsed from the HTML of a real build.

The fixture in tests/fixtures/small is tiny, so every figure below is worked out by hand:

active-coaches (coaches C1 trained 2019-01-15; C2 trained 2019-02-01, left 2019-03-31;
C3 trained 2019-03-10; coaching C1 2019-01-20..2019-02-10, C2 from 2019-02-01, C3 from
2019-04-01):
  2019-01: in post C1; C1 coaching            -> 1 of 1 = 100.0%
  2019-02: in post C1, C2; both coaching      -> 2 of 2 = 100.0%
  2019-03: C2 left on D (not after D): C1, C3; C1 ended before F, C3 not started -> 0 of 2
  2019-04: C1, C3; C3 started 2019-04-01      -> 1 of 2 = 50.0%
stalled-projects (P1 created 2018-11-01, scores 2018-12-01 1.0 and 2019-01-10 2.5; P2 created
2019-01-05, closed 2019-04-30, score 2019-02-01 3.0; window 3 months):
  2019-01: W = 2018-10-31, no project created by then -> no value, so the series starts in Feb
  2019-02: W = 2018-11-30: P1; score(D) 2.5 > score(W) 0.5 -> 0 of 1
  2019-03: W = 2018-12-31: P1; 2.5 > 1.0                    -> 0 of 1
  2019-04: W = 2019-01-31: P1 (P2 closed on D, so out); 2.5 <= 2.5 and <= 2.5 -> 1 of 1 = 100.0%
"""

from __future__ import annotations

import hashlib
import shutil
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import urljoin, urlsplit

import pytest
from click.testing import CliRunner

from qi_report.cli import main

FIXTURE = Path(__file__).parent / "fixtures" / "small"


VOID = {"meta", "link", "img", "br", "input", "hr", "path", "circle", "source", "wbr"}


class Page(HTMLParser):
    """Just enough of a page to assert on: the whole text of each element by tag and by
    class, links, sources of scripts, styles and images, and table rows."""

    def __init__(self, html: str) -> None:
        super().__init__()
        self.open: list[tuple[str, list[str], list[str]]] = []
        self.by_tag: dict[str, list[str]] = {}
        self.by_class: dict[str, list[str]] = {}
        self.links: list[str] = []
        self.sources: list[str] = []
        self.rows: list[list[str]] = []
        self.feed(html)

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        attributes = dict(attrs)
        if tag == "a" and attributes.get("href"):
            self.links.append(str(attributes["href"]))
        if tag in {"script", "img"} and attributes.get("src"):
            self.sources.append(str(attributes["src"]))
        if tag == "link" and attributes.get("rel") in {"stylesheet", "icon"}:
            self.sources.append(str(attributes["href"]))
        if tag == "tr":
            self.rows.append([])
        if tag not in VOID:
            self.open.append((tag, str(attributes.get("class") or "").split(), []))

    def handle_endtag(self, tag: str) -> None:
        while self.open:
            name, classes, parts = self.open.pop()
            text = " ".join(" ".join(parts).split())
            if self.open:
                self.open[-1][2].append(text)
            self.by_tag.setdefault(name, []).append(text)
            for cls in classes:
                self.by_class.setdefault(cls, []).append(text)
            if name in {"td", "th"} and self.rows:
                self.rows[-1].append(text)
            if name == tag:
                break

    def handle_data(self, data: str) -> None:
        if self.open and self.open[-1][0] not in {"script", "style"}:
            self.open[-1][2].append(data)

    def text(self, tag: str) -> list[str]:
        return self.by_tag.get(tag, [])

    def cls(self, name: str) -> list[str]:
        return self.by_class.get(name, [])


def build(out: Path, *extra: str, content: Path | None = None) -> tuple[int, str]:
    result = CliRunner().invoke(
        main,
        [
            "build",
            "--content",
            str(content or FIXTURE / "content"),
            "--data",
            str(FIXTURE / "data"),
            "--out",
            str(out),
            *extra,
        ],
    )
    return result.exit_code, result.output


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("built") / "site"
    code, output = build(out, "--base-url", "https://example.org/repo/")
    assert code == 0, output
    return out


def page(site: Path, path: str) -> Page:
    return Page((site / path).read_text(encoding="utf-8"))


def tree_digest(folder: Path) -> dict[str, str]:
    return {
        p.relative_to(folder).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest()
        for p in sorted(folder.rglob("*"))
        if p.is_file()
    }


def test_home_shows_latest_edition_and_measure_cards(site: Path) -> None:
    home = page(site, "index.html")
    # The latest published edition is May's (the June one is a draft).
    assert "Spring news & <b>updates</b>" in home.text("a")
    assert "2 May 2019" in home.text("time")
    active, stalled = home.cls("measure-card")
    assert active.startswith("% active coaches")
    assert "Latest 50.0% in April 2019 (1 of 2)" in active
    assert "Direction Higher is better" in active
    assert "Target 75%" in active
    assert "Latest 100.0% in April 2019 (1 of 1)" in stalled
    assert "Direction Lower is better" in stalled
    assert "measures/active-coaches/" in home.links
    assert "editions/" in home.links


def test_edition_page_has_heading_date_authors_and_blocks(site: Path) -> None:
    edition = page(site, "editions/2019-05-spring/index.html")
    assert edition.text("h1") == ["Spring news & <b>updates</b>"]
    assert "2 May 2019 · By Alex Example and Sam Example" in edition.cls("meta")
    assert "What is new" in edition.text("h2")
    # A site-absolute Markdown link becomes relative to the page.
    assert "../../stories/huddle/" in edition.links
    assert "https://example.org/" in edition.links
    assert "../../media/images/dot.svg" in edition.sources
    assert "It works." in edition.text("p")
    assert "Stalled project huddle" in edition.text("a")
    assert edition.cls("callout") == ["Remember Keep LifeQI up to date."]
    # The embedded measure brings the chart scripts, self-hosted, deferred.
    assert any(s.startswith("../../assets/plotly-") for s in edition.sources)


def test_pages_without_charts_load_no_javascript(site: Path) -> None:
    for path in (
        "index.html",
        "editions/index.html",
        "stories/index.html",
        "stories/huddle/index.html",
        "accessibility/index.html",
    ):
        assert not [s for s in page(site, path).sources if s.endswith(".js")], path


def test_drafts_are_left_out_unless_asked_for(site: Path, tmp_path: Path) -> None:
    assert not (site / "editions" / "2019-06-draft").exists()
    assert "Unfinished draft" not in page(site, "editions/index.html").text("a")
    code, output = build(tmp_path / "with-drafts", "--drafts")
    assert code == 0, output
    archive = page(tmp_path / "with-drafts", "editions/index.html")
    assert "Unfinished draft" in archive.text("a")


def test_archive_lists_editions_newest_first(site: Path) -> None:
    archive = page(site, "editions/index.html")
    titles = [
        t for t in archive.text("a") if t in {"Spring news & <b>updates</b>", "First edition"}
    ]
    assert titles == ["Spring news & <b>updates</b>", "First edition"]


def test_measure_page_table_matches_the_hand_calculation(site: Path) -> None:
    measure = page(site, "measures/active-coaches/index.html")
    assert measure.text("h1") == ["% active coaches"]
    body = [row[:4] for row in measure.rows[1:]]
    assert body == [
        ["January 2019", "1", "1", "100.0"],
        ["February 2019", "2", "2", "100.0"],
        ["March 2019", "0", "2", "0.0"],
        ["April 2019", "1", "2", "50.0"],
    ]
    stalled = page(site, "measures/stalled-projects/index.html")
    assert [row[:4] for row in stalled.rows[1:]] == [
        ["February 2019", "0", "1", "0.0"],
        ["March 2019", "0", "1", "0.0"],
        ["April 2019", "1", "1", "100.0"],
    ]
    assert "Operational definition" in measure.text("h2")
    assert "data.csv" in measure.links


def test_csv_download_is_the_charted_data(site: Path) -> None:
    lines = (site / "measures" / "active-coaches" / "data.csv").read_text().splitlines()
    assert lines[0].split(",")[:4] == ["period", "numerator", "denominator", "value"]
    rows = [line.split(",") for line in lines[1:]]
    assert [r[0] for r in rows] == ["2019-01", "2019-02", "2019-03", "2019-04"]
    assert [(r[1], r[2], float(r[3])) for r in rows] == [
        ("1", "1", 100.0),
        ("2", "2", 100.0),
        ("0", "2", 0.0),
        ("1", "2", 50.0),
    ]


def test_story_page_shows_pdsa_timeline_and_linked_measures(site: Path) -> None:
    story = page(site, "stories/huddle/index.html")
    assert story.text("h1") == ["Stalled project huddle"]
    assert story.text("h3") == ["Cycle 1", "Cycle 2"]
    assert "4 February 2019 to 1 March 2019" in story.text("p")
    assert "4 March 2019 to ongoing" in story.text("p")
    assert "../../measures/stalled-projects/" in story.links


def test_every_internal_link_and_asset_resolves(site: Path) -> None:
    for html in site.rglob("*.html"):
        if html.name == "404.html":
            continue
        parsed = Page(html.read_text(encoding="utf-8"))
        base = "/" + html.relative_to(site).as_posix()
        for url in parsed.links + parsed.sources:
            if urlsplit(url).scheme:
                continue
            target = urlsplit(urljoin(base, url)).path.lstrip("/")
            path = site / target
            if target == "" or target.endswith("/"):
                path = path / "index.html"
            assert path.is_file(), f"{base} links to {url}, which is not in the site"


def test_404_page_links_from_the_base_path(site: Path) -> None:
    missing = page(site, "404.html")
    assert "/repo/assets/site.css" in missing.sources
    assert "/repo/" in missing.links


def test_no_request_to_another_host(site: Path) -> None:
    for html in site.rglob("*.html"):
        for source in Page(html.read_text(encoding="utf-8")).sources:
            assert not urlsplit(source).netloc, f"{html}: {source}"


def test_two_builds_are_byte_identical(site: Path, tmp_path: Path) -> None:
    code, output = build(tmp_path / "again", "--base-url", "https://example.org/repo/")
    assert code == 0, output
    assert tree_digest(tmp_path / "again") == tree_digest(site)


def test_failed_build_leaves_previous_site_untouched(site: Path, tmp_path: Path) -> None:
    out = tmp_path / "site"
    shutil.copytree(site, out)
    before = tree_digest(out)
    broken = tmp_path / "content"
    shutil.copytree(FIXTURE / "content", broken)
    edition = broken / "editions" / "2019-03-first.yaml"
    edition.write_text(edition.read_text().replace("status: published", "status: publish"))
    code, output = build(out, content=broken)
    assert code == 1
    assert "2019-03-first.yaml: line 5, field 'status'" in output
    assert tree_digest(out) == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["content", "site"]


def test_refuses_to_replace_a_folder_that_is_not_a_build(tmp_path: Path) -> None:
    out = tmp_path / "precious"
    out.mkdir()
    (out / "notes.txt").write_text("keep me")
    code, output = build(out)
    assert code == 1
    assert "is not a previous qi-report build" in output
    assert (out / "notes.txt").read_text() == "keep me"


def test_refuses_to_build_over_the_content_folder(tmp_path: Path) -> None:
    content = tmp_path / "content"
    shutil.copytree(FIXTURE / "content", content)
    code, output = build(tmp_path, content=content)
    assert code == 1
    assert "it holds" in output
    assert (content / "site.yaml").is_file()


def test_markup_in_titles_is_shown_not_run(site: Path) -> None:
    html = (site / "editions" / "2019-05-spring" / "index.html").read_text()
    assert "Spring news &amp; &lt;b&gt;updates&lt;/b&gt;" in html
    assert "<b>updates</b>" not in html

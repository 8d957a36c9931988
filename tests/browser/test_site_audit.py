"""Audit of the built sample site as GitHub Pages would serve it under /repo/.

One crawl (plain HTTP) finds every page reachable from /repo/ and checks every internal link and
asset; one pass of headless Chromium then opens each page once and records console and page
errors, requests to other hosts, failed requests, chart rendering and axe-core results. Each test
below asserts one of those aspects, so a failure names exactly what is wrong, page by page.
"""

from __future__ import annotations

import contextlib
import json
import os
import subprocess
import urllib.error
import urllib.request
from collections import deque
from dataclasses import dataclass, field
from html.parser import HTMLParser
from pathlib import Path
from typing import TYPE_CHECKING, Any
from urllib.parse import unquote, urldefrag, urljoin, urlsplit

import pytest
from ghpages import GhPagesServer

if TYPE_CHECKING:
    from playwright.sync_api import Browser, ConsoleMessage, Page, Request, Response, Route

pytestmark = pytest.mark.browser

AXE_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]
AXE_BLOCKING = ("serious", "critical")
CHART = ".plotly-graph-div"
CHART_WAIT_MS = 5000
DEEP_MISSING = "a/b/c/missing"

# (tag, attribute) pairs whose URLs the crawl follows; srcset holds a list of candidates
LINK_ATTRS = {
    ("a", "href"),
    ("area", "href"),
    ("link", "href"),
    ("script", "src"),
    ("img", "src"),
    ("img", "srcset"),
    ("source", "src"),
    ("source", "srcset"),
    ("iframe", "src"),
    ("video", "src"),
    ("video", "poster"),
    ("audio", "src"),
    ("track", "src"),
    ("embed", "src"),
    ("object", "data"),
}
SKIP_SCHEMES = ("#", "mailto:", "tel:", "javascript:", "data:", "blob:", "sms:")


# --------------------------------------------------------------------------------------- crawl
class LinkParser(HTMLParser):
    """Collects (url, 'tag attr', line) for every URL-bearing attribute, and <base href>."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.links: list[tuple[str, str, int]] = []
        self.base_href: str | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        values = {k: v for k, v in attrs if v is not None}
        if tag == "base" and "href" in values and self.base_href is None:
            self.base_href = values["href"]
        rel = set(values.get("rel", "").lower().split())
        if tag == "link" and rel & {"preconnect", "dns-prefetch"}:
            return
        line = self.getpos()[0]
        for name, value in values.items():
            if (tag, name) not in LINK_ATTRS or not value.strip():
                continue
            if name == "srcset":
                urls = [c.split()[0] for c in value.split(",") if c.strip()]
            else:
                urls = [value.strip()]
            self.links += [(u, f"<{tag} {name}>", line) for u in urls]


def page_links(html: str, page_url: str, netloc: str) -> list[tuple[str, str, int]]:
    """Absolute same-origin URLs (fragment dropped) referenced by a page, with where from."""
    parser = LinkParser()
    parser.feed(html)
    base = urljoin(page_url, parser.base_href) if parser.base_href else page_url
    found = []
    for raw, via, line in parser.links:
        if raw.lower().startswith(SKIP_SCHEMES):
            continue
        url = urldefrag(urljoin(base, raw))[0]
        parts = urlsplit(url)
        if parts.scheme in ("http", "https") and parts.netloc == netloc:
            found.append((url, via, line))
    return found


def fetch(url: str) -> tuple[int, str, str, str | None]:
    """GET url following redirects -> (status, final url, content type, HTML text or None)."""
    try:
        with urllib.request.urlopen(url, timeout=30) as resp:
            ctype = resp.headers.get("Content-Type", "")
            body = resp.read().decode("utf-8", "replace") if "html" in ctype else None
            return resp.status, resp.geturl(), ctype, body
    except urllib.error.HTTPError as err:
        body = err.read().decode("utf-8", "replace")
        return err.code, url, err.headers.get("Content-Type", ""), body
    except OSError as err:
        return 0, url, str(err), None


def page_key(url: str) -> str:
    """dir/ and dir/index.html are the same page."""
    url = urldefrag(url)[0]
    return url.removesuffix("index.html") if url.endswith("/index.html") else url


@dataclass
class Broken:
    page: str
    url: str
    status: int
    via: str
    line: int = 0

    def __str__(self) -> str:
        where = f"{self.page}:{self.line}" if self.line else self.page
        status = self.status or "no answer"
        return f"{status} {self.url}  <- {where} ({self.via})"


@dataclass
class Crawl:
    pages: list[str] = field(default_factory=list)  # final URLs of the HTML pages reached
    checked: dict[str, int] = field(default_factory=dict)  # url -> status
    broken: list[Broken] = field(default_factory=list)


def crawl_site(server: GhPagesServer, start: str) -> Crawl:
    """Breadth-first over every same-origin URL reachable from start; checks each once."""
    result = Crawl()
    queue, queued = deque([start]), {start}
    referrers: dict[str, list[tuple[str, str, int]]] = {start: [("(start)", "start", 0)]}
    seen_pages: set[str] = set()
    while queue:
        url = queue.popleft()
        status, final, _, body = fetch(url)
        result.checked[url] = status
        if status != 200 or body is None or page_key(final) in seen_pages:
            continue
        seen_pages.add(page_key(final))
        result.pages.append(final)
        for link, via, line in page_links(body, final, server.netloc):
            referrers.setdefault(link, []).append((final, via, line))
            if link not in queued:
                queued.add(link)
                queue.append(link)
    result.broken = [
        Broken(short(page), short(url), result.checked[url], via, line)
        for url, refs in referrers.items()
        if result.checked[url] != 200
        for page, via, line in refs
    ]
    return result


def short(url: str) -> str:
    """Path (and query) of a test-server URL, for readable reports."""
    parts = urlsplit(url)
    if parts.scheme in ("http", "https") and parts.hostname == "127.0.0.1":
        return unquote(parts.path) + (f"?{parts.query}" if parts.query else "")
    return url


@pytest.fixture(scope="module")
def crawl(served_site: GhPagesServer) -> Crawl:
    return crawl_site(served_site, served_site.base_url)


# ------------------------------------------------------------------------------------- browser
CHARTS_READY_JS = """(sel) => [...document.querySelectorAll(sel)].every(
    el => el.querySelector('svg.main-svg') && el.querySelector('.trace'))"""
CHARTS_JS = """(sel) => [...document.querySelectorAll(sel)].map(el => ({
    id: el.id || '(no id)',
    svg: !!el.querySelector('svg.main-svg'),
    traces: el.querySelectorAll('.trace').length}))"""
AXE_RUN_JS = """async (tags) => {
  const r = await axe.run(document, {runOnly: {type: 'tag', values: tags},
                                     resultTypes: ['violations']});
  return r.violations.map(v => ({
    id: v.id, impact: v.impact, help: v.help,
    nodes: v.nodes.map(n => ({target: n.target.join(' '), html: n.html.slice(0, 160),
                              summary: (n.failureSummary || '').replace(/\\s+/g, ' ')}))}));
}"""


@dataclass
class PageReport:
    url: str
    status: int = 0
    console_errors: list[str] = field(default_factory=list)
    page_errors: list[str] = field(default_factory=list)
    failed: list[str] = field(default_factory=list)  # same-origin responses >= 400, failures
    external: list[str] = field(default_factory=list)  # blocked requests to other hosts
    charts: list[dict[str, Any]] = field(default_factory=list)
    axe: list[dict[str, Any]] = field(default_factory=list)
    blocked: set[str] = field(default_factory=set)
    stylesheets: list[tuple[int, str]] = field(default_factory=list)  # (status, url)

    @property
    def path(self) -> str:
        return short(self.url)


@dataclass
class Audit:
    pages: list[PageReport]
    cookies: list[dict[str, Any]]
    axe_ran: bool


def open_page(page: Page, report: PageReport, netloc: str) -> None:
    """Wire the listeners that fill ``report``, then load the page and wait for its charts."""
    from playwright.sync_api import Error as PlaywrightError
    from playwright.sync_api import TimeoutError as PlaywrightTimeout

    def on_console(msg: ConsoleMessage) -> None:
        if msg.type != "error":
            return
        where = (msg.location or {}).get("url", "")
        if where in report.blocked:
            return  # the "Failed to load resource" of a request we blocked: reported as external
        report.console_errors.append(msg.text + (f"  [{short(where)}]" if where else ""))

    def on_response(resp: Response) -> None:
        same_origin = urlsplit(resp.url).netloc == netloc
        if resp.request.resource_type == "stylesheet":
            report.stylesheets.append((resp.status, resp.url))
        if same_origin and resp.status >= 400 and resp.url != report.url:
            report.failed.append(f"{resp.status} {short(resp.url)} ({resp.request.resource_type})")

    def on_failed(req: Request) -> None:
        failure = req.failure or ""
        if urlsplit(req.url).netloc == netloc and "ERR_ABORTED" not in failure:
            report.failed.append(f"failed {short(req.url)} ({req.resource_type}: {failure})")

    page.on("console", on_console)
    page.on("pageerror", lambda err: report.page_errors.append(f"{err.name}: {err.message}"))
    page.on("response", on_response)
    page.on("requestfailed", on_failed)
    try:
        response = page.goto(report.url, wait_until="load")
    except PlaywrightError as err:
        report.page_errors.append(f"page did not load: {str(err).splitlines()[0]}")
        return
    report.status = response.status if response else 0
    if page.locator(CHART).count():
        with contextlib.suppress(PlaywrightTimeout):  # reported by test_every_chart_renders
            page.wait_for_function(CHARTS_READY_JS, arg=CHART, timeout=CHART_WAIT_MS)
        report.charts = page.evaluate(CHARTS_JS, CHART)


def route_to_server_only(netloc: str, current: dict[str, PageReport]) -> Any:
    """A route handler: same-origin requests go on, any other host is blocked and recorded."""

    def handler(route: Route) -> None:
        url = route.request.url
        parts = urlsplit(url)
        if parts.netloc == netloc or parts.scheme not in ("http", "https", "ws", "wss"):
            route.continue_()
            return
        report = current.get("page")
        if report is not None:
            report.external.append(f"{route.request.resource_type} {url}")
            report.blocked.add(url)
        route.abort("blockedbyclient")

    return handler


@pytest.fixture(scope="module")
def audit(crawl: Crawl, served_site: GhPagesServer, browser: Browser) -> Audit:
    """Every crawled page opened once in Chromium (one context, so cookies accumulate).

    axe-core runs on each page when $QI_AXE_JS is there; the axe test itself needs it.
    """
    axe_path = Path(os.environ.get("QI_AXE_JS") or "/nonexistent")
    axe_js = axe_path.read_text(encoding="utf-8") if axe_path.is_file() else None
    context = browser.new_context(service_workers="block", viewport={"width": 1280, "height": 800})
    context.set_default_timeout(30_000)
    current: dict[str, PageReport] = {}
    context.route("**/*", route_to_server_only(served_site.netloc, current))
    reports = []
    try:
        for url in crawl.pages:
            report = PageReport(url)
            current["page"] = report
            page = context.new_page()
            try:
                open_page(page, report, served_site.netloc)
                if axe_js is not None:
                    page.evaluate(axe_js)
                    report.axe = page.evaluate(AXE_RUN_JS, AXE_TAGS)
            finally:
                page.close()
            reports.append(report)
        current.clear()
        cookies = [dict(c) for c in context.cookies()]
    finally:
        context.close()
    return Audit(reports, cookies, axe_ran=axe_js is not None)


def report_lines(title: str, items: list[str]) -> str:
    return f"{title} ({len(items)}):\n  " + "\n  ".join(items)


# --------------------------------------------------------------------------------------- tests
def test_crawl_reaches_the_home_page_and_more(crawl: Crawl, served_site: GhPagesServer) -> None:
    assert crawl.pages, f"no HTML page reached from {served_site.base_url}"
    assert page_key(crawl.pages[0]) == served_site.base_url
    assert len(crawl.pages) > 1, "the home page links to no other page"


def test_no_broken_internal_links_or_assets(crawl: Crawl) -> None:
    broken = [str(b) for b in crawl.broken]
    assert not broken, report_lines(
        "internal links/assets not answering 200 (status url <- page:line)", broken
    )


def test_no_failed_requests_in_the_browser(audit: Audit) -> None:
    failed = [f"{p.path}: {f}" for p in audit.pages for f in p.failed]
    assert not failed, report_lines("same-origin requests that failed in Chromium", failed)


def test_no_console_errors_or_page_errors(audit: Audit) -> None:
    errors = [f"{p.path}: console: {e}" for p in audit.pages for e in p.console_errors]
    errors += [f"{p.path}: uncaught {e}" for p in audit.pages for e in p.page_errors]
    assert not errors, report_lines("console errors / uncaught exceptions", errors)


def test_no_requests_to_other_hosts(audit: Audit) -> None:
    external = [f"{p.path}: {e}" for p in audit.pages for e in p.external]
    assert not external, report_lines("requests to hosts other than the site (blocked)", external)


def test_every_chart_renders(audit: Audit) -> None:
    bad = [
        f"{p.path}: #{c['id']} svg.main-svg={c['svg']} .trace={c['traces']}"
        for p in audit.pages
        for c in p.charts
        if not (c["svg"] and c["traces"])
    ]
    assert not bad, report_lines(f"charts not rendered within {CHART_WAIT_MS} ms", bad)


def test_no_serious_or_critical_axe_violations(axe_js: str, audit: Audit) -> None:
    assert audit.axe_ran, "axe-core was not run (QI_AXE_JS changed during the session?)"
    lines, count = [], 0
    for p in audit.pages:
        for v in p.axe:
            if v["impact"] not in AXE_BLOCKING:
                continue
            count += 1
            lines.append(f"{p.path}: [{v['impact']}] {v['id']}: {v['help']} ({len(v['nodes'])}x)")
            for node in v["nodes"][:5]:
                lines.append(f"    at {node['target']}: {node['html']}")
                if node["summary"]:
                    lines.append(f"       {node['summary'][:300]}")
    title = f"axe-core: {count} serious/critical WCAG 2.1 AA violation(s)"
    assert not lines, title + ":\n  " + "\n  ".join(lines)


def test_no_cookies_are_set(audit: Audit) -> None:
    cookies = [f"{c['name']} (domain {c['domain']}, path {c['path']})" for c in audit.cookies]
    assert not cookies, report_lines("cookies set while browsing the site", cookies)


def test_nu_html_checker_finds_no_errors(built_site: Path, vnu_command: list[str]) -> None:
    files = sorted(str(p) for p in built_site.rglob("*.html") if p.is_file())
    assert files, f"no .html files in {built_site}"
    cmd = [*vnu_command, "--errors-only", "--format", "json", "--stdout", "--exit-zero-always"]
    proc = subprocess.run([*cmd, *files], capture_output=True, text=True, timeout=600, check=False)
    try:
        messages = json.loads(proc.stdout)["messages"]
    except (ValueError, KeyError):
        pytest.fail(
            f"vnu.jar gave no JSON report (exit {proc.returncode}):\n"
            f"{proc.stdout[:2000]}\n{proc.stderr[:2000]}",
            pytrace=False,
        )
    errors = []
    for m in messages:
        if m.get("type") not in ("error", "non-document-error"):
            continue
        file = unquote(m.get("url", "")).removeprefix("file:")
        rel = Path(file).relative_to(built_site) if file.startswith(str(built_site)) else file
        line = m.get("lastLine") or m.get("firstLine") or "?"
        extract = " ".join((m.get("extract") or "").split())[:120]
        errors.append(
            f"{rel}:{line}: {m.get('message', '')}" + (f"  [{extract}]" if extract else "")
        )
    assert not errors, report_lines("Nu HTML checker errors", errors)


LINKED_CSS_EFFECT_JS = """() => {
  const probes = ['body', 'main', 'h1', 'a', 'header', 'footer']
      .map(s => document.querySelector(s)).filter(Boolean);
  const props = ['font-family', 'color', 'background-color', 'margin-top', 'padding-top',
                 'font-size', 'max-width', 'display', 'border-top-width'];
  const snap = () => probes.map(el => {
      const cs = getComputedStyle(el);
      return props.map(p => cs.getPropertyValue(p)).join('|');
  }).join('||');
  const linked = [...document.styleSheets].filter(s => s.href);
  const rules = linked.map(s => { try { return s.cssRules.length; } catch (e) { return -1; } });
  const styled = snap();
  linked.forEach(s => { s.disabled = true; });
  const plain = snap();
  linked.forEach(s => { s.disabled = false; });
  return {linked: linked.length, rules, changes: styled !== plain};
}"""


def test_404_page_styles_itself_at_any_depth(served_site: GhPagesServer, browser: Browser) -> None:
    url = served_site.url(DEEP_MISSING)
    context = browser.new_context(service_workers="block")
    current: dict[str, PageReport] = {}
    context.route("**/*", route_to_server_only(served_site.netloc, current))
    report = current["page"] = PageReport(url)
    try:
        page = context.new_page()
        open_page(page, report, served_site.netloc)
        effect = page.evaluate(LINKED_CSS_EFFECT_JS)
    finally:
        context.close()
    path = short(url)
    assert report.status == 404, f"{path} answered {report.status}, expected 404"
    loaded = [u for status, u in report.stylesheets if status == 200]
    assert loaded, f"{path}: no stylesheet request answered 200 (seen: {report.stylesheets})"
    assert effect["linked"] and all(n > 0 for n in effect["rules"]), (
        f"{path}: linked stylesheets not applied: {effect}"
    )
    assert effect["changes"], f"{path}: its stylesheets change no computed style: {effect}"
    # the browser logs the 404 of the document itself as a console error: that one is expected
    own_404 = f"status of 404 (Not Found)  [{path}]"
    console = [e for e in report.console_errors if not e.endswith(own_404)]
    problems = report.failed + console + report.page_errors + report.external
    assert not problems, report_lines(f"{path}: problems on the 404 page", problems)


def test_404_page_links_work_at_any_depth(served_site: GhPagesServer) -> None:
    url = served_site.url(DEEP_MISSING)
    status, _, _, body = fetch(url)
    assert status == 404
    assert body, "the 404 answer has no HTML body"
    broken = []
    for link, via, line in page_links(body, url, served_site.netloc):
        link_status = fetch(link)[0]
        if link_status != 200:
            broken.append(str(Broken(short(url), short(link), link_status, via, line)))
    assert not broken, report_lines("links of the 404 page broken when served deep", broken)

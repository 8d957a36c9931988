"""Can the partial plotly.js bundle draw our charts? And does the text show before them?

    .venv/bin/python benchmarks/bundles.py [--delay SECONDS] [--keep DIR]

Builds the sample site twice, with the full plotly.js of the plotly package and with npm's
``plotly.js-basic-dist-min`` (installed by ``scripts/setup.sh`` into ``.cache/npm``), then:

1. prints the bytes of each bundle and of each chart page's first visit, raw and gzip -6;
2. opens every chart in headless Chromium (``/usr/bin/chromium``, through Playwright) from
   each build, served under ``/repo/``, and compares what was drawn: the traces, points,
   annotations and legend entries plotly drew, the pixels of each chart, and any console error;
3. serves plotly.js ``--delay`` seconds late (default 2) and checks, on each chart page, that
   the first contentful paint (the text) came before plotly.js had even arrived.

Exits 1 when a chart differs, an error is logged, or the text waited for plotly.js.
"""

from __future__ import annotations

import argparse
import gzip
import hashlib
import shutil
import sys
import tempfile
from pathlib import Path
from typing import Any

from localserver import Server

HERE = Path(__file__).resolve().parent
REPO = HERE.parent
CHROMIUM = "/usr/bin/chromium"
ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--no-first-run", "--disable-sync"]
BASE_URL = "https://example.org/repo/"

DRAWN = """(div) => ({
  traces: div.querySelectorAll('.scatterlayer .trace').length,
  points: div.querySelectorAll('.scatterlayer .point').length,
  lines: div.querySelectorAll('.scatterlayer .js-line').length,
  annotations: div.querySelectorAll('.annotation').length,
  legend: Array.from(div.querySelectorAll('.legendtext')).map(t => t.textContent),
  xticks: Array.from(div.querySelectorAll('.xtick text')).map(t => t.textContent),
  yticks: Array.from(div.querySelectorAll('.ytick text')).map(t => t.textContent),
})"""

TIMING = """() => {
  const paint = performance.getEntriesByName('first-contentful-paint')[0];
  const plotly = performance.getEntriesByType('resource').find(r => r.name.includes('/plotly'));
  return {fcp: paint ? paint.startTime : null, plotly_end: plotly ? plotly.responseEnd : null};
}"""


def build(out: Path, full: bool) -> str:
    """Build the sample into ``out``; the plotly.js file name it ships."""
    from qi_report import site
    from qi_report.build import build_site

    saved = site.PLOTLY_BASIC
    if full:
        site.PLOTLY_BASIC = Path("/nonexistent/plotly.js-basic-dist-min")
    try:
        build_site(REPO / "content", REPO / "data", out, base_url=BASE_URL)
        return site.plotly_filename()
    finally:
        site.PLOTLY_BASIC = saved


def sizes(path: Path) -> tuple[int, int]:
    data = path.read_bytes()
    return len(data), len(gzip.compress(data, 6, mtime=0))


def chart_pages(site: Path) -> list[str]:
    return sorted(
        p.relative_to(site).as_posix()
        for p in site.rglob("index.html")
        if "data-figure" in p.read_text(encoding="utf-8")
    )


def draw_all(browser: Any, url: str, pages: list[str], shots: Path) -> dict[str, Any]:
    """Every chart of every page as drawn: its elements, a hash of its pixels, and errors."""
    found: dict[str, Any] = {}
    for page_path in pages:
        page = browser.new_page(viewport={"width": 1000, "height": 900})
        errors: list[str] = []
        page.on("console", lambda m, e=errors: e.append(m.text) if m.type == "error" else None)
        page.on("pageerror", lambda x, e=errors: e.append(str(x)))
        page.goto(url + page_path.removesuffix("index.html"), wait_until="load")
        plots = page.locator(".chart__plot[data-figure]")
        for i in range(plots.count()):
            div = plots.nth(i)
            div.locator("svg.main-svg").first.wait_for(timeout=20000)
            page.wait_for_timeout(300)  # let plotly finish its transitions
            shot = shots / f"{page_path.replace('/', '_')}-{i}.png"
            div.screenshot(path=str(shot))
            found[f"{page_path} #{i + 1}"] = {
                "drawn": div.evaluate(DRAWN),
                "pixels": hashlib.sha256(shot.read_bytes()).hexdigest()[:16],
            }
        found[f"{page_path} errors"] = errors
        page.close()
    return found


def paint_before_plotly(browser: Any, url: str, pages: list[str]) -> dict[str, Any]:
    results = {}
    for page_path in pages:
        page = browser.new_page()
        page.goto(url + page_path.removesuffix("index.html"), wait_until="load")
        page.locator(".chart__plot svg.main-svg").first.wait_for(timeout=30000)
        results[page_path] = page.evaluate(TIMING)
        page.close()
    return results


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--delay", type=float, default=2.0, help="plotly.js late by (s)")
    parser.add_argument("--keep", type=Path, help="keep the two sites and screenshots here")
    options = parser.parse_args()
    work = Path(tempfile.mkdtemp(prefix="qi-report-bundles-"))
    try:
        return run(work, options.delay)
    finally:
        if options.keep:
            shutil.copytree(work, options.keep, dirs_exist_ok=True)
        shutil.rmtree(work, ignore_errors=True)


def run(work: Path, delay: float) -> int:
    names = {}
    for kind in ("full", "basic"):
        names[kind] = build(work / kind / "repo", full=kind == "full")
    if names["basic"] == names["full"]:
        print("plotly.js-basic-dist-min is not installed (bash scripts/setup.sh installs it)")
        return 1
    print("bundle                            raw KiB   gzip KiB")
    for kind, name in names.items():
        raw, packed = sizes(work / kind / "repo" / "assets" / name)
        print(f"{name:<32}{raw / 1024:>9,.1f}{packed / 1024:>11,.1f}")
    sys.path.insert(0, str(HERE))
    from pageweight import weigh

    print("\nchart page, first visit (gzip -6 KiB): full -> basic")
    weights = {kind: weigh(work / kind / "repo", "/repo/") for kind in names}
    for full, basic in zip(weights["full"], weights["basic"], strict=True):
        if full.charts:
            before, after = full.total("transferred") / 1024, basic.total("transferred") / 1024
            print(f"  {full.path:<52}{before:>9,.1f} -> {after:,.1f}")
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        print(
            "\nplaywright is not installed (.venv/bin/pip install -e '.[test]'): no drawing check"
        )
        return 1
    if not Path(CHROMIUM).exists():
        print(f"\n{CHROMIUM} not found: no drawing check")
        return 1
    pages = chart_pages(work / "full" / "repo")
    ok = True
    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        drawn = {}
        for kind in names:
            server = Server(work / kind)
            try:
                shots = work / f"shots-{kind}"
                shots.mkdir()
                drawn[kind] = draw_all(browser, server.url, pages, shots)
            finally:
                server.close()
        print(f"\n{len(pages)} chart pages, drawn with each bundle:")
        for key, full_result in drawn["full"].items():
            basic_result = drawn["basic"][key]
            if key.endswith("errors"):
                errors = full_result + basic_result
                ok &= not errors
                if errors:
                    print(f"  {key}: {errors}")
                continue
            same = full_result == basic_result
            ok &= same
            d = basic_result["drawn"]
            print(
                f"  {key:<56} {'same' if same else 'DIFFERENT'}: {d['traces']} traces, "
                f"{d['points']} points, {d['annotations']} annotations, legend {len(d['legend'])}"
                f", pixels {'identical' if same else basic_result['pixels']}"
            )
        server = Server(work / "basic", delay=delay)
        try:
            timings = paint_before_plotly(browser, server.url, pages)
        finally:
            server.close()
        browser.close()
    print(f"\nplotly.js served {delay:g} s late: first contentful paint vs plotly.js arrival (ms)")
    for page_path, t in timings.items():
        early = t["fcp"] is not None and t["plotly_end"] is not None and t["fcp"] < t["plotly_end"]
        ok &= early
        print(
            f"  {page_path:<52} text painted at {t['fcp'] or 0:>6.0f}, plotly.js arrived at "
            f"{t['plotly_end'] or 0:>6.0f}: {'text first' if early else 'TEXT WAITED'}"
        )
    print("\nall charts drawn the same, no errors, text first" if ok else "\nPROBLEMS above")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())

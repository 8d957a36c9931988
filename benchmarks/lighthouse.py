"""Lighthouse (mobile, its default) on the sample site's home page and a measure page.

    .venv/bin/python benchmarks/lighthouse.py [--gzip] [--full-plotly] [--pages PATH,...]
                                              [--json FILE] [--keep DIR]

Builds the sample with ``--base-url https://example.org/repo/``, serves a folder holding
``repo/`` -> the site on 127.0.0.1 under ``/repo/`` (as GitHub Pages serves a project site),
and runs Lighthouse 12.2.3 against each page with Debian's chromium. Lighthouse is installed,
pinned, with npm into ``$QI_LIGHTHOUSE_CACHE`` (default
``${XDG_CACHE_HOME:-~/.cache}/qi-report-lighthouse``), outside the repository, on first use.

The server is Python's ``http.server``, which sends files as they are; ``--gzip`` compresses
text (HTML, CSS, JS, JSON, SVG, XML) with gzip -6, as GitHub Pages does, for the scores a
reader of the published site would see. ``--full-plotly`` builds with the plotly package's full
plotly.js, as a machine without npm does, for comparison. Prints the four scores of each page
and every audit that did not pass; exits 1 when a score is under the aim (100 for
accessibility, best practices and SEO; 90 for performance).
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path
from typing import Any

from localserver import Server

REPO = Path(__file__).resolve().parent.parent
VERSION = "12.2.3"
CHROMIUM = "/usr/bin/chromium"
CHROME_FLAGS = (
    "--headless --no-sandbox --disable-gpu --disable-quic --no-first-run "
    "--disable-background-networking --disable-component-update --disable-sync"
)
CATEGORIES = ("performance", "accessibility", "best-practices", "seo")
AIM = {"performance": 90, "accessibility": 100, "best-practices": 100, "seo": 100}
PAGES = ("", "measures/active-coaches/")


def cache_dir() -> Path:
    default = Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache")
    return Path(os.environ.get("QI_LIGHTHOUSE_CACHE") or default / "qi-report-lighthouse")


def lighthouse() -> Path:
    """The pinned Lighthouse, installed with npm into the cache folder when missing."""
    prefix = cache_dir()
    binary = prefix / "node_modules" / ".bin" / "lighthouse"
    package = prefix / "node_modules" / "lighthouse" / "package.json"
    installed = package.is_file() and json.loads(package.read_text(encoding="utf-8"))
    if binary.exists() and installed and installed.get("version") == VERSION:
        return binary
    if shutil.which("npm") is None:
        raise SystemExit("lighthouse: npm is needed (apt-get install npm)")
    print(f"npm install lighthouse@{VERSION} into {prefix}", flush=True)
    prefix.mkdir(parents=True, exist_ok=True)
    subprocess.run(
        [
            *("npm", "install", "--prefix", str(prefix), "--no-save", "--no-package-lock"),
            *("--no-audit", "--no-fund", f"lighthouse@{VERSION}"),
        ],
        check=True,
        stdout=subprocess.DEVNULL,
    )
    return binary


def run_page(binary: Path, url: str, out: Path) -> dict[str, Any]:
    cmd = [str(binary), url, "--quiet", "--output=json", f"--output-path={out}"]
    cmd += [f"--chrome-flags={CHROME_FLAGS}", f"--only-categories={','.join(CATEGORIES)}"]
    subprocess.run(cmd, check=True, env=os.environ | {"CHROME_PATH": CHROMIUM}, timeout=600)
    report: dict[str, Any] = json.loads(out.read_text(encoding="utf-8"))
    return report


def summary(report: dict[str, Any]) -> dict[str, Any]:
    audits = report["audits"]
    failing = [
        f"{key} ({audit.get('displayValue') or audit['score']})"
        for key, audit in sorted(audits.items())
        if audit.get("score") is not None
        and audit["score"] < 1
        and audit.get("scoreDisplayMode") in ("binary", "numeric", "metricSavings")
    ]
    metrics = {
        key: audits[key].get("displayValue")
        for key in (
            "first-contentful-paint",
            "largest-contentful-paint",
            "total-blocking-time",
            "cumulative-layout-shift",
            "speed-index",
        )
    }
    return {
        "scores": {c: round(report["categories"][c]["score"] * 100) for c in CATEGORIES},
        "metrics": metrics,
        "not passed": failing,
        "lighthouse": report.get("lighthouseVersion"),
        "form factor": report["configSettings"]["formFactor"],
    }


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--gzip", action="store_true", help="compress text as GitHub Pages does")
    parser.add_argument("--pages", default=",".join(PAGES), help="paths under /repo/")
    parser.add_argument("--json", type=Path, help="write the summaries to this file")
    parser.add_argument("--keep", type=Path, help="keep the full Lighthouse reports here")
    parser.add_argument(
        "--full-plotly", action="store_true", help="ship the full plotly.js even if basic is here"
    )
    options = parser.parse_args()
    binary = lighthouse()
    from qi_report import site
    from qi_report.build import build_site

    if options.full_plotly:  # as a machine without npm builds
        site.PLOTLY_BASIC = Path("/nonexistent/plotly.js-basic-dist-min")

    results = {}
    with tempfile.TemporaryDirectory(prefix="qi-report-lighthouse-") as tmp:
        root = Path(tmp)
        build_site(
            REPO / "content", REPO / "data", root / "repo", base_url="https://example.org/repo/"
        )
        server = Server(root, compress=options.gzip)
        try:
            for path in options.pages.split(","):
                name = (path.strip("/").replace("/", "-") or "home") + ".json"
                report = run_page(binary, server.url + path, root / name)
                results[path or "/"] = summary(report)
                if options.keep:
                    options.keep.mkdir(parents=True, exist_ok=True)
                    shutil.copy(root / name, options.keep / name)
        finally:
            server.close()
    ok = True
    served = "gzip -6" if options.gzip else "uncompressed (python http.server)"
    bundle = "full plotly.js" if options.full_plotly else site.plotly_filename()
    print(f"Lighthouse {VERSION}, mobile, served {served}, {bundle}:")
    for path, found in results.items():
        scores = found["scores"]
        ok &= all(scores[c] >= AIM[c] for c in CATEGORIES)
        print(f"  /repo/{path.lstrip('/')}: " + ", ".join(f"{c} {s}" for c, s in scores.items()))
        print("    " + ", ".join(f"{k} {v}" for k, v in found["metrics"].items()))
        for item in found["not passed"]:
            print(f"    not passed: {item}")
    if options.json:
        options.json.write_text(json.dumps(results, indent=2) + "\n", encoding="utf-8")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())

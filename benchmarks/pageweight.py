"""What each page of a built site transfers on a first visit (empty browser cache).

For every HTML page: the page itself, the stylesheets, scripts, images and icons it links, and
the data its scripts fetch, each counted once per page. Sizes are raw and gzip -6 (what a web
server such as GitHub Pages sends for text). "Transferred" is gzip -6 for text files and raw
for images that are already compressed (PNG, JPEG, WebP, AVIF). A link the browser only
follows when the reader clicks it (a measure's ``data.csv``, another page) is not counted.
"""

from __future__ import annotations

import gzip
import re
from dataclasses import dataclass, field
from html.parser import HTMLParser
from pathlib import Path, PurePosixPath
from urllib.parse import urlsplit

TYPES = ("html", "css", "js", "data", "images")
COMPRESSED = {".png", ".jpg", ".jpeg", ".webp", ".avif", ".gif", ".woff2"}
FETCH = re.compile(r"""fetch\(\s*root\s*\+\s*["']([^"']+)["']""")
"""A script's fetch of a file of the site, as ``assets/search.js`` writes it."""
LIGHT_LIMIT = 60 * 1024
"""Pages without charts must transfer less than this (issue 7)."""


@dataclass
class Resource:
    path: str
    kind: str
    raw: int
    gzip: int
    transferred: int


@dataclass
class Page:
    path: str
    charts: bool
    resources: list[Resource] = field(default_factory=list)
    plotly_scripts: int = 0
    plotly_deferred: bool = True

    def total(self, measure: str, kind: str | None = None) -> int:
        return sum(getattr(r, measure) for r in self.resources if kind in (None, r.kind))

    @property
    def light_ok(self) -> bool:
        return self.charts or self.total("transferred") < LIGHT_LIMIT


class _Links(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.found: list[tuple[str, str]] = []  # (kind, url)
        self.scripts: list[tuple[str, bool]] = []  # (src, defer)
        self.charts = False

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = dict(attrs)
        rel = (a.get("rel") or "").lower().split()
        if tag == "link" and "stylesheet" in rel and a.get("href"):
            self.found.append(("css", a["href"] or ""))
        elif tag == "link" and "icon" in rel and a.get("href"):
            self.found.append(("images", a["href"] or ""))
        elif tag == "script" and a.get("src"):
            self.found.append(("js", a["src"] or ""))
            self.scripts.append((a["src"] or "", "defer" in a or "async" in a))
        elif tag in ("img", "source"):
            for url in [a.get("src") or "", *_srcset(a.get("srcset") or "")]:
                if url:
                    self.found.append(("images", url))
        if "data-figure" in a:
            self.charts = True


def _srcset(value: str) -> list[str]:
    return [part.strip().split()[0] for part in value.split(",") if part.strip()]


def _local(site: Path, page: str, url: str, base_path: str) -> str | None:
    """The site-relative path of a link from ``page``, or None when it leaves the site."""
    parts = urlsplit(url)
    if parts.scheme or parts.netloc or not parts.path:
        return None
    if parts.path.startswith("/"):  # base-path-absolute, as on the 404 page
        if not parts.path.startswith(base_path):
            return None
        joined = PurePosixPath(parts.path[len(base_path) :])
    else:
        joined = PurePosixPath(page).parent / parts.path
    resolved: list[str] = []
    for piece in joined.parts:
        if piece == "..":
            if resolved:
                resolved.pop()
        elif piece != ".":
            resolved.append(piece)
    relative = "/".join(resolved)
    if relative.endswith("/") or (site / relative).is_dir():
        relative = relative.rstrip("/") + "/index.html"
    return relative


def _sizes(path: Path) -> tuple[int, int, int]:
    data = path.read_bytes()
    packed = len(gzip.compress(data, compresslevel=6, mtime=0))
    sent = len(data) if path.suffix.lower() in COMPRESSED else packed
    return len(data), packed, sent


def weigh(site: Path, base_path: str = "/") -> list[Page]:
    """Every HTML page of ``site`` (served under ``base_path``) with what it transfers."""
    pages = []
    for html_path in sorted(site.rglob("*.html")):
        relative = html_path.relative_to(site).as_posix()
        parser = _Links()
        parser.feed(html_path.read_text(encoding="utf-8"))
        raw, packed, sent = _sizes(html_path)
        page = Page(relative, parser.charts, [Resource(relative, "html", raw, packed, sent)])
        seen = {relative}
        wanted = [(kind, _local(site, relative, url, base_path)) for kind, url in parser.found]
        for kind, target in list(wanted):
            if kind == "js" and target and (site / target).is_file():
                script = (site / target).read_text(encoding="utf-8", errors="replace")
                wanted += [("data", fetched) for fetched in FETCH.findall(script)]  # from root
        for kind, target in wanted:
            if target is None or target in seen or not (site / target).is_file():
                continue
            seen.add(target)
            raw, packed, sent = _sizes(site / target)
            page.resources.append(Resource(target, kind, raw, packed, sent))
        plotly = [(src, deferred) for src, deferred in parser.scripts if "plotly" in src]
        page.plotly_scripts = len(plotly)
        page.plotly_deferred = all(deferred for _, deferred in plotly)
        pages.append(page)
    return pages


def kib(n: int) -> str:
    return f"{n / 1024:,.1f}"


def table(pages: list[Page]) -> str:
    """A text table: per page, KiB by type (transferred), total raw and transferred."""
    head = f"{'page':<52} {'charts':>6} " + " ".join(f"{t:>7}" for t in TYPES)
    head += f" {'raw KiB':>9} {'sent KiB':>9}  <60 KiB"
    lines = [head, "-" * len(head)]
    for page in pages:
        by_type = " ".join(f"{kib(page.total('transferred', t)):>7}" for t in TYPES)
        light = "n/a" if page.charts else ("yes" if page.light_ok else "NO")
        lines.append(
            f"{page.path:<52} {'yes' if page.charts else '':>6} {by_type} "
            f"{kib(page.total('raw')):>9} {kib(page.total('transferred')):>9}  {light}"
        )
    lines.append("(by type and 'sent': gzip -6 for text, raw for PNG/JPEG/WebP; first visit)")
    return "\n".join(lines)


def as_json(pages: list[Page]) -> list[dict[str, object]]:
    return [
        {
            "page": p.path,
            "charts": p.charts,
            "plotly_scripts": p.plotly_scripts,
            "plotly_deferred": p.plotly_deferred,
            "raw": {t: p.total("raw", t) for t in TYPES} | {"total": p.total("raw")},
            "gzip": {t: p.total("gzip", t) for t in TYPES} | {"total": p.total("gzip")},
            "transferred": {t: p.total("transferred", t) for t in TYPES}
            | {"total": p.total("transferred")},
            "files": [r.__dict__ for r in p.resources],
        }
        for p in pages
    ]

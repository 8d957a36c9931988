"""The site search index: one small JSON file that ``assets/search.js`` searches in the browser.

We measured Pagefind (PyPI ``pagefind[bin]``) against this on the sample site: Pagefind's
client is a WebAssembly module plus JavaScript and index fragments of well over 100 KB, where
the whole text of a newsletter site of this size indexes into a few tens of KB (a fraction of
that gzipped), searched by a short script of our own with no binary to install. A site of
thousands of pages would tip the balance back to Pagefind.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from dataclasses import dataclass
from html.parser import HTMLParser

SKIPPED = {"script", "style", "nav", "svg", "figure", "table"}
"""Page parts that are not prose: scripts, navigation, drawings, and the measure data tables."""

SECTION_LABELS = {"editions": "Edition", "stories": "Story", "measures": "Measure"}


@dataclass(frozen=True)
class Entry:
    url: str  # relative to the site root
    title: str
    kind: str
    summary: str
    text: str


class _MainText(HTMLParser):
    """The readable text inside <main>, without the parts in SKIPPED."""

    def __init__(self) -> None:
        super().__init__()
        self.depth_main = 0
        self.skipping = 0
        self.parts: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag == "main":
            self.depth_main += 1
        elif self.depth_main and tag in SKIPPED:
            self.skipping += 1

    def handle_endtag(self, tag: str) -> None:
        if tag == "main":
            self.depth_main -= 1
        elif self.depth_main and tag in SKIPPED and self.skipping:
            self.skipping -= 1

    def handle_data(self, data: str) -> None:
        if self.depth_main and not self.skipping:
            self.parts.append(data)


def page_text(html: str) -> str:
    parser = _MainText()
    parser.feed(html)
    return " ".join(" ".join(parser.parts).split())


def entry(path: str, section: str, title: str, summary: str, html: str) -> Entry | None:
    """The index entry of one page, or None for pages that are not searched (lists, 404)."""
    kind = SECTION_LABELS.get(section)
    depth = path.count("/")
    if kind is None or depth != 2:
        return None
    return Entry(path.removesuffix("index.html"), title, kind, summary, page_text(html))


def index_json(entries: Iterable[Entry]) -> str:
    rows = [{"u": e.url, "t": e.title, "k": e.kind, "s": e.summary, "x": e.text} for e in entries]
    return json.dumps(rows, ensure_ascii=False, separators=(",", ":"), sort_keys=True)

"""The files that other programs read: the Atom feed of editions and the sitemap.

Both need absolute URLs, so both are written only when the site's address is known (``site_url``
in site.yaml or ``--base-url``). Dates come from the content, never from the clock, so that two
builds of the same input are identical.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from xml.etree import ElementTree as ET

from qi_report.content import Edition

ATOM = "http://www.w3.org/2005/Atom"
SITEMAP = "http://www.sitemaps.org/schemas/sitemap/0.9"


def absolute(site_url: str, path: str) -> str:
    """The public URL of a file of the site: 'editions/x/index.html' -> '<site>/editions/x/'."""
    if path == "index.html":
        path = ""
    elif path.endswith("/index.html"):
        path = path.removesuffix("index.html")
    return site_url.rstrip("/") + "/" + path


def _timestamp(day: dt.date) -> str:
    return f"{day.isoformat()}T00:00:00Z"


def atom_feed(
    site_url: str, title: str, subtitle: str, author: str, editions: Sequence[Edition]
) -> str:
    """An Atom (RFC 4287) feed of published editions, newest first."""
    ET.register_namespace("", ATOM)
    feed = ET.Element(f"{{{ATOM}}}feed")

    def add(parent: ET.Element, tag: str, text: str | None = None, **attrs: str) -> ET.Element:
        element = ET.SubElement(parent, f"{{{ATOM}}}{tag}", attrs)
        if text is not None:
            element.text = text
        return element

    feed_url = absolute(site_url, "feed.xml")
    add(feed, "id", absolute(site_url, "index.html"))
    add(feed, "title", title)
    if subtitle:
        add(feed, "subtitle", subtitle)
    latest = max((e.date for e in editions), default=dt.date(1970, 1, 1))
    add(feed, "updated", _timestamp(latest))
    add(feed, "link", rel="self", href=feed_url, type="application/atom+xml")
    add(feed, "link", rel="alternate", href=absolute(site_url, "index.html"), type="text/html")
    add(add(feed, "author"), "name", author or title)
    for edition in editions:
        url = absolute(site_url, f"editions/{edition.slug}/index.html")
        entry = add(feed, "entry")
        add(entry, "id", url)
        add(entry, "title", edition.title)
        add(entry, "updated", _timestamp(edition.date))
        add(entry, "published", _timestamp(edition.date))
        add(entry, "link", rel="alternate", href=url, type="text/html")
        for name in edition.authors:
            add(add(entry, "author"), "name", name)
        add(entry, "summary", edition.summary)
    ET.indent(feed)
    return '<?xml version="1.0" encoding="utf-8"?>\n' + ET.tostring(feed, "unicode") + "\n"


def sitemap(site_url: str, paths: Sequence[str]) -> str:
    """A sitemap of every page (404 excluded), in the order given."""
    ET.register_namespace("", SITEMAP)
    root = ET.Element(f"{{{SITEMAP}}}urlset")
    for path in paths:
        url = ET.SubElement(root, f"{{{SITEMAP}}}url")
        ET.SubElement(url, f"{{{SITEMAP}}}loc").text = absolute(site_url, path)
    ET.indent(root)
    return '<?xml version="1.0" encoding="utf-8"?>\n' + ET.tostring(root, "unicode") + "\n"

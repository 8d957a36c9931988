"""Markdown in content strings, rendered to HTML and sanitised.

Writers link to other pages of the site with root-relative paths (``/stories/coaching-buddies/``);
these are rewritten relative to the page they appear on, so the site works under any base path.
The HTML is cleaned by nh3 (the Ammonia sanitiser): only the tags and attributes below survive,
and links may only be http, https, mailto or relative.
"""

from __future__ import annotations

from functools import lru_cache
from html import unescape

import markdown
import nh3
from markupsafe import Markup

ALLOWED_TAGS = {
    "p", "br", "strong", "em", "b", "i", "code", "pre", "blockquote", "ul", "ol", "li",
    "h2", "h3", "h4", "a", "hr", "table", "thead", "tbody", "tr", "th", "td", "abbr", "sup",
    "sub",
}  # fmt: skip
ALLOWED_ATTRIBUTES = {"a": {"href", "title"}, "abbr": {"title"}, "th": {"scope"}}
URL_SCHEMES = {"http", "https", "mailto"}


def render(text: str, root: str = "") -> Markup:
    """``text`` as safe HTML, with site-absolute links made relative via ``root`` (e.g. '../')."""
    return Markup(_render(text, root))


def render_inline(text: str, root: str = "") -> Markup:
    """Like :func:`render`, without the wrapping paragraph (for one-line fields)."""
    html = _render(text, root)
    if html.startswith("<p>") and html.endswith("</p>") and html.count("<p>") == 1:
        html = html[3:-4]
    return Markup(html)


@lru_cache(maxsize=4096)
def _render(text: str, root: str) -> str:
    html = markdown.markdown(text, extensions=["sane_lists", "tables"], output_format="html")

    def relative_links(tag: str, attribute: str, value: str) -> str | None:
        if (
            tag == "a"
            and attribute == "href"
            and value.startswith("/")
            and not value.startswith("//")
        ):
            return root + value.lstrip("/")
        return value

    cleaned: str = nh3.clean(
        html,
        tags=ALLOWED_TAGS,
        attributes=ALLOWED_ATTRIBUTES,
        url_schemes=URL_SCHEMES,
        attribute_filter=relative_links,
        link_rel="noopener noreferrer",
    )
    return cleaned.strip()


def plain(text: str) -> str:
    """Markdown reduced to plain text (for meta descriptions and summaries)."""
    cleaned: str = nh3.clean(_render(text, ""), tags=set())
    return " ".join(unescape(cleaned).split())

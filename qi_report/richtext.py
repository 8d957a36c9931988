"""Markdown in content strings, rendered to HTML and sanitised.

Writers link to other pages of the site with root-relative paths (``/stories/coaching-buddies/``);
these are rewritten relative to the page they appear on, so the site works under any base path.
The HTML is cleaned by nh3 (the Ammonia sanitiser): only the tags and attributes below survive,
and links may only be http, https, mailto, tel or relative. Any other raw HTML a writer types is
removed (a ``<script>`` or ``<style>`` with its content). Links and images with any other scheme
(``javascript:``, ``vbscript:``, ``data:``, however disguised) are refused earlier, at load, as
located problems: :func:`refused_urls` finds them.
"""

from __future__ import annotations

import re
from functools import lru_cache
from html import unescape
from html.parser import HTMLParser

import markdown
import nh3
from markupsafe import Markup

ALLOWED_TAGS = {
    "p", "br", "strong", "em", "b", "i", "code", "pre", "blockquote", "ul", "ol", "li",
    "h2", "h3", "h4", "a", "hr", "table", "thead", "tbody", "tr", "th", "td", "abbr", "sup",
    "sub",
}  # fmt: skip
ALLOWED_ATTRIBUTES = {"a": {"href", "title"}, "abbr": {"title"}, "th": {"scope"}}
URL_SCHEMES = {"http", "https", "mailto", "tel"}

URL_ATTRIBUTES = frozenset(
    {
        "href", "src", "xlink:href", "action", "formaction", "data", "poster", "background",
        "cite", "longdesc", "lowsrc", "dynsrc", "codebase", "classid", "usemap", "ping",
        "manifest", "icon", "srcset",
    }
)  # fmt: skip
"""Attributes whose value a browser follows or loads as an address."""


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
    html = _markdown_html(text)

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


_SCHEME = re.compile(r"^([a-zA-Z][a-zA-Z0-9+.-]*):")
_EDGES = re.compile(r"^[\x00-\x20]+|[\x00-\x20]+$")
_TAB_OR_NEWLINE = re.compile(r"[\t\n\r]")
_CONTROL = re.compile(r"[\x00-\x1f\x7f]")


def url_scheme(url: str) -> str | None:
    """The scheme a browser would read in ``url``, in lower case; None for a relative address.

    A browser decodes character references in an attribute, drops control characters and
    spaces at either end and tabs and newlines anywhere (the WHATWG URL parser), so
    `` Java&#x09;Script:`` is ``javascript:``. References are decoded up to three times (a
    browser decodes once), which reads ``&amp;#x09;`` as a tab too: erring towards finding a
    scheme."""
    text = url
    for _ in range(3):
        text = unescape(text)
    match = _SCHEME.match(_TAB_OR_NEWLINE.sub("", _EDGES.sub("", text)))
    return match.group(1).lower() if match else None


def allowed_url(url: str) -> bool:
    """True for a relative address (a page of the site, an anchor) or an allowed scheme."""
    scheme = url_scheme(url)
    return scheme is None or scheme in URL_SCHEMES


def shown(url: str) -> str:
    """An address as a message shows it: quoted, control characters visible, cut when long."""
    text = _CONTROL.sub(lambda m: m.group().encode("unicode_escape").decode("ascii"), url)
    return "'" + (text if len(text) <= 80 else text[:77] + "...") + "'"


def refused_message(url: str) -> str:
    """What a located problem says about an address that :func:`allowed_url` refuses."""
    allowed = ", ".join(f"{s}:" for s in sorted(URL_SCHEMES))
    return (
        f"the address {shown(url)} is a {url_scheme(url)}: address, which is refused; "
        f"expected an address starting with {allowed} or a path inside the site such as "
        "/stories/coaching-buddies/"
    )


class _Addresses(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.found: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        for name, value in attrs:
            if name in URL_ATTRIBUTES and value is not None:
                self.found.append(value)


def addresses_in_html(html: str) -> list[str]:
    """Every address in the attributes of ``html``, as a browser decodes it."""
    parser = _Addresses()
    parser.feed(html)
    parser.close()
    return parser.found


def refused_urls(text: str, *, is_markdown: bool = True) -> list[str]:
    """The addresses of links and images in ``text`` that are refused (see :func:`allowed_url`):
    Markdown links, images and reference definitions and any raw HTML in it, as a browser
    would read them. With ``is_markdown=False`` the text is read as HTML only (the labels that
    plotly draws, which may hold ``<a href>``)."""
    html = _markdown_html(text) if is_markdown else text
    return [url for url in addresses_in_html(html) if not allowed_url(url)]


def _markdown_html(text: str) -> str:
    return markdown.markdown(text, extensions=["sane_lists", "tables"], output_format="html")

"""The pages of the site: their URLs, templates and typed contexts, and the Jinja environment.

Every page's links are relative to the page (``root`` is '../' per folder level), so one build
works at a domain root, under ``/repo/`` and from disk. The 404 page is the exception: GitHub
Pages serves it at any depth, so its links start from the site's base path.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlsplit

import jinja2
from markupsafe import Markup

from qi_report.charts import Chart
from qi_report.config import SiteConfig, web_url
from qi_report.content import Content, Edition
from qi_report.problems import Problem, ProblemsFound
from qi_report.richtext import plain, render, render_inline, shown
from qi_report.views import Block, MeasureView, StoryView, edition_blocks, long_date

TEMPLATES = Path(__file__).resolve().parent.parent / "templates"
RECENT_STORIES = 3

DEFAULT_NAV = (
    ("Home", ""),
    ("Editions", "editions/"),
    ("Stories", "stories/"),
    ("Measures", "measures/"),
)


@dataclass(frozen=True)
class NavLink:
    label: str
    href: str  # relative to the site root, or absolute http(s)
    section: str

    @property
    def external(self) -> bool:
        """An http(s) address, written as is; any other href is a path inside the site
        (site.yaml allows nothing else)."""
        return urlsplit(self.href).scheme.lower() in {"http", "https"}


@dataclass(frozen=True)
class SiteView:
    title: str
    organisation: str
    description: str
    language: str
    copyright: str
    subscribe_url: str | None
    feedback_url: str | None
    nav: tuple[NavLink, ...]
    plotly_file: str
    site_url: str | None  # absolute, ending in '/', when the published address is known


@dataclass(frozen=True)
class EditionView:
    slug: str
    title: str
    date: str
    iso_date: str
    authors: str
    summary: str
    draft: bool
    blocks: tuple[Block, ...] = ()


@dataclass(frozen=True)
class Page:
    """One HTML page: ``path`` is the file written, relative to the site root."""

    path: str
    template: str
    title: str
    description: str
    section: str
    context: object
    charts: tuple[Chart, ...] = ()
    base_path: str | None = None  # only for pages served at any depth (404)
    script: str | None = None  # one of our own scripts in assets/, for pages that need one

    @property
    def root(self) -> str:
        if self.base_path is not None:
            return self.base_path
        return "../" * self.path.count("/")

    @property
    def url(self) -> str:
        """The page's address relative to the site root: 'editions/x/' for its index.html."""
        return self.path.removesuffix("index.html")


@dataclass(frozen=True)
class HomeContext:
    latest: EditionView | None
    measures: tuple[MeasureView, ...]
    stories: tuple[StoryView, ...]
    edition_count: int


@dataclass(frozen=True)
class ArchiveContext:
    editions: tuple[EditionView, ...]


@dataclass(frozen=True)
class EditionContext:
    edition: EditionView
    newer: EditionView | None
    older: EditionView | None


@dataclass(frozen=True)
class StoriesContext:
    stories: tuple[StoryView, ...]


@dataclass(frozen=True)
class StoryContext:
    story: StoryView
    editions: tuple[EditionView, ...] = field(default=())


@dataclass(frozen=True)
class MeasuresContext:
    measures: tuple[MeasureView, ...]


@dataclass(frozen=True)
class MeasureContext:
    measure: MeasureView
    stories: tuple[StoryView, ...]


@dataclass(frozen=True)
class PlainContext:
    """Pages with no data of their own (accessibility statement, 404)."""


def site_view(config: SiteConfig, plotly_file: str, base_url: str | None) -> SiteView:
    if config.navigation is None:
        nav = tuple(NavLink(label, href, href.rstrip("/") or "home") for label, href in DEFAULT_NAV)
    else:
        nav = tuple(
            NavLink(item.label, item.href.lstrip("/"), item.href.strip("/") or "home")
            for item in config.navigation
        )
    return SiteView(
        config.title,
        config.organisation,
        config.description,
        config.language,
        config.copyright,
        config.subscribe_url,
        config.feedback_url,
        nav,
        plotly_file,
        site_url(config, base_url),
    )


def site_url(config: SiteConfig, base_url: str | None) -> str | None:
    """The absolute address the site is published at, ending in '/', if known."""
    url = base_url or config.site_url
    if not url:
        return None
    return url if url.endswith("/") else url + "/"


def check_base_url(base_url: str | None) -> None:
    """``--base-url``, like ``site_url``, must be an absolute http(s) address."""
    if base_url is None:
        return
    try:
        web_url(base_url)
    except ValueError as error:
        raise ProblemsFound(
            [Problem("--base-url", message=f"{shown(base_url)}: {error}")]
        ) from None


def base_path(config: SiteConfig, base_url: str | None) -> str:
    """The path the site is served under: '/repo/' for https://org.github.io/repo/."""
    url = base_url or config.site_url
    if not url:
        return "/"
    path = urlsplit(url).path or "/"
    return path if path.endswith("/") else path + "/"


def edition_view(
    edition: Edition,
    measures: dict[str, MeasureView],
    stories: dict[str, StoryView],
    with_blocks: bool = False,
) -> EditionView:
    return EditionView(
        slug=edition.slug,
        title=edition.title,
        date=long_date(edition.date),
        iso_date=edition.date.isoformat(),
        authors=_and_list(edition.authors),
        summary=edition.summary,
        draft=not edition.published,
        blocks=edition_blocks(edition, measures, stories) if with_blocks else (),
    )


def _and_list(names: Sequence[str]) -> str:
    if len(names) <= 1:
        return "".join(names)
    return ", ".join(names[:-1]) + " and " + names[-1]


def plan_pages(
    content: Content,
    measures: Sequence[MeasureView],
    stories: Sequence[StoryView],
    site_base: str,
    include_drafts: bool,
) -> list[Page]:
    """Every page of the site, in a fixed order."""
    by_measure = {m.id: m for m in measures}
    by_story = {s.slug: s for s in stories}
    editions = [e for e in content.editions if include_drafts or e.published]
    views = [edition_view(e, by_measure, by_story) for e in editions]
    pages = [
        Page(
            "index.html",
            "home.html",
            "Home",
            "",
            "home",
            HomeContext(
                latest=views[0] if views else None,
                measures=tuple(measures),
                stories=tuple(reversed(stories))[:RECENT_STORIES],
                edition_count=len(editions),
            ),
        ),
        Page(
            "editions/index.html",
            "editions.html",
            "All editions",
            "Every edition of the newsletter, newest first.",
            "editions",
            ArchiveContext(tuple(views)),
        ),
    ]
    for index, edition in enumerate(editions):
        view = edition_view(edition, by_measure, by_story, with_blocks=True)
        pages.append(
            Page(
                f"editions/{edition.slug}/index.html",
                "edition.html",
                edition.title,
                edition.summary,
                "editions",
                EditionContext(
                    view,
                    views[index - 1] if index > 0 else None,
                    views[index + 1] if index + 1 < len(views) else None,
                ),
                charts=tuple(b.measure.chart for b in view.blocks if b.measure is not None),
            )
        )
    pages.append(
        Page(
            "stories/index.html",
            "stories.html",
            "Change-idea stories",
            "The change ideas our teams are testing, with their PDSA cycles.",
            "stories",
            StoriesContext(tuple(stories)),
        )
    )
    for story in stories:
        mentioned = tuple(
            v
            for v, e in zip(views, editions, strict=True)
            if any(getattr(b, "story", None) == story.slug for b in e.body)
        )
        pages.append(
            Page(
                f"stories/{story.slug}/index.html",
                "story.html",
                story.title,
                story.change_idea,
                "stories",
                StoryContext(story, mentioned),
            )
        )
    pages.append(
        Page(
            "measures/index.html",
            "measures.html",
            "Measures",
            "The measures of the QI coaching programme, month by month.",
            "measures",
            MeasuresContext(tuple(measures)),
        )
    )
    for measure in measures:
        linked = tuple(s for s in stories if measure.id in dict(s.measures))
        pages.append(
            Page(
                f"measures/{measure.id}/index.html",
                "measure.html",
                measure.title,
                plain(measure.summary),
                "measures",
                MeasureContext(measure, linked),
                charts=(measure.chart,),
            )
        )
    pages.append(
        Page(
            "accessibility/index.html",
            "accessibility.html",
            "Accessibility statement",
            "How accessible this site is and how to report a problem.",
            "accessibility",
            PlainContext(),
        )
    )
    pages.append(
        Page(
            "search/index.html",
            "search.html",
            "Search",
            "Search every edition, story and measure.",
            "search",
            PlainContext(),
            script="search.js",
        )
    )
    pages.append(
        Page("404.html", "404.html", "Page not found", "", "", PlainContext(), base_path=site_base)
    )
    return pages


def environment(templates: Path = TEMPLATES) -> jinja2.Environment:
    env = jinja2.Environment(
        loader=jinja2.FileSystemLoader(templates),
        autoescape=True,
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
    )
    env.filters["markdown"] = lambda text, root="": render(text, root)
    env.filters["inline"] = lambda text, root="": render_inline(text, root)
    env.filters["json_script"] = lambda text: Markup(text)
    return env


def render_page(env: jinja2.Environment, page: Page, site: SiteView) -> str:
    template = env.get_template(page.template)
    return template.render(page=page, site=site, ctx=page.context, root=page.root)

"""Editions and stories: their schema, loading, and cross-checks against measures and images.

Each ``content/editions/*.yaml`` is one newsletter edition and each ``content/stories/*.yaml``
one change-idea story; the file name (without ``.yaml``) is the slug used in URLs and in
``story:`` blocks. Markdown inside strings is rendered later, by :mod:`qi_report.richtext`; its
links are checked here, so that a refused address (``javascript:``) is a problem on its line.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path, PurePosixPath, PureWindowsPath
from typing import Literal
from xml.etree import ElementTree

from pydantic import Field

from qi_report.config import Strict
from qi_report.definitions import MeasureDefinition
from qi_report.problems import Problems, did_you_mean
from qi_report.richtext import refused_message, refused_urls, shown, url_scheme
from qi_report.yamlsource import YamlDoc, load_yaml, validate

SLUG = re.compile(r"^[a-z0-9]+(-[a-z0-9]+)*$")
IMAGE_TYPES = (".png", ".jpg", ".jpeg", ".gif", ".svg", ".webp")


class Cycle(Strict):
    """One Plan-Do-Study-Act cycle; ``end`` is blank while the cycle is still running."""

    title: str
    start: dt.date
    end: dt.date | None = None
    plan: str
    do: str
    study: str = ""
    act: str = ""


class Story(Strict):
    title: str
    change_idea: str
    team: str
    directorate: str
    status: Literal["testing", "adopted", "adapted", "abandoned"]
    started: dt.date
    measures: list[str] = Field(default_factory=list)
    pdsa: list[Cycle] = Field(default_factory=list)
    body: str = ""


class Callout(Strict):
    title: str | None = None
    text: str


class Image(Strict):
    src: str
    alt: str = Field(min_length=1)
    caption: str | None = None


class Quote(Strict):
    text: str
    attribution: str


class Markdown(Strict):
    markdown: str


class MeasureRef(Strict):
    measure: str


class StoryRef(Strict):
    story: str


class CalloutBlock(Strict):
    callout: Callout


class ImageBlock(Strict):
    image: Image


class QuoteBlock(Strict):
    quote: Quote


Block = Markdown | MeasureRef | StoryRef | CalloutBlock | ImageBlock | QuoteBlock
BLOCK_TYPES: dict[str, type[Strict]] = {
    "markdown": Markdown,
    "measure": MeasureRef,
    "story": StoryRef,
    "callout": CalloutBlock,
    "image": ImageBlock,
    "quote": QuoteBlock,
}


class EditionFields(Strict):
    title: str
    date: dt.date
    authors: list[str] = Field(min_length=1)
    summary: str
    status: Literal["draft", "published"]
    body: list[object] = Field(default_factory=list)


@dataclass(frozen=True)
class Edition:
    slug: str
    title: str
    date: dt.date
    authors: tuple[str, ...]
    summary: str
    status: str
    body: tuple[Block, ...]
    path: Path

    @property
    def published(self) -> bool:
        return self.status == "published"


@dataclass(frozen=True)
class StoryFile:
    slug: str
    story: Story
    path: Path


@dataclass(frozen=True)
class Content:
    """Editions newest first, stories by start date then title."""

    editions: tuple[Edition, ...]
    stories: tuple[StoryFile, ...]

    def images(self) -> list[str]:
        """Every image path (relative to content/) that an edition shows, once each."""
        found = {b.image.src for e in self.editions for b in e.body if isinstance(b, ImageBlock)}
        return sorted(found)


def load_content(content_dir: Path, measure_ids: Iterable[str], problems: Problems) -> Content:
    """Read every edition and story and check what they refer to; problems are recorded."""
    measure_ids = set(measure_ids)
    stories: list[StoryFile] = []
    story_docs: list[YamlDoc] = []
    for path, slug in _files(content_dir / "stories", problems):
        doc = load_yaml(path, problems)
        story = validate(doc, Story, problems) if doc is not None else None
        if doc is not None and story is not None:
            stories.append(StoryFile(slug, story, path))
            story_docs.append(doc)
    for doc, item in zip(story_docs, stories, strict=True):
        for index, measure in enumerate(item.story.measures):
            _check_ref(doc, ("measures", index), measure, measure_ids, "measure", problems)
        check_links(doc, ("body",), item.story.body, problems)
        for number, cycle in enumerate(item.story.pdsa):
            for part in ("plan", "do", "study", "act"):
                check_links(doc, ("pdsa", number, part), getattr(cycle, part), problems)

    story_slugs = {s.slug for s in stories}
    editions: list[Edition] = []
    for path, slug in _files(content_dir / "editions", problems):
        doc = load_yaml(path, problems)
        if doc is None:
            continue
        fields = validate(doc, EditionFields, problems)
        if fields is None:
            continue
        blocks = [_block(doc, i, raw, problems) for i, raw in enumerate(fields.body)]
        for index, block in enumerate(blocks):
            if isinstance(block, MeasureRef):
                _check_ref(
                    doc, ("body", index, "measure"), block.measure, measure_ids, "measure", problems
                )
            elif isinstance(block, StoryRef):
                _check_ref(
                    doc, ("body", index, "story"), block.story, story_slugs, "story", problems
                )
            elif isinstance(block, ImageBlock):
                check_image(
                    content_dir, doc, ("body", index, "image", "src"), block.image.src, problems
                )
            elif isinstance(block, Markdown):
                check_links(doc, ("body", index, "markdown"), block.markdown, problems)
            elif isinstance(block, CalloutBlock):
                check_links(doc, ("body", index, "callout", "text"), block.callout.text, problems)
        editions.append(
            Edition(
                slug,
                fields.title,
                fields.date,
                tuple(fields.authors),
                fields.summary,
                fields.status,
                tuple(b for b in blocks if b is not None),
                path,
            )
        )
    editions.sort(key=lambda e: (e.date, e.slug), reverse=True)
    stories.sort(key=lambda s: (s.story.started, s.story.title))
    return Content(tuple(editions), tuple(stories))


def _files(folder: Path, problems: Problems) -> list[tuple[Path, str]]:
    if not folder.is_dir():
        return []
    found = []
    for path in sorted(folder.iterdir()):
        if path.name.startswith(".") or path.is_dir():
            continue
        if path.suffix not in {".yaml", ".yml"}:
            problems.add(path, "is not a .yaml file; move it out of this folder")
            continue
        if not SLUG.match(path.stem):
            problems.add(
                path,
                f"file name '{path.stem}' is not a valid slug (expected lower-case "
                "letters, digits and single hyphens, e.g. 2020-01-coaching)",
            )
            continue
        found.append((path, path.stem))
    return found


def _block(doc: YamlDoc, index: int, raw: object, problems: Problems) -> Block | None:
    loc = ("body", index)
    kinds = ", ".join(BLOCK_TYPES)
    if not isinstance(raw, dict) or len(raw) != 1:
        problems.add(
            doc.path,
            f"each body block is a mapping with exactly one of: {kinds}",
            line=doc.line(loc),
            field=f"body.{index}",
        )
        return None
    (key,) = raw
    model = BLOCK_TYPES.get(str(key))
    if model is None:
        problems.add(
            doc.path,
            f"unknown block '{key}'{did_you_mean(str(key), BLOCK_TYPES)}; expected one of: {kinds}",
            line=doc.line((*loc, str(key))),
            field=f"body.{index}",
        )
        return None
    block = validate(doc, model, problems, at=loc, data=raw)
    return block  # type: ignore[return-value]


def _check_ref(
    doc: YamlDoc,
    loc: tuple[str | int, ...],
    value: str,
    known: set[str],
    noun: str,
    problems: Problems,
) -> None:
    if value not in known:
        listed = ", ".join(sorted(known)) or "none defined"
        problems.add(
            doc.path,
            f"'{value}' is not a {noun} id{did_you_mean(value, known)}; known: {listed}",
            line=doc.line(loc),
            field=".".join(str(p) for p in loc),
        )


def check_links(
    doc: YamlDoc,
    loc: tuple[str | int, ...],
    text: str,
    problems: Problems,
    *,
    is_markdown: bool = True,
) -> None:
    """Each link or image address in ``text`` must be allowed (see ``richtext.allowed_url``);
    each refused one is a problem on the line of ``loc``. The sanitiser would drop it from the
    page anyway; the problem tells the writer, who meant something else."""
    for url in refused_urls(text, is_markdown=is_markdown):
        problems.add(
            doc.path,
            refused_message(url),
            line=doc.line(loc),
            field=".".join(str(p) for p in loc),
        )


def check_measure_links(
    doc: YamlDoc | None, measures: Sequence[MeasureDefinition], problems: Problems
) -> None:
    """Links in measures.yaml: the definition is Markdown; the title, unit and annotation
    texts are drawn by plotly, which reads ``<a href>`` in them."""
    if doc is None:
        return
    for index, measure in enumerate(measures):
        at: tuple[str | int, ...] = ("measures", index)
        check_links(doc, (*at, "definition"), measure.definition, problems)
        for name in ("title", "unit"):
            check_links(doc, (*at, name), getattr(measure, name), problems, is_markdown=False)
        for number, note in enumerate(measure.annotations):
            loc = (*at, "annotations", number, "text")
            check_links(doc, loc, note.text, problems, is_markdown=False)


def check_image(
    content_dir: Path, doc: YamlDoc, loc: tuple[str | int, ...], src: str, problems: Problems
) -> None:
    """An image must be a file of a known type inside the content folder, named by a relative
    path without '..', that does not lead outside through a symbolic link; an SVG must hold no
    script (a reader who opens it on its own would run it)."""
    field = ".".join(str(p) for p in loc)
    line = doc.line(loc)
    folder = content_dir.as_posix()
    example = "images/chart.png"

    def problem(message: str) -> None:
        problems.add(doc.path, message, line=line, field=field)

    parts = PurePosixPath(src.replace("\\", "/")).parts
    scheme = url_scheme(src)
    if src.startswith(("/", "\\")) or PureWindowsPath(src).is_absolute():
        problem(
            f"{shown(src)} is an absolute path; expected a path inside {folder}/, e.g. {example}"
        )
        return
    if scheme is not None and len(scheme) > 1:  # one letter: a Windows drive, handled above
        problem(
            f"{shown(src)} is a {scheme}: address; expected an image file inside {folder}/, "
            f"e.g. {example}"
        )
        return
    if ".." in parts:
        problem(
            f"{shown(src)} goes up out of its folder with '..'; expected a path inside "
            f"{folder}/, e.g. {example}"
        )
        return
    root = content_dir.resolve()
    target = (content_dir / src).resolve()
    if not target.is_relative_to(root):
        problem(
            f"{shown(src)} leads outside the content folder through a symbolic link (to "
            f"{target.as_posix()}); images must be inside {folder}/"
        )
    elif not target.is_file():
        problem(f"{shown(src)} is not a file in {folder}/")
    elif target.suffix.lower() not in IMAGE_TYPES:
        problem(f"{shown(src)} is not an image (expected {', '.join(IMAGE_TYPES)})")
    elif target.suffix.lower() == ".svg":
        found = svg_active_content(target)
        if found:
            problem(
                f"{shown(src)} is an SVG with {found}, which could run as a script; expected a "
                "drawing only (export it again without scripts, or use a PNG)"
            )


SVG_ACTIVE_ELEMENTS = {"script", "foreignobject", "iframe", "object", "embed", "handler"}


def svg_active_content(path: Path) -> str | None:
    """What in an SVG file could run (a script element, an event handler, a javascript:
    address), described for a message; None for a plain drawing."""
    try:
        tree = ElementTree.parse(path)
    except (ElementTree.ParseError, UnicodeDecodeError) as error:
        return f"XML that cannot be read ({error})"
    for element in tree.iter():
        name = str(element.tag).rsplit("}", 1)[-1].lower()
        if name in SVG_ACTIVE_ELEMENTS:
            return f"a <{name}> element"
        for attribute, value in element.attrib.items():
            local = attribute.rsplit("}", 1)[-1].lower()
            if local.startswith("on"):
                return f"an event handler attribute '{local}'"
            scheme = url_scheme(value)
            if scheme in {"javascript", "vbscript"}:
                return f"a {scheme}: address in '{local}'"
    return None

"""Editions and stories: their schema, loading, and cross-checks against measures and images.

Each ``content/editions/*.yaml`` is one newsletter edition and each ``content/stories/*.yaml``
one change-idea story; the file name (without ``.yaml``) is the slug used in URLs and in
``story:`` blocks. Markdown inside strings is rendered later, by :mod:`qi_report.markdown`.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

from pydantic import Field

from qi_report.config import Strict
from qi_report.problems import Problems, did_you_mean
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


def check_image(
    content_dir: Path, doc: YamlDoc, loc: tuple[str | int, ...], src: str, problems: Problems
) -> None:
    """An image must be a file of a known type inside the content folder."""
    field = ".".join(str(p) for p in loc)
    line = doc.line(loc)
    root = content_dir.resolve()
    target = (content_dir / src).resolve()
    if Path(src).is_absolute() or not target.is_relative_to(root):
        problems.add(
            doc.path,
            f"'{src}' is outside the content folder; images must be inside "
            f"{content_dir.as_posix()}/",
            line=line,
            field=field,
        )
    elif not target.is_file():
        problems.add(
            doc.path, f"'{src}' is not a file in {content_dir.as_posix()}/", line=line, field=field
        )
    elif target.suffix.lower() not in IMAGE_TYPES:
        problems.add(
            doc.path,
            f"'{src}' is not an image (expected {', '.join(IMAGE_TYPES)})",
            line=line,
            field=field,
        )

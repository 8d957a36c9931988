"""``new edition`` and ``new story``: a ready-to-edit YAML file with every field, commented.

The file name is a slug made from the title (editions are prefixed with their year and month).
An existing file is never replaced. The text written is accepted by ``check`` as it stands; the
optional body blocks are commented out, with real ids from the content folder where it has some,
so that uncommenting one gives a working block.
"""

from __future__ import annotations

import datetime as dt
import re
import unicodedata
from dataclasses import dataclass
from pathlib import Path

import yaml

from qi_report.content import IMAGE_TYPES, SLUG

MAX_SLUG = 60

# Letters that Unicode decomposition does not reduce to ASCII, and characters that join words.
_TRANSLITERATE = str.maketrans(
    {
        "ß": "ss",
        "ẞ": "SS",
        "æ": "ae",
        "Æ": "AE",
        "œ": "oe",
        "Œ": "OE",
        "ø": "o",
        "Ø": "O",
        "ł": "l",
        "Ł": "L",
        "đ": "d",
        "Đ": "D",
        "ð": "d",
        "Ð": "D",
        "þ": "th",
        "Þ": "TH",
        "\u0131": "i",  # dotless i
        "&": " and ",
        "'": "",
        "\u2018": "",
        "\u2019": "",
        "\u02bc": "",
    }
)


class ScaffoldMisuse(ValueError):
    """The request cannot be met as given (no usable title, no content folder): exit 2."""


class AlreadyExists(Exception):
    """The file to write exists already; nothing was written: exit 1."""

    def __init__(self, path: Path) -> None:
        self.path = path
        super().__init__(
            f"{path.as_posix()} exists already; nothing was written "
            "(edit that file, or choose another title)"
        )


def slugify(title: str, max_length: int = MAX_SLUG) -> str:
    """Lower-case ASCII letters, digits and single hyphens: accents are transliterated,
    apostrophes dropped, any other run of characters becomes one hyphen, and a slug longer than
    ``max_length`` is cut at a word boundary where there is one. May be empty."""
    decomposed = unicodedata.normalize("NFKD", title.translate(_TRANSLITERATE))
    text = "".join(c for c in decomposed if not unicodedata.combining(c)).lower()
    slug = re.sub(r"[^a-z0-9]+", "-", text).strip("-")
    if len(slug) > max_length:
        cut = slug[:max_length]
        if slug[max_length] != "-" and "-" in cut:
            cut = cut.rsplit("-", 1)[0]
        slug = cut.strip("-")
    return slug


def edition_slug(title: str, date: dt.date) -> str:
    """``YYYY-MM-<slug of title>``, at most ``MAX_SLUG`` characters."""
    prefix = f"{date:%Y-%m}-"
    return prefix + _title_slug(title, MAX_SLUG - len(prefix))


def story_slug(title: str) -> str:
    return _title_slug(title, MAX_SLUG)


def _title_slug(title: str, max_length: int) -> str:
    slug = slugify(title, max_length)
    if not slug:
        raise ScaffoldMisuse(
            f"the title {title!r} has no letters or digits to make a file name from; "
            "give a title with some"
        )
    assert SLUG.match(slug), slug
    return slug


@dataclass(frozen=True)
class Examples:
    """Ids the commented-out examples use: the content folder's own where it has them."""

    measures: tuple[str, ...] = ()
    stories: tuple[str, ...] = ()
    images: tuple[str, ...] = ()

    @property
    def measure(self) -> str:
        return self.measures[0] if self.measures else "MEASURE-ID"

    @property
    def story(self) -> str:
        return self.stories[0] if self.stories else "STORY-SLUG"

    @property
    def image(self) -> str:
        return self.images[0] if self.images else "images/PICTURE.png"


def examples_from(content_dir: Path) -> Examples:
    """Measure ids, story slugs and images found in ``content_dir``; whatever cannot be read is
    left out (``check`` reports it), since these only fill in comments."""
    measures: list[str] = []
    try:
        data = yaml.safe_load((content_dir / "measures.yaml").read_text(encoding="utf-8-sig"))
        for item in data.get("measures") or []:
            if isinstance(item, dict) and isinstance(item.get("id"), str):
                measures.append(item["id"])
    except (OSError, UnicodeDecodeError, yaml.YAMLError, AttributeError, TypeError):
        pass
    stories = [
        p.stem
        for p in _sorted_files(content_dir / "stories")
        if p.suffix in {".yaml", ".yml"} and SLUG.match(p.stem)
    ]
    images = [
        p.relative_to(content_dir).as_posix()
        for p in _sorted_files(content_dir / "images")
        if p.suffix.lower() in IMAGE_TYPES
    ]
    return Examples(tuple(measures), tuple(stories), tuple(images))


def _sorted_files(folder: Path) -> list[Path]:
    if not folder.is_dir():
        return []
    return sorted(p for p in folder.iterdir() if p.is_file() and not p.name.startswith("."))


def _quoted(text: str) -> str:
    """``text`` as one double-quoted YAML scalar, whatever characters it holds."""
    dumped = yaml.safe_dump(text, default_style='"', allow_unicode=True, width=1_000_000)
    return dumped.strip()


def _known(ids: tuple[str, ...], limit: int = 40) -> str:
    """'a, b, c' shortened to about ``limit`` characters, for a one-line comment."""
    if not ids:
        return "none yet"
    shown: list[str] = []
    for item in ids:
        if shown and len(", ".join([*shown, item])) > limit:
            return ", ".join(shown) + ", ..."
        shown.append(item)
    return ", ".join(shown)


def _clean_title(title: str) -> str:
    return " ".join(title.split())


def edition_text(title: str, date: dt.date, slug: str, examples: Examples) -> str:
    """The YAML of a new draft edition: every field of ``EditionFields``, commented, and one
    example of each kind of body block, all but the Markdown one commented out."""
    return f"""\
# A newsletter edition. Its address on the site comes from this file's name:
#   editions/{slug}/
# Lines starting with # are comments. To use an example block below, delete the "# " before
# each of its lines. Every key is described in README.md, "Content". Then run: qi-report check

# Headline of the edition (text, required).
title: {_quoted(title)}
# Date of issue, YYYY-MM-DD (required); the newest edition is the home page.
date: {date.isoformat()}
# Who wrote it: a list of names or teams, at least one (required).
authors:
  - The QI team
# One or two sentences for lists of editions and link previews (text, required).
summary: What this edition is about, in a sentence or two.
# draft (left out of the site unless built with --drafts) or published (required).
status: draft
# The edition, top to bottom: a list of blocks, each one of: markdown, measure, story, callout,
# image, quote.
body:
  # markdown: text in Markdown; links starting with / point inside the site.
  - markdown: |
      Write the edition here. Leave a blank line between paragraphs.

      ## A heading

      - A point in a list, with **bold** text and a link to [our measures](/measures/).
  # measure: the chart card of a measure; an id from measures.yaml ({_known(examples.measures)}).
  # - measure: {examples.measure}
  # story: a teaser for a story; a file name from stories/ ({_known(examples.stories)}).
  # - story: {examples.story}
  # callout: a highlighted box; title optional, text required (Markdown).
  # - callout:
  #     title: Save the date
  #     text: The next QI forum is on the first Tuesday of next month.
  # image: a picture file inside the content folder ({", ".join(IMAGE_TYPES)}).
  # - image:
  #     src: {examples.image}
  #     alt: What the picture shows, for readers who cannot see it (required)
  #     caption: A line shown under the picture (optional)
  # quote: a pull quote; text and attribution both required.
  # - quote:
  #     text: Trying it on a small scale first made all the difference.
  #     attribution: A member of the team
"""


def story_text(title: str, started: dt.date, slug: str, examples: Examples) -> str:
    """The YAML of a new story: every field of ``Story`` and of its first PDSA ``Cycle``,
    commented, with placeholders to replace."""
    measures_note = (
        f"Ids of the measures it aims to move, e.g. [{examples.measure}] "
        f"(in measures.yaml: {_known(examples.measures)})."
    )
    return f"""\
# A change-idea story. Its address on the site comes from this file's name:
#   stories/{slug}/
# An edition shows a teaser of it with the body block:  - story: {slug}
# Lines starting with # are comments. Every key is described in README.md, "Content".
# Then run: qi-report check

# Name of the story (text, required).
title: {_quoted(title)}
# The change being tested, in one sentence (text, required).
change_idea: What we are changing, and for whom, in one sentence.
# The team testing the change (text, required).
team: Name of the team
# The directorate the team belongs to (text, required).
directorate: Name of the directorate
# testing, adopted, adapted or abandoned (required).
status: testing
# The day testing began, YYYY-MM-DD (required).
started: {started.isoformat()}
# {measures_note}
measures: []
# Plan-Do-Study-Act cycles, oldest first (a list; may be empty).
pdsa:
  # title: what this cycle tests (text, required).
  - title: Cycle 1 — what we are testing, on what scale
    # start: its first day, YYYY-MM-DD (required).
    start: {started.isoformat()}
    # end: its last day, YYYY-MM-DD; leave blank while the cycle is running.
    end:
    # plan: what we will try and what we predict will happen (Markdown, required).
    plan: |
      We predict that ...
    # do: what happened when we tried it (Markdown, required).
    do: |
      We tried it with ...
    # study: how the results compare with the prediction (Markdown; "" until known).
    study: ""
    # act: adopt, adapt or abandon, and what comes next (Markdown; "" until decided).
    act: ""
# The story told for readers (Markdown; may be blank).
body: |
  Why the team tried this change, what they learned from each cycle, and what happens next.
"""


def new_edition(content_dir: Path, title: str, date: dt.date) -> Path:
    """Write ``editions/YYYY-MM-<slug>.yaml`` for a new draft edition; return its path."""
    title = _clean_title(title)
    slug = edition_slug(title, date)
    _require_folder(content_dir)
    text = edition_text(title, date, slug, examples_from(content_dir))
    return _write_new(content_dir / "editions", slug, text)


def new_story(content_dir: Path, title: str, started: dt.date) -> Path:
    """Write ``stories/<slug>.yaml`` for a new story in testing; return its path."""
    title = _clean_title(title)
    slug = story_slug(title)
    _require_folder(content_dir)
    text = story_text(title, started, slug, examples_from(content_dir))
    return _write_new(content_dir / "stories", slug, text)


def _require_folder(content_dir: Path) -> None:
    if not content_dir.is_dir():
        raise ScaffoldMisuse(
            f"content folder {content_dir.as_posix()}/ not found; run this in the project "
            "folder or give --content DIR"
        )


def _write_new(folder: Path, slug: str, text: str) -> Path:
    """Create ``folder/slug.yaml``; never replace a file, nor add one beside ``slug.yml``."""
    path = folder / f"{slug}.yaml"
    twin = folder / f"{slug}.yml"
    if twin.exists():
        raise AlreadyExists(twin)
    folder.mkdir(parents=True, exist_ok=True)
    try:
        with path.open("x", encoding="utf-8", newline="\n") as handle:
            handle.write(text)
    except FileExistsError:
        raise AlreadyExists(path) from None
    return path

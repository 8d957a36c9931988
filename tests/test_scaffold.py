"""`new edition` and `new story`: the files written pass `check` as they are, carry every field
of the schema with a comment, and never replace an existing file."""

from __future__ import annotations

import datetime as dt
import re
import shutil
from pathlib import Path

import pytest
import yaml
from click.testing import CliRunner, Result
from pydantic import BaseModel

from qi_report.build import check_inputs
from qi_report.cli import main
from qi_report.content import BLOCK_TYPES, SLUG, Cycle, EditionFields, Story
from qi_report.scaffold import MAX_SLUG, edition_slug, slugify

REPO = Path(__file__).resolve().parent.parent


@pytest.fixture
def workdir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A copy of the repository's content/ and data/, which is also the working folder."""
    shutil.copytree(REPO / "content", tmp_path / "content")
    shutil.copytree(REPO / "data", tmp_path / "data")
    monkeypatch.chdir(tmp_path)
    return tmp_path


def cli(*args: str) -> Result:
    return CliRunner().invoke(main, list(args))


def written_path(result: Result) -> Path:
    assert result.exit_code == 0, result.output
    match = re.fullmatch(r"Wrote (\S+)\n", result.output)
    assert match, result.output
    path = Path(match.group(1))
    assert path.is_file()
    return path


def check(workdir: Path) -> Result:
    return cli("check", "--content", str(workdir / "content"), "--data", "data")


def test_new_edition_and_story_pass_check_unchanged(workdir: Path) -> None:
    edition = written_path(cli("new", "edition", "Spring update", "--date", "2020-03-16"))
    story = written_path(cli("new", "story", "Coaching clinic on Fridays"))
    assert edition == Path("content/editions/2020-03-spring-update.yaml")
    assert story == Path("content/stories/coaching-clinic-on-fridays.yaml")

    result = check(workdir)
    assert result.exit_code == 0, result.output
    assert result.output.startswith("OK: 5 editions, 6 stories")

    content = check_inputs(workdir / "content", workdir / "data").content
    (new_edition,) = [e for e in content.editions if e.slug == "2020-03-spring-update"]
    assert new_edition.title == "Spring update"
    assert new_edition.date == dt.date(2020, 3, 16)
    assert new_edition.status == "draft"
    assert [type(b).__name__ for b in new_edition.body] == ["Markdown"]
    (new_story,) = [s for s in content.stories if s.slug == "coaching-clinic-on-fridays"]
    assert new_story.story.status == "testing"
    assert len(new_story.story.pdsa) == 1
    assert new_story.story.pdsa[0].end is None


def test_new_works_with_an_explicit_content_folder(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    shutil.copytree(REPO / "content", tmp_path / "site-content")
    monkeypatch.chdir(tmp_path)
    result = cli("new", "story", "Elsewhere", "--content", "site-content")
    assert written_path(result) == Path("site-content/stories/elsewhere.yaml")


def uncomment_examples(text: str) -> str:
    """Delete the '# ' before each line of the commented-out body blocks, as a writer would."""
    return re.sub(r"^  # (?=- |    )", "  ", text, flags=re.MULTILINE)


def test_every_example_block_works_once_uncommented(workdir: Path) -> None:
    path = written_path(cli("new", "edition", "All the blocks", "--date", "2020-03-02"))
    path.write_text(uncomment_examples(path.read_text(encoding="utf-8")), encoding="utf-8")

    body = yaml.safe_load(path.read_text(encoding="utf-8"))["body"]
    assert [next(iter(block)) for block in body] == list(BLOCK_TYPES)
    result = check(workdir)
    assert result.exit_code == 0, result.output


def test_new_files_also_pass_a_strict_build(workdir: Path) -> None:
    """No dead link, future date or other editorial warning in what `new` writes."""
    edition = written_path(cli("new", "edition", "Strict"))
    edition.write_text(uncomment_examples(edition.read_text(encoding="utf-8")), encoding="utf-8")
    written_path(cli("new", "story", "Strict"))
    args = ["--content", "content", "--data", "data", "--out", "site"]
    result = cli("build", *args, "--strict", "--drafts")
    assert result.exit_code == 0, result.output
    assert (workdir / "site/editions" / edition.stem / "index.html").is_file()
    assert (workdir / "site/stories/strict/index.html").is_file()


def key_lines(text: str, indent: str) -> dict[str, int]:
    """Index of each line ``indent + key:``, or ``indent[:-2] + '- key:'`` for the first key of
    a list item."""
    found = {}
    item = re.escape(indent[:-2]) + "- " if indent else "(?!)"
    for index, line in enumerate(text.splitlines()):
        match = re.match(rf"(?:{re.escape(indent)}|{item})([a-z_]+):", line)
        if match:
            found[match.group(1)] = index
    return found


def assert_fields_commented(text: str, data: dict[str, object], model: type[BaseModel]) -> None:
    """Every field of ``model`` is a key, and the line above each key is a comment."""
    assert set(data) == set(model.model_fields)
    lines = text.splitlines()
    indent = "" if model is not Cycle else "    "
    positions = key_lines(text, indent)
    for name in model.model_fields:
        above = lines[positions[name] - 1].strip()
        assert above.startswith("# "), f"{name}: no comment above it"


def test_edition_has_every_field_commented(workdir: Path) -> None:
    path = written_path(cli("new", "edition", "Fields", "--date", "2020-03-02"))
    text = path.read_text(encoding="utf-8")
    assert_fields_commented(text, yaml.safe_load(text), EditionFields)


def test_story_has_every_field_and_a_cycle_commented(workdir: Path) -> None:
    path = written_path(cli("new", "story", "Fields"))
    text = path.read_text(encoding="utf-8")
    data = yaml.safe_load(text)
    assert_fields_commented(text, data, Story)
    (cycle,) = data["pdsa"]
    cycle_text = text[text.index("pdsa:") :].split("\nbody:")[0]
    assert_fields_commented(cycle_text, cycle, Cycle)


def test_a_second_new_with_the_same_title_refuses(workdir: Path) -> None:
    edition = written_path(cli("new", "edition", "Same title", "--date", "2020-03-02"))
    story = written_path(cli("new", "story", "Same title"))
    before = {p: p.read_bytes() for p in (edition, story)}
    listing = sorted((workdir / "content").rglob("*"))

    again = cli("new", "edition", "Same title", "--date", "2020-03-31")
    assert again.exit_code == 1
    assert "content/editions/2020-03-same-title.yaml exists already" in again.output
    assert "nothing was written" in again.output
    again = cli("new", "story", "Same  Title!")
    assert again.exit_code == 1
    assert "content/stories/same-title.yaml exists already" in again.output

    assert {p: p.read_bytes() for p in before} == before
    assert sorted((workdir / "content").rglob("*")) == listing


def test_a_yml_file_of_the_same_slug_also_refuses(workdir: Path) -> None:
    (workdir / "content/stories/twin.yml").write_text("title: x\n", encoding="utf-8")
    result = cli("new", "story", "Twin")
    assert result.exit_code == 1
    assert "content/stories/twin.yml exists already" in result.output
    assert not (workdir / "content/stories/twin.yaml").exists()


@pytest.mark.parametrize(
    ("title", "slug"),
    [
        ("Crème brûlée à la carte", "creme-brulee-a-la-carte"),
        ("Ålesund, Straße & Œuvre", "alesund-strasse-and-oeuvre"),
        ("What's next? Coaches' views", "whats-next-coaches-views"),
        ("  Coaching   --  for -- daily   improvement  ", "coaching-for-daily-improvement"),
        ("Q1/Q2: 50% up (again!)", "q1-q2-50-up-again"),
        ("Cycle 2 — matching by site", "cycle-2-matching-by-site"),
        ("\uff26\uff35\uff2c\uff2c width \ufb01gures \u00b2", "full-width-figures-2"),
        ("Données 2020 : révisées", "donnees-2020-revisees"),
        ("日本語 and English", "and-english"),
    ],
)
def test_slug_of_a_title(title: str, slug: str) -> None:
    assert slugify(title) == slug
    assert SLUG.match(slug)


def test_long_titles_are_cut_at_a_word_boundary() -> None:
    title = "A very long title about coaching for daily improvement across every directorate"
    slug = slugify(title)
    assert len(slug) <= MAX_SLUG
    assert SLUG.match(slug)
    assert title.lower().replace(" ", "-").startswith(slug + "-")
    assert slugify("x" * 100) == "x" * MAX_SLUG

    edition = edition_slug(title, dt.date(2020, 3, 2))
    assert edition.startswith("2020-03-a-very-long-title")
    assert len(edition) <= MAX_SLUG
    assert SLUG.match(edition)


def test_the_slug_is_used_on_the_command_line(workdir: Path) -> None:
    path = written_path(cli("new", "edition", "Crème brûlée: the results!", "--date", "2021-11-30"))
    assert path == Path("content/editions/2021-11-creme-brulee-the-results.yaml")
    assert yaml.safe_load(path.read_text(encoding="utf-8"))["title"] == (
        "Crème brûlée: the results!"
    )


@pytest.mark.parametrize("title", ['She said: "yes" # really', "#hash, [list], {map}: 'q'", "é"])
def test_any_title_is_written_as_it_was_given(workdir: Path, title: str) -> None:
    path = written_path(cli("new", "story", title))
    assert yaml.safe_load(path.read_text(encoding="utf-8"))["title"] == title
    assert check(workdir).exit_code == 0


@pytest.mark.parametrize("kind", ["edition", "story"])
@pytest.mark.parametrize("title", ["", "   ", "!!!", "— ? —", "日本語"])
def test_a_title_without_a_slug_is_misuse(workdir: Path, kind: str, title: str) -> None:
    listing = sorted((workdir / "content").rglob("*"))
    result = cli("new", kind, title)
    assert result.exit_code == 2
    assert "no letters or digits to make a file name from" in result.output
    assert sorted((workdir / "content").rglob("*")) == listing


def test_the_edition_date_defaults_to_today(workdir: Path) -> None:
    before = dt.date.today()
    path = written_path(cli("new", "edition", "Today"))
    after = dt.date.today()
    written = yaml.safe_load(path.read_text(encoding="utf-8"))["date"]
    assert written in {before, after}
    assert path.name == f"{written:%Y-%m}-today.yaml"


def test_a_bad_date_or_a_missing_content_folder_is_misuse(workdir: Path) -> None:
    assert cli("new", "edition", "X", "--date", "2020-02-30").exit_code == 2
    result = cli("new", "story", "X", "--content", "nowhere")
    assert result.exit_code == 2
    assert "content folder nowhere/ not found" in result.output
    assert not Path("nowhere").exists()


@pytest.mark.parametrize("args", [["new"], ["new", "edition"], ["new", "story"]])
def test_help_states_the_exit_codes(args: list[str]) -> None:
    result = cli(*args, "--help")
    assert result.exit_code == 0
    assert "Exit codes: 0 done" in result.output

"""No personal data on the site: no coach or project identifier, no project title, no name.

The site publishes counts and percentages only. Two builds are searched, file by file (pages,
JSON, CSV, XML, scripts, images, the search index): the bundled sample, for every ``coach_id``,
``project_id`` and project title in its data; and a fixture whose data carries distinctive
identifiers, names and e-mail addresses in every column, including columns qi-report ignores
and a series measure's own file. Directorates are searched for too: the site shows no
breakdown by directorate today (one added later must suppress cells with a denominator under
5, see README.md), so a directorate from the data appearing anywhere is a change to look at.
"""

from __future__ import annotations

import csv
import html
import io
import re
import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner

from qi_report.cli import main

REPO = Path(__file__).parent.parent
FIXTURE = Path(__file__).parent / "fixtures" / "small"


def build(content: Path, data: Path, out: Path) -> None:
    result = CliRunner().invoke(
        main,
        ["build", "--content", str(content), "--data", str(data), "--out", str(out), "--drafts"],
    )
    assert result.exit_code == 0, result.output


def rows(path: Path) -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO(path.read_text("utf-8-sig"))))


def readings(path: Path) -> list[str]:
    """A file's text as a reader or a program could get at it: as stored, with HTML character
    references decoded, and with JSON ``\\uXXXX`` escapes decoded; all in lower case."""
    raw = path.read_bytes().decode("utf-8", "replace")
    unescaped = html.unescape(raw)
    decoded = re.sub(r"\\u([0-9a-fA-F]{4})", lambda m: chr(int(m.group(1), 16)), raw)
    return list(dict.fromkeys(text.lower() for text in (raw, unescaped, decoded)))


WORD = re.compile(r"[0-9a-z]+")


def whole(value: str) -> re.Pattern[str]:
    """``value`` (lower case) not inside a longer word: C0001 but not C00011 or #C0001F."""
    return re.compile(rf"(?<![0-9a-z]){re.escape(value.lower())}(?![0-9a-z])")


def leaks(out: Path, values: set[str]) -> list[str]:
    """Each 'file: value' where one of ``values`` (identifiers, titles, names) appears."""
    found = []
    wanted = {value: (set(WORD.findall(value.lower())), whole(value)) for value in values if value}
    files = sorted(p for p in out.rglob("*") if p.is_file())
    assert len(files) > 10
    for path in files:
        name = path.relative_to(out).as_posix()
        for text in readings(path):
            words = set(WORD.findall(text))  # a quick first test: every word of the value
            found += [
                f"{name}: {value}"
                for value, (needed, pattern) in wanted.items()
                if needed <= words and pattern.search(text)
            ]
    return sorted(set(found))


def test_the_sample_site_holds_no_identifier_or_project_title(tmp_path: Path) -> None:
    out = tmp_path / "site"
    build(REPO / "content", REPO / "data", out)
    coaches = rows(REPO / "data" / "coaches.csv")
    projects = rows(REPO / "data" / "projects.csv")
    ids = {r["coach_id"] for r in coaches} | {r["project_id"] for r in projects}
    for table in ("coaching", "project_scores"):
        ids |= {r.get("coach_id", "") for r in rows(REPO / "data" / f"{table}.csv")}
        ids |= {r["project_id"] for r in rows(REPO / "data" / f"{table}.csv")}
    titles = {r["title"] for r in projects if r["title"].strip()}
    assert len(ids) > 400 and len(titles) > 100  # the data really holds them
    assert leaks(out, ids | titles) == []


DISTINCT = {
    "C1": "QCZEBRA0101",
    "C2": "QCZEBRA0102",
    "C3": "QCZEBRA0103",
    "P1": "LQI-88231-XQ",
    "P2": "LQI-88232-XQ",
}
NAMES = {
    "C1": ("Ottoline Pemberton-Zhu", "o.pemberton-zhu@nhs.example"),
    "C2": ("Philippa Zanzibar-Quell", "philippa.zq@nhs.example"),
    "C3": ("Marcus Oyelaran-Vance", "m.oyelaran-vance@nhs.example"),
}
TITLES = {
    "P1": "Quillfeather falls huddle led by Ottoline Pemberton-Zhu",
    "P2": "Medicines round on Thistlewood ward with Marcus Oyelaran-Vance",
}
DIRECTORATES = ("Xylophone Directorate", "Yarrowfield Directorate")


@pytest.fixture
def personal(tmp_path: Path) -> tuple[Path, Path, set[str], set[str]]:
    """The small fixture with distinctive identifiers and names in the data, and a series
    measure whose own file names the auditor on every row. Returns the content and data folders,
    the identifiers and the phrases that must not appear."""
    content, data = tmp_path / "content", tmp_path / "data"
    shutil.copytree(FIXTURE / "content", content)
    data.mkdir()
    for path in sorted((FIXTURE / "data").glob("*.csv")):
        table = rows(path)
        for row in table:
            for column in ("coach_id", "project_id"):
                if column in row:
                    row[column] = DISTINCT[row[column]]
            coach = next((k for k, v in DISTINCT.items() if v == row.get("coach_id")), None)
            if path.stem == "coaches" and coach is not None:
                row["name"], row["email"] = NAMES[coach]
                row["directorate"] = DIRECTORATES[int(coach[1]) % 2]
            if path.stem == "projects":
                project = next(k for k, v in DISTINCT.items() if v == row["project_id"])
                row["title"] = TITLES[project]
                row["directorate"] = DIRECTORATES[int(project[1]) % 2]
                row["lead"] = NAMES["C1"][0]
        with path.open() as source:
            header = next(csv.reader(source))
        extra = [c for c in ("name", "email", "lead") if table and c in table[0]]
        write(data / path.name, [*header, *extra], table)
    write(
        data / "ward-audit.csv",
        ["Month", "Audited", "Passed", "Auditor"],
        [
            {"Month": f"2019-0{m}", "Audited": "10", "Passed": str(m), "Auditor": NAMES["C2"][0]}
            for m in range(1, 5)
        ],
    )
    with (content / "measures.yaml").open("a") as measures:
        measures.write(
            "\n  - id: ward-audit\n    kind: series\n    title: Audits passed\n"
            "    definition: Audits passed, of audits done.\n    file: ward-audit.csv\n"
            "    period: Month\n    numerator: Passed\n    denominator: Audited\n"
        )
    identifiers = set(DISTINCT.values())
    phrases = {*TITLES.values(), *DIRECTORATES}
    for name, email in NAMES.values():
        phrases |= {name, email, *name.split()[-1:]}
    return content, data, identifiers, phrases


def write(path: Path, header: list[str], table: list[dict[str, str]]) -> None:
    with path.open("w", newline="") as target:
        writer = csv.DictWriter(target, fieldnames=header, lineterminator="\n")
        writer.writeheader()
        writer.writerows(table)


def test_identifiers_names_and_titles_in_the_data_never_reach_the_site(
    tmp_path: Path, personal: tuple[Path, Path, set[str], set[str]]
) -> None:
    content, data, identifiers, phrases = personal
    out = tmp_path / "site"
    build(content, data, out)
    every_file = "\n".join(p.read_text("utf-8", "replace") for p in sorted(data.iterdir()))
    for value in (*identifiers, *phrases):
        assert value in every_file  # the data really holds each of them
    # The build used them: the measures were computed from these rows.
    csv_text = (out / "measures" / "active-coaches" / "data.csv").read_text()
    assert "2019-02,2,2," in csv_text
    assert (out / "measures" / "ward-audit" / "data.csv").is_file()
    assert leaks(out, identifiers | phrases) == []


def test_the_scan_finds_an_identifier_that_does_reach_the_site(
    tmp_path: Path, personal: tuple[Path, Path, set[str], set[str]]
) -> None:
    """The search is not blind: an identifier written into a page is found, in each form."""
    content, data, identifiers, phrases = personal
    story = content / "stories" / "huddle.yaml"
    story.write_text(
        story.read_text().replace(
            "body: A short story.", f"body: Led by {NAMES['C3'][0]} on {DISTINCT['P2']}."
        )
    )
    out = tmp_path / "site"
    build(content, data, out)
    found = leaks(out, identifiers | phrases)
    assert "stories/huddle/index.html: LQI-88232-XQ" in found
    assert "search.json: Oyelaran-Vance" in found

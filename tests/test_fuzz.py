"""Fuzzing: random data files and random YAML, valid and broken, never end in a traceback.

Every run of ``check`` must end in exit 0, or in exit 1 with each problem on its own line,
located (it starts with the file it is about), and a count; when ``check`` passes, ``measures``
and ``build`` must end the same way. The strategies mix what real exports and hand edits hold:
valid ids and dates, UK dates, blanks, junk text, huge numbers, unicode, Excel error values,
headers in any case or missing or repeated, rows too short or too long, several encodings,
Excel cells of every type; and YAML that is valid, slightly wrong (a key renamed, a value of the
wrong type), syntactically broken (tabs, unclosed brackets, stray characters) or hostile (deep
nesting, alias bombs, alias loops, tags PyYAML cannot build).

The runs are derandomised (the same examples each time) so that the suite is stable; set
``QI_FUZZ_EXAMPLES=2000`` to explore further with fresh random examples.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import os
import re
import shutil
import tempfile
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

import openpyxl
import pytest
import yaml
from click.testing import CliRunner, Result
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE

from qi_report.cli import main
from qi_report.data import SCHEMAS
from qi_report.tables import EXCEL_ERRORS

FIXTURES = Path(__file__).parent / "fixtures"
EXPLORE = int(os.environ.get("QI_FUZZ_EXAMPLES", "0"))


def fuzz(examples: int) -> Callable[[Any], Any]:
    return settings(
        max_examples=EXPLORE or examples,
        deadline=None,
        derandomize=not EXPLORE,
        database=None,
        suppress_health_check=[
            HealthCheck.function_scoped_fixture,
            HealthCheck.too_slow,
            HealthCheck.data_too_large,
            HealthCheck.filter_too_much,
        ],
    )


LOCATED = re.compile(r"^(content|data)/[^:]+: \S")
SUMMARY = re.compile(r"^\d+ problems? found; nothing was changed\.$")


def ended_cleanly(result: Result) -> bool:
    """Assert that a run ended in exit 0, or in exit 1 with located problems only; no traceback.
    True when it succeeded."""
    if result.exception is not None and not isinstance(result.exception, SystemExit):
        raise AssertionError(f"a traceback: {result.exception!r}") from result.exception
    assert "Traceback" not in result.output
    assert result.exit_code in (0, 1), result.output
    if result.exit_code == 0:
        return True
    *lines, summary = result.stderr.splitlines()
    assert SUMMARY.match(summary), result.stderr
    assert lines, "exit 1 without a problem"
    for line in lines:
        assert LOCATED.match(line), f"not a located problem line: {line!r}"
    return False


def fresh(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, fixture: str) -> Path:
    """A new copy of a fixture for one example, made the working folder."""
    folder = Path(tempfile.mkdtemp(dir=tmp_path)) / "project"
    shutil.copytree(FIXTURES / fixture, folder)
    monkeypatch.chdir(folder)
    return folder


def run_all(folder: Path) -> None:
    """check; then, when it passes, measures and build."""
    runner = CliRunner()
    common = ["--content", "content", "--data", "data"]
    if ended_cleanly(runner.invoke(main, ["check", *common])):
        ended_cleanly(runner.invoke(main, ["measures", *common, "--format", "csv"]))
        ended_cleanly(runner.invoke(main, ["build", *common, "--out", str(folder / "out")]))


# --- data files -------------------------------------------------------------------------------

IDS = ["C1", "C2", "C3", "P1", "P2", "P3", "C9", "P9"]
SPECIAL_TEXT = [
    "",
    " ",
    "\u00a0",
    "\u200b",
    "staff",
    "service_user",
    "external",
    "Staff",
    "0.5",
    "2.5",
    "5.0",
    "2.5 - Changes tested",
    "3.0 \u2013 Modest improvement",
    "Changes tested",
    "6",
    "nan",
    "inf",
    "-0",
    "1e999",
    "2019-02-30",
    "2019-13-01",
    "10/01/2019",
    "31/12/2019",
    "12/31/2019",
    "43830",
    "0001-01-01",
    "9999-12-31",
    '"',
    "a,b",
    "line\nbreak",
    ";",
    "=1+1",
    "<script>alert(1)</script>",
]
dates = st.dates(min_value=dt.date(1800, 1, 1), max_value=dt.date(2400, 12, 31))
text_cells = st.one_of(
    st.sampled_from(IDS),
    dates.map(dt.date.isoformat),
    dates.map(lambda d: d.strftime("%d/%m/%Y")),
    st.sampled_from(SPECIAL_TEXT),
    st.sampled_from([*sorted(EXCEL_ERRORS), "#n/a"]),
    st.integers(-(10**30), 10**30).map(str),
    st.floats().map(repr),
    st.text(max_size=12),
)


def header_variants(name: str) -> st.SearchStrategy[str]:
    return st.sampled_from([name, name.upper(), f" {name} ", name.title(), f"\u00a0{name}"])


@st.composite
def tables(draw: st.DrawFn, name: str, cells: st.SearchStrategy[Any]) -> list[list[Any]]:
    """A table as rows, header first: the fixture's as it is, with a few cells and headers
    changed, or made up (some canonical headers, some junk, rows of any width)."""
    canonical = [column.name for column in SCHEMAS[name]]
    with (FIXTURES / "valid" / "data" / f"{name}.csv").open(newline="") as f:
        fixture: list[list[Any]] = list(csv.reader(f))
    mode = draw(st.sampled_from(["keep", "change", "change", "invent"]))
    if mode == "keep":
        return fixture
    if mode == "change":
        rows = [list(row) for row in fixture]
        rows[0] = [draw(header_variants(h)) for h in rows[0]]
        for _ in range(draw(st.integers(1, 3))):
            row = draw(st.integers(1, len(rows) - 1)) if len(rows) > 1 else 0
            column = draw(st.integers(0, len(rows[row]) - 1))
            rows[row][column] = draw(cells)
        rows += [[""] * len(rows[0])] * draw(st.integers(0, 2))  # trailing blank rows
        return rows
    headers = draw(
        st.lists(
            st.one_of(*[header_variants(h) for h in canonical], st.text(max_size=8)),
            max_size=len(canonical) + 2,
        )
    )
    width = st.integers(max(0, len(headers) - 2), len(headers) + 2)
    body = draw(
        st.lists(width.flatmap(lambda n: st.lists(cells, min_size=n, max_size=n)), max_size=6)
    )
    return [headers, *body]


def csv_bytes(rows: Sequence[Sequence[Any]], quoting: bool, encoding: str) -> bytes:
    if quoting:
        buffer = io.StringIO()
        csv.writer(buffer, lineterminator="\n").writerows(rows)
        text = buffer.getvalue()
    else:  # as a hand edit might: no quotes at all
        text = "".join(",".join(str(c) for c in row) + "\n" for row in rows)
    return text.encode(encoding, errors="replace")


ERROR_CELL = object()
"""Marks a cell to be written as an Excel error cell."""

excel_cells = st.one_of(
    text_cells.map(lambda v: ILLEGAL_CHARACTERS_RE.sub("", v)),
    dates,
    st.datetimes(min_value=dt.datetime(1800, 1, 1), max_value=dt.datetime(2400, 12, 31)),
    st.times(),
    st.integers(-(10**15), 10**15),
    st.floats(allow_nan=False, allow_infinity=False),
    st.booleans(),
    st.none(),
    st.tuples(st.just(ERROR_CELL), st.sampled_from(sorted(EXCEL_ERRORS))),
)


def write_workbook(path: Path, rows: Sequence[Sequence[Any]]) -> None:
    book = openpyxl.Workbook()
    sheet = book.active
    assert sheet is not None
    for r, row in enumerate(rows, start=1):
        for c, value in enumerate(row, start=1):
            if isinstance(value, tuple) and value[0] is ERROR_CELL:
                cell = sheet.cell(r, c, value[1])
                cell.data_type = "e"
            elif isinstance(value, str):
                sheet.cell(r, c, ILLEGAL_CHARACTERS_RE.sub("", value))
            else:
                sheet.cell(r, c, value)
    book.save(path)


TABLE_NAMES = list(SCHEMAS)


@fuzz(60)
@given(data=st.data())
def test_random_csv_files(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, data: Any) -> None:
    folder = fresh(tmp_path, monkeypatch, "valid")
    for name in data.draw(
        st.lists(st.sampled_from(TABLE_NAMES), min_size=1, max_size=4, unique=True)
    ):
        rows = data.draw(tables(name, text_cells))
        encoding = data.draw(st.sampled_from(["utf-8", "utf-8-sig", "cp1252", "utf-16"]))
        raw = csv_bytes(rows, data.draw(st.booleans()), encoding)
        if data.draw(st.integers(0, 9)) == 0:  # now and then, a stray byte or two
            at = data.draw(st.integers(0, len(raw)))
            raw = raw[:at] + data.draw(st.binary(min_size=1, max_size=3)) + raw[at:]
        (folder / "data" / f"{name}.csv").write_bytes(raw)
    run_all(folder)


@fuzz(30)
@given(data=st.data())
def test_random_excel_files(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, data: Any) -> None:
    folder = fresh(tmp_path, monkeypatch, "valid")
    for name in data.draw(
        st.lists(st.sampled_from(TABLE_NAMES), min_size=1, max_size=3, unique=True)
    ):
        rows = data.draw(tables(name, excel_cells))
        (folder / "data" / f"{name}.csv").unlink()
        write_workbook(folder / "data" / f"{name}.xlsx", rows)
    run_all(folder)


@fuzz(25)
@given(
    name=st.sampled_from(TABLE_NAMES),
    raw=st.binary(max_size=300),
    suffix=st.sampled_from([".csv", ".xlsx"]),
)
def test_random_bytes_as_a_data_file(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, name: str, raw: bytes, suffix: str
) -> None:
    folder = fresh(tmp_path, monkeypatch, "valid")
    (folder / "data" / f"{name}.csv").unlink()
    (folder / "data" / f"{name}{suffix}").write_bytes(raw)
    run_all(folder)


# --- YAML ----------------------------------------------------------------------------------------

YAML_FILES = [
    "content/site.yaml",
    "content/measures.yaml",
    "content/editions/2019-03-first.yaml",
    "content/stories/huddle.yaml",
]
KNOWN_KEYS = [
    "title", "date", "status", "body", "markdown", "measure", "measures", "id", "kind", "chart",
    "rules", "parameters", "max_score", "window_months", "data", "columns", "file", "date_format",
    "report", "start", "end", "navigation", "label", "href", "site_url", "pdsa", "plan", "do",
    "study", "act", "started", "authors", "summary", "image", "alt", "target", "improvement",
    "definition", "unit", "period", "value", "numerator", "denominator", "annotations", "story",
]  # fmt: skip
SPECIAL_SCALARS = [
    "2019-02-30", "2019-03-01", "published", "draft", "testing", "p", "xmr", "run", "mdc",
    "javascript:alert(1)", "data:text/html,x", "../../etc/passwd", "/etc/passwd", "%d/%m/%y",
    "%d/%m/%Y", "active_coaches", "stalled_projects", "series", "increase", "decrease",
    "active-coaches", "stalled-projects", "**bold** [link](javascript:x)", "<img src=x onerror=1>",
]  # fmt: skip
scalars = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(-(10**20), 10**20),
    st.floats(),
    st.text(max_size=20),
    st.sampled_from(SPECIAL_SCALARS),
)
keys = st.one_of(st.sampled_from(KNOWN_KEYS), st.text(min_size=1, max_size=10))


def nested(inner: st.SearchStrategy[Any]) -> st.SearchStrategy[Any]:
    return st.one_of(st.lists(inner, max_size=4), st.dictionaries(keys, inner, max_size=5))


yaml_values = st.recursive(scalars, nested, max_leaves=25)

HOSTILE_YAML = [
    "title: " + "[" * 2000 + "]" * 2000 + "\n",
    "".join("  " * i + "a:\n" for i in range(300)) + "  " * 300 + "b\n",
    "a: &a [x,x,x,x,x,x,x,x,x]\nb: &b [*a,*a,*a,*a,*a,*a,*a,*a,*a]\n"
    "c: &c [*b,*b,*b,*b,*b,*b,*b,*b,*b]\nd: &d [*c,*c,*c,*c,*c,*c,*c,*c,*c]\n"
    "e: &e [*d,*d,*d,*d,*d,*d,*d,*d,*d]\nf: &f [*e,*e,*e,*e,*e,*e,*e,*e,*e]\ntitle: *f\n",
    "".join(f"a{i}: &a{i} [*a{i - 1}]\n" if i else "a0: &a0 [x]\n" for i in range(500)),
    "title: &a [*a]\n",
    "report: &r {start: *r}\n",
    "title: !!timestamp 2019-02-30\n",
    "title: !!int 0xZZ\n",
    "title: !!float abc\n",
    "title: !!binary AAA\n",
    "title: " + "9" * 5000 + "\n",
    "title: a\x07b\n",
    "title: a\x00b\n",
    "? [a]\n: b\n",
    "title: !!set {a, b}\n",
    "title: !!python/object/apply:os.system [echo hacked]\n",
    "<<: [1, 2]\n",
    "base: &b {title: x}\n<<: *b\n",
    "title:\tx\n",
    "title: a\n---\ntitle: b\n",
    "%YAML 9.9\n---\ntitle: a\n",
    "title: *undefined\n",
    "title: 'unclosed\n",
    "- just\n- a list\n",
    "just text\n",
    "",
]
BREAKERS = [
    "\t", ":", "- ", "[", "{", "&a ", "*a", "!!", "'", '"', "#", "\n", "  ", "\ufeff", "%", "@",
    "`", "|", ">", "? ",
]  # fmt: skip


@st.composite
def yaml_texts(draw: st.DrawFn, original: str) -> str:
    """YAML for a file whose fixture text is ``original``: random data, the fixture with one
    value replaced or a key added, a hostile document, and any of these with a few characters
    of YAML syntax inserted or some text cut out."""
    mode = draw(st.sampled_from(["random", "edit", "edit", "hostile"]))
    if mode == "hostile":
        return draw(st.sampled_from(HOSTILE_YAML))
    if mode == "random":
        value = draw(yaml_values)
    else:
        value = yaml.safe_load(original)
        target: Any = value
        while isinstance(target, dict | list) and target and draw(st.booleans()):
            key = draw(
                st.sampled_from(sorted(target) if isinstance(target, dict) else range(len(target)))
            )
            if not isinstance(target[key], dict | list) or not target[key]:
                break
            target = target[key]
        if isinstance(target, dict):
            key = draw(st.one_of(st.sampled_from(sorted(target) or ["title"]), keys))
            target[key] = draw(yaml_values)
        elif isinstance(target, list) and target:
            target[draw(st.integers(0, len(target) - 1))] = draw(yaml_values)
    text = yaml.safe_dump(
        value, default_flow_style=draw(st.sampled_from([None, True, False])), allow_unicode=True
    )
    for _ in range(draw(st.integers(0, 2))):
        at = draw(st.integers(0, len(text)))
        if draw(st.booleans()):
            text = text[:at] + draw(st.sampled_from(BREAKERS)) + text[at:]
        else:
            text = text[:at] + text[at + draw(st.integers(1, 10)) :]
    return text


@fuzz(80)
@given(data=st.data())
def test_random_yaml(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, data: Any) -> None:
    folder = fresh(tmp_path, monkeypatch, "small")
    for name in data.draw(
        st.lists(st.sampled_from(YAML_FILES), min_size=1, max_size=2, unique=True)
    ):
        path = folder / name
        text = data.draw(yaml_texts(path.read_text(encoding="utf-8")))
        encoding = data.draw(st.sampled_from(["utf-8", "utf-8", "utf-8-sig", "cp1252"]))
        path.write_bytes(text.encode(encoding, errors="replace"))
    run_all(folder)

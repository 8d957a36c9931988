"""The command line. Each command parses its options, calls one library function, and maps
problems to exit codes: 0 done, 1 problems in content or data (all printed, located), 2 misuse."""

from __future__ import annotations

import csv
import io
import json
import math
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from decimal import ROUND_HALF_UP, Decimal
from pathlib import Path
from typing import Any, TypeVar

import click

from qi_report import __version__
from qi_report.build import (
    UnknownMeasure,
    analyse_one,
    build_site,
    check_inputs,
    compute_measures,
    load_inputs,
)
from qi_report.chart_report import chart_json_text, chart_table
from qi_report.measures import MeasureSeries, percent_1dp
from qi_report.problems import ProblemsFound

F = TypeVar("F", bound=Callable[..., Any])

EXIT_CODES = (
    "Exit codes: 0 done; 1 problems in content or data (each printed with its place); 2 misuse."
)


def folder_options(command: F) -> F:
    """The --content and --data options every command shares."""
    command = click.option(
        "--data",
        "data_dir",
        type=click.Path(file_okay=False, path_type=Path),
        default=Path("data"),
        show_default=True,
        help="Folder of data exports (CSV or Excel).",
    )(command)
    command = click.option(
        "--content",
        "content_dir",
        type=click.Path(file_okay=False, path_type=Path),
        default=Path("content"),
        show_default=True,
        help="Folder of YAML content: site.yaml, measures.yaml, editions/, stories/.",
    )(command)
    return command


@contextmanager
def reporting_problems() -> Iterator[None]:
    """Print every located problem on stderr and exit 1, without a traceback."""
    try:
        yield
    except ProblemsFound as found:
        for problem in sorted(found.problems, key=_problem_order):
            click.echo(str(problem), err=True)
        count = len(found.problems)
        click.echo(
            f"{count} problem{'s' if count != 1 else ''} found; nothing was changed.", err=True
        )
        sys.exit(1)


def _problem_order(problem: Any) -> tuple[str, int, int]:
    return (problem.path, problem.row or 0, problem.line or 0)


@click.group(
    help=f"Publish a QI programme's measures and stories as a newsletter site.\n\n{EXIT_CODES}"
)
@click.version_option(__version__, prog_name="qi-report")
def main() -> None:
    pass


@main.command(help=f"Validate content and data and print every problem found.\n\n{EXIT_CODES}")
@folder_options
def check(content_dir: Path, data_dir: Path) -> None:
    with reporting_problems():
        inputs = check_inputs(content_dir, data_dir)
    click.echo(f"OK: {inputs.summary()}.")


@main.command(help=f"Print every measure for every month.\n\n{EXIT_CODES}")
@folder_options
@click.option(
    "--format",
    "fmt",
    type=click.Choice(["table", "csv", "json"]),
    default="table",
    show_default=True,
    help="table for people; csv or json for other programs.",
)
def measures(content_dir: Path, data_dir: Path, fmt: str) -> None:
    with reporting_problems():
        inputs = load_inputs(content_dir, data_dir)
    rows = list(_measure_rows(compute_measures(inputs)))
    if fmt == "csv":
        buffer = io.StringIO()
        writer = csv.writer(buffer, lineterminator="\n")
        writer.writerow(MEASURE_COLUMNS)
        writer.writerows([[row[c] for c in MEASURE_COLUMNS] for row in rows])
        click.echo(buffer.getvalue(), nl=False)
    elif fmt == "json":
        for row in rows:
            row["value"] = float(row["value"]) if row["value"] else None
            for key in ("numerator", "denominator"):
                row[key] = None if row[key] == "" else row[key]
        click.echo(json.dumps(rows, indent=2))
    else:
        click.echo(_table(rows))


MEASURE_COLUMNS = ("measure", "month", "numerator", "denominator", "value")


def _measure_rows(all_series: list[MeasureSeries]) -> Iterator[dict[str, Any]]:
    """One row per period; a series given as values has no numerator or denominator, and a
    u chart's value is its rate per multiplier."""
    for series in all_series:
        for i, (period, value) in enumerate(zip(series.periods, series.values, strict=True)):
            num, den = series.numerators[i], series.denominators[i]
            counts = series.has_counts
            percent = counts and series.scale == 100.0 and num.is_integer() and den.is_integer()
            yield {
                "measure": series.measure_id,
                "month": period,
                "numerator": _whole(num) if counts else "",
                "denominator": _whole(den) if counts else "",
                "value": percent_1dp(num, den) if percent else _one_decimal(value),
            }


def _whole(value: float) -> int | float:
    return int(value) if value.is_integer() else value


def _one_decimal(value: float) -> str:
    """Rounded to one decimal place with halves up, as ``percent_1dp``; '' for no value."""
    if math.isnan(value):  # no value in this period
        return ""
    return str(Decimal(repr(float(value))).quantize(Decimal("0.1"), rounding=ROUND_HALF_UP))


def _table(rows: list[dict[str, Any]]) -> str:
    headings = ("Measure", "Month", "Numerator", "Denominator", "Value (%)")
    cells = [[str(row[c]) for c in MEASURE_COLUMNS] for row in rows]
    widths = [
        max(len(h), *(len(r[i]) for r in cells)) if cells else len(h)
        for i, h in enumerate(headings)
    ]
    lines = [
        "  ".join(
            h.ljust(w) if i < 2 else h.rjust(w)
            for i, (h, w) in enumerate(zip(headings, widths, strict=True))
        )
    ]
    lines.append("  ".join("-" * w for w in widths))
    previous = None
    for r in cells:
        if previous is not None and r[0] != previous:
            lines.append("")
        previous = r[0]
        lines.append(
            "  ".join(
                c.ljust(w) if i < 2 else c.rjust(w)
                for i, (c, w) in enumerate(zip(r, widths, strict=True))
            )
        )
    return "\n".join(lines)


@main.command(
    help="Print the run-chart or SPC analysis of one measure, as the site charts it: each "
    "period's value, centre line, limits, phase, signals and type, then the runs analysis, "
    "variation, assurance and summary. JSON carries every number unrounded, proportions in "
    f"percent; an unknown MEASURE_ID is a problem in content.\n\n{EXIT_CODES}"
)
@click.argument("measure_id")
@folder_options
@click.option(
    "--format",
    "fmt",
    type=click.Choice(["json", "table"]),
    default="table",
    show_default=True,
    help="table for people; json for other programs.",
)
def chart(measure_id: str, content_dir: Path, data_dir: Path, fmt: str) -> None:
    with reporting_problems():
        try:
            measured = analyse_one(content_dir, data_dir, measure_id)
        except UnknownMeasure as unknown:
            click.echo(f"Error: {unknown}", err=True)
            sys.exit(1)
    click.echo(chart_json_text(measured) if fmt == "json" else chart_table(measured))


@main.command(help=f"Validate, then build the site into --out (atomically).\n\n{EXIT_CODES}")
@folder_options
@click.option(
    "--out",
    "out_dir",
    type=click.Path(file_okay=False, path_type=Path),
    default=Path("site"),
    show_default=True,
    help="Output folder. Replaced only by a complete new build.",
)
@click.option(
    "--base-url",
    default=None,
    metavar="URL",
    help="Where the site will be served, e.g. https://org.github.io/repo/ "
    "(overrides site_url in site.yaml).",
)
@click.option("--drafts", is_flag=True, help="Include editions whose status is draft.")
@click.option(
    "--strict",
    is_flag=True,
    help="Treat warnings (dead internal links, editions dated in the future, trial "
    "limits, no site_url) as problems: exit 1 and change nothing.",
)
def build(
    content_dir: Path,
    data_dir: Path,
    out_dir: Path,
    base_url: str | None,
    drafts: bool,
    strict: bool,
) -> None:
    with reporting_problems():
        report = build_site(
            content_dir, data_dir, out_dir, base_url=base_url, drafts=drafts, strict=strict
        )
    for warning in report.warnings:
        click.echo(f"Warning: {warning}", err=True)
    index = (report.out / "index.html").resolve()
    click.echo(f"Built {report.pages} pages ({report.files} files) in {report.out}/.")
    click.echo(
        f"Open {index.as_uri()} or serve the folder with: python -m http.server -d {report.out}"
    )


@main.command(
    help="Preview the site while you write: build it into a private temporary folder (never "
    "site/), serve it on 127.0.0.1 under the path of site_url (as GitHub Pages will), and "
    "rebuild when a file in the content, data or templates folder changes; the open page "
    "reloads by itself. Problems are printed, and shown in a banner on the page, while the "
    "last good site stays served. Ctrl-C stops.\n\n"
    f"{EXIT_CODES} For serve: 0 when stopped with Ctrl-C; 1 when the port cannot be used (in "
    "use, say); problems in content or data never stop it."
)
@folder_options
@click.option(
    "--port",
    type=click.IntRange(0, 65535),
    default=8000,
    show_default=True,
    help="Port on 127.0.0.1; 0 picks a free one.",
)
@click.option("--drafts", is_flag=True, help="Include editions whose status is draft.")
def serve(content_dir: Path, data_dir: Path, port: int, drafts: bool) -> None:
    from qi_report.serve import Preview, ServeError, sigterm_as_interrupt

    preview = Preview(content_dir, data_dir, port=port, drafts=drafts, echo=click.echo)
    try:
        with sigterm_as_interrupt():
            preview.start()
            click.echo(f"Serving {preview.url} (Ctrl-C to stop); watching for changes.")
            preview.wait()
    except ServeError as error:
        click.echo(f"Error: {error}", err=True)
        sys.exit(1)
    except KeyboardInterrupt:
        click.echo("\nStopped.")
    finally:
        preview.stop()


@main.command(
    "sample-data",
    help="Write the synthetic sample data set (no real person or project) as CSV files. "
    "The committed data/ is --scale sample; medium and large are for benchmarks.\n\n"
    "Exit codes: 0 done; 2 misuse.",
)
@click.option(
    "--scale",
    type=click.Choice(["sample", "medium", "large"]),
    default="sample",
    show_default=True,
    help="Size of the data set.",
)
@click.option(
    "--out",
    "out_dir",
    type=click.Path(file_okay=False, path_type=Path),
    default=Path("data"),
    show_default=True,
    help="Folder to write the four files to.",
)
@click.option("--force", is_flag=True, help="Replace the four files if they exist already.")
def sample_data(scale: str, out_dir: Path, force: bool) -> None:
    from qi_report.config import TABLES
    from qi_report.sample import write_sample
    from qi_report.sample_spec import main_spec

    existing = [out_dir / f"{name}.csv" for name in TABLES if (out_dir / f"{name}.csv").exists()]
    if existing and not force:
        raise click.UsageError(
            f"{', '.join(p.as_posix() for p in existing)} exist already; "
            "add --force to replace them"
        )
    for path in write_sample(main_spec(scale), out_dir):
        click.echo(f"Wrote {path}")


@main.group(
    help="Start a new edition or story: a ready-to-edit YAML file with every field, commented, "
    "named by a slug made from the title. Prints the path written.\n\n"
    "Never replaces a file: if it exists, nothing is written and the exit code is 1."
    f"\n\n{EXIT_CODES}"
)
def new() -> None:
    pass


def _content_option(command: F) -> F:
    return click.option(
        "--content",
        "content_dir",
        type=click.Path(file_okay=False, path_type=Path),
        default=Path("content"),
        show_default=True,
        help="Folder of YAML content: site.yaml, measures.yaml, editions/, stories/.",
    )(command)


@new.command(
    "edition",
    help="Write content/editions/YYYY-MM-SLUG.yaml, a draft edition dated --date, with an "
    f"example of every kind of body block.\n\n{EXIT_CODES}",
)
@click.argument("title")
@click.option(
    "--date",
    type=click.DateTime(formats=["%Y-%m-%d"]),
    default=None,
    metavar="YYYY-MM-DD",
    help="Date of the edition; also gives the file name its YYYY-MM.  [default: today]",
)
@_content_option
def new_edition_command(title: str, date: Any, content_dir: Path) -> None:
    import datetime as dt

    from qi_report.scaffold import new_edition

    day = date.date() if date is not None else dt.date.today()  # the user's own clock
    _scaffold(lambda: new_edition(content_dir, title, day))


@new.command(
    "story",
    help="Write content/stories/SLUG.yaml, a story in testing started today, with a first PDSA "
    f"cycle to fill in.\n\n{EXIT_CODES}",
)
@click.argument("title")
@_content_option
def new_story_command(title: str, content_dir: Path) -> None:
    import datetime as dt

    from qi_report.scaffold import new_story

    _scaffold(lambda: new_story(content_dir, title, dt.date.today()))


def _scaffold(write: Callable[[], Path]) -> None:
    """Run one ``new`` command: misuse exits 2, an existing file exits 1."""
    from qi_report.scaffold import AlreadyExists, ScaffoldMisuse

    try:
        path = write()
    except ScaffoldMisuse as misuse:
        raise click.UsageError(str(misuse)) from None
    except AlreadyExists as exists:
        click.echo(f"Error: {exists}", err=True)
        sys.exit(1)
    click.echo(f"Wrote {path.as_posix()}")

"""The command line's contract: exit codes, help text, output formats, and the two entry points
(``python generate.py`` and the ``qi-report`` console script) behaving the same."""

from __future__ import annotations

import json
import re
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import click
import pytest
from click.testing import Result

from qi_report.cli import main

Run = Callable[..., Result]
FOLDERS = ("--content", "content", "--data", "data")
REPO = Path(__file__).resolve().parent.parent
COLUMNS = ["measure", "month", "numerator", "denominator", "value"]


def commands(group: click.Group = main, path: tuple[str, ...] = ()) -> list[tuple[str, ...]]:
    """Every command and sub-command, as the words that invoke it."""
    found = []
    for name, command in sorted(group.commands.items()):
        found.append((*path, name))
        if isinstance(command, click.Group):
            found += commands(command, (*path, name))
    return found


def test_exit_0_when_all_is_well(project: Path, run: Run) -> None:
    result = run("check", *FOLDERS)
    assert (result.exit_code, result.stderr) == (0, "")
    assert result.stdout.startswith("OK")
    assert len(result.stdout.splitlines()) == 1


def test_exit_1_for_problems_in_the_data(project: Path, run: Run) -> None:
    (project / "data" / "projects.csv").unlink()
    for command in ("check", "measures"):
        result = run(command, *FOLDERS)
        assert result.exit_code == 1
        assert isinstance(result.exception, SystemExit)
        assert "data/projects.csv: file not found" in result.stderr
        assert result.stdout == ""


@pytest.mark.parametrize(
    "args",
    [
        ["measures", "--bogus"],
        ["measures", "--format", "xml"],
        ["check", "extra-argument"],
        ["no-such-command"],
        ["measures", "--data", "content/site.yaml"],  # a file where a folder is expected
        ["measures", "--format"],  # option without its value
    ],
    ids=["unknown-option", "bad-format", "extra-argument", "unknown-command", "file", "no-value"],
)
def test_exit_2_for_misuse(project: Path, run: Run, args: list[str]) -> None:
    result = run(*args)
    assert result.exit_code == 2, result.output
    assert "Error:" in result.stderr
    assert "Traceback" not in result.output


def test_help_states_the_exit_codes_for_the_group_and_every_command(run: Run) -> None:
    assert {("check",), ("measures",)} <= set(commands())
    for words in [(), *commands()]:
        result = run(*words, "--help")
        assert result.exit_code == 0, words
        text = " ".join(result.stdout.split())
        # A command that cannot find problems may leave out code 1; every one can be misused.
        assert re.search(r"Exit codes: 0 [^;]+;( 1 [^;]+;)? 2 misuse", text), (words, text)


def test_every_command_and_option_has_help() -> None:
    for words in commands():
        command: click.Command = main
        for word in words:
            assert isinstance(command, click.Group)
            command = command.commands[word]
        assert command.help, words
        for param in command.params:
            if isinstance(param, click.Option):
                assert param.help, f"{' '.join(words)} {param.opts}"


def test_csv_format(project: Path, run: Run) -> None:
    result = run("measures", *FOLDERS, "--format", "csv")
    assert result.exit_code == 0, result.output
    lines = result.stdout.splitlines()
    assert lines[0] == "measure,month,numerator,denominator,value"
    # The valid fixture: 4 months of active coaches and 1 of stalled projects (see
    # test_validation.VALID_MEASURES for the arithmetic).
    assert len(lines) == 1 + 5
    for line in lines[1:]:
        _measure, month, numerator, denominator, value = line.split(",")
        assert re.fullmatch(r"\d{4}-\d{2}", month)
        assert numerator.isdigit() and denominator.isdigit()
        assert re.fullmatch(r"\d+\.\d", value)


def test_json_format(project: Path, run: Run) -> None:
    result = run("measures", *FOLDERS, "--format", "json")
    assert result.exit_code == 0, result.output
    rows = json.loads(result.stdout)
    assert isinstance(rows, list)
    assert len(rows) == 5
    for row in rows:
        assert list(row) == COLUMNS
        assert isinstance(row["numerator"], int) and isinstance(row["denominator"], int)
        assert isinstance(row["value"], float)
    assert rows[1] == {
        "measure": "active-coaches",
        "month": "2019-02",
        "numerator": 2,
        "denominator": 3,
        "value": 66.7,
    }


def test_table_format_is_aligned(project: Path, run: Run) -> None:
    result = run("measures", *FOLDERS)  # table is the default
    assert result.exit_code == 0, result.output
    lines = [line for line in result.stdout.splitlines() if line]
    assert lines[0].split() == ["Measure", "Month", "Numerator", "Denominator", "Value", "(%)"]
    # Text columns are left-aligned and numbers right-aligned, so every line has one width and
    # the values end in the same column.
    assert len({len(line) for line in lines}) == 1
    assert lines[2].split() == ["active-coaches", "2019-01", "1", "2", "50.0"]
    assert lines[-1].split() == ["stalled-projects", "2019-04", "0", "1", "0.0"]


def entry_points() -> dict[str, list[str]]:
    script = Path(sys.executable).parent / "qi-report"
    assert script.is_file(), f"{script} is missing: run  {sys.executable} -m pip install -e {REPO}"
    return {
        "generate.py": [sys.executable, str(REPO / "generate.py")],
        "qi-report": [str(script)],
    }


@pytest.mark.parametrize(
    "args",
    [
        ["--help"],
        ["measures", "--help"],
        ["measures", "--format", "csv", *FOLDERS],  # exit 0
        ["check", "--content", "content", "--data", "no-such-folder"],  # exit 1
        ["measures", "--format", "xml", *FOLDERS],  # exit 2
    ],
    ids=lambda args: " ".join(args),
)
def test_generate_py_and_the_console_script_behave_the_same(project: Path, args: list[str]) -> None:
    outcomes = {}
    for name, command in entry_points().items():
        done = subprocess.run(
            [*command, *args], cwd=project, capture_output=True, text=True, timeout=60
        )
        # Only the program name in the usage line (and in "Try 'PROG --help'") may differ.
        outcomes[name] = (
            done.returncode,
            done.stdout.replace(f"Usage: {name} ", "Usage: PROG "),
            done.stderr.replace(f"Usage: {name} ", "Usage: PROG ").replace(f"'{name} ", "'PROG "),
        )
    assert outcomes["generate.py"] == outcomes["qi-report"]
    code, _stdout, stderr = outcomes["qi-report"]
    assert "Traceback" not in stderr
    assert code == (2 if "xml" in args else 1 if "no-such-folder" in args else 0)

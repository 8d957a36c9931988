"""Habits the code keeps: every command explains itself, states its exit codes, and is listed in
README.md's commands table; every option has help text."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

import click
import pytest

from qi_report.cli import main

README = Path(__file__).parent.parent / "README.md"


def commands(
    group: click.Group, prefix: tuple[str, ...] = ()
) -> Iterator[tuple[str, click.Command]]:
    """Every command and subcommand under ``group``, by its full name ('new edition')."""
    for name, command in sorted(group.commands.items()):
        path = (*prefix, name)
        yield " ".join(path), command
        if isinstance(command, click.Group):
            yield from commands(command, path)


ALL = [("(main)", main), *commands(main)]
LEAVES = [(name, c) for name, c in ALL if not isinstance(c, click.Group)]


def readme_commands() -> set[str]:
    """The command names in the first cell of each row of the table under '## Commands'."""
    text = README.read_text("utf-8")
    section = text.split("\n## Commands\n", 1)[1].split("\n## ", 1)[0]
    names = set()
    for cell in re.findall(r"^\| `([^`]+)` \|", section, re.MULTILINE):
        words = []
        for word in cell.split():
            if not re.fullmatch(r"[a-z][a-z-]*", word):
                break  # an argument (TITLE) or an option ([--out DIR]) ends the name
            words.append(word)
        names.add(" ".join(words))
    return names


def test_the_walk_finds_every_command() -> None:
    names = {name for name, _ in ALL}
    assert {"check", "build", "chart", "measures", "new", "new edition", "new story"} <= names


@pytest.mark.parametrize(("name", "command"), ALL, ids=[n for n, _ in ALL])
def test_every_command_has_help_stating_its_exit_codes(name: str, command: click.Command) -> None:
    text = command.help or ""
    assert len(text.split()) >= 5, f"{name}: no help text"
    assert re.search(r"exit codes?:?", text, re.IGNORECASE), f"{name}: no exit codes in its help"
    assert "0" in text.split("xit code", 1)[1], f"{name}: help does not say what 0 means"


@pytest.mark.parametrize(("name", "command"), ALL, ids=[n for n, _ in ALL])
def test_every_option_has_help(name: str, command: click.Command) -> None:
    for parameter in command.params:
        if isinstance(parameter, click.Option) and parameter.name not in {"help", "version"}:
            assert parameter.help, f"{name} {parameter.opts[0]}: no help text"


@pytest.mark.parametrize(("name", "command"), LEAVES, ids=[n for n, _ in LEAVES])
def test_every_command_is_in_the_readme_table(name: str, command: click.Command) -> None:
    assert name in readme_commands(), f"'{name}' is not in README.md's commands table"


def test_the_readme_table_names_no_command_that_does_not_exist() -> None:
    assert readme_commands() <= {name for name, _ in LEAVES}

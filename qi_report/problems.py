"""Problems in content or data: located, collected, and reported all at once.

A :class:`Problem` names the file, where in it (a spreadsheet row, header = row 1, or a YAML
line), the column or field, and a message that states the bad value and what was expected. Loading
code appends problems to a :class:`Problems` collector and carries on, so that one run reports
every problem; the caller raises :class:`ProblemsFound` once, before anything is computed.
"""

from __future__ import annotations

import difflib
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path


@dataclass(frozen=True, order=True)
class Problem:
    """One located problem. ``row`` and ``line`` are 1-based; at most one of them is set."""

    path: str
    row: int | None = None
    line: int | None = None
    field: str | None = None
    message: str = ""

    def __str__(self) -> str:
        where = [f"row {self.row}"] if self.row is not None else []
        if self.line is not None:
            where.append(f"line {self.line}")
        if self.field is not None:
            kind = "column" if self.row is not None else "field"
            where.append(f"{kind} '{self.field}'")
        location = f": {', '.join(where)}" if where else ""
        return one_line(f"{self.path}{location}: {self.message}")


_ESCAPES = {
    code: f"\\x{code:02x}" if code < 0x100 else f"\\u{code:04x}"
    for code in [*range(0x20), 0x7F, 0x85, 0x2028, 0x2029]
}


def one_line(text: str) -> str:
    """``text`` with control characters and line breaks written as escapes (``\\x0c``), so that
    a value quoted from a file (a newline in a CSV cell, a form feed in a YAML key) cannot split
    a problem over several lines."""
    return text.translate(_ESCAPES) if not text.isprintable() else text


class Problems:
    """A collector of problems, in the order they were found."""

    def __init__(self) -> None:
        self._items: list[Problem] = []

    def add(
        self,
        path: str | Path,
        message: str,
        *,
        row: int | None = None,
        line: int | None = None,
        field: str | None = None,
    ) -> None:
        self._items.append(Problem(display_path(path), row, line, field, message))

    def extend(self, problems: Iterable[Problem]) -> None:
        self._items.extend(problems)

    def __iter__(self) -> Iterator[Problem]:
        return iter(self._items)

    def __len__(self) -> int:
        return len(self._items)

    def __bool__(self) -> bool:
        return bool(self._items)

    def raise_if_any(self) -> None:
        if self._items:
            raise ProblemsFound(self._items)


class ProblemsFound(Exception):
    """Raised once, after loading, when content or data has problems (CLI exit code 1)."""

    def __init__(self, problems: Iterable[Problem]) -> None:
        self.problems = list(problems)
        super().__init__(f"{len(self.problems)} problem(s) found")


def display_path(path: str | Path) -> str:
    """A path as the user should see it: relative to the working folder where possible."""
    p = Path(path)
    try:
        return p.resolve().relative_to(Path.cwd().resolve()).as_posix()
    except ValueError:
        return p.as_posix()


def did_you_mean(word: str, choices: Iterable[str]) -> str:
    """A ' (did you mean 'x'?)' hint when one of ``choices`` is close to ``word``, else ''."""
    close = difflib.get_close_matches(word, list(choices), n=1, cutoff=0.6)
    return f" (did you mean '{close[0]}'?)" if close else ""


def quote(value: object) -> str:
    """A value as it appears in a message: repr-like quotes, shortened when long."""
    text = str(value)
    if len(text) > 60:
        text = text[:57] + "..."
    return f"'{text}'"

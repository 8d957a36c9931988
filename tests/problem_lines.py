"""The problem lines of a CLI run that must have failed cleanly, shared by the validation tests."""

from __future__ import annotations

from click.testing import Result

FOLDERS = ("--content", "content", "--data", "data")


def problems(result: Result) -> list[str]:
    """Exit 1, no traceback, nothing on stdout, and a last line that counts the problems listed;
    returns the problem lines."""
    assert result.exit_code == 1, result.output
    assert isinstance(result.exception, SystemExit), result.exception
    assert "Traceback" not in result.output
    assert result.stdout == ""
    *lines, summary = result.stderr.splitlines()
    plural = "s" if len(lines) != 1 else ""
    assert summary == f"{len(lines)} problem{plural} found; nothing was changed."
    return lines

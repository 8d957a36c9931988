"""Shared fixtures: a working folder holding a small valid project, and the CLI run in-process."""

from __future__ import annotations

import shutil
from collections.abc import Callable
from pathlib import Path

import pytest
from click.testing import CliRunner, Result

from qi_report.cli import main

FIXTURES = Path(__file__).parent / "fixtures"


@pytest.fixture
def project(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A copy of ``fixtures/valid`` (content/ and data/) in a temporary folder that is also the
    working folder, so that messages name files as the user would see them (data/coaches.csv)."""
    shutil.copytree(FIXTURES / "valid", tmp_path, dirs_exist_ok=True)
    monkeypatch.chdir(tmp_path)
    return tmp_path


@pytest.fixture
def run() -> Callable[..., Result]:
    """``run("check", "--data", "data")``: the qi-report CLI invoked in-process."""

    def invoke(*args: str) -> Result:
        return CliRunner().invoke(main, list(args))

    return invoke

"""The GitHub Pages workflow: valid against GitHub's workflow schema, and doing what README.md,
"Publish on GitHub Pages", tells a user it does."""

from __future__ import annotations

import os
import shlex
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
import yaml
from click.testing import CliRunner

from qi_report.cli import main

REPO = Path(__file__).resolve().parent.parent
WORKFLOW = REPO / ".github" / "workflows" / "pages.yml"
CHECK_JSONSCHEMA = Path(sys.executable).parent / "check-jsonschema"
BASE_URL = "${{ steps.pages.outputs.base_url }}"


def validate(path: Path) -> subprocess.CompletedProcess[str]:
    """check-jsonschema with its bundled copy of the schema; proxies that lead nowhere make
    sure it does not reach for the network."""
    if not CHECK_JSONSCHEMA.exists():
        pytest.fail(
            f"{CHECK_JSONSCHEMA} not found; install the test extra: pip install -e '.[test]'"
        )
    dead_end = "http://127.0.0.1:9"
    env = {**os.environ, "HTTP_PROXY": dead_end, "HTTPS_PROXY": dead_end, "NO_PROXY": ""}
    return subprocess.run(
        [str(CHECK_JSONSCHEMA), "--builtin-schema", "vendor.github-workflows", str(path)],
        capture_output=True,
        text=True,
        env=env,
        timeout=120,
        check=False,
    )


@pytest.fixture(scope="module")
def workflow() -> dict[Any, Any]:
    data = yaml.safe_load(WORKFLOW.read_text(encoding="utf-8"))
    assert isinstance(data, dict)
    return data


def steps(workflow: dict[Any, Any], job: str) -> list[dict[str, Any]]:
    found = workflow["jobs"][job]["steps"]
    assert isinstance(found, list)
    return found


def step(workflow: dict[Any, Any], job: str, *, uses: str = "", run: str = "") -> dict[str, Any]:
    """The one step of ``job`` that uses the action ``uses`` or runs a command holding ``run``."""
    matches = [
        s
        for s in steps(workflow, job)
        if (uses and str(s.get("uses", "")).split("@")[0] == uses)
        or (run and run in str(s.get("run", "")))
    ]
    assert len(matches) == 1, f"{job}: expected one step for {uses or run!r}, found {matches}"
    return matches[0]


def test_the_workflow_is_valid_against_githubs_schema() -> None:
    result = validate(WORKFLOW)
    assert result.returncode == 0, result.stdout + result.stderr


def test_the_schema_check_rejects_a_broken_workflow(tmp_path: Path) -> None:
    data = yaml.safe_load(WORKFLOW.read_text(encoding="utf-8"))
    data["jobs"]["deploy"]["enviroment"] = data["jobs"]["deploy"].pop("environment")
    broken = tmp_path / "pages.yml"
    broken.write_text(yaml.safe_dump(data, sort_keys=False), encoding="utf-8")
    result = validate(broken)
    assert result.returncode == 1, result.stdout + result.stderr
    assert "enviroment" in result.stdout


def test_it_runs_on_push_to_main_and_by_hand(workflow: dict[Any, Any]) -> None:
    triggers: Any = workflow.get("on", workflow.get(True))  # YAML 1.1 reads `on` as true
    assert triggers["push"] == {"branches": ["main"]}
    assert "workflow_dispatch" in triggers


def test_permissions_and_one_deployment_at_a_time(workflow: dict[Any, Any]) -> None:
    assert workflow["permissions"] == {"contents": "read", "pages": "write", "id-token": "write"}
    assert workflow["concurrency"]["group"] == "pages"
    assert workflow["concurrency"]["cancel-in-progress"] is False


def test_the_build_installs_qi_report_and_builds_with_the_pages_base_url(
    workflow: dict[Any, Any],
) -> None:
    assert step(workflow, "build", uses="actions/checkout")["uses"] == "actions/checkout@v4"
    python = step(workflow, "build", uses="actions/setup-python")
    assert python["uses"] == "actions/setup-python@v5"
    assert python["with"]["python-version"] == "3.11"
    assert python["with"]["cache"] == "pip"

    install = step(workflow, "build", run="scripts/setup.sh")
    assert (REPO / "scripts" / "setup.sh").is_file()
    pages = step(workflow, "build", uses="actions/configure-pages")
    assert pages == {**pages, "id": "pages", "uses": "actions/configure-pages@v5"}
    build = step(workflow, "build", run="qi-report build")
    command = shlex.split(build["run"])
    assert command[:2] == [".venv/bin/qi-report", "build"]
    assert command[command.index("--out") + 1] == "site"
    # configure-pages gives base_url without a trailing slash
    assert command[command.index("--base-url") + 1] == BASE_URL + "/"
    upload = step(workflow, "build", uses="actions/upload-pages-artifact")
    assert upload["uses"] == "actions/upload-pages-artifact@v3"
    assert upload["with"]["path"] == "site"

    order = [steps(workflow, "build").index(s) for s in (install, pages, build, upload)]
    assert order == sorted(order)


def test_the_deploy_uses_the_official_pages_action(workflow: dict[Any, Any]) -> None:
    deploy = workflow["jobs"]["deploy"]
    assert deploy["needs"] == "build"
    assert deploy["environment"] == {
        "name": "github-pages",
        "url": "${{ steps.deployment.outputs.page_url }}",
    }
    action = step(workflow, "deploy", uses="actions/deploy-pages")
    assert action == {**action, "id": "deployment", "uses": "actions/deploy-pages@v4"}


def test_the_build_command_works_with_a_pages_base_url(
    workflow: dict[Any, Any], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The workflow's own build command, on the repository's content and data, as Pages would
    run it for https://example.github.io/qi-report."""
    shutil.copytree(REPO / "content", tmp_path / "content")
    shutil.copytree(REPO / "data", tmp_path / "data")
    monkeypatch.chdir(tmp_path)
    run = step(workflow, "build", run="qi-report build")["run"]
    args = shlex.split(run.replace(BASE_URL, "https://example.github.io/qi-report"))[1:]

    result = CliRunner().invoke(main, args)
    assert result.exit_code == 0, result.output
    not_found = (tmp_path / "site" / "404.html").read_text(encoding="utf-8")
    assert 'href="/qi-report/assets/site.css"' in not_found
    assert (tmp_path / "site" / "index.html").is_file()

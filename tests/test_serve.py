"""``serve``: the live preview, run in-process on a copy of the sample (no browser here).

The preview is started with ``watch=False`` and rebuilt with ``rebuild_if_changed()``, so each
test decides when a rebuild happens; one test runs the watcher thread itself, and two run the
real command in a subprocess (Ctrl-C) or in-process (port in use).
"""

from __future__ import annotations

import http.client
import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

import qi_report.build
from qi_report.build import build_site
from qi_report.cli import main
from qi_report.serve import Preview

REPO = Path(__file__).resolve().parent.parent
EDITION = Path("content/editions/2020-01-improving-coaching.yaml")
EDITION_URL = "editions/2020-01-improving-coaching/"
TITLE = "Improving our improvement coaching"
STORY = Path("content/stories/coaching-buddies.yaml")


@pytest.fixture
def sample(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A copy of the bundled content/ and data/, in the working folder (never the repo's)."""
    shutil.copytree(REPO / "content", tmp_path / "content")
    shutil.copytree(REPO / "data", tmp_path / "data")
    monkeypatch.chdir(tmp_path)
    return tmp_path


def counter(monkeypatch: pytest.MonkeyPatch, name: str) -> list[int]:
    """One entry per call of the pipeline's function ``name``."""
    calls: list[int] = []
    function = getattr(qi_report.build, name)

    def counted(*args: Any, **kwargs: Any) -> Any:
        calls.append(1)
        return function(*args, **kwargs)

    monkeypatch.setattr(qi_report.build, name, counted)
    return calls


@pytest.fixture
def computations(monkeypatch: pytest.MonkeyPatch) -> list[int]:
    """Calls of the measure computation."""
    return counter(monkeypatch, "compute_measures")


@pytest.fixture
def drawn(monkeypatch: pytest.MonkeyPatch) -> list[int]:
    """Calls of measure_view, which draws a measure's chart."""
    return counter(monkeypatch, "measure_view")


@pytest.fixture
def preview(sample: Path) -> Iterator[Preview]:
    with Preview(Path("content"), Path("data"), port=0).start(watch=False) as running:
        yield running


def get(preview: Preview, path: str) -> tuple[int, dict[str, str], str]:
    """GET a path on the preview's server (redirects not followed)."""
    connection = http.client.HTTPConnection("127.0.0.1", preview.port, timeout=10)
    try:
        connection.request("GET", path)
        answer = connection.getresponse()
        return answer.status, dict(answer.getheaders()), answer.read().decode("utf-8")
    finally:
        connection.close()


def page(preview: Preview, relative: str) -> str:
    status, _, body = get(preview, preview.state.base + relative)
    assert status == 200, (relative, status)
    return body


def status(preview: Preview) -> dict[str, Any]:
    code, headers, body = get(preview, preview.state.base + "__qi-serve/status")
    assert code == 200
    assert headers["Content-Type"].startswith("application/json")
    answer: dict[str, Any] = json.loads(body)
    return answer


def edit(path: Path, change: Callable[[str], str]) -> None:
    text = path.read_text(encoding="utf-8")
    changed = change(text)
    assert changed != text
    path.write_text(changed, encoding="utf-8")


def retitle(title: str) -> Callable[[str], str]:
    return lambda text: text.replace(f"title: {TITLE}\n", f"title: {title}\n", 1)


# -- incremental rebuilds ----------------------------------------------------------------------


def test_an_edition_edit_re_renders_pages_without_recomputing_measures(
    computations: list[int], drawn: list[int], preview: Preview
) -> None:
    assert len(computations) == 1
    assert len(drawn) == 2  # the sample's two measures
    assert (preview.cache.data_reads, preview.cache.computations) == (1, 1)
    assert f"<h1>{TITLE}</h1>" in page(preview, EDITION_URL)

    edit(EDITION, retitle("Coaching, improved"))
    assert preview.rebuild_if_changed()

    assert len(computations) == 1, "the measures were computed again"
    assert len(drawn) == 2, "the charts were drawn again"
    assert (preview.cache.data_reads, preview.cache.computations) == (1, 1)
    assert "<h1>Coaching, improved</h1>" in page(preview, EDITION_URL)
    assert "Coaching, improved" in page(preview, "editions/")
    assert not preview.rebuild_if_changed()  # nothing changed since


def test_a_story_edit_redraws_the_charts_without_recomputing(
    computations: list[int], drawn: list[int], preview: Preview
) -> None:
    edit(STORY, lambda text: text.replace("title: ", "title: Our ", 1))
    assert preview.rebuild_if_changed()
    assert (len(computations), len(drawn)) == (1, 4)
    assert "PDSA: Our " in page(preview, "measures/active-coaches/")


def test_a_data_edit_reads_the_data_again_and_recomputes(
    computations: list[int], preview: Preview
) -> None:
    before = page(preview, "measures/active-coaches/data.csv")
    with Path("data/coaches.csv").open("a", encoding="utf-8") as coaches:
        coaches.write("C9999,2016-01-04,,Corporate,staff\n")  # trained, never coaching

    assert preview.rebuild_if_changed()

    assert len(computations) == 2
    assert (preview.cache.data_reads, preview.cache.computations) == (2, 2)
    assert page(preview, "measures/active-coaches/data.csv") != before


def test_a_report_period_edit_recomputes_without_reading_the_data_again(
    computations: list[int], preview: Preview
) -> None:
    with Path("content/site.yaml").open("a", encoding="utf-8") as site:
        site.write('report:\n  end: "2019-10"\n')

    assert preview.rebuild_if_changed()

    assert (preview.cache.data_reads, preview.cache.computations) == (1, 2)
    assert len(computations) == 2
    last = page(preview, "measures/stalled-projects/data.csv").splitlines()[-1]
    assert last.startswith("2019-10,")


def test_a_rebuild_from_the_cache_equals_a_fresh_build(preview: Preview, tmp_path: Path) -> None:
    edit(EDITION, retitle("Coaching, improved"))
    edit(STORY, lambda text: text.replace("title: ", "title: Our ", 1))
    assert preview.rebuild_if_changed()
    fresh = tmp_path / "fresh"
    build_site(Path("content"), Path("data"), fresh)

    served = preview.state.root
    assert served is not None
    assert files(served) == files(fresh)


def files(root: Path) -> dict[str, bytes]:
    return {p.relative_to(root).as_posix(): p.read_bytes() for p in root.rglob("*") if p.is_file()}


# -- what is served ------------------------------------------------------------------------------


def test_served_pages_carry_the_reload_script_and_built_files_do_not(preview: Preview) -> None:
    tag = '<script src="/qi-report/__qi-serve/reload.js?build=1" defer></script>\n</body>'
    assert tag in page(preview, EDITION_URL)
    assert tag in page(preview, "")
    assert "__qi-serve" not in page(preview, "assets/site.css")
    root = preview.state.root
    assert root is not None and (root / "index.html").is_file()
    for built in root.rglob("*"):
        if built.is_file():
            assert b"__qi-serve" not in built.read_bytes(), built

    code, headers, script = get(preview, "/qi-report/__qi-serve/reload.js")
    assert code == 200 and headers["Content-Type"].startswith("text/javascript")
    assert "location.reload()" in script and 'role", "alert"' in script
    assert headers["Cache-Control"] == "no-store"
    assert status(preview) == {"build": 1, "problems": []}


def test_a_broken_edit_is_reported_and_the_last_good_site_stays_served(
    preview: Preview,
) -> None:
    edit(EDITION, retitle("Coaching, improved"))
    preview.rebuild_if_changed()
    good = page(preview, EDITION_URL)

    edit(EDITION, lambda t: t.replace("status: published", "status: publishd", 1))
    assert preview.rebuild_if_changed()

    answer = status(preview)
    assert answer["build"] == 2
    [problem] = answer["problems"]
    assert problem["path"] == EDITION.as_posix()
    assert (problem["line"], problem["field"]) == (5, "status")
    assert problem["text"].startswith(f"{EDITION.as_posix()}: line 5, field 'status': 'publishd'")
    assert page(preview, EDITION_URL) == good

    edit(EDITION, lambda t: t.replace("status: publishd", "status: published", 1))
    assert preview.rebuild_if_changed()
    assert status(preview) == {"build": 3, "problems": []}
    assert "<h1>Coaching, improved</h1>" in page(preview, EDITION_URL)


def test_problems_are_printed_as_check_prints_them(sample: Path) -> None:
    printed: list[tuple[str, bool]] = []

    def echo(message: str, *, err: bool = False) -> None:
        printed.append((message, err))

    with Preview(Path("content"), Path("data"), port=0, echo=echo).start(watch=False) as running:
        edit(EDITION, lambda t: t.replace("status: published", "status: publishd", 1))
        running.rebuild_if_changed()
    check = CliRunner().invoke(main, ["check"])
    assert check.exit_code == 1
    located = check.output.splitlines()[0]
    assert (located, True) in printed
    assert printed[-1][0].endswith("1 problem found; the last good site is still served.")


def test_github_pages_rules(preview: Preview) -> None:
    code, headers, _ = get(preview, "/")
    assert (code, headers["Location"]) == (302, "/qi-report/")
    assert get(preview, "/qi-report")[1]["Location"] == "/qi-report/"
    code, headers, _ = get(preview, "/qi-report/editions?x=1")
    assert (code, headers["Location"]) == (301, "/qi-report/editions/?x=1")
    assert "<h1>All editions</h1>" in page(preview, "editions/index.html")
    for missing in ("/qi-report/no-such-page/", "/elsewhere/", "/qi-report/../content/site.yaml"):
        code, headers, body = get(preview, missing)
        assert code == 404, missing
        assert "<h1>Page not found</h1>" in body
        assert "__qi-serve/reload.js" in body
        assert headers["Content-Type"] == "text/html; charset=utf-8"


def test_without_a_site_url_the_site_is_served_at_the_root(sample: Path) -> None:
    edit(Path("content/site.yaml"), lambda t: t.replace("site_url:", "# site_url:"))
    with Preview(Path("content"), Path("data"), port=0).start(watch=False) as running:
        assert running.url == f"http://127.0.0.1:{running.port}/"
        assert "<h1>All editions</h1>" in page(running, "editions/")


def test_a_first_build_with_problems_serves_them_until_fixed(sample: Path) -> None:
    edit(EDITION, lambda t: t.replace("status: published", "status: publishd", 1))
    with Preview(Path("content"), Path("data"), port=0).start(watch=False) as running:
        code, _, body = get(running, "/qi-report/" + EDITION_URL)
        assert code == 503
        assert "line 5, field &#x27;status&#x27;" in body
        assert "__qi-serve/reload.js?build=0" in body
        assert status(running)["build"] == 0

        edit(EDITION, lambda t: t.replace("status: publishd", "status: published", 1))
        assert running.rebuild_if_changed()
        assert status(running) == {"build": 1, "problems": []}
        assert f"<h1>{TITLE}</h1>" in page(running, EDITION_URL)


def test_stop_removes_the_temporary_folder(sample: Path) -> None:
    running = Preview(Path("content"), Path("data"), port=0).start(watch=False)
    folder = running.folder
    assert folder is not None and folder.is_dir()
    edit(EDITION, retitle("Coaching, improved"))
    running.rebuild_if_changed()
    assert len(list(folder.iterdir())) == 2  # this build and the one before, for requests in flight
    running.stop()
    assert not folder.exists()
    running.stop()  # twice is fine


def test_the_watcher_rebuilds_by_itself(sample: Path) -> None:
    with Preview(Path("content"), Path("data"), port=0).start() as running:
        edit(EDITION, retitle("Coaching, improved"))
        deadline = time.monotonic() + 5
        while status(running)["build"] == 1 and time.monotonic() < deadline:
            time.sleep(0.05)
        assert "<h1>Coaching, improved</h1>" in page(running, EDITION_URL)


# -- the command ---------------------------------------------------------------------------------


def test_a_port_in_use_exits_1_with_a_clear_message(sample: Path) -> None:
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        result = CliRunner().invoke(main, ["serve", "--port", str(port)])
    assert result.exit_code == 1
    assert f"port {port} is in use" in result.output
    assert "--port 0" in result.output
    assert "Traceback" not in result.output


def test_help_states_the_exit_codes() -> None:
    result = CliRunner().invoke(main, ["serve", "--help"])
    assert result.exit_code == 0
    assert "Exit codes: 0" in result.output and "port" in result.output


@pytest.mark.parametrize("stop", [signal.SIGINT, signal.SIGTERM])
def test_ctrl_c_stops_cleanly(sample: Path, stop: signal.Signals) -> None:
    temp = sample / "tmp"
    temp.mkdir()
    process = subprocess.Popen(
        [sys.executable, str(REPO / "generate.py"), "serve", "--port", "0"],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env=os.environ | {"TMPDIR": str(temp)},
    )
    try:
        assert process.stdout is not None
        lines = [process.stdout.readline(), process.stdout.readline()]
        assert lines[1].startswith("Serving http://127.0.0.1:"), lines
        assert len(list(temp.iterdir())) == 1
        process.send_signal(stop)
        out, err = process.communicate(timeout=20)
    finally:
        process.kill()
    assert process.returncode == 0, err
    assert "Traceback" not in err
    assert out.strip().endswith("Stopped.")
    assert list(temp.iterdir()) == []

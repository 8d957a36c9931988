"""Nothing lost: a build killed at any moment, or two builds at once, leave a complete site.

Real processes, really killed: ``python generate.py build`` of a copy of the sample is started
over a previous build and sent SIGKILL at moments spread over its run (while Python starts, while
it validates and computes, while it writes, and inside the swap itself, held open by the test
hook ``QI_REPORT_TEST_SWAP_PAUSE``). Afterwards the output folder must be byte for byte either the
previous site or the complete new one, and the next build must clean up what the killed one left.

The builds run a snapshot of the package taken when the module's tests start (qi_report/,
templates/ and generate.py, copied), so that the reference sites and the killed builds come from
the same code even while someone edits the working tree.
"""

from __future__ import annotations

import fcntl
import hashlib
import os
import shutil
import signal
import subprocess
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import pytest
from click.testing import CliRunner

from qi_report import site as site_module
from qi_report.cli import main

REPO = Path(__file__).parent.parent
GENERATE = REPO / "generate.py"


def tree(folder: Path) -> dict[str, str]:
    """Every file under ``folder`` with a digest of its bytes."""
    return {
        path.relative_to(folder).as_posix(): hashlib.sha256(path.read_bytes()).hexdigest()
        for path in sorted(folder.rglob("*"))
        if path.is_file()
    }


def leftovers(out: Path) -> list[str]:
    return sorted(
        p.name
        for p in out.parent.iterdir()
        if p.name.startswith((f".{out.name}.new-", f".{out.name}.old-"))
    )


@dataclass(frozen=True)
class Sample:
    root: Path
    generate: Path  # generate.py of the snapshot of the package
    previous: dict[str, str]  # the site built from content/ (the sample as committed)
    new: dict[str, str]  # the site built from revised/ (the sample with a new title)
    previous_site: Path


@pytest.fixture(scope="module")
def sample(tmp_path_factory: pytest.TempPathFactory) -> Sample:
    root = tmp_path_factory.mktemp("sample")
    code = root / "code"
    skip = shutil.ignore_patterns("__pycache__")
    shutil.copytree(REPO / "qi_report", code / "qi_report", ignore=skip)
    shutil.copytree(REPO / "templates", code / "templates", ignore=skip)
    shutil.copy(GENERATE, code / "generate.py")
    shutil.copytree(REPO / "content", root / "content")
    shutil.copytree(REPO / "data", root / "data")
    shutil.copytree(REPO / "content", root / "revised")
    site_yaml = root / "revised" / "site.yaml"
    text = site_yaml.read_text("utf-8")
    site_yaml.write_text(text.replace("title: ", "title: Revised ", 1), "utf-8")
    broken = root / "broken"
    shutil.copytree(REPO / "content", broken)
    (broken / "site.yaml").write_text("title: [unclosed\n", "utf-8")
    sample = Sample(root, code / "generate.py", {}, {}, root / "reference-content")
    sites = {}
    for name in ("content", "revised"):
        out = root / f"reference-{name}"
        process = start(sample, out, content=name)
        assert process.wait() == 0
        assert process.stderr is not None
        process.stderr.close()
        sites[name] = tree(out)
    assert sites["content"] != sites["revised"]
    return Sample(root, sample.generate, sites["content"], sites["revised"], sample.previous_site)


def start(
    sample: Sample, out: Path, content: str = "revised", **env: str
) -> subprocess.Popen[bytes]:
    return subprocess.Popen(
        [
            sys.executable,
            str(sample.generate),
            "build",
            *("--content", str(sample.root / content), "--data", str(sample.root / "data")),
            *("--out", str(out)),
        ],
        cwd=sample.root,
        env={**os.environ, **env},
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )


def wait_for(
    condition: Callable[[], bool], process: subprocess.Popen[bytes], limit: float = 20
) -> bool:
    """Poll ``condition`` every millisecond until it holds (True) or the process ends (False)."""
    deadline = time.monotonic() + limit
    while time.monotonic() < deadline:
        if condition():
            return True
        if process.poll() is not None:
            return condition()
        time.sleep(0.001)
    raise AssertionError("timed out")


def kill(process: subprocess.Popen[bytes]) -> None:
    process.send_signal(signal.SIGKILL)
    process.wait()
    assert process.stderr is not None
    process.stderr.close()


def fresh_previous(sample: Sample, out: Path) -> None:
    if out.exists():
        shutil.rmtree(out)
    shutil.copytree(sample.previous_site, out)


def test_a_build_killed_at_any_moment_leaves_the_previous_site_or_the_new_one(
    sample: Sample, tmp_path: Path
) -> None:
    out = tmp_path / "site"
    fresh_previous(sample, out)
    outcomes = []
    # Plain timing: from Python starting up to the build finishing (about a second here).
    for delay in (0.05, 0.2, 0.35, 0.5, 0.65, 0.8, 1.0):
        process = start(sample, out)
        time.sleep(delay)
        kill(process)
        state = tree(out) if out.exists() else None
        if state is None:  # killed inside the swap: the previous site waits beside it
            (old,) = [p for p in out.parent.iterdir() if p.name.startswith(".site.old-")]
            assert tree(old) == sample.previous
            site_module.recover(out)
            state = tree(out)
        assert state in (sample.previous, sample.new), f"killed after {delay} s: a mixed site"
        outcomes.append("new" if state == sample.new else "previous")
        if state == sample.new:
            fresh_previous(sample, out)
    # While it writes: as soon as its temporary folder appears, and a moment later.
    for pause in (0.0, 0.03):
        process = start(sample, out)
        writing = wait_for(lambda: any(n.startswith(".site.new-") for n in leftovers(out)), process)
        time.sleep(pause)
        kill(process)
        assert writing, "the build ended before it was seen writing"
        assert tree(out) == sample.previous
    assert any(name.startswith(".site.new-") for name in leftovers(out))
    # The next build finishes, and removes what the killed ones left.
    finished = start(sample, out)
    assert finished.wait() == 0
    assert finished.stderr is not None and finished.stderr.read() == b""
    finished.stderr.close()
    assert tree(out) == sample.new
    assert leftovers(out) == []
    assert "previous" in outcomes  # the early kills, at least, hit before the swap


def test_a_build_killed_inside_the_swap_is_put_right_by_the_next_one(
    sample: Sample, tmp_path: Path
) -> None:
    out = tmp_path / "site"
    fresh_previous(sample, out)
    process = start(sample, out, QI_REPORT_TEST_SWAP_PAUSE="30")
    in_swap = wait_for(lambda: not out.exists() and any(leftovers(out)), process)
    assert in_swap, "the build ended without pausing in the swap"
    kill(process)
    assert not out.exists()  # the one moment with no site: the old one is beside it
    (old,) = [p for p in out.parent.iterdir() if p.name.startswith(".site.old-")]
    assert tree(old) == sample.previous
    # The next build puts it back first, even when its own content has problems.
    failing = start(sample, out, content="broken")
    assert failing.wait() == 1
    assert failing.stderr is not None and b"YAML syntax error" in failing.stderr.read()
    failing.stderr.close()
    assert tree(out) == sample.previous
    assert leftovers(out) == []


def test_two_builds_at_once_take_turns(sample: Sample, tmp_path: Path) -> None:
    out = tmp_path / "site"
    fresh_previous(sample, out)
    first = start(sample, out, content="revised")
    second = start(sample, out, content="content")
    codes = (first.wait(), second.wait())
    for process in (first, second):
        assert process.stderr is not None
        process.stderr.close()
    assert codes == (0, 0)
    assert tree(out) in (sample.previous, sample.new)  # one build or the other, whole
    assert leftovers(out) == []
    twice = [start(sample, out) for _ in range(3)]
    assert [p.wait() for p in twice] == [0, 0, 0]
    for process in twice:
        assert process.stderr is not None
        process.stderr.close()
    assert tree(out) == sample.new
    assert leftovers(out) == []


def hold_lock(out: Path) -> int:
    fd = os.open(out.parent / f".{out.name}.lock", os.O_RDWR | os.O_CREAT)
    fcntl.flock(fd, fcntl.LOCK_EX)
    return fd


def test_a_second_build_waits_for_the_first_and_says_so(sample: Sample, tmp_path: Path) -> None:
    out = tmp_path / "site"
    fresh_previous(sample, out)
    lock = hold_lock(out)
    process = start(sample, out)
    assert process.stderr is not None
    os.set_blocking(process.stderr.fileno(), False)
    said = b""
    deadline = time.monotonic() + 20
    while b"\n" not in said and time.monotonic() < deadline:
        said += process.stderr.read() or b""
        time.sleep(0.01)
    assert said.decode() == f"Waiting for another build of {out.as_posix()}/ to finish...\n"
    assert process.poll() is None
    assert tree(out) == sample.previous
    os.close(lock)
    assert process.wait() == 0
    process.stderr.close()
    assert tree(out) == sample.new


def test_a_build_gives_up_waiting_and_changes_nothing(
    sample: Sample, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    out = tmp_path / "site"
    fresh_previous(sample, out)
    monkeypatch.setattr(site_module, "LOCK_WAIT_SECONDS", 0.3)
    lock = hold_lock(out)
    try:
        result = CliRunner().invoke(
            main,
            [
                "build",
                *("--content", str(sample.root / "revised"), "--data", str(sample.root / "data")),
                *("--out", str(out)),
            ],
        )
    finally:
        os.close(lock)
    assert result.exit_code == 1
    assert "Waiting for another build of" in result.output
    assert "another build of this folder is still running after 0.3 seconds" in result.output
    assert "nothing was changed" in result.output
    assert tree(out) == sample.previous
    assert leftovers(out) == []

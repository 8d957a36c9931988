"""Writing the site: a temporary folder filled completely, then swapped in for the old one.

A failed or interrupted build never leaves a half-written site: the new site is rendered into a
sibling folder and only renamed into place once complete. The output folder carries a marker
file, and a folder that holds anything but a previous qi-report build is never replaced.

Beside ``site/`` (for ``--out site``) a build may leave, and the next one deals with:

- ``.site.lock``: locked (``flock``) by the build writing ``site/``, so that two builds of one
  folder take turns; the operating system unlocks it when that process ends, however it ends.
  The file itself stays. (Not on Windows, where builds are not locked.)
- ``.site.new-*``: a new site being written; one left by a killed build is removed.
- ``.site.old-*``: the previous site, moved aside for the instant of the swap. If a build is
  killed inside that instant there is no ``site/``: the next build moves this one back before
  doing anything else (in :func:`check_output_folder`); otherwise it is removed.
"""

from __future__ import annotations

import csv
import io
import json
import os
import shutil
import sys
import tempfile
import time
from collections.abc import Iterable
from pathlib import Path, PurePosixPath

if sys.platform != "win32":
    import fcntl

import plotly

from qi_report.analysis import MeasureAnalysis
from qi_report.problems import Problem, ProblemsFound, display_path

MARKER = ".qi-report-site"
LOCK_WAIT_SECONDS = 600.0
"""How long a build waits for another build of the same output folder before giving up."""
SWAP_PAUSE_VARIABLE = "QI_REPORT_TEST_SWAP_PAUSE"
"""Test hook, unset in normal use: seconds to pause inside :meth:`SiteWriter.commit` after the old
site is moved aside and before the new one is moved in, so that tests/test_nothing_lost.py can
kill a build inside that window and check that the next build puts the old site back."""
STATIC = Path(__file__).resolve().parent.parent / "templates" / "static"
PLOTLY_BASIC = STATIC.parent.parent / ".cache" / "npm" / "node_modules" / "plotly.js-basic-dist-min"
"""Where ``scripts/setup.sh`` installs npm's partial plotly.js bundle (never committed)."""


def plotly_bundle() -> tuple[Path, str]:
    """The plotly.js to self-host and its file name, named with its version so that browsers
    never mix versions: the partial "basic" bundle (scatter, bar and pie traces; our charts are
    scatter traces only), about a quarter of the size, when the one installed at PLOTLY_BASIC is
    the plotly.js version of the plotly package; else the full bundle shipped with the package.
    """
    from plotly.offline import get_plotlyjs_version

    version = get_plotlyjs_version()
    basic = PLOTLY_BASIC / "plotly-basic.min.js"
    if basic.is_file() and _npm_version(PLOTLY_BASIC / "package.json") == version:
        return basic, f"plotly-basic-{version}.min.js"
    full = Path(plotly.__file__).parent / "package_data" / "plotly.min.js"
    return full, f"plotly-{version}.min.js"


def _npm_version(package_json: Path) -> str | None:
    try:
        found = json.loads(package_json.read_text(encoding="utf-8")).get("version")
    except (OSError, ValueError, AttributeError):
        return None
    return found if isinstance(found, str) else None


def plotly_filename() -> str:
    return plotly_bundle()[1]


def check_output_folder(out: Path, protected: Iterable[Path]) -> None:
    """Refuse an output folder that would overwrite user files: one of ``protected`` (the
    content and data folders) or a folder holding one, or a folder that exists and is not a
    previous build. A site left missing by a build killed mid-swap is put back first."""
    target = out.resolve()
    for folder in protected:
        folder = folder.resolve()
        if target == folder or folder.is_relative_to(target):
            raise ProblemsFound(
                [
                    Problem(
                        display_path(out),
                        message=(
                            f"cannot build into this folder: it holds {display_path(folder)}/; "
                            "nothing was changed. Choose another --out"
                        ),
                    )
                ]
            )
    if out.parent.is_dir() and (_siblings(out, "old") or _siblings(out, "new")):
        lock = _try_lock(out)
        if lock is not None:  # else another build is writing it, and will finish its swap
            try:
                recover(out)
            finally:
                _unlock(lock)
    _check_replaceable(out)


def _check_replaceable(out: Path) -> None:
    target = out.resolve()
    if target.exists() and (
        not target.is_dir() or (any(target.iterdir()) and not (target / MARKER).is_file())
    ):
        raise ProblemsFound(
            [
                Problem(
                    display_path(out),
                    message=(
                        "cannot build into this folder: it exists and is not a previous "
                        f"qi-report build (no {MARKER} file); nothing was changed. Choose "
                        "another --out or empty it"
                    ),
                )
            ]
        )


def lock_path(out: Path) -> Path:
    return out.parent / f".{out.name}.lock"


def _open_lock(out: Path) -> int:
    return os.open(lock_path(out), os.O_RDWR | os.O_CREAT, 0o644)


def _try_lock(out: Path) -> int | None:
    """The open lock file, locked; None when another process holds the lock."""
    fd = _open_lock(out)
    if sys.platform == "win32":
        return fd
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        os.close(fd)
        return None
    return fd


def _unlock(fd: int) -> None:
    os.close(fd)  # closing the file releases its flock


def acquire_lock(out: Path) -> int:
    """Lock building into ``out``, waiting up to LOCK_WAIT_SECONDS for another build (and saying
    so on stderr); ProblemsFound if it is still locked then. Returns the lock's descriptor."""
    out.parent.mkdir(parents=True, exist_ok=True)
    deadline = time.monotonic() + LOCK_WAIT_SECONDS
    waiting = False
    while True:
        fd = _try_lock(out)
        if fd is not None:
            return fd
        if time.monotonic() >= deadline:
            raise ProblemsFound(
                [
                    Problem(
                        display_path(out),
                        message=(
                            f"another build of this folder is still running after "
                            f"{LOCK_WAIT_SECONDS:g} seconds (it holds "
                            f"{display_path(lock_path(out))}); nothing was changed. Try again "
                            "when it has finished"
                        ),
                    )
                ]
            )
        if not waiting:
            waiting = True
            print(
                f"Waiting for another build of {display_path(out)}/ to finish...",
                file=sys.stderr,
                flush=True,
            )
        time.sleep(0.05)


def _siblings(out: Path, kind: str) -> list[Path]:
    """The ``.NAME.new-*`` or ``.NAME.old-*`` folders beside ``out``."""
    prefix = f".{out.name}.{kind}-"
    return [
        path
        for path in out.parent.iterdir()
        if path.name.startswith(prefix) and path.is_dir() and not path.is_symlink()
    ]


def _built_at(folder: Path) -> float:
    marker = folder / MARKER
    return marker.stat().st_mtime if marker.is_file() else folder.stat().st_mtime


def recover(out: Path) -> None:
    """Put right what builds killed part-way left beside ``out``. Call with the lock held.

    With no ``out`` and a previous site moved aside (``.NAME.old-*``), that site is moved back
    (the latest, should there be several); then every other ``.NAME.old-*`` and every
    unfinished ``.NAME.new-*`` is removed."""
    if not out.parent.is_dir():
        return
    old = sorted(_siblings(out, "old"), key=_built_at)
    if old and not os.path.lexists(out):
        old.pop().rename(out)
    for leftover in [*old, *_siblings(out, "new")]:
        shutil.rmtree(leftover, ignore_errors=True)


class SiteWriter:
    """Collects the files of a new site in a temporary sibling of ``out``.

    Holds the output folder's lock from creation until :meth:`commit` or :meth:`abandon`, so
    that a second build of the same folder waits (see :func:`acquire_lock`)."""

    def __init__(self, out: Path) -> None:
        self.out = out
        self._lock: int | None = acquire_lock(out)
        try:
            recover(out)
            _check_replaceable(out)
            self.folder = Path(tempfile.mkdtemp(prefix=f".{out.name}.new-", dir=out.parent))
        except BaseException:
            self._release()
            raise

    def _path(self, relative: str) -> Path:
        """``relative`` inside the new site; anything else is a bug, never written."""
        parts = PurePosixPath(relative).parts
        if not parts or PurePosixPath(relative).is_absolute() or ".." in parts:
            raise ValueError(f"{relative!r} is not a path inside the site")
        path = self.folder / relative
        path.parent.mkdir(parents=True, exist_ok=True)
        return path

    def write_text(self, relative: str, text: str) -> None:
        self.write_bytes(relative, text.encode("utf-8"))

    def write_bytes(self, relative: str, data: bytes) -> None:
        self._path(relative).write_bytes(data)

    def copy(self, source: Path, relative: str) -> None:
        shutil.copyfile(source, self._path(relative))

    def copy_static(self, with_plotly: bool) -> None:
        for source in sorted(STATIC.rglob("*")):
            if source.is_file():
                self.copy(source, "assets/" + source.relative_to(STATIC).as_posix())
        if with_plotly:
            bundle, name = plotly_bundle()
            self.copy(bundle, f"assets/{name}")

    def commit(self) -> None:
        """Swap the finished site in; the previous one is removed only after the swap. A kill
        between the two renames leaves the previous site aside, and :func:`recover` puts it
        back."""
        (self.folder / MARKER).write_text(
            "Built by qi-report. This folder is replaced on every build.\n", encoding="utf-8"
        )
        self.folder.chmod(0o755)
        old = None
        try:
            if os.path.lexists(self.out):
                old = Path(tempfile.mkdtemp(prefix=f".{self.out.name}.old-", dir=self.out.parent))
                old.rmdir()
                self.out.rename(old)
                _pause_for_tests()
            try:
                self.folder.rename(self.out)
            except BaseException:
                if old is not None and not os.path.lexists(self.out):
                    old.rename(self.out)
                raise
            if old is not None:
                shutil.rmtree(old, ignore_errors=True)
        finally:
            self._release()

    def abandon(self) -> None:
        shutil.rmtree(self.folder, ignore_errors=True)
        self._release()

    def _release(self) -> None:
        if self._lock is not None:
            _unlock(self._lock)
            self._lock = None


def _pause_for_tests() -> None:
    seconds = os.environ.get(SWAP_PAUSE_VARIABLE)
    if seconds:
        time.sleep(float(seconds))


CSV_COLUMNS = (
    "period",
    "numerator",
    "denominator",
    "value",
    "centre",
    "lower",
    "upper",
    "phase",
    "signals",
    "type",
)


def measure_csv(measured: MeasureAnalysis) -> str:
    """Exactly the charted data of one measure, one row per plotted point, unrounded."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(CSV_COLUMNS)
    if measured.analysis is not None:
        for i, (period, point) in enumerate(
            zip(measured.periods, measured.analysis.points, strict=True)
        ):
            nums, dens = measured.numerators, measured.denominators
            writer.writerow(
                [
                    period,
                    _num(nums[i]) if nums is not None else "",
                    _num(dens[i]) if dens is not None else "",
                    repr(point.value),
                    repr(point.centre),
                    _opt(point.lower),
                    _opt(point.upper),
                    point.phase,
                    " ".join(point.signals),
                    point.type,
                ]
            )
    return buffer.getvalue()


def _num(value: float) -> str:
    return f"{value:g}" if float(value).is_integer() else repr(value)


def _opt(value: float | None) -> str:
    return "" if value is None else repr(value)

"""Writing the site: a temporary folder filled completely, then swapped in for the old one.

A failed or interrupted build never leaves a half-written site: the new site is rendered into a
sibling folder and only renamed into place once complete. The output folder carries a marker
file, and a folder that holds anything but a previous qi-report build is never replaced.
"""

from __future__ import annotations

import csv
import io
import shutil
import tempfile
from collections.abc import Iterable
from pathlib import Path

import plotly

from qi_report.analysis import MeasureAnalysis
from qi_report.problems import Problem, ProblemsFound, display_path

MARKER = ".qi-report-site"
STATIC = Path(__file__).resolve().parent.parent / "templates" / "static"


def plotly_filename() -> str:
    """The self-hosted plotly.js, named with its version so browsers never mix versions."""
    from plotly.offline import get_plotlyjs_version

    return f"plotly-{get_plotlyjs_version()}.min.js"


def check_output_folder(out: Path, protected: Iterable[Path]) -> None:
    """Refuse an output folder that would overwrite user files."""
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
                            "choose another --out"
                        ),
                    )
                ]
            )
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


class SiteWriter:
    """Collects the files of a new site in a temporary sibling of ``out``."""

    def __init__(self, out: Path) -> None:
        self.out = out
        out.parent.mkdir(parents=True, exist_ok=True)
        self.folder = Path(tempfile.mkdtemp(prefix=f".{out.name}.new-", dir=out.parent))

    def write_text(self, relative: str, text: str) -> None:
        self.write_bytes(relative, text.encode("utf-8"))

    def write_bytes(self, relative: str, data: bytes) -> None:
        path = self.folder / relative
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(data)

    def copy(self, source: Path, relative: str) -> None:
        path = self.folder / relative
        path.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(source, path)

    def copy_static(self, with_plotly: bool) -> None:
        for source in sorted(STATIC.rglob("*")):
            if source.is_file():
                self.copy(source, "assets/" + source.relative_to(STATIC).as_posix())
        if with_plotly:
            bundle = Path(plotly.__file__).parent / "package_data" / "plotly.min.js"
            self.copy(bundle, f"assets/{plotly_filename()}")

    def commit(self) -> None:
        """Swap the finished site in; the previous one is removed only after the swap."""
        (self.folder / MARKER).write_text(
            "Built by qi-report. This folder is replaced on every build.\n", encoding="utf-8"
        )
        self.folder.chmod(0o755)
        old = None
        if self.out.exists():
            old = Path(tempfile.mkdtemp(prefix=f".{self.out.name}.old-", dir=self.out.parent))
            old.rmdir()
            self.out.rename(old)
        self.folder.rename(self.out)
        if old is not None:
            shutil.rmtree(old, ignore_errors=True)

    def abandon(self) -> None:
        shutil.rmtree(self.folder, ignore_errors=True)


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

"""Which plotly.js a build ships: npm's partial "basic" bundle when ``scripts/setup.sh`` installed
the one of the plotly package's plotly.js version, else the full bundle of the plotly package.

Each test points ``qi_report.site.PLOTLY_BASIC`` at a folder of its own, so the result does not
depend on whether this machine has the bundle installed.
"""

from __future__ import annotations

import json
from pathlib import Path

import plotly
import pytest
from click.testing import CliRunner
from plotly.offline import get_plotlyjs_version

from qi_report import site
from qi_report.cli import main

FIXTURE = Path(__file__).parent / "fixtures" / "small"
FULL = Path(plotly.__file__).parent / "package_data" / "plotly.min.js"
VERSION = get_plotlyjs_version()


def fake_basic(folder: Path, version: str) -> Path:
    folder.mkdir(parents=True)
    (folder / "package.json").write_text(json.dumps({"version": version}), encoding="utf-8")
    (folder / "plotly-basic.min.js").write_text("/* plotly.js (basic) */\n", encoding="utf-8")
    return folder


def test_the_basic_bundle_of_the_same_version_is_used(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    basic = fake_basic(tmp_path / "plotly.js-basic-dist-min", VERSION)
    monkeypatch.setattr(site, "PLOTLY_BASIC", basic)
    assert site.plotly_bundle() == (basic / "plotly-basic.min.js", f"plotly-basic-{VERSION}.min.js")
    out = tmp_path / "site"
    result = CliRunner().invoke(
        main, ["build", "--content", str(FIXTURE / "content"), "--data", str(FIXTURE / "data"),
               "--out", str(out)],
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    shipped = sorted(p.name for p in (out / "assets").glob("plotly*"))
    assert shipped == [f"plotly-basic-{VERSION}.min.js"]
    assert (out / "assets" / shipped[0]).read_text() == "/* plotly.js (basic) */\n"
    chart_pages = [p for p in out.rglob("*.html") if "data-figure" in p.read_text()]
    assert chart_pages
    for page in chart_pages:
        assert page.read_text().count(f'assets/plotly-basic-{VERSION}.min.js"></script>') == 1


@pytest.mark.parametrize("installed", ["0.0.1", None, "not json"])
def test_otherwise_the_full_bundle_of_the_plotly_package(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, installed: str | None
) -> None:
    folder = tmp_path / "plotly.js-basic-dist-min"
    if installed == "not json":
        fake_basic(folder, VERSION)
        (folder / "package.json").write_text("{", encoding="utf-8")
    elif installed is not None:
        fake_basic(folder, installed)  # another version: never mixed with this plotly package
    monkeypatch.setattr(site, "PLOTLY_BASIC", folder)
    assert site.plotly_bundle() == (FULL, f"plotly-{VERSION}.min.js")
    assert site.plotly_filename() == f"plotly-{VERSION}.min.js"

"""The qi-report benchmark: read, compute and build at three data scales; page weights and the
incremental rebuild of the sample site.

    .venv/bin/python benchmarks/run.py [--scales S,M,L] [--repeat N] [--json FILE]

Scales are the sample generator's presets (``qi_report.sample_spec``): S = the sample (``data/``),
M = 5,000 coaches, 50,000 projects, 1,000,000 score rows, L = 20,000 coaches, 200,000 projects,
5,000,000 score rows. Each is generated once into a cache folder (``--cache``, default
``$XDG_CACHE_HOME/qi-report-bench`` or ``~/.cache/qi-report-bench``), keyed by the preset and a
hash of the generator's source, and reused by later runs. The content is the bundled
``content/`` at every scale.

Each stage runs in a fresh Python process, so that its peak memory is its own:

- read+validate: ``build.load_inputs`` (peak: the process after reading);
- compute: ``build.compute_measures`` then ``build.analyse_measures``, in a process that has
  read the data first; its peak is measured from the end of reading (``/proc/self/clear_refs``
  resets the high-water mark), so it counts the data held plus what computing adds;
- build: the real command, ``qi-report build --base-url https://example.org/repo/``; its wall
  time includes Python's start-up and imports, its peak is the whole process's (``wait4``), and
  its own stages are timed inside it (read, compute, render+write) to say what bounds it.

For the sample site it also reports what each page transfers (``pageweight.py``) and the time
of a rebuild after one edition is edited, as ``qi-report serve`` rebuilds (its ``Preview``
with its ``BuildCache``), or a full rebuild where this checkout has no such API (it says so).
With ``--repeat N`` each timing is the median of N runs and each peak the largest.

Never run by pytest; see benchmarks/README.md for the figures and Lighthouse.
"""

from __future__ import annotations

import argparse
import gc
import hashlib
import json
import os
import platform
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
REPO = HERE.parent
SCALES = {"S": "sample", "M": "medium", "L": "large"}
BASE_URL = "https://example.org/repo/"
BASE_PATH = "/repo/"
LIMIT_SECONDS, LIMIT_BYTES = 60.0, 4 * 1024**3
"""The bounds for the L build (issue 7)."""
REBUILD_LIMIT_SECONDS = 0.5


# --- the worker: one stage in a fresh process -----------------------------------------------------
def _peak_kib() -> int:
    """This process's peak resident memory (VmHWM) in KiB."""
    status = Path("/proc/self/status").read_text()
    found = re.search(r"VmHWM:\s+(\d+)", status)
    if found:
        return int(found.group(1))
    import resource

    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss


def _reset_peak() -> bool:
    """Reset VmHWM to the current resident size (Linux 4.0+); False when not possible."""
    try:
        Path("/proc/self/clear_refs").write_text("5")
    except OSError:
        return False
    return True


def worker(stage: str, content: Path, data: Path, out: Path, result: Path) -> None:
    started = time.perf_counter()
    import qi_report.build as build
    import qi_report.cli  # noqa: F401  (what the command imports, so no stage pays for it)

    report: dict[str, Any] = {"imports": time.perf_counter() - started}
    if stage == "load":
        t0 = time.perf_counter()
        build.load_inputs(content, data)
        report["seconds"] = time.perf_counter() - t0
    elif stage == "compute":
        inputs = build.load_inputs(content, data)
        gc.collect()
        report["peak_from_now"] = _reset_peak()
        report["resident_before_kib"] = _current_kib()
        t0 = time.perf_counter()
        series = build.compute_measures(inputs)
        t1 = time.perf_counter()
        build.analyse_measures(inputs, series)
        t2 = time.perf_counter()
        report |= {"measures": t1 - t0, "analysis": t2 - t1, "seconds": t2 - t0}
    elif stage == "build":
        from qi_report.cli import main

        spent = _time_calls(build, ("load_inputs", "compute_measures", "analyse_measures"))
        t0 = time.perf_counter()
        args = ["build", "--content", str(content), "--data", str(data), "--out", str(out)]
        main([*args, "--base-url", BASE_URL], standalone_mode=False)
        report["seconds"] = time.perf_counter() - t0
        report["stages"] = spent
    else:
        raise SystemExit(f"unknown stage {stage!r}")
    report["peak_kib"] = _peak_kib()
    result.write_text(json.dumps(report))


def _current_kib() -> int:
    found = re.search(r"VmRSS:\s+(\d+)", Path("/proc/self/status").read_text())
    return int(found.group(1)) if found else 0


def _time_calls(module: Any, names: tuple[str, ...]) -> dict[str, float]:
    """Wrap the module functions ``names`` (looked up by the build at call time) so that the
    time spent in each is added up in the returned dict; a name that is gone is skipped."""
    spent: dict[str, float] = {}

    def timed(name: str, function: Callable[..., Any]) -> Callable[..., Any]:
        def wrapper(*args: Any, **kwargs: Any) -> Any:
            t0 = time.perf_counter()
            try:
                return function(*args, **kwargs)
            finally:
                spent[name] = spent.get(name, 0.0) + time.perf_counter() - t0

        return wrapper

    for name in names:
        if callable(getattr(module, name, None)):
            setattr(module, name, timed(name, getattr(module, name)))
    return spent


# --- the parent: data, stages, report -------------------------------------------------------------
@dataclass
class StageRun:
    seconds: float
    peak_bytes: int
    wall: float
    details: dict[str, Any]


def run_stage(stage: str, content: Path, data: Path, out: Path) -> StageRun:
    """Run one stage in a fresh interpreter; its wall time and peak memory (from wait4)."""
    with tempfile.NamedTemporaryFile(suffix=".json", delete=False) as handle:
        result = Path(handle.name)
    try:
        cmd = [sys.executable, str(Path(__file__).resolve()), "--worker", stage]
        cmd += [str(content), str(data), str(out), str(result)]
        t0 = time.perf_counter()
        proc = subprocess.Popen(cmd, cwd=REPO, stdout=subprocess.DEVNULL)
        _, status, usage = os.wait4(proc.pid, 0)
        wall = time.perf_counter() - t0
        proc.returncode = os.waitstatus_to_exitcode(status)
        if proc.returncode != 0:
            raise SystemExit(f"benchmark: stage {stage} failed (exit {proc.returncode})")
        details = json.loads(result.read_text())
    finally:
        result.unlink(missing_ok=True)
    peak_kib = details["peak_kib"] if stage == "compute" else max(usage.ru_maxrss, 0)
    return StageRun(details["seconds"], peak_kib * 1024, wall, details)


def _generator_key(preset: str) -> str:
    from qi_report import sample, sample_spec

    spec = sample_spec.main_spec(preset)
    modules = sorted(Path(sample.__file__).parent.glob("sample*.py"))  # the generator's modules
    source = b"".join(module.read_bytes() for module in modules)
    return hashlib.sha256(repr(spec).encode() + source).hexdigest()[:12]


def ensure_data(preset: str, cache: Path) -> tuple[Path, float | None]:
    """The generated data of ``preset`` in the cache (made when missing or stale); the seconds
    spent generating it, or None when it was cached."""
    folder = cache / "data" / f"{preset}-{_generator_key(preset)}"
    if (folder / ".complete").is_file():
        return folder, None
    for stale in (cache / "data").glob(f"{preset}-*"):
        shutil.rmtree(stale, ignore_errors=True)
    partial = Path(tempfile.mkdtemp(prefix=f".{preset}-", dir=_mkdir(cache / "data")))
    t0 = time.perf_counter()
    subprocess.run(
        [sys.executable, "generate.py", "sample-data", "--scale", preset, "--out", str(partial)],
        cwd=REPO,
        check=True,
        stdout=subprocess.DEVNULL,
    )
    took = time.perf_counter() - t0
    (partial / ".complete").write_text("")
    partial.rename(folder)
    return folder, took


def _mkdir(path: Path) -> Path:
    path.mkdir(parents=True, exist_ok=True)
    return path


def data_rows(data: Path) -> dict[str, int]:
    rows = {}
    for csv in sorted(data.glob("*.csv")):
        with csv.open("rb") as handle:
            rows[csv.stem] = sum(1 for _ in handle) - 1
    return rows


@dataclass
class ScaleResult:
    scale: str
    preset: str
    rows: dict[str, int]
    data_bytes: int
    generated_seconds: float | None
    read_seconds: float
    read_peak: int
    compute_seconds: float
    compute_measures_seconds: float
    compute_analysis_seconds: float
    compute_peak: int
    compute_resident_before: int
    build_wall: float
    build_peak: int
    build_stages: dict[str, float]
    runs: int
    bound: str = ""
    within_bounds: bool | None = None


def bench_scale(scale: str, cache: Path, repeat: int, work: Path) -> ScaleResult:
    preset = SCALES[scale]
    data, generated = ensure_data(preset, cache)
    content = REPO / "content"
    loads, computes, builds = [], [], []
    for _ in range(repeat):
        loads.append(run_stage("load", content, data, work / "unused"))
        computes.append(run_stage("compute", content, data, work / "unused"))
        builds.append(run_stage("build", content, data, work / f"site-{scale}"))
    med = statistics.median
    stages = {
        name: med(b.details["stages"].get(name, float("nan")) for b in builds)
        for name in ("load_inputs", "compute_measures", "analyse_measures")
    }
    inside = med(b.seconds for b in builds)
    startup = med(b.wall - b.seconds for b in builds)
    parts = {
        "start-up and imports": startup,
        "reading and validating": stages["load_inputs"],
        "computing (measures and SPC)": stages["compute_measures"] + stages["analyse_measures"],
        "rendering and writing": inside - sum(stages.values()),
    }
    result = ScaleResult(
        scale=scale,
        preset=preset,
        rows=data_rows(data),
        data_bytes=sum(p.stat().st_size for p in data.glob("*.csv")),
        generated_seconds=generated,
        read_seconds=med(r.seconds for r in loads),
        read_peak=max(r.peak_bytes for r in loads),
        compute_seconds=med(c.seconds for c in computes),
        compute_measures_seconds=med(c.details["measures"] for c in computes),
        compute_analysis_seconds=med(c.details["analysis"] for c in computes),
        compute_peak=max(c.peak_bytes for c in computes),
        compute_resident_before=max(c.details["resident_before_kib"] for c in computes) * 1024,
        build_wall=med(b.wall for b in builds),
        build_peak=max(b.peak_bytes for b in builds),
        build_stages=parts,
        runs=repeat,
    )
    top = max(parts, key=lambda k: parts[k])
    result.bound = f"{top}: {parts[top]:.1f} s of {result.build_wall:.1f} s"
    result.bound += f" ({100 * parts[top] / result.build_wall:.0f}%)"
    if scale == "L":
        result.within_bounds = result.build_wall < LIMIT_SECONDS and result.build_peak < LIMIT_BYTES
    return result


# --- the sample site: page weights and the incremental rebuild ------------------------------------
@dataclass
class RebuildResult:
    method: str
    first_build_seconds: float
    rebuild_seconds: list[float] = field(default_factory=list)
    data_reads: int | None = None
    computations: int | None = None
    edit_seen: bool = False

    @property
    def median(self) -> float:
        return statistics.median(self.rebuild_seconds)


def _edit(edition: Path, n: int) -> str:
    """Edit the edition's summary as an editor would; returns the words added."""
    marker = f"Edit number {n} for the benchmark."
    text = edition.read_text(encoding="utf-8")
    text = re.sub(
        r"^summary: (Edit number \d+ for the benchmark\. )?", "summary: ", text, flags=re.M
    )
    edition.write_text(text.replace("\nsummary: ", f"\nsummary: {marker} ", 1), encoding="utf-8")
    return marker


def incremental_rebuild(data: Path, work: Path, times: int = 5) -> RebuildResult:
    """Build the sample once, then edit the latest published edition and rebuild, ``times``."""
    content = work / "content"
    shutil.copytree(REPO / "content", content)
    editions = [
        p
        for p in sorted((content / "editions").glob("*.yaml"))
        if re.search(r"^status: published", p.read_text(encoding="utf-8"), re.M)
    ]
    edition = editions[-1]
    page = Path("editions") / edition.stem / "index.html"
    try:
        from qi_report import serve
    except ImportError:
        serve = None  # type: ignore[assignment]
    if serve is not None and hasattr(getattr(serve, "Preview", None), "rebuild"):
        preview = serve.Preview(content, data, port=0)
        preview.start(watch=False)
        try:
            result = RebuildResult("qi-report serve (Preview.rebuild, BuildCache)", 0.0)
            result.first_build_seconds = (preview.last_build_ms or 0.0) / 1000
            for n in range(times):
                marker = _edit(edition, n)
                t0 = time.perf_counter()
                if not preview.rebuild():
                    raise SystemExit("benchmark: the edited edition did not build")
                result.rebuild_seconds.append(time.perf_counter() - t0)
                root = preview.state.root
                result.edit_seen = root is not None and marker in (root / page).read_text()
            result.data_reads = preview.cache.data_reads
            result.computations = preview.cache.computations
        finally:
            preview.stop()
        return result
    from qi_report import build

    cache = build.BuildCache() if hasattr(build, "BuildCache") else None
    method = "build_site with a BuildCache" if cache else "full in-process rebuild (no cache API)"
    kwargs: dict[str, Any] = {"cache": cache} if cache else {}
    out = work / "site"
    t0 = time.perf_counter()
    build.build_site(content, data, out, **kwargs)
    result = RebuildResult(method, time.perf_counter() - t0)
    for n in range(times):
        marker = _edit(edition, n)
        t0 = time.perf_counter()
        build.build_site(content, data, out, **kwargs)
        result.rebuild_seconds.append(time.perf_counter() - t0)
        result.edit_seen = marker in (out / page).read_text()
    return result


# --- the report -----------------------------------------------------------------------------------
def mib(n: int) -> str:
    return f"{n / 1024**2:,.0f}"


def machine() -> dict[str, Any]:
    import numpy
    import pandas

    model = ""
    cpuinfo = Path("/proc/cpuinfo")
    if cpuinfo.is_file():
        found = re.search(r"model name\s*:\s*(.+)", cpuinfo.read_text())
        model = found.group(1).strip() if found else ""
    memory = 0
    meminfo = Path("/proc/meminfo")
    if meminfo.is_file():
        found = re.search(r"MemTotal:\s+(\d+)", meminfo.read_text())
        memory = int(found.group(1)) * 1024 if found else 0
    return {
        "cores": os.cpu_count(),
        "cpu": model,
        "memory_bytes": memory,
        "python": platform.python_version(),
        "pandas": pandas.__version__,
        "numpy": numpy.__version__,
        "platform": platform.platform(),
    }


def scale_table(results: list[ScaleResult]) -> str:
    head = (
        f"{'scale':<6}{'coaches':>9}{'projects':>10}{'scores':>11}{'CSV MiB':>9} |"
        f"{'read s':>8}{'MiB':>7} |{'compute s':>10}{'MiB':>7} |{'build s':>9}{'MiB':>7}"
    )
    lines = [head, "-" * len(head)]
    for r in results:
        lines.append(
            f"{r.scale:<6}{r.rows.get('coaches', 0):>9,}{r.rows.get('projects', 0):>10,}"
            f"{r.rows.get('project_scores', 0):>11,}{mib(r.data_bytes):>9} |"
            f"{r.read_seconds:>8.2f}{mib(r.read_peak):>7} |"
            f"{r.compute_seconds:>10.2f}{mib(r.compute_peak):>7} |"
            f"{r.build_wall:>9.2f}{mib(r.build_peak):>7}"
        )
    lines.append(
        "read = load_inputs (read + validate); compute = measures + SPC analysis (its MiB: the "
        "process with the data loaded); build = the whole `qi-report build` command, start-up "
        "included; MiB = peak resident memory"
    )
    lines.append("")
    lines.append("Inside each build:")
    for r in results:
        parts = ", ".join(f"{k} {v:.2f} s" for k, v in r.build_stages.items())
        lines.append(f"  {r.scale}: {parts}")
        lines.append(f"     bound by {r.bound}")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    args = sys.argv[1:] if argv is None else argv
    if args[:1] == ["--worker"]:
        stage, content, data, out, result_file = args[1:6]
        worker(stage, Path(content), Path(data), Path(out), Path(result_file))
        return 0
    parser = argparse.ArgumentParser(description=(__doc__ or "").split("\n\n")[0])
    parser.add_argument("--scales", default="S,M,L", help="comma-separated: S, M, L")
    parser.add_argument("--repeat", type=int, default=1, help="runs per stage (median)")
    parser.add_argument("--json", type=Path, help="also write every figure to this file")
    default_cache = Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache")
    parser.add_argument("--cache", type=Path, default=default_cache / "qi-report-bench")
    options = parser.parse_args(args)
    scales = [s.strip().upper()[:1] for s in options.scales.split(",") if s.strip()]
    if not scales or any(s not in SCALES for s in scales) or options.repeat < 1:
        parser.error("--scales takes S, M and L, comma-separated; --repeat at least 1")
    sys.path.insert(0, str(HERE))
    from pageweight import as_json, table, weigh

    info = machine()
    print(
        f"machine: {info['cores']} cores, {info['cpu']}, {mib(info['memory_bytes'])} MiB; "
        f"Python {info['python']}, pandas {info['pandas']}, numpy {info['numpy']}"
    )
    report: dict[str, Any] = {"machine": info, "scales": []}
    results: list[ScaleResult] = []
    pages: list[Any] | None = None
    rebuild: RebuildResult | None = None
    with tempfile.TemporaryDirectory(prefix="qi-report-bench-") as tmp:
        work = Path(tmp)
        for scale in scales:
            print(f"\n== scale {scale} ({SCALES[scale]}) ==", flush=True)
            measured = bench_scale(scale, options.cache, options.repeat, work)
            if measured.generated_seconds is not None:
                print(f"generated the data in {measured.generated_seconds:.1f} s (now cached)")
            print(scale_table([measured]).split("\nread =")[0])
            results.append(measured)
            report["scales"].append(asdict(measured))
            if scale == "S":
                pages = weigh(work / "site-S", BASE_PATH)
                print("\nWhat each page of the sample site transfers (KiB):")
                print(table(pages))
                report["pages"] = as_json(pages)
                sample_data, _ = ensure_data("sample", options.cache)
                rebuild = incremental_rebuild(sample_data, _mkdir(work / "rebuild"))
                report["rebuild"] = asdict(rebuild) | {"median": rebuild.median}
    print("\n== summary ==")
    print(scale_table(results))
    ok = verdicts(results, pages, rebuild)
    if options.json:
        options.json.write_text(json.dumps(report, indent=2, default=str) + "\n")
        print(f"\nWrote {options.json}")
    return 0 if ok else 1


def verdicts(
    results: list[ScaleResult], pages: list[Any] | None, rebuild: RebuildResult | None
) -> bool:
    """Print each bound of issue 7 against the figures; True when all hold."""
    ok = True
    if pages is not None:
        heavy = [p for p in pages if not p.light_ok]
        charted = [p for p in pages if p.charts]
        once = all(p.plotly_scripts == 1 and p.plotly_deferred for p in charted)
        light = max((p.total("transferred") for p in pages if not p.charts), default=0)
        verdict = "ok" if not heavy else "OVER: " + ", ".join(p.path for p in heavy)
        print(
            f"\nPages without charts: largest {light / 1024:.1f} KiB transferred "
            f"(limit 60 KiB): {verdict}"
        )
        print(f"Chart pages: plotly.js loaded once, deferred, on each: {'yes' if once else 'NO'}")
        ok &= not heavy and once
    if rebuild is not None:
        counts = (
            f"; data read {rebuild.data_reads}x, measures computed {rebuild.computations}x in all"
            if rebuild.data_reads is not None
            else ""
        )
        print(
            f"Incremental rebuild after an edition edit ({rebuild.method}): median "
            f"{rebuild.median * 1000:.0f} ms of {len(rebuild.rebuild_seconds)} (first build "
            f"{rebuild.first_build_seconds * 1000:.0f} ms; limit 500 ms); edit in the page: "
            f"{'yes' if rebuild.edit_seen else 'NO'}{counts}"
        )
        ok &= rebuild.edit_seen and rebuild.median < REBUILD_LIMIT_SECONDS
    for measured in results:
        if measured.within_bounds is not None:
            print(
                f"L build: {measured.build_wall:.1f} s (limit {LIMIT_SECONDS:.0f} s), peak "
                f"{mib(measured.build_peak)} MiB (limit {mib(LIMIT_BYTES)} MiB): "
                f"{'within the bounds' if measured.within_bounds else 'OVER THE BOUNDS'}"
            )
            ok &= measured.within_bounds
    return ok


if __name__ == "__main__":
    sys.exit(main())

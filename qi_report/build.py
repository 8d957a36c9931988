"""The pipeline, top to bottom: read and validate everything, compute, then render.

    site.yaml, measures.yaml, editions/, stories/, data files -> Inputs   (every problem, located)
    Inputs                          -> MeasureSeries    (numerator, denominator per month)
    MeasureSeries + chart settings  -> MeasureAnalysis  (centre, limits, signals, summary)
    MeasureAnalysis + stories       -> MeasureView      (plotly chart, table rows, labels)
    Content + views                 -> Pages            (url, template, typed context)
    Pages + assets                  -> site/            (temporary folder, then swapped in)

:func:`build_site` reads as that list; start there.
"""

from __future__ import annotations

import datetime as dt
import os
from dataclasses import dataclass, replace
from pathlib import Path

import jinja2
import pandas as pd
from pydantic import BaseModel

from qi_report.analysis import MeasureAnalysis, analyse_measure
from qi_report.config import SiteConfig, load_config
from qi_report.content import Content, check_measure_links, load_content
from qi_report.data import Datasets, load_data
from qi_report.definitions import (
    MeasureDefinition,
    Where,
    check_chart_settings,
    declared,
    load_definitions,
    validate_parameters,
)
from qi_report.feeds import atom_feed, sitemap
from qi_report.lint import warnings
from qi_report.measures import KINDS, MeasureSeries, compute_all
from qi_report.ogimage import og_image
from qi_report.pages import (
    Page,
    SiteView,
    base_path,
    check_base_url,
    environment,
    plan_pages,
    render_page,
    site_view,
)
from qi_report.problems import Problem, Problems, ProblemsFound, did_you_mean, display_path
from qi_report.search import entry as search_entry
from qi_report.search import index_json
from qi_report.site import SiteWriter, check_output_folder, measure_csv, plotly_filename
from qi_report.views import MeasureView, measure_view, media_path, story_view
from qi_report.yamlsource import YamlDoc


@dataclass(frozen=True)
class Inputs:
    """Everything read from the content and data folders, validated."""

    config: SiteConfig
    measures: list[MeasureDefinition]
    parameters: dict[str, BaseModel]
    datasets: Datasets
    content: Content
    content_dir: Path
    measures_doc: YamlDoc | None = None
    """measures.yaml as read, so that checks against the data can give their line."""

    def summary(self) -> str:
        data = self.datasets.summary()
        rows = sum(len(frame) for frame in self.datasets.series.values())
        if self.datasets.series:
            series = len(self.datasets.series)
            data += f"{', ' if data else ''}{series} series ({rows} periods)"
        return (
            f"{len(self.content.editions)} editions, {len(self.content.stories)} stories, "
            f"{len(self.measures)} measures; data: {data or 'none'}"
        )

    def where(self, index: int) -> Where:
        """The place in measures.yaml of the measure at ``index``."""
        if self.measures_doc is None:
            raise LookupError("measures.yaml was not read")
        return Where(self.measures_doc, index)


def load_inputs(content_dir: Path, data_dir: Path, cache: BuildCache | None = None) -> Inputs:
    """Read and validate content and data; raises ProblemsFound with every problem found."""
    problems = Problems()
    config = load_config(content_dir, problems)
    doc, measures = load_definitions(content_dir, problems)
    needed: set[str] = set()
    for index, name in declared(doc, "kind"):
        kind = KINDS.get(name)
        if kind is None:
            problems.add(
                content_dir / "measures.yaml",
                f"'{name}' is not a measure kind{did_you_mean(name, KINDS)}; expected one of: "
                f"{', '.join(sorted(KINDS))}",
                line=doc.line(("measures", index, "kind")) if doc else None,
                field=f"measures.{index}.kind",
            )
        else:
            needed.update(kind.tables)
    parameters: dict[str, BaseModel] = {}
    for index, measure in enumerate(measures):  # all of measures.yaml, or none when invalid
        kind = KINDS.get(measure.kind)
        if kind is None or doc is None:
            continue
        checked = validate_parameters(doc, index, measure, kind.parameters, problems)
        if checked is not None:
            parameters[measure.id] = checked
        check_chart_settings(measure, kind.charts, Where(doc, index), problems)
    datasets = load_datasets(data_dir, config, doc, measures, needed, problems, cache)
    content = load_content(content_dir, [i for _, i in declared(doc, "id")], problems)
    check_measure_links(doc, measures, problems)
    problems.raise_if_any()
    return Inputs(config, measures, parameters, datasets, content, content_dir, doc)


def load_datasets(
    data_dir: Path,
    config: SiteConfig,
    doc: YamlDoc | None,
    measures: list[MeasureDefinition],
    needed: set[str],
    problems: Problems,
    cache: BuildCache | None = None,
) -> Datasets:
    """The ``needed`` programme tables and each series measure's own file. With a cache, they
    are read again only when a data file, a measure definition or site.yaml's ``data`` changed."""
    key = (fingerprint(data_dir), config.data, sorted(needed), measures)
    if cache is not None and cache.datasets is not None and cache.data_key == key:
        return cache.datasets
    found = Problems()
    own_files: dict[str, pd.DataFrame] = {}
    for index, measure in enumerate(measures):
        kind = KINDS.get(measure.kind)
        if kind is not None and kind.load is not None and doc is not None:
            table = kind.load(measure, data_dir, Where(doc, index), found)
            if table is not None:
                own_files[measure.id] = table
    datasets = replace(load_data(data_dir, config, needed, found), series=own_files)
    problems.extend(found)
    if cache is not None and not found:
        cache.data_key, cache.datasets = key, datasets
        cache.data_reads += 1
    return datasets


def fingerprint(folder: Path) -> tuple[tuple[str, int, int], ...]:
    """Every file in ``folder`` and below with its modification time and size, except hidden
    ones and the lock and backup files of editors and spreadsheets (``.~lock.a.csv#``,
    ``~$a.xlsx``, ``a.yaml~``), which no build reads."""
    found = []
    for top, folders, files in os.walk(folder):
        folders[:] = sorted(f for f in folders if not f.startswith("."))
        for name in sorted(files):
            if name.startswith((".", "~")) or name.endswith(("~", "#")):
                continue
            path = os.path.join(top, name)
            try:
                stat = os.stat(path)
            except FileNotFoundError:  # removed while we looked
                continue
            found.append((path, stat.st_mtime_ns, stat.st_size))
    return tuple(found)


@dataclass
class BuildCache:
    """What a build leaves for the next one (``serve`` keeps one): the data as read, the
    measures as computed and their views (charts), each with the key of what it was made from,
    and the template environment (which reloads a template when its file changes). An edit to
    an edition changes no key, so the data is not read again and nothing is recomputed or
    redrawn; one to a story redraws the charts (they mark its PDSA cycles); one to a data file,
    to measures.yaml or to site.yaml's ``data`` or ``report`` settings recomputes. The counters
    say how often each step really ran."""

    data_key: object = None
    datasets: Datasets | None = None
    measures_key: object = None
    measures: list[MeasureSeries] | None = None
    views_key: object = None
    views: list[MeasureView] | None = None
    env: jinja2.Environment | None = None
    data_reads: int = 0
    computations: int = 0

    def environment(self) -> jinja2.Environment:
        if self.env is None:
            self.env = environment()
        return self.env


def compute_measures(inputs: Inputs) -> list[MeasureSeries]:
    return compute_all(inputs.measures, inputs.parameters, inputs.datasets, inputs.config.report)


def analyse_measures(inputs: Inputs, all_series: list[MeasureSeries]) -> list[MeasureAnalysis]:
    """Each series analysed with its chart settings; a setting naming a period that is not
    charted (rebase, exclude, annotations) is a problem on its line of measures.yaml."""
    problems = Problems()
    analysed = [
        analyse_measure(definition, series, inputs.where(index), problems)
        for index, (definition, series) in enumerate(zip(inputs.measures, all_series, strict=True))
    ]
    problems.raise_if_any()
    return analysed


class UnknownMeasure(LookupError):
    """A measure id that measures.yaml does not define (the message says which ids it does)."""


def analyse_one(content_dir: Path, data_dir: Path, measure_id: str) -> MeasureAnalysis:
    """One measure, analysed exactly as the site shows it, after every input is checked."""
    inputs = load_inputs(content_dir, data_dir)
    ids = [measure.id for measure in inputs.measures]
    if measure_id not in ids:
        hint = did_you_mean(measure_id, ids) or (
            f"; the ids are: {', '.join(ids)}" if ids else "; it defines no measure"
        )
        where = display_path(content_dir / "measures.yaml")
        raise UnknownMeasure(f"'{measure_id}' is not a measure id in {where}{hint}")
    return analyse_measures(inputs, compute_measures(inputs))[ids.index(measure_id)]


def check_inputs(content_dir: Path, data_dir: Path) -> Inputs:
    """Everything ``build`` would check: the inputs, then the chart settings against the
    periods charted. Raises ProblemsFound with every problem found."""
    inputs = load_inputs(content_dir, data_dir)
    analyse_measures(inputs, compute_measures(inputs))
    return inputs


def build_site(
    content_dir: Path,
    data_dir: Path,
    out: Path,
    *,
    base_url: str | None = None,
    drafts: bool = False,
    strict: bool = False,
    cache: BuildCache | None = None,
) -> BuildReport:
    """Validate, compute, render and swap in a new site at ``out``.

    With ``strict``, warnings (dead internal links, editions dated in the future, trial limits,
    no site address) are problems too, and nothing is written. A ``cache`` (see
    :class:`BuildCache`) lets a rebuild skip reading and computing what did not change.
    """
    check_output_folder(out, protected=(content_dir, data_dir))
    check_base_url(base_url)
    inputs = load_inputs(content_dir, data_dir, cache)
    analysed = analyse_measures(inputs, measures_of(inputs, cache))
    content = inputs.content
    measure_titles = {m.id: m.title for m in inputs.measures}
    stories = [story_view(s, measure_titles) for s in content.stories]
    measures = views_of(analysed, content, cache)
    pages = plan_pages(content, measures, stories, base_path(inputs.config, base_url), drafts)
    site = site_view(inputs.config, plotly_filename(), base_url)
    found = editorial_warnings(inputs, analysed, pages, site)
    if strict and found:
        raise ProblemsFound(found)
    env = cache.environment() if cache is not None else environment()
    return write_site(out, inputs, site, pages, analysed, tuple(found), env)


def measures_of(inputs: Inputs, cache: BuildCache | None) -> list[MeasureSeries]:
    """compute_measures, or the cache's last result when the data and the report period are
    those it was computed from (the data key covers the measure definitions)."""
    if cache is None:
        return compute_measures(inputs)
    key = (cache.data_key, inputs.config.report)
    if cache.measures is None or cache.measures_key != key:
        cache.measures, cache.measures_key = compute_measures(inputs), key
        cache.computations += 1
    return cache.measures


def views_of(
    analysed: list[MeasureAnalysis], content: Content, cache: BuildCache | None
) -> list[MeasureView]:
    """Each measure's view, or the cache's last ones when the measures (analysed from the
    series and their definitions, which the measures key covers) and the stories are unchanged."""
    if cache is None:
        return [measure_view(m, content.stories) for m in analysed]
    key = (cache.measures_key, content.stories)
    if cache.views is None or cache.views_key != key:
        cache.views = [measure_view(m, content.stories) for m in analysed]
        cache.views_key = key
    return cache.views


def editorial_warnings(
    inputs: Inputs, analysed: list[MeasureAnalysis], pages: list[Page], site: SiteView
) -> list[Problem]:
    urls = [p.url for p in pages] + [f"measures/{m.id}/data.csv" for m in inputs.measures]
    found = warnings(
        inputs.content,
        analysed,
        urls,
        display_path(inputs.content_dir / "measures.yaml"),
        dt.date.today(),
    )
    if site.site_url is None:
        found.append(
            Problem(
                display_path(inputs.content_dir / "site.yaml"),
                field="site_url",
                message="not set (and no --base-url): the Atom feed, sitemap, "
                "canonical links and sharing previews were left out",
            )
        )
    return found


@dataclass(frozen=True)
class BuildReport:
    out: Path
    pages: int
    files: int
    warnings: tuple[Problem, ...] = ()


def write_site(
    out: Path,
    inputs: Inputs,
    site: SiteView,
    pages: list[Page],
    analysed: list[MeasureAnalysis],
    warnings: tuple[Problem, ...],
    env: jinja2.Environment | None = None,
) -> BuildReport:
    """Render every page and file into a temporary folder, then swap it in for ``out``."""
    env = env or environment()
    writer = SiteWriter(out)
    try:
        entries = []
        for page in pages:
            html = render_page(env, page, site)
            writer.write_text(page.path, html)
            found = search_entry(page.path, page.section, page.title, page.description, html)
            if found is not None:
                entries.append(found)
        writer.write_text("search.json", index_json(entries))
        for measured in analysed:
            writer.write_text(f"measures/{measured.definition.id}/data.csv", measure_csv(measured))
        for image in inputs.content.images():
            writer.copy(inputs.content_dir / image, media_path(image))
        writer.copy_static(with_plotly=any(page.charts for page in pages))
        if site.site_url:
            editions = [e for e in inputs.content.editions if e.published]
            writer.write_text(
                "feed.xml",
                atom_feed(site.site_url, site.title, site.description, site.copyright, editions),
            )
            writer.write_text(
                "sitemap.xml",
                sitemap(site.site_url, [p.path for p in pages if p.path != "404.html"]),
            )
            writer.write_bytes("assets/og-image.png", og_image())
        files = sum(1 for p in writer.folder.rglob("*") if p.is_file())
        writer.commit()
    except BaseException:
        writer.abandon()
        raise
    return BuildReport(out, len(pages), files, warnings)

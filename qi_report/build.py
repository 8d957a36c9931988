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

from dataclasses import dataclass
from pathlib import Path

from pydantic import BaseModel

from qi_report.analysis import MeasureAnalysis, analyse_measure
from qi_report.config import SiteConfig, load_config
from qi_report.content import Content, load_content
from qi_report.data import Datasets, load_data
from qi_report.definitions import (
    MeasureDefinition,
    declared,
    load_definitions,
    validate_parameters,
)
from qi_report.measures import KINDS, MeasureSeries, compute_all
from qi_report.pages import Page, base_path, environment, plan_pages, render_page, site_view
from qi_report.problems import Problem, Problems, ProblemsFound, did_you_mean, display_path
from qi_report.site import SiteWriter, check_output_folder, measure_csv, plotly_filename
from qi_report.views import measure_view, media_path, story_view


@dataclass(frozen=True)
class Inputs:
    """Everything read from the content and data folders, validated."""

    config: SiteConfig
    measures: list[MeasureDefinition]
    parameters: dict[str, BaseModel]
    datasets: Datasets
    content: Content
    content_dir: Path

    def summary(self) -> str:
        return (
            f"{len(self.content.editions)} editions, {len(self.content.stories)} stories, "
            f"{len(self.measures)} measures; data: {self.datasets.summary() or 'none'}"
        )


def load_inputs(content_dir: Path, data_dir: Path) -> Inputs:
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
        if kind is not None and doc is not None:
            checked = validate_parameters(doc, index, measure, kind.parameters, problems)
            if checked is not None:
                parameters[measure.id] = checked
    datasets = load_data(data_dir, config, needed, problems)
    content = load_content(content_dir, [i for _, i in declared(doc, "id")], problems)
    problems.raise_if_any()
    return Inputs(config, measures, parameters, datasets, content, content_dir)


def compute_measures(inputs: Inputs) -> list[MeasureSeries]:
    return compute_all(inputs.measures, inputs.parameters, inputs.datasets, inputs.config.report)


def analyse_measures(inputs: Inputs, all_series: list[MeasureSeries]) -> list[MeasureAnalysis]:
    """Each series analysed with its chart settings; a setting naming a period that is not
    charted (rebase, exclude) is a located problem."""
    found: list[Problem] = []
    path = display_path(inputs.content_dir / "measures.yaml")
    analysed = [
        analyse_measure(d, s, found, path) for d, s in zip(inputs.measures, all_series, strict=True)
    ]
    if found:
        raise ProblemsFound(found)
    return analysed


def build_site(
    content_dir: Path,
    data_dir: Path,
    out: Path,
    *,
    base_url: str | None = None,
    drafts: bool = False,
) -> BuildReport:
    """Validate, compute, render and swap in a new site at ``out``."""
    check_output_folder(out, protected=(content_dir, data_dir))
    inputs = load_inputs(content_dir, data_dir)
    analysed = analyse_measures(inputs, compute_measures(inputs))
    content = inputs.content
    measure_titles = {m.id: m.title for m in inputs.measures}
    stories = [story_view(s, measure_titles) for s in content.stories]
    measures = [measure_view(m, content.stories) for m in analysed]
    pages = plan_pages(content, measures, stories, base_path(inputs.config, base_url), drafts)
    return write_site(out, inputs, pages, analysed)


@dataclass(frozen=True)
class BuildReport:
    out: Path
    pages: int
    files: int


def write_site(
    out: Path, inputs: Inputs, pages: list[Page], analysed: list[MeasureAnalysis]
) -> BuildReport:
    has_charts = any(page.charts for page in pages)
    site = site_view(inputs.config, plotly_filename())
    env = environment()
    writer = SiteWriter(out)
    try:
        for page in pages:
            writer.write_text(page.path, render_page(env, page, site))
        for measured in analysed:
            writer.write_text(f"measures/{measured.definition.id}/data.csv", measure_csv(measured))
        for image in inputs.content.images():
            writer.copy(inputs.content_dir / image, media_path(image))
        writer.copy_static(with_plotly=has_charts)
        files = sum(1 for p in writer.folder.rglob("*") if p.is_file())
        writer.commit()
    except BaseException:
        writer.abandon()
        raise
    return BuildReport(out, len(pages), files)

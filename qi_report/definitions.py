"""Measure definitions, ``content/measures.yaml``: their schema and loading.

Each measure names a ``kind`` (how it is computed, see :mod:`qi_report.measures`), the text a
reader needs to trust it (title, operational definition, improvement direction, target) and how its
chart is analysed (see :mod:`qi_report.spc`).
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Annotated, Any, Literal

from pydantic import AfterValidator, BaseModel, Field, PositiveFloat, model_validator

from qi_report.config import Strict
from qi_report.problems import Problems
from qi_report.yamlsource import YamlDoc, load_yaml, validate

_SLUG = re.compile(r"^[a-z0-9]+(-[a-z0-9]+)*$")


def _slug(value: str) -> str:
    if not _SLUG.match(value):
        raise ValueError("expected an id of lower-case letters, digits and single hyphens")
    return value


def _baseline(value: int) -> int:
    if value < MIN_BASELINE:
        raise ValueError(
            f"a baseline needs at least {MIN_BASELINE} points (a moving range needs two)"
        )
    return value


MIN_BASELINE = 2
Slug = Annotated[str, AfterValidator(_slug)]
Baseline = Annotated[int, AfterValidator(_baseline)]
Improvement = Literal["increase", "decrease", "neutral"]
ChartType = Literal["run", "xmr", "p", "pp", "c", "u"]
RuleSet = Literal["ihi", "anhoej", "mdc"]


class Annotation(Strict):
    period: str
    text: str


class MeasureDefinition(Strict):
    """One measure as written in measures.yaml. Kind-specific ``parameters`` are checked by
    the kind's own schema (see ``measures.KINDS``).

    ``unit`` defaults to "%" where the values are percentages (the programme's measures, and
    series with numerator and denominator columns) and to no unit otherwise."""

    id: Slug
    kind: str
    title: str
    definition: str
    improvement: Improvement = "neutral"
    target: float | None = None
    unit: str = ""
    parameters: dict[str, object] = Field(default_factory=dict)
    # How the chart is analysed.
    chart: ChartType = "run"
    rules: RuleSet = "ihi"
    rebase: list[str] = Field(default_factory=list)
    baseline: Baseline | None = None
    screen_moving_ranges: bool = True
    exclude: list[str] = Field(default_factory=list)
    annotations: list[Annotation] = Field(default_factory=list)
    # Generic series measures (kind: series).
    file: str | None = None
    period: str | None = None
    value: str | None = None
    numerator: str | None = None
    denominator: str | None = None
    count: str | None = None
    exposure: str | None = None
    multiplier: PositiveFloat | None = None

    @model_validator(mode="before")
    @classmethod
    def _default_unit(cls, data: Any) -> Any:
        if isinstance(data, dict) and "unit" not in data:
            percent = data.get("kind") != "series" or "numerator" in data
            return {**data, "unit": "%" if percent else ""}
        return data


class MeasuresFile(Strict):
    measures: list[MeasureDefinition]


class NoParameters(Strict):
    """For kinds that take no parameters."""


def load_definitions(
    content_dir: Path, problems: Problems
) -> tuple[YamlDoc | None, list[MeasureDefinition]]:
    """Read measures.yaml; returns the document (for later located checks) and the measures."""
    path = content_dir / "measures.yaml"
    doc = load_yaml(path, problems)
    if doc is None:
        return None, []
    parsed = validate(doc, MeasuresFile, problems)
    if parsed is None:
        return doc, []
    seen: dict[str, int] = {}
    for index, measure in enumerate(parsed.measures):
        if measure.id in seen:
            problems.add(
                path,
                f"'{measure.id}' is already the id of measure {seen[measure.id]}",
                line=doc.line(("measures", index, "id")),
                field="id",
            )
        seen.setdefault(measure.id, index + 1)
    return doc, parsed.measures


SERIES_FIELDS = ("file", "period", "value", "numerator", "denominator", "count", "exposure")
"""The fields of a generic series measure (kind: series): its file and column names."""


@dataclass(frozen=True)
class Where:
    """One measure's place in measures.yaml, so that a later check can give a problem its line."""

    doc: YamlDoc
    index: int

    def add(self, problems: Problems, keys: Sequence[str | int], message: str) -> None:
        """Record ``message`` at the line of ``keys`` inside this measure (or of the measure)."""
        loc = ("measures", self.index, *keys)
        problems.add(
            self.doc.path,
            message,
            line=self.doc.line(loc),
            field=".".join(str(part) for part in loc),
        )


def check_chart_settings(
    measure: MeasureDefinition, charts: Sequence[str], where: Where, problems: Problems
) -> None:
    """Settings that do not need the data: the chart suits the kind's values (``charts``: the
    chart types they can be drawn as), and a multiplier only scales a u chart."""
    if measure.chart not in charts:
        where.add(
            problems,
            ["chart"],
            f"'{measure.chart}' does not suit the values of a measure of kind {measure.kind}; "
            f"expected one of: {', '.join(charts)}",
        )
    if measure.multiplier is not None and measure.chart != "u":
        where.add(
            problems,
            ["multiplier"],
            f"a multiplier applies to u charts only (this measure's chart is {measure.chart})",
        )
    if measure.kind != "series":
        for name in SERIES_FIELDS:
            if getattr(measure, name) is not None:
                where.add(problems, [name], f"'{name}' applies to kind: series only")


def declared(doc: YamlDoc | None, key: str) -> list[tuple[int, str]]:
    """``(index, value)`` of ``key`` (e.g. ``kind``, ``id``) in every measure as written in
    measures.yaml, including measures that failed validation: their kind is still checked,
    their tables read and their id known to editions, so that one run reports every problem
    and no problem twice."""
    measures = doc.data.get("measures") if doc is not None and isinstance(doc.data, dict) else None
    if not isinstance(measures, list):
        return []
    return [
        (index, item[key])
        for index, item in enumerate(measures)
        if isinstance(item, dict) and isinstance(item.get(key), str)
    ]


def validate_parameters(
    doc: YamlDoc,
    index: int,
    measure: MeasureDefinition,
    schema: type[BaseModel],
    problems: Problems,
) -> BaseModel | None:
    """Check one measure's ``parameters`` against its kind's schema, with located problems."""
    return validate(
        doc, schema, problems, at=("measures", index, "parameters"), data=measure.parameters
    )

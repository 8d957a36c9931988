"""Measure definitions, ``content/measures.yaml``: their schema and loading.

Each measure names a ``kind`` (how it is computed, see :mod:`qi_report.measures`), the text a
reader needs to trust it (title, operational definition, improvement direction, target) and how its
chart is analysed (see :mod:`qi_report.spc`).
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Annotated, Literal

from pydantic import AfterValidator, BaseModel, Field, PositiveFloat, PositiveInt

from qi_report.config import Strict
from qi_report.problems import Problems
from qi_report.yamlsource import YamlDoc, load_yaml, validate

_SLUG = re.compile(r"^[a-z0-9]+(-[a-z0-9]+)*$")


def _slug(value: str) -> str:
    if not _SLUG.match(value):
        raise ValueError("expected an id of lower-case letters, digits and single hyphens")
    return value


Slug = Annotated[str, AfterValidator(_slug)]
Improvement = Literal["increase", "decrease", "neutral"]
ChartType = Literal["run", "xmr", "p", "pp", "c", "u"]
RuleSet = Literal["ihi", "anhoej", "mdc"]


class Annotation(Strict):
    period: str
    text: str


class MeasureDefinition(Strict):
    """One measure as written in measures.yaml. Kind-specific ``parameters`` are checked by
    the kind's own schema (see ``measures.KINDS``)."""

    id: Slug
    kind: str
    title: str
    definition: str
    improvement: Improvement = "neutral"
    target: float | None = None
    unit: str = "%"
    parameters: dict[str, object] = Field(default_factory=dict)
    # How the chart is analysed.
    chart: ChartType = "run"
    rules: RuleSet = "ihi"
    rebase: list[str] = Field(default_factory=list)
    baseline: PositiveInt | None = None
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

"""One measure's analysis as the ``chart`` command prints it: a JSON object for programs, or a
table for people.

The JSON carries every number unrounded, values in display units (percentages for proportions,
a u chart's rate per its multiplier, otherwise the value in its unit); a field that does not apply
(a numerator of a series given as values, the limits of a run chart) is null.
"""

from __future__ import annotations

import json
from typing import Any

from qi_report.analysis import MeasureAnalysis
from qi_report.charts import CHART_NAMES
from qi_report.spc import Point
from qi_report.spc_rules import MIN_USEFUL_POINTS, Runs
from qi_report.spc_summary import RULE_SET_NAMES

RUNS_FIELDS = (
    "useful_points",
    "longest_run",
    "longest_run_limit",
    "crossings",
    "crossings_limit",
    "signal",
)
TYPE_WORDS = {
    "common_cause": "common cause",
    "special_cause_improvement": "improvement",
    "special_cause_concern": "concern",
    "special_cause_neutral": "neutral",
}
OPTIONAL = ("Numerator", "Denominator", "Lower", "Upper")
TEXT_COLUMNS = ("Period", "Signals", "Type")  # left-aligned; numbers are right-aligned
ASSURANCE_WORDS = {"pass": "pass", "fail": "fail", "hit_and_miss": "hit and miss"}


def _count(value: float | None) -> int | float | None:
    """A numerator or denominator as the data gave it: whole numbers as integers."""
    if value is None:
        return None
    return int(value) if float(value).is_integer() else value


def chart_json(measured: MeasureAnalysis) -> dict[str, Any]:
    """The ``chart --format json`` object (see README.md, "Commands")."""
    analysis = measured.analysis
    points = []
    if analysis is not None:
        for i, (period, point) in enumerate(zip(measured.periods, analysis.points, strict=True)):
            nums, dens = measured.numerators, measured.denominators
            points.append(
                {
                    "period": period,
                    "value": point.value,
                    "numerator": _count(nums[i]) if nums is not None else None,
                    "denominator": _count(dens[i]) if dens is not None else None,
                    "centre": point.centre,
                    "lower": point.lower,
                    "upper": point.upper,
                    "phase": point.phase,
                    "signals": list(point.signals),
                    "type": point.type,
                }
            )
    runs = analysis.runs if analysis is not None else None
    return {
        "measure": measured.definition.id,
        "chart": measured.definition.chart,
        "rules": measured.definition.rules,
        "points": points,
        "runs": {f: getattr(runs, f) for f in RUNS_FIELDS} if runs is not None else None,
        "variation": analysis.variation if analysis is not None else None,
        "assurance": analysis.assurance if analysis is not None else None,
        "summary": measured.summary,
    }


def chart_json_text(measured: MeasureAnalysis) -> str:
    return json.dumps(chart_json(measured), indent=2, ensure_ascii=False)


def _cell(value: float | int | None) -> str:
    if value is None:
        return ""
    if isinstance(value, int):
        return str(value)
    return f"{value:,.2f}" if value == 0 or abs(value) >= 1 else f"{value:.3g}"


def _point_cells(measured: MeasureAnalysis, i: int, point: Point) -> list[str]:
    nums, dens = measured.numerators, measured.denominators
    return [
        measured.periods[i],
        _cell(point.value),
        _cell(_count(nums[i])) if nums is not None else "",
        _cell(_count(dens[i])) if dens is not None else "",
        _cell(point.centre),
        _cell(point.lower),
        _cell(point.upper),
        str(point.phase),
        ", ".join(s.replace("_", " ") for s in point.signals),
        TYPE_WORDS[point.type],
    ]


def _runs_text(runs: Runs) -> str:
    if runs.signal is None:
        return (
            f"not analysed: {runs.useful_points} useful points (off the centre line), "
            f"{MIN_USEFUL_POINTS} needed"
        )
    verdict = "a signal" if runs.signal else "no signal"
    return (
        f"{runs.useful_points} useful points; longest run {runs.longest_run} "
        f"(a signal above {runs.longest_run_limit}); {runs.crossings} crossings "
        f"(a signal below {runs.crossings_limit}): {verdict}"
    )


def chart_table(measured: MeasureAnalysis) -> str:
    """The ``chart --format table`` text: aligned columns, then runs, variation, assurance
    and the summary. Numbers are rounded for reading; the JSON has them unrounded."""
    definition = measured.definition
    unit = f" ({definition.unit})" if definition.unit else ""
    lines = [
        f"{definition.title} [{definition.id}]",
        f"{CHART_NAMES[definition.chart]}, {RULE_SET_NAMES[definition.rules]}",
        "",
    ]
    analysis = measured.analysis
    if analysis is None:
        return "\n".join([*lines, measured.summary])
    headings = [
        "Period",
        f"Value{unit}",
        "Numerator",
        "Denominator",
        "Centre",
        "Lower",
        "Upper",
        "Phase",
        "Signals",
        "Type",
    ]
    rows = [_point_cells(measured, i, p) for i, p in enumerate(analysis.points)]
    # Columns a chart never fills (a run chart's limits, a value series' counts) are left out.
    kept = [c for c, h in enumerate(headings) if h not in OPTIONAL or any(r[c] for r in rows)]
    headings = [headings[c] for c in kept]
    rows = [[r[c] for c in kept] for r in rows]
    widths = [max(len(h), *(len(r[c]) for r in rows)) for c, h in enumerate(headings)]

    def line(cells: list[str]) -> str:
        return "  ".join(
            cell.ljust(w) if heading in TEXT_COLUMNS else cell.rjust(w)
            for cell, w, heading in zip(cells, widths, headings, strict=True)
        ).rstrip()

    lines += [line(headings), line(["-" * w for w in widths]), *(line(r) for r in rows), ""]
    no_assurance = "none (needs a target and a direction of improvement)"
    assurance = ASSURANCE_WORDS.get(analysis.assurance or "", no_assurance)
    lines += [
        f"Runs analysis (Anhøj's rules, last phase): {_runs_text(analysis.runs)}",
        f"Variation (last point): {TYPE_WORDS[analysis.variation]}",
        f"Assurance: {assurance}",
        f"Summary: {measured.summary}",
    ]
    return "\n".join(lines)

"""Warnings: things that still build but that an editor should look at.

``build`` prints them; ``build --strict`` treats them as problems (exit 1, nothing written), which
suits a publishing pipeline that should never put a half-finished edition live.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterable, Sequence

from qi_report.analysis import MeasureAnalysis
from qi_report.content import CalloutBlock, Content, Markdown
from qi_report.problems import Problem, display_path

_LINK = re.compile(r"\]\(\s*(/[^)\s]*)")
"""Site-absolute Markdown links: [text](/stories/x/)."""


def warnings(
    content: Content,
    analysed: Sequence[MeasureAnalysis],
    page_urls: Iterable[str],
    measures_path: str,
    today: dt.date,
) -> list[Problem]:
    found: list[Problem] = []
    known = {"/" + url for url in page_urls}
    for edition in content.editions:
        if edition.date > today:
            found.append(
                Problem(
                    display_path(edition.path),
                    field="date",
                    message=f"'{edition.date.isoformat()}' is in the future",
                )
            )
        for index, block in enumerate(edition.body):
            text = (
                block.markdown
                if isinstance(block, Markdown)
                else block.callout.text
                if isinstance(block, CalloutBlock)
                else ""
            )
            field = f"body.{index}"
            found.extend(_dead_links(display_path(edition.path), field, text, known))
    for item in content.stories:
        texts = [("body", item.story.body)]
        for number, cycle in enumerate(item.story.pdsa):
            texts += [
                (f"pdsa.{number}.{part}", getattr(cycle, part))
                for part in ("plan", "do", "study", "act")
            ]
        for field, text in texts:
            found.extend(_dead_links(display_path(item.path), field, text, known))
    for measured in analysed:
        analysis = measured.analysis
        if analysis is not None and analysis.chart != "run" and analysis.points[-1].trial:
            last_phase = analysis.points[-1].phase
            count = sum(1 for p in analysis.points if p.phase == last_phase)
            found.append(
                Problem(
                    measures_path,
                    field=f"{measured.definition.id}.chart",
                    message=f"the last phase has {count} points, too few for "
                    "reliable limits (13 or more); its limits are trial "
                    "limits",
                )
            )
    return found


def _dead_links(path: str, field: str, text: str, known: set[str]) -> list[Problem]:
    dead = []
    for target in _LINK.findall(text):
        page = target.split("#", 1)[0]
        if not page.endswith("/") and "." not in page.rsplit("/", 1)[-1]:
            page += "/"
        if page not in known:
            dead.append(
                Problem(
                    path, field=field, message=(f"link '{target}' points to no page of the site")
                )
            )
    return dead

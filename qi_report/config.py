"""The site configuration, ``content/site.yaml``: its schema and loading."""

from __future__ import annotations

import re
from pathlib import Path, PurePosixPath, PureWindowsPath
from typing import Annotated

from pydantic import AfterValidator, BaseModel, ConfigDict, Field, ValidationError

from qi_report.problems import Problems, did_you_mean, quote
from qi_report.richtext import url_scheme
from qi_report.yamlsource import YamlDoc, load_yaml, validate

TABLES = ("coaches", "coaching", "projects", "project_scores")
"""The programme data files, each read from ``data/NAME.csv`` or ``data/NAME.xlsx``."""

_MONTH = re.compile(r"^\d{4}-(0[1-9]|1[0-2])$")


def _month(value: str) -> str:
    if not _MONTH.match(value):
        raise ValueError("expected a month as YYYY-MM")
    return value


def _refused(scheme: str | None) -> str:
    return f"a {scheme}: address is refused; " if scheme not in {None, "http", "https"} else ""


def web_url(value: str) -> str:
    """An absolute http(s) address (``site_url``, ``--base-url``); ValueError otherwise."""
    if not re.match(r"^https?://[^\s/]+", value):
        raise ValueError(
            f"{_refused(url_scheme(value))}expected an absolute http:// or https:// address"
        )
    return value


def _site_link(value: str) -> str:
    """A navigation link: a path inside the site (``stories/``) or an http(s) address."""
    scheme = url_scheme(value)
    if scheme in {"http", "https"}:
        return web_url(value)
    if scheme is not None or value.strip().startswith("//") or "\\" in value:
        raise ValueError(
            f"{_refused(scheme)}expected a path inside the site such as stories/ or an "
            "absolute http:// or https:// address"
        )
    return value


def _data_file(value: str) -> str:
    """A file named for a data table: a path inside the data folder."""
    if (
        value.startswith(("/", "\\"))
        or PureWindowsPath(value).is_absolute()
        or ".." in PurePosixPath(value.replace("\\", "/")).parts
    ):
        raise ValueError(
            "expected a file inside the data folder, without '..' (e.g. projects.xlsx)"
        )
    return value


Month = Annotated[str, AfterValidator(_month)]
WebUrl = Annotated[str, AfterValidator(web_url)]
SiteLink = Annotated[str, AfterValidator(_site_link)]
DataFile = Annotated[str, AfterValidator(_data_file)]


def _date_format(value: str) -> str:
    """A ``date_format`` that reads each date one way only (see ``dates.date_format``)."""
    from qi_report.dates import date_format  # function-level: keeps pandas out of importing config

    date_format(value)
    return value


DateFormatText = Annotated[str, AfterValidator(_date_format)]


class Strict(BaseModel):
    """Base of every schema: unknown keys are problems, values are immutable."""

    model_config = ConfigDict(extra="forbid", frozen=True)


class DataSource(Strict):
    """Where one data table comes from and how its columns are named in the export."""

    file: DataFile | None = None
    columns: dict[str, str] = Field(default_factory=dict)
    date_format: DateFormatText | None = None
    """How dates written as text look, e.g. ``%d/%m/%Y``; default ``YYYY-MM-DD``."""


class DataSources(Strict):
    date_format: DateFormatText | None = None
    """The ``date_format`` of every table that does not set its own."""
    coaches: DataSource = DataSource()
    coaching: DataSource = DataSource()
    projects: DataSource = DataSource()
    project_scores: DataSource = DataSource()


class ReportPeriod(Strict):
    """Optional fixed months; by default each measure starts where it has data."""

    start: Month | None = None
    end: Month | None = None


class NavItem(Strict):
    label: str
    href: SiteLink


class SiteConfig(Strict):
    title: str = "QI news"
    organisation: str = ""
    description: str = ""
    language: str = "en-GB"
    site_url: WebUrl | None = None
    subscribe_url: WebUrl | None = None
    feedback_url: WebUrl | None = None
    copyright: str = ""
    navigation: list[NavItem] | None = None
    report: ReportPeriod = ReportPeriod()
    data: DataSources = DataSources()

    def source(self, table: str) -> DataSource:
        """Table ``table``'s source, with the ``data`` section's ``date_format`` unless it sets its
        own."""
        source: DataSource = getattr(self.data, table)
        if source.date_format is None and self.data.date_format is not None:
            return source.model_copy(update={"date_format": self.data.date_format})
        return source


def load_config(content_dir: Path, problems: Problems) -> SiteConfig:
    """Read ``site.yaml`` if present (every key has a default); problems are recorded."""
    path = content_dir / "site.yaml"
    if not path.exists():
        return SiteConfig()
    doc = load_yaml(path, problems)
    if doc is None:
        return SiteConfig()
    if doc.data is None:
        return SiteConfig()
    config = validate(doc, SiteConfig, problems) or SiteConfig(data=_data_sources(doc))
    _check_column_names(doc, config.data, problems)
    return config


def _data_sources(doc: YamlDoc) -> DataSources:
    """The ``data`` section alone, when another part of site.yaml is invalid: the data files are
    still read with their column mapping, so that a typo elsewhere does not also turn every
    mapped column into a "missing column" problem. Its own problems are already recorded."""
    raw = doc.data.get("data") if isinstance(doc.data, dict) else None
    try:
        return DataSources.model_validate(raw or {})
    except ValidationError:
        return DataSources()


def _check_column_names(doc: YamlDoc, sources: DataSources, problems: Problems) -> None:
    """Each key of a ``columns`` mapping must be a canonical column of its table."""
    from qi_report.data import SCHEMAS  # a function-level import: data.py imports this module

    for table in TABLES:
        known = [column.name for column in SCHEMAS[table]]
        for name in getattr(sources, table).columns:
            if name not in known:
                loc = ("data", table, "columns", name)
                problems.add(
                    doc.path,
                    f"{quote(name)} is not a column of {table}{did_you_mean(name, known)}; "
                    f"expected one of: {', '.join(known)}",
                    line=doc.line(loc),
                    field=".".join(loc),
                )

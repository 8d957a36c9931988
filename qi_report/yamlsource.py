"""YAML files read with the line of every key, and validated into typed models.

Content and configuration are YAML written by people. Every problem must name the line it is on,
so a file is composed into nodes first (which carry their position), then constructed. Dates are
left as strings for the schema to parse, so that an impossible date such as ``2019-02-30`` is a
located problem rather than a crash inside the YAML library.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, TypeVar

import yaml
from pydantic import BaseModel, ValidationError

from qi_report.problems import Problems, did_you_mean, quote

Loc = tuple[str | int, ...]
M = TypeVar("M", bound=BaseModel)


class _Loader(yaml.SafeLoader):
    """SafeLoader without implicit timestamps: dates reach the schema as text."""


_Loader.yaml_implicit_resolvers = {
    first: [(tag, regexp) for tag, regexp in resolvers if tag != "tag:yaml.org,2002:timestamp"]
    for first, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()
}


@dataclass(frozen=True)
class YamlDoc:
    """A parsed YAML file: its data and the 1-based line of each key or list item."""

    path: Path
    data: Any
    lines: dict[Loc, int] = field(default_factory=dict)

    def line(self, loc: Sequence[str | int]) -> int | None:
        """The line of ``loc``, or of its nearest ancestor that has one."""
        key = tuple(loc)
        while key:
            if key in self.lines:
                return self.lines[key]
            key = key[:-1]
        return self.lines.get((), None)


def load_yaml(path: Path, problems: Problems) -> YamlDoc | None:
    """Read ``path``; on a syntax error or duplicate key, record a located problem."""
    try:
        text = path.read_text(encoding="utf-8-sig")
    except FileNotFoundError:
        problems.add(path, "file not found")
        return None
    except UnicodeDecodeError as err:
        problems.add(path, f"is not UTF-8 text ({err.reason} at byte {err.start})")
        return None
    try:
        node = yaml.compose(text, Loader=_Loader)
    except yaml.MarkedYAMLError as err:
        mark = err.problem_mark or err.context_mark
        line = mark.line + 1 if mark is not None else None
        problems.add(path, f"YAML syntax error: {err.problem or err.context}", line=line)
        return None
    if node is None:
        return YamlDoc(path, None, {(): 1})
    lines: dict[Loc, int] = {(): node.start_mark.line + 1}
    _collect_lines(node, (), lines, path, problems)
    loader = _Loader("")
    try:
        data = loader.construct_document(node)
    except yaml.constructor.ConstructorError as err:
        mark = err.problem_mark
        problems.add(path, f"YAML error: {err.problem}", line=mark.line + 1 if mark else None)
        return None
    finally:
        loader.dispose()
    return YamlDoc(path, data, lines)


def _collect_lines(
    node: yaml.Node, loc: Loc, lines: dict[Loc, int], path: Path, problems: Problems
) -> None:
    if isinstance(node, yaml.MappingNode):
        seen: dict[str, int] = {}
        for key_node, value_node in node.value:
            key = str(key_node.value)
            line = key_node.start_mark.line + 1
            if key in seen:
                problems.add(
                    path, f"key '{key}' appears twice (first on line {seen[key]})", line=line
                )
            seen[key] = line
            lines[(*loc, key)] = line
            _collect_lines(value_node, (*loc, key), lines, path, problems)
    elif isinstance(node, yaml.SequenceNode):
        for index, item in enumerate(node.value):
            lines[(*loc, index)] = item.start_mark.line + 1
            _collect_lines(item, (*loc, index), lines, path, problems)


def validate(
    doc: YamlDoc, model: type[M], problems: Problems, at: Loc = (), data: Any = None
) -> M | None:
    """Validate ``doc`` (or ``data`` found at ``at`` inside it) against ``model``.

    Every schema error becomes one located problem; returns None when there was any.
    """
    value = doc.data if data is None and not at else data
    try:
        return model.model_validate(value)
    except ValidationError as err:
        for error in err.errors():
            loc: Loc = (*at, *error["loc"])
            report_error(doc, problems, loc, error, model)
        return None


def report_error(
    doc: YamlDoc, problems: Problems, loc: Loc, error: Mapping[str, Any], model: type[BaseModel]
) -> None:
    """One pydantic error as a located problem in the user's terms."""
    kind = error["type"]
    named = [part for part in loc if isinstance(part, str)]
    name = ".".join(str(part) for part in loc) or None
    if kind == "missing":
        message = "required field is missing"
    elif kind == "extra_forbidden":
        allowed = _allowed_keys(model, loc[:-1])
        hint = did_you_mean(str(loc[-1]), allowed) if named else ""
        message = f"unknown key{hint}; expected one of: {', '.join(sorted(allowed))}"
    elif kind in {"model_type", "dict_type"}:
        message = f"expected a mapping of keys to values, found {quote(error['input'])}"
    else:
        shown = error.get("input")
        text = str(error["msg"])
        if text.startswith("Value error, "):
            text = text.removeprefix("Value error, ")
        message = f"{quote(shown)}: {text[0].lower()}{text[1:]}" if shown is not None else text
    problems.add(doc.path, message, line=doc.line(loc), field=name)


def _allowed_keys(model: type[BaseModel], loc: Loc) -> list[str]:
    """The field names of the (possibly nested) model found at ``loc``."""
    current: Any = model
    for part in loc:
        if isinstance(part, int):
            continue
        fields = getattr(current, "model_fields", None)
        if not fields or part not in fields:
            return list(getattr(current, "model_fields", {}))
        current = _model_of(fields[part].annotation)
    return list(getattr(current, "model_fields", {}))


def _model_of(annotation: Any) -> Any:
    """The BaseModel inside an annotation such as ``list[Cycle]`` or ``Image | None``."""
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return annotation
    for arg in getattr(annotation, "__args__", ()):
        found = _model_of(arg)
        if found is not None:
            return found
    return None

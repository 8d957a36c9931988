"""YAML files read with the line of every key, and validated into typed models.

Content and configuration are YAML written by people. Every problem must name the line it is on,
so a file is composed into nodes first (which carry their position), then constructed. Dates are
left as strings for the schema to parse, so that an impossible date such as ``2019-02-30`` is a
located problem rather than a crash inside the YAML library.

Hostile YAML is refused before it is built, with its line: nesting deeper than
:data:`MAX_DEPTH` (checked on the parser's events, which need no recursion), aliases that expand
a file to more than :data:`MAX_VALUES` values (the "billion laughs"), and an alias inside the
value it names (a loop).
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

MAX_DEPTH = 50
"""How deeply mappings and lists may nest in a content file (a real one needs fewer than 10)."""

MAX_VALUES = 100_000
"""How many values a content file may hold once its aliases are expanded."""


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
        too_deep = _too_deep(text)
        if too_deep is not None:
            problems.add(
                path,
                f"YAML error: mappings and lists nest more than {MAX_DEPTH} levels deep",
                line=too_deep,
            )
            return None
        node = yaml.compose(text, Loader=_Loader)
    except yaml.MarkedYAMLError as err:
        mark = err.problem_mark or err.context_mark
        line = mark.line + 1 if mark is not None else None
        problems.add(path, f"YAML syntax error: {err.problem or err.context}", line=line)
        return None
    except yaml.reader.ReaderError as err:  # a character YAML does not allow, e.g. a control one
        problems.add(
            path,
            f"YAML error: the character {_code_point(err.character)} is not allowed in YAML",
            line=text.count("\n", 0, err.position) + 1,
        )
        return None
    except yaml.YAMLError as err:
        problems.add(path, f"YAML error: {str(err).splitlines()[0]}")
        return None
    if node is None:
        return YamlDoc(path, None, {(): 1})
    refused = _refused_aliases(node)
    if refused is not None:
        message, line = refused
        problems.add(path, f"YAML error: {message}", line=line)
        return None
    lines: dict[Loc, int] = {(): node.start_mark.line + 1}
    _collect_lines(node, (), lines, path, problems)
    data = _construct(node, path, problems)
    if data is _FAILED:
        return None
    return YamlDoc(path, data, lines)


def _code_point(character: object) -> str:
    number = character if isinstance(character, int) else ord(str(character)[:1] or "\0")
    return f"U+{number:04X}"


_FAILED = object()


def _construct(node: yaml.Node, path: Path, problems: Problems) -> Any:
    """The document's values; on a value YAML cannot build (``!!int 0xZZ``, a 5,000-digit
    number, ``!!timestamp 2019-02-30``), a problem on its line and :data:`_FAILED`."""
    loader = _Loader("")
    try:
        return loader.construct_document(node)
    except yaml.constructor.ConstructorError as err:
        mark = err.problem_mark
        problems.add(path, f"YAML error: {err.problem}", line=mark.line + 1 if mark else None)
        return _FAILED
    except (ValueError, TypeError, OverflowError) as err:
        problems.add(path, f"YAML error: {err}", line=_failing_scalar(node))
        return _FAILED
    finally:
        loader.dispose()


def _failing_scalar(root: yaml.Node) -> int | None:
    """The line of the first scalar that cannot be built on its own (see :func:`_construct`)."""
    for node in _nodes(root):
        if isinstance(node, yaml.ScalarNode):
            loader = _Loader("")
            try:
                loader.construct_object(node, deep=True)
            except (ValueError, TypeError, OverflowError, yaml.YAMLError):
                return node.start_mark.line + 1
            finally:
                loader.dispose()
    return None


def _nodes(root: yaml.Node) -> list[yaml.Node]:
    """Every node of a document once, aliases followed once (the document is known to be small
    and free of loops by then)."""
    seen: set[int] = set()
    found: list[yaml.Node] = []
    waiting = [root]
    while waiting:
        node = waiting.pop()
        if id(node) in seen:
            continue
        seen.add(id(node))
        found.append(node)
        waiting.extend(reversed(_children(node)))
    return found


def _children(node: yaml.Node) -> list[yaml.Node]:
    if isinstance(node, yaml.MappingNode):
        return [part for pair in node.value for part in pair]
    if isinstance(node, yaml.SequenceNode):
        return list(node.value)
    return []


def _too_deep(text: str) -> int | None:
    """The line where nesting first goes deeper than MAX_DEPTH, found from the parser's events
    (a loop, not recursion, so any depth is safe to look at); None when it never does."""
    depth = 0
    for event in yaml.parse(text, Loader=_Loader):
        if isinstance(event, yaml.CollectionStartEvent):
            depth += 1
            if depth > MAX_DEPTH:
                mark = event.start_mark
                return int(mark.line) + 1 if mark is not None else None
        elif isinstance(event, yaml.CollectionEndEvent):
            depth -= 1
    return None


def _refused_aliases(root: yaml.Node) -> tuple[str, int] | None:
    """(why, line) when aliases make a loop, or expand the document beyond MAX_VALUES values or
    MAX_DEPTH levels (a chain of aliases nests deeper than it looks). Each node's expanded size
    and depth are worked out once, without recursion, so this is quick whatever the size."""
    done: dict[int, tuple[int, int]] = {}  # id(node): (values, depth) once expanded
    open_nodes: set[int] = set()  # the node being counted and its ancestors
    waiting: list[tuple[yaml.Node, bool]] = [(root, False)]
    while waiting:
        node, children_done = waiting.pop()
        if children_done:
            counted = [done[id(child)] for child in _children(node)]
            values = min(1 + sum(c[0] for c in counted), MAX_VALUES + 1)
            depth = 1 + max((c[1] for c in counted), default=0)
            done[id(node)] = (values, depth)
            open_nodes.discard(id(node))
            continue
        if id(node) in done:
            continue
        open_nodes.add(id(node))
        waiting.append((node, True))
        for child in _children(node):
            if id(child) in open_nodes:
                return "an alias is used inside the value it names (a loop)", _line(child)
            if id(child) not in done:
                waiting.append((child, False))
    values, depth = done[id(root)]
    if values > MAX_VALUES:
        return (
            f"aliases (*name) expand this file to more than {MAX_VALUES} values; write the "
            "values out instead",
            _line(root),
        )
    if depth > MAX_DEPTH + 1:  # scalars count as a level here; MAX_DEPTH counts collections
        return (
            f"aliases (*name) make mappings and lists nest more than {MAX_DEPTH} levels deep",
            _line(root),
        )
    return None


def _line(node: yaml.Node) -> int:
    mark = node.start_mark
    return int(mark.line) + 1 if mark is not None else 1


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

"""YAML in and out: fast safe loading, line numbers on demand, stable readable dumping."""

from __future__ import annotations

from typing import Any

import yaml

Loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
Dumper = getattr(yaml, "CSafeDumper", yaml.SafeDumper)


class _Dumper(Dumper):  # type: ignore[misc,valid-type]  # libyaml's emitter when present: 4x faster
    """Block style for multi-line strings, so SQL and arguments read as written."""


def _represent_str(dumper: yaml.SafeDumper, value: str) -> yaml.ScalarNode:
    if "\n" in value:
        return dumper.represent_scalar("tag:yaml.org,2002:str", value, style="|")
    return dumper.represent_scalar("tag:yaml.org,2002:str", value)


_Dumper.add_representer(str, _represent_str)


def load(text: str) -> Any:
    return yaml.load(text, Loader=Loader)


def dump(value: Any) -> str:
    return yaml.dump(
        value,
        Dumper=_Dumper,
        sort_keys=False,
        allow_unicode=True,
        indent=2,
        width=4096,
        default_flow_style=False,
    )


def line_map(text: str) -> dict[tuple[str | int, ...], int]:
    """Path (tuple of keys and indexes) -> 1-based line, for error messages only."""
    lines: dict[tuple[str | int, ...], int] = {}
    try:
        root = yaml.compose(text, Loader=yaml.SafeLoader)
    except yaml.YAMLError:
        return lines

    def walk(node: yaml.Node, path: tuple[str | int, ...]) -> None:
        lines[path] = node.start_mark.line + 1
        if isinstance(node, yaml.MappingNode):
            for key, value in node.value:
                child = (*path, str(key.value))
                walk(value, child)
                lines[child] = key.start_mark.line + 1
        elif isinstance(node, yaml.SequenceNode):
            for index, item in enumerate(node.value):
                walk(item, (*path, index))

    if root is not None:
        walk(root, ())
    return lines


def line_of(lines: dict[tuple[str | int, ...], int], path: tuple[str | int, ...]) -> int | None:
    """The line of `path`, or of its nearest ancestor that the file has."""
    while path:
        if path in lines:
            return lines[path]
        path = path[:-1]
    return lines.get(())

"""Limits on what a YAML document may expand to, and the JSON-only rule.

Job, script and resource bodies are JSON documents; YAML is only how they are written. So a
loaded value must be JSON: strings, integers, finite floats, booleans, null, lists and
mappings with string keys. A date (`2024-01-01`), a timestamp, `!!binary`, `!!set` or a
non-string key is refused naming the file and line, with the fix (quote it).

Aliases are shared, not copied, when YAML is loaded, so a 375-byte "billion laughs" document
loads in microseconds, and then every reader that walks it (the schema check, the JSON
encoder, the diff) expands it: validate used 1.1 GB, apply 8.8 GB. `check` measures the
expanded size without expanding (each shared value is counted once and reused), and refuses a
document that expands to more than EXPANSION times its size in nodes, or nests deeper than
MAX_DEPTH, or refers to itself.
"""

from __future__ import annotations

import datetime
import math
from typing import Any

import yaml

from jobsync.errors import ConfigError, Problem

EXPANSION = 20  # expanded nodes per byte of text; plain YAML has fewer nodes than bytes
MIN_NODES = 10_000  # a small file may still use an anchor a few times
MAX_DEPTH = 100  # a job body nests about 8 levels deep


class InputLimitError(yaml.YAMLError):
    """A document jobsync refuses; `problem` and `problem_mark` as PyYAML's errors have."""

    def __init__(self, problem: str, line: int | None = None) -> None:
        self.problem = problem
        self.problem_mark = _Mark(line - 1) if line else None
        super().__init__(problem)

    def __str__(self) -> str:
        where = f" (line {self.problem_mark.line + 1})" if self.problem_mark else ""
        return f"{self.problem}{where}"


class _Mark:
    def __init__(self, line: int) -> None:
        self.line = line


def _type_problem(value: Any) -> str | None:
    if isinstance(value, datetime.datetime | datetime.date):
        return f"{value.isoformat()} is read as a date or time, which a job body cannot hold; quote it ('{value}')"
    if isinstance(value, bytes):
        return "a !!binary value is not JSON; write the text (or base64 in a quoted string)"
    if isinstance(value, set):
        return "a !!set is not JSON; write a list"
    if isinstance(value, float) and not math.isfinite(value):
        return f"{value} is not a JSON number; quote it if it is text"
    if value is None or isinstance(value, str | bool | int | float | list | dict):
        return None
    return f"a {type(value).__name__} value is not JSON"


class _Walk:
    def __init__(self, limit: int) -> None:
        self.limit = limit
        self.sizes: dict[int, int] = {}
        self.open: set[int] = set()

    def size(self, value: Any, path: tuple[str | int, ...]) -> int:
        """Nodes of `value` once every alias is expanded; raises _Refused."""
        problem = _type_problem(value)
        if problem:
            raise _Refused(problem, path)
        if not isinstance(value, list | dict):
            return 1
        known = self.sizes.get(id(value))
        if known is not None:
            return known
        if id(value) in self.open:
            raise _Refused("an alias refers to the value that holds it (a recursive alias)", path)
        if len(path) >= MAX_DEPTH:
            raise _Refused(f"nested deeper than {MAX_DEPTH} levels", path)
        self.open.add(id(value))
        total = 1
        if isinstance(value, dict):
            for key, item in value.items():
                if not isinstance(key, str):
                    raise _Refused(f"the key {key!r} is not a string; quote it", path)
                total += self.size(item, (*path, key))
        else:
            for index, item in enumerate(value):
                total += self.size(item, (*path, index))
        self.open.discard(id(value))
        if total > self.limit:
            raise _Refused(
                f"aliases expand this document to more than {self.limit:,} values ({EXPANSION}x its size); "
                "write the values out or use fewer aliases",
                path,
            )
        self.sizes[id(value)] = total
        return total


class _Refused(Exception):
    def __init__(self, problem: str, path: tuple[str | int, ...]) -> None:
        self.problem = problem
        self.path = path


def check(value: Any, text: str) -> Any:
    """`value` (loaded from `text`) when it is JSON within the limits, else InputLimitError."""
    if not isinstance(value, list | dict):
        problem = _type_problem(value)
        if problem:
            raise InputLimitError(problem, 1)
        return value
    try:
        _Walk(max(MIN_NODES, EXPANSION * len(text))).size(value, ())
    except _Refused as refused:
        raise InputLimitError(refused.problem, _line(text, refused.path)) from None
    except RecursionError:
        raise InputLimitError(f"nested deeper than {MAX_DEPTH} levels", None) from None
    return value


def _line(text: str, path: tuple[str | int, ...]) -> int | None:
    """The line of `path`, following only that path through the composed nodes (walking the
    whole node graph would expand the aliases this module refuses)."""
    try:
        node = yaml.compose(text, Loader=yaml.SafeLoader)
    except (yaml.YAMLError, RecursionError):
        return None
    line = node.start_mark.line + 1 if node is not None else None
    for part in path:
        if isinstance(node, yaml.MappingNode):
            node = next((value for key, value in node.value if key.value == part), None)
        elif isinstance(node, yaml.SequenceNode) and isinstance(part, int) and part < len(node.value):
            node = node.value[part]
        else:
            node = None
        if node is None:
            break
        line = node.start_mark.line + 1
    return line


def utf8_problem(raw: bytes, rel: str) -> Problem | None:
    """A Problem naming the file and the byte offset when `raw` is not UTF-8, else None."""
    try:
        raw.decode("utf-8")
    except UnicodeDecodeError as error:
        return Problem(rel, not_utf8_message(raw, error))
    return None


def not_utf8_message(raw: bytes, error: UnicodeDecodeError) -> str:
    line = raw.count(b"\n", 0, error.start) + 1
    return (
        f"not UTF-8: byte 0x{raw[error.start]:02X} at offset {error.start} (line {line}); jobsync reads "
        "UTF-8 only. Convert the file, e.g. `iconv -f GBK -t UTF-8 FILE > FILE.utf8` for a GBK file, "
        "then replace it"
    )


def decode(raw: bytes, rel: str) -> str:
    """`raw` as text; ConfigError naming the file and the byte offset when it is not UTF-8."""
    problem = utf8_problem(raw, rel)
    if problem:
        raise ConfigError([problem])
    return raw.decode("utf-8")

"""The committed JSON Schemas (top-level schemas/), and checking a document against one."""

from __future__ import annotations

import functools
import json
from collections.abc import Callable, Iterator
from importlib import resources
from pathlib import Path
from typing import TYPE_CHECKING, Any

import fastjsonschema

from jobsync.errors import Problem
from jobsync.repo import yamlio

if TYPE_CHECKING:
    import jsonschema

VERSION = "v1"


def schema_dir() -> Path:
    """schemas/ beside the package in a checkout, or the copy a wheel carries."""
    packaged = Path(str(resources.files("jobsync"))) / "_schemas"
    if packaged.is_dir():
        return packaged
    return Path(__file__).resolve().parents[2] / "schemas"


def schema_file(name: str) -> Path:
    return schema_dir() / f"{name}.{VERSION}.json"


@functools.cache
def validator(name: str) -> jsonschema.protocols.Validator:
    """The full validator, for the problems of what fastjsonschema refused (imported only then:
    it costs every run 0.1 s)."""
    import jsonschema

    schema = json.loads(schema_file(name).read_text(encoding="utf-8"))
    cls = jsonschema.validators.validator_for(schema)
    return cls(schema)


@functools.cache
def fast_validator(name: str) -> Callable[[Any], Any]:
    """The schema compiled to Python by fastjsonschema: about 5x faster than jsonschema
    on a valid document, which is nearly every document. It only says yes or no; the
    problems themselves come from jsonschema, whose error paths give field and line."""
    return fastjsonschema.compile(json.loads(schema_file(name).read_text(encoding="utf-8")))


def _pointer(path: Iterator[Any] | Any) -> str:
    return "".join(f"[{part}]" if isinstance(part, int) else f".{part}" for part in path).lstrip(".")


def check(name: str, data: Any, file: str, text: str | None = None) -> list[Problem]:
    """Every schema problem of `data`, each with its field and (given the text) its line."""
    try:
        fast_validator(name)(data)
        return []
    except fastjsonschema.JsonSchemaException:
        pass  # collect every problem, with paths, below
    errors = sorted(validator(name).iter_errors(data), key=lambda e: list(map(str, e.absolute_path)))
    if not errors:
        return []
    lines = yamlio.line_map(text) if text is not None else {}
    problems = []
    for error in errors:
        path = tuple(error.absolute_path)
        if (
            error.validator == "not"
            and isinstance(error.validator_value, dict)
            and error.validator_value.get("required") == ["content"]
        ):
            error.message = "a script's content belongs in its content file beside the YAML (.sql, .sh, ...)"
        if error.validator == "not" and error.validator_value == {"required": ["name"]}:
            error.message = "an override cannot rename its object; remove `name` (the file name says which object)"
        problems.append(
            Problem(
                file=file,
                line=yamlio.line_of(lines, path) if lines else None,
                field=_pointer(path) or None,
                message=error.message,
            )
        )
    return problems

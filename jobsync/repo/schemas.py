"""The committed JSON Schemas (top-level schemas/), and checking a document against one."""

from __future__ import annotations

import difflib
import functools
import json
import re
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
    # "is not valid under any of the given schemas" says nothing a plainer error on the same
    # mapping does not (a backend without `type`)
    plainer = {tuple(e.absolute_path) for e in errors if e.validator != "oneOf"}
    errors = [e for e in errors if e.validator != "oneOf" or tuple(e.absolute_path) not in plainer]
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
        plain = _plain_problems(name, error, path, file, lines)
        if plain is not None:
            problems += plain
            continue
        problems.append(
            Problem(
                file=file,
                line=yamlio.line_of(lines, path) if lines else None,
                field=_pointer(path) or None,
                message=error.message,
            )
        )
    return problems


# What each schema's top-level mapping is called in a message.
DOCUMENTS = {"workspace": "workspace.yaml", "variables": "variables.yaml", "override": "the override"}
NEAR = 0.75  # difflib ratio for "did you mean": `schedul` -> `schedule`, `polices` -> `policies`
REQUIRED = re.compile(r"^'(.+)' is a required property$")


def _mapping_name(schema: str, path: tuple[Any, ...]) -> str:
    if path:
        return f"`{_pointer(path)}`"
    return DOCUMENTS.get(schema, f"a {schema}")


def _plain_problems(
    schema: str, error: jsonschema.ValidationError, path: tuple[Any, ...], file: str, lines: yamlio.Lines
) -> list[Problem] | None:
    """A missing required key or an unknown key in plain words, on the line to fix, with the
    near-miss key it probably is; None for other errors (jsonschema's message stands)."""
    instance = error.instance
    if not isinstance(instance, dict):
        return None
    if error.validator == "required":
        found = REQUIRED.match(error.message)
        if found is None:
            return None
        return [_missing_key(schema, found[1], instance, path, file, lines)]
    if error.validator == "additionalProperties" and error.validator_value is False:
        known = set((error.schema or {}).get("properties") or {}) if isinstance(error.schema, dict) else set()
        return [_unknown_key(key, known - set(instance), path, file, lines) for key in instance if key not in known]
    return None


def _line(lines: yamlio.Lines, path: tuple[Any, ...]) -> int | None:
    return yamlio.line_of(lines, path) if lines else None


def _missing_key(
    schema: str, missing: str, instance: dict[str, Any], path: tuple[Any, ...], file: str, lines: yamlio.Lines
) -> Problem:
    where = _mapping_name(schema, path)
    strays = [key for key in instance if isinstance(key, str)]
    close = difflib.get_close_matches(missing, strays, n=1, cutoff=NEAR)
    if close:
        key = (*path, close[0])
        return Problem(
            file,
            f"unknown key {close[0]!r}; did you mean {missing!r}? {where[0].upper()}{where[1:]} needs `{missing}`",
            _line(lines, key),
            _pointer(key),
        )
    message = f"{where} has no `{missing}`, which it needs: add `{missing}:`"
    return Problem(file, message, _line(lines, path), _pointer(path) or None)


def _unknown_key(key: str, unused: set[str], path: tuple[Any, ...], file: str, lines: yamlio.Lines) -> Problem:
    close = difflib.get_close_matches(str(key), sorted(unused), n=1, cutoff=NEAR)
    hint = f"did you mean {close[0]!r}?" if close else f"the keys allowed here: {', '.join(sorted(unused)) or 'none'}"
    return Problem(file, f"unknown key {key!r}; {hint}", _line(lines, (*path, key)), _pointer((*path, key)))

"""variables.yaml: a workspace's DataArts environment variables (reference §11.3).

    db_name: sales_prod                  # a variable: the value of this workspace
    archive_bucket:                      # the long form
      value: obs://prod-archive
      type: constant                     # variable (set per workspace) | constant
      desc: where the nightly job archives

Jobs and scripts keep referring to them the DataArts way (`${db_name}`,
`#{Env.get("db_name")}`), so one job file serves every environment. Values are strings, as
the service keeps them: write `"3"`, not `3`.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

import yaml

from jobsync.core.model import Kind, ObjectKey, Spec
from jobsync.errors import ConfigError, Problem
from jobsync.fileio import write_atomic
from jobsync.repo import schemas, yamlio

VARIABLES_FILE = "variables.yaml"
SCHEMA_LINE = "# yaml-language-server: $schema=../../schemas/variables.v1.json\n"
HEADER = "# The workspace's DataArts environment variables (GET/PUT factory/env), name: value.\n"


def body(name: str, entry: Any) -> dict[str, Any]:
    """The API form {name, type, value, desc} of one variables.yaml entry."""
    if isinstance(entry, Mapping):
        return {
            "name": name,
            "type": entry.get("type", "variable"),
            "value": entry["value"],
            "desc": entry.get("desc", ""),
        }
    return {"name": name, "type": "variable", "value": entry, "desc": ""}


def load_variables(folder: Path, repo_root: Path) -> dict[ObjectKey, Spec]:
    """The variables of workspaces/<ws>/variables.yaml ({} when there is none)."""
    path = folder / VARIABLES_FILE
    if not path.exists():
        return {}
    rel = path.relative_to(repo_root).as_posix()
    try:
        text = path.read_bytes().decode("utf-8")
    except UnicodeDecodeError as error:
        raise ConfigError(
            [Problem(rel, f"not UTF-8 text ({error.reason} at byte {error.start}); save it as UTF-8")]
        ) from None
    try:
        data = yamlio.load(text)
    except yaml.YAMLError as error:
        raise ConfigError([yamlio.syntax_problem(error, rel, text)]) from None
    data = {} if data is None else data
    problems = schemas.check("variables", data, rel, text)
    if problems:
        raise ConfigError(problems)
    return {
        ObjectKey(Kind.VARIABLE, str(name)): Spec(
            ObjectKey(Kind.VARIABLE, str(name)), body(str(name), entry), source=rel
        )
        for name, entry in data.items()
    }


def file_entry(variable: Mapping[str, Any]) -> Any:
    """The short form `name: value` when type and desc are the defaults, else the long form."""
    kind, desc = variable.get("type") or "variable", variable.get("desc") or ""
    value = variable.get("value")
    if kind == "variable" and not desc:
        return value
    entry: dict[str, Any] = {"value": value, "type": kind}
    if desc:
        entry["desc"] = desc
    return entry


def render_variables(variables: Sequence[Mapping[str, Any]]) -> bytes:
    data = {str(v["name"]): file_entry(v) for v in sorted(variables, key=lambda v: str(v["name"]))}
    return (SCHEMA_LINE + HEADER + (yamlio.dump(data) if data else "{}\n")).encode()


def write_variables(folder: Path, variables: Sequence[Mapping[str, Any]]) -> Path:
    path = folder / VARIABLES_FILE
    write_atomic(path, render_variables(variables))
    return path

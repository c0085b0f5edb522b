"""What the service refuses when a body is written, known before sending it.

The one copy of these checks: the local document and the emulator refuse such a write with
the DLF code the reference gives (a `RuleError` with code INVALID, or IMMUTABLE for a
script's type), and the plan blocks the change in advance (rules.py), so both backends and
the plan agree. Reference: §5.1 (job name, required nodes, schedule, processType), §5.4
(schedule types, cron), §6 (script and resource names and types), §2.3 (a script's name
and type cannot change), §1 error codes DLF.3004, 3018, 3025, 3051, 0203, 6247, 6263.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

from jobsync.core.cron import expression_problem
from jobsync.core.model import Kind

NAME_PATTERNS = {
    Kind.JOB: re.compile(r"^[A-Za-z0-9_.\-\u4e00-\u9fa5]{1,128}$"),
    Kind.SCRIPT: re.compile(r"^[A-Za-z0-9_.\-\u4e00-\u9fa5]{1,128}$"),
    Kind.RESOURCE: re.compile(r"^[A-Za-z0-9_\-\u4e00-\u9fa5]{1,32}$"),
}
NAME_RULES = {
    Kind.JOB: "letters, digits, Chinese characters, -, _ and . (1-128)",
    Kind.SCRIPT: "letters, digits, Chinese characters, -, _ and . (1-128)",
    Kind.RESOURCE: "letters, digits, Chinese characters, - and _ (1-32)",
}
PROCESS_TYPES = ("BATCH", "REAL_TIME")
SCHEDULE_TYPES = ("EXECUTE_ONCE", "CRON", "EVENT", "EVENT_TRIGGER", "RUN_ONCE", "SCHEDULE")
RESOURCE_TYPES = ("jar", "file", "archive", "pyFile")
INVALID_NAME = {Kind.JOB: "DLF.3018", Kind.SCRIPT: "DLF.0201", Kind.RESOURCE: "DLF.3051"}
BLANK_NAME = {Kind.JOB: "DLF.3004", Kind.SCRIPT: "DLF.0201", Kind.RESOURCE: "DLF.3051"}
SCRIPT_TYPE_CHANGE = "DLF.0203"

Refusal = tuple[str, str]  # (DLF code, message): what the service answers a body it refuses


def name_problems(kind: Kind, body: Mapping[str, Any]) -> list[Refusal]:
    name = body.get("name")
    if not isinstance(name, str) or not name.strip():
        return [(BLANK_NAME[kind], f"the {kind.value} name cannot be blank")]
    if not NAME_PATTERNS[kind].match(name):
        return [(INVALID_NAME[kind], f"the {kind.value} name {name!r} is invalid: use {NAME_RULES[kind]}")]
    return []


def job_problems(body: Mapping[str, Any]) -> list[Refusal]:
    problems = []
    nodes = body.get("nodes")
    if not isinstance(nodes, list):
        problems.append(("DLF.3051", "a job needs nodes (a list)"))
    process = body.get("processType", "BATCH")
    if process not in PROCESS_TYPES:
        problems.append(("DLF.3051", f"processType {process!r} is not one of {', '.join(PROCESS_TYPES)}"))
    schedule = body.get("schedule")
    if not isinstance(schedule, Mapping):
        problems.append(("DLF.3025", "a job needs a schedule (an object with a type)"))
        return problems
    if schedule.get("type") not in SCHEDULE_TYPES:
        problems.append(
            ("DLF.3025", f"schedule.type {schedule.get('type')!r} is not one of {', '.join(SCHEDULE_TYPES)}")
        )
    cron = schedule.get("cron")
    expression = cron.get("expression") if isinstance(cron, Mapping) else None
    if isinstance(expression, str):
        wrong = expression_problem(expression)
        if wrong:
            problems.append(("DLF.3025", f"schedule.cron.expression is invalid: {wrong}"))
    return problems


def write_problems(kind: Kind, body: Mapping[str, Any]) -> list[Refusal]:
    """Why the service would refuse to create or overwrite an object with `body` ([] if not)."""
    if kind in (Kind.VARIABLE, Kind.CDM_LINK, Kind.CDM_JOB):
        return []  # CDM's own checks: the schema and core/cdmrules.py
    problems = name_problems(kind, body)
    if kind is Kind.JOB:
        problems += job_problems(body)
    elif kind is Kind.SCRIPT and not body.get("type"):
        problems.append(("DLF.6247", "the script type is not specified"))
    elif kind is Kind.RESOURCE and body.get("type") not in RESOURCE_TYPES:
        problems.append(("DLF.6263", f"resource type {body.get('type')!r} is not one of {', '.join(RESOURCE_TYPES)}"))
    return problems


def change_problems(kind: Kind, before: Mapping[str, Any] | None, after: Mapping[str, Any]) -> list[Refusal]:
    """What the service refuses in overwriting `before` with `after`: a script's type is fixed."""
    if kind is Kind.SCRIPT and before is not None and before.get("type") != after.get("type"):
        return [
            (
                SCRIPT_TYPE_CHANGE,
                f"changes the script's type from {before.get('type')!r} to {after.get('type')!r}, which "
                "DataArts refuses (a script's name and type cannot change); create a script under a new "
                "name and point the jobs at it, or delete this one first",
            )
        ]
    return []

"""A job file's cron expression, checked by core/cron.py, with the line it is on."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from jobsync.core.cron import expression_problem
from jobsync.errors import Problem
from jobsync.repo import yamlio

FIELD = "schedule.cron.expression"


def job_problems(data: Mapping[str, Any], rel: str, text: str | None = None) -> list[Problem]:
    """The cron expression of a job file's mapping, checked; a problem names file, line and field."""
    schedule = data.get("schedule")
    cron = schedule.get("cron") if isinstance(schedule, Mapping) else None
    expression = cron.get("expression") if isinstance(cron, Mapping) else None
    if not isinstance(expression, str):
        return []
    problem = expression_problem(expression)
    if problem is None:
        return []
    line = yamlio.line_of(yamlio.line_map(text), ("schedule", "cron", "expression")) if text else None
    return [Problem(rel, f"invalid cron expression: {problem}", line, FIELD)]

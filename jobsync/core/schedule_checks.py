"""Checks that need to understand schedules, over every job as a plan leaves the workspace.

Each has an id (core/builtin_rules.py CHECKS) that policies.yaml can `disable:`. They look at
the jobs the plan changes and at what those touch, so an old problem elsewhere is not repeated
on every pull request:

- dependency-cycle: dependJobs that loop, through jobs only the workspace has too (error).
- shorter-period-depends-on-longer: in the traditional dependency mode a job cannot depend on one
  with a longer period (DataArts' job dependency rules) (error).
- cross-timezone-dependency: the two jobs' `expressionTimeZone` differ (warning).
- depends-on-unscheduled: a scheduled job depends on a job that is absent or not scheduled (warning).
- load-spike: more than N jobs start in the same minute of the day (warning, with the list).
- scheduled-without-nodes: a job with a CRON or EVENT schedule and no node (error).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from jobsync.core.references import depend_jobs
from jobsync.core.teamrules import Failure, Severity

FILE = "jobsync built-in"
PERIODS = ("minute", "hour", "day", "week", "month")
INTERVALS = {"minutes": 0, "hours": 1, "days": 2, "weeks": 3, "months": 4, "seasons": 4, "years": 4}
LISTED = 20  # jobs named in a load-spike message at most


@dataclass(frozen=True)
class JobState:
    """A job as apply leaves it: its body, and whether its schedule will be running."""

    body: Any
    scheduled: bool = False


def _cron(body: Any) -> dict[str, Any]:
    schedule = body.get("schedule") if isinstance(body, dict) else None
    cron = schedule.get("cron") if isinstance(schedule, dict) else None
    return cron if isinstance(cron, dict) else {}


def _schedule_type(body: Any) -> str:
    schedule = body.get("schedule") if isinstance(body, dict) else None
    return str(schedule.get("type") or "") if isinstance(schedule, dict) else ""


def _fields(body: Any) -> list[str] | None:
    expression = _cron(body).get("expression")
    if not isinstance(expression, str):
        return None
    parts = expression.split()
    return parts if len(parts) >= 6 else None


def _varies(field: str) -> bool:
    return field in ("*", "?") or any(mark in field for mark in "/,-")


def period(body: Any) -> int | None:
    """The job's period as an index of PERIODS (0 minute ... 4 month), or None without a cron."""
    interval = _cron(body).get("intervalType")
    if isinstance(interval, str) and interval in INTERVALS:
        return INTERVALS[interval]
    parts = _fields(body)
    if parts is None:
        return None
    _, minute, hour, day, _, week = parts[:6]
    if week not in ("*", "?"):
        return 3
    if day not in ("*", "?"):
        return 4
    if _varies(hour):
        return 0 if _varies(minute) else 1
    return 2


def _expand(field: str, top: int) -> list[int] | None:
    """The values of one cron field (0..top), or None for a form this does not read."""
    values: set[int] = set()
    for item in field.split(","):
        base, _, step_text = item.partition("/")
        step = int(step_text) if step_text.isdigit() and int(step_text) > 0 else 1
        if base in ("*", "?"):
            low, high = 0, top
        elif "-" in base:
            low_text, _, high_text = base.partition("-")
            if not (low_text.isdigit() and high_text.isdigit()):
                return None
            low, high = int(low_text), int(high_text)
        elif base.isdigit():
            low = int(base)
            high = top if step_text else low
        else:
            return None
        values.update(range(low, min(high, top) + 1, step))
    return sorted(values)


def start_minutes(body: Any) -> list[tuple[int, int]]:
    """The (hour, minute) pairs of the day a CRON job starts at; [] when unknown."""
    parts = _fields(body)
    if parts is None or _schedule_type(body) != "CRON":
        return []
    minutes, hours = _expand(parts[1], 59), _expand(parts[2], 23)
    if not minutes or not hours or len(minutes) * len(hours) > 24 * 60:
        return []
    return [(h, m) for h in hours for m in minutes]


def _zone(body: Any) -> str:
    zone = _cron(body).get("expressionTimeZone")
    return str(zone) if zone else "the instance time zone"


def _failure(check: str, severity: Severity, name: str, message: str, files: Mapping[str, str | None]) -> Failure:
    return Failure(
        rule=check,
        severity=severity,
        kind="job",
        name=name,
        message=message,
        rule_file=FILE,
        rule_line=0,
        file=files.get(name),
    )


def _cycles(jobs: Mapping[str, JobState], changed: set[str]) -> list[list[str]]:
    graph = {name: [d for d in depend_jobs(state.body) if d in jobs] for name, state in jobs.items()}
    found: list[list[str]] = []
    seen: set[frozenset[str]] = set()
    colour: dict[str, int] = {}
    for start in sorted(graph):
        if colour.get(start):
            continue
        stack: list[tuple[str, int]] = [(start, 0)]
        path: list[str] = []
        while stack:
            node, index = stack.pop()
            if index == 0:
                colour[node] = 1
                path.append(node)
            targets = graph[node]
            if index < len(targets):
                stack.append((node, index + 1))
                target = targets[index]
                if colour.get(target) == 1:
                    loop = path[path.index(target) :]
                    if frozenset(loop) not in seen and changed & set(loop):
                        seen.add(frozenset(loop))
                        at = loop.index(min(changed & set(loop)))  # told from a job the plan changes
                        loop = loop[at:] + loop[:at]
                        found.append([*loop, loop[0]])
                elif not colour.get(target):
                    stack.append((target, 0))
            else:
                colour[node] = 2
                path.pop()
    return found


def _dependency_checks(
    jobs: Mapping[str, JobState],
    changed: set[str],
    enabled: Callable[[str], bool],
    traditional: bool,
    files: Mapping[str, str | None],
) -> Iterable[Failure]:
    for name in sorted(jobs):
        state = jobs[name]
        for upstream in depend_jobs(state.body):
            if name not in changed and upstream not in changed:
                continue
            other = jobs.get(upstream)
            if other is None or not other.scheduled:
                if enabled("depends-on-unscheduled") and state.scheduled:
                    why = "is not in the workspace" if other is None else "is not scheduled"
                    yield _failure(
                        "depends-on-unscheduled",
                        "warning",
                        name,
                        f"is scheduled and depends on {upstream}, which {why}: its instances wait or fail",
                        files,
                    )
                if other is None:
                    continue
            mine, theirs = period(state.body), period(other.body)
            longer = mine is not None and theirs is not None and mine < theirs
            if enabled("shorter-period-depends-on-longer") and traditional and longer:
                assert mine is not None and theirs is not None
                yield _failure(
                    "shorter-period-depends-on-longer",
                    "error",
                    name,
                    f"runs every {PERIODS[mine]} and depends on {upstream}, which runs every {PERIODS[theirs]}: "
                    "in the traditional dependency mode a job cannot depend on one with a longer period",
                    files,
                )
            if enabled("cross-timezone-dependency") and _zone(state.body) != _zone(other.body):
                yield _failure(
                    "cross-timezone-dependency",
                    "warning",
                    name,
                    f"is scheduled in {_zone(state.body)} and depends on {upstream} in {_zone(other.body)}: "
                    "its instances wait for periods computed in another time zone",
                    files,
                )


def _load_spike(jobs: Mapping[str, JobState], changed: set[str], limit: int) -> Iterable[Failure]:
    starting: dict[tuple[int, int], list[str]] = defaultdict(list)
    for name, state in jobs.items():
        for moment in start_minutes(state.body):
            starting[moment].append(name)
    for (hour, minute), names in sorted(starting.items()):
        if len(names) <= limit or not changed & set(names):
            continue
        names.sort()
        shown = ", ".join(names[:LISTED]) + (f" (+{len(names) - LISTED} more)" if len(names) > LISTED else "")
        yield _failure(
            "load-spike",
            "warning",
            f"{hour:02d}:{minute:02d}",
            f"{len(names)} jobs start at {hour:02d}:{minute:02d} (more than {limit}): {shown}; "
            "spread their start times",
            {},
        )


def run(
    jobs: Mapping[str, JobState],
    *,
    changed: set[str],
    enabled: Callable[[str], bool],
    max_per_minute: int,
    files: Mapping[str, str | None],
    traditional: bool = True,
) -> list[Failure]:
    """Every failure of the enabled checks that touches a job in `changed`."""
    found: list[Failure] = []
    if enabled("dependency-cycle"):
        for loop in _cycles(jobs, changed):
            found.append(
                _failure(
                    "dependency-cycle",
                    "error",
                    loop[0],
                    f"dependJobs form a cycle: {' -> '.join(loop)}; none of these jobs ever runs",
                    files,
                )
            )
    found += _dependency_checks(jobs, changed, enabled, traditional, files)
    if enabled("load-spike"):
        found += _load_spike(jobs, changed, max_per_minute)
    if enabled("scheduled-without-nodes"):
        for name in sorted(changed & set(jobs)):
            body = jobs[name].body
            if _schedule_type(body) in ("CRON", "EVENT") and not (isinstance(body, dict) and body.get("nodes")):
                found.append(
                    _failure(
                        "scheduled-without-nodes",
                        "error",
                        name,
                        f"has a {_schedule_type(body)} schedule and no node: there is nothing to run",
                        files,
                    )
                )
    return found

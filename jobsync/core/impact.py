"""Impact of a plan: for each changed job, the jobs around it by dependJobs.

A job's `schedule.cron.dependJobs.jobs` names the jobs it waits for (its upstream); the jobs
naming it are its downstream. The graph is built from the bodies after the plan (the repo's,
and the workspace's for jobs only the workspace has), so it shows what apply leaves behind.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from jobsync.core.references import depend_jobs


@dataclass(frozen=True)
class JobImpact:
    upstream: tuple[str, ...]  # the jobs it depends on (direct)
    downstream: tuple[str, ...]  # the jobs depending on it (direct)
    affected: tuple[str, ...]  # every job downstream of it, transitively


def upstream_of(bodies: Mapping[str, Mapping[str, Any]]) -> dict[str, set[str]]:
    """job -> the jobs it names in dependJobs (only jobs that exist in `bodies`)."""
    return upstream_in({name: depend_jobs(body) for name, body in bodies.items()})


def upstream_in(depends: Mapping[str, Iterable[str]]) -> dict[str, set[str]]:
    """job -> the jobs it depends on, among `depends` (job -> the names its dependJobs lists)."""
    return {name: {n for n in named if n in depends and n != name} for name, named in depends.items()}


def job_impact(changed: Iterable[str], bodies: Mapping[str, Mapping[str, Any]]) -> dict[str, JobImpact]:
    """For each changed job: its direct upstream and downstream, and all jobs downstream."""
    return impact_in(changed, {name: depend_jobs(body) for name, body in bodies.items()})


def impact_in(changed: Iterable[str], depends: Mapping[str, Iterable[str]]) -> dict[str, JobImpact]:
    """job_impact from each job's dependJobs names (job -> the jobs it waits for)."""
    up = upstream_in(depends)
    down: dict[str, set[str]] = {}
    for job, parents in up.items():
        for parent in parents:
            down.setdefault(parent, set()).add(job)
    found = {}
    for name in sorted(set(changed)):
        seen: set[str] = set()
        todo = list(down.get(name, ()))
        while todo:
            job = todo.pop()
            if job not in seen and job != name:
                seen.add(job)
                todo.extend(down.get(job, ()))
        found[name] = JobImpact(
            upstream=tuple(sorted(up.get(name, ()))),
            downstream=tuple(sorted(down.get(name, ()))),
            affected=tuple(sorted(seen)),
        )
    return found

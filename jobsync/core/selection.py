""" "A job plus what it uses": the one closure behind `plan --job`, `export --job` and
`archive export --job`, and what the console .zip keeps with each job.

A job uses the scripts its nodes name (`scriptName`) and the resources named by
`resourceName` or whose OBS location appears as a node property value (a Spark or MR node
names its jar by location). Only objects that exist among the given bodies count.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from jobsync.core.model import Kind, ObjectKey
from jobsync.core.references import used_objects
from jobsync.errors import UnknownObjectError

Bodies = Mapping[ObjectKey, Mapping[str, Any]]


def uses(job: Mapping[str, Any], bodies: Bodies) -> set[ObjectKey]:
    """The scripts and resources among `bodies` that the job body uses."""
    scripts = [key.name for key in bodies if key.kind is Kind.SCRIPT]
    locations = {key.name: body.get("location") for key, body in bodies.items() if key.kind is Kind.RESOURCE}
    return used_objects(job, scripts, locations)


def closure(jobs: Iterable[str], bodies: Bodies, *, with_uses: bool = True, where: str) -> frozenset[ObjectKey]:
    """The named jobs and, with `with_uses`, the scripts and resources they use.

    Raises UnknownObjectError naming every job that `bodies` lacks; `where` says where they
    were looked for ("the repo", "the workspace") in that message.
    """
    chosen = {ObjectKey(Kind.JOB, name) for name in jobs}
    missing = sorted(key.name for key in chosen if key not in bodies)
    if missing:
        raise UnknownObjectError(
            f"no job named {', '.join(missing)} in {where}; `jobsync validate` lists the repo's jobs"
        )
    if with_uses:
        for key in list(chosen):
            chosen |= uses(bodies[key], bodies)
    return frozenset(chosen)


def everything(bodies: Bodies, *, with_uses: bool = True) -> frozenset[ObjectKey]:
    """No job named: every job, and with `with_uses` every script and resource too."""
    return frozenset(key for key in bodies if with_uses or key.kind is Kind.JOB)

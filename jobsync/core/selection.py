""" "A job plus what it uses": the one closure behind `plan --job`, `export --job` and
`archive export --job`, and what the console .zip keeps with each job.

A job uses the scripts its nodes name (`scriptName`) and the resources named by
`resourceName` or whose OBS location appears as a node property value (a Spark or MR node
names its jar by location). Only objects that exist among the given bodies count.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from jobsync.core.model import Kind, ObjectKey
from jobsync.core.references import RESOURCES, SCRIPTS, property_values, referenced_keys, references
from jobsync.errors import UnknownObjectError

Bodies = Mapping[ObjectKey, Mapping[str, Any]]


@dataclass(frozen=True)
class Usable:
    """What a job can use among some bodies, indexed once for any number of jobs."""

    scripts: frozenset[str]
    resources: frozenset[str]
    by_location: Mapping[str, str]  # OBS location -> resource name

    @classmethod
    def among(cls, bodies: Bodies) -> Usable:
        resources = {key.name: body for key, body in bodies.items() if key.kind is Kind.RESOURCE}
        return cls(
            scripts=frozenset(key.name for key in bodies if key.kind is Kind.SCRIPT),
            resources=frozenset(resources),
            by_location={
                b["location"]: name
                for name, b in resources.items()
                if isinstance(b.get("location"), str) and b["location"]
            },
        )


def uses(job: Mapping[str, Any], usable: Usable) -> set[ObjectKey]:
    """The scripts and resources in `usable` that the job body uses: scripts by name
    (`scriptName`); resources by name (`resourceName`) or by their OBS location appearing as a
    node property value."""
    named = references(Kind.JOB, job)
    found = {ObjectKey(Kind.SCRIPT, n) for n in named.get(SCRIPTS, ()) if n in usable.scripts}
    found |= {ObjectKey(Kind.RESOURCE, n) for n in named.get(RESOURCES, ()) if n in usable.resources}
    by_location = usable.by_location
    found |= {ObjectKey(Kind.RESOURCE, by_location[v]) for v in property_values(job) if v in by_location}
    return found


def cdm_uses(job: Mapping[str, Any], bodies: Bodies) -> set[ObjectKey]:
    """The CDM jobs a job's CDMJob nodes run, and the links those name (reference §12.4,
    §12.7), among `bodies` (keyed `<cluster>/<name>`)."""
    found = {key for key in referenced_keys(Kind.JOB, job) if key.kind is Kind.CDM_JOB and key in bodies}
    for key in list(found):
        cluster = key.name.partition("/")[0]
        body = bodies[key]
        for field in ("from-link-name", "to-link-name"):
            link = ObjectKey(Kind.CDM_LINK, f"{cluster}/{body.get(field)}")
            if link in bodies:
                found.add(link)
    return found


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
        usable = Usable.among(bodies)
        for key in list(chosen):
            chosen |= uses(bodies[key], usable) | cdm_uses(bodies[key], bodies)
    return frozenset(chosen)


def everything(bodies: Bodies, *, with_uses: bool = True) -> frozenset[ObjectKey]:
    """No job named: every job, and with `with_uses` every script, resource and CDM object too."""
    return frozenset(key for key in bodies if with_uses or key.kind is Kind.JOB)

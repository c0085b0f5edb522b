"""Checks beyond the schema: what a job's nodes and dependencies must agree on."""

from __future__ import annotations

import difflib
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from jobsync.core.model import Kind, ObjectKey, Spec
from jobsync.core.references import JOBS, OBJECT_KINDS, RESOURCES, SCRIPTS, depend_jobs, object_references
from jobsync.errors import Problem


def node_problems(spec: Spec, body: Mapping[str, Any]) -> list[Problem]:
    """Node names unique in the job, and every preNodeName one of them (`body` is spec's)."""
    problems = []
    names = [str(node.get("name")) for node in body.get("nodes") or () if isinstance(node, dict)]
    seen: set[str] = set()
    for index, name in enumerate(names):
        if name in seen:
            problems.append(
                Problem(
                    spec.source or "",
                    f"node name {name!r} is used twice; node names must be unique in a job",
                    field=f"nodes[{index}].name",
                )
            )
        seen.add(name)
    for index, node in enumerate(body.get("nodes") or ()):
        for upstream in node.get("preNodeName") or () if isinstance(node, dict) else ():
            if upstream not in seen:
                problems.append(
                    Problem(
                        spec.source or "",
                        f"preNodeName {upstream!r} is not a node of this job",
                        field=f"nodes[{index}].preNodeName",
                    )
                )
    return problems


def cycle_problems(specs: Mapping[ObjectKey, Spec], graph: Mapping[str, list[str]]) -> list[Problem]:
    """dependJobs must not loop back (A needs B needs A): DataArts could never schedule them.
    `graph`: job name -> the jobs it depends on."""
    problems: list[Problem] = []
    done: set[str] = set()
    stack: list[str] = []

    def visit(name: str) -> None:
        if name in stack:
            loop = [*stack[stack.index(name) :], name]
            spec = specs[ObjectKey(Kind.JOB, name)]
            problems.append(
                Problem(
                    spec.source or "",
                    f"dependJobs form a cycle: {' -> '.join(loop)}",
                    field="schedule.cron.dependJobs.jobs",
                )
            )
            return
        if name in done or name not in graph:
            return
        stack.append(name)
        for upstream in graph[name]:
            visit(upstream)
        stack.pop()
        done.add(name)

    for name in sorted(graph):
        visit(name)
    return problems


def semantic_problems(specs: Mapping[ObjectKey, Spec]) -> list[Problem]:
    """What the schema cannot say about the jobs, in one pass; a job the parse cache keeps
    as text is read for it and not kept decoded (core/model.py StoredBody.peek)."""
    problems: list[Problem] = []
    graph: dict[str, list[str]] = {}
    for key, spec in sorted(specs.items()):
        if key.kind is Kind.JOB:
            body = spec.peek()
            problems += node_problems(spec, body)
            graph[key.name] = depend_jobs(body)
    return problems + cycle_problems(specs, graph)


NOUNS = {SCRIPTS: "script", RESOURCES: "resource", JOBS: "job"}
CLOSEST = 0.6  # difflib ratio for "did you mean": `helo` -> `hello`


@dataclass(frozen=True)
class Unresolved:
    """A script, resource or job a job names that neither the repo nor the workspace's listing
    has. `listed` is False when no listing of the workspace could be read offline (then it
    may still exist there: a warning, and plan decides)."""

    job: str
    source: str
    category: str
    name: str
    path: tuple[str | int, ...]
    closest: tuple[str, ...]
    listed: bool

    @property
    def field(self) -> str:
        return "".join(f"[{p}]" if isinstance(p, int) else f".{p}" for p in self.path).lstrip(".")

    def message(self) -> str:
        where = "neither in the repo nor in the workspace" if self.listed else "not in the repo"
        found = reference_message(self.category, self.name, self.closest, where=where)
        return found if self.listed else f"{found} (the workspace's own list is not read offline: plan checks it)"


def reference_message(category: str, name: str, closest: tuple[str, ...] | list[str], *, where: str) -> str:
    """What validate and plan say of a script, resource or job a job names that does not exist:
    what it is, the closest names there are, and what to do."""
    what = {
        SCRIPTS: f"runs script {name!r}",
        RESOURCES: f"uses resource {name!r}",
        JOBS: f"depends on job {name!r} (schedule.cron.dependJobs)",
    }[category]
    action = (
        "fix the name, or remove it from dependJobs"
        if category == JOBS
        else f"fix the name, or add the {NOUNS[category]} ({category}/<folder>/{name}.yaml)"
    )
    if closest:
        guess = " or ".join(repr(n) for n in closest)
        return f"{what}, which is {where}; did you mean {guess}? {action[0].upper()}{action[1:]}"
    return f"{what}, which is {where}: {action}"


def closest_names(name: str, known: set[str] | frozenset[str]) -> tuple[str, ...]:
    return tuple(difflib.get_close_matches(name, sorted(known), n=2, cutoff=CLOSEST))


def unresolved_references(
    specs: Mapping[ObjectKey, Spec], listing: Mapping[Kind, frozenset[str]] | None, *, complete: bool
) -> list[Unresolved]:
    """Every script, resource and job the repo's jobs name that neither the repo (`specs`) nor
    the workspace's `listing` (kind -> names known offline) has, with the closest names either
    has. `complete`: the listing is the whole workspace (the local document), so what it lacks
    is missing (`listed=True`); otherwise the workspace may still have it."""
    names = {kind: {key.name for key in specs if key.kind is kind} for kind in OBJECT_KINDS.values()}
    found = []
    for key, spec in sorted(specs.items()):
        if key.kind is not Kind.JOB:
            continue
        for category, name, path in object_references(spec.peek()):
            kind = OBJECT_KINDS[category]
            known = names[kind] | (listing or {}).get(kind, frozenset())
            if name in known:
                continue
            others = known - {key.name} if kind is Kind.JOB else known  # a job does not depend on itself
            closest = closest_names(name, others)
            found.append(Unresolved(key.name, spec.source or "", category, name, path, closest, complete))
    return found

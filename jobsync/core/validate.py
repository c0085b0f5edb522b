"""Checks beyond the schema: what a job's nodes and dependencies must agree on."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from jobsync.core.model import Kind, ObjectKey, Spec
from jobsync.core.references import depend_jobs
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

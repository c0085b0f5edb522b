"""Checks beyond the schema: what a job's nodes and dependencies must agree on."""

from __future__ import annotations

from collections.abc import Mapping

from jobsync.core.model import Kind, ObjectKey, Spec
from jobsync.core.references import depend_jobs
from jobsync.errors import Problem


def node_problems(spec: Spec) -> list[Problem]:
    problems = []
    names = [str(node.get("name")) for node in spec.body.get("nodes") or () if isinstance(node, dict)]
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
    for index, node in enumerate(spec.body.get("nodes") or ()):
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


def cycle_problems(specs: Mapping[ObjectKey, Spec]) -> list[Problem]:
    """dependJobs must not loop back (A needs B needs A): DataArts could never schedule them."""
    graph = {key.name: depend_jobs(spec.body) for key, spec in specs.items() if key.kind is Kind.JOB}
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
    problems = []
    for key, spec in sorted(specs.items()):
        if key.kind is Kind.JOB:
            problems += node_problems(spec)
    return problems + cycle_problems(specs)

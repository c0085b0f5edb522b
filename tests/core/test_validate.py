"""core/validate.py: what the schema cannot say about jobs: unique node names, preNodeName
naming a node, dependJobs without a cycle."""

from __future__ import annotations

import pytest

from jobsync.core.model import Kind, ObjectKey, Spec
from jobsync.core.validate import semantic_problems


def job(name: str, nodes: list[dict], depends: list[str] = ()) -> Spec:
    cron = {"expression": "0 0 2 * * ?", "dependJobs": {"jobs": list(depends)}}
    body = {"name": name, "nodes": nodes, "schedule": {"type": "CRON", "cron": cron}}
    key = ObjectKey(Kind.JOB, name)
    return Spec(key, body, source=f"workspaces/dev/jobs/{name}.yaml")


A, B = {"name": "a"}, {"name": "b", "preNodeName": ["a"]}

# (case, specs, problems as "source: field: message" strings)
CASES = [
    ("good", [job("日报", [A, B], ["上游"]), job("上游", [A])], []),
    (
        "a node name twice",
        [job("j", [A, {"name": "a"}])],
        ["workspaces/dev/jobs/j.yaml: nodes[1].name: node name 'a' is used twice; node names must be unique in a job"],
    ),
    (
        "preNodeName not a node",
        [job("j", [{"name": "b", "preNodeName": ["缺失"]}])],
        ["workspaces/dev/jobs/j.yaml: nodes[0].preNodeName: preNodeName '缺失' is not a node of this job"],
    ),
    (
        "a dependJobs cycle",
        [job("x", [A], ["y"]), job("y", [A], ["x"])],
        ["workspaces/dev/jobs/x.yaml: schedule.cron.dependJobs.jobs: dependJobs form a cycle: x -> y -> x"],
    ),
    (
        "a job depending on itself",
        [job("self", [A], ["self"])],
        ["workspaces/dev/jobs/self.yaml: schedule.cron.dependJobs.jobs: dependJobs form a cycle: self -> self"],
    ),
    ("depending on a job the repo lacks", [job("j", [A], ["elsewhere"])], []),
]


@pytest.mark.parametrize(("case", "specs", "problems"), CASES, ids=[c[0] for c in CASES])
def test_semantic_problems(case, specs, problems):
    found = semantic_problems({spec.key: spec for spec in specs})
    assert [str(problem) for problem in found] == problems

"""core/writecheck.py: the bodies the service refuses at write time, with its DLF code."""

from __future__ import annotations

import pytest

from jobsync.core.model import Kind
from jobsync.core.writecheck import change_problems, write_problems

JOB = {"name": "日报_v1.2", "nodes": [], "processType": "BATCH", "schedule": {"type": "EXECUTE_ONCE"}}

# (case, kind, body, the DLF codes refused with)
CASES = [
    ("a good job", Kind.JOB, JOB, []),
    ("a blank job name", Kind.JOB, {**JOB, "name": " "}, ["DLF.3004"]),
    ("a job name with a space", Kind.JOB, {**JOB, "name": "bad name"}, ["DLF.3018"]),
    ("a job name of 129", Kind.JOB, {**JOB, "name": "j" * 129}, ["DLF.3018"]),
    ("no nodes", Kind.JOB, {k: v for k, v in JOB.items() if k != "nodes"}, ["DLF.3051"]),
    ("an unknown processType", Kind.JOB, {**JOB, "processType": "SOMETIMES"}, ["DLF.3051"]),
    ("no schedule", Kind.JOB, {k: v for k, v in JOB.items() if k != "schedule"}, ["DLF.3025"]),
    ("an unknown schedule type", Kind.JOB, {**JOB, "schedule": {"type": "HOURLY"}}, ["DLF.3025"]),
    (
        "a cron the service refuses",
        Kind.JOB,
        {**JOB, "schedule": {"type": "CRON", "cron": {"expression": "0 0 25 * * ?"}}},
        ["DLF.3025"],
    ),
    ("two problems at once", Kind.JOB, {**JOB, "name": "a/b", "processType": "X"}, ["DLF.3018", "DLF.3051"]),
    ("a good script", Kind.SCRIPT, {"name": "汇总.sql", "type": "DLISQL"}, []),
    ("a script without a type", Kind.SCRIPT, {"name": "s"}, ["DLF.6247"]),
    ("a resource name with a dot", Kind.RESOURCE, {"name": "app.jar", "type": "jar"}, ["DLF.3051"]),
    ("an unknown resource type", Kind.RESOURCE, {"name": "app", "type": "zip"}, ["DLF.6263"]),
    ("a good resource", Kind.RESOURCE, {"name": "依赖_app", "type": "pyFile"}, []),
    ("a variable is never refused here", Kind.VARIABLE, {"name": ""}, []),
]


@pytest.mark.parametrize(("case", "kind", "body", "codes"), CASES, ids=[c[0] for c in CASES])
def test_what_the_service_refuses_to_write(case, kind, body, codes):
    assert [code for code, _ in write_problems(kind, body)] == codes


@pytest.mark.parametrize(
    ("kind", "before", "after", "codes"),
    [
        (Kind.SCRIPT, {"type": "DLISQL"}, {"type": "Shell"}, ["DLF.0203"]),
        (Kind.SCRIPT, {"type": "DLISQL"}, {"type": "DLISQL", "content": "x"}, []),
        (Kind.SCRIPT, None, {"type": "Shell"}, []),
        (Kind.JOB, {"processType": "BATCH"}, {"processType": "REAL_TIME"}, []),
    ],
)
def test_a_scripts_type_cannot_change(kind, before, after, codes):
    assert [code for code, _ in change_problems(kind, before, after)] == codes

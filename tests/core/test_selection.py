"""core/selection.py: a job and what it uses (scripts by name, resources by name or OBS
location), the one closure behind --job."""

from __future__ import annotations

import pytest

from jobsync.core.model import Kind, ObjectKey
from jobsync.core.selection import closure, everything
from jobsync.errors import UnknownObjectError


def job(name: str, *properties: tuple[str, str]) -> dict:
    return {
        "name": name,
        "nodes": [{"name": "n", "type": "DLISQL", "properties": [{"name": k, "value": v} for k, v in properties]}],
    }


J = lambda name: ObjectKey(Kind.JOB, name)  # noqa: E731
S = lambda name: ObjectKey(Kind.SCRIPT, name)  # noqa: E731
R = lambda name: ObjectKey(Kind.RESOURCE, name)  # noqa: E731

BODIES = {
    J("日报"): job("日报", ("scriptName", "汇总")),
    J("spark"): job("spark", ("resourcePath", "obs://b/app.jar")),
    J("named"): job("named", ("resourceName", "lib")),
    J("lonely"): job("lonely", ("scriptName", "missing")),
    S("汇总"): {"name": "汇总", "type": "DLISQL"},
    S("unused"): {"name": "unused", "type": "Shell"},
    R("app"): {"name": "app", "location": "obs://b/app.jar"},
    R("lib"): {"name": "lib", "location": "obs://b/lib.jar"},
}

CASES = [
    (["日报"], True, {J("日报"), S("汇总")}),
    (["spark"], True, {J("spark"), R("app")}),
    (["named"], True, {J("named"), R("lib")}),
    (["lonely"], True, {J("lonely")}),
    (["日报", "spark"], True, {J("日报"), S("汇总"), J("spark"), R("app")}),
    (["日报", "spark"], False, {J("日报"), J("spark")}),
    ([], True, set()),
]


@pytest.mark.parametrize(("jobs", "with_uses", "chosen"), CASES)
def test_a_job_and_what_it_uses(jobs, with_uses, chosen):
    assert closure(jobs, BODIES, with_uses=with_uses, where="the repo") == frozenset(chosen)


def test_an_unknown_job_is_named_with_where_it_was_looked_for():
    with pytest.raises(UnknownObjectError, match="no job named ghost, 幽灵 in the workspace"):
        closure(["日报", "幽灵", "ghost"], BODIES, where="the workspace")


def test_everything_is_every_job_or_every_object():
    assert everything(BODIES) == frozenset(BODIES)
    assert everything(BODIES, with_uses=False) == frozenset(key for key in BODIES if key.kind is Kind.JOB)

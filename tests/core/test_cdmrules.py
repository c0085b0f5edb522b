"""The plan's CDM rules (core/cdmrules.py), as tables of cases on plain changes."""

from __future__ import annotations

import pytest

from jobsync.core import cdmrules
from jobsync.core.cdm import Cluster
from jobsync.core.model import Kind, ObjectKey
from jobsync.core.plan import Action, Change
from jobsync.core.snapshot import Environment

RUNNING = Environment(cdm=(Cluster("1", "cdm-开发", "200"), Cluster("2", "cdm-stopped", "900")))


def change(kind: Kind, name: str, body: dict, action: Action = Action.CREATE) -> Change:
    return Change(key=ObjectKey(kind, name), action=action, desired=body)


def cdm_node(cluster: str, job: str) -> dict:
    properties = [{"name": "clusterName", "value": cluster}, {"name": "jobName", "value": job}]
    return {"name": "daily", "nodes": [{"name": "迁移", "type": "CDMJob", "properties": properties}]}


KNOWN = {ObjectKey(Kind.CDM_LINK, "cdm-开发/mysql_link"), ObjectKey(Kind.CDM_JOB, "cdm-开发/订单")}


@pytest.mark.parametrize(
    ("the_change", "words"),
    [
        (change(Kind.CDM_LINK, "cdm-stopped/l", {"name": "l"}), ["not running", "status 900"]),
        (change(Kind.CDM_LINK, "cdm-gone/l", {"name": "l"}), ["not in the workspace's cluster list"]),
        (
            change(
                Kind.CDM_JOB, "cdm-开发/j", {"name": "j", "from-link-name": "mysql_lnk", "to-link-name": "mysql_link"}
            ),
            ["from-link-name names link 'mysql_lnk'", "did you mean 'mysql_link'"],
        ),
        (change(Kind.JOB, "daily", cdm_node("cdm-开发", "订单2")), ["runs CDM job '订单2'", "did you mean '订单'"]),
        (change(Kind.JOB, "daily", cdm_node("cdm-stopped", "订单")), ["node '迁移'", "not running"]),
    ],
)
def test_a_reference_that_does_not_resolve_gives_a_reason(the_change, words):
    reasons = cdmrules.reasons(the_change, KNOWN, RUNNING)

    assert len(reasons) == 1
    for word in words:
        assert word in reasons[0]


@pytest.mark.parametrize(
    "the_change",
    [
        change(Kind.CDM_JOB, "cdm-开发/j", {"name": "j", "from-link-name": "mysql_link", "to-link-name": "mysql_link"}),
        change(Kind.JOB, "daily", cdm_node("cdm-开发", "订单")),
        change(Kind.CDM_LINK, "cdm-stopped/l", {"name": "l"}, Action.DELETE),
    ],
)
def test_references_that_resolve_give_none(the_change):
    assert cdmrules.reasons(the_change, KNOWN, RUNNING) == []


def test_a_backend_that_cannot_list_clusters_blocks_nothing():
    assert cdmrules.reasons(change(Kind.JOB, "daily", cdm_node("x", "y")), set(), Environment()) == []


@pytest.mark.parametrize(
    ("status", "policy", "action", "expected"),
    [
        ("RUNNING", "fail", Action.UPDATE, ([1], [], False)),
        ("BOOTING", "stop-and-restart", Action.UPDATE, ([], ["stops the run, then writes it"], True)),
        ("RUNNING", "stop-and-restart", Action.DELETE, ([], ["stops the run, then deletes it"], True)),
        ("SUCCEEDED", "fail", Action.UPDATE, ([], [], False)),
        ("NEW", "stop-and-restart", Action.UPDATE, ([], [], False)),
    ],
)
def test_a_running_cdm_job_is_blocked_or_stopped_first_by_the_running_jobs_policy(status, policy, action, expected):
    reasons, warnings, stop_first = cdmrules.running_rule(status, policy, action)

    assert (len(reasons), stop_first) == (len(expected[0]), expected[2])
    assert all(any(part in w for w in warnings) for part in expected[1]) and len(warnings) == len(expected[1])
    assert all("running_jobs is fail" in r for r in reasons)

"""core/references.py: where a definition names other objects (reference §5.4, §5.5), and the
workspace.yaml mappings renaming them."""

from __future__ import annotations

import pytest

from jobsync.core.model import Kind, ObjectKey
from jobsync.core.references import depend_jobs, env_variables, invert, referenced_keys, references, rename


def node(kind: str, **properties: str) -> dict:
    return {"name": "n", "type": kind, "properties": [{"name": k, "value": v} for k, v in properties.items()]}


def job(*nodes: dict, schedule: dict | None = None) -> dict:
    return {"name": "作业", "nodes": list(nodes), "schedule": schedule or {"type": "EXECUTE_ONCE"}}


DEPENDS = {"type": "CRON", "cron": {"expression": "0 0 2 * * ?", "dependJobs": {"jobs": ["上游", "b"]}}}
DIS_EVENT = {"type": "EVENT", "event": {"eventType": "DIS", "channel": "点击"}}

# (case, kind, body, category -> names)
CASES = [
    (
        "a SQL node",
        Kind.JOB,
        job(node("DWSSQL", scriptName="汇总", connectionName="dws")),
        {"scripts": {"汇总"}, "connections": {"dws"}},
    ),
    ("a DLI SQL queue", Kind.JOB, job(node("DLISQL", queueName="队列")), {"dli_queues": {"队列"}}),
    ("a Spark node's cluster is a queue", Kind.JOB, job(node("DLISpark", clusterName="q")), {"dli_queues": {"q"}}),
    ("an MRS node's cluster is not", Kind.JOB, job(node("MRSSpark", clusterName="mrs")), {}),
    ("a DIS stream node", Kind.JOB, job(node("DISStream", streamName="s")), {"dis_streams": {"s"}}),
    ("a graph", Kind.JOB, job(node("Dummy", graphName="g")), {"ges_graphs": {"g"}}),
    ("a resource", Kind.JOB, job(node("DLISpark", resourceName="lib")), {"resources": {"lib"}}),
    ("an empty value", Kind.JOB, job(node("DWSSQL", connectionName="")), {}),
    ("dependJobs", Kind.JOB, job(schedule=DEPENDS), {"jobs": {"上游", "b"}}),
    ("a DIS event schedule", Kind.JOB, job(schedule=DIS_EVENT), {"dis_streams": {"点击"}}),
    (
        "a script",
        Kind.SCRIPT,
        {"name": "s", "connectionName": "dws", "queueName": "q"},
        {"connections": {"dws"}, "dli_queues": {"q"}},
    ),
    ("a resource names nothing", Kind.RESOURCE, {"name": "r", "location": "obs://b/x.jar"}, {}),
]


@pytest.mark.parametrize(("case", "kind", "body", "found"), CASES, ids=[c[0] for c in CASES])
def test_what_a_definition_names(case, kind, body, found):
    assert references(kind, body) == found


def test_referenced_keys_are_the_objects_among_them():
    body = job(node("DWSSQL", scriptName="汇总", connectionName="dws"), schedule=DEPENDS)
    assert referenced_keys(Kind.JOB, body) == {
        ObjectKey(Kind.SCRIPT, "汇总"),
        ObjectKey(Kind.JOB, "上游"),
        ObjectKey(Kind.JOB, "b"),
    }
    assert depend_jobs(body) == ["b", "上游"]


def test_mappings_rename_references_and_leave_the_body_alone():
    body = job(node("DWSSQL", connectionName="dws_dev", scriptName="s"))
    renamed = rename(Kind.JOB, body, {"connections": {"dws_dev": "dws_prod"}})
    assert references(Kind.JOB, renamed)["connections"] == {"dws_prod"}
    assert references(Kind.JOB, body)["connections"] == {"dws_dev"}
    assert rename(Kind.JOB, body, {"connections": {"other": "x"}}) == body


def test_invert_keeps_the_first_repo_name_of_a_many_to_one_map():
    assert invert({"connections": {"a": "prod", "b": "prod", "c": "c2"}}) == {"connections": {"prod": "a", "c2": "c"}}


@pytest.mark.parametrize(
    ("body", "names"),
    [
        ({"content": 'select #{Env.get("区域")}'}, {"区域"}),
        ({"nodes": [{"properties": [{"value": "#{Env.get('a')} and #{Env.get( \"b\" )}"}]}]}, {"a", "b"}),
        ({"content": 'Env.get("not in an EL expression")'}, set()),
        ({"content": "${plain}"}, set()),
    ],
)
def test_environment_variables_read_with_env_get(body, names):
    assert env_variables(body) == names


def test_a_cdm_node_cluster_name_is_renamed_by_mappings_cdm_clusters():
    from jobsync.core.references import CDM_CLUSTERS, references, rename

    node = {
        "name": "迁移",
        "type": "CDMJob",
        "properties": [{"name": "clusterName", "value": "etl"}, {"name": "jobName", "value": "j"}],
    }
    body = {"name": "daily", "nodes": [node]}

    renamed = rename(Kind.JOB, body, {CDM_CLUSTERS: {"etl": "cdm-prod"}})

    assert references(Kind.JOB, body)[CDM_CLUSTERS] == {"etl"}
    assert renamed["nodes"][0]["properties"][0] == {"name": "clusterName", "value": "cdm-prod"}
    assert renamed["nodes"][0]["properties"][1] == {"name": "jobName", "value": "j"}

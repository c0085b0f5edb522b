"""One canonical, type-exact form: plan, apply and export agree on what a change is."""

from __future__ import annotations

import copy

import pytest
import yaml
from support import git, job_body, remote_job

from jobsync.core.model import Kind


def seeded(scenario, *jobs):
    document = scenario.document()
    document["jobs"] += [remote_job(body) for body in jobs]
    scenario.seed(document)


def remote_definition(scenario, name):
    return scenario.entry("jobs", name)["definition"]


def plan_json(scenario):
    """{(kind, name): change} of the objects the plan changes (unchanged ones are left out)."""
    result = scenario.run("plan", "-w", "dev", "-f", "json")
    assert result.exit_code == 0, result.stderr
    return {(c["kind"], c["name"]): c for c in result.json()["changes"] if c["action"] != "noop"}


NODE = {"name": "start", "type": "Dummy", "properties": [], "maxExecutionTime": 180}


@pytest.mark.parametrize(
    ("where", "before", "after"),
    [
        ("isIgnoreWaiting", 1, True),
        ("maxExecutionTime", 180, 180.0),
        ("encrypt", False, 0),
    ],
)
def test_a_change_of_json_type_is_planned_and_applied(scenario, where, before, after):
    def body(value):
        node = {**NODE, "maxExecutionTime": value} if where == "maxExecutionTime" else dict(NODE)
        basic = {} if where == "maxExecutionTime" else {where: value}
        return job_body("etl", nodes=[node], basicConfig=basic)

    seeded(scenario, body(before))
    scenario.put(Kind.JOB, body(after))
    scenario.commit()

    assert plan_json(scenario)[("job", "etl")]["action"] == "update"
    assert scenario.run("apply", "-w", "dev", "--auto-approve").exit_code == 0
    sent = remote_definition(scenario, "etl")
    value = sent["nodes"][0]["maxExecutionTime"] if where == "maxExecutionTime" else sent["basicConfig"][where]
    assert type(value) is type(after) and value == after
    assert plan_json(scenario) == {}


def service_body():
    """A job as the service returns it: every default filled in, its own key order."""
    return job_body(
        "etl",
        directory="/a/b",
        description="",
        params=[],
        basicConfig={"owner": "x", "tags": []},
        nodes=[
            {"name": "one", "type": "Dummy", "properties": [], "preNodeName": [], "retryInterval": 120},
            {"name": "two", "type": "Dummy", "properties": [], "preNodeName": ["one"], "retryInterval": 120},
        ],
    )


def non_canonical_file(scenario):
    """The same job written by hand: defaults left out or spelt otherwise, keys reordered (node
    order counts: the reference asks for an order-preserving document)."""
    body = copy.deepcopy(service_body())
    del body["processType"]
    del body["params"]
    body["basicConfig"]["tags"] = {}
    for node in body["nodes"]:
        del node["retryInterval"]
    path = scenario.folder / "jobs" / "a" / "b" / "etl.yaml"
    path.parent.mkdir(parents=True, exist_ok=True)
    text = yaml.safe_dump({"directory": "/a/b/", **{k: v for k, v in body.items() if k != "directory"}})
    path.write_text(text)
    return path


def test_a_non_canonical_file_plans_nothing_and_export_leaves_it(scenario):
    seeded(scenario, service_body())
    path = non_canonical_file(scenario)
    scenario.commit()
    before = path.read_bytes()

    assert plan_json(scenario) == {}
    export = scenario.run("export", "-w", "dev", "--no-commit")

    assert export.exit_code == 0, export.stderr
    assert path.read_bytes() == before
    assert git(scenario.root, "status", "--porcelain") == ""


def test_a_body_without_process_type_is_sent_with_it(scenario):
    body = job_body("etl")
    del body["processType"]
    scenario.put(Kind.JOB, body)
    scenario.commit()

    assert scenario.run("apply", "-w", "dev", "--auto-approve").exit_code == 0

    assert remote_definition(scenario, "etl")["processType"] == "BATCH"


@pytest.mark.parametrize("fmt", ["text", "markdown"])
def test_a_crlf_only_change_of_script_content_is_shown(local, fmt):
    script = {"name": "load", "type": "DLISQL", "queueName": "default", "content": "select 1\nfrom t\n"}
    document = local.document()
    document["scripts"].append({"definition": script, "lockedBy": None})
    local.seed(document)
    local.put(Kind.SCRIPT, {**script, "content": "select 1\r\nfrom t\r\n"})
    local.commit()

    result = local.run("plan", "-w", "dev", "-f", fmt)

    assert result.exit_code == 0, result.stderr
    assert "-select 1" in result.stdout
    assert "+select 1␍" in result.stdout and "+from t␍" in result.stdout


def test_a_version_number_the_plan_calls_removed_is_not_sent(scenario):
    """`version: '1.0'` -> `version: 1` in a job file: the plan said version is removed,
    and apply stored `version: 1`. What the plan says is removed is not sent."""
    scenario.seed({**scenario.document(), "jobs": [remote_job(job_body("etl_任务", version="1.0"))]})
    scenario.put(Kind.JOB, job_body("etl_任务", version=1))
    scenario.commit()

    plan = scenario.run("plan", "-w", "dev")
    apply = scenario.run("apply", "-w", "dev", "--auto-approve")
    again = scenario.run("plan", "-w", "dev", "--detailed-exitcode")

    assert "- version:" in plan.stdout, plan.stdout
    assert apply.exit_code == 0, apply.stderr
    assert "version" not in scenario.entry("jobs", "etl_任务")["definition"]
    assert again.exit_code == 0, again.stdout


def test_a_node_or_property_reorder_made_in_git_is_planned_as_one_and_sent(scenario):
    """The canonical form ignored the order of nodes and of each node's properties, so a
    reorder made in git was never sent and never reported."""
    nodes = [
        {"name": "one", "type": "Dummy", "properties": [{"name": "a", "value": "1"}, {"name": "b", "value": "2"}]},
        {"name": "二", "type": "Dummy", "properties": [], "preNodeName": ["one"]},
    ]
    seeded(scenario, job_body("etl", nodes=nodes))
    reordered = [nodes[1], {**nodes[0], "properties": nodes[0]["properties"][::-1]}]
    scenario.put(Kind.JOB, job_body("etl", nodes=reordered))
    scenario.commit()

    change = plan_json(scenario)[("job", "etl")]
    text = scenario.run("plan", "-w", "dev").stdout
    apply = scenario.run("apply", "-w", "dev", "--auto-approve")

    assert change["action"] == "update"
    assert {d["path"] for d in change["diff"]} == {"nodes[order]", "nodes.one.properties[order]"}
    assert '~ nodes[order]: ["one","二"] -> ["二","one"]' in text.replace(", ", ","), text
    assert apply.exit_code == 0, apply.stderr
    sent = remote_definition(scenario, "etl")["nodes"]
    assert [n["name"] for n in sent] == ["二", "one"]
    assert [p["name"] for p in sent[1]["properties"]] == ["b", "a"]
    assert plan_json(scenario) == {}


def test_null_tags_are_not_taken_for_no_tags(scenario):
    """`basicConfig.tags: null` was forgiven as absent with no evidence; `{}` and `[]`
    (reference §5.2, H-0087) still are."""
    seeded(scenario, job_body("etl", basicConfig={"owner": "x", "tags": None}))  # a workspace's null
    scenario.put(Kind.JOB, job_body("etl", basicConfig={"owner": "x"}))
    scenario.commit()

    assert plan_json(scenario)[("job", "etl")]["diff"][0]["path"] == "basicConfig.tags"

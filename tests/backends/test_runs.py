"""Runs on both backends: run once, the instance and its nodes, stop and retry, script
execution, the schedule's next plan time and a scheduled run in progress. Outcomes are told by
the document's `runs` mapping; time is a ManualClock the test moves, never a sleep."""

from __future__ import annotations

import contextlib
import datetime as dt
import json

import pytest
from support import environment, job_body, remote_job, sql_node

from jobsync.backends import clock
from jobsync.errors import ServiceError
from jobsync.ops import plan as planning
from jobsync.ops.usecases import load_workspace

START = int(dt.datetime(2026, 12, 4, 1, 55, tzinfo=dt.timezone.utc).timestamp() * 1000)
CHINESE = "日报_销售"


@pytest.fixture
def manual_clock():
    with clock.using(clock.ManualClock(START)) as fake:
        yield fake


def nodes(*names: str) -> list[dict]:
    return [{"name": name, "type": "Dummy", "properties": []} for name in names]


@contextlib.contextmanager
def opened(scenario):
    config = load_workspace(scenario.root, "dev")
    with pytest.MonkeyPatch.context() as patch:
        for key, value in scenario.env.items():
            patch.setenv(key, value)
        with contextlib.closing(planning.open_workspace(config)) as workspace:
            yield workspace


def seed(scenario, **extra):
    document = environment(
        jobs=[
            remote_job(job_body(CHINESE, nodes=nodes("extract", "load_dw", "report"))),
            remote_job(job_body("nightly", nodes=nodes("only")), status="SCHEDULING"),
        ],
        scripts=[{"definition": {"name": "check_sql", "type": "DLISQL", "content": "select 1"}}],
        **extra,
    )
    scenario.seed(document)


def test_a_job_told_to_fail_fails_at_its_node_with_its_message(scenario, manual_clock):
    seed(scenario, runs={CHINESE: {"result": "fail", "node": "load_dw", "seconds": 3, "message": "table not found"}})
    with opened(scenario) as workspace:
        runs = workspace.runs()
        instance = runs.run_job(CHINESE, {"day": "2026-12-04"})
        first = runs.job_run(CHINESE, instance)
        assert (first.status, first.finished) == ("running", False)
        assert [node.status for node in first.nodes] == ["running", "waiting", "skip"]
        manual_clock.advance(3)
        done = runs.job_run(CHINESE, instance)
        assert (done.status, done.passed, done.duration_s) == ("fail", False, 3.0)
        assert [(n.name, n.status) for n in done.nodes] == [
            ("extract", "success"),
            ("load_dw", "fail"),
            ("report", "skip"),
        ]
        assert done.failed_node is not None and done.failed_node.message == "table not found"


def test_a_job_not_told_succeeds_after_about_a_second(scenario, manual_clock):
    seed(scenario)
    with opened(scenario) as workspace:
        runs = workspace.runs()
        instance = runs.run_job("nightly", {})
        manual_clock.advance(1)
        report = runs.job_run("nightly", instance)
        assert (report.status, report.passed, report.duration_s) == ("success", True, 1.0)
        assert report.to_dict()["failed_node"] is None


def test_stop_then_retry_runs_again_with_the_outcome_told_now(scenario, manual_clock):
    seed(scenario, runs={"nightly": {"seconds": 10}})
    with opened(scenario) as workspace:
        runs = workspace.runs()
        instance = runs.run_job("nightly", {})
        manual_clock.advance(2)
        runs.stop_job_run("nightly", instance)
        assert runs.job_run("nightly", instance).status == "manual-stop"
        runs.retry_job_run("nightly", instance)
        assert runs.job_run("nightly", instance).status == "running"
        manual_clock.advance(10)
        assert runs.job_run("nightly", instance).status == "success"


def test_a_script_executes_and_reports_its_result(scenario, manual_clock):
    seed(scenario, runs={"check_sql": {"result": "fail", "message": "syntax error near 'form'"}})
    with opened(scenario) as workspace:
        runs = workspace.runs()
        instance = runs.execute_script("check_sql", {"day": "1"})
        assert runs.script_run("check_sql", instance).status == "RUNNING"
        manual_clock.advance(1)
        report = runs.script_run("check_sql", instance)
        assert (report.status, report.passed, report.message) == ("FAILED", False, "syntax error near 'form'")


def test_next_plan_time_and_a_scheduled_run_in_progress(scenario, manual_clock):
    seed(scenario, runs={"nightly": {"seconds": 120}})
    with opened(scenario) as workspace:
        runs = workspace.runs()
        timing = runs.timing(["nightly", CHINESE])
        assert timing["nightly"].next_plan_ms == START + 5 * 60_000  # 02:00, five minutes on
        assert timing["nightly"].running_instance is None
        assert timing[CHINESE].next_plan_ms is None  # stopped: not scheduled
        manual_clock.advance(6 * 60)  # 02:01: the 02:00 run takes two minutes
        assert runs.timing(["nightly"])["nightly"].running_instance is not None


def test_the_official_sdk_runs_a_job_once_and_reads_its_instances(emulator, manual_clock):
    import huaweicloudsdkdgc.v1 as dgc  # in the test extras: a missing SDK fails, never skips
    from huaweicloudsdkcore.auth.credentials import BasicCredentials

    emulator.set_workspace(
        "default",
        environment(
            jobs=[remote_job(job_body(CHINESE, nodes=[sql_node("load_dw", "check_sql")]))],
            scripts=[{"definition": {"name": "check_sql", "type": "DLISQL", "content": "select 1"}}],
            runs={CHINESE: {"result": "fail", "node": "load_dw", "message": "table not found"}},
        ),
    )
    ak, sk = emulator.credential("analyst")
    client = (
        dgc.DgcClient.new_builder()
        .with_credentials(BasicCredentials(ak, sk, emulator.project_id))
        .with_endpoint(emulator.url)
        .build()
    )
    started = client.run_once(
        dgc.RunOnceRequest(
            workspace="default",
            job_name=CHINESE,
            body=dgc.StartJobReq(job_params=[dgc.JobParam(name="day", value="1", type="variable")]),
        )
    )
    assert isinstance(started.instance_id, int)
    manual_clock.advance(1)
    shown = client.show_job_instance(
        dgc.ShowJobInstanceRequest(workspace="default", job_name=CHINESE, instance_id=started.instance_id)
    )
    assert (shown.status, shown.total) == ("fail", 1)
    assert (shown.nodes[0].node_name, shown.nodes[0].status) == ("load_dw", "fail")
    assert shown.execute_time == 1000
    listed = client.list_job_instances(dgc.ListJobInstancesRequest(workspace="default", job_name=CHINESE))
    assert listed.total == 1
    assert (listed.instances[0].instance_id, listed.instances[0].error_message) == (
        started.instance_id,
        "table not found",
    )
    client.restore_job_instance(
        dgc.RestoreJobInstanceRequest(workspace="default", job_name=CHINESE, instance_id=started.instance_id)
    )
    client.stop_job_instance(
        dgc.StopJobInstanceRequest(workspace="default", job_name=CHINESE, instance_id=started.instance_id)
    )
    again = client.show_job_instance(
        dgc.ShowJobInstanceRequest(workspace="default", job_name=CHINESE, instance_id=started.instance_id)
    )
    assert (again.status, again.nodes[0].status) == ("manual-stop", "manual-stop")
    executed = client.execute_script(
        dgc.ExecuteScriptRequest(workspace="default", script_name="check_sql", body=dgc.ExecuteScriptReq(params={}))
    )
    manual_clock.advance(1)
    result = client.list_script_results(
        dgc.ListScriptResultsRequest(workspace="default", script_name="check_sql", instance_id=executed.instance_id)
    )
    assert result.status == "FINISHED"
    assert json.loads(result.raw_content)["results"][0]["rowCount"] == 0


def test_run_calls_pass_the_rate_limit_and_faults(emulator, manual_clock):
    emulator.set_workspace("default", environment(jobs=[remote_job(job_body("nightly"))]))
    emulator.configure(fail_rate=0.3, seed=3)
    workspace = emulator.dataarts_workspace("default")
    try:
        instance = workspace.runs().run_job("nightly", {})
    finally:
        workspace.close()
    assert emulator.request_counts["POST v1/jobs/{}/run-immediate"] >= 1
    emulator.configure(fail_rate=0.0)
    assert [item["instanceId"] for item in emulator.workspace("default")["instances"]] == [int(instance)]


def test_an_unknown_instance_is_the_documented_dlf_0137(emulator):
    emulator.set_workspace("default", environment(jobs=[remote_job(job_body("nightly"))]))
    workspace = emulator.dataarts_workspace("default")
    try:
        with pytest.raises(ServiceError) as refused:
            workspace.runs().job_run("nightly", "424242")
    finally:
        workspace.close()
    assert refused.value.code == "DLF.0137"

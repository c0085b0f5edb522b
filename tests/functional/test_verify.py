"""apply --verify on both backends: each changed job runs once after the apply; a run told to
fail at a node (the workspace document's `runs`) is reported with its node and message, and
fails the apply only with verify.on_failure: fail. The plan says what apply will run, and a
production workspace never runs anything unless its policies say so. The test's clock drives
the runs: nothing sleeps."""

from __future__ import annotations

import datetime as dt

import pytest
import yaml
from support import environment, job_body
from support.fake_github import running_fake_github

from jobsync.backends import clock
from jobsync.core.model import Kind

START = int(dt.datetime(2026, 12, 4, 1, 0, tzinfo=dt.timezone.utc).timestamp() * 1000)
FAILING = "日报_销售"
PASSING = "daily_orders"
PR = 7


@pytest.fixture(autouse=True)
def manual_clock():
    with clock.using(clock.ManualClock(START)) as fake:
        yield fake


@pytest.fixture
def fake_github():
    with running_fake_github() as fake:
        yield fake


def nodes(*names: str) -> list[dict]:
    return [{"name": name, "type": "Dummy", "properties": []} for name in names]


def settings(scenario, **sections) -> None:
    path = scenario.folder / "workspace.yaml"
    data = yaml.safe_load(path.read_text())
    data.update(sections)
    path.write_text(yaml.safe_dump(data, sort_keys=False, allow_unicode=True))


def two_changed_jobs(scenario, on_failure: str) -> None:
    scenario.seed(
        environment(runs={FAILING: {"result": "fail", "node": "load_dw", "seconds": 3, "message": "table not found"}})
    )
    settings(scenario, verify={"jobs": "changed", "on_failure": on_failure, "params": {PASSING: {"day": "2026-12-03"}}})
    scenario.put(Kind.JOB, job_body(FAILING, nodes=nodes("extract", "load_dw")))
    scenario.put(Kind.JOB, job_body(PASSING))
    scenario.commit()


def test_a_failed_run_fails_the_apply_with_on_failure_fail(scenario):
    two_changed_jobs(scenario, "fail")
    result = scenario.run("apply", "-w", "dev", "--auto-approve", "--format", "json")
    assert result.exit_code == 1, result.stderr
    runs = {run["name"]: run for run in result.json()["verify"]}
    assert runs[FAILING]["status"] == "fail"
    assert (runs[FAILING]["failed_node"], runs[FAILING]["message"]) == ("load_dw", "table not found")
    assert runs[FAILING]["duration_s"] == 3.0
    assert (runs[PASSING]["status"], runs[PASSING]["passed"]) == ("success", True)
    assert "verify: 1/2 finished, waiting for " in result.stderr  # the progress line, on stderr
    instances = {item["jobName"]: item for item in scenario.document()["instances"]}
    assert instances[PASSING]["params"] == [{"name": "day", "value": "2026-12-03", "type": "variable"}]


def test_a_failed_run_is_reported_and_the_apply_passes_with_on_failure_report(scenario):
    two_changed_jobs(scenario, "report")
    result = scenario.run("apply", "-w", "dev", "--auto-approve")
    assert result.exit_code == 0, result.stderr
    assert "Verify: 1 passed, 1 failed." in result.stdout
    assert f"job {FAILING}: fail at node load_dw in 3s" in result.stdout
    assert ": table not found" in result.stdout
    assert f"job {PASSING}: success in 1s" in result.stdout
    [passing] = [i for i in scenario.document()["instances"] if i["jobName"] == PASSING]
    assert passing["instanceId"] > 0


def test_the_plan_says_what_apply_will_run(scenario):
    two_changed_jobs(scenario, "fail")
    plan = scenario.run("plan", "-w", "dev")
    assert f"Verify: after applying, apply runs once: job {PASSING}, job {FAILING} (on failure: fail)." in plan.stdout
    document = scenario.run("plan", "-w", "dev", "--format", "json").json()
    assert document["verify"] == {"runs": [f"job {PASSING}", f"job {FAILING}"], "on_failure": "fail", "forbidden": None}
    assert "instances" not in scenario.document()  # planning ran nothing


def test_a_changed_script_is_executed(scenario):
    scenario.seed(environment(runs={"check_sql": {"result": "fail", "message": "syntax error"}}))
    scenario.put(Kind.SCRIPT, {"name": "check_sql", "type": "DLISQL", "content": "select 1", "directory": "/"})
    scenario.commit()
    result = scenario.run("apply", "-w", "dev", "--auto-approve", "--verify", "--format", "json")
    assert result.exit_code == 0, result.stderr  # on_failure defaults to report
    [run] = result.json()["verify"]
    assert (run["kind"], run["status"], run["message"]) == ("script", "FAILED", "syntax error")


def test_production_never_runs_unless_its_policies_allow_it(tmp_path, request):
    from support import Scenario

    scenario = Scenario(tmp_path, "local", configure=False)
    scenario.name = "prod"
    scenario.folder = tmp_path / "workspaces" / "prod"
    scenario.configure()
    settings(scenario, backend={"type": "local", "path": ".jobsync/state/prod.json"})
    scenario.put(Kind.JOB, job_body(PASSING))
    scenario.commit()
    refused = scenario.run("apply", "-w", "prod", "--auto-approve", "--verify")
    assert refused.exit_code == 1
    assert "apply --verify refused: workspace prod is production" in refused.stderr
    assert not (tmp_path / ".jobsync/state/prod.json").exists()  # nothing applied, nothing run
    settings(scenario, policies={"verify": True})
    allowed = scenario.run("apply", "-w", "prod", "--auto-approve", "--verify", "--format", "json")
    assert allowed.exit_code == 0, allowed.stderr
    assert [run["status"] for run in allowed.json()["verify"]] == ["success"]


def test_the_apply_comment_carries_the_verify_table(scenario, fake_github, tmp_path):
    two_changed_jobs(scenario, "fail")
    apply = scenario.run("apply", "-w", "dev", "--auto-approve", "--format", "markdown")
    assert apply.exit_code == 1
    body = tmp_path / "apply.md"
    body.write_text(apply.stdout)
    marker = "<!-- jobsync-apply:dev -->"
    posted = scenario.run(
        "github", "comment", "--pr", str(PR), "--body-file", str(body), "--marker", marker, env=fake_github.env
    )
    assert posted.exit_code == 0, posted.stderr
    [comment] = fake_github.comments[PR]
    text = comment["body"]
    assert "**Verify: 1 passed, 1 failed.**" in text
    assert "| run | object | instance | status | duration | failed node | message |" in text
    assert f"| ❌ | job `{FAILING}` |" in text and "| fail | 3s | load_dw | table not found |" in text
    assert f"| ✅ | job `{PASSING}` |" in text


def test_a_run_past_the_timeout_is_reported_and_stopped(scenario):
    scenario.seed(environment(runs={PASSING: {"seconds": 3600}}))
    settings(scenario, verify={"timeout": "30s", "on_failure": "fail"})
    scenario.put(Kind.JOB, job_body(PASSING))
    scenario.commit()
    result = scenario.run("apply", "-w", "dev", "--auto-approve", "--format", "json")
    assert result.exit_code == 1
    [run] = result.json()["verify"]
    assert run["status"] == "timeout"
    assert run["message"] == "still running after 30s (verify.timeout); stopped"
    [instance] = scenario.document()["instances"]
    assert isinstance(instance["stoppedAt"], int)  # the job that ran only for the check is not left running


def test_a_script_past_the_timeout_is_stopped_too(scenario):
    scenario.seed(environment(runs={"check_sql": {"seconds": 3600}}))
    settings(scenario, verify={"timeout": "5s"})
    scenario.put(Kind.SCRIPT, {"name": "check_sql", "type": "DLISQL", "content": "select 1", "directory": "/"})
    scenario.commit()
    result = scenario.run("apply", "-w", "dev", "--auto-approve", "--format", "json")
    assert result.exit_code == 0, result.stderr  # on_failure: report
    [run] = result.json()["verify"]
    assert (run["status"], run["message"]) == ("timeout", "still running after 5s (verify.timeout); stopped")
    [instance] = scenario.document()["scriptInstances"]
    assert isinstance(instance["stoppedAt"], int)

"""Apply that respects the schedule, on both backends: a job due to run within
quiet_before_run (its next_plan_time) or running is blocked with its next run time; outside
the deploy windows apply changes nothing and exits 1 naming the window, and the plan's header
says so. The test's clock is the workspace's time."""

from __future__ import annotations

import datetime as dt

import pytest
import yaml
from support import environment, job_body, remote_job

from jobsync.backends import clock
from jobsync.core.model import Kind

SHANGHAI = dt.timezone(dt.timedelta(hours=8))
# Thursday 2026-12-03 01:55 UTC = 09:55 in Shanghai: the nightly 02:00 UTC run is 5 minutes away.
THURSDAY = int(dt.datetime(2026, 12, 3, 1, 55, tzinfo=dt.timezone.utc).timestamp() * 1000)
SATURDAY = int(dt.datetime(2026, 12, 5, 3, 0, tzinfo=dt.timezone.utc).timestamp() * 1000)
DUE = "夜间_汇总"
CALM = "weekly_report"


def settings(scenario, **policies) -> None:
    path = scenario.folder / "workspace.yaml"
    data = yaml.safe_load(path.read_text())
    data["policies"].update(policies)
    path.write_text(yaml.safe_dump(data, sort_keys=False, allow_unicode=True))


def seeded(scenario, **policies) -> None:
    weekly = job_body(CALM)
    weekly["schedule"]["cron"]["expression"] = "0 0 4 ? * MON"
    scenario.seed(
        environment(
            jobs=[
                remote_job(job_body(DUE), status="SCHEDULING"),
                remote_job(weekly, status="SCHEDULING"),
            ]
        )
    )
    settings(scenario, running_jobs="stop-and-restart", **policies)
    scenario.put(Kind.JOB, job_body(DUE, description="changed"))
    changed = job_body(CALM, description="changed")
    changed["schedule"]["cron"]["expression"] = "0 0 4 ? * MON"
    scenario.put(Kind.JOB, changed)
    scenario.commit()


def test_a_job_due_within_the_quiet_time_is_blocked_with_its_next_run(scenario):
    seeded(scenario, quiet_before_run="10m")
    with clock.using(clock.ManualClock(THURSDAY)):
        plan = scenario.run("plan", "-w", "dev", "--format", "json").json()
        apply = scenario.run("apply", "-w", "dev", "--auto-approve", "--format", "json")
    actions = {change["name"]: change for change in plan["changes"]}
    assert actions[DUE]["action"] == "blocked"
    assert actions[DUE]["reason"].startswith("due to run at 2026-12-03 02:00 UTC, within quiet_before_run (10m)")
    assert actions[CALM]["action"] == "update"  # due on Monday: not quiet
    assert apply.exit_code == 1  # something was blocked
    assert [row["name"] for row in apply.json()["blocked"]] == [DUE]
    assert [row["name"] for row in apply.json()["applied"] if row["action"] == "update"] == [CALM]
    assert scenario.entry("jobs", DUE)["definition"].get("description") is None  # not touched


def test_a_running_job_is_blocked_until_its_run_ends(scenario):
    seeded(scenario, quiet_before_run="1m")
    document = scenario.document()
    document["runs"] = {DUE: {"seconds": 600}}
    scenario.seed(document)
    with clock.using(clock.ManualClock(THURSDAY + 10 * 60_000)):  # 02:05: the 02:00 run takes 10 minutes
        plan = scenario.run("plan", "-w", "dev", "--format", "json").json()
    reason = {change["name"]: change for change in plan["changes"]}[DUE]["reason"]
    assert reason.startswith("a run is in progress (instance ")


def test_outside_the_deploy_window_apply_changes_nothing_and_names_it(scenario):
    windows = {"time_zone": "Asia/Shanghai", "allow": ["Mon-Fri 09:00-18:00"], "deny": ["Fri 17:00-24:00"]}
    seeded(scenario, deploy_windows=windows)
    before = scenario.document()["jobs"]
    with clock.using(clock.ManualClock(SATURDAY)):
        plan = scenario.run("plan", "-w", "dev")
        apply = scenario.run("apply", "-w", "dev", "--auto-approve")
    closed = "outside the deploy window 'Mon-Fri 09:00-18:00' (now Sat 11:00 Asia/Shanghai)"
    assert plan.stdout.splitlines()[1] == f"Deploy window closed: {closed}; apply will change nothing."
    assert apply.exit_code == 1
    assert f"apply changed nothing: workspace dev is {closed}" in apply.stderr
    assert scenario.document()["jobs"] == before
    with clock.using(clock.ManualClock(THURSDAY)):  # 09:55 on a Thursday: inside
        inside = scenario.run("apply", "-w", "dev", "--auto-approve")
    assert inside.exit_code == 0, inside.stderr


def test_the_markdown_plan_header_says_the_window_is_closed(scenario):
    seeded(scenario, deploy_windows={"time_zone": "Asia/Shanghai", "deny": ["Sat 00:00-24:00"]})
    with clock.using(clock.ManualClock(SATURDAY)):
        plan = scenario.run("plan", "-w", "dev", "--format", "markdown")
    assert "> ⏰ **Deploy window closed: inside the deny window 'Sat 00:00-24:00'" in plan.stdout


@pytest.mark.parametrize("window", ["Mon-Fri 9-18", "Sun-Thu 09:00-25:00"])
def test_a_wrong_window_is_a_config_error_naming_the_field(local, window):
    settings(local, deploy_windows={"allow": [window]})
    result = local.run("plan", "-w", "dev")
    assert result.exit_code != 0
    assert "policies.deploy_windows" in result.stderr and "allow[0]" in result.stderr

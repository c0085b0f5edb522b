"""The scheduler-aware checks, one test each, over jobs as a plan leaves the workspace."""

from __future__ import annotations

from jobsync.core import builtin_rules
from jobsync.core.schedule_checks import JobState, period, run, start_minutes


def job(name, cron="0 0 2 * * ?", depends=(), zone=None, nodes=True, schedule_type="CRON"):
    schedule = {"type": schedule_type, "cron": {"expression": cron}}
    if depends:
        schedule["cron"]["dependJobs"] = {"jobs": list(depends)}
    if zone:
        schedule["cron"]["expressionTimeZone"] = zone
    body = {"name": name, "schedule": schedule, "nodes": [{"name": "n", "type": "Dummy"}] if nodes else []}
    return body


def checks(jobs, changed, *, only, limit=100, scheduled=()):
    found = run(
        {name: JobState(body, scheduled=name in scheduled) for name, body in jobs.items()},
        changed=set(changed),
        enabled=lambda check: check == only,
        max_per_minute=limit,
        files={name: f"workspaces/dev/jobs/{name}.yaml:1" for name in jobs},
    )
    assert {f.rule for f in found} <= {only}
    return found


def test_every_check_is_listed_with_an_id():
    assert set(builtin_rules.CHECKS) == {
        "dependency-cycle",
        "shorter-period-depends-on-longer",
        "cross-timezone-dependency",
        "depends-on-unscheduled",
        "load-spike",
        "scheduled-without-nodes",
    }


def test_a_cycle_through_a_workspace_only_job():
    jobs = {"装载": job("装载", depends=["控制台作业"]), "控制台作业": job("控制台作业", depends=["装载"])}

    found = checks(jobs, ["装载"], only="dependency-cycle")

    assert [(f.name, f.severity, f.message) for f in found] == [
        (
            "装载",
            "error",
            "dependJobs form a cycle: 装载 -> 控制台作业 -> 装载; none of these jobs ever runs",
        )
    ]
    assert found[0].file == "workspaces/dev/jobs/装载.yaml:1"
    assert checks(jobs, ["other"], only="dependency-cycle") == []  # not touched by the plan: not repeated


def test_a_shorter_period_depending_on_a_longer_one():
    jobs = {"hourly": job("hourly", cron="0 15 * * * ?", depends=["daily"]), "daily": job("daily")}

    found = checks(jobs, ["hourly"], only="shorter-period-depends-on-longer")

    assert [f.message for f in found] == [
        "runs every hour and depends on daily, which runs every day: in the traditional dependency mode "
        "a job cannot depend on one with a longer period"
    ]
    assert found[0].severity == "error"
    assert (period(jobs["hourly"]), period(jobs["daily"]), period(job("w", cron="0 0 2 ? * MON"))) == (1, 2, 3)
    natural = run(
        {n: JobState(b) for n, b in jobs.items()},
        changed={"hourly"},
        enabled=lambda c: c == "shorter-period-depends-on-longer",
        max_per_minute=100,
        files={},
        traditional=False,
    )
    assert natural == []


def test_a_dependency_across_time_zones():
    jobs = {"sales": job("sales", depends=["ods"], zone="GMT+8"), "ods": job("ods", zone="GMT+1")}

    found = checks(jobs, ["ods"], only="cross-timezone-dependency")

    assert [(f.name, f.severity, f.message) for f in found] == [
        (
            "sales",
            "warning",
            "is scheduled in GMT+8 and depends on ods in GMT+1: its instances wait for periods computed in another "
            "time zone",
        )
    ]


def test_a_scheduled_job_depending_on_a_stopped_or_absent_job():
    jobs = {"report": job("report", depends=["stopped", "gone"]), "stopped": job("stopped")}

    found = checks(jobs, ["report"], only="depends-on-unscheduled", scheduled={"report"})
    unscheduled = checks(jobs, ["report"], only="depends-on-unscheduled", scheduled=())

    assert [f.message.split(":")[0] for f in found] == [
        "is scheduled and depends on gone, which is not in the workspace",
        "is scheduled and depends on stopped, which is not scheduled",
    ]
    assert unscheduled == []  # nothing waits while the dependant does not run either


def test_five_hundred_jobs_at_midnight_are_a_load_spike():
    jobs = {f"作业{i:03d}": job(f"作业{i:03d}", cron="0 0 0 * * ?") for i in range(500)}
    jobs["later"] = job("later", cron="0 5 0 * * ?")

    found = checks(jobs, ["作业007"], only="load-spike", limit=100)

    assert len(found) == 1
    assert found[0].name == "00:00"
    assert found[0].message.startswith("500 jobs start at 00:00 (more than 100): 作业000, 作业001, ")
    assert found[0].message.endswith("作业019 (+480 more); spread their start times")
    assert checks(jobs, ["作业007"], only="load-spike", limit=500) == []
    assert start_minutes(job("x", cron="0 0/30 1-2 * * ?")) == [(1, 0), (1, 30), (2, 0), (2, 30)]


def test_a_scheduled_job_with_no_node():
    jobs = {"empty": job("empty", nodes=False), "once": job("once", nodes=False, schedule_type="EXECUTE_ONCE")}

    found = checks(jobs, ["empty", "once"], only="scheduled-without-nodes")

    assert [(f.name, f.severity) for f in found] == [("empty", "error")]

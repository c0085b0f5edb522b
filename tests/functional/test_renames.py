"""Renames keep a job's versions and run history: plan shows one rename, apply uses the
service's rename and updates the jobs that depend on the old name. Both backends."""

from __future__ import annotations

import json

from support import git, job_body, remote_job

from jobsync.core.model import Kind


def job_file(scenario, name: str):
    return next((scenario.folder / "jobs").rglob(f"{name}.yaml"))


def rename_in_git(scenario, old: str, new: str) -> None:
    """git mv the job file and change the name inside it, as a person renaming a job would."""
    before = job_file(scenario, old)
    after = before.with_name(f"{new}.yaml")
    git(scenario.root, "mv", str(before), str(after))
    after.write_text(after.read_text(encoding="utf-8").replace(f"name: {old}", f"name: {new}"), encoding="utf-8")


def seed_unmanaged(scenario, body) -> None:
    document = scenario.document()
    document["jobs"].append({**remote_job(body), "id": f"console-{body['name']}"})
    scenario.seed(document)


def by_name(plan_document):
    return {change["name"]: change for change in plan_document["changes"]}


def test_rename_of_a_job_others_depend_on_keeps_its_versions(scenario, tmp_path):
    scenario.put(Kind.JOB, job_body("日报"))
    scenario.put(Kind.JOB, job_body("report", depends=["日报"]))
    scenario.commit("two jobs")
    assert scenario.run("apply", "-w", "dev", "--auto-approve").exit_code == 0
    seed_unmanaged(scenario, job_body("audit", depends=["日报"]))  # made in the console
    kept = scenario.entry("jobs", "日报")
    git(scenario.root, "checkout", "-q", "-b", "rename")
    rename_in_git(scenario, "日报", "daily_report")
    scenario.put(Kind.JOB, job_body("report", depends=["daily_report"]))
    scenario.commit("rename the daily report")
    planfile = tmp_path / "plan.json"

    plan = scenario.run("plan", "-w", "dev", "--changed-since", "main", "--out", str(planfile))
    document = json.loads(planfile.read_text())
    apply = scenario.run("apply", "-w", "dev", str(planfile))

    assert plan.exit_code == 0, plan.stderr
    assert "~ job rename 日报 -> daily_report  [rename]" in plan.stdout
    assert "Plan: 0 to create, 2 to update, 1 to rename, 0 to delete" in plan.stdout
    assert document["format_version"] == "1.1" and document["summary"]["rename"] == 1
    changes = by_name(document)
    assert set(changes) == {"daily_report", "report", "audit"}
    assert (changes["daily_report"]["action"], changes["daily_report"]["renamed_from"]) == ("rename", "日报")
    assert changes["daily_report"]["diff"] == []
    assert changes["audit"]["action"] == "update" and "not in the repo" in changes["audit"]["reason"]
    assert apply.exit_code == 0, apply.stderr
    assert scenario.entry("jobs", "日报") is None
    renamed = scenario.entry("jobs", "daily_report")
    assert renamed["id"] == kept["id"]
    assert [v["version"] for v in renamed["versions"]] == [v["version"] for v in kept["versions"]] == [1]
    assert renamed["definition"]["name"] == "daily_report"
    for dependant in ("report", "audit"):
        cron = scenario.entry("jobs", dependant)["definition"]["schedule"]["cron"]
        assert cron["dependJobs"]["jobs"] == ["daily_report"]
    for args in (("--changed-since", "main"), ()):
        again = scenario.run("plan", "-w", "dev", "--format", "json", *args)
        summary = again.json()["summary"]
        changing = ("create", "update", "delete", "skip", "blocked", "start", "stop")
        assert [summary.get(action, 0) for action in changing] == [0] * 7 and "rename" not in summary, again.stdout


def test_a_rename_that_also_changes_the_body_renames_then_submits_the_new_body(scenario):
    scenario.put(Kind.JOB, job_body("etl"))
    scenario.commit("etl")
    scenario.run("apply", "-w", "dev", "--auto-approve")
    kept = scenario.entry("jobs", "etl")
    git(scenario.root, "checkout", "-q", "-b", "rename")
    rename_in_git(scenario, "etl", "etl_v2")
    path = job_file(scenario, "etl_v2")
    path.write_text(path.read_text().replace("0 0 2 * * ?", "0 30 3 * * ?"))
    scenario.commit("rename and reschedule")

    plan = scenario.run("plan", "-w", "dev", "--changed-since", "main", "--format", "json")
    apply = scenario.run("apply", "-w", "dev", "--auto-approve")  # no git range, no saved plan

    change = plan.json()["changes"][0]
    assert (change["action"], change["renamed_from"]) == ("rename", "etl")
    assert [d["path"] for d in change["diff"]] == ["schedule.cron.expression"]
    assert "then changes schedule.cron.expression" in change["reason"]
    # a plain apply has no git range: the bodies differ, so it is create + unmanaged
    assert apply.exit_code == 0
    assert scenario.entry("jobs", "etl") is not None
    assert scenario.entry("jobs", "etl_v2")["id"] != kept["id"]


def test_apply_changed_since_renames_as_the_plan_showed(scenario):
    scenario.put(Kind.JOB, job_body("etl"))
    scenario.commit("etl")
    scenario.run("apply", "-w", "dev", "--auto-approve")
    kept = scenario.entry("jobs", "etl")
    git(scenario.root, "checkout", "-q", "-b", "rename")
    rename_in_git(scenario, "etl", "etl_v2")
    path = job_file(scenario, "etl_v2")
    path.write_text(path.read_text().replace("0 0 2 * * ?", "0 30 3 * * ?"))
    scenario.commit("rename and reschedule")

    apply = scenario.run("apply", "-w", "dev", "--auto-approve", "--changed-since", "main")

    assert apply.exit_code == 0, apply.stderr
    assert scenario.entry("jobs", "etl") is None
    assert scenario.entry("jobs", "etl_v2")["id"] == kept["id"]


def test_a_saved_plan_applies_a_renamed_and_changed_job_keeping_its_versions(scenario, tmp_path):
    scenario.put(Kind.JOB, job_body("etl"))
    scenario.commit("etl")
    scenario.run("apply", "-w", "dev", "--auto-approve")
    kept = scenario.entry("jobs", "etl")
    git(scenario.root, "checkout", "-q", "-b", "rename")
    rename_in_git(scenario, "etl", "etl_v2")
    path = job_file(scenario, "etl_v2")
    path.write_text(path.read_text().replace("0 0 2 * * ?", "0 30 3 * * ?"))
    scenario.commit("rename and reschedule")
    planfile = tmp_path / "plan.json"
    scenario.run("plan", "-w", "dev", "--changed-since", "main", "--out", str(planfile))

    apply = scenario.run("apply", "-w", "dev", str(planfile))

    assert apply.exit_code == 0, apply.stderr
    renamed = scenario.entry("jobs", "etl_v2")
    assert scenario.entry("jobs", "etl") is None and renamed["id"] == kept["id"]
    assert [v["version"] for v in renamed["versions"]] == [1, 2]
    assert renamed["versions"][-1]["definition"]["schedule"]["cron"]["expression"] == "0 30 3 * * ?"
    assert renamed["versions"][0]["definition"]["name"] == "etl_v2"


def test_a_new_repo_job_equal_to_an_unmanaged_one_is_a_hint_never_a_rename(scenario):
    """A console-only job (never in git, prune false) whose body equals a new repo job
    was renamed away; now it is left alone and the create says how to declare the rename."""
    seed_unmanaged(scenario, job_body("legacy_名", description="nightly load"))
    kept = scenario.entry("jobs", "legacy_名")
    scenario.put(Kind.JOB, job_body("nightly_load", description="nightly load"))
    scenario.commit("a new job that looks like the console's")

    plan = scenario.run("plan", "-w", "dev", "--format", "json")
    apply = scenario.run("apply", "-w", "dev", "--auto-approve")

    changes = by_name(plan.json())
    assert changes["nightly_load"]["action"] == "create" and "renamed_from" not in changes["nightly_load"]
    assert "workspace job legacy_名 (not in the repo) has the same definition" in changes["nightly_load"]["warnings"][0]
    assert "declare `renamed_from: legacy_名` in this job's file" in changes["nightly_load"]["warnings"][0]
    assert changes["legacy_名"]["action"] == "unmanaged"
    assert apply.exit_code == 0, apply.stderr
    assert scenario.entry("jobs", "legacy_名")["id"] == kept["id"], "the console job is still there"
    assert scenario.entry("jobs", "nightly_load") is not None


def test_a_job_deleted_and_another_added_with_its_body_is_no_rename(scenario):
    """Deleted in one commit and re-added under another name in a later one, with no
    --changed-since, the pair was renamed. Git saw no rename: delete and create."""
    scenario.configure(prune=True)
    scenario.put(Kind.JOB, job_body("old_任务"))
    scenario.commit("one job")
    assert scenario.run("apply", "-w", "dev", "--auto-approve").exit_code == 0
    job_file(scenario, "old_任务").unlink()
    scenario.commit("delete it")
    scenario.put(Kind.JOB, job_body("new_任务"))
    scenario.commit("a new job, by chance alike")

    plan = scenario.run("plan", "-w", "dev", "--format", "json")

    changes = by_name(plan.json())
    assert (changes["old_任务"]["action"], changes["new_任务"]["action"]) == ("delete", "create")
    assert plan.json()["summary"].get("rename", 0) == 0


def test_a_case_only_rename_needs_evidence_too(scenario):
    """rt_trip -> RT_TRIP was paired by body alone; now only git's rename counts."""
    scenario.put(Kind.JOB, job_body("rt_trip"))
    scenario.commit("one job")
    assert scenario.run("apply", "-w", "dev", "--auto-approve").exit_code == 0
    kept = scenario.entry("jobs", "rt_trip")
    job_file(scenario, "rt_trip").unlink()
    scenario.commit("gone")
    scenario.put(Kind.JOB, job_body("RT_TRIP"))
    scenario.commit("back, upper case")

    unproven = scenario.run("plan", "-w", "dev", "--format", "json")
    git(scenario.root, "reset", "-q", "--hard", "HEAD~2")
    rename_in_git(scenario, "rt_trip", "RT_TRIP")
    scenario.commit("rename, as git records it")
    proven = scenario.run("plan", "-w", "dev", "--format", "json")
    apply = scenario.run("apply", "-w", "dev", "--auto-approve")

    assert by_name(unproven.json())["RT_TRIP"]["action"] == "create"
    assert (by_name(proven.json())["RT_TRIP"]["action"], by_name(proven.json())["RT_TRIP"]["renamed_from"]) == (
        "rename",
        "rt_trip",
    )
    assert apply.exit_code == 0, apply.stderr
    assert scenario.entry("jobs", "RT_TRIP")["id"] == kept["id"]


def test_a_repo_job_still_naming_the_old_name_is_blocked_with_the_file_to_fix(scenario):
    scenario.put(Kind.JOB, job_body("etl"))
    scenario.put(Kind.JOB, job_body("report", depends=["etl"]))
    scenario.commit("two jobs")
    scenario.run("apply", "-w", "dev", "--auto-approve")
    git(scenario.root, "checkout", "-q", "-b", "rename")
    rename_in_git(scenario, "etl", "etl_v2")
    scenario.commit("rename, forgetting the dependant")

    plan = scenario.run("plan", "-w", "dev", "--changed-since", "main", "--format", "json")

    report = by_name(plan.json())["report"]
    assert report["action"] == "blocked" and report["intended"] == "update"
    assert "dependJobs still names etl (renamed to etl_v2)" in report["reason"]
    assert "report.yaml" in report["reason"]
    assert plan.exit_code == 1


def test_a_move_between_directories_stays_an_update_of_directory(scenario):
    scenario.put(Kind.JOB, job_body("etl", directory="/sales"))
    scenario.commit("etl in sales")
    scenario.run("apply", "-w", "dev", "--auto-approve")
    kept = scenario.entry("jobs", "etl")
    git(scenario.root, "checkout", "-q", "-b", "move")
    before = job_file(scenario, "etl")
    target = scenario.folder / "jobs" / "finance" / "etl.yaml"
    target.parent.mkdir(parents=True)
    git(scenario.root, "mv", str(before), str(target))
    target.write_text(target.read_text().replace("/sales", "/finance"))
    scenario.commit("move etl to finance")

    plan = scenario.run("plan", "-w", "dev", "--changed-since", "main", "--format", "json")
    apply = scenario.run("apply", "-w", "dev", "--auto-approve")

    change = plan.json()["changes"][0]
    assert (change["name"], change["action"], [d["path"] for d in change["diff"]]) == ("etl", "update", ["directory"])
    assert plan.json()["format_version"] == "1.0"
    assert apply.exit_code == 0
    assert scenario.entry("jobs", "etl")["id"] == kept["id"]


def test_a_scheduling_job_is_stopped_renamed_and_started_under_stop_and_restart(scenario):
    scenario.configure(running_jobs="stop-and-restart")
    document = scenario.document()
    document["jobs"].append({**remote_job(job_body("etl"), status="SCHEDULING"), "id": "j-etl"})
    scenario.seed(document)
    scenario.put(Kind.JOB, job_body("etl"))
    scenario.commit("etl in git")
    rename_in_git(scenario, "etl", "etl_daily")
    scenario.commit("rename etl to etl_daily")  # git's rename in the file's history is the evidence

    plan = scenario.run("plan", "-w", "dev", "--format", "json")
    apply = scenario.run("apply", "-w", "dev", "--auto-approve")

    (change,) = plan.json()["changes"]
    assert (change["action"], change["restart"]) == ("rename", True)
    assert "apply stops it, renames it and starts it again" in change["warnings"][0]
    assert apply.exit_code == 0, apply.stderr
    renamed = scenario.entry("jobs", "etl_daily")
    assert (renamed["id"], renamed["status"]) == ("j-etl", "SCHEDULING")
    assert [v["version"] for v in renamed["versions"]] == [1]


def test_a_declared_renamed_from_adopts_the_console_job_and_is_never_sent(scenario):
    seed_unmanaged(scenario, job_body("legacy_名", description="nightly load"))
    kept = scenario.entry("jobs", "legacy_名")
    scenario.put(Kind.JOB, job_body("nightly_load", description="nightly load v2"))
    with job_file(scenario, "nightly_load").open("a", encoding="utf-8") as declared:
        declared.write("renamed_from: legacy_名\n")  # written by hand: jobsync never writes it
    scenario.commit("adopt the console job under a new name")

    plan = scenario.run("plan", "-w", "dev", "--format", "json")
    apply = scenario.run("apply", "-w", "dev", "--auto-approve")
    again = scenario.run("plan", "-w", "dev", "--detailed-exitcode")

    change = by_name(plan.json())["nightly_load"]
    assert (change["action"], change["renamed_from"]) == ("rename", "legacy_名")
    assert "renamed_from: legacy_名 in its file" in change["reason"]
    assert [d["path"] for d in change["diff"]] == ["description"]
    assert apply.exit_code == 0, apply.stderr
    renamed = scenario.entry("jobs", "nightly_load")
    assert renamed["id"] == kept["id"] and scenario.entry("jobs", "legacy_名") is None
    assert "renamed_from" not in renamed["definition"]
    assert again.exit_code == 0, again.stdout

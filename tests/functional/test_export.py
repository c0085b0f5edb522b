"""Export to a commit: files in the repo format, one commit, nothing when nothing changed."""

from __future__ import annotations

import json

from support import EXAMPLES, git, job_body, remote_job

from jobsync.core.model import Kind


def seeded(scenario, *jobs, scripts=(), resources=()):
    document = scenario.document()
    document["jobs"] += [remote_job(body) for body in jobs]
    document["scripts"] += [{"definition": body, "lockedBy": None} for body in scripts]
    document["resources"] += [{"definition": body, "id": f"r-{body['name']}"} for body in resources]
    scenario.seed(document)


SCRIPT = {
    "name": "load",
    "type": "DLISQL",
    "directory": "/sales",
    "queueName": "default",
    "content": "select *\nfrom sales;\n",
}


def test_export_writes_the_repo_format_and_commits(scenario):
    scenario.commit("init")
    seeded(
        scenario,
        job_body(
            "etl",
            directory="/sales/daily",
            nodes=[{"name": "run", "type": "DLISQL", "properties": [{"name": "scriptName", "value": "load"}]}],
        ),
        scripts=[SCRIPT],
    )

    result = scenario.run("export", "-w", "dev")

    assert result.exit_code == 0, result.stderr
    job_file = scenario.folder / "jobs" / "sales" / "daily" / "etl.yaml"
    sql_file = scenario.folder / "scripts" / "sales" / "load.sql"
    assert job_file.read_text().startswith("# yaml-language-server: $schema=")
    assert "scriptName: load" in job_file.read_text()
    assert sql_file.read_text() == SCRIPT["content"]
    assert "content" not in (scenario.folder / "scripts" / "sales" / "load.yaml").read_text()
    log = git(scenario.root, "log", "--format=%s%n%b", "-1")
    assert "2 added" in log and "added    job etl" in log
    assert git(scenario.root, "status", "--porcelain") == ""


def test_second_export_in_a_row_makes_no_commit(scenario):
    scenario.commit("init")
    seeded(scenario, job_body("etl"))
    scenario.run("export", "-w", "dev")
    head = git(scenario.root, "rev-parse", "HEAD")

    again = scenario.run("export", "-w", "dev")

    assert again.exit_code == 0
    assert "nothing committed" in again.stderr
    assert git(scenario.root, "rev-parse", "HEAD") == head


def test_full_export_removes_files_of_objects_that_no_longer_exist(scenario):
    scenario.commit("init")
    seeded(scenario, job_body("etl"), job_body("gone"))
    assert scenario.run("export", "-w", "dev").exit_code == 0  # the workspace had both
    document = scenario.document()
    document["jobs"] = [entry for entry in document["jobs"] if entry["definition"]["name"] != "gone"]
    scenario.seed(document)  # deleted in the console since

    result = scenario.run("export", "-w", "dev", "--format", "json")

    assert result.json()["removed"] == ["job gone"]
    assert result.json()["unapplied"] == []
    assert not (scenario.folder / "jobs" / "gone.yaml").exists()
    assert (scenario.folder / "jobs" / "etl.yaml").exists()


def test_full_export_keeps_and_reports_files_of_objects_the_workspace_never_had(scenario):
    scenario.commit("init")
    seeded(scenario, job_body("etl"))
    assert scenario.run("export", "-w", "dev").exit_code == 0
    scenario.put(Kind.JOB, job_body("新作业"))  # written after the export, never applied
    scenario.commit("a new job, not applied yet")
    head = git(scenario.root, "rev-parse", "HEAD")

    result = scenario.run("export", "-w", "dev")

    assert result.exit_code == 0, result.stderr
    assert result.stdout == ""  # the summary is on stderr; data only with --format json
    assert "not yet applied: 1 object(s) in the repo the workspace never had, kept: job 新作业" in result.stderr
    assert (scenario.folder / "jobs" / "新作业.yaml").exists()
    assert git(scenario.root, "rev-parse", "HEAD") == head


def test_export_prints_nothing_on_stdout_unless_asked_for_json(scenario):
    scenario.commit("init")
    seeded(scenario, job_body("etl"))

    quiet = scenario.run("export", "-w", "dev")
    seeded(scenario, job_body("etl2"))
    loud = scenario.run("export", "-w", "dev", "--format", "json")

    assert quiet.exit_code == 0 and quiet.stdout == ""
    assert "exported 1 object(s): 1 added, 0 changed, 0 removed" in quiet.stderr
    assert loud.json()["added"] == ["job etl2"] and loud.json()["commit"]


def test_export_commits_carry_the_trailer_even_with_a_message_of_their_own(scenario):
    scenario.commit("init")
    seeded(scenario, job_body("etl"))

    scenario.run("export", "-w", "dev", "-m", "sync from the console")

    assert git(scenario.root, "log", "-1", "--format=%B").strip() == "sync from the console\n\nJobsync-Export: dev"


def test_export_refuses_to_overwrite_uncommitted_edits(scenario):
    scenario.put(Kind.JOB, job_body("etl"))
    scenario.commit("init")
    edited = scenario.folder / "jobs" / "etl.yaml"
    edited.write_text(edited.read_text() + "description: my local edit\n")
    seeded(scenario, job_body("etl", description="from the console"))

    result = scenario.run("export", "-w", "dev")

    assert result.exit_code == 1
    assert "workspaces/dev/jobs/etl.yaml" in result.stderr
    assert "git stash" in result.stderr
    assert "my local edit" in edited.read_text()


def test_export_of_named_jobs_with_and_without_dependencies(scenario):
    scenario.commit("init")
    job = job_body(
        "etl", nodes=[{"name": "run", "type": "DLISQL", "properties": [{"name": "scriptName", "value": "load"}]}]
    )
    seeded(scenario, job, job_body("other"), scripts=[SCRIPT])

    only = scenario.run("export", "-w", "dev", "--job", "etl", "--jobs-only", "--no-commit", "--format", "json")
    both = scenario.run("export", "-w", "dev", "--job", "etl", "--no-commit", "--format", "json")

    assert only.json()["added"] == ["job etl"]
    assert both.json()["added"] == ["script load"]
    assert not (scenario.folder / "jobs" / "other.yaml").exists()


def test_export_of_the_submitted_state_reads_the_latest_version(scenario):
    scenario.commit("init")
    document = scenario.document()
    entry = remote_job(job_body("etl", description="submitted"))
    entry["definition"] = job_body("etl", description="draft")
    document["jobs"].append(entry)
    scenario.seed(document)

    scenario.run("export", "-w", "dev", "--status", "submitted")

    assert "description: submitted" in (scenario.folder / "jobs" / "etl.yaml").read_text()


def test_export_writes_repo_names_for_mapped_workspace_names(scenario):
    scenario.configure(mappings={"connections": {"dev_conn": "dws_conn"}})
    scenario.commit("init")
    seeded(
        scenario,
        job_body(
            "etl",
            nodes=[{"name": "q", "type": "DWSSQL", "properties": [{"name": "connectionName", "value": "dws_conn"}]}],
        ),
    )

    scenario.run("export", "-w", "dev")

    assert "connectionName: dev_conn" in (scenario.folder / "jobs" / "etl.yaml").read_text()
    assert scenario.run("plan", "-w", "dev").exit_code == 0
    assert "No changes" in scenario.run("plan", "-w", "dev").stdout


def test_export_then_plan_shows_no_changes_for_the_official_examples(scenario):
    scenario.commit("init")
    job = json.loads((EXAMPLES / "job-create-hivesql-batch.request.json").read_text())
    job["nodes"][0]["properties"] = [p for p in job["nodes"][0]["properties"] if p["name"] != "connectionName"]
    script = json.loads((EXAMPLES / "script-create-shell.request.json").read_text())
    script.pop("connectionName")
    resource = json.loads((EXAMPLES / "resource-create-jar.request.json").read_text())
    seeded(scenario, job, scripts=[script], resources=[resource])

    scenario.run("export", "-w", "dev")
    plan = scenario.run("plan", "-w", "dev", "--format", "json")

    assert plan.exit_code == 0, plan.stderr
    assert plan.json()["summary"]["noop"] == 3


def test_export_primes_the_parse_cache_so_the_next_plan_reads_no_yaml(local):
    local.commit("init")
    seeded(local, job_body("etl"), scripts=[SCRIPT])
    local.run("export", "-w", "dev")
    lines = (local.root / ".jobsync" / "cache" / "repo-dev.jsonl").read_text().splitlines()

    plan = local.run("plan", "-w", "dev", "--detailed-exitcode")

    assert sorted(json.loads(line.split("\t")[0]) for line in lines[1:]) == [
        "workspaces/dev/jobs/etl.yaml",
        "workspaces/dev/scripts/sales/load.yaml",
    ]
    assert plan.exit_code == 0
    assert "2 files from the cache, 0 parsed" in plan.stderr


def test_a_file_edited_after_export_is_read_again_despite_the_cache(local):
    local.commit("init")
    seeded(local, job_body("etl"))
    local.run("export", "-w", "dev")
    path = local.folder / "jobs" / "etl.yaml"
    path.write_text(path.read_text().replace("0 0 2 * * ?", "0 0 3 * * ?"))

    plan = local.run("plan", "-w", "dev")

    assert "schedule.cron.expression: 0 0 2 * * ? -> 0 0 3 * * ?" in plan.stdout


def test_export_commits_only_its_own_files_when_others_are_staged(local):
    local.commit("init")
    (local.root / "notes.txt").write_text("mine\n")
    git(local.root, "add", "notes.txt")
    seeded(local, job_body("etl"))

    local.run("export", "-w", "dev")

    committed = git(local.root, "show", "--name-only", "--format=", "HEAD").split()
    assert committed == ["workspaces/dev/jobs/etl.yaml"]
    assert git(local.root, "diff", "--cached", "--name-only").split() == ["notes.txt"]

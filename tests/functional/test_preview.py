"""Preview deployments on both backends: `preview up` of a change touching a job, its script
and a dependant creates prefixed copies in the sandbox with every reference rewritten and
schedules stopped, leaving the real objects alone; `preview down` removes exactly those, and a
second `down` does nothing; `preview list` shows them; export never writes them into git. The
plan of a preview is a golden file."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import yaml
from support import environment, job_body, remote_job, sql_node

from jobsync.backends import clock
from jobsync.core.model import Kind

GOLDEN = Path(__file__).resolve().parent.parent / "golden" / "preview"
SALES = "日报_销售"
SANDBOX_ID = "ws-sandbox"


def preview(scenario, *args: str):
    return scenario.run("preview", *args, "--repo", str(scenario.root))


def sandbox_backend(scenario) -> dict:
    if scenario.backend == "local":
        return {"type": "local", "path": ".jobsync/state/sandbox.json"}
    return {**scenario.backend_config(), "workspace_id": SANDBOX_ID}


def with_sandbox(scenario) -> None:
    folder = scenario.root / "workspaces" / "sandbox"
    folder.mkdir(parents=True)
    data = {"backend": sandbox_backend(scenario), "user": "jobsync", "policies": {"running_jobs": "stop-and-restart"}}
    (folder / "workspace.yaml").write_text(yaml.safe_dump(data, sort_keys=False))
    real = remote_job(job_body(SALES, description="the sandbox's own"), status="SCHEDULING")
    sandbox = environment(jobs=[real])
    if scenario.backend == "local":
        (scenario.root / ".jobsync" / "state").mkdir(parents=True, exist_ok=True)
        (scenario.root / ".jobsync" / "state" / "sandbox.json").write_text(json.dumps(sandbox))
    else:
        scenario.emulator.set_workspace(SANDBOX_ID, sandbox)
    settings = scenario.folder / "workspace.yaml"
    config = yaml.safe_load(settings.read_text())
    config["preview"] = {"workspace": "sandbox"}
    settings.write_text(yaml.safe_dump(config, sort_keys=False))


def sandbox_document(scenario) -> dict:
    if scenario.backend == "local":
        return json.loads((scenario.root / ".jobsync" / "state" / "sandbox.json").read_text())
    return scenario.emulator.workspace(SANDBOX_ID)


def entries(document: dict, kind: str) -> dict[str, dict]:
    return {item["definition"]["name"]: item for item in document.get(kind, [])}


def changed_repo(scenario) -> str:
    """A repo with a job, its script, a dependant and a bystander; then a change to the first three."""
    with_sandbox(scenario)
    scenario.put(Kind.SCRIPT, {"name": "load_sales", "type": "DLISQL", "content": "select 1", "directory": "/"})
    scenario.put(Kind.JOB, job_body(SALES, nodes=[sql_node("load", "load_sales")]))
    scenario.put(Kind.JOB, job_body("report", depends=[SALES]))
    scenario.put(Kind.JOB, job_body("bystander"))
    base = scenario.commit("base")
    scenario.put(Kind.SCRIPT, {"name": "load_sales", "type": "DLISQL", "content": "select 2", "directory": "/"})
    scenario.put(Kind.JOB, job_body(SALES, nodes=[sql_node("load", "load_sales")], description="changed"))
    scenario.put(Kind.JOB, job_body("report", depends=[SALES], description="changed"))
    scenario.commit("change")
    return base


def test_up_deploys_prefixed_copies_with_references_rewritten_and_down_removes_exactly_them(scenario):
    base = changed_repo(scenario)
    dev_before = scenario.document()
    up = preview(scenario, "up", "-w", "dev", "--name", "pr-123", "--changed-since", base)
    assert up.exit_code == 0, up.stderr
    sandbox = sandbox_document(scenario)
    jobs, scripts = entries(sandbox, "jobs"), entries(sandbox, "scripts")
    assert set(jobs) == {SALES, f"pr-123_{SALES}", "pr-123_report"}  # no bystander
    assert set(scripts) == {"pr-123_load_sales"}
    copy = jobs[f"pr-123_{SALES}"]["definition"]
    assert copy["nodes"][0]["properties"][0] == {"name": "scriptName", "value": "pr-123_load_sales"}
    assert jobs["pr-123_report"]["definition"]["schedule"]["cron"]["dependJobs"]["jobs"] == [f"pr-123_{SALES}"]
    assert copy["basicConfig"]["customFields"] == {"jobsync_preview": "pr-123"}  # the marker down relies on
    assert scripts["pr-123_load_sales"]["definition"]["description"] == "jobsync preview pr-123 of dev"
    assert jobs[f"pr-123_{SALES}"]["status"] == "STOPPED" and jobs["pr-123_report"]["status"] == "STOPPED"
    assert jobs[SALES]["definition"]["description"] == "the sandbox's own"  # the real one is untouched
    assert jobs[SALES]["status"] == "SCHEDULING"
    assert scenario.document()["jobs"] == dev_before["jobs"]  # the pull request's own workspace too

    listed = preview(scenario, "list", "-w", "dev")
    assert listed.stdout == f"pr-123: job pr-123_report, job pr-123_{SALES}, script pr-123_load_sales\n"

    down = preview(scenario, "down", "-w", "dev", "--name", "pr-123")
    assert down.exit_code == 0, down.stderr
    assert sorted(down.stdout.splitlines()) == sorted(
        [f"removed: job pr-123_{SALES}", "removed: job pr-123_report", "removed: script pr-123_load_sales"]
    )
    after = sandbox_document(scenario)
    assert set(entries(after, "jobs")) == {SALES} and entries(after, "scripts") == {}
    again = preview(scenario, "down", "-w", "dev", "--name", "pr-123")
    assert (again.exit_code, again.stdout) == (0, "")
    assert "nothing in" in again.stderr
    assert sandbox_document(scenario) == after


def test_preview_objects_are_never_exported_into_git(local):
    base = changed_repo(local)
    assert preview(local, "up", "-w", "dev", "--name", "pr-7", "--changed-since", base).exit_code == 0
    exported = local.run("export", "-w", "sandbox")
    assert exported.exit_code == 0, exported.stderr
    files = [path.name for path in (local.root / "workspaces" / "sandbox").rglob("*.yaml")]
    assert f"{SALES}.yaml" in files
    assert not [name for name in files if "pr-7_" in name]
    assert "leaving out 3 preview object(s)" in exported.stderr


def test_a_preview_name_a_real_object_already_carries_is_refused(local):
    base = changed_repo(local)
    local.put(Kind.JOB, job_body("pr-9_legacy"))
    local.commit()
    result = preview(local, "up", "-w", "dev", "--name", "pr-9", "--changed-since", base)
    assert result.exit_code == 1
    assert "already has objects named with its prefix 'pr-9_': job pr-9_legacy (workspaces/dev)" in result.stderr


@pytest.mark.parametrize("name", ["pr123", "PR-1", "pr_1"])
def test_a_preview_name_must_be_hyphenated_words(local, name):
    with_sandbox(local)
    result = preview(local, "up", "-w", "dev", "--name", name, "--all")
    assert result.exit_code == 2
    assert "a preview name is lower-case letters and digits" in result.stderr


def test_the_preview_plan_is_the_golden_one(local, request):
    base = changed_repo(local)
    up = preview(local, "up", "-w", "dev", "--name", "pr-123", "--changed-since", base)
    assert up.exit_code == 0, up.stderr
    plan = up.stdout.split("Apply: ")[0]
    golden = GOLDEN / "plan.txt"
    if request.config.getoption("--update-goldens"):
        golden.parent.mkdir(exist_ok=True)
        golden.write_text(plan)
    assert plan == golden.read_text(), "run `python -m pytest tests/functional/test_preview.py --update-goldens`"


def test_up_with_verify_runs_the_copies(scenario):
    base = changed_repo(scenario)
    with clock.using(clock.ManualClock(1_800_000_000_000)):
        up = preview(scenario, "up", "-w", "dev", "--name", "pr-5", "--changed-since", base, "--verify", "-f", "json")
    assert up.exit_code == 0, up.stderr
    runs = {run["name"]: run["status"] for run in up.json()["result"]["verify"]}
    assert runs == {f"pr-5_{SALES}": "success", "pr-5_report": "success", "pr-5_load_sales": "FINISHED"}
    assert "instances" not in scenario.document()  # the runs were in the sandbox, not in dev


def test_the_workflow_flag_skips_a_workspace_without_a_sandbox(local):
    result = preview(local, "up", "-w", "dev", "--name", "pr-1", "--all", "--if-configured")
    assert result.exit_code == 0
    assert "declares no preview sandbox" in result.stderr
    refused = preview(local, "down", "-w", "dev", "--name", "pr-1")
    assert refused.exit_code == 1 and "preview: {workspace:" in refused.stderr


def test_an_object_of_the_sandbox_that_no_preview_made_is_never_taken_or_removed(scenario):
    base = changed_repo(scenario)
    document = sandbox_document(scenario)
    document["jobs"].append(remote_job(job_body("pr-123_console_made")))
    if scenario.backend == "local":
        (scenario.root / ".jobsync/state/sandbox.json").write_text(json.dumps(document))
    else:
        scenario.emulator.set_workspace(SANDBOX_ID, document)
    refused = preview(scenario, "up", "-w", "dev", "--name", "pr-123", "--changed-since", base)
    assert refused.exit_code == 1
    assert "has objects named with its prefix that no preview made: job pr-123_console_made" in refused.stderr
    assert preview(scenario, "list", "-w", "dev").stdout == ""
    down = preview(scenario, "down", "-w", "dev", "--name", "pr-123")
    assert (down.exit_code, down.stdout) == (0, "")
    assert "pr-123_console_made" in entries(sandbox_document(scenario), "jobs")


def test_the_sandboxs_own_plan_never_prunes_or_lists_preview_copies(local):
    base = changed_repo(local)
    assert preview(local, "up", "-w", "dev", "--name", "pr-8", "--changed-since", base).exit_code == 0
    settings = local.root / "workspaces" / "sandbox" / "workspace.yaml"
    config = yaml.safe_load(settings.read_text())
    config["policies"]["prune"] = True
    settings.write_text(yaml.safe_dump(config, sort_keys=False))
    document = local.run("plan", "-w", "sandbox", "--format", "json", "--allow-mass-delete").json()
    assert [(c["action"], c["name"]) for c in document["changes"]] == [("delete", SALES)]  # its own, not pr-8_*

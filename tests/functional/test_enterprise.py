"""Enterprise mode against the emulator over a real socket: a merged change applies to the
development environment, becomes release packages named after the commit, a deployer
releases them through the API, production then matches and the next plan is clean."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import pytest
import yaml
from support import WORKSPACE_ID, Scenario, environment, job_body

import jobsync
from jobsync.core.model import Kind
from jobsync.errors import ServiceError

STATE = {
    "project_id": "0833a5737480d53b2f25c010dc1a7b88",
    "credentials": [
        {"ak": f"AK{user.upper()}ENT", "sk": f"sk-{user}-not-a-secret", "user": user}
        for user in ("jobsync", "dave", "admin", "olga")
    ],
    "tokens": {},
    "workspaces": {},
}
ROLES = {"jobsync": "developer", "dave": "deployer", "olga": "operator"}


@pytest.fixture
def enterprise(emulator_server, tmp_path) -> Scenario:
    """Repo with workspace `dev` on an enterprise-mode workspace of the emulator."""
    emulator_server.reset(STATE)
    emulator_server.set_workspace(WORKSPACE_ID, environment(mode="enterprise", roles=ROLES))
    scenario = Scenario(tmp_path, "emulator", emulator_server)
    config = yaml.safe_load((scenario.folder / "workspace.yaml").read_text())
    config["backend"]["instance_id"] = "instance-1"
    config["release"] = {"approvers": ["dave"], "startup_mode": "start"}
    (scenario.folder / "workspace.yaml").write_text(yaml.safe_dump(config))
    return scenario


def as_user(scenario: Scenario, user: str) -> Any:
    return scenario.emulator.dataarts_workspace(WORKSPACE_ID, user, instance_id="instance-1")


def production(scenario: Scenario) -> dict[str, Any]:
    return scenario.document().get("production") or {"jobs": []}


def prod_job(scenario: Scenario, name: str) -> dict[str, Any] | None:
    return next((j for j in production(scenario)["jobs"] if j["definition"]["name"] == name), None)


def released(scenario: Scenario, package_id: str, user: str = "dave") -> Any:
    """Wait (bounded, on the package's own state) for an asynchronous release to finish."""
    workspace = as_user(scenario, user)
    try:
        deadline = time.monotonic() + 30
        while True:
            package = workspace.releases.package(package_id)
            if package.final or time.monotonic() > deadline:
                return package
            time.sleep(0.02)
    finally:
        workspace.close()


def release_as(scenario: Scenario, user: str, package_ids: list[str], *, start: bool = True) -> None:
    workspace = as_user(scenario, user)
    try:
        workspace.releases.deploy(package_ids, start=start)
    finally:
        workspace.close()


def test_a_merged_change_becomes_one_package_a_deployer_releases_to_production(enterprise):
    enterprise.put(Kind.JOB, job_body("etl"))
    enterprise.put(Kind.JOB, job_body("report", depends=["etl"]))
    commit = enterprise.commit("Add the sales jobs (#12)")
    name = f"jobsync dev {commit[:12]} (PR #12)"

    plan = enterprise.run("plan", "-w", "dev", "--format", "json")
    text = enterprise.run("plan", "-w", "dev")
    apply = enterprise.run("apply", "-w", "dev", "--auto-approve")

    assert plan.exit_code == 0, plan.stderr
    document = plan.json()
    assert document["format_version"] == "1.1" and "(production)" in document["backend"]
    assert document["release"] == {
        "mode": "enterprise",
        "actual": "production",
        "target": "development",
        "approvers": ["dave"],
        "startup_mode": "start",
        "package_name": name,
        "tasks": 2,
        "packages": 1,
    }
    assert "dave must release it" in text.stdout and "compares the repo with the production environment" in text.stdout
    assert apply.exit_code == 0, apply.stderr
    line = next(line for line in apply.stdout.splitlines() if line.startswith("Release package"))
    assert f"{name!r}: pending release, 2 task(s); to be released by dave" in line
    package_id = line.split()[2]
    assert {j["definition"]["name"] for j in enterprise.document()["jobs"]} == {"etl", "report"}
    assert production(enterprise)["jobs"] == []  # nothing reaches production before the release

    with pytest.raises(ServiceError) as refused:
        release_as(enterprise, "jobsync", [package_id])  # a developer cannot release
    release_as(enterprise, "dave", [package_id])
    package = released(enterprise, package_id)

    assert refused.value.code == "DLF.9907" and "developer" in refused.value.message
    assert (package.state, package.released_by) == ("released", "dave")
    assert [t["item_name"] for t in package.tasks] == ["etl", "report"]
    assert prod_job(enterprise, "etl")["status"] == "SCHEDULING"  # startup_mode start
    assert prod_job(enterprise, "report")["versions"][-1]["description"].startswith(f"jobsync apply {commit[:12]}")
    again = enterprise.run("plan", "-w", "dev", "--format", "json")
    assert again.json()["summary"]["create"] == again.json()["summary"]["update"] == 0
    assert "No changes" in enterprise.run("plan", "-w", "dev").stdout
    status = enterprise.run("release", "status", "-w", "dev", "--repo", str(enterprise.root), "--format", "json")
    (listed,) = status.json()["packages"]
    assert (listed["id"], listed["name"], listed["state"]) == (package_id, name, "released")
    assert [t["state"] for t in listed["tasks"]] == ["released", "released"]


def test_over_a_hundred_tasks_make_two_packages(enterprise):
    for number in range(101):
        enterprise.put(Kind.JOB, job_body(f"job_{number:03d}"))
    commit = enterprise.commit("Add 101 jobs")

    plan = enterprise.run("plan", "-w", "dev", "--format", "json")
    apply = enterprise.run("apply", "-w", "dev", "--auto-approve", "--format", "json")

    assert (plan.json()["release"]["tasks"], plan.json()["release"]["packages"]) == (101, 2)
    assert apply.exit_code == 0, apply.stderr
    packages = apply.json()["packages"]
    assert [p["name"] for p in packages] == [f"jobsync dev {commit[:12]} 1/2", f"jobsync dev {commit[:12]} 2/2"]
    assert [len(p["tasks"]) for p in packages] == [100, 1]
    assert {p["state"] for p in packages} == {"pending release"}


def test_a_cancelled_package_returns_its_items_and_release_status_says_so(enterprise):
    enterprise.put(Kind.JOB, job_body("etl"))
    enterprise.commit("etl")
    apply = enterprise.run("apply", "-w", "dev", "--auto-approve", "--format", "json")
    (package,) = apply.json()["packages"]
    workspace = as_user(enterprise, "dave")
    try:
        workspace.releases.cancel([package["id"]])
        pending = workspace.releases.pending_items()
    finally:
        workspace.close()

    status = enterprise.run("release", "status", "-w", "dev", "--repo", str(enterprise.root))

    assert [(item["item_name"], item["package_flag"]) for item in pending] == [("etl", 0)]
    assert status.exit_code == 0
    assert f"{package['id']}  cancelled" in status.stdout and "add    job etl v1" in status.stdout


def run_cli(scenario: Scenario, *args: str) -> subprocess.Popen[str]:
    # this checkout's jobsync, whatever an editable install elsewhere points at
    env = {**os.environ, **scenario.env, "JOBSYNC_PR": "21", "PYTHONPATH": str(Path(jobsync.__file__).parent.parent)}
    return subprocess.Popen(
        [sys.executable, "-m", "jobsync", *args, "--repo", str(scenario.root)],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


def pending_package(scenario: Scenario, process: subprocess.Popen[str]) -> str:
    """The id of the package apply created, as the deployer sees it in the list."""
    workspace = as_user(scenario, "dave")
    try:
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline and process.poll() is None:
            listed = [p for p in workspace.releases.packages("jobsync dev ") if p.status == 1]
            if listed:
                return listed[0].id
            time.sleep(0.05)
    finally:
        workspace.close()
    raise AssertionError(f"no package appeared; apply said: {process.communicate()}")


def test_apply_wait_reports_the_release_outcome(enterprise):
    enterprise.put(Kind.JOB, job_body("etl"))
    enterprise.commit("etl")
    process = run_cli(enterprise, "apply", "-w", "dev", "--auto-approve", "--wait", "--wait-timeout", "60")

    package_id = pending_package(enterprise, process)
    release_as(enterprise, "dave", [package_id], start=False)
    out, err = process.communicate(timeout=60)

    assert process.returncode == 0, err
    assert f"release package {package_id} 'jobsync dev" in err and "(PR #21)': released" in err
    assert f"Release package {package_id}" in out and ": released, 1 task(s)" in out
    assert prod_job(enterprise, "etl")["status"] == "STOPPED"  # startup_mode 0 keeps jobs stopped


def test_apply_wait_fails_when_the_release_fails(enterprise):
    node = {"name": "sql", "type": "DWSSQL", "properties": [{"name": "connectionName", "value": "dws_conn"}]}
    enterprise.put(Kind.JOB, job_body("load", nodes=[node]))
    enterprise.commit("load")
    process = run_cli(enterprise, "apply", "-w", "dev", "--auto-approve", "--wait", "--wait-timeout", "60")

    package_id = pending_package(enterprise, process)
    document = enterprise.document()
    document["production"]["connections"] = []  # removed from production after the plan
    enterprise.seed(document)
    release_as(enterprise, "admin", [package_id])  # admins release too
    out, err = process.communicate(timeout=60)

    assert process.returncode == 1
    assert ": failed" in err and ": failed, 1 task(s)" in out
    assert prod_job(enterprise, "load") is None


def test_production_refuses_writes_and_operators_cannot_write_development(enterprise):
    enterprise.put(Kind.JOB, job_body("etl"))
    enterprise.commit("etl")
    enterprise.run("apply", "-w", "dev", "--auto-approve")
    workspace = as_user(enterprise, "jobsync")
    prod = workspace.production()
    operator = as_user(enterprise, "olga")
    try:
        refused = prod.delete(Kind.JOB, ["etl"], user="jobsync")
        denied = operator.delete(Kind.JOB, ["etl"], user="olga")
    finally:
        for opened in (workspace, prod, operator):
            opened.close()

    assert "read-only" in refused["etl"].message
    assert "operator" in denied["etl"].message
    assert enterprise.entry("jobs", "etl") is not None  # neither refusal deleted it


def test_release_settings_must_match_the_workspace_mode(enterprise):
    enterprise.emulator.set_workspace(WORKSPACE_ID, environment())  # simple mode
    enterprise.put(Kind.JOB, job_body("etl"))
    enterprise.commit("etl")

    plan = enterprise.run("plan", "-w", "dev")

    assert plan.exit_code == 1
    assert "`release:` is set but" in plan.stderr and "simple mode" in plan.stderr


def test_an_enterprise_workspace_without_release_settings_says_what_to_add(enterprise):
    config = yaml.safe_load((enterprise.folder / "workspace.yaml").read_text())
    del config["release"]
    (enterprise.folder / "workspace.yaml").write_text(yaml.safe_dump(config))
    enterprise.commit("no release settings")

    plan = enterprise.run("plan", "-w", "dev")

    assert plan.exit_code == 1
    assert "is in enterprise mode: add `release: {approvers: [<deployer>]}`" in plan.stderr


def test_the_markdown_result_the_workflow_posts_lists_the_packages(enterprise):
    enterprise.put(Kind.JOB, job_body("etl"))
    commit = enterprise.commit("Merge pull request #5 from team/etl")

    apply = enterprise.run("apply", "-w", "dev", "--auto-approve", "--format", "markdown")

    assert apply.exit_code == 0, apply.stderr
    assert "> 📦 Enterprise mode: this plan compares the repo with the production environment." in apply.stdout
    assert "\n- Release package " in apply.stdout
    assert f"'jobsync dev {commit[:12]} (PR #5)': pending release, 1 task(s); to be released by dave" in apply.stdout


def test_the_programmatic_api_bundles_packages_too(enterprise, monkeypatch):
    for key, value in enterprise.env.items():
        monkeypatch.setenv(key, value)
    enterprise.put(Kind.JOB, job_body("etl"))
    enterprise.commit("etl")
    config = jobsync.load_workspace(enterprise.root, "dev")

    plan = jobsync.make_plan(config)
    result = jobsync.apply_plan(config, plan)

    assert plan.release is not None and plan.release["tasks"] == 1
    assert result.ok and [p["state"] for p in result.packages] == ["pending release"]
    assert [t["name"] for t in result.packages[0]["tasks"]] == ["etl"]

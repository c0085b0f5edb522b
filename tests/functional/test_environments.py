"""Environments: one definition in dev, prod deploying it at a git ref with its own
mappings, variables, overrides and scheduling; promote, diff, and export into the right layer.
Every test runs on the local workspace and on the emulator over a socket."""

from __future__ import annotations

import json

import yaml
from support.environments import load_job

from jobsync.core.model import Kind

PROD_YAML = """\
# Production deploys dev's definitions at a release tag.
backend: {backend}
user: jobsync
source:             # one definition, many workspaces
  workspace: dev
  ref: v1           # the release prod runs
mappings:
  connections: {{dws_conn: dws_prod}}
"""
OVERRIDE = "schedule:\n  cron:\n    expression: 0 0 5 * * ?\n"


def set_up_dev_and_prod(envs):
    envs.configure("dev")
    envs.write("workspaces/dev/variables.yaml", "db_name: sales_dev\n")
    envs.put("dev", Kind.JOB, load_job())
    envs.configure("prod")  # sets the emulator credentials; prod's real file follows
    envs.write("workspaces/prod/workspace.yaml", PROD_YAML.format(backend=json.dumps(envs.backend_config("prod"))))
    envs.write("workspaces/prod/variables.yaml", "db_name: sales_prod\n")
    envs.write("workspaces/prod/overrides/jobs/daily_sales.yaml", OVERRIDE)
    return envs.commit("release 1", tag="v1")


def test_promote_moves_prod_to_a_new_tag_and_back(environments):
    envs = environments
    set_up_dev_and_prod(envs)
    assert envs.run("apply", "-w", "prod", "--auto-approve").exit_code == 0
    first = envs.job("prod", "daily_sales")["definition"]
    load = first["nodes"][0]["properties"]
    assert {"name": "connectionName", "value": "dws_prod"} in load  # prod's mapping
    assert first["schedule"]["cron"]["expression"] == "0 0 5 * * ?"  # prod's override
    assert envs.document("prod")["variables"] == [
        {"name": "db_name", "type": "variable", "value": "sales_prod", "desc": ""}
    ]

    # dev changes the job; merged and tagged v2
    envs.put("dev", Kind.JOB, load_job(statement='insert into #{Env.get("db_name")}.sales select 2'))
    envs.commit("dev: a new statement", tag="v2")
    unchanged = envs.run("plan", "-w", "prod")
    assert unchanged.exit_code == 0, unchanged.stderr
    assert "source dev @ v1 (" in unchanged.stdout and "No changes." in unchanged.stdout

    promoted = envs.run("promote", "-w", "prod", "--ref", "v2")
    assert promoted.exit_code == 0, promoted.stderr
    assert "source dev @ v2 (" in promoted.stdout
    assert "Plan: 0 to create, 1 to update, 0 to delete, 0 skipped, 0 blocked." in promoted.stdout
    assert "~ nodes.load.properties.statement: " in promoted.stdout and "select 1 -> " in promoted.stdout
    assert promoted.stdout.count("    ~ ") == 1  # exactly that change: mapping and override still applied
    text = (envs.folder("prod") / "workspace.yaml").read_text()
    assert "  ref: v2           # the release prod runs\n" in text and text.startswith("# Production deploys")

    assert envs.run("apply", "-w", "prod", "--auto-approve").exit_code == 0
    second = envs.job("prod", "daily_sales")["definition"]
    assert second["nodes"][0]["properties"][1]["value"].endswith("select 2")
    assert second["schedule"]["cron"]["expression"] == "0 0 5 * * ?"
    assert "No changes." in envs.run("plan", "-w", "prod").stdout

    assert envs.run("promote", "-w", "prod", "--ref", "v1").exit_code == 0  # roll back
    assert envs.run("apply", "-w", "prod", "--auto-approve").exit_code == 0
    assert envs.job("prod", "daily_sales")["definition"] == first
    assert "No changes." in envs.run("plan", "-w", "prod").stdout


def test_variables_round_trip_and_put_keeps_unmanaged_ones(environments):
    envs = environments
    envs.configure("dev")
    document = envs.document("dev")
    document["variables"] = [{"name": "team_owned", "type": "variable", "value": "kept", "desc": "not in git"}]
    envs.seed("dev", document)
    envs.write(
        "workspaces/dev/variables.yaml",
        "db_name: sales_dev\narchive:\n  value: obs://archive\n  type: constant\n  desc: where it goes\n",
    )
    envs.commit()

    plan = envs.run("plan", "-w", "dev")
    assert "+ variable archive  [create]" in plan.stdout and "+ variable db_name  [create]" in plan.stdout
    assert envs.run("apply", "-w", "dev", "--auto-approve").exit_code == 0
    by_name = {v["name"]: v for v in envs.document("dev")["variables"]}
    assert by_name == {
        "team_owned": {"name": "team_owned", "type": "variable", "value": "kept", "desc": "not in git"},
        "db_name": {"name": "db_name", "type": "variable", "value": "sales_dev", "desc": ""},
        "archive": {"name": "archive", "type": "constant", "value": "obs://archive", "desc": "where it goes"},
    }, "the PUT sent the complete set: the unmanaged variable survived"
    again = envs.run("plan", "-w", "dev")
    assert "No changes." in again.stdout and "1 object(s) in the workspace are not in the repo" in again.stdout

    def console_edit(document):
        for variable in document["variables"]:
            if variable["name"] == "db_name":
                variable["value"] = "sales_dev2"

    envs.edit("dev", console_edit)
    exported = envs.run("export", "-w", "dev", "--no-commit", "--format", "json")
    assert exported.exit_code == 0, exported.stderr
    assert "variable db_name" in json.loads(exported.stdout)["changed"]
    data = yaml.safe_load((envs.folder("dev") / "variables.yaml").read_text())
    assert data["db_name"] == "sales_dev2" and data["team_owned"] == {
        "value": "kept",
        "type": "variable",
        "desc": "not in git",
    }
    assert "No changes." in envs.run("plan", "-w", "dev").stdout


def test_a_console_edit_in_prod_exports_as_an_override_patch(environments):
    envs = environments
    set_up_dev_and_prod(envs)
    assert envs.run("apply", "-w", "prod", "--auto-approve").exit_code == 0
    dev_files = {p: p.read_bytes() for p in envs.folder("dev").rglob("*") if p.is_file()}

    def console_edit(document):
        job = next(e for e in document["jobs"] if e["definition"]["name"] == "daily_sales")
        job["definition"]["nodes"][0]["retryTimes"] = 3
        job["definition"]["basicConfig"] = {"owner": "ops_team"}

    envs.edit("prod", console_edit)
    exported = envs.run("export", "-w", "prod", "--no-commit", "--format", "json")
    assert exported.exit_code == 0, exported.stderr
    assert json.loads(exported.stdout)["changed"] == ["job daily_sales"]
    patch = yaml.safe_load((envs.folder("prod") / "overrides/jobs/daily_sales.yaml").read_text())
    assert patch == {
        "schedule": {"cron": {"expression": "0 0 5 * * ?"}},
        "nodes": {"load": {"retryTimes": 3}},
        "basicConfig": {"owner": "ops_team"},
    }
    assert {p: p.read_bytes() for p in envs.folder("dev").rglob("*") if p.is_file()} == dev_files
    assert not (envs.folder("prod") / "jobs").exists()
    assert "No changes." in envs.run("plan", "-w", "prod").stdout

    # a job made in prod's console goes to prod's own folders
    def console_job(document):
        document["jobs"].append({"definition": load_job("prod_only"), "status": "STOPPED", "versions": []})

    envs.edit("prod", console_job)
    exported = envs.run("export", "-w", "prod", "--no-commit", "--format", "json")
    assert json.loads(exported.stdout)["added"] == ["job prod_only"]
    assert (envs.folder("prod") / "jobs/sales/prod_only.yaml").exists()


def test_scheduling_starts_and_stops_jobs_and_keep_leaves_them(environments):
    envs = environments
    envs.configure("dev", scheduling={"default": "running", "jobs": {"quiet": "stopped"}})
    existing = load_job("existing", statement="select 1")
    document = envs.document("dev")
    document["jobs"] = [{"definition": existing, "status": "STOPPED", "versions": []}]
    envs.seed("dev", document)
    for name in ("fresh", "quiet", "existing"):
        envs.put("dev", Kind.JOB, load_job(name, statement="select 1"))
    envs.commit()

    plan = envs.run("plan", "-w", "dev")
    assert "+ job fresh  [create, then start]" in plan.stdout
    assert "+ job quiet  [create]" in plan.stdout
    assert "> job existing  [start]  schedule is STOPPED; scheduling says running" in plan.stdout
    assert "Schedule: 2 to start, 0 to stop." in plan.stdout
    assert envs.run("apply", "-w", "dev", "--auto-approve").exit_code == 0
    status = {name: envs.job("dev", name)["status"] for name in ("fresh", "quiet", "existing")}
    assert status == {"fresh": "SCHEDULING", "quiet": "STOPPED", "existing": "SCHEDULING"}
    assert "No changes." in envs.run("plan", "-w", "dev").stdout

    envs.configure("dev", scheduling={"default": "keep", "jobs": {"quiet": "running", "fresh": "stopped"}})
    plan = envs.run("plan", "-w", "dev")
    assert "| job fresh  [stop]" in plan.stdout and "> job quiet  [start]" in plan.stdout
    assert "existing" not in plan.stdout  # keep never touches it
    assert envs.run("apply", "-w", "dev", "--auto-approve").exit_code == 0
    status = {name: envs.job("dev", name)["status"] for name in ("fresh", "quiet", "existing")}
    assert status == {"fresh": "STOPPED", "quiet": "SCHEDULING", "existing": "SCHEDULING"}


def test_an_undefined_environment_variable_blocks_the_job(environments):
    envs = environments
    envs.configure("dev")
    envs.put("dev", Kind.JOB, load_job())
    envs.commit()
    plan = envs.run("plan", "-w", "dev")
    assert plan.exit_code == 1
    assert "! job daily_sales  [blocked (create)]  reads environment variable 'db_name'" in plan.stdout
    envs.write("workspaces/dev/variables.yaml", "db_name: sales\n")
    assert envs.run("plan", "-w", "dev").exit_code == 0


def test_init_scaffolds_dev_and_prod_sourced_from_dev(tmp_path):
    from support import git
    from typer.testing import CliRunner

    from jobsync.cli.app import app
    from jobsync.repo.config import load_workspace

    root = tmp_path / "new"
    assert CliRunner().invoke(app, ["init", str(root)]).exit_code == 0
    prod = load_workspace(root, "prod")
    assert prod.source is not None and (prod.source.workspace, prod.source.ref) == ("dev", None)
    assert (root / "workspaces/dev/variables.yaml").exists() and (root / "workspaces/prod/variables.yaml").exists()
    git(root, "add", "-A")
    git(root, "commit", "-q", "--allow-empty", "-m", "init")  # init committed its own files
    for ws in ("dev", "prod"):  # the example job and its script (tests/functional/test_first_hour.py)
        result = CliRunner().invoke(app, ["plan", "-w", ws, "--repo", str(root)])
        assert result.exit_code == 0 and "Plan: 2 to create, 0 to update" in result.stdout, result.stderr


def test_changed_since_maps_override_files_and_follows_a_working_tree_source():
    from jobsync.core.model import ObjectKey
    from jobsync.repo.changes import classify, follow_sources

    found = classify(
        ["workspaces/prod/overrides/jobs/日报.yaml", "workspaces/dev/jobs/sales/daily_sales.yaml"], ["dev", "prod"]
    )
    assert found["prod"].keys == {ObjectKey(Kind.JOB, "日报")}
    followed = follow_sources(found, {"prod": "dev"})
    assert followed["prod"].keys == {ObjectKey(Kind.JOB, "日报"), ObjectKey(Kind.JOB, "daily_sales")}
    assert followed["dev"].keys == {ObjectKey(Kind.JOB, "daily_sales")}


def test_a_console_null_no_patch_can_express_is_reported_and_the_rest_exported(environments):
    """Prod's console `logPath: null` stopped `export -w prod` from writing anything,
    including an unrelated job's patch."""
    envs = environments
    envs.configure("dev")
    envs.write("workspaces/dev/variables.yaml", "db_name: sales_dev\n")
    logged = load_job()
    logged["nodes"][0]["logPath"] = "obs://logs/daily"
    envs.put("dev", Kind.JOB, logged)
    envs.put("dev", Kind.JOB, load_job("周报_weekly"))
    envs.configure("prod")
    envs.write("workspaces/prod/workspace.yaml", PROD_YAML.format(backend=json.dumps(envs.backend_config("prod"))))
    envs.write("workspaces/prod/variables.yaml", "db_name: sales_prod\n")
    envs.write("workspaces/prod/overrides/jobs/daily_sales.yaml", OVERRIDE)
    envs.commit("release 1", tag="v1")
    assert envs.run("apply", "-w", "prod", "--auto-approve").exit_code == 0
    before = (envs.folder("prod") / "overrides/jobs/daily_sales.yaml").read_bytes()

    def console_edit(document):
        jobs = {e["definition"]["name"]: e for e in document["jobs"]}
        jobs["daily_sales"]["definition"]["nodes"][0]["logPath"] = None
        jobs["周报_weekly"]["definition"]["nodes"][0]["retryTimes"] = 3

    envs.edit("prod", console_edit)
    exported = envs.run("export", "-w", "prod", "--format", "json")

    assert exported.exit_code == 0, exported.stderr
    assert json.loads(exported.stdout)["changed"] == ["job 周报_weekly"]
    assert "job daily_sales not exported: in the workspace nodes.load.logPath becomes null" in exported.stderr
    assert "workspaces/prod/overrides/jobs/daily_sales.yaml is left as it is" in exported.stderr
    assert "give the object its own file" in exported.stderr
    patch = yaml.safe_load((envs.folder("prod") / "overrides/jobs/周报_weekly.yaml").read_text(encoding="utf-8"))
    assert patch == {"nodes": {"load": {"retryTimes": 3}}}
    assert (envs.folder("prod") / "overrides/jobs/daily_sales.yaml").read_bytes() == before
    assert "committed" in exported.stderr

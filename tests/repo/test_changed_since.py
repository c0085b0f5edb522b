"""`plan --changed-since REF` and the path -> object mapping, on real git repos."""

from __future__ import annotations

import json

import pytest
from support import Scenario, git, job_body, remote_job, sql_node

from jobsync.core.model import Kind, ObjectKey
from jobsync.repo.changes import changed_since, classify


def _script(name: str, sql: str) -> dict:
    return {"name": name, "type": "DLISQL", "content": sql, "queueName": "default"}


@pytest.fixture
def repo_with_three_jobs_on_a_branch(local: Scenario) -> Scenario:
    """main: three jobs (one runs a script) and the same in the workspace; then branch `pr`."""
    local.configure(prune=True)
    bodies = [job_body("alpha"), job_body("beta"), job_body("gamma", nodes=[sql_node("run", "load")])]
    for body in bodies:
        local.put(Kind.JOB, body)
    local.put(Kind.SCRIPT, _script("load", "select 1;\n"))
    local.commit("three jobs")
    assert local.run("apply", "-w", "dev", "--auto-approve").exit_code == 0
    git(local.root, "checkout", "-q", "-b", "pr")
    return local


def _planned(result) -> dict[str, str]:
    assert result.exit_code == 0, result.stderr
    return {f"{c['kind']} {c['name']}": c["action"] for c in result.json()["changes"]}


def test_changed_since_plans_only_the_objects_the_branch_touched(repo_with_three_jobs_on_a_branch):
    scenario = repo_with_three_jobs_on_a_branch
    scenario.put(Kind.JOB, job_body("alpha", description="edited"))
    (scenario.folder / "scripts" / "load.sql").write_text("select 2;\n")  # the sidecar only
    (scenario.folder / "jobs" / "beta.yaml").unlink()
    scenario.commit("edit alpha and load, delete beta")
    # the workspace drifted on gamma too, but the branch did not touch it
    document = scenario.document()
    document["jobs"] = [j for j in document["jobs"] if j["definition"]["name"] != "gamma"]
    document["jobs"].append(remote_job(job_body("gamma", description="console")))
    scenario.seed(document)

    narrowed = scenario.run("plan", "-w", "dev", "--format", "json", "--changed-since", "main")
    everything = scenario.run("plan", "-w", "dev", "--format", "json")

    assert _planned(narrowed) == {"job alpha": "update", "script load": "update", "job beta": "delete"}
    assert "job gamma" in _planned(everything)
    assert "planning 3 changed object(s)" in narrowed.stderr


def test_changed_since_with_an_edited_workspace_yaml_plans_the_whole_workspace(
    repo_with_three_jobs_on_a_branch,
):
    scenario = repo_with_three_jobs_on_a_branch
    scenario.configure(prune=True, user="alice")
    scenario.put(Kind.JOB, job_body("delta"))
    # uncommitted and untracked files count: the work tree is compared, not HEAD

    result = scenario.run("plan", "-w", "dev", "--format", "json", "--changed-since", "main")

    assert _planned(result) == {"job delta": "create"}
    assert "planning all of it" in result.stderr
    assert changed_since(scenario.root, "main")["dev"].only is None


def test_changed_since_on_an_untouched_workspace_plans_nothing(repo_with_three_jobs_on_a_branch):
    scenario = repo_with_three_jobs_on_a_branch
    (scenario.root / "README.md").write_text("not a workspace file\n")
    scenario.commit("docs")

    result = scenario.run("plan", "-w", "dev", "--changed-since", "main")

    assert result.exit_code == 0
    assert "Plan: 0 to create, 0 to update, 0 to delete" in result.stdout
    assert changed_since(scenario.root, "main") == {}


def test_changed_since_an_unknown_ref_says_to_fetch_it(repo_with_three_jobs_on_a_branch):
    scenario = repo_with_three_jobs_on_a_branch
    result = scenario.run("plan", "-w", "dev", "--changed-since", "origin/nope")

    assert result.exit_code == 1
    assert "unknown git ref 'origin/nope'" in result.stderr


def test_a_renamed_job_file_plans_one_rename_of_the_old_name(repo_with_three_jobs_on_a_branch):
    scenario = repo_with_three_jobs_on_a_branch
    git(scenario.root, "mv", "workspaces/dev/jobs/alpha.yaml", "workspaces/dev/jobs/omega.yaml")
    path = scenario.folder / "jobs" / "omega.yaml"
    path.write_text(path.read_text().replace("name: alpha", "name: omega"))
    scenario.commit("rename alpha to omega")

    result = scenario.run("plan", "-w", "dev", "--format", "json", "--changed-since", "main")

    assert _planned(result) == {"job omega": "rename"}
    assert result.json()["changes"][0]["renamed_from"] == "alpha"


def test_classify_maps_files_to_objects_and_ignores_other_workspaces_and_folders():
    paths = [
        "workspaces/dev/jobs/sales/daily.yaml",
        "workspaces/dev/scripts/sales/load.sql",
        "workspaces/dev/scripts/sales/load.yaml",
        "workspaces/dev/resources/udf.yaml",
        "workspaces/dev/jobs/.gitkeep",
        "workspaces/dev/jobs/notes.md",
        "workspaces/prod/workspace.yaml",
        "workspaces/gone/jobs/x.yaml",  # workspace.yaml deleted: not listed
        "docs/index.md",
    ]

    found = classify(paths, ["dev", "prod"])

    assert found["dev"].keys == {
        ObjectKey(Kind.JOB, "daily"),
        ObjectKey(Kind.SCRIPT, "load"),
        ObjectKey(Kind.RESOURCE, "udf"),
    }
    assert not found["dev"].whole
    assert found["prod"].whole and found["prod"].only is None
    assert sorted(found) == ["dev", "prod"]
    assert json.loads(json.dumps(found["dev"].to_dict()))["objects"] == ["job daily", "resource udf", "script load"]


def test_sources_are_followed_down_a_chain_and_a_pinned_source_is_not():
    from jobsync.repo.changes import follow_sources

    found = classify(["workspaces/dev/variables.yaml", "workspaces/dev/jobs/a.yaml"], ["dev", "prod", "staging", "qa"])
    # staging deploys prod's working tree, prod deploys dev's; qa pins dev to a ref (not in the map)
    followed = follow_sources(found, {"staging": "prod", "prod": "dev"})

    assert list(followed) == ["dev", "prod", "staging"]
    assert followed["staging"].whole and followed["prod"].whole  # variables.yaml: the whole workspace


def test_a_changed_variables_file_or_override_plans_that_workspace():
    found = classify(["workspaces/prod/variables.yaml", "workspaces/dev/overrides/scripts/load.yaml"], ["dev", "prod"])

    assert found["prod"].whole
    assert not found["dev"].whole and [str(k) for k in found["dev"].keys] == ["script load"]


def test_changed_since_finds_a_job_with_a_chinese_name(local):
    local.put(Kind.JOB, job_body("日报"))
    local.commit("a job named in Chinese")
    assert local.run("apply", "-w", "dev", "--auto-approve").exit_code == 0
    git(local.root, "checkout", "-q", "-b", "pr")
    local.put(Kind.JOB, job_body("日报", description="edited"))
    local.commit("edit it")

    result = local.run("plan", "-w", "dev", "--changed-since", "main", "-f", "json")

    assert _planned(result) == {"job 日报": "update"}


def test_export_refuses_to_overwrite_uncommitted_edits_of_a_chinese_named_file(local):
    local.put(Kind.JOB, job_body("日报"))
    local.commit("a job named in Chinese")
    assert local.run("apply", "-w", "dev", "--auto-approve").exit_code == 0
    document = local.document()
    document["jobs"][0]["definition"]["description"] = "edited in the console"
    local.seed(document)
    local.put(Kind.JOB, job_body("日报", description="edited by hand"))

    result = local.run("export", "-w", "dev")

    assert result.exit_code == 1
    assert "日报.yaml" in result.stderr

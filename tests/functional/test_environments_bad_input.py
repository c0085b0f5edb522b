"""Bad input for environments: each a clear error naming the file and field, nothing changed."""

from __future__ import annotations

import json

import pytest
from support import git
from support.environments import load_job

from jobsync.core.model import Kind


@pytest.fixture
def envs(tmp_path):
    from support.environments import Environments

    envs = Environments(tmp_path, "local")
    envs.configure("dev")
    envs.write("workspaces/dev/variables.yaml", "db_name: sales_dev\n")
    envs.put("dev", Kind.JOB, load_job())
    envs.configure("prod", source={"workspace": "dev"}, mappings={"connections": {"dws_conn": "dws_prod"}})
    envs.write("workspaces/prod/variables.yaml", "db_name: sales_prod\n")
    envs.commit("two workspaces", tag="v1")
    return envs


def refused(envs, *problems: str, command: tuple[str, ...] = ("plan", "-w", "prod")) -> str:
    before = envs.state_path("prod").read_bytes()
    result = envs.run(*command)
    assert result.exit_code == 1, result.stdout + result.stderr
    for text in problems:
        assert text in result.stderr, result.stderr
    assert envs.state_path("prod").read_bytes() == before, "nothing changed in the workspace"
    return result.stderr


def test_a_source_that_does_not_exist(envs):
    envs.configure("prod", source={"workspace": "staging"})
    refused(envs, "workspaces/prod/workspace.yaml", "source.workspace", "'staging' does not exist")


def test_a_ref_that_does_not_resolve(envs):
    envs.configure("prod", source={"workspace": "dev", "ref": "v9"})
    refused(envs, "workspaces/prod/workspace.yaml: source.ref", "'v9' does not resolve to a commit")


def test_a_source_cycle(envs):
    envs.configure("dev", source={"workspace": "prod"})
    refused(envs, "workspaces/dev/workspace.yaml: source:", "sources form a cycle: prod -> dev -> prod")


def test_an_override_for_a_missing_object(envs):
    envs.write("workspaces/prod/overrides/jobs/weekly.yaml", "description: x\n")
    refused(envs, "workspaces/prod/overrides/jobs/weekly.yaml", "an override for job weekly")


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("- not\n- a mapping\n", "an override must be a mapping"),
        ("name: renamed\n", "an override cannot rename its object"),
        ("nodes:\n  load:\n    failPolicy: SOMETIMES\n", "the patched job is invalid"),
    ],
)
def test_an_invalid_merge_patch(envs, text, expected):
    envs.write("workspaces/prod/overrides/jobs/daily_sales.yaml", text)
    refused(envs, "workspaces/prod/overrides/jobs/daily_sales.yaml", expected)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("- db_name\n", "is not of type 'object'"),
        ("db_name: 3\n", "db_name:"),
        ("db_name: {value: a, type: secret}\n", "db_name:"),
    ],
)
def test_a_variables_file_of_the_wrong_shape(envs, text, expected):
    envs.write("workspaces/prod/variables.yaml", text)
    refused(envs, "workspaces/prod/variables.yaml", expected)


def test_an_own_object_that_the_source_also_has(envs):
    envs.put("prod", Kind.JOB, load_job())
    refused(envs, "workspaces/prod/jobs/sales/daily_sales.yaml", "also defined by source workspace dev")


def test_scheduling_a_job_the_workspace_lacks(envs):
    envs.configure("prod", source={"workspace": "dev"}, scheduling={"jobs": {"nope": "running"}})
    refused(envs, "workspaces/prod/workspace.yaml", "scheduling.jobs.nope")


def test_promote_to_a_ref_that_does_not_resolve_changes_nothing(envs):
    settings = envs.folder("prod") / "workspace.yaml"
    before = settings.read_bytes()
    refused(envs, "--ref", "'v9' does not resolve", command=("promote", "-w", "prod", "--ref", "v9"))
    assert settings.read_bytes() == before


def test_promote_to_a_release_where_an_override_has_no_object_puts_the_file_back(envs):
    envs.write("workspaces/prod/overrides/jobs/daily_sales.yaml", "description: prod\n")
    envs.configure("prod", source={"workspace": "dev", "ref": "v1"}, mappings={"connections": {"dws_conn": "dws_prod"}})
    git(envs.root, "rm", "-q", "-r", "workspaces/dev/jobs")
    envs.commit("dev drops the job", tag="v2")
    settings = envs.folder("prod") / "workspace.yaml"
    before = settings.read_bytes()
    refused(envs, "an override for job daily_sales", command=("promote", "-w", "prod", "--ref", "v2"))
    assert settings.read_bytes() == before
    assert json.loads(envs.state_path("prod").read_text()).get("jobs", []) == []

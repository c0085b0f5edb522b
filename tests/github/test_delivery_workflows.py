"""`init --github` scaffolds a real team's delivery: dev and prod on the dataarts
backend (placeholders jobsync refuses until replaced), prod gated by the GitHub environment
`production`, the three workflows with OIDC and AK/SK, a README section on what to set up;
actionlint passes on all of it; prod's apply job is bound to its environment; apply and drift
of one workspace share one concurrency group that queues rather than cancels."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
import yaml
from support import git
from support.actionlint import actionlint
from typer.testing import CliRunner

from jobsync.cli.app import app

PROJECT = Path(__file__).resolve().parents[2]


def run(*args: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(app, list(args), catch_exceptions=False)
    return result.exit_code, result.stdout, result.stderr


@pytest.fixture
def scaffold(tmp_path) -> Path:
    root = tmp_path / "team"
    code, _, err = run("init", str(root), "--github")
    assert code == 0, err
    return root


def workflow(root: Path, name: str) -> dict:
    return yaml.safe_load((root / ".github/workflows" / name).read_text())


def matrix_jobs(apply: dict, affected: list[dict]) -> dict[str, str | None]:
    """Which job applies each workspace and the environment it is bound to, as GitHub would
    expand the apply workflow's matrices from `changed-workspaces --environments`."""
    open_ = [a["workspace"] for a in affected if a["environment"] == ""]
    protected = [a for a in affected if a["environment"] != ""]
    bound: dict[str, str | None] = {}
    for ws in open_:
        assert apply["jobs"]["apply"]["strategy"]["matrix"]["workspace"].endswith("outputs.open) }}")
        bound[ws] = apply["jobs"]["apply"].get("environment")
    job = apply["jobs"]["apply-protected"]
    assert job["strategy"]["matrix"]["include"] == "${{ fromJSON(needs.changes.outputs.protected) }}"
    for entry in protected:
        bound[entry["workspace"]] = job["environment"].replace("${{ matrix.environment }}", entry["environment"])
    return bound


def test_the_scaffold_puts_prod_behind_its_github_environment(scaffold):
    prod = yaml.safe_load((scaffold / "workspaces/prod/workspace.yaml").read_text())
    dev = yaml.safe_load((scaffold / "workspaces/dev/workspace.yaml").read_text())
    assert prod["github"] == {"environment": "production"}
    assert prod["source"] == {"workspace": "dev"}
    assert dev["backend"]["type"] == "dataarts" and "REPLACE-ME" in dev["backend"]["project_id"]
    git(scaffold, "add", "-A")
    git(scaffold, "commit", "-q", "--allow-empty", "-m", "scaffold")  # init committed its own files
    git(scaffold, "checkout", "-q", "-b", "change")
    (scaffold / "workspaces/dev/variables.yaml").write_text("- name: db\n  value: sales\n")
    git(scaffold, "commit", "-q", "-am", "dev: a variable")

    code, out, err = run("github", "changed-workspaces", "--since", "main", "--environments", "--repo", str(scaffold))

    assert code == 0, err
    affected = json.loads(out)
    assert affected == [{"workspace": "dev", "environment": ""}, {"workspace": "prod", "environment": "production"}]
    bound = matrix_jobs(workflow(scaffold, "jobsync-apply.yml"), affected)
    assert bound == {"dev": None, "prod": "production"}, "prod's apply job names its GitHub environment"


def test_apply_and_drift_share_one_queueing_concurrency_group_per_workspace(scaffold):
    apply, drift = workflow(scaffold, "jobsync-apply.yml"), workflow(scaffold, "jobsync-drift.yml")
    groups = [apply["jobs"][job]["concurrency"] for job in ("apply", "apply-protected")]
    groups.append(drift["jobs"]["drift"]["concurrency"])

    assert all(
        g
        == {"group": "jobsync-workspace-${{ github.repository }}-${{ matrix.workspace }}", "cancel-in-progress": False}
        for g in groups
    )
    # the open and the protected apply jobs run the same steps
    assert apply["jobs"]["apply"]["steps"] == apply["jobs"]["apply-protected"]["steps"]


def test_the_workflows_apply_the_reviewed_plan_of_the_head_commit_with_oidc_or_aksk(scaffold):
    plan, apply = workflow(scaffold, "jobsync-plan.yml"), workflow(scaffold, "jobsync-apply.yml")
    upload = next(s for s in plan["jobs"]["plan"]["steps"] if "upload-artifact" in str(s.get("uses")))
    assert upload["with"]["name"] == "jobsync-plan-${{ github.event.pull_request.head.sha }}"
    steps = "\n".join(str(s.get("run", "")) for s in apply["jobs"]["apply"]["steps"])
    assert 'jobsync github reviewed-plan --commit "$GITHUB_SHA"' in steps
    assert '--reviewed "$RUNNER_TEMP/jobsync/reviewed.json"' in steps
    for name in ("jobsync-plan.yml", "jobsync-apply.yml", "jobsync-drift.yml"):
        document = workflow(scaffold, name)
        assert document["permissions"]["id-token"] == "write", name
        text = (scaffold / ".github/workflows" / name).read_text()
        assert "HUAWEICLOUD_SDK_IDP_ID: ${{ secrets.HUAWEICLOUD_SDK_IDP_ID }}" in text, name
        assert 'echo "HUAWEICLOUD_SDK_ID_TOKEN_FILE=$token_file" >> "$GITHUB_ENV"' in text, name
        assert "HUAWEICLOUD_SDK_AK: ${{ secrets.HUAWEICLOUD_SDK_AK }}" in text, name
    assert apply["permissions"]["actions"] == "read"  # to find the plan artifact


def test_actionlint_passes_on_everything_init_github_writes(scaffold):
    files = sorted((scaffold / ".github/workflows").glob("*.yml"))

    errors = actionlint(files)

    assert [f.name for f in files] == ["jobsync-apply.yml", "jobsync-drift.yml", "jobsync-plan.yml"]
    assert {name: found for name, found in errors.items() if found} == {}
    assert "uses: OWNER/jobsync@v1" in files[0].read_text()


def test_the_scaffold_readme_names_the_secrets_and_settings_and_placeholders_are_refused(scaffold):
    readme = (scaffold / "README.md").read_text()
    for needed in ("HUAWEICLOUD_SDK_IDP_ID", "HUAWEICLOUD_SDK_AK", "production", "create and approve pull requests"):
        assert needed in readme
    assert run("init", str(scaffold), "--github")[0] == 0
    assert (scaffold / "README.md").read_text() == readme, "a second init keeps the section once"
    git(scaffold, "add", "-A")
    git(scaffold, "commit", "-q", "--allow-empty", "-m", "scaffold")  # init committed its own files

    code, _, err = run("plan", "-w", "dev", "--repo", str(scaffold))

    assert code == 1
    assert "workspaces/dev/workspace.yaml: backend.region: backend.region is still the placeholder" in err
    assert "backend.obs.bucket" in err


def test_the_readme_documents_drift_tokens_and_the_repository_setting():
    text = (PROJECT / "README.md").read_text()
    section = text.split("## Pull-request workflow", 1)[1]

    assert "Allow GitHub Actions to create and approve pull requests" in section
    assert "JOBSYNC_DRIFT_TOKEN" in section and "JOBSYNC_APP_ID" in section
    assert re.search(r"default `?GITHUB_TOKEN`?.{0,200}(do not|does not|don't) trigger", section, re.S)

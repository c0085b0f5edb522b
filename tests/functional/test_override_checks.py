"""An override's merged result gets exactly the checks a job file gets, and more than
a file needs where a patch can remove what a file must keep; each refusal names the patch file
and line, and nothing is planned or applied."""

from __future__ import annotations

import pytest
from support import job_body

from jobsync.core.model import Kind

JOB = "任务_j0"


@pytest.mark.parametrize(
    ("patch", "line", "says"),
    [
        ("# moved\ndirectory: ../../../etc\n", 2, "directory"),  # the repro: stored with that directory
        ("directory: /a/../../b\n", 1, "directory"),
        ("nodes: {start: null}\n", 1, "removes every node of the job"),  # the repro: a job with 0 nodes
        ("description: x\nprocessType: null\n", 2, "removes processType"),  # the repro
        ("processType: STREAM\n", None, "processType"),
        ("schedule: {cron: {expression: 0 0 25 * * ?}}\n", None, "cron"),
        ("name: other\n", 1, "cannot rename its object"),
    ],
)
def test_a_patch_is_checked_like_a_file_naming_the_patch_file_and_line(scenario, patch, line, says):
    scenario.put(Kind.JOB, job_body(JOB))
    folder = scenario.folder / "overrides" / "jobs"
    folder.mkdir(parents=True)
    (folder / f"{JOB}.yaml").write_text(patch, encoding="utf-8")
    scenario.commit()
    before = scenario.document()

    validate = scenario.run("validate")
    apply = scenario.run("apply", "-w", "dev", "--auto-approve")

    where = f"workspaces/dev/overrides/jobs/{JOB}.yaml" + (f":{line}" if line else "")
    for result in (validate, apply):
        assert result.exit_code == 1, result.stdout
        assert where in result.stderr and says in result.stderr, result.stderr
    assert scenario.document() == before, "nothing was applied"


def test_a_patch_that_keeps_the_object_sound_still_applies(scenario):
    scenario.put(Kind.JOB, job_body(JOB))
    folder = scenario.folder / "overrides" / "jobs"
    folder.mkdir(parents=True)
    (folder / f"{JOB}.yaml").write_text("directory: /团队/etl\nnodes: {start: {retryTimes: 3}}\n", encoding="utf-8")
    scenario.commit()

    apply = scenario.run("apply", "-w", "dev", "--auto-approve")

    assert apply.exit_code == 0, apply.stderr
    body = scenario.entry("jobs", JOB)["definition"]
    assert body["directory"] == "/团队/etl" and body["nodes"][0]["retryTimes"] == 3

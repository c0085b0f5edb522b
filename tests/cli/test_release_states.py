"""Release package states as jobsync reports them (apply, --wait, release status)."""

from __future__ import annotations

import pytest

from jobsync.backends.dataarts.releases import package_of
from jobsync.cli.release import package_text
from jobsync.ops.release import package_lines


@pytest.mark.parametrize(
    ("status", "state", "final"),
    [
        (1, "pending release", False),
        (5, "releasing", False),
        (2, "released", True),
        (3, "failed", True),
        (4, "cancelled", True),
    ],
)
def test_each_deploy_status_has_a_name_and_says_whether_waiting_is_over(status, state, final):
    package = package_of(
        {"package_id": "p1", "package_name": "jobsync dev abc (PR #1)", "deploy_status": status},
        [{"item_name": "etl", "task_type": 1, "update_type": 2, "pending_version": 3, "deploy_status": status}],
    )

    assert (package.state, package.final) == (state, final)
    (line,) = package_lines([package], ["dave"])
    assert line.startswith(f"Release package p1 'jobsync dev abc (PR #1)': {state}, 1 task(s)")
    assert line.endswith("to be released by dave") == (status == 1)
    head, task = package_text(package.to_dict())
    assert f"p1  {state}" in head and task.strip() == f"change job etl v3: {state}"

"""Acceptance 5: the dataarts backend authenticates with temporary credentials (AK, SK and
HUAWEICLOUD_SDK_SECURITY_TOKEN, sent as a signed X-Security-Token) against the emulator, which
verifies the token."""

from __future__ import annotations

import pytest
from support import WORKSPACE_ID, Scenario, environment, job_body

from jobsync.core.model import Kind

TEMPORARY = {"ak": "AKTEMPORARYTEST", "sk": "sk-temporary-not-a-secret", "user": "jobsync", "security_token": "st-1"}
STATE = {
    "project_id": "0833a5737480d53b2f25c010dc1a7b88",
    "credentials": [TEMPORARY, {"ak": "AKADMINTEST", "sk": "sk-admin-not-a-secret", "user": "admin"}],
    "workspaces": {},
}


@pytest.fixture
def temporary(emulator_server, tmp_path) -> Scenario:
    emulator_server.reset(STATE)
    emulator_server.set_workspace(WORKSPACE_ID, environment())
    scenario = Scenario(tmp_path, "emulator", emulator_server)
    scenario.env = {
        "HUAWEICLOUD_SDK_AK": TEMPORARY["ak"],
        "HUAWEICLOUD_SDK_SK": TEMPORARY["sk"],
        "HUAWEICLOUD_SDK_SECURITY_TOKEN": TEMPORARY["security_token"],
    }
    scenario.put(Kind.JOB, job_body("etl"))
    scenario.commit()
    return scenario


def test_temporary_credentials_with_their_token_plan_and_apply(temporary):
    applied = temporary.run("apply", "-w", "dev", "--auto-approve")

    assert applied.exit_code == 0, applied.stderr
    assert temporary.entry("jobs", "etl")["lastUpdateUser"] == "jobsync"


@pytest.mark.parametrize(
    ("token", "reason"),
    [
        ("st-wrong", "the security token is invalid or expired"),
        ("", "temporary access key without X-Security-Token"),
    ],
)
def test_a_wrong_or_missing_security_token_is_refused(temporary, token, reason):
    plan = temporary.run("plan", "-w", "dev", env={"HUAWEICLOUD_SDK_SECURITY_TOKEN": token})

    assert plan.exit_code == 1
    assert reason in plan.stderr and "HTTP 401" in plan.stderr
    assert "st-wrong" not in plan.stderr and TEMPORARY["sk"] not in plan.stderr


def test_a_permanent_key_with_a_security_token_is_refused(temporary):
    plan = temporary.run(
        "plan",
        "-w",
        "dev",
        env={"HUAWEICLOUD_SDK_AK": "AKADMINTEST", "HUAWEICLOUD_SDK_SK": "sk-admin-not-a-secret"},
    )

    assert plan.exit_code == 1
    assert "X-Security-Token sent with a permanent access key" in plan.stderr

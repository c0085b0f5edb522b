"""The dataarts backend authenticates with temporary credentials (AK, SK and
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


@pytest.fixture
def federated(emulator_server, tmp_path) -> Scenario:
    """No keys at all: an OIDC identity token in a file, and the identity provider github."""
    state = {**STATE, "identity_providers": {"github": {"id_tokens": {"eyJ.oidc.token": "jobsync"}}}}
    emulator_server.reset(state)
    emulator_server.set_workspace(WORKSPACE_ID, environment())
    (tmp_path / "repo").mkdir()
    scenario = Scenario(tmp_path / "repo", "emulator", emulator_server)
    token_file = tmp_path / "id-token"
    token_file.write_text("eyJ.oidc.token\n")
    scenario.env = {
        "HUAWEICLOUD_SDK_IDP_ID": "github",
        "HUAWEICLOUD_SDK_ID_TOKEN_FILE": str(token_file),
        "HUAWEICLOUD_SDK_IAM_ENDPOINT": emulator_server.url,
        "HUAWEICLOUD_SDK_AK": "",
        "HUAWEICLOUD_SDK_SK": "",
    }
    scenario.put(Kind.JOB, job_body("etl"))
    scenario.commit()
    return scenario


def test_oidc_federation_gets_temporary_credentials_and_applies(federated, emulator_server):
    applied = federated.run("apply", "-w", "dev", "--auto-approve")

    assert applied.exit_code == 0, applied.stderr
    assert federated.entry("jobs", "etl")["lastUpdateUser"] == "jobsync"
    temporary = [c for c in emulator_server.credentials if c["ak"].startswith("AKTMP")]
    assert len(temporary) == 1 and temporary[0]["user"] == "jobsync"


def test_an_identity_token_iam_refuses_is_reported_without_the_token(federated, tmp_path):
    (tmp_path / "id-token").write_text("eyJ.forged\n")

    plan = federated.run("plan", "-w", "dev")

    assert plan.exit_code == 1
    assert "OIDC federation: IAM refused the identity token of identity provider github" in plan.stderr
    assert "HTTP 401" in plan.stderr and "eyJ.forged" not in plan.stderr


def test_the_identity_token_goes_only_to_https_or_loopback(federated):
    plan = federated.run("plan", "-w", "dev", env={"HUAWEICLOUD_SDK_IAM_ENDPOINT": "http://iam.example.com"})

    assert plan.exit_code == 1
    assert "HUAWEICLOUD_SDK_IAM_ENDPOINT 'http://iam.example.com' is not https" in plan.stderr

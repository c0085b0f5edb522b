"""Honest records: the version description says what was applied and by whom, export does not
commit onto no branch, and an interrupted apply says what it had done."""

from __future__ import annotations

from support import git, job_body

from jobsync.backends.local import LocalWorkspace
from jobsync.core.model import Kind


def _description(scenario, name):
    return scenario.entry("jobs", name)["versions"][-1].get("description")


def test_a_dirty_tree_is_recorded_as_sha_plus_dirty(scenario):
    scenario.put(Kind.JOB, job_body("etl"))
    head = scenario.commit()
    scenario.put(Kind.JOB, job_body("etl", description="not committed"))

    result = scenario.run("apply", "-w", "dev", "--auto-approve")

    assert result.exit_code == 0, result.stderr
    assert f"jobsync apply {head[:12]}+dirty (dev)" in _description(scenario, "etl")


def test_the_version_names_the_credentials_owner_on_dataarts_and_the_user_on_local(scenario):
    scenario.configure(user="someone-else")
    scenario.put(Kind.JOB, job_body("etl"))
    scenario.commit()

    result = scenario.run("apply", "-w", "dev", "--auto-approve")

    assert result.exit_code == 0, result.stderr
    if scenario.backend == "local":
        assert _description(scenario, "etl").endswith("by someone-else")
    else:
        assert _description(scenario, "etl").endswith("by the owner of the DataArts credentials")
        assert "acting as the owner of the DataArts credentials" in result.stdout
        assert scenario.entry("jobs", "etl")["versions"][-1]["submitUser"] == "jobsync"  # whose keys were used


def test_export_refuses_to_commit_on_a_detached_head_unless_allowed(scenario):
    document = scenario.document()
    document["jobs"].append({"definition": job_body("etl"), "versions": []})
    scenario.seed(document)
    head = scenario.commit()
    git(scenario.root, "checkout", "-q", "--detach", head)

    refused = scenario.run("export", "-w", "dev")
    allowed = scenario.run("export", "-w", "dev", "--allow-detached")

    assert refused.exit_code == 1
    assert "HEAD is detached" in refused.stderr and "--allow-detached" in refused.stderr
    assert allowed.exit_code == 0, allowed.stderr
    assert git(scenario.root, "rev-parse", "HEAD").strip() != head


def test_ctrl_c_during_apply_says_what_was_applied_and_what_may_still_be_importing(local, monkeypatch):
    local.put(Kind.JOB, job_body("a"))
    local.put(Kind.JOB, job_body("b", depends=["a"]))
    local.commit()
    write = LocalWorkspace.write

    def interrupted(self, kind, bodies, **kwargs):
        if any(body["name"] == "b" for body in bodies):
            raise KeyboardInterrupt  # the user presses Ctrl-C while b is being written
        return write(self, kind, bodies, **kwargs)

    monkeypatch.setattr(LocalWorkspace, "write", interrupted)

    result = local.run("apply", "-w", "dev", "--auto-approve")

    assert result.exit_code == 130
    assert "interrupted: 1 of 2 change(s) were applied" in result.stderr
    assert "applied job a" in result.stderr and "create job b" in result.stderr
    assert "run `jobsync plan -w dev`" in result.stderr

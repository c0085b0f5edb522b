"""Exceptions to the team's rules in the pull-request flow, against the fake GitHub API, on both
backends: the rules come from the base branch (a branch that weakens them is still checked with
the base's), an owner's approval of the head commit unblocks a failure of their rule, a new push
needs a new approval, and the reviewed apply after the merge honours exactly that approval."""

from __future__ import annotations

import json

from support import git, job_body, remote_job

from jobsync.core.model import Kind

PR = 7
RULES = """\
rules:
  - id: owner-required
    kinds: [job]
    expression: 'has(object.basicConfig) && has(object.basicConfig.owner) && object.basicConfig.owner != ""'
    message: every job names its owner
  - id: finance-deletes
    kinds: [job]
    when: 'action == "delete" && "finance" in oldObject.basicConfig.tags'
    expression: "false"
    message: deleting a finance job needs the data owner
    owners: [alice, acme/finance-data-owners]
"""
WEAKER = RULES.split("  - id: finance-deletes")[0]
FINANCE = job_body("财务日报", basicConfig={"owner": "alice", "tags": ["finance"]})


def head(scenario):
    return git(scenario.root, "rev-parse", "HEAD").strip()


def plan(scenario, fake, *args):
    env = {**fake.env, "JOBSYNC_PR": str(PR), "JOBSYNC_HEAD_SHA": head(scenario)}
    fake.pull_heads[PR] = head(scenario)
    return scenario.run("plan", "-w", "dev", "--backend-from", "main", *args, env=env)


def pull_request(scenario):
    """main: the finance job and the rules, applied; branch `pr` deletes the job and drops the rule."""
    document = scenario.document()
    document["jobs"].append(remote_job(FINANCE, tags=["finance"]))
    scenario.seed(document)
    scenario.configure(prune=True)
    (scenario.root / "policies.yaml").write_text(RULES)
    scenario.put(Kind.JOB, FINANCE)
    scenario.put(Kind.JOB, job_body("日报", basicConfig={"owner": "bob"}))
    scenario.commit("main")
    assert scenario.run("apply", "-w", "dev", "--auto-approve").exit_code == 0
    git(scenario.root, "checkout", "-q", "-b", "pr")
    (scenario.folder / "jobs" / "财务日报.yaml").unlink()
    (scenario.root / "policies.yaml").write_text(WEAKER)
    scenario.commit("drop the finance job, and the rule that guards it")


def test_base_rules_apply_and_an_owners_approval_is_bound_to_the_head(scenario, fake_github, tmp_path):
    pull_request(scenario)
    fake_github.teams["acme/finance-data-owners"] = {"carol"}

    weakened = plan(scenario, fake_github)
    fake_github.add_review(PR, "bob", "APPROVED", head(scenario))  # not an owner
    by_stranger = plan(scenario, fake_github)
    fake_github.add_review(PR, "carol", "APPROVED", head(scenario))  # a member of the owners' team
    by_team = plan(scenario, fake_github)
    first = head(scenario)
    scenario.put(Kind.JOB, job_body("日报", basicConfig={"owner": "bob"}, description="a new push"))
    scenario.commit("a new push")
    after_push = plan(scenario, fake_github)

    assert weakened.exit_code == 1
    assert "[blocks apply] finance-deletes (policies.yaml:6): job 财务日报" in weakened.stdout
    assert "Rules (main (" in weakened.stdout
    assert "this branch changes the rules (policies.yaml)" in weakened.stderr
    assert "the changed rules apply from the next pull request on" in weakened.stderr
    assert by_stranger.exit_code == 1
    assert by_team.exit_code == 0, by_team.stdout
    assert f"[approved by carol for {first[:12]}] finance-deletes" in by_team.stdout
    assert after_push.exit_code == 1
    assert "[blocks apply] finance-deletes" in after_push.stdout


def test_the_reviewed_apply_honours_exactly_the_recorded_approval(scenario, fake_github, tmp_path):
    pull_request(scenario)
    fake_github.add_review(PR, "alice", "APPROVED", head(scenario))
    saved = tmp_path / "reviewed.json"
    planned = plan(scenario, fake_github, "--out", str(saved))
    reviewed_head = head(scenario)
    git(scenario.root, "checkout", "-q", "main")
    git(scenario.root, "merge", "-q", "--no-ff", "-m", f"Merge pull request #{PR}", "pr")
    document = json.loads(saved.read_text())
    [approved] = [f for f in document["checks"]["failures"] if f["approved_by"]]
    elsewhere = tmp_path / "approved-elsewhere.json"
    approved["approved_commit"] = "0" * 40  # an approval of another commit
    elsewhere.write_text(json.dumps(document))

    refused = scenario.run("apply", "-w", "dev", "--reviewed", str(elsewhere))
    applied = scenario.run("apply", "-w", "dev", "--reviewed", str(saved), env={"JOBSYNC_PR": str(PR)})

    assert planned.exit_code == 0, planned.stdout
    assert (approved["rule"], approved["name"], approved["approved_by"]) == ("finance-deletes", "财务日报", "alice")
    assert document["checks"]["head"] == reviewed_head
    # the reviewed plan binds its checks too: the tampered approval is a named difference
    assert refused.exit_code == 1
    assert "differs from the reviewed plan" in refused.stderr and "checks.failures" in refused.stderr
    assert "finance-deletes" in refused.stderr
    assert applied.exit_code == 0, applied.stderr
    assert "[approved by alice for " in applied.stdout
    assert scenario.entry("jobs", "财务日报") is None  # main's rules now lack the rule; the base's were used

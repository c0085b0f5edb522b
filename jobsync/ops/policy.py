"""The team's rules and the scheduler checks, run over a workspace's definitions or a plan.

`validate` checks definition rules over every object (`check_definitions`); `plan` checks the
definition and plan rules over what it changes, and the scheduler checks over the workspace as
apply leaves it (`check_plan`). A failure of severity error blocks apply unless an owner of its
rule approved it for the commit under review (ops/approvals.py) or the person at the terminal
allowed it (`--allow-rule`, recorded in the version description).
"""

from __future__ import annotations

import dataclasses
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

from jobsync.core import schedule_checks
from jobsync.core.model import Kind, ObjectKey, Spec
from jobsync.core.plan import CHANGING, Action, Plan
from jobsync.core.snapshot import Snapshot
from jobsync.core.teamrules import Checked, Failure, Subject, check
from jobsync.errors import JobsyncError
from jobsync.repo import policyfile
from jobsync.repo.config import WORKSPACES_DIR, WorkspaceConfig


class PolicyError(JobsyncError):
    """Rules of severity error failed and nobody allowed them: apply is refused."""

    def __init__(self, failures: Sequence[Failure]) -> None:
        self.failures = tuple(failures)
        listed = "\n".join(f"  {failure.describe()}" for failure in failures)
        super().__init__(
            f"apply refused: {len(failures)} rule failure(s) of severity error (policies.yaml):\n{listed}\n"
            "fix the definitions, or have an owner of the rule approve the pull request's head commit "
            "(at a terminal: `jobsync apply --allow-rule RULE_ID`, recorded in the version description)"
        )


def folder(config: WorkspaceConfig) -> str:
    return f"{WORKSPACES_DIR}/{config.name}"


def rules_for(config: WorkspaceConfig, *, ref: str | None = None, commit: str | None = None) -> policyfile.RuleSet:
    """The rules for `config`'s workspace: at `commit` (a saved plan's), at `ref` (the base
    branch of a pull request), or in the working tree."""
    if commit is not None:
        return policyfile.at_commit(config.repo_root, commit, folder(config))
    if ref is not None:
        return policyfile.at_ref(config.repo_root, ref, folder(config))
    return policyfile.in_tree(config.repo_root, folder(config))


def branch_notes(config: WorkspaceConfig, base: policyfile.RuleSet) -> tuple[str, ...]:
    """What to tell a pull request whose working tree changes the rules it is checked with."""
    try:
        mine = policyfile.in_tree(config.repo_root, folder(config))
    except JobsyncError:
        return ("this branch's policies files do not load; the base branch's rules are used",)
    if dict(mine.texts) == dict(base.texts):
        return ()
    return (
        f"this branch changes the rules ({', '.join(sorted(set(mine.files) | set(base.files)))}); "
        f"it is checked with those of {base.origin}; the changed rules apply from the next pull request on",
    )


def _file(spec: Spec | None) -> str | None:
    """The repo file an object comes from (line 1: the object is the whole file)."""
    return f"{spec.source}:1" if spec is not None and spec.source else None


def definition_subjects(config: WorkspaceConfig, specs: Mapping[ObjectKey, Spec]) -> Iterable[Subject]:
    for key in sorted(specs, key=lambda k: (k.kind.value, k.name)):
        spec = specs[key]
        yield Subject(key.kind.value, key.name, config.name, spec.body, file=_file(spec))


def plan_subjects(config: WorkspaceConfig, plan: Plan, desired: Mapping[ObjectKey, Spec]) -> Iterable[Subject]:
    for change in plan.changes:
        action = change.intended if change.action is Action.BLOCKED else change.action
        if action not in CHANGING:
            continue
        assert action is not None
        yield Subject(
            change.key.kind.value,
            change.key.name,
            config.name,
            change.desired,
            old=change.before,
            action=action.value,
            file=_file(desired.get(change.key)),
        )


def check_definitions(config: WorkspaceConfig, specs: Mapping[ObjectKey, Spec], rules: policyfile.RuleSet) -> Checked:
    failures = check(rules.rules, definition_subjects(config, specs))
    return Checked(tuple(failures), rules_from=rules.origin, rules_commit=rules.commit)


def after_apply(
    plan: Plan, desired: Mapping[ObjectKey, Spec], snapshot: Snapshot
) -> dict[str, schedule_checks.JobState]:
    """Every job as the plan leaves the workspace: its body and whether it will be scheduled."""
    jobs: dict[str, schedule_checks.JobState] = {}
    for key, remote in snapshot.objects.items():
        if key.kind is Kind.JOB:
            jobs[key.name] = schedule_checks.JobState(remote.peek(), scheduled=remote.status == "SCHEDULING")
    for change in plan.changes:
        if change.key.kind is not Kind.JOB:
            continue
        if change.action is Action.DELETE:
            jobs.pop(change.key.name, None)
            continue
        before = jobs.get(change.renamed_from or change.key.name)
        if change.renamed_from:
            jobs.pop(change.renamed_from, None)
        body = change.desired if change.action in (Action.CREATE, Action.UPDATE, Action.RENAME) else None
        if body is None:
            spec = desired.get(change.key)
            body = spec.body if spec is not None else (before.body if before else {})
        scheduled = before.scheduled if before else False
        if change.action is Action.START or change.schedule == "start":
            scheduled = True
        elif change.action is Action.STOP or change.schedule == "stop":
            scheduled = False
        jobs[change.key.name] = schedule_checks.JobState(body, scheduled=scheduled)
    return jobs


def check_plan(
    config: WorkspaceConfig,
    plan: Plan,
    desired: Mapping[ObjectKey, Spec],
    snapshot: Snapshot,
    rules: policyfile.RuleSet,
    *,
    notes: Sequence[str] = (),
) -> Plan:
    """`plan` with the outcome of the rules and the scheduler checks."""
    failures = check(rules.rules, plan_subjects(config, plan, desired))
    changed = {c.key.name for c in plan.changes if c.key.kind is Kind.JOB and c.action in CHANGING}
    found: list[Failure] = []
    if changed:  # the scheduler checks look at what a plan changes: a no-op plan reads no body
        files = {key.name: _file(spec) for key, spec in desired.items() if key.kind is Kind.JOB}
        found = schedule_checks.run(
            after_apply(plan, desired, snapshot),
            changed=changed,
            enabled=rules.enabled,
            max_per_minute=rules.max_per_minute,
            files=files,
            traditional=rules.dependency_mode == "traditional",
        )
    checked = Checked(
        tuple([*failures, *found]),
        rules_from=rules.origin,
        rules_commit=rules.commit,
        head=plan.repo_commit,
        notes=tuple(notes),
    )
    return dataclasses.replace(plan, checks=checked)


def approve(plan: Plan, approvals: Mapping[tuple[str, str, str], tuple[str, str]], *, head: str | None = None) -> Plan:
    """`plan` with each failure whose (rule, kind, name) is in `approvals` marked approved by
    (who, commit); `head`: the commit the approvals were read for (the pull request's head)."""
    if plan.checks is None:
        return plan
    checks = plan.checks if head is None else dataclasses.replace(plan.checks, head=head)
    failures = tuple(
        dataclasses.replace(f, approved_by=approvals[f.key][0], approved_commit=approvals[f.key][1])
        if f.key in approvals and f.severity == "error"
        else f
        for f in checks.failures
    )
    return dataclasses.replace(plan, checks=dataclasses.replace(checks, failures=failures))


def allow(plan: Plan, rule_ids: Sequence[str], user: str) -> Plan:
    """`--allow-rule`: the named rules' failures approved by the person running apply."""
    if plan.checks is None or not rule_ids:
        return plan
    known = {f.rule for f in plan.checks.failures}
    unknown = [rule for rule in rule_ids if rule not in known]
    if unknown:
        raise JobsyncError(
            f"--allow-rule {', '.join(unknown)}: no failure of that rule in this plan; allow only a rule that fails"
        )
    commit = plan.repo_commit or "uncommitted"
    return approve(plan, {f.key: (user, commit) for f in plan.checks.failures if f.rule in rule_ids})


def allowed_note(plan: Plan) -> str:
    """What the version description records of exceptions: "rule-a by alice, rule-b by bob"."""
    if plan.checks is None:
        return ""
    pairs = sorted({(f.rule, f.approved_by) for f in plan.checks.failures if f.approved_by})
    return ", ".join(f"{rule} by {who}" for rule, who in pairs)


def refuse_blocking(plan: Plan) -> None:
    if plan.checks is not None and plan.checks.blocking:
        raise PolicyError(plan.checks.blocking)


def saved_approvals(saved: Mapping[str, Any] | None) -> dict[tuple[str, str, str], tuple[str, str]]:
    """The approvals a reviewed plan recorded, each bound to the commit it was given for: only
    those given for the commit the plan was made at (the pull request's head) count."""
    checks = (saved or {}).get("checks") or {}
    head = checks.get("head")
    found: dict[tuple[str, str, str], tuple[str, str]] = {}
    for entry in checks.get("failures") or ():
        failure = Failure.from_dict(entry)
        if failure.approved_by and head and failure.approved_commit == head:
            found[failure.key] = (failure.approved_by, str(head))
    return found

"""What jobsync ships besides the team's own rules.

RULES: a CEL rule set, each off until policies.yaml lists it under `enable:`. CHECKS: the
scheduler-aware checks (core/schedule_checks.py), each on until listed under `disable:`.
README "Policies" documents both; the ids are public (policies.yaml names them).
"""

from __future__ import annotations

from jobsync.core.teamrules import Rule

FILE = "jobsync built-in"


def _rule(id: str, expression: str, message: str, *, when: str | None = None, line: int) -> Rule:
    return Rule(
        id=id, expression=expression, message=message, kinds=("job",), when=when, file=FILE, line=line, builtin=True
    )


RULES: tuple[Rule, ...] = (
    _rule(
        "owner-set",
        'has(object.basicConfig) && has(object.basicConfig.owner) && object.basicConfig.owner != ""',
        "every job names its owner (basicConfig.owner)",
        line=1,
    ),
    _rule(
        "alarm-configured",
        "has(object.alarms) && size(object.alarms) > 0",
        "every job has an alarm (alarms: alarmType and topicUrn)",
        line=2,
    ),
    _rule(
        "retries-in-prod",
        "object.nodes.all(n, has(n.retryTimes) && int(n.retryTimes) >= 1)",
        "in a production workspace every node retries at least once (retryTimes >= 1)",
        when='workspace.contains("prod")',
        line=3,
    ),
    _rule(
        "no-personal-execute-user",
        '!has(object.basicConfig) || !has(object.basicConfig.executeUser) || object.basicConfig.executeUser == ""',
        "a job does not run as a personal account (basicConfig.executeUser); use the workspace's agency",
        line=4,
    ),
    _rule(
        "no-production-from-ci",
        '!has(object.targetStatus) || object.targetStatus != "PRODUCTION"',
        "a definition from git does not skip review (targetStatus PRODUCTION)",
        line=5,
    ),
    _rule(
        "tagged-deletes-need-owner",
        "false",
        "deleting a tagged job needs its owner's approval",
        when='action == "delete" && oldObject != null && has(oldObject.basicConfig) '
        "&& has(oldObject.basicConfig.tags) && size(oldObject.basicConfig.tags) > 0",
        line=6,
    ),
)

CHECKS: dict[str, str] = {
    "dependency-cycle": "dependJobs form a cycle (through workspace-only jobs too): none of them ever runs",
    "shorter-period-depends-on-longer": "traditional dependency mode: a job cannot depend on one with a longer period",
    "cross-timezone-dependency": "a job depends on one scheduled in another time zone",
    "depends-on-unscheduled": "a scheduled job depends on a job that is absent or not scheduled",
    "load-spike": "more jobs than max_jobs_per_minute start in the same minute",
    "scheduled-without-nodes": "a scheduled job has no node",
}

KNOWN = frozenset({rule.id for rule in RULES} | set(CHECKS))

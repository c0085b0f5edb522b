"""The workspace rules: the planner's one copy, read by the plan and the local document.

The console import's rules (reference §7.1, §7.4) plus the references a job needs: data
connections, DLI queues, DIS streams and GES graphs (after mappings), the scripts its nodes run,
and the jobs it depends on.

Two layers:
- primitives on plain facts (`lock_verdict`, `is_running`, `job_tags`, `locked_tags_of`,
  `missing_references`) and their tables (`LOCK_RULES`, `RUNNING_STATES`), which the local
  document calls when a write arrives and which raise nothing;
- the plan's rules, small functions returning the reasons a change is blocked, which call the
  same primitives on the snapshot, so plan and the local document agree by construction.

The emulator does not call these: it answers from its own table of the service's documented
behaviour (emulator/service.py), and tests/backends/test_rules_agree.py compares the two.

Each rule has a stable code (`JOB_RUNNING`, `LOCKED`, ...). The service answers a broken rule
with a DLF error code: `DLF_OF_RULE` is the one table the emulator answers with and the
dataarts backend reads back (`RULE_OF_DLF`).
"""

from __future__ import annotations

import dataclasses
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any, Literal

from jobsync.core import cdmrules
from jobsync.core.model import Kind, ObjectKey, Spec
from jobsync.core.plan import Action, Change, PlanSettings
from jobsync.core.policies import LockPolicy
from jobsync.core.references import JOBS, MAPPED, SCRIPTS, env_variables, invert, referenced_keys, references
from jobsync.core.snapshot import SCHEDULING, Environment, RemoteObject, Snapshot
from jobsync.core.validate import closest_names, reference_message
from jobsync.core.writecheck import SCRIPT_TYPE_CHANGE, change_problems, write_problems

RuleCode = Literal[
    "JOB_RUNNING", "LOCKED", "LOCKED_TAG", "MISSING_REFERENCE", "NOT_FOUND", "NAME_EXISTS", "INVALID", "IMMUTABLE"
]

# rule code -> the DLF error code a write breaking it is refused with. DLF.99xx are invented
# (DataArts documents no code for these refusals; docs/emulator.md lists them).
DLF_OF_RULE: dict[str, str] = {
    "JOB_RUNNING": "DLF.9901",
    "LOCKED": "DLF.9902",
    "LOCKED_TAG": "DLF.9903",
    "MISSING_REFERENCE": "DLF.9904",
    "INVALID": "DLF.3051",  # documented: "The request parameter is invalid" (core/writecheck.py has the others)
    "IMMUTABLE": "DLF.0203",  # documented: script modify failed (a script's type cannot change)
}
UNKNOWN_RULE_DLF = "DLF.9900"  # invented: a rule without a code of its own
NOT_FOUND_DLF = {Kind.JOB: "DLF.0100", Kind.SCRIPT: "DLF.6201", Kind.RESOURCE: "DLF.6241"}
# DLF code -> rule code, for reading the service's answers. DLF.6322 is the documented "data
# connection does not exist".
RULE_OF_DLF: dict[str, str] = {
    **{dlf: rule for rule, dlf in DLF_OF_RULE.items()},
    **{dlf: "INVALID" for dlf in ("DLF.3004", "DLF.3018", "DLF.3025", "DLF.3051", "DLF.6247", "DLF.6263")},
    SCRIPT_TYPE_CHANGE: "IMMUTABLE",
    "DLF.6322": "MISSING_REFERENCE",
    **{dlf: "NOT_FOUND" for dlf in NOT_FOUND_DLF.values()},
}

CATEGORY_NOUN = {
    "connections": "data connection",
    "dli_queues": "DLI queue",
    "dis_streams": "DIS stream",
    "ges_graphs": "GES graph",
    "cdm_clusters": "CDM cluster",
}


# -- primitives: plain facts in, a verdict out ------------------------------------------------


@dataclass(frozen=True)
class LockRule:
    """Under one lock policy, whether a user who does not hold an object's edit lock may write
    it, and whether a workspace admin may (reference §7.4)."""

    others_refused: bool
    admins_exempt: bool


# The planner's account of the lock policies (reference §7.4). The emulator keeps its own
# (emulator/service.py); tests/backends/test_rules_agree.py compares the two.
LOCK_RULES: dict[str, LockRule] = {
    "soft": LockRule(others_refused=False, admins_exempt=True),
    "hard": LockRule(others_refused=True, admins_exempt=True),
}
RUNNING_STATES = frozenset({SCHEDULING})  # an import of a job in these states fails (reference §7.1)


def lock_verdict(
    holder: str | None, user: str, policy: LockPolicy | str, admins: Iterable[str]
) -> tuple[str | None, str | None]:
    """(why writing is refused, a warning) when `user` writes an object `holder` has locked."""
    if not holder or holder == user:
        return None, None
    rule = LOCK_RULES.get(str(policy), LOCK_RULES["soft"])
    if not rule.others_refused:
        return None, f"takes the edit lock from {holder} ({policy} lock policy)"
    if rule.admins_exempt and user in admins:
        return None, f"takes the edit lock from {holder} as a workspace admin ({policy} lock policy)"
    return (
        f"locked by {holder} under the {policy} lock policy; {holder} must unlock it, or a workspace admin must apply",
        None,
    )


def is_running(status: str | None) -> bool:
    """A scheduling job cannot be overwritten or deleted by the import (reference §7.1)."""
    return status in RUNNING_STATES


def job_tags(body: Mapping[str, Any], remote_tags: Iterable[str] = ()) -> set[str]:
    """The tags a job carries: the workspace's, plus those its body declares in basicConfig.tags."""
    tags = set(remote_tags)
    basic = body.get("basicConfig")
    declared = basic.get("tags") if isinstance(basic, dict) else None
    if isinstance(declared, list):
        tags.update(str(tag) for tag in declared)
    return tags


def locked_tags_of(body: Mapping[str, Any], remote_tags: Iterable[str], locked: Iterable[str]) -> list[str]:
    return sorted(job_tags(body, remote_tags) & set(locked))


def locked_tag_reason(locked: list[str]) -> str:
    return f"carries the locked tag {', '.join(locked)}; unlock the tag in the console first"


def missing_references(kind: Kind, body: Mapping[str, Any], environment: Environment) -> list[tuple[str, str]]:
    """(category, name) of each connection, queue, stream or graph the body names that the
    workspace lacks. A category the backend cannot list (None) is never missing."""
    found = references(kind, body)
    missing = []
    for category in MAPPED:
        known = getattr(environment, category)
        if known is not None:
            missing += [(category, name) for name in sorted(found.get(category, set()) - known)]
    return missing


# -- the plan's rules -------------------------------------------------------------------------


def _lock_policy(environment: Environment, settings: PlanSettings) -> str:
    return environment.lock_policy or settings.policies.lock


def lock_rule(
    remote: RemoteObject | None, environment: Environment, settings: PlanSettings
) -> tuple[list[str], list[str]]:
    """(reasons to block, warnings) for the edit lock another user may hold."""
    reason, warning = lock_verdict(
        remote.locked_by if remote else None, settings.user, _lock_policy(environment, settings), environment.admins
    )
    return [reason] if reason else [], [warning] if warning else []


def running_rule(
    change: Change, remote: RemoteObject | None, settings: PlanSettings
) -> tuple[list[str], list[str], bool]:
    """(reasons, warnings, restart) for a job that is scheduling."""
    if remote is None or not is_running(remote.status):
        return [], [], False
    if settings.policies.running_jobs == "stop-and-restart":
        verb = {Action.DELETE: "deletes it", Action.RENAME: "renames it"}.get(change.action, "submits the new version")
        again = "" if change.action is Action.DELETE else " and starts it again"
        return [], [f"job is scheduling: apply stops it, {verb}{again}"], True
    return (
        [
            "job is scheduling and policies.running_jobs is fail; stop it in the console, "
            "or set running_jobs: stop-and-restart"
        ],
        [],
        False,
    )


def tag_rule(change: Change, remote: RemoteObject | None, environment: Environment) -> list[str]:
    if environment.locked_tags is None or change.action is Action.DELETE:
        return []
    locked = locked_tags_of(change.desired or {}, remote.tags if remote else (), environment.locked_tags)
    return [locked_tag_reason(locked)] if locked else []


def reference_rule(change: Change, environment: Environment, settings: PlanSettings) -> list[str]:
    """Connections, queues, streams and graphs the mapped body names must exist."""
    back = invert(settings.mappings)
    reasons = []
    for category, name in missing_references(change.key.kind, change.desired or {}, environment):
        source = back.get(category, {}).get(name)
        mapped = f" (mapped from {source!r})" if source else ""
        closest = closest_names(name, getattr(environment, category) or frozenset())
        guess = f" (did you mean {' or '.join(repr(n) for n in closest)}?)" if closest else ""
        if settings.declare_in:
            action = (
                f"the local workspace has what {settings.declare_in} lists under `local:`: "
                f"add {name!r} to local.{category} there, or map it under mappings.{category}"
            )
        else:
            action = f"create it in the console, or map it under mappings.{category}"
        reasons.append(
            f"refers to {CATEGORY_NOUN[category]} {name!r}{mapped}, which does not exist in this workspace{guess}; "
            f"{action}"
        )
    return reasons


def write_rule(change: Change, remote: RemoteObject | None) -> list[str]:
    """What the service refuses at write time (core/writecheck.py), known before apply."""
    body = change.desired or {}
    found = write_problems(change.key.kind, body)
    if change.action is Action.UPDATE and remote is not None:
        found += change_problems(change.key.kind, remote.body, body)
    return [f"{message} ({code})" for code, message in found]


def _uses(change: Change) -> dict[str, set[str]]:
    return references(change.key.kind, change.desired or {}) if change.desired else {}


PLAN_WHERE = "neither in the workspace nor created by this plan"


def dependency_rule(change: Change, exists: set[ObjectKey], creating: set[ObjectKey]) -> list[str]:
    """Scripts the job runs and jobs it depends on must exist or be created by this apply; the
    reason names the closest names there are and what to do (core/validate.py's wording)."""
    if change.key.kind is not Kind.JOB or change.action is Action.DELETE:
        return []
    uses = _uses(change)
    reasons = []
    for category, kind in ((SCRIPTS, Kind.SCRIPT), (JOBS, Kind.JOB)):
        for name in sorted(uses.get(category, ())):
            key = ObjectKey(kind, name)
            if key not in exists and key not in creating:
                known = {k.name for k in exists | creating if k.kind is kind and k != change.key}  # only now: rare
                reasons.append(reference_message(category, name, closest_names(name, known), where=PLAN_WHERE))
    return reasons


def variable_rule(change: Change, defined: set[str]) -> list[str]:
    """`#{Env.get("x")}` needs x defined: in variables.yaml, or in the workspace and not deleted."""
    if change.key.kind not in (Kind.JOB, Kind.SCRIPT) or change.action is Action.DELETE:
        return []
    missing = sorted(env_variables(change.desired or {}) - defined)
    return [
        f'reads environment variable {name!r} (#{{Env.get("{name}")}}), which is defined neither in '
        "this workspace nor in its variables.yaml; add it to variables.yaml"
        for name in missing
    ]


def defined_variables(changes: list[Change], desired: Mapping[ObjectKey, Spec], snapshot: Snapshot) -> set[str]:
    """Variable names that exist after apply: the repo's, and the workspace's that are not deleted."""
    deleted = {c.key for c in changes if c.action is Action.DELETE}
    names = {key.name for key in desired if key.kind is Kind.VARIABLE}
    return names | {key.name for key in snapshot.objects if key.kind is Kind.VARIABLE and key not in deleted}


def _block(change: Change, reasons: list[str]) -> Change:
    return dataclasses.replace(
        change,
        action=Action.BLOCKED,
        intended=change.action,
        reason="; ".join(reasons),
        restart=False,
    )


def _check(
    change: Change,
    snapshot: Snapshot,
    settings: PlanSettings,
    exists: set[ObjectKey],
    creating: set[ObjectKey],
    variables: set[str],
) -> Change:
    was = ObjectKey(change.key.kind, change.renamed_from) if change.renamed_from else change.key
    remote = snapshot.objects.get(was)
    environment = snapshot.environment
    reasons, warnings = lock_rule(remote, environment, settings)
    restart = False
    if change.key.kind is Kind.JOB:
        running, more, restart = running_rule(change, remote, settings)
        reasons += running + tag_rule(change, remote, environment)
        warnings += more
    if change.key.kind is Kind.CDM_JOB and remote is not None:
        running, more, restart = cdmrules.running_rule(remote.status, settings.policies.running_jobs, change.action)
        reasons += running
        warnings += more
    if change.action is not Action.DELETE:
        reasons += write_rule(change, remote)
        reasons += reference_rule(change, environment, settings)
        reasons += dependency_rule(change, exists, creating)
        reasons += variable_rule(change, variables)
        reasons += cdmrules.reasons(change, exists | creating, environment)
    if reasons:
        return _block(change, reasons)
    return dataclasses.replace(change, warnings=tuple(warnings), restart=restart)


def _still_used(desired: Mapping[ObjectKey, Spec]) -> dict[ObjectKey, list[str]]:
    """Objects a desired job uses: deleting them would break it."""
    users: dict[ObjectKey, list[str]] = {}
    for spec in desired.values():
        if spec.kind in (Kind.JOB, Kind.SCRIPT):
            for name in env_variables(spec.body):
                users.setdefault(ObjectKey(Kind.VARIABLE, name), []).append(f"{spec.kind.value} {spec.name}")
        if spec.kind is not Kind.JOB:
            continue
        uses = references(Kind.JOB, spec.body)
        for name in uses.get(SCRIPTS, ()):
            users.setdefault(ObjectKey(Kind.SCRIPT, name), []).append(spec.name)
        for name in uses.get(JOBS, ()):
            users.setdefault(ObjectKey(Kind.JOB, name), []).append(spec.name)
    return users


def _propagate(changes: list[Change], snapshot: Snapshot) -> list[Change]:
    """A job that needs an object whose creation is blocked is blocked too, until nothing moves."""
    by_key = {change.key: change for change in changes}
    moved = True
    while moved:
        moved = False
        for change in list(by_key.values()):
            if change.action not in (Action.CREATE, Action.UPDATE, Action.RENAME) or change.key.kind is not Kind.JOB:
                continue
            uses = referenced_keys(Kind.JOB, change.desired or {})
            needed = sorted(
                (k for k in uses if k.kind is not Kind.RESOURCE), key=lambda k: (k.kind is Kind.JOB, k.name)
            )  # scripts first, as before
            waiting = [
                str(key)
                for key in needed
                if key not in snapshot.objects and by_key.get(key, change).action is Action.BLOCKED
            ]
            if waiting:
                by_key[change.key] = _block(change, [f"needs {', '.join(waiting)}, which is blocked"])
                moved = True
    return [by_key[change.key] for change in changes]


def apply_rules(
    changes: list[Change], desired: Mapping[ObjectKey, Spec], snapshot: Snapshot, settings: PlanSettings
) -> list[Change]:
    exists = set(snapshot.objects)
    creating = {c.key for c in changes if c.action in (Action.CREATE, Action.RENAME)}
    # Only deletes need it, and it reads every job in the repo: skip it on plans without one.
    deleting = any(c.action is Action.DELETE for c in changes)
    users = _still_used(desired) if deleting else {}
    variables = defined_variables(changes, desired, snapshot)
    checked = []
    for change in changes:
        if change.action in (Action.CREATE, Action.UPDATE, Action.DELETE, Action.RENAME):
            change = _check(change, snapshot, settings, exists, creating, variables)
        if change.action is Action.DELETE and change.key in users:
            names = ", ".join(sorted(users[change.key]))
            user = "" if change.key.kind is Kind.VARIABLE else "job "
            change = _block(change, [f"still used by {user}{names} in the repo"])
        checked.append(change)
    return _propagate(checked, snapshot)

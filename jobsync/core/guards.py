"""The delete guard: a plan that would delete a lot is blocked until someone confirms it.

`rm -rf workspaces/dev/jobs` (or a renamed folder) with `prune: true` used to plan the
deletion of every job, and apply carried it out. A plan is now blocked when its deletes

* leave the workspace without any object of a kind it holds now (all its jobs, all its
  scripts ...), or
* are more than `policies.max_deletes` (default: 10 objects or 20% of the workspace's
  objects, whichever is larger),

and each blocked delete says how many and how to confirm: `--allow-mass-delete` on plan and
apply, or a higher `policies.max_deletes` in workspace.yaml.
"""

from __future__ import annotations

import dataclasses
import math
from collections import Counter
from collections.abc import Iterable

from jobsync.core.model import ObjectKey
from jobsync.core.plan import Action, Plan

DEFAULT_MAX_DELETES = 10
DEFAULT_MAX_SHARE = 0.2


def delete_limit(max_deletes: int | None, workspace_objects: int) -> int:
    if max_deletes is not None:
        return max_deletes
    return max(DEFAULT_MAX_DELETES, math.floor(DEFAULT_MAX_SHARE * workspace_objects))


def mass_delete_reason(plan: Plan, present: Iterable[ObjectKey]) -> str | None:
    """Why the plan's deletes need a confirmation, or None."""
    deletes = [c.key for c in plan.changes if c.action is Action.DELETE]
    if not deletes:
        return None
    held = Counter(key.kind for key in present)
    deleting = Counter(key.kind for key in deletes)
    limit = delete_limit(plan.settings.policies.max_deletes, sum(held.values()))
    creating = {c.key.kind for c in plan.changes if c.action is Action.CREATE}
    whole = [
        kind
        for kind, count in sorted(deleting.items(), key=lambda item: item[0].value)
        if count >= held[kind] and kind not in creating
    ]
    if whole:
        kinds = ", ".join(f"all {held[kind]} {kind.value}(s)" for kind in whole)
        what = f"this plan deletes {kinds} in the workspace"
    elif len(deletes) > limit:
        what = f"this plan deletes {len(deletes)} objects, more than policies.max_deletes ({limit})"
    else:
        return None
    return (
        f"{what}; if that is intended, run again with --allow-mass-delete (or raise policies.max_deletes "
        "in workspace.yaml); if not, check that the repo still has the workspace's files"
    )


def guard_deletes(plan: Plan, present: Iterable[ObjectKey], *, allow: bool) -> Plan:
    """The plan with its deletes BLOCKED when they need a confirmation that `allow` does not give."""
    reason = None if allow else mass_delete_reason(plan, present)
    if reason is None:
        return plan
    changes = tuple(
        dataclasses.replace(c, action=Action.BLOCKED, intended=Action.DELETE, reason=reason)
        if c.action is Action.DELETE
        else c
        for c in plan.changes
    )
    return dataclasses.replace(plan, changes=changes)

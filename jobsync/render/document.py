"""The plan as one JSON-shaped document; the text and Markdown views read this, not the Plan.

Its schema is schemas/plan.v1.json; `format_version` changes when a field changes meaning.
NOOP changes are counted in the summary but not listed.

Version 1.1 adds, without changing any 1.0 field: the `rename` action (with `renamed_from`,
and a `rename` count in the summary), the `release` section of an enterprise-mode
workspace and the `checks` section of a repo with policies.yaml. A plan that uses none is
written as 1.0, byte for byte what 1.0 readers know.
"""

from __future__ import annotations

from typing import Any

from jobsync.core.plan import Action, Change, Plan, Source

FORMAT_VERSION = "1.0"  # what a plan using nothing newer is written as (and the diff document)
NEWEST_VERSION = "1.1"  # the newest this version writes and reads
SUMMARY_ORDER = ("create", "update", "delete", "skip", "blocked")


def change_to_dict(change: Change) -> dict[str, Any]:
    entry: dict[str, Any] = {
        "kind": change.key.kind.value,
        "name": change.key.name,
        "directory": change.directory,
        "action": change.action.value,
        "reason": change.reason,
        "diff": [field.to_dict() for field in change.diff],
    }
    if change.renamed_from is not None:
        entry["renamed_from"] = change.renamed_from
    if change.intended is not None:
        entry["intended"] = change.intended.value
    if change.warnings:
        entry["warnings"] = list(change.warnings)
    if change.restart:
        entry["restart"] = True
    if change.schedule is not None and change.action not in (Action.START, Action.STOP):
        entry["schedule"] = change.schedule
    entry["before_fingerprint"] = change.before_fingerprint
    entry["after_fingerprint"] = change.after_fingerprint
    return entry


def plan_to_document(plan: Plan) -> dict[str, Any]:
    settings = plan.settings
    summary = plan.summary
    newer = bool(summary.get("rename")) or plan.release is not None or plan.checks is not None
    if not summary.get("rename"):
        summary.pop("rename", None)
    document = {
        "format_version": NEWEST_VERSION if newer else FORMAT_VERSION,
        "workspace": settings.workspace,
        "backend": settings.backend,
        "user": settings.user,
        "policies": {
            "duplicate_name": settings.policies.duplicate_name,
            "lock": settings.policies.lock,
            "running_jobs": settings.policies.running_jobs,
            "prune": settings.policies.prune,
        },
        "repo": {"commit": plan.repo_commit, "dirty": plan.repo_dirty},
        "source": source_to_dict(settings.source),
        "selection": None if plan.selection is None else list(plan.selection),
        "summary": summary,
        "changes": [change_to_dict(c) for c in plan.changes if c.action is not Action.NOOP],
        "impact": {
            name: {"upstream": list(i.upstream), "downstream": list(i.downstream), "affected": list(i.affected)}
            for name, i in sorted(plan.impact.items())
        },
    }
    if plan.release is not None:
        document["release"] = dict(plan.release)
    if plan.verify is not None:
        document["verify"] = dict(plan.verify)
    if plan.closed is not None:
        document["deploy_window"] = {"closed": plan.closed}
    if plan.checks is not None:
        document["checks"] = plan.checks.to_dict()
    return document


def window_line(document: dict[str, Any]) -> str | None:
    """The header line of a plan made outside the deploy windows."""
    closed = (document.get("deploy_window") or {}).get("closed")
    return f"Deploy window closed: {closed}; apply will change nothing." if closed else None


def verify_line(document: dict[str, Any]) -> str | None:
    """The header line saying what apply will run once after applying."""
    verify = document.get("verify")
    if not verify:
        return None
    if verify.get("forbidden"):
        return f"Verify: apply runs nothing ({verify['forbidden']})."
    runs = verify.get("runs") or []
    if not runs:
        return "Verify: apply runs nothing (no job or script to verify)."
    return f"Verify: after applying, apply runs once: {', '.join(runs)} (on failure: {verify.get('on_failure')})."


def source_to_dict(source: Source | None) -> dict[str, Any] | None:
    if source is None:
        return None
    return {"workspace": source.workspace, "ref": source.ref, "commit": source.commit}


def source_line(document: dict[str, Any]) -> str | None:
    """`source dev @ v2026.11.3 (a1b2c3d)` for a workspace that deploys another's definitions."""
    source = document.get("source")
    if not source:
        return None
    if source.get("ref") is None:
        return f"source {source['workspace']} @ working tree"
    return f"source {source['workspace']} @ {source['ref']} ({(source.get('commit') or '?')[:7]})"


def schedule_line(document: dict[str, Any]) -> str | None:
    """How many jobs apply starts and stops (workspace.yaml `scheduling`), when any."""
    changes = document["changes"]
    start = sum(1 for c in changes if c["action"] == "start" or c.get("schedule") == "start")
    stop = sum(1 for c in changes if c["action"] == "stop" or c.get("schedule") == "stop")
    return f"Schedule: {start} to start, {stop} to stop." if start or stop else None


def summary_line(summary: dict[str, int]) -> str:
    """The one-line summary people parse; keep its wording stable."""
    renamed = f"{summary['rename']} to rename, " if summary.get("rename") else ""
    return (
        f"Plan: {summary['create']} to create, {summary['update']} to update, {renamed}"
        f"{summary['delete']} to delete, {summary['skip']} skipped, {summary['blocked']} blocked."
    )


def has_changes(document: dict[str, Any]) -> bool:
    summary = document["summary"]
    return any(summary.get(action) for action in ("create", "update", "delete", "start", "stop", "rename"))


def release_lines(release: dict[str, Any]) -> list[str]:
    """What apply will do in an enterprise-mode workspace, in words (text and Markdown)."""
    approvers = " or ".join(release["approvers"]) or "a deployer or admin"
    start = (
        "jobs start after the release"
        if release["startup_mode"] == "start"
        else "jobs keep their schedule state after the release"
    )
    packages = release.get("packages", 1)
    noun = "a release package" if packages == 1 else f"{packages} release packages (at most 100 tasks each)"
    return [
        f"Enterprise mode: this plan compares the repo with the {release['actual']} environment.",
        f"Apply writes the {release.get('target', 'development')} environment, submits, and bundles "
        f"{release.get('tasks', 0)} task(s) into {noun} named {release['package_name']!r}; "
        f"{approvers} must release {'it' if packages == 1 else 'them'} "
        f"(startup_mode {release['startup_mode']}: {start}).",
    ]

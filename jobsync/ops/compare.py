"""`jobsync diff A B`: what promoting workspace A to workspace B would change, field by field,
from the repo alone (no workspace is read).

When B deploys A's definitions (B's `source.workspace` is A), the comparison is B as it is
against B with its source moved to A's working tree: A's files through B's mappings,
overrides and variables, exactly what `promote` would make B's plan show. Otherwise it is A's
rendered desired objects against B's.
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Any

from jobsync.core import mergepatch
from jobsync.core.diff import field_changes
from jobsync.core.model import Kind, ObjectKey, Spec
from jobsync.core.normalize import comparable
from jobsync.core.planner import describe, differing
from jobsync.render.document import FORMAT_VERSION, source_to_dict
from jobsync.repo import layers
from jobsync.repo.config import SourceSetting, load_workspace


def _entry(key: ObjectKey, action: str, reason: str, diff: list[dict[str, Any]]) -> dict[str, Any]:
    return {"kind": key.kind.value, "name": key.name, "action": action, "reason": reason, "diff": diff}


def compare_specs(before: Mapping[ObjectKey, Spec], after: Mapping[ObjectKey, Spec]) -> list[dict[str, Any]]:
    """One entry per object that differs, in apply order (kind, then name)."""
    entries = []
    for key in sorted(set(before) | set(after), key=lambda k: (list(Kind).index(k.kind), k.name)):
        old, new = before.get(key), after.get(key)
        if old is None and new is not None:
            reason = f"{new.body.get('value')!r}" if key.kind is Kind.VARIABLE else describe(new)
            entries.append(_entry(key, "create", reason, []))
        elif new is None and old is not None:
            entries.append(_entry(key, "delete", "only in the target", []))
        elif old is not None and new is not None:
            a, b = comparable(key.kind, old.body), comparable(key.kind, new.body)
            if not mergepatch.same(a, b):
                diff = field_changes(a, b)
                if diff:
                    entries.append(_entry(key, "update", differing(diff), [d.to_dict() for d in diff]))
    return entries


def diff_workspaces(root: Path, a: str, b: str) -> dict[str, Any]:
    """The diff document (schemas/diff.v1.json) of promoting workspace `a` to `b`."""
    config_a, config_b = load_workspace(root, a), load_workspace(root, b)
    current = layers.desired(config_b)
    if config_b.source is not None and config_b.source.workspace == a:
        promoted = layers.desired(layers.with_source(config_b, SourceSetting(a, None)))
        mode = "source"
    else:
        promoted = layers.desired(config_a)
        mode = "objects"
    changes = compare_specs(current.specs, promoted.specs)
    summary = {action: sum(1 for c in changes if c["action"] == action) for action in ("create", "update", "delete")}
    return {
        "format_version": FORMAT_VERSION,
        "from": a,
        "to": b,
        "mode": mode,
        "source": {"before": source_to_dict(current.source), "after": source_to_dict(promoted.source)}
        if mode == "source"
        else None,
        "summary": summary,
        "changes": changes,
    }

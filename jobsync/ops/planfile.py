"""Saved plans (`plan --out`): reading one back, and refusing it when it went stale."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from jobsync.errors import IncompatibleFormatError, JobsyncError, StalePlanError
from jobsync.render.document import NEWEST_VERSION

COMPARED = ("action", "before_fingerprint", "after_fingerprint")


def read(path: Path, *, workspace: str) -> dict[str, Any]:
    try:
        document = json.loads(path.read_text(encoding="utf-8"))
    except OSError as error:
        raise JobsyncError(f"{path}: cannot read the plan file ({error.strerror})") from None
    except json.JSONDecodeError as error:
        raise JobsyncError(
            f"{path}:{error.lineno}: not a jobsync plan file ({error.msg}); make one with `jobsync plan --out FILE`"
        ) from None
    if not isinstance(document, dict) or "format_version" not in document:
        raise JobsyncError(
            f"{path}: not a jobsync plan file (no format_version); make one with `jobsync plan --out FILE`"
        )
    found = str(document["format_version"])
    if found.split(".")[0] != NEWEST_VERSION.split(".")[0] or found > NEWEST_VERSION:
        raise IncompatibleFormatError(path=str(path), expected=NEWEST_VERSION, found=found)
    if document.get("workspace") != workspace:
        raise JobsyncError(
            f"{path}: this plan is for workspace {document.get('workspace')!r}, not {workspace!r}; "
            f"run `jobsync apply -w {document.get('workspace')} {path}` or make a plan for {workspace}"
        )
    return document


def _by_key(document: dict[str, Any]) -> dict[tuple[str, str], dict[str, Any]]:
    return {(c["kind"], c["name"]): c for c in document["changes"]}


def check_fresh(saved: dict[str, Any], current: dict[str, Any]) -> None:
    """Raise StalePlanError naming every object whose planned change is no longer the same."""
    old, new = _by_key(saved), _by_key(current)
    stale = []
    for key in sorted(set(old) | set(new)):
        a, b = old.get(key), new.get(key)
        if a is None or b is None or any(a.get(f) != b.get(f) for f in COMPARED):
            stale.append(f"{key[0]} {key[1]}")
    if stale:
        raise StalePlanError(stale)

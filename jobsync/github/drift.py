"""The drift pull request: what the scheduled export found in the console, for review.

The drift workflow exports a workspace onto the branch `jobsync/drift/<workspace>` (reset to
the base branch first, so the branch holds one export commit). When the export committed
something, `open_or_update` opens a pull request from that branch, or, when one is already
open, updates its title and body: there is at most one drift PR per workspace.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from jobsync.core.inert import inert
from jobsync.github.api import GitHub

BRANCH = "jobsync/drift/{workspace}"
TITLE_LIMIT = 200
TRAILER = re.compile(r"^Changed-by:\s*(.+?)\s*$", re.MULTILINE)


@dataclass(frozen=True)
class DriftPull:
    action: str  # "opened" or "updated"
    number: int
    url: str


def console_users(message: str) -> list[str]:
    """The users named in an export commit message's `Changed-by:` trailers."""
    return sorted(set(TRAILER.findall(message)))


def objects_of(export: Mapping[str, Any]) -> list[str]:
    """Changed objects from `jobsync export`'s JSON, e.g. ["job daily_sales", ...]."""
    parts = ("changed", "added", "removed")
    return [str(name) for part in parts for name in export.get(part) or ()]


def title(workspace: str, objects: Sequence[str]) -> str:
    """`Drift in <workspace>: job a, script b (+3 more)`, kept under GitHub's title length."""
    head = f"Drift in {workspace}: "
    shown: list[str] = []
    for count, name in enumerate(objects):
        rest = len(objects) - count - 1
        more = f" (+{rest} more)" if rest else ""
        if len(head) + len(", ".join([*shown, name])) + len(more) > TITLE_LIMIT:
            return head + ", ".join(shown) + f" (+{len(objects) - count} more)"
        shown.append(name)
    return head + (", ".join(shown) or "no object changes")


def body(workspace: str, export: Mapping[str, Any], users: Sequence[str]) -> str:
    lines = [f"The scheduled `jobsync export` found that workspace `{workspace}` differs from git.", ""]
    for part, verb in (("changed", "changed"), ("added", "created"), ("removed", "deleted")):
        names = export.get(part) or []
        lines += [f"- {verb} in the console: `{name}`" for name in names]
    lines.append("")
    if users:
        lines += [f"Changed in the console by: {', '.join(users)}.", ""]
    lines += [
        "- **Keep** the console edits: review and merge this pull request.",
        "- **Revert** them: close it and re-run the apply workflow "
        f"(`jobsync apply -w {workspace}`) to put git's version back.",
        "",
        "This pull request is updated by the next drift check; do not push to its branch.",
    ]
    return "\n".join(lines) + "\n"


def open_or_update(github: GitHub, *, branch: str, base: str, title: str, body: str) -> DriftPull:
    title, body = inert(title), inert(body)
    owner = github.repository.split("/")[0]
    params = {"state": "open", "head": f"{owner}:{branch}", "base": base}
    for pull in github.get_all("pulls", params):
        if pull.get("head", {}).get("ref", branch) == branch:
            done = github.patch(f"pulls/{pull['number']}", {"title": title, "body": body})
            return DriftPull("updated", int(done["number"]), str(done.get("html_url", "")))
    done = github.post(
        "pulls", {"title": title, "head": branch, "base": base, "body": body, "maintainer_can_modify": True}
    )
    return DriftPull("opened", int(done["number"]), str(done.get("html_url", "")))

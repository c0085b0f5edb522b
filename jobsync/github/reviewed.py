"""The plan a pull request's reviewers saw, for `apply --reviewed` after the merge.

The plan workflow uploads each workspace's plan JSON as the artifact `jobsync-plan-<head sha>`
(the pull request's head commit when it was planned). After the merge, the apply workflow
finds the merged pull request of the pushed commit, the artifact of that pull request's last
head commit, and takes the workspace's plan from it. No artifact means the head was never
planned (or its plan expired): the apply is refused with that reason, nothing is applied.
"""

from __future__ import annotations

import io
import json
import zipfile
from dataclasses import dataclass
from typing import Any

from jobsync.errors import JobsyncError
from jobsync.github.api import GitHub

ARTIFACT = "jobsync-plan-{sha}"
MAX_PLAN_BYTES = 256 * 1024 * 1024


class NotReviewedError(JobsyncError):
    """There is no reviewed plan to apply."""


@dataclass(frozen=True)
class Reviewed:
    pull: int
    head: str
    artifact: str
    plan: bytes


def merged_pull(github: GitHub, commit: str) -> dict[str, Any]:
    """The pull request the pushed commit merged."""
    pulls = list(github.get_all(f"commits/{commit}/pulls"))
    merged = [p for p in pulls if p.get("merged_at") or p.get("merge_commit_sha") == commit]
    if not (merged or pulls):
        raise NotReviewedError(
            f"refused: commit {commit[:12]} did not come from a pull request, so there is no reviewed plan "
            "to apply; merge changes through a pull request (or run `jobsync apply` by hand after a review)"
        )
    return (merged or pulls)[0]


def latest_artifact(github: GitHub, name: str) -> dict[str, Any] | None:
    found = github.get("actions/artifacts", {"name": name, "per_page": 100}).get("artifacts") or []
    usable = [a for a in found if a.get("name") == name and not a.get("expired")]
    return max(usable, key=lambda a: (str(a.get("created_at") or ""), int(a["id"])), default=None)


def plan_from_zip(data: bytes, workspace: str, where: str) -> bytes:
    """`<workspace>.json` from the artifact's zip, read by its exact name (no paths from the zip)."""
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
        info = archive.getinfo(f"{workspace}.json")
    except zipfile.BadZipFile:
        raise JobsyncError(f"{where} is not a zip archive; re-run the plan workflow") from None
    except KeyError:
        raise NotReviewedError(
            f"refused: {where} has no plan for workspace {workspace} (the pull request's plan did not cover it, "
            "or planning it failed); re-run the plan workflow, review its plan of "
            f"{workspace}, then re-run this apply"
        ) from None
    if info.file_size > MAX_PLAN_BYTES:
        raise JobsyncError(f"{where}: {workspace}.json is {info.file_size} bytes, over {MAX_PLAN_BYTES}")
    return archive.read(info)


def reviewed_plan(github: GitHub, commit: str, workspace: str) -> Reviewed:
    pull = merged_pull(github, commit)
    number, head = int(pull["number"]), str((pull.get("head") or {}).get("sha") or "")
    name = ARTIFACT.format(sha=head)
    artifact = latest_artifact(github, name) if head else None
    if artifact is None:
        raise NotReviewedError(
            f"refused: the head commit {head[:12] or '?'} of pull request #{number} was never planned "
            f"(no {name} artifact, or it expired), so nothing reviewed can be applied to {workspace}; "
            "re-run the plan workflow on the pull request's last commit, review the plan, then re-run this apply"
        )
    where = f"artifact {name} (id {artifact['id']})"
    data = github.download(f"actions/artifacts/{artifact['id']}/zip")
    plan = plan_from_zip(data, workspace, where)
    made_at = _commit_of(plan)
    if made_at != head:
        raise NotReviewedError(
            f"refused: {where} holds a plan of {workspace} made at commit {str(made_at)[:12]!r}, not at the pull "
            f"request's head {head[:12]} that it is named for; re-run the plan workflow on the pull request's last "
            "commit, review the plan, then re-run this apply"
        )
    return Reviewed(number, head, name, plan)


def _commit_of(plan: bytes) -> object:
    """The `repo.commit` of a plan document (None when it is not one: `apply --reviewed` says why)."""
    try:
        document = json.loads(plan)
    except ValueError:
        return None
    repo = document.get("repo") if isinstance(document, dict) else None
    return repo.get("commit") if isinstance(repo, dict) else None

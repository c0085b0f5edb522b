"""Exceptions to the team's rules, approved in the pull request by an owner of the rule.

A failure of a rule with `owners` is approved when one of them approved the pull request (a
review whose latest state is APPROVED) on its head commit: a login listed as an owner, or a
member of a listed team (`org/team`, read through the teams API). A review of an older commit
does not count, so a new push needs a new approval. The workflow says which pull request and
which head it planned: JOBSYNC_PR and JOBSYNC_HEAD_SHA (else the pull request's head now).
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterable, Mapping
from typing import Any

from jobsync.core.teamrules import Failure
from jobsync.errors import RemoteError
from jobsync.github.api import GitHub

Approvals = dict[tuple[str, str, str], tuple[str, str]]  # (rule, kind, name) -> (who, commit)


def _approvers(reviews: Iterable[Mapping[str, Any]], head: str) -> list[str]:
    """Who approved `head` and has not since asked for changes or been dismissed."""
    latest: dict[str, Mapping[str, Any]] = {}
    for review in reviews:
        login = str((review.get("user") or {}).get("login") or "")
        if login and review.get("state") in ("APPROVED", "CHANGES_REQUESTED", "DISMISSED"):
            latest[login] = review  # the API lists reviews oldest first
    return sorted(
        login
        for login, review in latest.items()
        if review.get("state") == "APPROVED" and review.get("commit_id") == head
    )


def _member(github: GitHub, team: str, login: str) -> bool:
    org, _, slug = team.lstrip("@").partition("/")
    try:
        found = github.request("GET", f"{github.api_url}/orgs/{org}/teams/{slug}/memberships/{login}").json()
    except RemoteError as error:
        if error.status == 404:
            return False
        raise
    return bool(found.get("state") == "active")


def _owner(github: GitHub, owners: Iterable[str], login: str, cache: dict[tuple[str, str], bool]) -> bool:
    for owner in owners:
        if "/" not in owner:
            if owner.lstrip("@").lower() == login.lower():
                return True
            continue
        key = (owner, login)
        if key not in cache:
            cache[key] = _member(github, owner, login)
        if cache[key]:
            return True
    return False


def read(github: GitHub, pull: int, failures: Iterable[Failure], head: str | None = None) -> tuple[str, Approvals]:
    """(the head commit, the approvals of `failures` given on it in pull request `pull`)."""
    if not head:
        head = str(((github.get(f"pulls/{pull}").get("head")) or {}).get("sha") or "")
    approvers = _approvers(github.get_all(f"pulls/{pull}/reviews"), head) if head else []
    found: Approvals = {}
    cache: dict[tuple[str, str], bool] = {}
    for failure in failures:
        if failure.severity != "error" or not failure.owners:
            continue
        who = next((login for login in approvers if _owner(github, failure.owners, login, cache)), None)
        if who is not None:
            found[failure.key] = (who, head)
    return head, found


def from_environment(
    failures: Iterable[Failure], say: Callable[[str], None], env: Mapping[str, str] | None = None
) -> tuple[str | None, Approvals]:
    """The approvals of the pull request the workflow plans (JOBSYNC_PR), when GitHub is
    reachable (GITHUB_TOKEN, GITHUB_REPOSITORY); (None, {}) at a terminal."""
    env = os.environ if env is None else env
    pull = env.get("JOBSYNC_PR", "").strip().lstrip("#")
    wanted = [f for f in failures if f.severity == "error" and f.owners]
    if not pull.isdigit() or not env.get("GITHUB_TOKEN") or not env.get("GITHUB_REPOSITORY") or not wanted:
        return None, {}
    head, found = read(GitHub.from_env(env), int(pull), wanted, env.get("JOBSYNC_HEAD_SHA") or None)
    say(f"read the reviews of pull request #{pull} at {head[:12]}: {len(found)} rule failure(s) approved by an owner")
    return head, found

"""Release packages of an enterprise-mode workspace over the V2 API (reference §11.2).

Pending items are what was submitted in the development environment and not released yet;
a package bundles up to 100 of them; a deployer or admin releases it (asynchronously) or
cancels it. `deploy_status`: 1 pending release, 2 released, 3 failed, 5 releasing; the
emulator adds 4 for a cancelled package (the service documents no value for it).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from jobsync.backends.dataarts.http import SignedClient
from jobsync.backends.dataarts.lock import MARKER_NAME
from jobsync.errors import ServiceError

MOST_TASKS = 100  # tasks per release package (reference §11.2)
STATES = {1: "pending release", 2: "released", 3: "failed", 4: "cancelled", 5: "releasing"}
FINAL = frozenset({2, 3, 4})
KIND_OF_TASK = {1: "job", 2: "script", 3: "resource"}
UPDATE = {1: "add", 2: "change", 3: "delete"}


@dataclass(frozen=True)
class Package:
    """One release package as the service lists it; `tasks` only from the detail call."""

    id: str
    name: str
    status: int
    applied_by: str | None = None
    applied_ms: int | None = None
    released_by: str | None = None
    released_ms: int | None = None
    approvers: tuple[str, ...] = ()
    tasks: tuple[Mapping[str, Any], ...] = field(default=(), compare=False)

    @property
    def state(self) -> str:
        return STATES.get(self.status, f"state {self.status}")

    @property
    def final(self) -> bool:
        return self.status in FINAL

    def to_dict(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "name": self.name,
            "state": self.state,
            "deploy_status": self.status,
            "applied_by": self.applied_by,
            "applied_ms": self.applied_ms,
            "released_by": self.released_by,
            "released_ms": self.released_ms,
            "approvers": list(self.approvers),
            "tasks": [
                {
                    "kind": KIND_OF_TASK.get(int(task.get("task_type") or 0), "?"),
                    "name": task.get("item_name"),
                    "update": UPDATE.get(int(task.get("update_type") or 0), "?"),
                    "version": task.get("pending_version"),
                    "state": STATES.get(int(task.get("deploy_status") or 0), "?"),
                }
                for task in self.tasks
            ],
        }


def package_of(item: Mapping[str, Any], tasks: Sequence[Mapping[str, Any]] = ()) -> Package:
    approvers = tuple(str(a.get("approver_name") or a.get("approver_id")) for a in item.get("package_approvers") or ())
    return Package(
        id=str(item.get("package_id")),
        name=str(item.get("package_name")),
        status=int(item.get("deploy_status") or 0),
        applied_by=item.get("apply_user_name"),
        applied_ms=item.get("apply_timestamp"),
        released_by=item.get("deploy_user_name"),
        released_ms=item.get("deploy_timestamp"),
        approvers=approvers,
        tasks=tuple(tasks),
    )


class Releases:
    """The release-package calls, on the V2 client of a DataArtsWorkspace."""

    def __init__(self, client: SignedClient) -> None:
        self.client = client

    def path(self, *segments: str) -> str:
        return self.client.path("factory", *segments, version="v2")

    def pending_items(self) -> list[Mapping[str, Any]]:
        """Every pending item, packaged or not, except the workspace lock's marker script
        (dataarts/lock.py): creating it makes a pending item that is never released."""
        found: list[Mapping[str, Any]] = []
        while True:
            reply = self.client.get_json(self.path("pending-items"), [("limit", 100), ("offset", len(found))])
            page = list(reply.get("data") or [])
            found += page
            if len(page) < 100 or len(found) >= int(reply.get("total") or 0):
                return [item for item in found if item.get("item_name") != MARKER_NAME]

    def create(self, name: str, item_ids: Sequence[str], approvers: Sequence[str], apply_user: str) -> str:
        if len(item_ids) > MOST_TASKS:
            raise ValueError(f"a release package holds at most {MOST_TASKS} tasks")
        body = {
            "apply_user_id": apply_user,
            "package_name": name,
            "pending_item_list": list(item_ids),
            "approver_ids": list(approvers),
        }
        reply = self.client.call("POST", self.path("pending-items", "package"), body=body, replay_safe=False).json()
        return str(reply.get("release_package_id"))

    def packages(self, key_word: str = "") -> list[Package]:
        found: list[Package] = []
        while True:
            body = {"key_word": key_word, "limit": 100, "offset": len(found)}
            reply = self.client.call("POST", self.path("release-packages"), body=body).json()
            page = [package_of(item) for item in reply.get("data") or []]
            found += page
            if len(page) < 100 or len(found) >= int(reply.get("total") or 0):
                return found

    def package(self, package_id: str) -> Package:
        reply = self.client.get_json(self.path("release-packages", package_id))
        return package_of(reply.get("release_package") or {}, reply.get("task_details") or [])

    def deploy(self, package_ids: Sequence[str], *, start: bool) -> list[Mapping[str, Any]]:
        body = {"package_ids": list(package_ids), "startup_mode": 1 if start else 0}
        reply = self.client.call("POST", self.path("release-packages", "deploy"), body=body, replay_safe=False)
        return list(reply.json().get("deploy_package_details") or [])

    def cancel(self, package_ids: Sequence[str]) -> None:
        self.client.call("POST", self.path("release-packages", "unpack"), body={"package_ids": list(package_ids)})


def workspace_mode(client: SignedClient, instance_id: str, workspace_id: str) -> str:
    """ "enterprise" or "simple", from the workspace show API's `mode` (0 simple, 1 enterprise)."""
    try:
        reply = client.get_json(client.path("workspaces", instance_id, workspace_id))
    except ServiceError as error:
        raise ServiceError(
            error.status, error.code, f"cannot read the mode of workspace {workspace_id}: {error.message}", None
        ) from None
    return "enterprise" if str(reply.get("mode")) == "1" else "simple"

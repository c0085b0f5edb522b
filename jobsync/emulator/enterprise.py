"""Enterprise-mode workspaces (reference §11.1, §11.2): a development and a production
environment in one workspace, pending items, release packages, roles.

A workspace document is in enterprise mode when it says `"mode": "enterprise"`. It then holds:

    production    a workspace document of its own: the production environment
    roles         {user: "developer" | "deployer" | "operator" | "admin"}; users in `admins`
                  are admins; anyone else is a developer
    pendingItems  what was submitted in development and is not released yet
    packages      release packages, each with the pending items it bundles

The open point of §11.1 (how V1 calls address an environment) is read here as: V1 calls
address the development environment; with the header `env-type: 1` (the value data
connections use for production) they read the production environment, which refuses every
write: production changes only through a release. Submitting a job (import) or saving a
script or resource in development, and deleting anything there, records a pending item
(V1 has no script submit: a save counts as one). Permissions (01_5100): developers write
development and build packages; deployers release and cancel packages only; operators
read; admins do everything. Refusals answer DLF.9907 (invented).

Releasing is asynchronous: `release-packages/deploy` answers at once with a task id, the
package is "releasing" (5) until a background thread has applied it to production, then
"succeeded" (2) or "failed" (3). Cancelling (`unpack`) a package that is not released sets
it to 4 (invented: the documented states are 1, 2, 3 and 5) and returns its items to the
pending list. A release is not held back by edit locks (reference §7.4).
"""

from __future__ import annotations

import copy
import threading
import uuid
from collections.abc import Callable
from typing import Any

from jobsync.backends.document import WorkspaceDocument, now_ms
from jobsync.core.model import Kind
from jobsync.core.snapshot import SCHEDULING, STOPPED
from jobsync.emulator.http import INVALID, ApiError, Call, Reply, json_reply, no_content
from jobsync.emulator.service import ServiceDocument
from jobsync.emulator.state import EmulatorState
from jobsync.errors import RuleError

ENTERPRISE = "enterprise"
ENV_HEADER = "env-type"
PRODUCTION = "1"
READ_ONLY = "DLF.9906"  # invented: a write to the production environment
NO_PERMISSION = "DLF.9907"  # invented: the caller's workspace role does not allow it
TOO_MANY = "DLF.9908"  # invented: more than 100 tasks in one package
PACKAGE_NOT_FOUND = "DLF.9909"  # invented
MOST_TASKS = 100
PENDING, SUCCEEDED, FAILED, CANCELLED, RELEASING = 1, 2, 3, 4, 5
TASK_TYPE = {Kind.JOB: 1, Kind.SCRIPT: 2, Kind.RESOURCE: 3}
KIND_OF_TYPE = {number: kind for kind, number in TASK_TYPE.items()}
ADD, CHANGE, DELETE = 1, 2, 3
ENVIRONMENT_LISTS = ("connections", "dliQueues", "disStreams", "gesGraphs", "tags", "lock_policy", "admins")
# POST calls that only read: exports
READING_POSTS = ("v1/jobs/batch-export", "v1/jobs/{}/export")


def is_enterprise(document: WorkspaceDocument | None) -> bool:
    return document is not None and document.data.get("mode") == ENTERPRISE


def role_of(document: WorkspaceDocument, user: str) -> str:
    if user in document.admins:
        return "admin"
    return str((document.data.get("roles") or {}).get(user) or "developer")


def allow(document: WorkspaceDocument, user: str, *roles: str) -> None:
    role = role_of(document, user)
    if role not in roles:
        raise ApiError(NO_PERMISSION, f"{user} is a {role} in this workspace; this needs the role {' or '.join(roles)}")


def production(state: EmulatorState, workspace_id: str, document: WorkspaceDocument) -> WorkspaceDocument:
    """The production environment's document (made on first use, sharing the environment lists)."""
    cache: dict[str, WorkspaceDocument] = state.__dict__.setdefault("production_documents", {})
    data = document.data.setdefault("production", {})
    held = cache.get(workspace_id)
    if held is None or held.data is not data:
        for key in ENVIRONMENT_LISTS:
            if key in document.data and key not in data:
                data[key] = copy.deepcopy(document.data[key])
        held = cache[workspace_id] = ServiceDocument(data)
    return held


def route(state: EmulatorState, call: Call, label: str) -> None:
    """Point the call at the environment it addresses and check the caller's role."""
    document = call.document
    if not is_enterprise(document) or document is None:
        return
    template = label.split(" ", 1)[1]
    writes = call.method != "GET" and template not in READING_POSTS
    if template.startswith("v2/factory/") and ("pending-items" in template or "release-packages" in template):
        return  # the release APIs check roles themselves
    if call.headers.get(ENV_HEADER) == PRODUCTION:
        if writes:
            raise ApiError(READ_ONLY, "The production environment is read-only; changes reach it through a release")
        call.document = production(state, call.workspace_id, document)
        return
    if writes:
        allow(document, call.user, "developer", "admin")
    document.on_change = recorder(state, call.workspace_id, document)


def recorder(state: EmulatorState, workspace_id: str, document: WorkspaceDocument) -> Callable[..., None]:
    """on_change for the development environment: each submit or delete is a pending item."""

    def record(kind: Kind, name: str, deleted: bool, user: str) -> None:
        prod = production(state, workspace_id, document).entry(kind, name)
        entry = document.entry(kind, name)
        versions = (entry or {}).get("versions") or []
        item = {
            "pending_item_id": uuid.uuid4().hex,
            "item_name": name,
            "task_type": TASK_TYPE[kind],
            "update_type": DELETE if deleted else (CHANGE if prod is not None else ADD),
            "submit_user_name": user,
            "submit_user_id": user,
            "submit_timestamp": now_ms(),
            "pending_version": versions[-1]["version"] if versions and not deleted else 0,
            "deployed_version": ((prod or {}).get("versions") or [{"version": 0}])[-1]["version"],
            "package_flag": 0,
            "task_id": str((entry or {}).get("id") or ""),
            "project_id": state.project_id,
        }
        items = document.data.setdefault("pendingItems", [])
        items[:] = [
            old
            for old in items
            if old["package_flag"] or (old["item_name"], old["task_type"]) != (name, item["task_type"])
        ]
        items.append(item)

    return record


# -- the V2 release APIs -----------------------------------------------------------------------


def show_workspace(state: EmulatorState, instance_id: str, workspace_id: str) -> Reply:
    document = state.document(workspace_id)
    if document is None:
        raise ApiError("DAYU.4402", f"workspace {workspace_id} does not exist")
    return json_reply(
        {
            "id": workspace_id,
            "name": str(document.data.get("name") or workspace_id),
            "instance_id": instance_id,
            "mode": 1 if is_enterprise(document) else 0,
        }
    )


def enterprise(call: Call) -> WorkspaceDocument:
    document = call.workspace
    if not is_enterprise(document):
        raise ApiError(INVALID, "The workspace is in simple mode; release packages need enterprise mode")
    return document


def list_pending(call: Call) -> Reply:
    document = enterprise(call)
    items = [
        item
        for item in document.data.get("pendingItems") or []
        if all(
            not call.query.get(field) or str(item.get(key)) == call.query[field]
            for field, key in (
                ("submit_user_name", "submit_user_name"),
                ("update_type", "update_type"),
                ("task_type", "task_type"),
            )
        )
        and (call.query.get("item_name") or "") in item["item_name"]
    ]
    limit = call.int_param("limit", 10, 1, 100)
    offset = call.int_param("offset", 0, 0, 10**9)
    return json_reply({"total": len(items), "data": items[offset : offset + limit]})


def create_package(call: Call) -> Reply:
    document = enterprise(call)
    allow(document, call.user, "developer", "admin")
    body = call.json_object()
    wanted = [str(item) for item in body.get("pending_item_list") or []]
    if not wanted:
        raise ApiError(INVALID, "The request parameter is invalid: pending_item_list is empty")
    if len(wanted) > MOST_TASKS:
        raise ApiError(TOO_MANY, f"A release package holds at most {MOST_TASKS} tasks; got {len(wanted)}")
    items = {item["pending_item_id"]: item for item in document.data.get("pendingItems") or []}
    missing = [item for item in wanted if item not in items or items[item]["package_flag"]]
    if missing:
        raise ApiError(INVALID, f"The request parameter is invalid: no unpackaged pending item {missing[0]}")
    approvers = [str(name) for name in body.get("approver_ids") or []]
    for name in approvers:
        if role_of(document, name) not in ("deployer", "admin"):
            raise ApiError(INVALID, f"The request parameter is invalid: approver {name} is not a deployer or admin")
    package: dict[str, Any] = {
        "package_id": uuid.uuid4().hex,
        "package_name": str(body.get("package_name") or "release"),
        "apply_user_name": call.user,
        "apply_user_id": str(body.get("apply_user_id") or call.user),
        "apply_timestamp": now_ms(),
        "deploy_status": PENDING,
        "deploy_user_name": None,
        "deploy_timestamp": None,
        "delete_flag": 0,
        "package_approvers": [{"approver_name": name, "approver_id": name} for name in approvers],
        "workspace_id": call.workspace_id,
        "items": [],
    }
    tasks: list[dict[str, Any]] = package["items"]
    for item_id in wanted:
        items[item_id]["package_flag"] = 1
        tasks.append({**items[item_id], "deploy_status": PENDING, "start_job_status": None})
    document.data.setdefault("packages", []).append(package)
    return json_reply({"package_name": package["package_name"], "release_package_id": package["package_id"]})


def summary(package: dict[str, Any]) -> dict[str, Any]:
    return {key: value for key, value in package.items() if key != "items"}


def list_packages(call: Call) -> Reply:
    document = enterprise(call)
    body = call.json_object()
    word = str(body.get("key_word") or "")
    states = body.get("deploy_status_filter")
    packages = [
        summary(package)
        for package in reversed(document.data.get("packages") or [])
        if word in package["package_name"] and (not states or package["deploy_status"] in states)
    ]
    limit = int(body.get("limit") or 10)
    offset = int(body.get("offset") or 0)
    if not 1 <= limit <= 100 or offset < 0:
        raise ApiError(INVALID, "The request parameter is invalid: limit 1-100, offset from 0")
    return json_reply({"total": len(packages), "data": packages[offset : offset + limit]})


def package_of(document: WorkspaceDocument, package_id: str) -> dict[str, Any]:
    for package in document.data.get("packages") or []:
        if package["package_id"] == package_id:
            return dict(package)
    raise ApiError(PACKAGE_NOT_FOUND, f"release package {package_id} does not exist")


def show_package(call: Call, package_id: str) -> Reply:
    package = package_of(enterprise(call), package_id)
    return json_reply({"release_package": summary(package), "task_details": package["items"]})


def packages_named(document: WorkspaceDocument, call: Call) -> list[dict[str, Any]]:
    ids = [str(item) for item in call.json_object().get("package_ids") or []]
    if not ids:
        raise ApiError(INVALID, "The request parameter is invalid: package_ids is empty")
    found = {package["package_id"]: package for package in document.data.get("packages") or []}
    for package_id in ids:
        if package_id not in found:
            raise ApiError(PACKAGE_NOT_FOUND, f"release package {package_id} does not exist")
    return [found[package_id] for package_id in ids]


def deploy(state: EmulatorState, call: Call) -> Reply:
    document = enterprise(call)
    allow(document, call.user, "deployer", "admin")
    packages = packages_named(document, call)
    mode = call.json_object().get("startup_mode", 1)
    if mode not in (0, 1):
        raise ApiError(INVALID, "The request parameter is invalid: startup_mode is 0 or 1")
    for package in packages:
        if package["deploy_status"] not in (PENDING, FAILED):
            raise ApiError(INVALID, f"release package {package['package_id']} cannot be released in its state")
    details = []
    for package in packages:
        package.update(deploy_status=RELEASING, deploy_user_name=call.user, deploy_timestamp=now_ms())
        task_id = uuid.uuid4().hex
        state.tasks[task_id] = {"id": task_id, "name": "deployPackage", "status": "RUNNING", "subtasks": []}
        details.append(
            {"package_id": package["package_id"], "asy_task_id": task_id, "asy_subtask_num": len(package["items"])}
        )
        arguments = (state, call.workspace_id, document, package, int(mode), call.user, task_id)
        threading.Thread(target=release, args=arguments, daemon=True).start()
    return json_reply({"deploy_package_details": details})


def cancel(call: Call) -> Reply:
    document = enterprise(call)
    allow(document, call.user, "deployer", "admin")
    packages = packages_named(document, call)
    for package in packages:
        if package["deploy_status"] not in (PENDING, FAILED):
            raise ApiError(INVALID, f"release package {package['package_id']} cannot be cancelled in its state")
    ids = {item["pending_item_id"] for package in packages for item in package["items"]}
    for item in document.data.get("pendingItems") or []:
        if item["pending_item_id"] in ids:
            item["package_flag"] = 0
    for package in packages:
        package["deploy_status"] = CANCELLED
    return no_content()


# -- releasing ---------------------------------------------------------------------------------


def release(
    state: EmulatorState,
    workspace_id: str,
    document: WorkspaceDocument,
    package: dict[str, Any],
    startup_mode: int,
    user: str,
    task_id: str,
) -> None:
    """Apply a package to production: resources, scripts, jobs, then deletes."""
    with state.lock:
        prod = production(state, workspace_id, document)
        order = sorted(package["items"], key=lambda item: (item["update_type"] == DELETE, item["task_type"]))
        for item in order:
            try:
                started = release_item(document, prod, item, startup_mode, user)
                item.update(deploy_status=SUCCEEDED, start_job_status=SUCCEEDED if started else None)
            except (RuleError, KeyError) as error:
                item.update(deploy_status=FAILED, message=str(error))
        failed = any(item["deploy_status"] == FAILED for item in package["items"])
        package["deploy_status"] = FAILED if failed else SUCCEEDED
        released = {item["pending_item_id"] for item in package["items"] if item["deploy_status"] == SUCCEEDED}
        pending = document.data.get("pendingItems") or []
        pending[:] = [item for item in pending if item["pending_item_id"] not in released]
        state.tasks[task_id].update(status="FAILED" if failed else "SUCCESSFUL")
        state.persist()


def release_item(
    develop: WorkspaceDocument, prod: WorkspaceDocument, item: dict[str, Any], startup_mode: int, user: str
) -> bool:
    """Release one item; True when it started a job."""
    kind, name = KIND_OF_TYPE[item["task_type"]], str(item["item_name"])
    current = prod.entry(kind, name)
    holder = (current or {}).get("lockedBy") or user  # releasing is not held back by locks
    if item["update_type"] == DELETE:
        if current is not None:
            if kind is Kind.JOB:
                prod.set_status(name, STOPPED)
            prod.delete(kind, name, user=holder)
        return False
    entry = develop.entry(kind, name)
    if entry is None:
        raise KeyError(f"{kind.value} {name} is no longer in the development environment")
    definition, description = entry["definition"], ""
    if kind is Kind.JOB:
        version = next(v for v in entry.get("versions") or [] if v["version"] == item["pending_version"])
        definition, description = version["definition"], str(version.get("description") or "")
    was = (current or {}).get("status", STOPPED)
    if kind is Kind.JOB and current is not None:
        prod.set_status(name, STOPPED)
    prod.save(kind, definition, user=holder, description=description)
    if kind is not Kind.JOB:
        return False
    start = startup_mode == 1
    prod.set_status(name, SCHEDULING if start else was)
    return start

"""Job endpoints: list, show, create, edit, delete, start, stop (reference §2.1).

Create and edit go through WorkspaceDocument.save with submit=False: the V1 per-object API
saves the development state and has no submit call (reference §2.6). Import submits.
"""

from __future__ import annotations

from typing import Any

from jobsync.backends.document import WorkspaceDocument
from jobsync.core.model import Kind
from jobsync.core.snapshot import SCHEDULING, STOPPED
from jobsync.emulator.http import (
    INVALID,
    NAME_EXISTS,
    NOT_FOUND,
    ApiError,
    Call,
    Reply,
    json_reply,
    no_content,
    rule_error,
)
from jobsync.emulator.paging import listing
from jobsync.emulator.service import carried_tags
from jobsync.errors import RuleError

JOB_TYPES = ("BATCH", "REAL_TIME")


def job_entry(document: WorkspaceDocument, name: str) -> dict[str, Any]:
    entry = document.entry(Kind.JOB, name)
    if entry is None:
        raise ApiError(NOT_FOUND[Kind.JOB], "The job does not exist")
    return entry


def list_item(entry: dict[str, Any]) -> dict[str, Any]:
    definition = entry["definition"]
    basic = definition.get("basicConfig") if isinstance(definition.get("basicConfig"), dict) else {}
    return {
        "name": definition["name"],
        "jobType": definition.get("processType", "BATCH"),
        "owner": basic.get("owner", entry.get("createUser")),
        "priority": basic.get("priority", 0),
        "status": entry.get("status", STOPPED),
        "createUser": entry.get("createUser"),
        "createTime": entry.get("createTime"),
        "lastUpdateTime": entry.get("lastUpdateTime"),
        "lastUpdateUser": entry.get("lastUpdateUser"),
        "path": definition.get("directory", "/"),
        "singleNodeJobFlag": bool(definition.get("singleNodeJobFlag", False)),
    }


def list_jobs(call: Call, mode: str) -> Reply:
    job_type = call.query.get("jobType") or "BATCH"
    if job_type not in JOB_TYPES:
        raise ApiError(INVALID, "The request parameter is invalid: jobType")
    name_part = call.query.get("jobName") or ""
    tags = {tag for tag in (call.query.get("tags") or "").split(",") if tag}
    entries = [
        entry
        for entry in call.workspace.entries(Kind.JOB)
        if entry["definition"].get("processType", "BATCH") == job_type
        and name_part in entry["definition"]["name"]
        and tags <= carried_tags(entry["definition"], entry)
    ]
    reply = listing("jobs", entries, call, default=10, most=1000, mode=mode)
    reply["jobs"] = [list_item(entry) for entry in reply["jobs"]]  # only the page's items
    return json_reply(reply)


def submitted(entry: dict[str, Any], number: int | None) -> dict[str, Any]:
    versions: list[dict[str, Any]] = entry.get("versions") or []
    for version in versions[::-1]:  # not reversed(): mypy types its items as Any
        if number is None or version["version"] == number:
            return version
    raise ApiError(NOT_FOUND[Kind.JOB], "The job version does not exist")


def numeric_id(entry: dict[str, Any]) -> int | None:
    """Job ids are longs on the wire (the SDK parses them as int); document ids may be hex."""
    raw = str(entry.get("id") or "")
    if raw.isdigit():
        return int(raw)
    try:
        return int(raw[:12], 16)
    except ValueError:
        return None


def show_job(call: Call, name: str) -> Reply:
    entry = job_entry(call.workspace, name)
    raw_version = call.query.get("version")
    number = int(raw_version) if raw_version and raw_version != "-1" else None
    versions = entry.get("versions") or []
    latest = versions[-1]["version"] if versions else 0
    definition, shown = entry["definition"], latest
    extra: dict[str, Any] = {}
    if number is not None or call.query.get("getJobSubmitVersion") == "true":
        version = submitted(entry, number)
        definition, shown = version["definition"], version["version"]
        if number is not None:  # an extension (docs/emulator.md): who submitted it, when, why
            extra = {
                "submitUser": version.get("submitUser"),
                "submitTime": version.get("submitTime"),
                "versionDescription": version.get("description") or "",
            }
    server: dict[str, Any] = {
        "id": numeric_id(entry),
        "createTime": entry.get("createTime"),
        "lastUpdateUser": entry.get("lastUpdateUser"),
    }
    if not isinstance(definition.get("version"), str):
        server["version"] = shown  # a body's own "version": "1.0" (a string) is kept as it is
    if call.query.get("dependencies") == "true":
        server["downstreamJobs"] = downstream(call, name)
    return json_reply({**definition, **server, **extra})


def downstream(call: Call, name: str) -> list[dict[str, Any]]:
    """The first-level jobs whose dependJobs name this one (H-0087 `dependencies=true`)."""
    found = []
    for entry in call.workspace.entries(Kind.JOB):
        schedule = entry["definition"].get("schedule")
        cron = schedule.get("cron") if isinstance(schedule, dict) else None
        depend = cron.get("dependJobs") if isinstance(cron, dict) else None
        jobs = depend.get("jobs") if isinstance(depend, dict) else None
        if isinstance(jobs, list) and name in jobs:
            found.append(
                {"jobId": numeric_id(entry), "jobName": entry["definition"]["name"], "workSpace": call.workspace_id}
            )
    return found


def save(call: Call, definition: dict[str, Any], *, creating: bool) -> Reply:
    document = call.workspace
    exists = document.entry(Kind.JOB, str(definition.get("name"))) is not None
    if creating and exists:
        raise ApiError(NAME_EXISTS[Kind.JOB], "The job name already exists.")
    if not creating and not exists:
        raise ApiError(NOT_FOUND[Kind.JOB], "The job does not exist")
    try:
        document.save(Kind.JOB, definition, user=call.user, submit=False)
    except RuleError as error:
        raise rule_error(Kind.JOB, error) from None
    return no_content()


def checked_definition(call: Call) -> dict[str, Any]:
    definition = call.json_object()
    for field in ("targetStatus", "approvers"):
        definition.pop(field, None)  # request-only fields, not part of the definition
    if not isinstance(definition.get("name"), str) or not definition["name"]:
        raise ApiError("DLF.3004", "The job name cannot be blank.")
    return definition


def create_job(call: Call) -> Reply:
    return save(call, checked_definition(call), creating=True)


def edit_job(call: Call, name: str) -> Reply:
    definition = checked_definition(call)
    if definition["name"] != name:
        raise ApiError(INVALID, "The request parameter is invalid: name differs from the path")
    return save(call, definition, creating=False)


def delete_job(call: Call, name: str) -> Reply:
    try:
        call.workspace.delete(Kind.JOB, name, user=call.user)
    except RuleError as error:
        raise rule_error(Kind.JOB, error) from None
    return no_content()


def rename_job(call: Call, name: str) -> Reply:
    """V2 `PUT factory/jobs/{name}/rename` {"name": new}: the job keeps its id and versions."""
    new_name = call.json_object().get("name")
    if not isinstance(new_name, str) or not new_name:
        raise ApiError("DLF.3004", "The job name cannot be blank.")
    try:
        call.workspace.rename(Kind.JOB, name, new_name, user=call.user)
    except RuleError as error:
        raise rule_error(Kind.JOB, error) from None
    return no_content()


def start_job(call: Call, name: str) -> Reply:
    job_entry(call.workspace, name)
    call.workspace.set_status(name, SCHEDULING)
    return no_content()


def stop_job(call: Call, name: str) -> Reply:
    job_entry(call.workspace, name)
    call.workspace.set_status(name, STOPPED)
    return no_content()

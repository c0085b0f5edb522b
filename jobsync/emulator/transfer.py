"""Export (zip stream or OBS), import from OBS as an asynchronous system task (reference §2.2).

Zip layouts, as documented (H-0088, H-0089):

    single export DLF_<job>.zip          batch export jobs.zip
      jobs/<job>.job                       jobs/<job>/<job>.job
      scripts/<script>.script              jobs/<job>/<script>.script
      resources/<resource>.resource        jobs/<job>/<resource>.resource

Import reads every `.job`, `.script` and `.resource` entry wherever it sits, applies them in
a background thread (resources, scripts, then jobs) and reports one subtask per object.
Subtasks carry `errorCode` beside `message` (an emulator extension; the real service gives
only `message`). The import body may carry `description`, used as the version description
of the jobs it submits (also an extension; the real V1 import has no such field).
"""

from __future__ import annotations

import io
import json
import threading
import uuid
import zipfile
from collections.abc import Iterator
from typing import Any

from jobsync.backends.document import WorkspaceDocument, now_ms
from jobsync.core.model import Kind
from jobsync.emulator.bucket import read_obs, write_obs
from jobsync.emulator.http import (
    INVALID,
    NOT_FOUND,
    OBS_READ_FAILED,
    TASK_NOT_FOUND,
    ApiError,
    Call,
    Reply,
    json_reply,
    no_content,
    rule_error,
)
from jobsync.emulator.jobs import job_entry
from jobsync.emulator.service import REPLACE_TYPES, named_objects, replaced
from jobsync.emulator.state import EmulatorState
from jobsync.errors import RuleError

EXTENSIONS = {".job": Kind.JOB, ".script": Kind.SCRIPT, ".resource": Kind.RESOURCE}
BATCH_MOST = 100

# -- export ----------------------------------------------------------------------------------


def export_options(call: Call) -> tuple[bool, str, str | None]:
    body = call.json_object()
    status = str(body.get("exportStatus") or "DEVELOP")
    if status not in ("DEVELOP", "SUBMIT"):
        raise ApiError(INVALID, "The request parameter is invalid: exportStatus")
    return body.get("exportDepend", True) is not False, status, body.get("obsPath")


def job_definition(document: WorkspaceDocument, name: str, status: str) -> dict[str, Any] | None:
    entry = job_entry(document, name)
    if status == "DEVELOP":
        return dict(entry["definition"])
    versions = entry.get("versions") or []
    return dict(versions[-1]["definition"]) if versions else None


def dependencies(document: WorkspaceDocument, job: dict[str, Any]) -> Iterator[tuple[str, Any]]:
    found = named_objects(job)
    for kind, ext in ((Kind.SCRIPT, "script"), (Kind.RESOURCE, "resource")):
        for name in sorted(name for named, name in found if named is kind):
            entry = document.entry(kind, name)
            if entry is not None:
                yield f"{name}.{ext}", entry["definition"]


def zip_bytes(files: dict[str, Any]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for path, value in files.items():
            archive.writestr(path, json.dumps(value, ensure_ascii=False, indent=2))
    return buffer.getvalue()


def zip_reply(state: EmulatorState, data: bytes, filename: str, obs_path: str | None) -> Reply:
    if obs_path:
        target = obs_path + filename if obs_path.endswith("/") else obs_path
        write_obs(state, target, data)
        return no_content()
    headers = {
        "Content-Type": "application/octet-stream",
        "Content-Disposition": f'attachment; filename="{filename}"',
    }
    return Reply(200, data, headers)


def export_job(state: EmulatorState, call: Call, name: str) -> Reply:
    depend, status, obs_path = export_options(call)
    job = job_definition(call.workspace, name, status)
    if job is None:
        raise ApiError(NOT_FOUND[Kind.JOB], f"The job {name} has no submitted version")
    files: dict[str, Any] = {f"jobs/{name}.job": job}
    if depend:
        for filename, body in dependencies(call.workspace, job):
            folder = "scripts" if filename.endswith(".script") else "resources"
            files[f"{folder}/{filename}"] = body
    return zip_reply(state, zip_bytes(files), f"DLF_{name}.zip", obs_path)


def batch_export(state: EmulatorState, call: Call) -> Reply:
    depend, status, obs_path = export_options(call)
    names = call.json_object().get("jobList")
    if not isinstance(names, list) or not 1 <= len(names) <= BATCH_MOST:
        raise ApiError(INVALID, "The request parameter is invalid: jobList (1-100 names)")
    files: dict[str, Any] = {}
    for name in names:
        job = job_definition(call.workspace, str(name), status)
        if job is None:
            continue  # never submitted: nothing to export in the submitted state
        files[f"jobs/{name}/{name}.job"] = job
        if depend:
            for filename, body in dependencies(call.workspace, job):
                files[f"jobs/{name}/{filename}"] = body
    return zip_reply(state, zip_bytes(files), "jobs.zip", obs_path)


# -- import ----------------------------------------------------------------------------------


def read_archive(data: bytes) -> Imported:
    """(kind, definition) of every object in an import zip, resources first, jobs last."""
    found: Imported = []
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            for info in archive.infolist():
                kind = EXTENSIONS.get("." + info.filename.rsplit(".", 1)[-1])
                if kind is not None:
                    found.append((kind, json.loads(archive.read(info))))
    except (zipfile.BadZipFile, ValueError):
        raise ApiError(OBS_READ_FAILED, "Fail to read OBS file: not a job archive.") from None
    order = list(Kind)
    return sorted(found, key=lambda pair: order.index(pair[0]))


def with_params(job: dict[str, Any], values: dict[str, Any]) -> dict[str, Any]:
    """A copy of job whose `params` take the given values (added when missing)."""
    params = [dict(param) for param in job.get("params") or []]
    for name, value in values.items():
        match = next((param for param in params if param.get("name") == name), None)
        if match is None:
            params.append({"name": name, "value": value, "type": "variable"})
        else:
            match["value"] = value
    return {**job, "params": params} if params else job


def prepare(kind: Kind, body: dict[str, Any], request: dict[str, Any]) -> dict[str, Any]:
    if kind is not Kind.JOB:
        return body
    values = dict(request.get("params") or {})
    for item in request.get("jobsParam") or []:
        if isinstance(item, dict) and item.get("name") == body.get("name"):
            values.update(item.get("params") or {})
    replacements: dict[str, dict[str, str]] = {}
    for item in request.get("resources") or []:
        listed = REPLACE_TYPES.get(str(item.get("type")))
        if listed and item.get("name") and item.get("replace"):
            replacements.setdefault(listed, {})[item["name"]] = item["replace"]
    return replaced(kind, with_params(body, values), replacements) if replacements else with_params(body, values)


Imported = list[tuple[Kind, dict[str, Any]]]


def import_one(call: Call, kind: Kind, body: dict[str, Any], request: dict[str, Any]) -> tuple[str, str, str | None]:
    """(status, message, error code) of one object's import."""
    document = call.workspace
    name = str(body.get("name"))
    if document.entry(kind, name) is not None and request.get("sameNamePolicy") != "OVERWRITE":
        return "WARNING", f"{kind.value} {name} exists; skipped (sameNamePolicy SKIP)", None
    submit = request.get("targetStatus", "SUBMITTED") != "SAVED"
    try:
        document.save(
            kind,
            prepare(kind, body, request),
            user=call.user,
            submit=submit,
            description=str(request.get("description") or ""),
        )
    except RuleError as error:
        failure = rule_error(kind, error)
        return "FAILED", failure.message, failure.code
    return "SUCCESSFUL", f"{kind.value} {name} imported", None


def run_import(
    state: EmulatorState,
    call: Call,
    task: dict[str, Any],
    objects: Imported,
    request: dict[str, Any],
) -> None:
    with state.lock:
        for kind, body in objects:
            status, message, code = import_one(call, kind, body, request)
            task["subtasks"].append(
                {
                    "id": uuid.uuid4().hex,
                    "name": str(body.get("name")),
                    "type": kind.value,
                    "lastUpdate": now_ms(),
                    "status": status,
                    "message": message,
                    "errorCode": code,
                    "taskId": task["id"],
                }
            )
        failed = any(sub["status"] == "FAILED" for sub in task["subtasks"])
        task.update(
            status="FAILED" if failed else "SUCCESSFUL",
            endTime=now_ms(),
            lastUpdate=now_ms(),
            message="finished",
        )
        state.persist()


def import_jobs(state: EmulatorState, call: Call) -> Reply:
    request = call.json_object()
    objects = read_archive(read_obs(state, str(request.get("path") or "")))
    stamp = now_ms()
    task: dict[str, Any] = {
        "id": uuid.uuid4().hex,
        "name": "importJob",
        "startTime": stamp,
        "endTime": None,
        "lastUpdate": stamp,
        "status": "RUNNING",
        "message": "",
        "projectId": state.project_id,
        "subtasks": [],
    }
    state.tasks[task["id"]] = task
    arguments = (state, call, task, objects, request)
    threading.Thread(target=run_import, args=arguments, daemon=True).start()
    return json_reply({"taskId": task["id"]})


def show_task(state: EmulatorState, task_id: str) -> Reply:
    with state.lock:
        task = state.tasks.get(task_id)
        if task is None:
            raise ApiError(TASK_NOT_FOUND, f"Task[{task_id}] does not exist")
        return json_reply(json.loads(json.dumps(task)))

"""Script and resource CRUD (reference §2.3, §2.4) and the read-only lists jobsync checks
references against: DLF connections, DLI queues, DIS streams, GES graphs."""

from __future__ import annotations

from typing import Any

from jobsync.backends.document import WorkspaceDocument
from jobsync.core.model import Kind
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
from jobsync.errors import RuleError

REQUEST_ONLY = ("targetStatus", "approvers")


def definition_from(call: Call, *drop: str) -> dict[str, Any]:
    body = call.json_object()
    for field in (*REQUEST_ONLY, *drop):
        body.pop(field, None)
    if not isinstance(body.get("name"), str) or not body["name"]:
        raise ApiError(INVALID, "The request parameter is invalid: name")
    return body


def save(document: WorkspaceDocument, kind: Kind, definition: dict[str, Any], user: str) -> Any:
    try:
        return document.save(kind, definition, user=user, submit=False)
    except RuleError as error:
        raise rule_error(kind, error) from None


# -- scripts -------------------------------------------------------------------------------


def script_entry(document: WorkspaceDocument, name: str) -> dict[str, Any]:
    entry = document.entry(Kind.SCRIPT, name)
    if entry is None:
        raise ApiError(NOT_FOUND[Kind.SCRIPT], "The script does not exist")
    return entry


def list_scripts(call: Call, mode: str) -> Reply:
    part = call.query.get("scriptName") or ""
    items = [
        entry["definition"] for entry in call.workspace.entries(Kind.SCRIPT) if part in entry["definition"]["name"]
    ]
    return json_reply(listing("scripts", items, call, default=10, most=100, mode=mode))


def show_script(call: Call, name: str) -> Reply:
    return json_reply(script_entry(call.workspace, name)["definition"])


def create_script(call: Call) -> Reply:
    definition = definition_from(call)
    if call.workspace.entry(Kind.SCRIPT, definition["name"]) is not None:
        raise ApiError(NAME_EXISTS[Kind.SCRIPT], "The script name is used by another script.")
    save(call.workspace, Kind.SCRIPT, definition, call.user)
    return no_content()


def edit_script(call: Call, name: str) -> Reply:
    entry = script_entry(call.workspace, name)
    definition = definition_from(call)
    if definition["name"] != name or definition.get("type") != entry["definition"].get("type"):
        raise ApiError("DLF.0203", "Failed to modify the script: name and type cannot change.")
    save(call.workspace, Kind.SCRIPT, definition, call.user)
    return no_content()


def delete_script(call: Call, name: str) -> Reply:
    try:
        call.workspace.delete(Kind.SCRIPT, name, user=call.user)
    except RuleError as error:
        raise rule_error(Kind.SCRIPT, error) from None
    return no_content()


# -- resources (addressed by id) -----------------------------------------------------------


def resource_view(entry: dict[str, Any]) -> dict[str, Any]:
    return {"id": entry["id"], **entry["definition"]}


def resource_entry(document: WorkspaceDocument, resource_id: str) -> dict[str, Any]:
    for entry in document.entries(Kind.RESOURCE):
        if entry.get("id") == resource_id:
            return entry
    raise ApiError(NOT_FOUND[Kind.RESOURCE], "The resource to be queried does not exist.")


def list_resources(call: Call, mode: str) -> Reply:
    part = call.query.get("resourceName") or ""
    items = [
        resource_view(entry) for entry in call.workspace.entries(Kind.RESOURCE) if part in entry["definition"]["name"]
    ]
    return json_reply(listing("resources", items, call, default=10, most=100, mode=mode))


def show_resource(call: Call, resource_id: str) -> Reply:
    return json_reply(resource_view(resource_entry(call.workspace, resource_id)))


def create_resource(call: Call) -> Reply:
    definition = definition_from(call, "id")
    if call.workspace.entry(Kind.RESOURCE, definition["name"]) is not None:
        raise ApiError(NAME_EXISTS[Kind.RESOURCE], "Files of the same name exist in the directory.")
    entry = save(call.workspace, Kind.RESOURCE, definition, call.user)
    return json_reply({"resourceId": entry["id"]})


def edit_resource(call: Call, resource_id: str) -> Reply:
    entry = resource_entry(call.workspace, resource_id)
    definition = definition_from(call, "id")
    if definition["name"] != entry["definition"]["name"]:
        raise ApiError("DLF.6265", "The resource name cannot be changed.")
    save(call.workspace, Kind.RESOURCE, definition, call.user)
    return no_content()


def delete_resource(call: Call, resource_id: str) -> Reply:
    entry = resource_entry(call.workspace, resource_id)
    try:
        call.workspace.delete(Kind.RESOURCE, entry["definition"]["name"], user=call.user)
    except RuleError as error:
        raise rule_error(Kind.RESOURCE, error) from None
    return no_content()


# -- what jobs refer to ----------------------------------------------------------------------


def names(document: WorkspaceDocument, key: str) -> list[str]:
    items = document.data.get(key) or []
    return [str(item.get("name")) if isinstance(item, dict) else str(item) for item in items]


def list_connections(call: Call, mode: str) -> Reply:
    part = call.query.get("connectionName") or ""
    items = [
        {
            "name": item.get("name"),
            "type": item.get("type", "DWS"),
            "config": {},
            "description": item.get("description", ""),
        }
        for item in (call.workspace.data.get("connections") or [])
        if isinstance(item, dict) and part in str(item.get("name"))
    ]
    return json_reply(listing("connections", items, call, default=10, most=100, mode=mode))


def list_dli_queues(call: Call) -> Reply:
    queues = [
        {"queue_name": name, "queue_type": "sql", "owner": "admin", "cu_count": 16}
        for name in names(call.workspace, "dliQueues")
    ]
    return json_reply({"is_success": True, "message": "", "queues": queues})


def list_dis_streams(call: Call) -> Reply:
    """DIS pages by name: `start_stream_name` (exclusive) and `limit` (1-100, default 10)."""
    limit = call.int_param("limit", 10, 1, 100)
    after = call.query.get("start_stream_name") or ""
    every = sorted(names(call.workspace, "disStreams"))
    chosen = [name for name in every if name > after][:limit]
    return json_reply(
        {
            "total_number": len(every),
            "stream_names": chosen,
            "has_more_streams": bool(chosen) and chosen[-1] != every[-1],
            "stream_info_list": [{"stream_name": name, "status": "RUNNING"} for name in chosen],
        }
    )


def list_ges_graphs(call: Call) -> Reply:
    """GES v2 graph list: row `offset`, `limit` (1-100, default 100)."""
    every = names(call.workspace, "gesGraphs")
    limit = call.int_param("limit", 100, 1, 100)
    offset = call.int_param("offset", 0, 0, 10**9)
    graphs = [{"id": f"graph-{name}", "name": name, "status": "200"} for name in every]
    return json_reply({"graphCount": len(every), "graphs": graphs[offset : offset + limit]})

"""The emulator's Management Center data connections and DataArts Quality job lists (reference
§12.8, §12.9), read from the workspace document: `connections` ([{name, type}], as the Factory
connection list), `qualityJobs` and `consistencyJobs` (names or {name, ...}).

Choices (§12.10): the data-connection `offset` is a row offset and without `limit` every
connection is returned (as TF reads it); the quality lists' `name` filter is exact.
"""

from __future__ import annotations

import zlib
from typing import Any

from jobsync.emulator.http import Call, Reply, json_reply

QUALITY = "qualityJobs"
CONSISTENCY = "consistencyJobs"
MAX_CONNECTIONS = 200  # the constraints page (§12.10)


def _stable_id(name: str) -> int:
    return zlib.crc32(name.encode("utf-8"))


def _names(call: Call, key: str) -> list[dict[str, Any]]:
    items = call.workspace.data.get(key) or []
    return [item if isinstance(item, dict) else {"name": str(item)} for item in items]


def list_data_connections(call: Call) -> Reply:
    wanted, kind = call.query.get("name") or "", call.query.get("type") or ""
    items = [
        {
            "dw_id": f"{_stable_id(str(item['name'])):08x}",
            "dw_name": item["name"],
            "dw_type": item.get("type", "DWS"),
            "agent_id": item.get("agent_id", ""),
            "agent_name": item.get("agent_name", ""),
            "create_user": "admin",
            "create_time": 1767600000000,
            "qualified_name": item["name"],
            "description": item.get("description", ""),
        }
        for item in _names(call, "connections")
        if wanted in str(item["name"]) and (not kind or item.get("type", "DWS") == kind)
    ]
    offset = call.int_param("offset", 0, 0, 1 << 30)
    limit = call.int_param("limit", len(items) or 1, 1, MAX_CONNECTIONS)
    page = items[offset : offset + limit]
    return json_reply(
        {"count": len(page), "max_records": MAX_CONNECTIONS, "total_size": len(items), "data_connection_lists": page}
    )


def list_quality_jobs(call: Call, key: str) -> Reply:
    wanted = call.query.get("name") or ""
    items = [
        {
            "id": _stable_id(str(item["name"])),
            "name": item["name"],
            "category_id": 0,
            "schedule_status": item.get("schedule_status", "NOT_START"),
            "schedule_period": "DAY",
            "schedule_interval": "1",
            "create_time": 1767600000000,
            "last_run_time": 0,
            "creator": "admin",
        }
        for item in _names(call, key)
        if not wanted or item["name"] == wanted
    ]
    offset = call.int_param("offset", 0, 0, 1 << 30)
    limit = call.int_param("limit", 10, 0, 100)
    return json_reply({"count": len(items), "resources": items[offset : offset + limit]})

"""Requests, replies and errors of the emulator, and the DLF error codes it answers with.

Codes marked "invented" are not documented by Huawei (reference §1, §10.3); docs/emulator.md
lists them. The rule codes and their DLF codes are core/rules.py's one table; the backend reads it back.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from jobsync.backends.document import WorkspaceDocument
from jobsync.core.model import Kind
from jobsync.core.rules import DLF_OF_RULE, NOT_FOUND_DLF, UNKNOWN_RULE_DLF
from jobsync.errors import RuleError

NO_WORKSPACE = "DLF.9905"  # invented: workspace header missing or unknown
NOT_FOUND = NOT_FOUND_DLF
NAME_EXISTS = {Kind.JOB: "DLF.0102", Kind.SCRIPT: "DLF.0202", Kind.RESOURCE: "DLF.6259"}
INVALID = "DLF.3051"
TASK_NOT_FOUND = "DLF.0810"
OBS_READ_FAILED = "DLF.0815"
BUCKET_MISSING = "DLF.1242"


class ApiError(Exception):
    """An error reply: `{"error_code", "error_msg"}` with an HTTP status (400 by default)."""

    def __init__(self, code: str, message: str, *, status: int = 400, body: dict[str, Any] | None = None) -> None:
        self.code = code
        self.message = message
        self.status = status
        self.body = body  # another service's error shape (CDM's, emulator/cdm.py); None: DataArts'
        super().__init__(f"{code}: {message}")


def rule_error(kind: Kind, error: RuleError) -> ApiError:
    if error.code == "NOT_FOUND":
        return ApiError(NOT_FOUND[kind], error.message)
    if error.code == "NAME_EXISTS":
        return ApiError(NAME_EXISTS[kind], error.message)
    return ApiError(error.dlf or DLF_OF_RULE.get(error.code, UNKNOWN_RULE_DLF), error.message)


@dataclass
class Reply:
    status: int = 200
    body: bytes = b""
    headers: dict[str, str] = field(default_factory=dict)
    drop: bool = False  # close the connection without answering (fault injection)


def json_reply(value: Any, status: int = 200) -> Reply:
    body = json.dumps(value, ensure_ascii=False).encode()
    return Reply(status, body, {"Content-Type": "application/json;charset=UTF-8"})


def no_content() -> Reply:
    return Reply(204)


def error_reply(error: ApiError) -> Reply:
    if error.body is not None:
        return json_reply(error.body, error.status)
    return json_reply({"error_code": error.code, "error_msg": error.message}, error.status)


@dataclass
class Call:
    """One authenticated API request, resolved to its workspace."""

    method: str
    path: str
    query: Mapping[str, str]
    headers: Mapping[str, str]  # lower-case names
    body: bytes
    user: str = ""
    workspace_id: str = ""
    document: WorkspaceDocument | None = None

    def json(self) -> Any:
        if not self.body.strip():
            return {}
        try:
            return json.loads(self.body)
        except ValueError:
            raise ApiError(INVALID, "The request parameter is invalid: body is not JSON") from None

    def json_object(self) -> dict[str, Any]:
        value = self.json()
        if not isinstance(value, dict):
            raise ApiError(INVALID, "The request parameter is invalid: body must be an object")
        return value

    @property
    def workspace(self) -> WorkspaceDocument:
        if self.document is None:
            raise ApiError(NO_WORKSPACE, "workspace header missing or unknown")
        return self.document

    def int_param(self, name: str, default: int, low: int, high: int) -> int:
        raw = self.query.get(name)
        if raw in (None, ""):
            return default
        try:
            value = int(raw)
        except ValueError:
            raise ApiError(INVALID, f"The request parameter is invalid: {name}") from None
        if not low <= value <= high:
            raise ApiError(INVALID, f"The request parameter is invalid: {name} not in {low}-{high}")
        return value

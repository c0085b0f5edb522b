"""Environment variables: `GET` and `PUT /v2/{project_id}/factory/env` (reference §11.3).

The body is `{"params": [{"name", "type", "value", "desc"}]}`. PUT replaces the whole set
(the reference leaves merge vs replace open; jobsync and this emulator take replace-all, so a
client must always send every variable).
"""

from __future__ import annotations

from jobsync.emulator.http import INVALID, ApiError, Call, Reply, json_reply, no_content
from jobsync.errors import RuleError


def show_env(call: Call) -> Reply:
    return json_reply({"params": call.workspace.variables()})


def put_env(call: Call) -> Reply:
    body = call.json_object()
    params = body.get("params")
    if not isinstance(params, list):
        raise ApiError(INVALID, "The request parameter is invalid: params")
    try:
        call.workspace.set_variables(params)
    except RuleError as error:
        raise ApiError(INVALID, f"The request parameter is invalid: {error.message}") from None
    return no_content()

"""The two IAM calls of OIDC federation (reference §11.5, the SDK's FederalAccessor): an
identity token for an unscoped IAM token (POST /v3.0/OS-AUTH/id-token/tokens, header
X-Idp-Id), then that token for temporary AK/SK and a security token (POST
/v3.0/OS-CREDENTIAL/securitytokens). The state names each identity provider and the identity
tokens it accepts:

    "identity_providers": {"<idp id>": {"id_tokens": {"<id token>": "<user>"}}}

Temporary credentials join `credentials` with their `security_token` (auth.py verifies it).
"""

from __future__ import annotations

import json
import secrets
from typing import Any

from jobsync.emulator.http import ApiError, Reply, json_reply
from jobsync.emulator.state import EmulatorState

ID_TOKEN_PATH = "/v3.0/OS-AUTH/id-token/tokens"
SECURITY_TOKEN_PATH = "/v3.0/OS-CREDENTIAL/securitytokens"


def _body(raw: bytes) -> dict[str, Any]:
    try:
        value = json.loads(raw or b"{}")
    except ValueError:
        raise ApiError("IAM.0001", "The request body is not JSON.", status=400) from None
    return value if isinstance(value, dict) else {}


def token_for_id_token(state: EmulatorState, headers: dict[str, str], raw: bytes) -> Reply:
    idp = headers.get("x-idp-id", "")
    provider = (state.data.get("identity_providers") or {}).get(idp)
    if provider is None:
        raise ApiError("IAM.0004", f"The identity provider {idp!r} does not exist.", status=404)
    id_token = str(((_body(raw).get("auth") or {}).get("id_token") or {}).get("id") or "")
    user = (provider.get("id_tokens") or {}).get(id_token)
    if not id_token or user is None:
        raise ApiError("IAM.0002", "The id_token is invalid or expired.", status=401)
    token = f"fed-{secrets.token_hex(8)}"
    state.data["tokens"][token] = user
    return Reply(201, json.dumps({"token": {"user": {"name": user}}}).encode(), {"X-Subject-Token": token})


def temporary_credentials(state: EmulatorState, raw: bytes) -> Reply:
    identity = (_body(raw).get("auth") or {}).get("identity") or {}
    token = str((identity.get("token") or {}).get("id") or "")
    user = state.user_for_token(token) if token else None
    if user is None:
        raise ApiError("IAM.0002", "The token is invalid or expired.", status=401)
    credential = {
        "ak": f"AKTMP{secrets.token_hex(6).upper()}",
        "sk": secrets.token_hex(16),
        "security_token": secrets.token_hex(24),
        "user": user,
    }
    state.data["credentials"].append(credential)
    answer = {
        "access": credential["ak"],
        "secret": credential["sk"],
        "securitytoken": credential["security_token"],
        "expires_at": "2099-01-01T00:00:00.000000Z",
    }
    return json_reply({"credential": answer}, 201)


def handle(state: EmulatorState, method: str, path: str, headers: dict[str, str], raw: bytes) -> Reply:
    with state.lock:
        if method == "POST" and path == ID_TOKEN_PATH:
            return token_for_id_token(state, headers, raw)
        if method == "POST" and path == SECURITY_TOKEN_PATH:
            return temporary_credentials(state, raw)
    raise ApiError("APIGW.0101", "The API does not exist or has not been published.", status=404)

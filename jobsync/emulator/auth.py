"""Who is calling: SDK-HMAC-SHA256 AK/SK signatures (re-computed with huaweicloudsdkcore's own
Signer, reference §8.4) or an `X-Auth-Token`, mapped to a user of the state."""

from __future__ import annotations

import hmac
import re
from collections.abc import Mapping, Sequence
from datetime import datetime, timedelta, timezone

from huaweicloudsdkcore.auth.credentials import BasicCredentials
from huaweicloudsdkcore.sdk_request import SdkRequest
from huaweicloudsdkcore.signer.signer import Signer

from jobsync.emulator.http import ApiError
from jobsync.emulator.state import EmulatorState

AUTHORIZATION = re.compile(r"^SDK-HMAC-SHA256\s+Access=([^,\s]+),\s*SignedHeaders=([^,\s]+),\s*Signature=([0-9a-f]+)$")
DATE_FORMAT = "%Y%m%dT%H%M%SZ"
CLOCK_SKEW = timedelta(minutes=15)


def refused(reason: str) -> ApiError:
    """APIG's 401 answer; the reason never quotes a secret."""
    return ApiError("APIGW.0301", f"Incorrect IAM authentication information: {reason}", status=401)


def authenticate(
    state: EmulatorState,
    method: str,
    path: str,
    query: Sequence[tuple[str, str]],
    headers: Mapping[str, str],
    body: bytes,
) -> str:
    """The user a request acts as; raises ApiError(401) when it cannot be trusted."""
    token = headers.get("x-auth-token")
    if token:
        user = state.user_for_token(token)
        if user is None:
            raise refused("token is invalid or expired")
        return user
    match = AUTHORIZATION.match(headers.get("authorization", "").strip())
    if not match:
        raise refused("no AK/SK signature or X-Auth-Token")
    access_key, signed, signature = match.groups()
    found = state.secret_for(access_key)
    if found is None:
        raise refused("verify aksk signature fail: unknown access key")
    secret, user = found
    check_date(headers.get("x-sdk-date", ""))
    check_security_token(state, access_key, headers, signed)
    expected = expected_signature(access_key, secret, method, path, query, headers, signed, body)
    if not hmac.compare_digest(expected, signature):
        raise refused("verify aksk signature fail")
    return user


def check_security_token(state: EmulatorState, access_key: str, headers: Mapping[str, str], signed: str) -> None:
    """Temporary AK/SK are valid only with their security token, sent as X-Security-Token
    and covered by the signature (reference §8.4, §11.5)."""
    required = state.security_token_for(access_key)
    sent = headers.get("x-security-token", "")
    if required is None:
        if sent:
            raise refused("X-Security-Token sent with a permanent access key")
        return
    if not sent:
        raise refused("temporary access key without X-Security-Token")
    if not hmac.compare_digest(sent.encode(), required.encode()):
        raise refused("the security token is invalid or expired")
    if "x-security-token" not in signed.lower().split(";"):
        raise refused("X-Security-Token is not among the signed headers")


def check_date(raw: str) -> None:
    try:
        stamp = datetime.strptime(raw, DATE_FORMAT).replace(tzinfo=timezone.utc)
    except ValueError:
        raise refused("X-Sdk-Date is missing or malformed") from None
    if abs(datetime.now(timezone.utc) - stamp) > CLOCK_SKEW:
        raise refused("X-Sdk-Date is more than 15 minutes off")


def expected_signature(
    access_key: str,
    secret: str,
    method: str,
    path: str,
    query: Sequence[tuple[str, str]],
    headers: Mapping[str, str],
    signed: str,
    body: bytes,
) -> str:
    signed_headers = {name: headers.get(name, "") for name in signed.split(";")}
    request = SdkRequest(
        method=method,
        schema="http",
        host=headers.get("host", ""),
        resource_path=path,
        query_params=list(query),
        header_params=signed_headers,
        body=body,
    )
    Signer(BasicCredentials(access_key, secret)).sign(request)
    match = AUTHORIZATION.match(request.header_params["Authorization"])
    return match.group(3) if match else ""

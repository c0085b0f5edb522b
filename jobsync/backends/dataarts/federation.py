"""OIDC federation, the first link of the Huawei Cloud SDK's credential chain (reference
§8.2, §11.5): `HUAWEICLOUD_SDK_IDP_ID` and `HUAWEICLOUD_SDK_ID_TOKEN_FILE` (the identity token
GitHub Actions issues with `id-token: write`, written to a file) are exchanged through IAM
for temporary AK/SK and a security token, as the SDK's FederalAccessor does:

    POST {iam}/v3.0/OS-AUTH/id-token/tokens       X-Idp-Id, {"auth": {"id_token": {"id": ...}}}
         -> X-Subject-Token (an unscoped IAM token)
    POST {iam}/v3.0/OS-CREDENTIAL/securitytokens  {"auth": {"identity": {"methods": ["token"], ...}}}
         -> {"credential": {"access", "secret", "securitytoken", "expires_at"}}

IAM is `HUAWEICLOUD_SDK_IAM_ENDPOINT`, else https://iam.myhuaweicloud.com. The identity token
goes only to an https endpoint (plain http only on loopback, for the emulator); neither token
nor keys appear in a message.
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path

import requests

from jobsync.backends.dataarts.gate import gated_session, origin
from jobsync.errors import ConfigError, Problem, RemoteError

DEFAULT_IAM = "https://iam.myhuaweicloud.com"
DURATION_S = 3600
TIMEOUT_S = 30


def _problem(message: str) -> ConfigError:
    return ConfigError([Problem("environment", message)])


def iam_endpoint(env: Mapping[str, str]) -> str:
    url = (env.get("HUAWEICLOUD_SDK_IAM_ENDPOINT") or DEFAULT_IAM).rstrip("/")
    try:
        where = origin(url)
    except ValueError as error:
        raise _problem(f"HUAWEICLOUD_SDK_IAM_ENDPOINT {url!r} is refused: {error}") from None
    if where.scheme != "https" and not where.loopback:
        raise _problem(
            f"HUAWEICLOUD_SDK_IAM_ENDPOINT {url!r} is not https; the identity token is sent only over https "
            "(plain http only to a loopback emulator)"
        )
    return url


def read_id_token(path: str) -> str:
    try:
        token = Path(path).read_text(encoding="utf-8").strip()
    except OSError as error:
        raise _problem(f"HUAWEICLOUD_SDK_ID_TOKEN_FILE {path}: cannot read it ({error.strerror})") from None
    if not token:
        raise _problem(f"HUAWEICLOUD_SDK_ID_TOKEN_FILE {path} is empty; did the workflow get an OIDC token?")
    return token


def _post(session: requests.Session, url: str, what: str, body: object, headers: dict[str, str]) -> requests.Response:
    try:
        response = session.post(url, json=body, headers=headers, timeout=TIMEOUT_S)
    except requests.RequestException as error:
        raise RemoteError(f"OIDC federation: could not reach IAM for {what} ({type(error).__name__})") from None
    if response.status_code >= 300:
        try:
            detail = response.json()
            message = str(detail.get("error_msg") or (detail.get("error") or {}).get("message") or "")
        except ValueError:
            message = ""
        raise RemoteError(
            f"OIDC federation: IAM refused {what}: {message or response.reason}; check HUAWEICLOUD_SDK_IDP_ID, "
            "the identity provider's client ID and its mapping to this repository",
            status=response.status_code,
        )
    return response


def exchange(env: Mapping[str, str], session: requests.Session | None = None) -> tuple[str, str, str]:
    """(ak, sk, security token) for the identity token of HUAWEICLOUD_SDK_ID_TOKEN_FILE."""
    idp, path = env.get("HUAWEICLOUD_SDK_IDP_ID", ""), env.get("HUAWEICLOUD_SDK_ID_TOKEN_FILE", "")
    if not (idp and path):
        missing = "HUAWEICLOUD_SDK_ID_TOKEN_FILE" if idp else "HUAWEICLOUD_SDK_IDP_ID"
        raise _problem(
            f"OIDC federation needs HUAWEICLOUD_SDK_IDP_ID and HUAWEICLOUD_SDK_ID_TOKEN_FILE; {missing} is not set"
        )
    iam, token = iam_endpoint(env), read_id_token(path)
    session = session or gated_session([origin(iam)])  # IAM's origin comes from the environment
    json_headers = {"Content-Type": "application/json;charset=UTF-8"}
    first = _post(
        session,
        f"{iam}/v3.0/OS-AUTH/id-token/tokens",
        f"the identity token of identity provider {idp}",
        {"auth": {"id_token": {"id": token}}},
        {**json_headers, "X-Idp-Id": idp},
    )
    unscoped = first.headers.get("X-Subject-Token", "")
    if not unscoped:
        raise RemoteError("OIDC federation: IAM answered without an X-Subject-Token")
    body = {"auth": {"identity": {"methods": ["token"], "token": {"id": unscoped, "duration_seconds": DURATION_S}}}}
    second = _post(session, f"{iam}/v3.0/OS-CREDENTIAL/securitytokens", "temporary credentials", body, json_headers)
    try:
        credential = second.json()["credential"]
        return str(credential["access"]), str(credential["secret"]), str(credential["securitytoken"])
    except (ValueError, KeyError, TypeError):
        raise RemoteError("OIDC federation: IAM's temporary credentials answer has no credential") from None

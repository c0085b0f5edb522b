"""The `backend:` mapping of workspace.yaml for type dataarts, and credentials from the
environment (never from the repo):

    HUAWEICLOUD_SDK_AK, HUAWEICLOUD_SDK_SK     AK/SK, as the Huawei Cloud SDK reads them
    HUAWEICLOUD_SDK_SECURITY_TOKEN             with temporary AK/SK
    HUAWEICLOUD_SDK_IDP_ID,                    OIDC federation, tried first as in the SDK's
    HUAWEICLOUD_SDK_ID_TOKEN_FILE              chain: exchanged through IAM for temporary
                                               AK/SK (federation.py)
    JOBSYNC_IAM_TOKEN                          an IAM token instead of AK/SK (API calls
                                               only: the OBS upload of imports needs AK/SK)
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from jobsync.backends.dataarts import federation
from jobsync.backends.dataarts.gate import refusal
from jobsync.backends.dataarts.http import Credentials
from jobsync.errors import ConfigError, Problem

PLACEHOLDER = "REPLACE-ME"  # what `jobsync init --github` writes for the values to fill in


@dataclass(frozen=True)
class DataArtsConfig:
    region: str
    project_id: str
    workspace_id: str
    endpoint: str
    v2_endpoint: str  # V2 factory APIs and the workspace show API: the `dayu` host (reference §1)
    dli_endpoint: str
    dis_endpoint: str
    ges_endpoint: str
    cdm_endpoint: str  # CDM (DataArts Migration): its own host (reference §12.1)
    obs_bucket: str | None
    obs_endpoint: str
    obs_path_style: bool
    rate_limit: float = 25.0  # the service allows 30 requests/s per user (reference §1)
    concurrency: int = 4
    import_timeout_s: float = 600.0
    instance_id: str | None = None  # the DataArts Studio instance: needed to read the workspace's mode
    environment_header: str = "env-type"  # enterprise mode: the header that picks dev (0) or prod (1)
    extra: Mapping[str, Any] = field(default_factory=dict, repr=False)


def cache_owner(config: DataArtsConfig) -> str:
    """Which workspace a job cache file belongs to (backends/dataarts/cache.py)."""
    return f"{config.endpoint}|{config.project_id}|{config.workspace_id}"


def parse_config(backend: Mapping[str, Any], source: str) -> DataArtsConfig:
    """Validate the mapping; a ConfigError names every missing key."""
    problems = [
        Problem(source, f"backend.{key} is required for type dataarts", field=f"backend.{key}")
        for key in ("region", "project_id", "workspace_id")
        if not backend.get(key)
    ]
    values = {
        **{k: v for k, v in backend.items() if k != "obs"},
        **{f"obs.{k}": v for k, v in (backend.get("obs") or {}).items()},
    }
    problems += [
        Problem(
            source,
            f"backend.{key} is still the placeholder {value!r} that `jobsync init --github` wrote; "
            "replace it with your workspace's value",
            field=f"backend.{key}",
        )
        for key, value in values.items()
        if isinstance(value, str) and PLACEHOLDER in value
    ]
    if problems:
        raise ConfigError(problems)
    region = str(backend["region"])
    endpoint = str(backend.get("endpoint") or f"https://dayu-dlf.{region}.myhuaweicloud.com")
    custom = bool(backend.get("endpoint"))
    obs = backend.get("obs") or {}

    def service(name: str, default_host: str) -> str:
        return str(backend.get(f"{name}_endpoint") or (endpoint if custom else default_host))

    config = DataArtsConfig(
        region=region,
        project_id=str(backend["project_id"]),
        workspace_id=str(backend["workspace_id"]),
        endpoint=endpoint,
        v2_endpoint=service("v2", f"https://dayu.{region}.myhuaweicloud.com"),
        dli_endpoint=service("dli", f"https://dli.{region}.myhuaweicloud.com"),
        dis_endpoint=service("dis", f"https://dis.{region}.myhuaweicloud.com"),
        ges_endpoint=service("ges", f"https://ges.{region}.myhuaweicloud.com"),
        cdm_endpoint=service("cdm", f"https://cdm.{region}.myhuaweicloud.com"),
        obs_bucket=obs.get("bucket"),
        obs_endpoint=str(obs.get("endpoint") or f"https://obs.{region}.myhuaweicloud.com"),
        obs_path_style=bool(obs.get("path_style", bool(obs.get("endpoint")))),
        rate_limit=float(backend.get("rate_limit", 25.0)),
        concurrency=int(backend.get("concurrency", 4)),
        import_timeout_s=float(backend.get("import_timeout_s", 600.0)),
        instance_id=str(backend["instance_id"]) if backend.get("instance_id") else None,
        environment_header=str(backend.get("environment_header") or "env-type"),
    )
    untrusted = [
        Problem(source, untrusted_message(url), field=f"backend.{name}")
        for name, url in (
            ("endpoint", config.endpoint),
            ("v2_endpoint", config.v2_endpoint),
            ("dli_endpoint", config.dli_endpoint),
            ("dis_endpoint", config.dis_endpoint),
            ("ges_endpoint", config.ges_endpoint),
            ("cdm_endpoint", config.cdm_endpoint),
            ("obs.endpoint", config.obs_endpoint),
        )
        if not trusted_endpoint(url)
    ]
    if untrusted:
        raise ConfigError(untrusted)
    return config


def trusted_endpoint(url: str, environ: Mapping[str, str] | None = None) -> bool:
    """Whether credentials may be sent to `url` (gate.refusal says why not): https to a Huawei
    Cloud domain, loopback (the emulator), or an origin listed in JOBSYNC_TRUSTED_ENDPOINTS
    (comma-separated URLs, from the environment only). This early check names the field; the
    gate where requests leave (gate.py) is the guarantee."""
    return refusal(url, environ=environ) is None


def untrusted_message(url: str) -> str:
    return refusal(url) or f"{url!r} is trusted"


def credentials_from_env(environ: Mapping[str, str] | None = None) -> Credentials:
    env = os.environ if environ is None else environ
    if env.get("HUAWEICLOUD_SDK_IDP_ID") or env.get("HUAWEICLOUD_SDK_ID_TOKEN_FILE"):
        ak, sk, token = federation.exchange(env)
        return Credentials(ak=ak, sk=sk, security_token=token)
    ak, sk = env.get("HUAWEICLOUD_SDK_AK", ""), env.get("HUAWEICLOUD_SDK_SK", "")
    if ak and sk:
        return Credentials(ak=ak, sk=sk, security_token=env.get("HUAWEICLOUD_SDK_SECURITY_TOKEN", ""))
    token = env.get("JOBSYNC_IAM_TOKEN", "")
    if token:
        return Credentials(iam_token=token)
    missing = (
        "HUAWEICLOUD_SDK_SK" if ak else "HUAWEICLOUD_SDK_AK" if sk else ("HUAWEICLOUD_SDK_AK and HUAWEICLOUD_SDK_SK")
    )
    raise ConfigError(
        [
            Problem(
                "environment",
                f"no DataArts credentials: set {missing} (or JOBSYNC_IAM_TOKEN for an IAM token); "
                "credentials are read from the environment, never from the repo",
            )
        ]
    )

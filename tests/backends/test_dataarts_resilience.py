"""The dataarts backend under throttling and random failures converges, writes each change
once, and never shows a credential."""

from __future__ import annotations

import pytest

from jobsync.backends.dataarts.config import credentials_from_env, parse_config
from jobsync.backends.dataarts.http import Credentials
from jobsync.backends.dataarts.workspace import DataArtsWorkspace
from jobsync.core.model import Kind, ObjectKey
from jobsync.errors import ConfigError, RemoteError


def job(name: str, value: str) -> dict:
    return {
        "name": name,
        "processType": "BATCH",
        "nodes": [],
        "schedule": {"type": "EXECUTE_ONCE"},
        "params": [{"name": "v", "value": value}],
    }


def script(name: str, value: str) -> dict:
    return {"name": name, "type": "Shell", "content": f"echo {value}"}


def resource(name: str, value: str) -> dict:
    return {"name": name, "type": "file", "location": f"obs://b/{name}", "desc": value}


def seeded_document() -> dict:
    return {
        "jobs": [{"definition": job(f"job{i}", "old")} for i in range(20)],
        "scripts": [{"definition": script(f"script{i}", "old")} for i in range(5)],
        "resources": [{"definition": resource(f"res{i}", "old"), "id": f"id{i}"} for i in range(5)],
    }


def desired() -> dict[Kind, list[dict]]:
    return {  # 30 jobs (20 changed, 10 new), 10 scripts (5 + 5), 10 resources (5 + 5): 50 changes
        Kind.JOB: [job(f"job{i}", "new") for i in range(30)],
        Kind.SCRIPT: [script(f"script{i}", "new") for i in range(10)],
        Kind.RESOURCE: [resource(f"res{i}", "new") for i in range(10)],
    }


def bodies(snapshot) -> dict[ObjectKey, dict]:
    return {key: {k: v for k, v in obj.body.items() if k != "id"} for key, obj in snapshot.objects.items()}


def test_fifty_changes_converge_under_failures_and_throttling(emulator):
    emulator.configure(fail_rate=0.2, rate_limit=10, seed=1234)
    emulator.set_workspace("w", seeded_document())
    workspace = emulator.dataarts_workspace("w", "analyst")
    try:
        for kind, items in desired().items():
            outcome = workspace.write(kind, items, user="analyst", message="apply")
            assert all(failure is None for failure in outcome.values()), outcome
        first = workspace.snapshot()
        second = workspace.snapshot()
    finally:
        workspace.close()
    wanted = {ObjectKey(kind, body["name"]): body for kind, items in desired().items() for body in items}
    assert bodies(first) == wanted
    assert bodies(second) == bodies(first)
    document = emulator.workspace("w")
    assert [len(document[s]) for s in ("jobs", "scripts", "resources")] == [30, 10, 10]
    for entry in document["jobs"]:  # one submitted version per apply: never applied twice
        assert len(entry["versions"]) == 1, entry["definition"]["name"]
    assert emulator.request_counts.get("POST v1/jobs/import", 0) >= 1


def test_a_refused_request_never_shows_the_secret_key(emulator):
    ak, _ = emulator.credential("analyst")
    secret = "this-secret-must-not-leak"
    config = parse_config(
        {
            "region": "r",
            "project_id": emulator.project_id,
            "workspace_id": "default",
            "endpoint": emulator.url,
        },
        "ws.yaml",
    )
    workspace = DataArtsWorkspace(config, Credentials(ak=ak, sk=secret))
    try:
        with pytest.raises(RemoteError) as refused:
            workspace.snapshot()
        assert refused.value.status == 401
        texts = [
            str(refused.value),
            repr(refused.value),
            repr(workspace),
            repr(workspace.client),
            repr(workspace.config),
            repr(workspace.client.credentials),
        ]
        assert all(secret not in text and ak not in text for text in texts), texts
    finally:
        workspace.close()


def test_missing_credentials_name_what_to_set():
    with pytest.raises(ConfigError) as missing:
        credentials_from_env({"HUAWEICLOUD_SDK_AK": "AK-ONLY"})
    assert "HUAWEICLOUD_SDK_SK" in str(missing.value)
    assert "AK-ONLY" not in str(missing.value)
    assert credentials_from_env({"JOBSYNC_IAM_TOKEN": "t"}).kind == "token"


def test_missing_config_keys_are_all_reported():
    with pytest.raises(ConfigError) as broken:
        parse_config({"type": "dataarts"}, "workspace.yaml")
    assert len(broken.value.problems) == 3


def test_from_config_reads_credentials_from_the_environment(emulator, monkeypatch, tmp_path):
    ak, sk = emulator.credential("analyst")
    monkeypatch.setenv("HUAWEICLOUD_SDK_AK", ak)
    monkeypatch.setenv("HUAWEICLOUD_SDK_SK", sk)
    backend = {
        "type": "dataarts",
        "region": "r",
        "project_id": emulator.project_id,
        "workspace_id": "default",
        "endpoint": emulator.url,
        "obs": {"bucket": "b", "endpoint": emulator.obs_url},
    }
    workspace = DataArtsWorkspace.from_config(backend, workspace_name="dev", cache_dir=tmp_path / ".jobsync" / "cache")
    try:
        assert workspace.write(Kind.JOB, [job("viaenv", "x")], user="analyst", message="m") == {"viaenv": None}
        assert sk not in repr(workspace)
    finally:
        workspace.close()


def test_offsets_read_as_page_numbers_are_detected(emulator):
    emulator.set_workspace("w", {"scripts": [{"definition": script(f"s{i:03d}", "x")} for i in range(250)]})
    emulator.configure(offset_mode="page")
    workspace = emulator.dataarts_workspace("w", "analyst")
    try:
        names = {key.name for key in workspace.snapshot().objects}
    finally:
        workspace.close()
    assert names == {f"s{i:03d}" for i in range(250)}

"""The emulator's API over a real socket: auth, paging, errors, import/export, OBS, faults."""

from __future__ import annotations

import io
import json
import time
import zipfile
from typing import Any

import pytest
import requests
from huaweicloudsdkcore.auth.credentials import BasicCredentials
from huaweicloudsdkcore.exceptions.exceptions import ClientRequestException
from obs import ObsClient

from jobsync.backends.dataarts.http import Credentials, RetryPolicy, SignedClient
from jobsync.core.snapshot import SCHEDULING
from jobsync.emulator.testing import EmulatorServer


def client(emulator: EmulatorServer, user: str = "analyst", **options: Any) -> SignedClient:
    ak, sk = emulator.credential(user)
    options.setdefault("retry", RetryPolicy(attempts=1))
    return SignedClient(
        emulator.url,
        Credentials(ak=ak, sk=sk),
        project_id=emulator.project_id,
        headers={"workspace": "default"},
        rate=0,
        **options,
    )


def raw(
    emulator: EmulatorServer,
    method: str,
    path: str,
    *,
    user: str = "analyst",
    body: Any = None,
    query: list[tuple[str, Any]] | None = None,
) -> requests.Response:
    """One signed request, no retries, any status returned."""
    signed = client(emulator, user)
    data = b"" if body is None else json.dumps(body).encode()
    url, headers = signed.prepare(method, f"/v1/{emulator.project_id}/{path}", query or [], data)
    return requests.request(method, url, headers=headers, data=data or None, timeout=10)


JOB = {"name": "j", "processType": "BATCH", "nodes": [], "schedule": {"type": "EXECUTE_ONCE"}}


def job(name: str, **extra) -> dict:
    return {**JOB, "name": name, **extra}


def seed_jobs(emulator, count: int, **document) -> None:
    jobs = [{"definition": job(f"job{i:03d}"), "status": "STOPPED"} for i in range(count)]
    emulator.set_workspace("default", {"jobs": jobs, **document})


def test_a_wrong_secret_key_is_refused_with_an_apig_body(emulator):
    ak, _ = emulator.credential("analyst")
    bad = SignedClient(emulator.url, Credentials(ak=ak, sk="wrong-secret"), project_id=emulator.project_id)
    url, headers = bad.prepare("GET", f"/v1/{emulator.project_id}/jobs", [], b"")
    response = requests.get(url, headers=headers, timeout=10)
    assert response.status_code == 401
    assert response.json()["error_code"] == "APIGW.0301"
    assert "wrong-secret" not in response.text


def test_a_tampered_body_is_refused(emulator):
    signed = client(emulator)
    url, headers = signed.prepare("POST", f"/v1/{emulator.project_id}/jobs", [], b'{"name":"a"}')
    response = requests.post(url, headers=headers, data=b'{"name":"b"}', timeout=10)
    assert response.status_code == 401


def test_a_token_acts_as_its_user(emulator):
    url = f"{emulator.url}/v1/{emulator.project_id}/jobs"
    response = requests.post(url, json=job("t"), headers={"X-Auth-Token": "demo-token-analyst"}, timeout=10)
    assert response.status_code == 204
    assert emulator.workspace("default")["jobs"][0]["createUser"] == "analyst"
    refused = requests.get(url, headers={"X-Auth-Token": "nope"}, timeout=10)
    assert refused.status_code == 401


def test_the_official_dgc_client_works(emulator):
    import huaweicloudsdkdgc.v1 as dgc  # in the test extras: a missing SDK fails, never skips

    ak, sk = emulator.credential("analyst")
    client = (
        dgc.DgcClient.new_builder()
        .with_credentials(BasicCredentials(ak, sk, emulator.project_id))
        .with_endpoint(emulator.url)
        .build()
    )
    client.create_job(dgc.CreateJobRequest(workspace="default", body=job("sdk", extra={"kept": 1})))
    listed = client.list_jobs(dgc.ListJobsRequest(workspace="default", limit=10, offset=0))
    assert json.loads(listed.raw_content)["jobs"][0]["name"] == "sdk"
    shown = client.show_job(dgc.ShowJobRequest(workspace="default", job_name="sdk"))
    assert json.loads(shown.raw_content)["extra"] == {"kept": 1}
    with pytest.raises(ClientRequestException) as refused:
        client.show_job(dgc.ShowJobRequest(workspace="default", job_name="missing"))
    assert (refused.value.status_code, refused.value.error_code) == (400, "DLF.0100")


def test_list_pages_by_row_offset_and_reports_change_hints(emulator):
    seed_jobs(emulator, 25)
    page = raw(emulator, "GET", "jobs", query=[("offset", 20), ("limit", 10)]).json()
    assert page["total"] == 25
    assert [j["name"] for j in page["jobs"]] == [f"job{i:03d}" for i in range(20, 25)]
    assert {"lastUpdateTime", "lastUpdateUser", "status"} <= set(page["jobs"][0])


def test_page_offset_mode_reads_offset_as_a_page_number(emulator):
    seed_jobs(emulator, 25)
    emulator.configure(offset_mode="page")
    page = raw(emulator, "GET", "jobs", query=[("offset", 2), ("limit", 10)]).json()
    assert [j["name"] for j in page["jobs"]] == [f"job{i:03d}" for i in range(20, 25)]


def test_documented_error_codes(emulator):
    seed_jobs(emulator, 1)
    assert raw(emulator, "POST", "jobs", body=job("job000")).json()["error_code"] == "DLF.0102"
    missing = raw(emulator, "GET", "jobs/nope")
    assert (missing.status_code, missing.json()["error_code"]) == (400, "DLF.0100")
    assert raw(emulator, "GET", "scripts/nope").json()["error_code"] == "DLF.6201"
    assert raw(emulator, "GET", "resources/nope").json()["error_code"] == "DLF.6241"
    assert raw(emulator, "GET", "jobs", query=[("limit", 5000)]).json()["error_code"] == "DLF.3051"
    assert raw(emulator, "GET", "system-tasks/x").json()["error_code"] == "DLF.0810"


def test_invented_codes_for_rules(emulator):
    emulator.set_workspace(
        "default",
        {
            "lock_policy": "hard",
            "jobs": [
                {"definition": job("run"), "status": SCHEDULING},
                {"definition": job("held"), "lockedBy": "reviewer"},
            ],
        },
    )
    assert raw(emulator, "PUT", "jobs/run", body=job("run")).json()["error_code"] == "DLF.9901"
    assert raw(emulator, "PUT", "jobs/held", body=job("held")).json()["error_code"] == "DLF.9902"
    tagged = job("new", basicConfig={"tags": ["t"]})
    emulator.set_workspace("default", {"tags": [{"name": "t", "locked": True}]})
    assert raw(emulator, "POST", "jobs", body=tagged).json()["error_code"] == "DLF.9903"
    script = {"name": "s", "type": "Shell", "content": "", "connectionName": "none"}
    assert raw(emulator, "POST", "scripts", body=script).json()["error_code"] == "DLF.9904"


def test_show_gives_versions(emulator):
    versions = [
        {"version": 1, "definition": job("v", logPath="one")},
        {"version": 2, "definition": job("v", logPath="two")},
    ]
    emulator.set_workspace("default", {"jobs": [{"definition": job("v", logPath="dev"), "versions": versions}]})
    assert raw(emulator, "GET", "jobs/v").json()["logPath"] == "dev"
    shown = raw(emulator, "GET", "jobs/v", query=[("getJobSubmitVersion", "true")]).json()
    assert (shown["logPath"], shown["version"]) == ("two", 2)
    assert raw(emulator, "GET", "jobs/v", query=[("version", 1)]).json()["logPath"] == "one"


def zip_names(data: bytes) -> list[str]:
    return sorted(zipfile.ZipFile(io.BytesIO(data)).namelist())


def test_export_layouts(emulator):
    node = {"name": "n", "type": "Shell", "properties": [{"name": "scriptName", "value": "s"}]}
    emulator.set_workspace(
        "default",
        {
            "jobs": [{"definition": job("a", nodes=[node])}, {"definition": job("b")}],
            "scripts": [{"definition": {"name": "s", "type": "Shell", "content": "ls"}}],
        },
    )
    single = raw(emulator, "POST", "jobs/a/export", body={})
    assert single.headers["Content-Type"] == "application/octet-stream"
    assert zip_names(single.content) == ["jobs/a.job", "scripts/s.script"]
    batch = raw(emulator, "POST", "jobs/batch-export", body={"jobList": ["a", "b"]})
    assert zip_names(batch.content) == ["jobs/a/a.job", "jobs/a/s.script", "jobs/b/b.job"]
    bare = raw(emulator, "POST", "jobs/batch-export", body={"jobList": ["a"], "exportDepend": False})
    assert zip_names(bare.content) == ["jobs/a/a.job"]


def obs_client(emulator) -> ObsClient:
    ak, sk = emulator.credential("analyst")
    return ObsClient(access_key_id=ak, secret_access_key=sk, server=emulator.obs_url, path_style=True)


def test_obs_put_and_get_with_the_obs_sdk(emulator):
    client = obs_client(emulator)
    assert client.putContent("bucket", "dir/file.zip", content=b"payload").status == 200
    got = client.getObject("bucket", "dir/file.zip", loadStreamInMemory=True)
    assert (got.status, got.body.buffer) == (200, b"payload")
    assert client.getObject("bucket", "missing", loadStreamInMemory=True).status == 404
    client.close()


def wait_task(emulator, task_id: str) -> dict:
    for _ in range(200):
        task = raw(emulator, "GET", f"system-tasks/{task_id}").json()
        if task["status"] != "RUNNING":
            return task
        time.sleep(0.01)  # polling an asynchronous task, as clients do
    raise AssertionError("task did not finish")


def test_import_from_obs_runs_a_task_with_subtasks(emulator):
    emulator.set_workspace(
        "default",
        {
            "jobs": [
                {"definition": job("old", logPath="before")},
                {"definition": job("busy"), "status": SCHEDULING},
            ],
            "connections": [{"name": "new_conn"}],
        },
    )
    node = {
        "name": "n",
        "type": "HiveSQL",
        "properties": [{"name": "connectionName", "value": "old_conn"}],
    }
    archive = io.BytesIO()
    with zipfile.ZipFile(archive, "w") as zf:
        zf.writestr("jobs/old.job", json.dumps(job("old", logPath="after", nodes=[node])))
        zf.writestr("jobs/busy.job", json.dumps(job("busy", logPath="x")))
        zf.writestr("scripts/s.script", json.dumps({"name": "s", "type": "Shell", "content": ""}))
    obs_client(emulator).putContent("b", "in.zip", content=archive.getvalue())
    body = {
        "path": "obs://b/in.zip",
        "sameNamePolicy": "OVERWRITE",
        "description": "msg",
        "jobsParam": [{"name": "old", "params": {"p": "1"}}],
        "resources": [{"name": "old_conn", "type": "DWS_CONNECTION", "replace": "new_conn"}],
    }
    task = wait_task(emulator, raw(emulator, "POST", "jobs/import", body=body).json()["taskId"])
    status = {sub["name"]: (sub["status"], sub["errorCode"]) for sub in task["subtasks"]}
    assert status == {
        "s": ("SUCCESSFUL", None),
        "old": ("SUCCESSFUL", None),
        "busy": ("FAILED", "DLF.9901"),
    }
    assert task["status"] == "FAILED"
    old = emulator.workspace("default")["jobs"][0]
    assert old["definition"]["params"] == [{"name": "p", "value": "1", "type": "variable"}]
    assert old["definition"]["nodes"][0]["properties"][0]["value"] == "new_conn"
    assert old["versions"][-1]["description"] == "msg"


def test_import_skip_policy_leaves_existing_jobs(emulator):
    emulator.set_workspace("default", {"jobs": [{"definition": job("old", logPath="before")}]})
    archive = io.BytesIO()
    with zipfile.ZipFile(archive, "w") as zf:
        zf.writestr("jobs/old.job", json.dumps(job("old", logPath="after")))
    obs_client(emulator).putContent("b", "in.zip", content=archive.getvalue())
    task = wait_task(
        emulator,
        raw(emulator, "POST", "jobs/import", body={"path": "obs://b/in.zip"}).json()["taskId"],
    )
    assert task["subtasks"][0]["status"] == "WARNING"
    assert emulator.workspace("default")["jobs"][0]["definition"]["logPath"] == "before"


def test_import_of_a_missing_file_fails_at_once(emulator):
    obs_client(emulator).putContent("b", "other", content=b"x")
    assert raw(emulator, "POST", "jobs/import", body={"path": "obs://b/none.zip"}).json()["error_code"] == "DLF.0815"
    assert (
        raw(emulator, "POST", "jobs/import", body={"path": "obs://nobucket/x.zip"}).json()["error_code"] == "DLF.1242"
    )


def test_environment_lists(emulator):
    emulator.set_workspace(
        "default",
        {
            "dliQueues": ["q"],
            "disStreams": [f"s{i}" for i in range(12)],
            "gesGraphs": ["g"],
            "connections": [{"name": "c", "type": "DWS"}],
        },
    )
    assert raw(emulator, "GET", "connections").json()["connections"][0]["name"] == "c"
    url = f"{emulator.url}/v1.0/{emulator.project_id}/queues"
    headers = {"X-Auth-Token": "demo-token-analyst", "workspace": "default"}
    assert requests.get(url, headers=headers, timeout=10).json()["queues"][0]["queue_name"] == "q"
    streams = requests.get(
        f"{emulator.url}/v2/{emulator.project_id}/streams?limit=10", headers=headers, timeout=10
    ).json()
    assert (len(streams["stream_names"]), streams["has_more_streams"], streams["total_number"]) == (
        10,
        True,
        12,
    )
    graphs = requests.get(f"{emulator.url}/v2/{emulator.project_id}/graphs", headers=headers, timeout=10).json()
    assert graphs["graphs"][0]["name"] == "g"


def test_rate_limit_answers_429_with_the_apig_body(emulator):
    emulator.configure(rate_limit=2)
    statuses = [raw(emulator, "GET", "jobs").status_code for _ in range(6)]
    assert 429 in statuses
    throttled = raw(emulator, "GET", "jobs")
    if throttled.status_code == 429:
        assert throttled.json()["error_code"] == "APIGW.0308"
    other_user = raw(emulator, "GET", "jobs", user="reviewer")
    assert other_user.status_code == 200  # the limit is per user


def test_fail_rate_fails_that_share_of_requests(emulator):
    emulator.configure(fail_rate=0.5, seed=7)
    outcomes = []
    for _ in range(40):
        try:
            outcomes.append(raw(emulator, "GET", "jobs").status_code)
        except requests.ConnectionError:
            outcomes.append("drop")
    failed = [o for o in outcomes if o != 200]
    assert 8 <= len(failed) <= 32
    assert {500, 503, "drop"} <= set(outcomes)


def test_request_counts_by_endpoint(emulator):
    raw(emulator, "GET", "jobs")
    raw(emulator, "GET", "jobs/x")
    assert emulator.request_counts == {"GET v1/jobs": 1, "GET v1/jobs/{}": 1}


@pytest.mark.emulator  # its own server: the session's keeps no state file
def test_state_file_is_written_atomically_after_changes(tmp_path):
    import threading

    from jobsync.emulator.app import EmulatorApp
    from jobsync.emulator.server import make_server
    from jobsync.emulator.state import EmulatorState, default_state

    path = tmp_path / "state.json"
    state = EmulatorState(default_state(), path=path)
    server = make_server(EmulatorApp(state))
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        url = f"http://127.0.0.1:{server.server_address[1]}/v1/{state.project_id}/jobs"
        requests.post(url, json=job("saved"), headers={"X-Auth-Token": "demo-token-analyst"}, timeout=10)
    finally:
        server.shutdown()
        server.server_close()
    saved = json.loads(path.read_text())
    assert saved["workspaces"]["default"]["jobs"][0]["definition"]["name"] == "saved"

"""Where the emulator once differed from the service (reference §1, §2.1, §3, §5), over a
real socket."""

from __future__ import annotations

import json

import pytest
import requests

from jobsync.backends.dataarts.http import Credentials, RetryPolicy, SignedClient

VALID = {"processType": "BATCH", "nodes": [{"name": "a", "type": "Dummy"}], "schedule": {"type": "EXECUTE_ONCE"}}


def signed(emulator, method: str, path: str, *, body=None, query=None, project: str | None = None):
    ak, sk = emulator.credential("analyst")
    project = project or emulator.project_id
    client = SignedClient(
        emulator.url,
        Credentials(ak=ak, sk=sk),
        project_id=project,
        headers={"workspace": "default"},
        rate=0,
        retry=RetryPolicy(attempts=1),
    )
    data = b"" if body is None else json.dumps(body).encode()
    url, headers = client.prepare(method, f"/v1/{project}/{path}", query or [], data)
    return requests.request(method, url, headers=headers, data=data or None, timeout=10)


def test_a_state_document_without_ids_times_or_users_is_seeded(emulator):
    emulator.set_workspace(
        "default",
        {
            "jobs": [{"definition": {"name": "j1", **VALID}}, {"definition": {"name": "j2", **VALID}}],
            "resources": [{"definition": {"name": "r", "type": "jar", "location": "obs://b/r.jar"}}],
        },
    )

    resources = signed(emulator, "GET", "resources")
    jobs = signed(emulator, "GET", "jobs", query=[("limit", 10)])

    assert resources.status_code == 200, resources.text
    assert resources.json()["resources"][0]["id"]
    listed = jobs.json()["jobs"]
    assert all(isinstance(job[key], int) for job in listed for key in ("createTime", "lastUpdateTime"))
    assert all(job["lastUpdateUser"] and job["createUser"] for job in listed)
    assert listed[0]["lastUpdateTime"] != listed[1]["lastUpdateTime"]


def test_a_call_for_another_project_gets_the_api_json_error(emulator):
    response = signed(emulator, "GET", "jobs", project="ffffffffffffffffffffffffffffffff")

    assert response.status_code >= 400
    assert response.headers["Content-Type"].startswith("application/json")
    assert set(response.json()) == {"error_code", "error_msg"}


def test_show_job_keeps_the_type_of_a_body_version_and_lists_downstream_jobs(emulator):
    upstream = {"name": "up", **VALID, "version": "1.0"}
    downstream = {
        "name": "down",
        **VALID,
        "schedule": {"type": "CRON", "cron": {"expression": "0 0 2 * * ?", "dependJobs": {"jobs": ["up"]}}},
    }
    emulator.set_workspace("default", {"jobs": [{"definition": upstream}, {"definition": downstream}]})

    shown = signed(emulator, "GET", "jobs/up", query=[("dependencies", "true")]).json()

    assert shown["version"] == "1.0"
    assert [job["jobName"] for job in shown["downstreamJobs"]] == ["down"]
    assert shown["downstreamJobs"][0]["workSpace"] == "default"


BAD_JOBS = {
    "a name with a space": ({"name": "bad name", **VALID}, "DLF.3018"),
    "a name with a slash": ({"name": "a/b", **VALID}, "DLF.3018"),
    "no nodes": ({"name": "n", "processType": "BATCH", "schedule": {"type": "EXECUTE_ONCE"}}, "DLF.3051"),
    "no schedule": ({"name": "n", "processType": "BATCH", "nodes": []}, "DLF.3025"),
    "an unknown processType": ({"name": "n", **VALID, "processType": "SOMETIMES"}, "DLF.3051"),
    "an unknown schedule.type": ({"name": "n", **VALID, "schedule": {"type": "HOURLY"}}, "DLF.3025"),
    "an invalid cron": (
        {"name": "n", **VALID, "schedule": {"type": "CRON", "cron": {"expression": "0 0 25 * * ?"}}},
        "DLF.3025",
    ),
}


@pytest.mark.parametrize("case", list(BAD_JOBS))
def test_a_job_the_service_refuses_is_refused_with_its_code(emulator, case):
    body, code = BAD_JOBS[case]

    response = signed(emulator, "POST", "jobs", body=body)

    assert response.status_code == 400
    assert response.json()["error_code"] == code
    assert emulator.workspace("default")["jobs"] == []


def test_every_answer_carries_a_request_id(emulator):
    ok = signed(emulator, "GET", "jobs")
    refused = signed(emulator, "GET", "jobs/missing")

    assert ok.headers["X-Request-Id"] and refused.headers["X-Request-Id"]
    assert ok.headers["X-Request-Id"] != refused.headers["X-Request-Id"]

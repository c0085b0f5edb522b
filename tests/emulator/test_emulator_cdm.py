"""The emulator's CDM, Data Quality lists and data connections, read by the official clients."""

from __future__ import annotations

import json

import huaweicloudsdkcdm.v1 as cdm  # in the test extras: a missing SDK fails, never skips
import pytest
import requests
from huaweicloudsdkcore.auth.credentials import BasicCredentials
from huaweicloudsdkcore.exceptions.exceptions import ClientRequestException, ServerResponseException
from support import EXAMPLES

from jobsync.backends.dataarts.http import Credentials, RetryPolicy, SignedClient

CDM_EXAMPLES = EXAMPLES / "cdm"
DEV = {"name": "cdm-dev", "id": "11111111-2222-3333-4444-555555555555", "status": "200"}


def example(name: str) -> dict:
    return json.loads((CDM_EXAMPLES / name).read_text(encoding="utf-8"))


@pytest.fixture
def client(emulator):
    emulator.set_cdm([DEV, {"name": "cdm-stopped", "status": "900"}])
    ak, sk = emulator.credential("analyst")
    return (
        cdm.CdmClient.new_builder()
        .with_credentials(BasicCredentials(ak, sk, emulator.project_id))
        .with_endpoint(emulator.url)
        .build()
    )


def link_request(name: str = "mysql_link") -> dict:
    body = example("link-create.request.json")
    body["links"][0]["name"] = name
    return body


def job_request(name: str = "迁移订单") -> dict:
    job = example("job-create.request.json")["jobs"][0]
    job.update({"name": name, "from-link-name": "mysql_link", "to-link-name": "mysql_link"})
    job.update({"from-connector-name": "generic-jdbc-connector", "to-connector-name": "generic-jdbc-connector"})
    return {"jobs": [job]}


def request(emulator, method: str, path: str, body=None, query=(), *, version: str = "v1.1") -> requests.Response:
    """One signed request (workspace `default`), any status returned."""
    ak, sk = emulator.credential("analyst")
    signed = SignedClient(
        emulator.url,
        Credentials(ak=ak, sk=sk),
        project_id=emulator.project_id,
        headers={"workspace": "default"},
        rate=0,
        retry=RetryPolicy(attempts=1),
    )
    data = b"" if body is None else json.dumps(body).encode()
    url, headers = signed.prepare(method, f"/{version}/{emulator.project_id}/{path}", list(query), data)
    return requests.request(method, url, headers=headers, data=data or None, timeout=10)


def test_a_state_without_a_cdm_section_has_one_running_default_cluster(emulator):
    emulator.reset()

    clusters = request(emulator, "GET", "clusters").json()["clusters"]

    assert [(c["name"], c["status"]) for c in clusters] == [("cdm-default", "200")]


def test_clusters_list_and_show(client):
    listed = json.loads(client.list_clusters(cdm.ListClustersRequest()).raw_content)["clusters"]
    shown = json.loads(client.show_cluster_detail(cdm.ShowClusterDetailRequest(cluster_id=DEV["id"])).raw_content)

    assert [(c["name"], c["status"], c["isFrozen"]) for c in listed] == [
        ("cdm-dev", "200", "0"),
        ("cdm-stopped", "900", "0"),
    ]
    assert shown["id"] == DEV["id"] and shown["name"] == "cdm-dev"


def test_links_create_show_update_delete_and_no_secret_is_ever_returned(client, emulator):
    created = client.create_link(cdm.CreateLinkRequest(cluster_id=DEV["id"], body=link_request()))
    shown = json.loads(client.show_link(cdm.ShowLinkRequest(cluster_id=DEV["id"], link_name="mysql_link")).raw_content)
    every = json.loads(client.show_link(cdm.ShowLinkRequest(cluster_id=DEV["id"], link_name="all")).raw_content)
    changed = link_request()
    changed["links"][0]["link-config-values"]["configs"][0]["inputs"][1]["value"] = "10.0.0.2"
    client.update_link(cdm.UpdateLinkRequest(cluster_id=DEV["id"], link_name="mysql_link", body=changed))
    stored = emulator.cdm()[0]["links"][0]
    client.delete_link(cdm.DeleteLinkRequest(cluster_id=DEV["id"], link_name="mysql_link"))

    assert json.loads(created.raw_content) == {"name": "mysql_link", "validation-result": [{}]}
    password = next(
        i for i in shown["links"][0]["link-config-values"]["configs"][0]["inputs"] if i["name"].endswith("password")
    )
    assert password == {"name": "linkConfig.password", "type": "STRING", "sensitive": True}
    assert "DB_password" not in json.dumps(shown) and "DB_password" not in json.dumps(every)
    assert [link["name"] for link in every["links"]] == ["mysql_link"]
    assert stored["link-config-values"]["configs"][0]["inputs"][1]["value"] == "10.0.0.2"
    assert emulator.cdm()[0]["links"] == []


def test_jobs_create_show_list_update_start_status_stop_delete(client, emulator):
    client.create_link(cdm.CreateLinkRequest(cluster_id=DEV["id"], body=link_request()))
    client.create_job(cdm.CreateJobRequest(cluster_id=DEV["id"], body=job_request()))

    shown = json.loads(client.show_jobs(cdm.ShowJobsRequest(cluster_id=DEV["id"], job_name="迁移订单")).raw_content)
    listed = json.loads(client.show_jobs(cdm.ShowJobsRequest(cluster_id=DEV["id"], job_name="all")).raw_content)
    batch = json.loads(
        client.show_jobs(cdm.ShowJobsRequest(cluster_id=DEV["id"], job_name="all", job_type="BATCH_JOB")).raw_content
    )
    client.update_job(cdm.UpdateJobRequest(cluster_id=DEV["id"], job_name="迁移订单", body=job_request()))
    started = json.loads(
        client.start_job(
            cdm.StartJobRequest(cluster_id=DEV["id"], job_name="迁移订单", body={"variables": {}})
        ).raw_content
    )
    status = json.loads(
        client.show_job_status(cdm.ShowJobStatusRequest(cluster_id=DEV["id"], job_name="迁移订单")).raw_content
    )
    with pytest.raises(ServerResponseException) as running:
        client.delete_job(cdm.DeleteJobRequest(cluster_id=DEV["id"], job_name="迁移订单"))
    client.stop_job(cdm.StopJobRequest(cluster_id=DEV["id"], job_name="迁移订单"))
    client.delete_job(cdm.DeleteJobRequest(cluster_id=DEV["id"], job_name="迁移订单"))

    assert shown["total"] == 0 and shown["jobs"][0]["name"] == "迁移订单" and shown["jobs"][0]["status"] == "NEW"
    assert (listed["total"], listed["page_no"], listed["page_size"]) == (1, 1, 10)
    assert batch["total"] == 0  # the list's default job type is NORMAL_JOB; BATCH_JOB lists others
    assert started["submissions"][0]["status"] == "BOOTING"
    assert status["submissions"][0]["status"] == "RUNNING"
    assert (
        running.value.status_code == 500 and "Cdm.0052" in running.value.error_msg
    )  # errCode only: the SDK keeps the body
    assert emulator.cdm()[0]["jobs"] == []


@pytest.mark.parametrize(
    ("act", "example_file", "status"),
    [
        ("duplicate_link", "error-link-name-exists.response.json", 400),
        ("duplicate_job", "error-job-name-exists.response.json", 400),
        ("update_missing_job", "error-job-not-found-update.response.json", 400),
        ("delete_missing_job", "error-job-not-found-delete.response.json", 500),
        ("delete_used_link", "error-link-in-use.response.json", 500),
    ],
)
def test_error_bodies_have_the_shape_of_the_reference_examples(client, emulator, act, example_file, status):
    client.create_link(cdm.CreateLinkRequest(cluster_id=DEV["id"], body=link_request("ftp_link")))
    client.create_link(cdm.CreateLinkRequest(cluster_id=DEV["id"], body=link_request()))
    client.create_job(cdm.CreateJobRequest(cluster_id=DEV["id"], body=job_request("jdbc2hive")))
    calls = {
        "duplicate_link": ("POST", "cdm/link", link_request("ftp_link")),
        "duplicate_job": ("POST", "cdm/job", job_request("jdbc2hive")),
        "update_missing_job": ("PUT", "cdm/job/obs-obs", job_request("obs-obs")),
        "delete_missing_job": ("DELETE", "cdm/job/jdbc2hive-gone", None),
        "delete_used_link": ("DELETE", "cdm/link/mysql_link", None),
    }
    method, path, body = calls[act]

    answer = request(emulator, method, f"clusters/{DEV['id']}/{path}", body)

    expected = example(example_file)
    assert answer.status_code == status
    assert list(answer.json()) == list(expected)  # the same keys in the same order
    assert answer.json()["errCode"] == expected["errCode"]


def test_the_sdk_reads_the_error_code_of_a_400(client):
    client.create_link(cdm.CreateLinkRequest(cluster_id=DEV["id"], body=link_request()))

    with pytest.raises(ClientRequestException) as refused:
        client.create_link(cdm.CreateLinkRequest(cluster_id=DEV["id"], body=link_request()))

    assert (refused.value.status_code, refused.value.error_code) == (400, "Cdm.0315")


def test_data_connections_and_quality_job_lists(emulator):
    emulator.set_workspace(
        "default",
        {
            "connections": [{"name": "dws_连接", "type": "DWS"}, {"name": "mysql", "type": "MYSQL"}],
            "qualityJobs": ["订单质量"],
        },
    )

    connections = request(emulator, "GET", "data-connections", query=[("type", "DWS")], version="v1").json()
    quality = request(emulator, "GET", "quality/quality-tasks", query=[("name", "订单质量")], version="v2").json()
    none = request(emulator, "GET", "quality/consistency-tasks", version="v2").json()

    assert [c["dw_name"] for c in connections["data_connection_lists"]] == ["dws_连接"]
    assert connections["total_size"] == 1
    assert [q["name"] for q in quality["resources"]] == ["订单质量"] and quality["count"] == 1
    assert none == {"count": 0, "resources": []}

"""The emulator's CDM (DataArts Migration): clusters, links, jobs, start/stop/status (reference §12).

The state document's top-level `cdm` section holds the clusters, each with its links and jobs:

    {"cdm": {"clusters": [{"name": "cdm-dev", "id": "...", "status": "200",
                           "links": [Link...], "jobs": [Job...]}]}}

A state without one has one running cluster named `cdm-default`. Everything here is the
emulator's own reading of the reference, not the planner's: its table of answers and error
codes is below (CODES). Choices where the reference is open (§12.10):

* secrets are never returned: a secret input comes back without `value`, with `"sensitive":
  true` (the AX form);
* a PUT of a link replaces it whole: a secret input sent without a value is stored without
  one (the emulator does not keep the old password; the service's behaviour is undocumented);
* errors answer as the examples do: 400 with `code/errCode/message/externalMessage` on create,
  show and update, 500 with `errCode/externalMessage` on delete; the duplicate job keeps the
  example's `ternalMessage` key;
* a started job runs until stopped (status RUNNING); a stopped one ends FAILED.
"""

from __future__ import annotations

import copy
import time
import uuid
from collections.abc import Mapping
from typing import Any

from jobsync.emulator.http import ApiError, Call, Reply, json_reply

DEFAULT_CLUSTER = {"name": "cdm-default", "id": "6ec9a0a4-76be-4262-8697-e7af1fac7920", "status": "200"}
SECRET_PARAMS = frozenset({"password", "securityKey", "sk", "keytab"})  # reference §12.3
PAGE_SIZES = (10, 100)  # reference §12.4: page_size 10 to 100
JOB_TYPES = ("NORMAL_JOB", "BATCH_JOB", "SCENARIO_JOB")


def cdm_error(code: str, message: str, *, status: int = 400, err_code: str | None = None, key: str = "") -> ApiError:
    """An error in one of CDM's shapes (reference §12.5): 400 with code/errCode/message and
    `key` (externalMessage, or the example's ternalMessage), 500 with errCode/externalMessage."""
    if status == 500:
        body: dict[str, Any] = {"errCode": err_code or code, "externalMessage": message}
    else:
        body = {"code": code, "errCode": err_code or code, "message": message, key or "externalMessage": message}
    return ApiError(code, message, status=status, body=body)


def section(state_data: dict[str, Any]) -> list[dict[str, Any]]:
    """The clusters of the state document (the default cluster when it has no `cdm` section)."""
    cdm = state_data.setdefault("cdm", {})
    clusters: list[dict[str, Any]] = cdm.setdefault("clusters", [copy.deepcopy(DEFAULT_CLUSTER)])
    for cluster in clusters:
        cluster.setdefault("id", str(uuid.uuid5(uuid.NAMESPACE_URL, str(cluster.get("name")))))
        cluster.setdefault("status", "200")
        cluster.setdefault("links", [])
        cluster.setdefault("jobs", [])
    return clusters


def cluster_view(cluster: Mapping[str, Any]) -> dict[str, Any]:
    return {
        "id": cluster["id"],
        "name": cluster["name"],
        "status": str(cluster["status"]),
        "statusDetail": "Normal" if str(cluster["status"]) == "200" else "Abnormal",
        "isFrozen": str(cluster.get("isFrozen", "0")),
        "actionProgress": {},
        "datastore": {"type": "cdm", "version": "2.10.0"},
        "created": "2026-01-05T08:38:25",
        "updated": "2026-01-05T08:38:25",
        "instances": [],
        "customerConfig": {"workSpaceId": cluster.get("workSpaceId", "")},
    }


def _cluster(state_data: dict[str, Any], cluster_id: str) -> dict[str, Any]:
    for cluster in section(state_data):
        if cluster["id"] == cluster_id:
            return cluster
    raise cdm_error("Cdm.0001", f"The cluster {cluster_id} does not exist or you have no permission.")


def list_clusters(state_data: dict[str, Any]) -> Reply:
    return json_reply({"clusters": [cluster_view(c) for c in section(state_data)]})


def show_cluster(state_data: dict[str, Any], cluster_id: str) -> Reply:
    return json_reply(cluster_view(_cluster(state_data, cluster_id)))


# -- links ------------------------------------------------------------------------------------


def _one(call: Call, what: str) -> dict[str, Any]:
    body = call.json()
    items = body.get(what) if isinstance(body, dict) else None
    if not isinstance(items, list) or len(items) != 1 or not isinstance(items[0], dict):
        raise cdm_error("Cdm.0018", f"The content of {what} is invalid: send one element in `{what}`.")
    return copy.deepcopy(items[0])


def _required(item: Mapping[str, Any], fields: tuple[str, ...]) -> None:
    for name in fields:
        if item.get(name) in (None, ""):
            raise cdm_error("Cdm.0238", f"The parameter {name} cannot be blank.")


def _find(items: list[dict[str, Any]], name: str) -> dict[str, Any] | None:
    return next((item for item in items if item.get("name") == name), None)


def _stamp(item: dict[str, Any], user: str, created: Mapping[str, Any] | None = None) -> dict[str, Any]:
    now = int(time.time() * 1000)
    item["creation-user"] = (created or {}).get("creation-user", user)
    item["creation-date"] = (created or {}).get("creation-date", now)
    item["update-user"], item["update-date"] = user, now
    item["id"] = (created or {}).get("id", uuid.uuid4().int % 100000)
    return item


def _value_type(value: Any) -> str:
    if isinstance(value, bool):
        return "BOOLEAN"
    return "INTEGER" if isinstance(value, int) else "STRING"


def link_view(link: Mapping[str, Any]) -> dict[str, Any]:
    """A link as a read gives it: secrets without value and marked sensitive (reference §12.3)."""
    view = copy.deepcopy(dict(link))
    view.setdefault("enabled", True)
    for config in (view.get("link-config-values") or {}).get("configs") or []:
        for item in config.get("inputs") or []:
            if not isinstance(item, dict):
                continue
            item["type"] = _value_type(item.get("value"))
            if str(item.get("name", "")).rpartition(".")[2] in SECRET_PARAMS:
                item.pop("value", None)
                item["sensitive"] = True
    return view


def create_link(state_data: dict[str, Any], call: Call, cluster_id: str) -> Reply:
    cluster = _cluster(state_data, cluster_id)
    link = _one(call, "links")
    _required(link, ("name", "connector-name", "link-config-values"))
    if _find(cluster["links"], link["name"]):
        raise cdm_error("Cdm.0315", f"Link name [{link['name']}] already exist or created by other user.")
    if call.query.get("validate") != "true":
        cluster["links"].append(_stamp(link, call.user))
    return json_reply({"name": link["name"], "validation-result": [{}]})


def show_link(state_data: dict[str, Any], cluster_id: str, name: str) -> Reply:
    cluster = _cluster(state_data, cluster_id)
    if name == "all":
        links = cluster["links"]
    else:
        found = _find(cluster["links"], name)
        if found is None:
            raise cdm_error("Cdm.0101", f"Link [{name}] does not exist.")
        links = [found]
    return json_reply({"links": [link_view(link) for link in links], "fromTo-unMapping": "", "batchFromTo-mapping": ""})


def update_link(state_data: dict[str, Any], call: Call, cluster_id: str, name: str) -> Reply:
    cluster = _cluster(state_data, cluster_id)
    old = _find(cluster["links"], name)
    if old is None:
        raise cdm_error("Cdm.0316", f"The link {name} to be updated does not exist.")
    link = _one(call, "links")
    link.setdefault("name", name)
    _required(link, ("connector-name", "link-config-values"))
    if link["name"] != name and _find(cluster["links"], link["name"]):
        raise cdm_error("Cdm.0315", f"Link name [{link['name']}] already exist or created by other user.")
    cluster["links"][cluster["links"].index(old)] = _stamp(link, call.user, old)
    return json_reply({"name": link["name"], "validation-result": []})


def delete_link(state_data: dict[str, Any], cluster_id: str, name: str) -> Reply:
    cluster = _cluster(state_data, cluster_id)
    link = _find(cluster["links"], name)
    if link is None:
        raise cdm_error("Cdm.0101", f"Link [{name}] does not exist.", status=500)
    if any(name in (job.get("from-link-name"), job.get("to-link-name")) for job in cluster["jobs"]):
        raise cdm_error("Cdm.0021", "Given link name is in use", status=500)
    cluster["links"].remove(link)
    return json_reply({})


# -- jobs -------------------------------------------------------------------------------------

JOB_FIELDS = ("name", "job_type", "from-connector-name", "from-link-name", "to-connector-name", "to-link-name")
RUNNING = frozenset({"BOOTING", "RUNNING"})


def _check_links(cluster: Mapping[str, Any], job: Mapping[str, Any]) -> None:
    if job["job_type"] not in JOB_TYPES:
        raise cdm_error("Cdm.0011", f"Invalid parameter job_type: {job['job_type']}")
    for side in ("from", "to"):
        link = _find(cluster["links"], str(job[f"{side}-link-name"]))
        if link is None:
            raise cdm_error("Cdm.0101", f"Link [{job[f'{side}-link-name']}] does not exist.")
        if link.get("connector-name") != job[f"{side}-connector-name"]:
            raise cdm_error(
                "Cdm.0102", f"Connector [{job[f'{side}-connector-name']}] does not match link {link['name']}."
            )


def job_view(job: Mapping[str, Any]) -> dict[str, Any]:
    view = copy.deepcopy(dict(job))
    view.setdefault("status", "NEW")
    view.setdefault("type", "NORMAL_JOB")
    return view


def create_job(state_data: dict[str, Any], call: Call, cluster_id: str) -> Reply:
    cluster = _cluster(state_data, cluster_id)
    job = _one(call, "jobs")
    _required(job, JOB_FIELDS)
    if _find(cluster["jobs"], job["name"]):
        message = "Job name already exist or created by other."
        raise cdm_error("Cdm.0104", message, key="ternalMessage")
    _check_links(cluster, job)
    job["status"] = "NEW"
    cluster["jobs"].append(_stamp(job, call.user))
    return json_reply({"name": job["name"]})


def _paging(call: Call) -> tuple[int, int]:
    page_no = call.int_param("page_no", 1, 1, 1 << 30)
    page_size = call.int_param("page_size", PAGE_SIZES[0], *PAGE_SIZES)
    return page_no, page_size


def show_jobs(state_data: dict[str, Any], call: Call, cluster_id: str, name: str) -> Reply:
    cluster = _cluster(state_data, cluster_id)
    page_no, page_size = _paging(call)
    if name != "all":
        found = _find(cluster["jobs"], name)
        if found is None:
            raise cdm_error("Cdm.0100", f"Job[{name}] doesn't exist.")
        return json_reply({"total": 0, "jobs": [job_view(found)], "page_no": page_no, "page_size": page_size})
    job_type = call.query.get("jobType") or "NORMAL_JOB"  # the default lists normal jobs only (§12.4)
    wanted = call.query.get("filter") or ""
    jobs = [j for j in cluster["jobs"] if j.get("job_type", "NORMAL_JOB") == job_type and wanted in str(j["name"])]
    page = jobs[(page_no - 1) * page_size : page_no * page_size]
    return json_reply(
        {"total": len(jobs), "jobs": [job_view(j) for j in page], "page_no": page_no, "page_size": page_size}
    )


def update_job(state_data: dict[str, Any], call: Call, cluster_id: str, name: str) -> Reply:
    cluster = _cluster(state_data, cluster_id)
    old = _find(cluster["jobs"], name)
    if old is None:
        message = f"A job with the name {name} does not exist."
        raise cdm_error("Cdm.0095", message, err_code="Cdm.00095")
    if old.get("status") in RUNNING:
        raise cdm_error("Cdm.0052", f"Job {name} is running.")
    job = _one(call, "jobs")
    job.setdefault("name", name)
    _required(job, JOB_FIELDS)
    _check_links(cluster, job)
    job["status"] = old.get("status", "NEW")
    cluster["jobs"][cluster["jobs"].index(old)] = _stamp(job, call.user, old)
    return json_reply({"validation-result": [{}]})


def delete_job(state_data: dict[str, Any], cluster_id: str, name: str) -> Reply:
    cluster = _cluster(state_data, cluster_id)
    job = _find(cluster["jobs"], name)
    if job is None:
        raise cdm_error("Cdm.0100", f"Job[{name}] doesn't exist.", status=500)
    if job.get("status") in RUNNING:
        raise cdm_error("Cdm.0052", f"Job {name} is running.", status=500)
    cluster["jobs"].remove(job)
    return json_reply({})


def _submission(job: Mapping[str, Any], user: str, status: str) -> dict[str, Any]:
    return {
        "job-name": job["name"],
        "creation-user": user,
        "creation-date": int(time.time() * 1000),
        "progress": 1 if status in RUNNING else 100,
        "status": status,
        "submission-id": int(job.get("id", 0)),
    }


def _job(state_data: dict[str, Any], cluster_id: str, name: str) -> dict[str, Any]:
    job = _find(_cluster(state_data, cluster_id)["jobs"], name)
    if job is None:
        raise cdm_error("Cdm.0100", f"Job[{name}] doesn't exist.")
    return job


def start_job(state_data: dict[str, Any], call: Call, cluster_id: str, name: str) -> Reply:
    job = _job(state_data, cluster_id, name)
    if job.get("status") in RUNNING:
        raise cdm_error("Cdm.0323", f"A submission of job {name} already exists.")
    job["status"] = "RUNNING"
    return json_reply({"submissions": [_submission(job, call.user, "BOOTING")]})


def stop_job(state_data: dict[str, Any], cluster_id: str, name: str) -> Reply:
    job = _job(state_data, cluster_id, name)
    if job.get("status") not in RUNNING:
        raise cdm_error("Cdm.0053", f"Job {name} is not running.")
    job["status"] = "FAILED"
    return json_reply({})


def job_status(state_data: dict[str, Any], call: Call, cluster_id: str, name: str) -> Reply:
    job = _job(state_data, cluster_id, name)
    status = str(job.get("status", "NEW"))
    return json_reply({"submissions": [_submission(job, call.user, "NEVER_EXECUTED" if status == "NEW" else status)]})


def _data(app: Any) -> dict[str, Any]:
    app.state.cdm_clusters()  # the section, filled in
    data: dict[str, Any] = app.state.data
    return data


JOB = "v1.1/clusters/{}/cdm/job/{}"
ROUTES: list[tuple[str, str, Any]] = [
    ("GET", "v1.1/clusters", lambda app, _call: list_clusters(_data(app))),
    ("GET", "v1.1/clusters/{}", lambda app, _call, cid: show_cluster(_data(app), cid)),
    ("POST", "v1.1/clusters/{}/cdm/link", lambda app, call, cid: create_link(_data(app), call, cid)),
    ("GET", "v1.1/clusters/{}/cdm/link/{}", lambda app, _call, cid, name: show_link(_data(app), cid, name)),
    ("PUT", "v1.1/clusters/{}/cdm/link/{}", lambda app, call, cid, name: update_link(_data(app), call, cid, name)),
    ("DELETE", "v1.1/clusters/{}/cdm/link/{}", lambda app, _call, cid, name: delete_link(_data(app), cid, name)),
    ("POST", "v1.1/clusters/{}/cdm/job", lambda app, call, cid: create_job(_data(app), call, cid)),
    ("GET", JOB, lambda app, call, cid, name: show_jobs(_data(app), call, cid, name)),
    ("PUT", JOB, lambda app, call, cid, name: update_job(_data(app), call, cid, name)),
    ("DELETE", JOB, lambda app, _call, cid, name: delete_job(_data(app), cid, name)),
    ("PUT", JOB + "/start", lambda app, call, cid, name: start_job(_data(app), call, cid, name)),
    ("GET", JOB + "/start", lambda app, call, cid, name: start_job(_data(app), call, cid, name)),  # walk-through
    ("PUT", JOB + "/stop", lambda app, _call, cid, name: stop_job(_data(app), cid, name)),
    ("GET", JOB + "/status", lambda app, call, cid, name: job_status(_data(app), call, cid, name)),
]

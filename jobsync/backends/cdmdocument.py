"""CDM links and jobs in a workspace document (the local backend's), in the emulator's format:

    cdm  {"clusters": [{"name", "id", "status", "links": [Link], "jobs": [Job]}]}

A document without the section has one running cluster, `cdm-default`. Objects are named
`<cluster>/<name>` towards the Workspace protocol (core/cdm.py). The rules are the plan's
(core/cdmrules.py): the cluster must be there and running, a job's links must exist, a running
job cannot be overwritten or deleted. The document keeps no secret: a secret input is stored
without its value, as the service returns it (reference §12.3).
"""

from __future__ import annotations

import copy
import uuid
from collections.abc import Mapping
from typing import Any

from jobsync.core import cdm, cdmrules
from jobsync.core.cdm import Cluster
from jobsync.core.model import Kind, ObjectKey
from jobsync.core.snapshot import Environment, RemoteObject
from jobsync.errors import RuleError

DEFAULT_CLUSTER = "cdm-default"
SECTION = {Kind.CDM_LINK: "links", Kind.CDM_JOB: "jobs"}


class CdmDocument:
    """The `cdm` section of a workspace document (edited in place)."""

    def __init__(self, data: dict[str, Any]) -> None:
        self.data = data
        section = data.get("cdm") if isinstance(data.get("cdm"), dict) else {}
        clusters = section.get("clusters") if isinstance(section, dict) else None
        self.clusters_data: list[dict[str, Any]] = (
            clusters if isinstance(clusters, list) else [{"name": DEFAULT_CLUSTER}]
        )  # attached to the document by the first write (reading changes nothing)
        for cluster in self.clusters_data:
            cluster.setdefault("id", str(uuid.uuid5(uuid.NAMESPACE_URL, str(cluster.get("name")))))
            cluster.setdefault("status", "200")
            cluster.setdefault("links", [])
            cluster.setdefault("jobs", [])

    def clusters(self) -> tuple[Cluster, ...]:
        return tuple(Cluster.from_api(cluster) for cluster in self.clusters_data)

    def objects(self) -> dict[ObjectKey, RemoteObject]:
        found = {}
        for cluster in self.clusters_data:
            for kind, section in SECTION.items():
                for item in cluster[section]:
                    key = ObjectKey(kind, cdm.qualified(str(cluster["name"]), str(item["name"])))
                    status = str(item.get("status", "NEW")) if kind is Kind.CDM_JOB else None
                    found[key] = RemoteObject(key=key, body=item, status=status)
        return found

    def _cluster(self, name: str) -> dict[str, Any]:
        self.data.setdefault("cdm", {})["clusters"] = self.clusters_data
        why = cdmrules.cluster_reason(name, Environment(cdm=self.clusters()))
        if why is not None:
            raise RuleError("MISSING_REFERENCE", why)
        return next(cluster for cluster in self.clusters_data if cluster["name"] == name)

    def save(self, kind: Kind, qualified_body: Mapping[str, Any]) -> None:
        cluster_name, name = cdm.split(str(qualified_body["name"]))
        cluster = self._cluster(cluster_name)
        body = cdm.strip(cdm.of(kind), {**qualified_body, "name": name})
        items: list[dict[str, Any]] = cluster[SECTION[kind]]
        old = next((item for item in items if item["name"] == name), None)
        if kind is Kind.CDM_JOB:
            self._check_job(cluster, body, old)
        kept = _without_secrets(body) if kind is Kind.CDM_LINK else body
        if old is None:
            items.append({**kept, "status": "NEW"} if kind is Kind.CDM_JOB else kept)
        else:
            status = old.get("status")
            old.clear()
            old.update(copy.deepcopy(kept))
            if status is not None:
                old["status"] = status

    def _check_job(self, cluster: Mapping[str, Any], body: Mapping[str, Any], old: Mapping[str, Any] | None) -> None:
        if old is not None and old.get("status") in cdmrules.RUNNING_JOB:
            raise RuleError("JOB_RUNNING", f"CDM job {body['name']} is running; let it end first")
        for field in ("from-link-name", "to-link-name"):
            if not any(link["name"] == body.get(field) for link in cluster["links"]):
                raise RuleError("MISSING_REFERENCE", f"CDM link {body.get(field)} does not exist in {cluster['name']}")

    def stop(self, qualified_name: str) -> None:
        """End a CDM job's run (it ends FAILED, as a stopped run does in the emulator)."""
        cluster_name, name = cdm.split(qualified_name)
        job = next((j for j in self._cluster(cluster_name)["jobs"] if j["name"] == name), None)
        if job is None:
            raise RuleError("NOT_FOUND", f"CDM job {qualified_name} does not exist")
        if job.get("status") in cdmrules.RUNNING_JOB:
            job["status"] = "FAILED"

    def delete(self, kind: Kind, qualified_name: str) -> None:
        cluster_name, name = cdm.split(qualified_name)
        cluster = self._cluster(cluster_name)
        items: list[dict[str, Any]] = cluster[SECTION[kind]]
        item = next((i for i in items if i["name"] == name), None)
        if item is None:
            raise RuleError("NOT_FOUND", f"{kind.value} {qualified_name} does not exist")
        if kind is Kind.CDM_JOB and item.get("status") in cdmrules.RUNNING_JOB:
            raise RuleError("JOB_RUNNING", f"CDM job {name} is running; let it end first")
        if kind is Kind.CDM_LINK and any(
            name in (j.get("from-link-name"), j.get("to-link-name")) for j in cluster["jobs"]
        ):
            raise RuleError("INVALID", f"CDM link {name} is used by a job of {cluster_name}")
        items.remove(item)


def _without_secrets(body: Mapping[str, Any]) -> dict[str, Any]:
    kept = copy.deepcopy(dict(body))
    for item in cdm.inputs(kept, cdm.CdmKind.LINK):
        if cdm.is_secret_input(item["name"]):
            item.pop("value", None)
    return kept

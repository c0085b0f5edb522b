"""CDM (DataArts Migration) through its REST API: clusters, links and jobs (reference §12.1 to
§12.5), for the dataarts backend. Objects are named `<cluster>/<name>` towards the Workspace
protocol (core/cdm.py); a cluster is found by name in the cluster list (§12.2).

Reads: `GET clusters`; per running cluster `GET cdm/link/all` and `GET cdm/job/all` for each
job type (the list's default is NORMAL_JOB only, §12.4), 100 a page. Writes: a link or job is
created (POST) when the cluster does not have it, else replaced whole (PUT, secrets included).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from typing import Any

from jobsync.backends.dataarts.http import SignedClient, write_once
from jobsync.core import cdm
from jobsync.core.cdm import Cluster
from jobsync.core.model import Kind, ObjectKey
from jobsync.core.snapshot import RemoteObject
from jobsync.errors import RemoteError, ServiceError

VERSION = "v1.1"
JOB_TYPES = ("NORMAL_JOB", "BATCH_JOB", "SCENARIO_JOB")
PAGE_SIZE = 100  # the most a page holds (reference §12.4)
SEGMENT = {Kind.CDM_LINK: ("link", "links"), Kind.CDM_JOB: ("job", "jobs")}
RUNNING = frozenset({"BOOTING", "RUNNING"})
MISSING = frozenset({"Cdm.0100", "Cdm.0054", "Cdm.0101", "Cdm.0095", "Cdm.00095", "Cdm.0319", "Cdm.0316"})


class CdmApi:
    """The CDM calls of one project."""

    def __init__(self, client: SignedClient) -> None:
        self.client = client

    def path(self, *segments: str) -> str:
        return self.client.path(*segments, version=VERSION)

    def clusters(self) -> tuple[Cluster, ...]:
        listed = self.client.get_json(self.path("clusters")).get("clusters") or []
        return tuple(Cluster.from_api(item) for item in listed if isinstance(item, dict))

    def readable_clusters(self) -> tuple[Cluster, ...] | None:
        """The clusters, or None when this account or region cannot list them."""
        try:
            return self.clusters()
        except (ServiceError, RemoteError):
            return None

    def objects(self, clusters: Sequence[Cluster]) -> dict[ObjectKey, RemoteObject]:
        found: dict[ObjectKey, RemoteObject] = {}
        for cluster in clusters:
            if not cluster.running:
                continue  # nothing can be read from (or written to) it; the plan says so
            for link in (
                self.client.get_json(self.path("clusters", cluster.id, "cdm", "link", "all")).get("links") or []
            ):
                key = ObjectKey(Kind.CDM_LINK, cdm.qualified(cluster.name, str(link["name"])))
                found[key] = RemoteObject(key=key, body=link)
            for job in self.jobs(cluster):
                key = ObjectKey(Kind.CDM_JOB, cdm.qualified(cluster.name, str(job["name"])))
                found[key] = RemoteObject(key=key, body=job, status=str(job.get("status") or "NEW"))
        return found

    def jobs(self, cluster: Cluster) -> list[dict[str, Any]]:
        jobs: list[dict[str, Any]] = []
        for job_type in JOB_TYPES:
            page = 1
            while True:
                query = [("jobType", job_type), ("page_no", page), ("page_size", PAGE_SIZE)]
                answer = self.client.get_json(self.path("clusters", cluster.id, "cdm", "job", "all"), query)
                items = [item for item in answer.get("jobs") or [] if isinstance(item, dict)]
                jobs += items
                if len(items) < PAGE_SIZE or page * PAGE_SIZE >= int(answer.get("total") or 0):
                    break
                page += 1
        return jobs

    def _cluster(self, name: str) -> Cluster:
        found = [cluster for cluster in self.clusters() if cluster.name == name]
        if len(found) != 1 or not found[0].running:
            why = cdm.resolve_cluster(name, {}, list(self.clusters())).reason or f"CDM cluster {name} is unusable"
            raise ServiceError(400, "Cdm.0001", why, None)
        return found[0]

    def read(self, kind: Kind, cluster: Cluster, name: str) -> Mapping[str, Any] | None:
        single, plural = SEGMENT[kind]
        try:
            answer = self.client.get_json(self.path("clusters", cluster.id, "cdm", single, name))
        except ServiceError as error:
            if error.code in MISSING:
                return None
            raise
        items = answer.get(plural) or []
        return items[0] if items else None

    def save(self, kind: Kind, qualified_body: Mapping[str, Any]) -> None:
        """Create or replace one link or job (its name `<cluster>/<name>`)."""
        cluster_name, name = cdm.split(str(qualified_body["name"]))
        cluster = self._cluster(cluster_name)
        body = {**qualified_body, "name": name}
        single, plural = SEGMENT[kind]
        exists = self.read(kind, cluster, name) is not None
        base = ("clusters", cluster.id, "cdm", single)
        path = self.path(*base, name) if exists else self.path(*base)

        def send() -> None:
            self.client.call("PUT" if exists else "POST", path, body={plural: [body]}, replay_safe=False)

        def applied() -> bool:
            now = self.read(kind, cluster, name)
            return now is not None and cdm.same(cdm.of(kind), now, body)

        write_once(send, applied)

    def stop(self, qualified_name: str) -> None:
        """Stop a CDM job's run (PUT .../stop, reference §12.4); a job not running is left."""
        cluster_name, name = cdm.split(qualified_name)
        cluster = self._cluster(cluster_name)
        job = self.read(Kind.CDM_JOB, cluster, name)
        if job is not None and str(job.get("status")) in RUNNING:
            self.client.call("PUT", self.path("clusters", cluster.id, "cdm", "job", name, "stop"))

    def delete(self, kind: Kind, qualified_name: str) -> None:
        cluster_name, name = cdm.split(qualified_name)
        cluster = self._cluster(cluster_name)
        single, _ = SEGMENT[kind]
        path = self.path("clusters", cluster.id, "cdm", single, name)
        write_once(
            lambda: self.client.call("DELETE", path, replay_safe=False),
            lambda: self.read(kind, cluster, name) is None,
        )


def each_cdm(names: Sequence[str], act: Callable[[str], None]) -> Mapping[str, ServiceError | None]:
    """Run act(name) in order (links before the jobs that name them); a ServiceError is kept."""
    outcome: dict[str, ServiceError | None] = {}
    for name in names:
        try:
            act(name)
            outcome[name] = None
        except ServiceError as error:
            outcome[name] = error
    return outcome

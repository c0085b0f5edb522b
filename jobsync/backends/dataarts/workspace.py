"""The dataarts backend: a DataArts Factory workspace over its V1 REST API.

* snapshot: paged lists of jobs (BATCH and REAL_TIME), scripts, resources and connections;
  job bodies through batch export (100 jobs a call, zip parsed in memory), DLI queues, DIS
  streams and GES graphs for the environment. Lock holders and the lock policy are not
  exposed by the API (reference §7.4): the service enforces them when writing, and the
  refusal comes back as a blocked Failure.
* write: jobs through the console import (dataarts_import.py: a new version is submitted);
  scripts and resources through their create/modify APIs.
* The acting user is the one the credentials belong to; the `user` arguments are not sent.

docs/dataarts-backend.md explains the choices. The change-hint cache (backends/dataarts/cache.py)
answers `read_job_bodies` for jobs whose list hints did not move, so a plan with nothing
changed is list pages and no exports; `refresh=True` reads every body again. Writes and
deletes drop the jobs they touch from it.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Mapping, Sequence
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

from jobsync.backends.dataarts.cache import SETTLE_MS, JobCache, Stored
from jobsync.backends.dataarts.cdm import CdmApi, each_cdm
from jobsync.backends.dataarts.config import DataArtsConfig, cache_owner, credentials_from_env, parse_config
from jobsync.backends.dataarts.gate import GatedObsClient
from jobsync.backends.dataarts.http import (
    Credentials,
    SignedClient,
    TokenBucket,
    write_once,
)
from jobsync.backends.dataarts.importer import JobImporter, ObsTransfer, same, service_failure
from jobsync.backends.dataarts.lock import MARKER_NAME, MarkerLockStore
from jobsync.backends.dataarts.read import (
    dis_streams,
    dli_queues,
    export_all,
    ges_graphs,
    list_all,
    optional_names,
)
from jobsync.backends.dataarts.releases import Releases, workspace_mode
from jobsync.backends.dataarts.runs import DataArtsRuns
from jobsync.core.history import JobVersion
from jobsync.core.model import CDM_KINDS, Kind, ObjectKey
from jobsync.core.policies import SnapshotState
from jobsync.core.rules import job_tags
from jobsync.core.snapshot import Environment, Failure, Outcome, RemoteObject, Snapshot
from jobsync.errors import ServiceError, UnknownObjectError

EXPORT_STATUS: dict[SnapshotState, str] = {"develop": "DEVELOP", "submitted": "SUBMIT"}
JOB_TYPES = ("BATCH", "REAL_TIME")
JOB_PAGE = 1000  # the job list allows limit 1-1000 (list_all falls back if a service caps it)
NO_DATE_MARGIN_MS = 300_000  # no Date header: trust only bodies older than 5 minutes
V2_RATE = 8.0  # below the V2 limit of 10 requests/s per user
VERSIONS_KEPT = 100  # the service keeps the latest 100 versions (reference §7.2)
LIST_PATHS = {Kind.SCRIPT: ("scripts", "scripts"), Kind.RESOURCE: ("resources", "resources")}


def tags_of(body: Mapping[str, Any]) -> tuple[str, ...]:
    """The tags a job body declares (the API shows no other)."""
    return tuple(sorted(job_tags(body)))


class DataArtsWorkspace:
    """A Workspace backed by the DataArts Factory API (or the emulator)."""

    def __init__(
        self,
        config: DataArtsConfig,
        credentials: Credentials,
        *,
        obs: ObsTransfer | None = None,
        cache_path: Path | None = None,
        environment: str = "development",
    ) -> None:
        self.config = config
        self.credentials = credentials
        self.cache_path = cache_path
        self.environment_name = environment
        self._mode: str | None = None  # enterprise(): read once
        self.label = f"dataarts {config.region}/{config.workspace_id}"
        bucket = TokenBucket(config.rate_limit)
        headers = {"workspace": config.workspace_id}
        if environment == "production":  # enterprise mode; the reading of reference §11.1 is one setting
            headers[config.environment_header] = "1"
            self.label += " (production)"

        def client(endpoint: str) -> SignedClient:
            return SignedClient(endpoint, credentials, project_id=config.project_id, headers=headers, bucket=bucket)

        self.client = client(config.endpoint)
        # The job list and the bodies it leads to get a client of their own (same bucket): the
        # list's Date bounds which bodies may be cached (cache.py), and calls made meanwhile
        # for the scripts or the environment must not move it.
        self.lister = client(config.endpoint)
        # V2 factory APIs allow 10 requests/s per user (reference §11): a bucket of their own
        self.v2 = SignedClient(
            config.v2_endpoint,
            credentials,
            project_id=config.project_id,
            headers=headers,
            bucket=TokenBucket(min(config.rate_limit, V2_RATE)),
        )
        self.dli, self.dis, self.ges = (
            client(config.dli_endpoint),
            client(config.dis_endpoint),
            client(config.ges_endpoint),
        )
        self.cdm = CdmApi(client(config.cdm_endpoint))
        self.pool = ThreadPoolExecutor(max_workers=config.concurrency)
        self.obs = obs
        self.jobs = JobImporter(self.client, obs, self.pool, timeout_s=config.import_timeout_s)
        owner = cache_owner(config)
        if environment == "production":
            owner += "|production"
            cache_path = cache_path.with_name(f"{cache_path.stem}.production.json") if cache_path else None
        self.cache = JobCache(cache_path, owner)

    def __repr__(self) -> str:
        return f"DataArtsWorkspace({self.label!r}, endpoint={self.config.endpoint!r})"

    @classmethod
    def from_config(cls, backend: Mapping[str, Any], *, workspace_name: str, cache_dir: Path) -> DataArtsWorkspace:
        """Build from workspace.yaml's `backend:` mapping; credentials from the environment."""
        config = parse_config(backend, f"workspaces/{workspace_name}/workspace.yaml")
        credentials = credentials_from_env()
        obs = None
        if config.obs_bucket and credentials.ak:
            obs_client = GatedObsClient(
                access_key_id=credentials.ak,
                secret_access_key=credentials.sk,
                security_token=credentials.security_token or None,
                server=config.obs_endpoint,
                path_style=config.obs_path_style,
            )
            obs = ObsTransfer(obs_client, config.obs_bucket)
        cache_path = cache_dir / f"{workspace_name}.json"
        return cls(config, credentials, obs=obs, cache_path=cache_path)

    # -- enterprise mode (reference §11) ----------------------------------------------------

    def mode(self) -> str:
        """ "enterprise" or "simple": read from the workspace show API when backend.instance_id
        is set; without it jobsync cannot tell and takes simple mode."""
        if not self.config.instance_id:
            return "simple"
        return workspace_mode(self.v2, self.config.instance_id, self.config.workspace_id)

    def enterprise(self) -> DataArtsWorkspace | None:
        """This workspace, as its enterprise mode's environments and release packages, when it
        is in enterprise mode (read once per run: plan and apply ask it again)."""
        if self._mode is None:
            self._mode = self.mode()
        return self if self._mode == "enterprise" else None

    def runs(self) -> DataArtsRuns:
        """Runs through the run-once, instance and script-execute APIs (backends/dataarts/runs.py)."""
        return DataArtsRuns(self.client, self.v2)

    def acting_user(self) -> str | None:
        return "the owner of the DataArts credentials"  # the service records them, not `user:`

    def state_path(self) -> Path | None:
        return None  # the workspace lives in the service

    def production(self) -> DataArtsWorkspace:
        """The production environment of an enterprise-mode workspace, for reading (close it)."""
        return DataArtsWorkspace(self.config, self.credentials, cache_path=self.cache_path, environment="production")

    @property
    def releases(self) -> Releases:
        return Releases(self.v2)

    # -- reading -----------------------------------------------------------------------------

    def snapshot(self, *, state: SnapshotState = "develop", refresh: bool = False) -> Snapshot:
        """The workspace. The job list (with the bodies it needs), the scripts, the resources,
        the variables and the environment lists are read at once: none needs another, and
        one after the other their waits for the service add up (10,000 jobs: 4.6 s -> 2.6 s
        at 30 requests/s, which the shared token bucket still keeps)."""
        with ThreadPoolExecutor(max_workers=5, thread_name_prefix="jobsync-read") as reads:
            jobs = reads.submit(self.job_objects, state, refresh)
            others = {kind: reads.submit(self.list_kind, kind) for kind in (Kind.SCRIPT, Kind.RESOURCE)}
            variables = reads.submit(self.read_variables)
            environment = reads.submit(self.environment)
            objects = jobs.result()
            cdm_objects = self.cdm.objects(environment.result().cdm or ())
            for kind, listing in others.items():
                for listed_body in listing.result():
                    key = ObjectKey(kind, str(listed_body["name"]))
                    objects[key] = RemoteObject(key=key, body=listed_body)
            for variable in variables.result():
                key = ObjectKey(Kind.VARIABLE, str(variable["name"]))
                objects[key] = RemoteObject(key=key, body=variable)
            objects.update(cdm_objects)
            return Snapshot(objects=objects, environment=environment.result())

    def job_objects(self, state: SnapshotState, refresh: bool) -> dict[ObjectKey, RemoteObject]:
        listed = self.list_jobs()
        bodies = self.read_job_bodies(listed, EXPORT_STATUS[state], refresh=refresh)
        objects: dict[ObjectKey, RemoteObject] = {}
        for item in listed:
            key = ObjectKey(Kind.JOB, str(item["name"]))
            body = bodies.get(key.name)
            facts: dict[str, Any] = {
                "status": item.get("status"),
                "last_update_time": item.get("lastUpdateTime"),
                "last_update_user": item.get("lastUpdateUser"),
            }
            if isinstance(body, Stored):  # decoded only if something reads it
                objects[key] = RemoteObject(key, stored=body.text, digest=body.digest, tags=body.tags, **facts)
            elif body is not None:
                objects[key] = RemoteObject(key, body, tags=tags_of(body), **facts)
        return objects

    def read_variables(self) -> list[dict[str, Any]]:
        """`GET /v2/{project_id}/factory/env`: the workspace's environment variables."""
        reply = self.client.get_json(self.client.path("factory", "env", version="v2"))
        params = reply.get("params") if isinstance(reply, dict) else None
        return [dict(item) for item in params or () if isinstance(item, dict) and item.get("name")]

    def put_variables(self, variables: Sequence[Mapping[str, Any]], *, user: str) -> Failure | None:  # noqa: ARG002  as in write
        """`PUT /v2/{project_id}/factory/env` with the complete set: it replaces all (reference §11.3).
        Sending the same whole set twice has the same effect, so it is safe to retry."""
        body = {"params": [dict(variable) for variable in variables]}
        try:
            self.client.call("PUT", self.client.path("factory", "env", version="v2"), body=body)
        except ServiceError as error:
            return service_failure(error)
        return None

    def list_jobs(self) -> list[Mapping[str, Any]]:
        path = self.lister.path("jobs")
        found: list[Mapping[str, Any]] = []
        for job_type in JOB_TYPES:
            found += list_all(
                self.lister,
                path,
                "jobs",
                limit=JOB_PAGE,
                query=[("jobType", job_type)],
                pool=self.pool,
            )
        return found

    def read_job_bodies(
        self, listed: Sequence[Mapping[str, Any]], status: str, *, refresh: bool = False
    ) -> dict[str, Stored | dict[str, Any]]:
        """Job bodies by name: unchanged ones from the cache, the rest by batch export.

        Only the development state is cached (see cache.py); a body the cache keeps is
        returned as the cache keeps it (Stored: JSON text), the others as read. Must be
        called right after the list: the list's Date bounds which bodies have settled.
        """
        names = [str(item["name"]) for item in listed]
        if status != EXPORT_STATUS["develop"]:
            return dict(export_all(self.lister, names, status, self.pool))
        settled_before = self.settled_before()
        bodies: dict[str, Stored | dict[str, Any]] = {}
        stale: dict[str, Mapping[str, Any]] = {}
        for item in listed:
            cached = None if refresh else self.cache.get(item)
            if cached is None:
                stale[str(item["name"])] = item
            else:
                bodies[str(item["name"])] = cached

        def keep(name: str, body: dict[str, Any]) -> Stored | dict[str, Any]:
            """Each body as its batch arrives: the cache's text of it, or the body if unsettled."""
            return self.cache.put(stale[name], body, settled_before=settled_before) or body

        bodies.update(export_all(self.lister, list(stale), status, self.pool, keep=keep))
        self.cache.keep_only(names)
        self.cache.save()
        return bodies

    def settled_before(self) -> int:
        """Bodies whose lastUpdateTime is below this (service clock, ms) may be cached."""
        if self.lister.server_ms:
            return self.lister.server_ms - SETTLE_MS
        return int(time.time() * 1000) - NO_DATE_MARGIN_MS

    def list_kind(self, kind: Kind) -> list[Mapping[str, Any]]:
        """Every script or resource, except the workspace lock's marker script (dataarts/lock.py)."""
        segment, key = LIST_PATHS[kind]
        items = list_all(self.client, self.client.path(segment), key, pool=self.pool)
        if kind is Kind.SCRIPT:
            items = [item for item in items if item.get("name") != MARKER_NAME]
        return items

    def environment(self) -> Environment:
        return Environment(
            connections=optional_names(lambda: data_connections(self.v2)),
            dli_queues=optional_names(lambda: dli_queues(self.dli)),
            dis_streams=optional_names(lambda: dis_streams(self.dis)),
            ges_graphs=optional_names(lambda: ges_graphs(self.ges)),
            cdm=self.cdm.readable_clusters(),
            quality_jobs=optional_names(lambda: quality_jobs(self.v2, "quality-tasks")),
            consistency_jobs=optional_names(lambda: quality_jobs(self.v2, "consistency-tasks")),
        )

    # -- writing -----------------------------------------------------------------------------

    def write(self, kind: Kind, bodies: Sequence[Mapping[str, Any]], *, user: str, message: str) -> Outcome:  # noqa: ARG002  the service knows the signed-in user
        if kind in CDM_KINDS:
            chosen = by_name(bodies)
            return cdm_outcome(each_cdm(list(chosen), lambda name: self.cdm.save(kind, chosen[name])))
        if kind is Kind.JOB:
            self.forget([str(body["name"]) for body in bodies])
            return self.jobs.write(bodies, message)
        existing = {str(item["name"]): item for item in self.list_kind(kind)}
        return self.each(
            [str(b["name"]) for b in bodies],
            lambda name: self.save(kind, by_name(bodies)[name], existing.get(name)),
        )

    def save(self, kind: Kind, body: Mapping[str, Any], existing: Mapping[str, Any] | None) -> None:
        name = str(body["name"])
        segment = LIST_PATHS[kind][0]
        if existing is None:
            path, method = self.client.path(segment), "POST"
        else:
            target = name if kind is Kind.SCRIPT else str(existing["id"])
            path, method = self.client.path(segment, target), "PUT"

        def send() -> None:
            self.client.call(method, path, body=dict(body), replay_safe=False)

        write_once(send, lambda: same(body, self.read_one(kind, name)))

    def read_one(self, kind: Kind, name: str) -> Mapping[str, Any] | None:
        """The object as the service holds it now, or None."""
        if kind is Kind.SCRIPT:
            try:
                script: Mapping[str, Any] = self.client.get_json(self.client.path("scripts", name))
            except ServiceError:
                return None
            return script
        query = [("resourceName", name)]
        items = list_all(self.client, self.client.path("resources"), "resources", query=query)
        return next((item for item in items if item.get("name") == name), None)

    def forget(self, names: Sequence[str]) -> None:
        """Drop jobs about to be written or deleted from the cache (saved before the change)."""
        self.cache.forget(names)
        self.cache.save()

    def delete(self, kind: Kind, names: Sequence[str], *, user: str) -> Outcome:  # noqa: ARG002  as in write
        if kind in CDM_KINDS:
            return cdm_outcome(each_cdm(names, lambda name: self.cdm.delete(kind, name)))
        if kind is Kind.JOB:
            self.forget(names)
        ids = {}
        if kind is Kind.RESOURCE:
            ids = {str(item["name"]): str(item["id"]) for item in self.list_kind(kind)}

        def remove(name: str) -> None:
            if kind is Kind.RESOURCE and name not in ids:
                raise ServiceError(400, "DLF.6241", f"resource {name} does not exist", None)
            target = ids.get(name, name)
            path = self.client.path(LIST_PATHS.get(kind, ("jobs",))[0], target)
            write_once(
                lambda: self.client.call("DELETE", path, replay_safe=False),
                lambda: self.gone(kind, name),
            )

        return self.each(names, remove)

    def gone(self, kind: Kind, name: str) -> bool:
        if kind is Kind.RESOURCE:
            return self.read_one(kind, name) is None
        segment = "jobs" if kind is Kind.JOB else "scripts"
        try:
            self.client.get_json(self.client.path(segment, name))
        except ServiceError:
            return True
        return False

    def rename(self, kind: Kind, renames: Mapping[str, str], *, user: str) -> Outcome:  # noqa: ARG002  as in write
        """V2 `PUT factory/jobs/{name}/rename` per job (reference §11.4): versions are kept."""
        if kind is not Kind.JOB:
            reason = f"the service renames only jobs; a {kind.value} is replaced by delete and create"
            return {new: Failure(reason) for new in renames.values()}
        self.forget([*renames, *renames.values()])
        by_new = {new: old for old, new in renames.items()}

        def change(new: str) -> None:
            path = self.v2.path("factory", "jobs", by_new[new], "rename", version="v2")
            write_once(
                lambda: self.v2.call("PUT", path, body={"name": new}, replay_safe=False),
                lambda: self.gone(Kind.JOB, by_new[new]) and not self.gone(Kind.JOB, new),
            )

        return self.each(list(by_new), change)

    def versions(self, name: str) -> list[JobVersion]:
        """No API lists versions (reference §11.4): read `jobs/{name}?version=N` from the latest
        down. Submitter, time and description come from the reply's `submitUser`,
        `submitTime` and `versionDescription` where the service gives them (the emulator does;
        docs/dataarts-backend.md)."""
        path = self.client.path("jobs", name)
        try:
            latest = int(self.client.get_json(path).get("version") or 0)
        except ServiceError as error:
            if error.code == "DLF.0100":
                raise UnknownObjectError(f"job {name} is not in {self.label}") from None
            raise

        def read(number: int) -> JobVersion | None:
            try:
                reply = self.client.get_json(path, [("version", number)])
            except ServiceError:
                return None  # older than the 100 the service keeps
            submitted = reply.get("submitTime")
            return JobVersion(
                version=int(reply.get("version") or number),
                submitter=reply.get("submitUser") or None,
                submitted_ms=submitted if isinstance(submitted, int) else None,
                description=str(reply.get("versionDescription") or ""),
            )

        numbers = range(latest, max(0, latest - VERSIONS_KEPT), -1)
        return [found for found in self.pool.map(read, numbers) if found is not None]

    def set_scheduling(self, names: Sequence[str], running: bool, *, user: str) -> Outcome:  # noqa: ARG002  as in write
        action = "start" if running else "stop"
        return self.each(names, lambda name: self.client.call("POST", self.client.path("jobs", name, action)))

    def stop_cdm(self, names: Sequence[str], *, user: str) -> Outcome:  # noqa: ARG002  as in write
        return cdm_outcome(each_cdm(names, self.cdm.stop))

    def each(self, names: Sequence[str], change: Callable[[str], Any]) -> Outcome:
        """Run change(name) for each name on the pool; a ServiceError is that name's Failure."""

        def run(name: str) -> Failure | None:
            try:
                change(name)
            except ServiceError as error:
                return service_failure(error)
            return None

        return dict(zip(names, self.pool.map(run, names), strict=True))

    def lock_store(self) -> MarkerLockStore:
        """The run lock: a marker script whose unique name the service arbitrates."""
        return MarkerLockStore(self.client, self.config.workspace_id)

    def close(self) -> None:
        self.pool.shutdown(wait=True)
        for client in (self.client, self.lister, self.v2, self.dli, self.dis, self.ges, self.cdm.client):
            client.close()
        if self.obs is not None:
            self.obs.close()


def by_name(bodies: Sequence[Mapping[str, Any]]) -> dict[str, Mapping[str, Any]]:
    return {str(body["name"]): body for body in bodies}


def cdm_outcome(outcome: Mapping[str, ServiceError | None]) -> Outcome:
    return {name: None if error is None else service_failure(error) for name, error in outcome.items()}


def data_connections(client: SignedClient) -> list[str]:
    """The workspace's data connections, from Management Center's list (reference §12.9: the
    Factory connection API is being taken offline); `offset` counts rows, 50 a page."""
    names: list[str] = []
    while True:
        query = [("offset", len(names)), ("limit", 50)]
        answer = client.get_json(client.path("data-connections"), query)
        items = [item for item in answer.get("data_connection_lists") or [] if isinstance(item, dict)]
        names += [str(item.get("dw_name")) for item in items]
        if not items or len(names) >= int(answer.get("total_size") or answer.get("count") or 0):
            return names


def quality_jobs(client: SignedClient, which: str) -> list[str]:
    """The names of Data Quality's quality or comparison jobs (reference §12.8: `offset` a row
    offset, at most 100 a page)."""
    names: list[str] = []
    while True:
        query = [("offset", len(names)), ("limit", 100)]
        answer = client.get_json(client.path("quality", which, version="v2"), query)
        items = [item for item in answer.get("resources") or [] if isinstance(item, dict)]
        names += [str(item.get("name")) for item in items]
        if not items or len(names) >= int(answer.get("count") or 0):
            return names

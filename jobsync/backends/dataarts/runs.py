"""Runs through the DataArts API: run once, instance detail and list, stop, retry, script
execute and result (reference §2.7), and the V2 job list's `next_plan_time`.

The instance detail gives node statuses but no message; the instance list's `errorMessage`
carries why an instance failed, so a failed run is read from both.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from jobsync.backends.dataarts.http import SignedClient
from jobsync.backends.instances import job_params, job_report, script_report
from jobsync.core.runs import JobTiming, RunReport
from jobsync.errors import AmbiguousWriteError, RemoteError

INSTANCE_PAGE = 100
RUN_ATTEMPTS = 6
MANUAL = 2  # instanceType of a run started by hand (SDK-DGC JobInstance)


class DataArtsRuns:
    def __init__(self, client: SignedClient, v2: SignedClient) -> None:
        self.client = client
        self.v2 = v2
        self._script_started: dict[str, int] = {}

    def now_ms(self) -> int:
        """The service's time as its last answer's Date header gave it."""
        if not self.client.server_ms:
            self.client.get_json(self.client.path("jobs"), [("limit", 1)])
        return self.client.server_ms

    def run_job(self, name: str, params: Mapping[str, str]) -> str:
        """Run once, at most once: after an answer lost on the way, the instance list tells
        whether the run started (a manual instance that was not there before)."""
        body = {"jobParams": job_params(params)} if params else {}
        before = self._manual_instances(name)
        for _ in range(RUN_ATTEMPTS):
            try:
                path = self.client.path("jobs", name, "run-immediate")
                reply = self.client.call("POST", path, body=body, replay_safe=False)
                return str(reply.json()["instanceId"])
            except AmbiguousWriteError:
                started = self._manual_instances(name) - before
                if started:
                    return max(started, key=int)
        raise RemoteError(f"running job {name} once failed {RUN_ATTEMPTS} times in a row; the service is unavailable")

    def _manual_instances(self, name: str) -> set[str]:
        query = [("jobName", name), ("preciseQuery", "true"), ("limit", INSTANCE_PAGE)]
        listed = self.client.get_json(self.client.path("jobs", "instances", "detail"), query)
        return {str(item["instanceId"]) for item in listed.get("instances") or () if item.get("instanceType") == MANUAL}

    def job_run(self, name: str, instance_id: str) -> RunReport:
        detail = self.client.get_json(self.client.path("jobs", name, "instances", instance_id))
        message = ""
        if detail.get("status") == "fail":
            message = self._error_message(name, instance_id)
        return job_report(name, detail, message)

    def _error_message(self, name: str, instance_id: str) -> str:
        query = [("jobName", name), ("preciseQuery", "true"), ("limit", INSTANCE_PAGE)]
        listed = self.client.get_json(self.client.path("jobs", "instances", "detail"), query)
        for item in listed.get("instances") or ():
            if str(item.get("instanceId")) == instance_id:
                return str(item.get("errorMessage") or "")
        return ""

    def stop_job_run(self, name: str, instance_id: str) -> None:
        self.client.call("POST", self.client.path("jobs", name, "instances", instance_id, "stop"))

    def retry_job_run(self, name: str, instance_id: str) -> None:
        self.client.call("POST", self.client.path("jobs", name, "instances", instance_id, "restart"), replay_safe=False)

    def execute_script(self, name: str, params: Mapping[str, str]) -> str:
        path = self.client.path("scripts", name, "execute")
        reply = self.client.call("POST", path, body={"params": dict(params)}, replay_safe=False)
        instance = str(reply.json()["instanceId"])
        self._script_started[instance] = self.client.server_ms
        return instance

    def script_run(self, name: str, instance_id: str) -> RunReport:
        result: Mapping[str, Any] = self.client.get_json(self.client.path("scripts", name, "instances", instance_id))
        now = self.client.server_ms
        return script_report(name, instance_id, result, self._script_started.get(instance_id, now), now)

    def stop_script_run(self, name: str, instance_id: str) -> None:
        self.client.call("POST", self.client.path("scripts", name, "instances", instance_id, "stop"))

    def timing(self, names: Sequence[str]) -> dict[str, JobTiming]:
        found: dict[str, JobTiming] = {}
        for name in names:
            listed = self.v2.get_json(self.v2.path("factory", "jobs", version="v2"), [("job_name", name)])
            item = next((job for job in listed.get("jobs") or () if job.get("name") == name), None)
            next_plan = item.get("next_plan_time") if item else None
            query = [("jobName", name), ("preciseQuery", "true"), ("status", "running"), ("limit", 1)]
            running = self.client.get_json(self.client.path("jobs", "instances", "detail"), query)
            instances = running.get("instances") or []
            found[name] = JobTiming(
                name,
                next_plan if isinstance(next_plan, int) and not isinstance(next_plan, bool) else None,
                str(instances[0]["instanceId"]) if instances else None,
            )
        return found

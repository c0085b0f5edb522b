"""Runs of jobs and scripts, simulated in a workspace document: one copy for the local
workspace and the emulator.

How a run ends is told per job or script in the document's `runs` mapping (the emulator also
reads one at the top of its state, for every workspace):

    runs: {daily_sales: {result: fail, node: load_dw, seconds: 3, message: "table not found"}}

`result` success (the default) or fail, `node` the node that fails (default: the last one),
`seconds` how long the run takes (default 1), `message` the failed node's message. The
outcome is read when the run starts (and again on retry).

Instances live in the document (`instances` for jobs, `scriptInstances` for scripts) with the
time they started; their status is computed from the clock (backends/clock.py) whenever it is
read, so nothing runs in the background and a test's clock decides. A job whose schedule runs
(SCHEDULING) with a cron expression has a plan time (`next_plan_time`) and, while its latest
plan time is less than its run's seconds ago, a scheduled instance in progress.

Statuses and fields are the service's (reference §2.7).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from jobsync.backends.clock import Clock
from jobsync.backends.document import WorkspaceDocument
from jobsync.core.cronfire import last_fire, next_fire
from jobsync.core.model import Kind
from jobsync.core.runs import JobTiming
from jobsync.core.snapshot import SCHEDULING
from jobsync.errors import RuleError

DEFAULT_SECONDS = 1.0
NO_INSTANCE = "DLF.0137"  # documented (H-0313): the job instance does not exist
FIRST_INSTANCE = 1001
INSTANCES_KEPT = 500  # the newest runs of each kind; older ones are dropped from the document
MANUAL, SCHEDULED = 2, 0  # instanceType: 2 manual (run once), 0 normal schedule (SDK-DGC)


def _outcome(runs: Mapping[str, Any], name: str) -> dict[str, Any]:
    told = runs.get(name)
    told = told if isinstance(told, Mapping) else {}
    seconds = told.get("seconds", DEFAULT_SECONDS)
    return {
        "result": "fail" if told.get("result") == "fail" else "success",
        "node": told.get("node"),
        "seconds": float(seconds) if isinstance(seconds, (int, float)) and not isinstance(seconds, bool) else 1.0,
        "message": str(told.get("message") or ""),
    }


def _node_names(definition: Mapping[str, Any]) -> list[str]:
    nodes = definition.get("nodes")
    names = [str(node.get("name")) for node in nodes or () if isinstance(node, Mapping)]
    return names or ["job"]


def _cron(definition: Mapping[str, Any]) -> str | None:
    schedule = definition.get("schedule")
    if not isinstance(schedule, Mapping) or schedule.get("type") != "CRON":
        return None
    cron = schedule.get("cron")
    expression = cron.get("expression") if isinstance(cron, Mapping) else None
    return expression if isinstance(expression, str) else None


class RunSimulator:
    """Runs in one workspace document, timed by `clock`."""

    def __init__(self, document: WorkspaceDocument, clock: Clock, default_runs: Mapping[str, Any] | None = None):
        self.document = document
        self.data = document.data
        self.clock = clock
        self.default_runs = default_runs or {}

    def _runs(self) -> dict[str, Any]:
        told = self.data.get("runs")
        return {**self.default_runs, **(told if isinstance(told, Mapping) else {})}

    def _next_id(self) -> int:
        used = [
            int(item["instanceId"]) for key in ("instances", "scriptInstances") for item in self.data.get(key) or ()
        ]
        return max(used, default=FIRST_INSTANCE - 1) + 1

    def _definition(self, kind: Kind, name: str) -> Mapping[str, Any]:
        entry = self.document.entry(kind, name)
        if entry is None:
            raise RuleError("NOT_FOUND", f"{kind.value} {name} does not exist")
        definition: Mapping[str, Any] = entry.get("definition") or {}
        return definition

    # -- jobs --------------------------------------------------------------------------------

    def run_job(self, name: str, params: Any = None) -> int:
        """run-immediate: start one run now; the instance id."""
        definition = self._definition(Kind.JOB, name)
        if definition.get("processType") == "REAL_TIME":
            raise RuleError("INVALID", f"job {name} is a real-time job; only batch jobs run once", dlf="DLF.0136")
        now = self.clock.now_ms()
        number = self._next_id()
        instance = {
            "instanceId": number,
            "jobName": name,
            "instanceType": MANUAL,
            "planTime": now,
            "submitTime": now,
            "startTime": now,
            "nodeNames": _node_names(definition),
            "params": params if isinstance(params, list) else [],
            "outcome": _outcome(self._runs(), name),
        }
        kept = self.data.setdefault("instances", [])
        kept.append(instance)
        del kept[:-INSTANCES_KEPT]
        return number

    def _instance(self, name: str, instance_id: int | str) -> dict[str, Any]:
        for instance in self._all_instances():
            if str(instance["instanceId"]) == str(instance_id) and instance["jobName"] == name:
                return instance
        raise RuleError("NO_INSTANCE", f"job instance {instance_id} of {name} does not exist", dlf=NO_INSTANCE)

    def _all_instances(self) -> list[dict[str, Any]]:
        return [*(self.data.get("instances") or ()), *self._scheduled()]

    def _scheduled(self) -> list[dict[str, Any]]:
        """The scheduled instance of each scheduling job whose latest plan time is recent
        enough to be running (or just ended): computed, never stored."""
        now = self.clock.now_ms()
        found = []
        for entry in self.document.entries(Kind.JOB):
            definition = entry.get("definition") or {}
            expression = _cron(definition)
            if entry.get("status") != SCHEDULING or expression is None:
                continue
            planned = last_fire(expression, now)
            if planned is None:
                continue
            name = str(definition["name"])
            outcome = _outcome(self._runs(), name)
            if now - planned > outcome["seconds"] * 1000 + 60_000:
                continue
            found.append(
                {
                    "instanceId": 900_000_000 + planned // 60_000 % 100_000_000,
                    "jobName": name,
                    "instanceType": SCHEDULED,
                    "planTime": planned,
                    "submitTime": planned,
                    "startTime": planned,
                    "nodeNames": _node_names(definition),
                    "outcome": outcome,
                }
            )
        return found

    def _status(self, instance: Mapping[str, Any]) -> tuple[str, int | None]:
        """(status, end time) now."""
        outcome = instance["outcome"]
        end = int(instance["startTime"] + outcome["seconds"] * 1000)
        stopped = instance.get("stoppedAt")
        if isinstance(stopped, int) and stopped < end:
            return "manual-stop", stopped
        if self.clock.now_ms() < end:
            return "running", None
        return str(outcome["result"]), end

    def _nodes(self, instance: Mapping[str, Any]) -> list[dict[str, Any]]:
        names: list[str] = list(instance["nodeNames"])
        outcome = instance["outcome"]
        failing = names.index(outcome["node"]) if outcome["node"] in names else len(names) - 1
        step = outcome["seconds"] * 1000 / len(names)
        status, end = self._status(instance)
        moment = end if end is not None else self.clock.now_ms()
        nodes = []
        for index, name in enumerate(names):
            start = int(instance["startTime"] + index * step)
            finish = int(start + step)
            if outcome["result"] == "fail" and index > failing:
                node_status = "skip"
            elif moment >= finish:
                node_status = "fail" if outcome["result"] == "fail" and index == failing else "success"
            elif moment >= start:
                node_status = "manual-stop" if status == "manual-stop" else "running"
            else:
                node_status = "manual-stop" if status == "manual-stop" else "waiting"
            node = {
                "nodeName": name,
                "status": node_status,
                "planTime": instance["planTime"],
                "startTime": start if moment >= start else None,
                "endTime": finish if moment >= finish else None,
                "type": "Dummy",
                "retryTimes": 0,
                "instanceId": instance["instanceId"],
                "logPath": f"obs://dlf-log/{instance['jobName']}/{instance['instanceId']}/{name}.log",
            }
            if node_status == "fail":
                node["logExcerpt"] = outcome["message"] or f"node {name} failed"
            nodes.append(node)
        return nodes

    def list_item(self, instance: Mapping[str, Any]) -> dict[str, Any]:
        status, end = self._status(instance)
        item = {
            "jobName": instance["jobName"],
            "status": status,
            "planTime": instance["planTime"],
            "startTime": instance["startTime"],
            "endTime": end,
            "executeTime": (end - instance["startTime"]) if end is not None else None,
            "submitTime": instance["submitTime"],
            "instanceId": instance["instanceId"],
            "jobInstanceName": f"{instance['jobName']}_{instance['instanceId']}",
            "instanceType": instance["instanceType"],
            "ignoreSuccess": False,
            "forceSuccess": False,
        }
        if status == "fail":
            failed = next((node for node in self._nodes(instance) if node["status"] == "fail"), None)
            item["errorMessage"] = (failed or {}).get("logExcerpt", "")
        return item

    def job_instances(self, name: str | None = None, status: str | None = None) -> list[dict[str, Any]]:
        """The instance list, newest first."""
        items = [self.list_item(instance) for instance in self._all_instances()]
        items = [item for item in items if name in (None, "", item["jobName"])]
        items = [item for item in items if status in (None, "", item["status"])]
        return sorted(items, key=lambda item: (item["planTime"], item["instanceId"]), reverse=True)

    def job_instance(self, name: str, instance_id: int | str) -> dict[str, Any]:
        """The instance detail with its node instances."""
        instance = self._instance(name, instance_id)
        item = self.list_item(instance)
        nodes = self._nodes(instance)
        detail = {key: item[key] for key in ("jobName", "instanceId", "status", "planTime", "startTime", "endTime")}
        detail.update(
            executeTime=item["executeTime"],
            total=len(nodes),
            nodes=nodes,
            instanceType=item["instanceType"],
            forceSuccess=False,
            ignoreSuccess=False,
        )
        return detail

    def stop_instance(self, name: str, instance_id: int | str) -> None:
        instance = self._stored(name, instance_id)
        if self._status(instance)[0] == "running":
            instance["stoppedAt"] = self.clock.now_ms()

    def retry_instance(self, name: str, instance_id: int | str) -> None:
        """restart: run a failed or stopped instance again, with the outcome told now."""
        instance = self._stored(name, instance_id)
        if self._status(instance)[0] not in ("fail", "manual-stop"):
            raise RuleError("INVALID", f"job instance {instance_id} of {name} is not failed or stopped")
        instance.pop("stoppedAt", None)
        instance["startTime"] = self.clock.now_ms()
        instance["outcome"] = _outcome(self._runs(), name)

    def _stored(self, name: str, instance_id: int | str) -> dict[str, Any]:
        instance = self._instance(name, instance_id)
        if instance not in (self.data.get("instances") or ()):
            raise RuleError("INVALID", f"job instance {instance_id} of {name} is scheduled; it cannot be changed here")
        return instance

    def timing(self, name: str) -> JobTiming:
        entry = self.document.entry(Kind.JOB, name)
        if entry is None:
            raise RuleError("NOT_FOUND", f"job {name} does not exist")
        expression = _cron(entry.get("definition") or {})
        scheduling = entry.get("status") == SCHEDULING and expression is not None
        next_plan = next_fire(expression, self.clock.now_ms()) if scheduling and expression else None
        running = next((item for item in self.job_instances(name) if item["status"] == "running"), None)
        return JobTiming(name, next_plan, str(running["instanceId"]) if running else None)

    # -- scripts -----------------------------------------------------------------------------

    def execute_script(self, name: str, params: Any = None) -> str:
        self._definition(Kind.SCRIPT, name)
        now = self.clock.now_ms()
        instance = {
            "instanceId": self._next_id(),
            "scriptName": name,
            "startTime": now,
            "params": params if isinstance(params, Mapping) else {},
            "outcome": _outcome(self._runs(), name),
        }
        kept = self.data.setdefault("scriptInstances", [])
        kept.append(instance)
        del kept[:-INSTANCES_KEPT]
        return str(instance["instanceId"])

    def script_result(self, name: str, instance_id: int | str) -> dict[str, Any]:
        """The script result: status LAUNCHING, RUNNING, FINISHED or FAILED, and results."""
        for instance in self.data.get("scriptInstances") or ():
            if str(instance["instanceId"]) == str(instance_id) and instance["scriptName"] == name:
                break
        else:
            raise RuleError("NO_INSTANCE", f"script instance {instance_id} of {name} does not exist", dlf=NO_INSTANCE)
        outcome = instance["outcome"]
        elapsed = self.clock.now_ms() - instance["startTime"]
        if instance.get("stoppedAt") is not None:
            return {"status": "FAILED", "results": [], "message": "stopped"}
        if elapsed < outcome["seconds"] * 1000:
            return {"status": "RUNNING", "results": [], "message": ""}
        if outcome["result"] == "fail":
            return {"status": "FAILED", "results": [], "message": outcome["message"] or f"script {name} failed"}
        result = {"message": "", "rowCount": 0, "resultCount": 0, "duration": outcome["seconds"], "rows": []}
        return {"status": "FINISHED", "results": [result], "message": ""}

    def stop_script(self, name: str, instance_id: int | str) -> None:
        for instance in self.data.get("scriptInstances") or ():
            if str(instance["instanceId"]) == str(instance_id) and instance["scriptName"] == name:
                instance["stoppedAt"] = self.clock.now_ms()
                return
        raise RuleError("NO_INSTANCE", f"script instance {instance_id} of {name} does not exist", dlf=NO_INSTANCE)

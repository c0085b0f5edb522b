"""Run endpoints: run once, instance list and detail, stop and retry an instance, execute a
script and read its result (reference §2.7), and the V2 job list's `next_plan_time`.

The runs themselves are the shared simulator's (backends/runs.py), timed by the clock in use
(backends/clock.py); the state's top-level `runs` mapping tells outcomes for every workspace,
a workspace document's own `runs` for that workspace.
"""

from __future__ import annotations

from typing import Any

from jobsync.backends import clock
from jobsync.backends.runs import RunSimulator
from jobsync.core.model import Kind
from jobsync.emulator.http import INVALID, ApiError, Call, Reply, json_reply, no_content, rule_error
from jobsync.emulator.jobs import job_entry, list_item
from jobsync.emulator.state import EmulatorState
from jobsync.errors import RuleError

INSTANCE_STATUSES = (
    "waiting",
    "running",
    "success",
    "forceSuccess",
    "ignoreSuccess",
    "freeze",
    "skip-by-depend",
    "waiting-confirm",
    "fail",
    "running-exception",
    "pause",
    "manual-stop",
)
WEEK_MS = 7 * 86_400_000


def simulator(state: EmulatorState, call: Call) -> RunSimulator:
    told = state.data.get("runs")
    return RunSimulator(call.workspace, clock.current(), told if isinstance(told, dict) else None)


def _instance_id(raw: str) -> int:
    if not raw.isdigit():
        raise ApiError(INVALID, "The request parameter is invalid: instance_id")
    return int(raw)


def run_once(state: EmulatorState, call: Call, name: str) -> Reply:
    job_entry(call.workspace, name)
    body = call.json_object()
    params = body.get("jobParams")
    if params is not None and not isinstance(params, list):
        raise ApiError(INVALID, "The request parameter is invalid: jobParams")
    return json_reply({"instanceId": simulator(state, call).run_job(name, params)})


def list_instances(state: EmulatorState, call: Call) -> Reply:
    status = call.query.get("status") or None
    if status is not None and status not in INSTANCE_STATUSES:
        raise ApiError(INVALID, "The request parameter is invalid: status")
    low = call.query.get("minPlanTime")
    high = call.query.get("maxPlanTime")
    if low and high and low.isdigit() and high.isdigit() and int(high) - int(low) > WEEK_MS:
        raise ApiError(INVALID, "The request parameter is invalid: the plan time window is longer than 7 days")
    limit = call.int_param("limit", 10, 1, 100)
    offset = call.int_param("offset", 0, 0, 1_000_000)
    items = simulator(state, call).job_instances(call.query.get("jobName") or None, status)
    if low and low.isdigit():
        items = [item for item in items if item["planTime"] >= int(low)]
    if high and high.isdigit():
        items = [item for item in items if item["planTime"] <= int(high)]
    return json_reply({"total": len(items), "instances": items[offset : offset + limit]})


def show_instance(state: EmulatorState, call: Call, name: str, raw: str) -> Reply:
    job_entry(call.workspace, name)
    try:
        return json_reply(simulator(state, call).job_instance(name, _instance_id(raw)))
    except RuleError as error:
        raise rule_error(Kind.JOB, error) from None


def stop_instance(state: EmulatorState, call: Call, name: str, raw: str) -> Reply:
    job_entry(call.workspace, name)
    try:
        simulator(state, call).stop_instance(name, _instance_id(raw))
    except RuleError as error:
        raise rule_error(Kind.JOB, error) from None
    return no_content()


def restart_instance(state: EmulatorState, call: Call, name: str, raw: str) -> Reply:
    job_entry(call.workspace, name)
    try:
        simulator(state, call).retry_instance(name, _instance_id(raw))
    except RuleError as error:
        raise rule_error(Kind.JOB, error) from None
    return no_content()


def execute_script(state: EmulatorState, call: Call, name: str) -> Reply:
    params = call.json_object().get("params")
    if params is not None and not isinstance(params, dict):
        raise ApiError(INVALID, "The request parameter is invalid: params")
    try:
        return json_reply({"instanceId": simulator(state, call).execute_script(name, params)})
    except RuleError as error:
        raise rule_error(Kind.SCRIPT, error) from None


def script_result(state: EmulatorState, call: Call, name: str, instance_id: str) -> Reply:
    try:
        return json_reply(simulator(state, call).script_result(name, instance_id))
    except RuleError as error:
        raise rule_error(Kind.SCRIPT, error) from None


def stop_script(state: EmulatorState, call: Call, name: str, instance_id: str) -> Reply:
    try:
        simulator(state, call).stop_script(name, instance_id)
    except RuleError as error:
        raise rule_error(Kind.SCRIPT, error) from None
    return no_content()


def list_jobs_v2(state: EmulatorState, call: Call) -> Reply:
    """GET v2/factory/jobs: the V2 list in snake_case with next_plan_time (H-V2-list)."""
    wanted = call.query.get("job_name") or ""
    limit = call.int_param("limit", 100, 1, 1000)
    offset = call.int_param("offset", 0, 0, 1_000_000)
    runs = simulator(state, call)
    entries = [entry for entry in call.workspace.entries(Kind.JOB) if wanted in entry["definition"]["name"]]
    jobs: list[dict[str, Any]] = []
    for entry in entries[offset : offset + limit]:
        item = list_item(entry)
        name = str(item["name"])
        latest = runs.job_instances(name)
        jobs.append(
            {
                "name": name,
                "job_type": item["jobType"],
                "status": item["status"],
                "create_user": item["createUser"],
                "create_time": item["createTime"],
                "owner": item["owner"],
                "priority": item["priority"],
                "path": item["path"],
                "last_update_time": item["lastUpdateTime"],
                "last_update_user": item["lastUpdateUser"],
                "last_instance_status": latest[0]["status"] if latest else None,
                "last_instance_end_time": latest[0]["endTime"] if latest else None,
                "next_plan_time": runs.timing(name).next_plan_ms,
            }
        )
    return json_reply({"total": len(entries), "jobs": jobs})

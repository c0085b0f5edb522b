"""The emulator's route table: (method, path pattern) -> handler.

Paths are relative to the API prefix (`/v1/{project_id}/`, `/v1.0/{project_id}/` for DLI,
`/v2/{project_id}/` for DIS and GES). A handler takes (app, call, *path parts).
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

from jobsync.emulator import cdm, enterprise, env, jobs, objects, runs, studio, transfer
from jobsync.emulator.http import Call, Reply

Handler = Callable[..., Reply]

TABLE: list[tuple[str, str, Handler]] = [
    ("GET", "v1/jobs", lambda app, call: jobs.list_jobs(call, app.offset_mode)),
    ("POST", "v1/jobs", lambda app, call: jobs.create_job(call)),
    ("POST", "v1/jobs/batch-export", lambda app, call: transfer.batch_export(app.state, call)),
    ("POST", "v1/jobs/import", lambda app, call: transfer.import_jobs(app.state, call)),
    ("GET", "v1/jobs/instances/detail", lambda app, call: runs.list_instances(app.state, call)),
    ("GET", "v1/jobs/{}", lambda app, call, name: jobs.show_job(call, name)),
    ("PUT", "v1/jobs/{}", lambda app, call, name: jobs.edit_job(call, name)),
    ("DELETE", "v1/jobs/{}", lambda app, call, name: jobs.delete_job(call, name)),
    ("PUT", "v2/factory/jobs/{}/rename", lambda app, call, name: jobs.rename_job(call, name)),
    ("POST", "v1/jobs/{}/start", lambda app, call, name: jobs.start_job(call, name)),
    ("POST", "v1/jobs/{}/stop", lambda app, call, name: jobs.stop_job(call, name)),
    ("POST", "v1/jobs/{}/run-immediate", lambda app, call, name: runs.run_once(app.state, call, name)),
    ("GET", "v1/jobs/{}/instances/{}", lambda app, call, name, iid: runs.show_instance(app.state, call, name, iid)),
    (
        "POST",
        "v1/jobs/{}/instances/{}/stop",
        lambda app, call, name, iid: runs.stop_instance(app.state, call, name, iid),
    ),
    (
        "POST",
        "v1/jobs/{}/instances/{}/restart",
        lambda app, call, name, iid: runs.restart_instance(app.state, call, name, iid),
    ),
    ("GET", "v2/factory/jobs", lambda app, call: runs.list_jobs_v2(app.state, call)),
    (
        "POST",
        "v1/jobs/{}/export",
        lambda app, call, name: transfer.export_job(app.state, call, name),
    ),
    ("GET", "v1/system-tasks/{}", lambda app, call, task: transfer.show_task(app.state, task)),
    ("GET", "v1/scripts", lambda app, call: objects.list_scripts(call, app.offset_mode)),
    ("POST", "v1/scripts", lambda app, call: objects.create_script(call)),
    ("GET", "v1/scripts/{}", lambda app, call, name: objects.show_script(call, name)),
    ("PUT", "v1/scripts/{}", lambda app, call, name: objects.edit_script(call, name)),
    ("DELETE", "v1/scripts/{}", lambda app, call, name: objects.delete_script(call, name)),
    ("POST", "v1/scripts/{}/execute", lambda app, call, name: runs.execute_script(app.state, call, name)),
    ("GET", "v1/scripts/{}/instances/{}", lambda app, call, name, iid: runs.script_result(app.state, call, name, iid)),
    (
        "POST",
        "v1/scripts/{}/instances/{}/stop",
        lambda app, call, name, iid: runs.stop_script(app.state, call, name, iid),
    ),
    ("GET", "v1/resources", lambda app, call: objects.list_resources(call, app.offset_mode)),
    ("POST", "v1/resources", lambda app, call: objects.create_resource(call)),
    ("GET", "v1/resources/{}", lambda app, call, rid: objects.show_resource(call, rid)),
    ("PUT", "v1/resources/{}", lambda app, call, rid: objects.edit_resource(call, rid)),
    ("DELETE", "v1/resources/{}", lambda app, call, rid: objects.delete_resource(call, rid)),
    ("GET", "v1/connections", lambda app, call: objects.list_connections(call, app.offset_mode)),
    ("GET", "v1/workspaces/{}/{}", lambda app, call, iid, wid: enterprise.show_workspace(app.state, iid, wid)),
    ("GET", "v2/factory/pending-items", lambda app, call: enterprise.list_pending(call)),
    ("POST", "v2/factory/pending-items/package", lambda app, call: enterprise.create_package(call)),
    ("POST", "v2/factory/release-packages", lambda app, call: enterprise.list_packages(call)),
    ("GET", "v2/factory/release-packages/{}", lambda app, call, pid: enterprise.show_package(call, pid)),
    ("POST", "v2/factory/release-packages/deploy", lambda app, call: enterprise.deploy(app.state, call)),
    ("POST", "v2/factory/release-packages/unpack", lambda app, call: enterprise.cancel(call)),
    ("GET", "v1.0/queues", lambda app, call: objects.list_dli_queues(call)),
    ("GET", "v2/streams", lambda app, call: objects.list_dis_streams(call)),
    ("GET", "v2/graphs", lambda app, call: objects.list_ges_graphs(call)),
    ("GET", "v2/factory/env", lambda app, call: env.show_env(call)),
    ("PUT", "v2/factory/env", lambda app, call: env.put_env(call)),
    ("GET", "v1/data-connections", lambda app, call: studio.list_data_connections(call)),
    ("GET", "v2/quality/quality-tasks", lambda app, call: studio.list_quality_jobs(call, studio.QUALITY)),
    ("GET", "v2/quality/consistency-tasks", lambda app, call: studio.list_quality_jobs(call, studio.CONSISTENCY)),
    *cdm.ROUTES,
]


def pattern(template: str) -> re.Pattern[str]:
    return re.compile("^" + re.escape(template).replace(r"\{\}", "([^/]+)") + "$")


COMPILED = [(method, template, pattern(template), handler) for method, template, handler in TABLE]


def resolve(method: str, relative: str) -> tuple[str, Handler, tuple[str, ...]] | None:
    """(endpoint label, handler, path parts) for a request, or None."""
    for route_method, template, pattern, handler in COMPILED:
        match = pattern.match(relative)
        if match and route_method == method:
            return f"{method} {template}", handler, match.groups()
    return None


def run(app: Any, handler: Handler, call: Call, parts: tuple[str, ...]) -> Reply:
    return handler(app, call, *parts)

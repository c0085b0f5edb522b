"""Export, then apply into an empty workspace, gives back every definition.

The seeded workspace holds the official examples and a job carrying fields no document
lists; after export and apply into an empty workspace each definition equals the original
except the server-managed fields.
"""

from __future__ import annotations

import json
import shutil

from support import EXAMPLES, Scenario, environment

from jobsync.core.model import Kind
from jobsync.core.normalize import strip


def load(name):
    return json.loads((EXAMPLES / name).read_text())


def undocumented_job():
    """A job shaped like a console export, with the fields reference §5.6 lists."""
    body = load("job-show-hivesql.response.json")  # carries id, lastUpdateUser: server fields
    body.update(
        {
            "name": "myJob_exported",
            "directory": "/warehouse/hive",
            "maskedParams": [],
            "taskWorkGroupId": "twg-1",
            "useCdmCache": False,
            "runAtOnceAfterIncubate": False,
            "resources": [],
            "version": "1.0",
        }
    )
    body["basicConfig"].update({"encrypt": False, "jobDescription": "x", "taskPriority": 2})
    body["schedule"] = {
        "type": "CRON",
        "requireManualConfirmBeforeExecute": False,
        "scheduleOffset": 0,
        "cron": {"expression": "0 0 1 * * ?", "calendarScheduling": None, "isSkipSelfDepJob": False, "scanInterval": 0},
    }
    node = body["nodes"][0]
    node["resouces"] = []  # sic: a console typo that must survive
    node["properties"].append({"name": "emptyRunningJob", "value": "0", "value_is_sensitive": False})
    return body


def seed_document():
    script = load("script-create-shell.request.json")
    listed = load("script-list.response.json")["scripts"][0]
    resource = load("resource-create-jar.request.json")
    document = environment(connections=[{"name": n} for n in ("con", "mrs_hive_test", "mrs_spark")])
    document["jobs"] = [
        {"definition": load("job-create-hivesql-batch.request.json"), "status": "STOPPED", "versions": []},
        {"definition": undocumented_job(), "status": "STOPPED", "versions": []},
    ]
    hive = {
        "name": "test_hive_sql",
        "type": "HiveSQL",
        "content": "select 1;",
        "connectionName": "mrs_hive_test",
        "directory": "/",
        "id": 42,
        "owner": "test_user",
        "version": 3,
        "modifyTime": 1762853642305,
    }
    document["scripts"] = [{"definition": script}, {"definition": listed}, {"definition": hive}]
    document["resources"] = [{"definition": resource, "id": "r1"}]
    return document


def test_export_then_apply_into_an_empty_workspace_round_trips_every_definition(scenario, tmp_path_factory):
    original = seed_document()
    scenario.seed(original)
    scenario.commit("init")
    assert scenario.run("export", "-w", "dev").exit_code == 0

    empty = environment(connections=original["connections"])
    target = Scenario(tmp_path_factory.mktemp("target"), scenario.backend, scenario.emulator)
    shutil.copytree(scenario.folder, target.folder, dirs_exist_ok=True, ignore=shutil.ignore_patterns("workspace.yaml"))
    target.seed(empty)
    target.commit("copied")
    apply = target.run("apply", "-w", "dev", "--auto-approve")

    assert apply.exit_code == 0, apply.stdout + apply.stderr
    result = target.document()
    for section, kind in (("jobs", Kind.JOB), ("scripts", Kind.SCRIPT), ("resources", Kind.RESOURCE)):
        before = {e["definition"]["name"]: strip(kind, e["definition"]) for e in original[section]}
        after = {e["definition"]["name"]: strip(kind, e["definition"]) for e in result[section]}
        assert after == before, section
    assert target.run("plan", "-w", "dev", "--detailed-exitcode").exit_code == 0


def test_undocumented_fields_are_kept_in_the_yaml(local):
    local.seed(seed_document())
    local.commit("init")
    local.run("export", "-w", "dev")

    text = (local.folder / "jobs" / "warehouse" / "hive" / "myJob_exported.yaml").read_text()

    for field in ("maskedParams", "taskWorkGroupId", "resouces", "value_is_sensitive", "scheduleOffset"):
        assert field in text
    for server_field in ("id:", "lastUpdateUser"):
        assert server_field not in text

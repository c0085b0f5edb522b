"""The local workspace document under concurrent writers, and its atomic writes."""

from __future__ import annotations

import json
import multiprocessing

from jobsync.backends.local import LocalWorkspace
from jobsync.core.model import Kind


def _writer(path: str, prefix: str, count: int) -> None:
    workspace = LocalWorkspace(__import__("pathlib").Path(path))
    for index in range(count):
        body = {
            "name": f"{prefix}_{index}",
            "nodes": [{"name": "a", "type": "Dummy"}],
            "schedule": {"type": "EXECUTE_ONCE"},
        }
        workspace.write(Kind.JOB, [body], user=prefix, message="")


def test_two_processes_writing_at_once_lose_nothing(tmp_path):
    path = tmp_path / "state.json"
    context = multiprocessing.get_context("spawn")
    writers = [context.Process(target=_writer, args=(str(path), name, 15)) for name in ("alice", "bob")]
    for process in writers:
        process.start()
    for process in writers:
        process.join(timeout=120)

    names = sorted(entry["definition"]["name"] for entry in json.loads(path.read_text())["jobs"])

    assert all(process.exitcode == 0 for process in writers)
    assert len(names) == 30
    assert names[:2] == ["alice_0", "alice_1"] and names[-1] == "bob_9"


def test_a_failed_rule_leaves_the_other_objects_written(tmp_path):
    path = tmp_path / "state.json"
    path.write_text(json.dumps({"jobs": [{"definition": {"name": "busy"}, "status": "SCHEDULING"}]}))
    workspace = LocalWorkspace(path)
    valid = {"nodes": [{"name": "a", "type": "Dummy"}], "schedule": {"type": "EXECUTE_ONCE"}}

    outcome = workspace.write(Kind.JOB, [{"name": "busy", **valid}, {"name": "free", **valid}], user="u", message="m")

    assert outcome["free"] is None
    assert outcome["busy"] is not None and outcome["busy"].code == "JOB_RUNNING"
    document = json.loads(path.read_text())
    assert [e["definition"]["name"] for e in document["jobs"]] == ["busy", "free"]
    assert document["jobs"][1]["versions"][0]["description"] == "m"


def test_the_seed_document_is_the_starting_point_and_stays_untouched(tmp_path):
    seed = tmp_path / "seed.json"
    seed.write_text(json.dumps({"connections": [{"name": "c"}]}))
    workspace = LocalWorkspace(tmp_path / "state" / "dev.json", seed=seed)

    before = workspace.snapshot().environment.connections
    workspace.write(Kind.SCRIPT, [{"name": "s", "type": "Shell", "connectionName": "c"}], user="u", message="")

    assert before == frozenset({"c"})
    assert json.loads(seed.read_text()) == {"connections": [{"name": "c"}]}
    assert json.loads((tmp_path / "state" / "dev.json").read_text())["scripts"][0]["lockedBy"] == "u"

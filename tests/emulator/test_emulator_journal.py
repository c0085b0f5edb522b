"""The emulator's state file: only what changed is written, only when something changed, and a
kill at any moment leaves a state that reads back whole (emulator/journal.py)."""

from __future__ import annotations

import contextlib
import json
import os
import signal
import subprocess
import sys
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import requests

from jobsync.backends.dataarts.http import Credentials, RetryPolicy, SignedClient
from jobsync.emulator import journal
from jobsync.emulator.app import EmulatorApp
from jobsync.emulator.journal import journal_path, read_state
from jobsync.emulator.server import make_server
from jobsync.emulator.state import EmulatorState, default_state

pytestmark = pytest.mark.emulator

JOB = {"processType": "BATCH", "nodes": [], "schedule": {"type": "EXECUTE_ONCE"}}


def job(name: str, **extra: Any) -> dict[str, Any]:
    return {**JOB, "name": name, **extra}


def seeded_state(count: int) -> dict[str, Any]:
    data = default_state()
    data["workspaces"]["default"]["jobs"] = [
        {"definition": job(f"作业{i:03d}"), "status": "STOPPED"} for i in range(count)
    ]
    return data


class Served:
    """An emulator with a state file on 127.0.0.1, and signed requests to it."""

    def __init__(self, state: EmulatorState, url: str) -> None:
        self.state = state
        self.url = url

    def call(self, method: str, path: str, body: Any = None) -> requests.Response:
        return call(self.url, self.state.project_id, method, path, body)


def call(url: str, project_id: str, method: str, path: str, body: Any = None) -> requests.Response:
    ak, sk = default_state()["credentials"][0]["ak"], default_state()["credentials"][0]["sk"]
    credentials = Credentials(ak=ak, sk=sk)
    signed = SignedClient(
        url, credentials, project_id=project_id, headers={"workspace": "default"}, rate=0, retry=RetryPolicy(attempts=1)
    )
    data = b"" if body is None else json.dumps(body).encode()
    version, _, rest = path.partition("/") if path.startswith("v2/") else ("v1", "", path)
    target, headers = signed.prepare(method, f"/{version}/{project_id}/{rest}", [], data)
    return requests.request(method, target, headers=headers, data=data or None, timeout=10)


@contextlib.contextmanager
def served(path: Path) -> Iterator[Served]:
    stored = read_state(path)
    state = EmulatorState(stored.data, path=path, base=stored.base)
    state.persist()
    server = make_server(EmulatorApp(state))
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield Served(state, f"http://127.0.0.1:{server.server_address[1]}")
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=5)


def files(path: Path) -> tuple[bytes, bytes | None]:
    journal_file = journal_path(path)
    return path.read_bytes(), journal_file.read_bytes() if journal_file.exists() else None


def by_name(data: dict[str, Any], section: str) -> dict[str, Any]:
    return {entry["definition"]["name"]: entry for entry in data["workspaces"]["default"][section]}


def test_requests_that_change_nothing_write_nothing(tmp_path):
    path = tmp_path / "state.json"
    path.write_text(json.dumps(seeded_state(30)))
    with served(path) as emulator:
        before = files(path)
        assert emulator.call("GET", "jobs").status_code == 200
        exported = emulator.call("POST", "jobs/batch-export", {"jobList": ["作业001", "作业002"]})
        assert exported.status_code == 200
        refused = emulator.call("POST", "jobs", job("作业001"))  # exists: refused, nothing saved
        assert refused.status_code == 400
        assert emulator.call("DELETE", "jobs/没有这个作业").status_code >= 400
        assert files(path) == before


def test_a_change_appends_one_line_holding_only_what_it_changed(tmp_path):
    path = tmp_path / "state.json"
    path.write_text(json.dumps(seeded_state(30)))
    with served(path) as emulator:
        before, _ = files(path)
        assert emulator.call("PUT", "jobs/作业007", job("作业007", logPath="obs://b/改/")).status_code == 204
        after, journal_text = files(path)
    assert after == before  # the state file is not rewritten for one change
    assert journal_text is not None
    header, line = journal_text.decode().splitlines()
    assert json.loads(header)["base"] == journal.digest(before)
    [change] = json.loads(line)["changes"]
    assert change["put"] == ["default", "", "jobs", "作业007"]
    assert change["entry"]["definition"]["logPath"] == "obs://b/改/"
    assert "作业008" not in line


def test_the_state_read_back_is_the_state_served_after_every_kind_of_change(tmp_path):
    path = tmp_path / "state.json"
    path.write_text(json.dumps(seeded_state(5)))
    with served(path) as emulator:
        assert emulator.call("POST", "jobs", job("新作业")).status_code == 204
        assert emulator.call("PUT", "jobs/作业001", job("作业001", logPath="obs://x/")).status_code == 204
        assert emulator.call("DELETE", "jobs/作业002").status_code == 204
        renamed = emulator.call("PUT", "v2/factory/jobs/作业003/rename", {"name": "改名作业"})
        assert renamed.status_code in (200, 204), renamed.text
        assert emulator.call("POST", "jobs", job("作业003")).status_code == 204  # the old name again
        assert emulator.call("POST", "jobs/作业004/start").status_code in (200, 204)
        env = {"params": [{"name": "日期", "value": "2024", "type": "variable"}]}
        assert emulator.call("PUT", "v2/factory/env", env).status_code in (200, 204)
        script = {"name": "脚本", "type": "DLISQL", "content": "select 1", "queueName": "default"}
        assert emulator.call("POST", "scripts", script).status_code in (200, 204)
        with emulator.state.lock:
            served_state = json.loads(json.dumps(emulator.state.data))
        assert journal_path(path).exists()
        read = read_state(path)
    assert read.base is None  # a journal was applied
    for section in ("jobs", "scripts", "resources"):
        assert by_name(read.data, section) == by_name(served_state, section)
    assert journal.skeleton(read.data) == journal.skeleton(served_state)
    assert "作业002" not in by_name(read.data, "jobs")
    assert by_name(read.data, "jobs")["作业004"]["status"] != "STOPPED"


def test_the_journal_is_folded_into_the_state_file_when_it_outgrows_it(tmp_path, monkeypatch):
    path = tmp_path / "state.json"
    path.write_text(json.dumps(seeded_state(3)))
    monkeypatch.setattr(journal, "COMPACT_AT", 0)
    with served(path) as emulator:
        assert emulator.state.journal is not None
        for i in range(40):  # each line holds a job: the journal passes the file's size
            assert emulator.call("PUT", "jobs/作业001", job("作业001", logPath=f"obs://x/{i}/")).status_code == 204
        folded = json.loads(path.read_text())
        lines = journal_path(path).read_text().splitlines()
        assert len(lines) - 1 < 40  # folded on the way: the journal holds fewer than the 40 changes
    assert by_name(folded, "jobs")["作业001"]["definition"]["logPath"].startswith("obs://x/")
    assert by_name(read_state(path).data, "jobs")["作业001"]["definition"]["logPath"] == "obs://x/39/"


def test_a_torn_last_line_is_ignored_and_a_foreign_journal_is_set_aside(tmp_path):
    path = tmp_path / "state.json"
    path.write_text(json.dumps(seeded_state(3)))
    with served(path) as emulator:
        assert emulator.call("POST", "jobs", job("保存了")).status_code == 204
    with journal_path(path).open("a") as handle:
        handle.write('{"changes":[{"put":["default","","jobs","半行"],"entry":{"defin')  # killed mid-write
    assert set(by_name(read_state(path).data, "jobs")) == {"作业000", "作业001", "作业002", "保存了"}

    path.write_text(json.dumps(seeded_state(1)))  # edited by hand after the kill
    stored = read_state(path)
    assert set(by_name(stored.data, "jobs")) == {"作业000"}
    assert "set aside" in stored.warnings[0]
    assert not journal_path(path).exists()
    assert journal_path(path).with_name("state.json.journal.stale").exists()


def test_serve_killed_with_sigkill_leaves_every_answered_change_readable(tmp_path):
    path = tmp_path / "state.json"
    path.write_text(json.dumps(seeded_state(20)))
    command = [sys.executable, "-m", "jobsync", "emulator", "serve", "--state", str(path), "--port", "0"]
    env = {**os.environ, "PYTHONPATH": os.pathsep.join(sys.path)}
    process = subprocess.Popen(command, stderr=subprocess.PIPE, text=True, env=env)
    try:
        assert process.stderr is not None
        first = process.stderr.readline()
        url = first.split(" listening on ")[1].split()[0]
        project_id = default_state()["project_id"]
        for i in range(10):
            assert call(url, project_id, "POST", "jobs", job(f"杀前{i}")).status_code == 204
        assert call(url, project_id, "DELETE", "jobs/作业000").status_code == 204
    finally:
        process.send_signal(signal.SIGKILL)
        process.wait(timeout=10)
        if process.stderr is not None:
            process.stderr.close()
    names = set(by_name(read_state(path).data, "jobs"))
    assert {f"杀前{i}" for i in range(10)} <= names
    assert "作业000" not in names and "作业019" in names


def test_serve_stopped_with_sigterm_folds_the_journal_into_the_state_file(tmp_path):
    path = tmp_path / "state.json"
    path.write_text(json.dumps(seeded_state(2)))
    command = [sys.executable, "-m", "jobsync", "emulator", "serve", "--state", str(path), "--port", "0"]
    env = {**os.environ, "PYTHONPATH": os.pathsep.join(sys.path)}
    process = subprocess.Popen(command, stderr=subprocess.PIPE, text=True, env=env)
    assert process.stderr is not None
    url = process.stderr.readline().split(" listening on ")[1].split()[0]
    assert call(url, default_state()["project_id"], "POST", "jobs", job("停前")).status_code == 204
    assert journal_path(path).exists()

    process.send_signal(signal.SIGTERM)
    assert process.wait(timeout=10) == 0
    process.stderr.close()

    assert not journal_path(path).exists()
    assert "停前" in by_name(json.loads(path.read_text()), "jobs")


def test_a_release_into_the_production_environment_is_journaled_and_read_back(tmp_path):
    from jobsync.core.model import Kind
    from jobsync.emulator import enterprise

    path = tmp_path / "state.json"
    path.write_text(json.dumps(seeded_state(1)))
    stored = read_state(path)
    state = EmulatorState(stored.data, path=path, base=stored.base)
    state.persist()
    develop = state.document("default")
    assert develop is not None
    production = enterprise.production(state, "default", develop)
    production.save(Kind.JOB, job("发布"), user="admin", description="release")  # as release_item does
    state.persist()

    assert journal_path(path).exists()
    read = read_state(path).data["workspaces"]["default"]
    assert [entry["definition"]["name"] for entry in read["production"]["jobs"]] == ["发布"]
    assert [entry["definition"]["name"] for entry in read["jobs"]] == ["作业000"]


def signed(url: str, project_id: str, method: str, path: str, body: Any = None) -> requests.Response:
    """A signed request to any versioned path (`v1.1/...` for CDM)."""
    ak, sk = default_state()["credentials"][0]["ak"], default_state()["credentials"][0]["sk"]
    client = SignedClient(
        url, Credentials(ak=ak, sk=sk), project_id=project_id, headers={"workspace": "default"}, rate=0
    )
    version, _, rest = path.partition("/")
    data = b"" if body is None else json.dumps(body).encode()
    target, headers = client.prepare(method, f"/{version}/{project_id}/{rest}", [], data)
    return requests.request(method, target, headers=headers, data=data or None, timeout=10)


def test_cdm_objects_and_job_runs_are_journaled_and_read_back(tmp_path):
    """What the run simulator and the CDM routes change lives outside the object sections of a
    workspace: it must reach the journal too, or a killed emulator forgets it."""
    path = tmp_path / "state.json"
    data = seeded_state(2)
    cluster = {"name": "cdm-集群", "id": "11111111-2222-3333-4444-555555555555", "status": "200"}
    data["cdm"] = {"clusters": [cluster]}
    path.write_text(json.dumps(data))
    link = {
        "links": [
            {
                "name": "订单库",
                "connector-name": "generic-jdbc-connector",
                "link-config-values": {
                    "configs": [{"name": "linkConfig", "inputs": [{"name": "linkConfig.host", "value": "10.0.0.1"}]}]
                },
            }
        ]
    }
    with served(path) as emulator:
        created = signed(
            emulator.url, emulator.state.project_id, "POST", f"v1.1/clusters/{cluster['id']}/cdm/link", link
        )
        assert created.status_code == 200, created.text
        ran = emulator.call("POST", "jobs/作业001/run-immediate", {"jobParams": []})
        assert ran.status_code == 200, ran.text
        with emulator.state.lock:
            served_state = json.loads(json.dumps(emulator.state.data))
        read = read_state(path)
    assert read.base is None  # read from the journal, not the file as written at the start
    assert journal.skeleton(read.data) == journal.skeleton(served_state)
    [stored] = read.data["cdm"]["clusters"][0]["links"]
    assert stored["name"] == "订单库"
    assert read.data["workspaces"]["default"]["instances"], "the run started is kept"

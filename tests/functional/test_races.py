"""Runs that race on one workspace: the workspace lock serialises apply and export.

Real processes (python -m jobsync) on a real repo, against the local document or the emulator
over its socket. No sleeps: the processes are started together and the test waits for them.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import yaml
from support import WORKSPACE_ID, Scenario, git, job_body, remote_job, sql_node

import jobsync
from jobsync.core.model import Kind

JOBS = [f"job{index:02d}" for index in range(8)]


SOURCE = Path(jobsync.__file__).resolve().parent.parent  # this checkout's jobsync, not another install


def _cli(root: Path, env: dict[str, str], *args: str) -> subprocess.Popen[str]:
    path = os.pathsep.join(p for p in (str(SOURCE), os.environ.get("PYTHONPATH", "")) if p)
    return subprocess.Popen(
        [sys.executable, "-m", "jobsync", *args, "--repo", str(root)],
        cwd=root,
        env={**os.environ, **env, "PYTHONPATH": path},
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


def _seed_old(scenario: Scenario) -> None:
    """The workspace as the repo had it: every job at description "old", one version each."""
    document = scenario.document()
    script = {"name": "load", "type": "DLISQL", "content": "select 1", "queueName": "default"}
    document["scripts"].append({"definition": script})
    for index, name in enumerate(JOBS):
        depends = [JOBS[index - 1]] if index else None
        nodes = [sql_node("n", "load")] if index == 0 else None
        document["jobs"].append(remote_job(job_body(name, depends=depends, nodes=nodes, description="old")))
    scenario.seed(document)


def _put_all(scenario: Scenario, root_folder: Path, description: str, content: str) -> None:
    scenario.put(
        Kind.SCRIPT,
        {"name": "load", "type": "DLISQL", "content": content, "queueName": "default"},
        folder=root_folder,
    )
    for index, name in enumerate(JOBS):
        depends = [JOBS[index - 1]] if index else None
        nodes = [sql_node("n", "load")] if index == 0 else None
        scenario.put(
            Kind.JOB, job_body(name, depends=depends, nodes=nodes, description=description), folder=root_folder
        )


def test_four_applies_and_an_export_at_once_submit_each_job_once(scenario, tmp_path_factory):
    _seed_old(scenario)
    # The exporting clone: the repo as it was exported before (description "old").
    _put_all(scenario, scenario.folder, "old", "select 1")
    scenario.commit("exported")
    other = tmp_path_factory.mktemp("export-clone")
    git(other, "clone", "-q", str(scenario.root), ".")
    env = dict(scenario.env)
    if scenario.backend == "local":
        # The clone shares the first repo's workspace document (a path outside the clone, allowed
        # through the environment).
        config = yaml.safe_load((other / "workspaces/dev/workspace.yaml").read_text())
        config["backend"]["path"] = str(scenario.state_path)
        (other / "workspaces/dev/workspace.yaml").write_text(yaml.safe_dump(config))
        git(other, "commit", "-qam", "share the workspace document")
        env["JOBSYNC_ALLOWED_PATHS"] = str(scenario.state_path.parent)
    other_head = git(other, "rev-parse", "HEAD").strip()
    # The deploy: every job and the script changed.
    _put_all(scenario, scenario.folder, "new", "select 2")
    scenario.commit("deploy")

    runs = [_cli(scenario.root, env, "apply", "-w", "dev", "--auto-approve") for _ in range(4)]
    runs.append(_cli(other, env, "export", "-w", "dev"))
    done = [(run.wait(timeout=300), *run.communicate()) for run in runs]

    failed = [(code, err) for code, _, err in done if code != 0]
    assert failed == []
    assert all("failed" not in out.replace("0 failed", "") for _, out, _ in done[:4])
    document = scenario.document()
    versions = {entry["definition"]["name"]: len(entry["versions"]) for entry in document["jobs"]}
    assert versions == dict.fromkeys(JOBS, 2)  # the seeded version and exactly one new one
    assert {e["definition"]["description"] for e in document["jobs"]} == {"new"}
    # git never holds a pre-apply or half-applied export: either the export ran first and
    # committed nothing (the clone already held "old"), or it ran after and holds "new" only.
    head = git(other, "rev-parse", "HEAD").strip()
    if head != other_head:
        descriptions = {
            yaml.safe_load((other / "workspaces/dev/jobs" / f"{name}.yaml").read_text())["description"] for name in JOBS
        }
        assert descriptions == {"new"}
        assert (other / "workspaces/dev/scripts/load.sql").read_text() == "select 2"


def _gone_pid() -> int:
    """The pid of a process that has ended."""
    child = subprocess.Popen([sys.executable, "-c", "pass"])
    child.wait()
    return child.pid


def _hold(scenario: Scenario, emulator, *, alive: bool = False):
    """Take the workspace lock in this process, as another run would; its record names a pid
    that has ended (the holder is gone) unless `alive` (then this process: alive on this host)."""
    import dataclasses

    from jobsync.backends.lock import FileLockStore, new_info

    info = new_info("dev", "jobsync apply -w dev (other run)")
    if not alive:
        info = dataclasses.replace(info, pid=_gone_pid())
    if scenario.backend == "local":
        store = FileLockStore(str(scenario.state_path) + ".run.lock")
        assert store.try_acquire(info) is None
        return store, info, None
    workspace = emulator.dataarts_workspace(WORKSPACE_ID, "jobsync")
    store = workspace.lock_store()
    assert store.try_acquire(info) is None
    return store, info, workspace


def test_a_held_lock_makes_apply_wait_then_fail_naming_the_holder_and_force_unlock_breaks_it(scenario):
    scenario.put(Kind.JOB, job_body("etl"))
    scenario.commit()
    _, info, opened = _hold(scenario, scenario.emulator)
    try:
        waited = scenario.run("apply", "-w", "dev", "--auto-approve", "--lock-timeout", "0")
        wrong = scenario.run("force-unlock", "-w", "dev", "not-the-id", "--repo", str(scenario.root))
        broken = scenario.run("force-unlock", "-w", "dev", info.id, "--repo", str(scenario.root))
        after = scenario.run("apply", "-w", "dev", "--auto-approve")
    finally:
        if opened is not None:
            opened.close()

    assert waited.exit_code == 1
    assert "is locked by" in waited.stderr and info.id in waited.stderr and info.host in waited.stderr
    assert f"jobsync force-unlock -w dev {info.id}" in waited.stderr
    assert scenario.entry("jobs", "etl") is None or waited.exit_code != 0
    assert wrong.exit_code == 1 and info.id in wrong.stderr
    assert broken.exit_code == 0, broken.stderr
    assert after.exit_code == 0, after.stderr
    assert scenario.entry("jobs", "etl") is not None


def test_the_lock_marker_is_neither_planned_nor_exported_nor_pruned(scenario):
    if scenario.backend == "local":
        return  # the local lock is a file beside the document, not a workspace object
    scenario.configure(prune=True)
    scenario.put(Kind.JOB, job_body("etl"))
    scenario.commit()
    store, info, opened = _hold(scenario, scenario.emulator)
    try:
        plan = scenario.run("plan", "-w", "dev")
    finally:
        store.release(info)
        opened.close()

    assert plan.exit_code == 0, plan.stderr
    assert "jobsync_workspace_lock" not in plan.stdout


def test_force_unlock_refuses_a_holder_alive_on_this_host_unless_forced(scenario):
    _, info, opened = _hold(scenario, scenario.emulator, alive=True)
    try:
        refused = scenario.run("force-unlock", "-w", "dev", info.id, "--repo", str(scenario.root))
        forced = scenario.run("force-unlock", "-w", "dev", info.id, "--force", "--repo", str(scenario.root))
    finally:
        if opened is not None:
            opened.close()

    assert refused.exit_code == 1
    assert f"held by pid {os.getpid()} on this host, which is still running" in refused.stderr
    assert "pytest" in refused.stderr or "python" in refused.stderr  # the holder's command line
    assert "--force" in refused.stderr
    assert forced.exit_code == 0, forced.stderr
    assert "removed the lock of workspace dev held by" in forced.stderr


def test_a_run_whose_lock_was_broken_stops_before_its_next_write(scenario, monkeypatch):
    from jobsync.backends.lock import FileLockStore, LockLostError

    for name, value in scenario.env.items():  # the emulator's credentials, for the programmatic API
        monkeypatch.setenv(name, value)
    scenario.put(Kind.SCRIPT, {"name": "load", "type": "DLISQL", "content": "select 1"})
    scenario.put(Kind.JOB, job_body("etl_任务", nodes=[sql_node("run", "load")]))
    scenario.commit()
    config = jobsync.load_workspace(scenario.root, "dev")
    plan = jobsync.make_plan(config)
    opened = None if scenario.backend == "local" else scenario.emulator.dataarts_workspace(WORKSPACE_ID, "jobsync")
    store = FileLockStore(str(scenario.state_path) + ".run.lock") if opened is None else opened.lock_store()
    broke: list[str] = []

    def progress(done: int, total: int, text: str) -> None:  # another user breaks the lock mid-run
        if not broke:
            holder = store.holder()
            assert holder is not None
            store.force_release(holder.id)
            broke.append(holder.id)

    try:
        try:
            jobsync.apply_plan(config, plan, progress=progress)
        except LockLostError as error:
            stopped = str(error)
        else:
            stopped = ""
    finally:
        if opened is not None:
            opened.close()

    assert broke, "the script was written first"
    assert f"stopped before writing 1 job(s): the lock of workspace dev (lock id {broke[0]})" in stopped
    assert "nothing more was written" in stopped
    assert scenario.entry("scripts", "load") is not None
    assert scenario.entry("jobs", "etl_任务") is None

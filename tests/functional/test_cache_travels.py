"""A cache copied from another clone (CI's actions/cache) gives the plan no cache gives, byte for
byte; a corrupted or foreign entry is detected and its file parsed again, never trusted; and the
pool that parses on every core gives what parsing here gives."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
from conftest import EMULATOR_STATE
from support import WORKSPACE_ID, Scenario, environment, git, job_body, remote_job

from jobsync.core.model import Kind
from jobsync.repo.parsecache import entry_check

pytestmark = pytest.mark.emulator

SCRIPT = {"name": "加载", "type": "DLISQL", "directory": "/销售", "queueName": "default", "content": "select 1;\n"}
CACHE = Path(".jobsync") / "cache"


@pytest.fixture
def origin(emulator_server, tmp_path) -> Scenario:
    """A repo exported from the emulator's workspace, planned once (both caches warm), then
    edited (one job changed in the repo, one in the workspace): a pull request's state."""
    emulator_server.reset(EMULATOR_STATE)
    document = environment()
    document["jobs"] += [remote_job(job_body(name)) for name in ("日报", "周报", "月报", "etl")]
    document["scripts"] += [{"definition": SCRIPT, "lockedBy": None}]
    emulator_server.set_workspace(WORKSPACE_ID, document)
    (tmp_path / "origin").mkdir()
    scenario = Scenario(tmp_path / "origin", "emulator", emulator_server)
    scenario.commit("init")
    assert scenario.run("export", "-w", "dev").exit_code == 0
    assert scenario.run("plan", "-w", "dev").exit_code == 0
    path = scenario.folder / "jobs" / "日报.yaml"
    path.write_text(path.read_text().replace("0 0 2 * * ?", "0 0 4 * * ?"))
    scenario.commit("a pull request's edit")
    other = emulator_server.dataarts_workspace(WORKSPACE_ID, user="admin")
    try:
        body = {**job_body("周报"), "description": "改了"}
        other.client.call("PUT", other.client.path("jobs", "周报"), body=body, replay_safe=False)
    finally:
        other.close()
    return scenario


def clone(origin: Scenario, target: Path, *, cache_from: Path | None = None) -> Scenario:
    git(origin.root.parent, "clone", "-q", str(origin.root), str(target))
    if cache_from is not None:
        shutil.copytree(cache_from / CACHE, target / CACHE)
    copy = Scenario.__new__(Scenario)
    copy.__dict__.update(origin.__dict__, root=target, folder=target / "workspaces" / "dev")
    return copy


def plan_json(scenario: Scenario, **env: str):
    result = scenario.run("plan", "-w", "dev", "--format", "json", env=env)
    assert result.exit_code == 0, result.stderr
    return result


def test_a_copied_cache_gives_the_plan_no_cache_gives_byte_for_byte(origin, tmp_path):
    fresh = plan_json(clone(origin, tmp_path / "fresh"))
    copied = plan_json(clone(origin, tmp_path / "copied", cache_from=origin.root))

    assert copied.stdout == fresh.stdout
    actions = {f"{change['kind']}/{change['name']}": change["action"] for change in json.loads(fresh.stdout)["changes"]}
    assert actions["job/日报"] == "update" and actions["job/周报"] == "update"
    assert "read the repo: 0 files from the cache, 5 parsed" in fresh.stderr
    assert "read the repo: 4 files from the cache, 1 parsed" in copied.stderr  # the edited file


def test_a_corrupted_or_foreign_cache_entry_is_parsed_again_never_trusted(origin, tmp_path):
    fresh = plan_json(clone(origin, tmp_path / "fresh"))
    copied = clone(origin, tmp_path / "copied", cache_from=origin.root)
    cache = copied.root / CACHE / "repo-dev.jsonl"
    lines = cache.read_text().splitlines()
    tampered = []
    for line in lines[1:]:
        quoted, digest, fingerprint, check, text = line.split("\t")
        rel = json.loads(quoted)
        if rel.endswith("月报.yaml"):  # the body changed, its check left as it was: corrupted
            text = text.replace('"0 0 2 * * ?"', '"0 0 9 * * ?"')
            assert text != line.split("\t")[4]
        if rel.endswith("etl.yaml"):  # an entry for these bytes made elsewhere, checked there
            text = text.replace('"BATCH"', '"REAL_TIME"')
            check = entry_check("workspaces/other/jobs/etl.yaml", digest, text, fingerprint or None)
        tampered.append("\t".join([quoted, digest, fingerprint, check, text]))
    cache.write_text("\n".join([lines[0], *tampered, '"torn line\tabc']))

    result = plan_json(copied)

    assert result.stdout == fresh.stdout
    assert "2 files from the cache, 3 parsed (2 cache entries not trusted)" in result.stderr
    again = plan_json(copied)  # the entries parsed again replaced the bad ones
    assert again.stdout == fresh.stdout and "5 files from the cache, 0 parsed" in again.stderr


def test_the_parsing_pool_gives_what_parsing_here_gives(origin, tmp_path):
    here = plan_json(clone(origin, tmp_path / "here"), JOBSYNC_WORKERS="1")
    pooled = plan_json(clone(origin, tmp_path / "pooled"), JOBSYNC_WORKERS="2")
    assert pooled.stdout == here.stdout


def test_the_pool_reports_each_files_problems_in_order_as_parsing_here_does(local, tmp_path):
    for name in ("乙", "甲", "丙"):
        local.put(Kind.JOB, job_body(name))
    (local.folder / "jobs" / "甲.yaml").write_text("name: 甲\nname: 甲\n")
    (local.folder / "jobs" / "丙.yaml").write_text("name: [\n")
    here = local.run("validate", "-w", "dev", env={"JOBSYNC_WORKERS": "1"})
    shutil.rmtree(local.root / CACHE, ignore_errors=True)
    pooled = local.run("validate", "-w", "dev", env={"JOBSYNC_WORKERS": "2"})
    assert here.exit_code == pooled.exit_code == 1
    assert pooled.stderr == here.stderr
    assert "duplicate key 'name' (lines 1 and 2)" in here.stderr and "丙.yaml:2" in here.stderr


def test_export_on_the_pool_writes_the_files_export_here_writes(tmp_path):
    trees = []
    for workers in ("1", "2"):
        (tmp_path / workers).mkdir()
        scenario = Scenario(tmp_path / workers, "local")
        document = environment()
        document["jobs"] += [remote_job(job_body(name)) for name in ("日报", "周报", "月报")]
        document["scripts"] += [{"definition": SCRIPT, "lockedBy": None}]
        scenario.seed(document)
        scenario.commit("init")
        result = scenario.run("export", "-w", "dev", env={"JOBSYNC_WORKERS": workers})
        assert result.exit_code == 0, result.stderr
        files = sorted(p for p in scenario.folder.rglob("*") if p.is_file())
        trees.append({p.relative_to(scenario.root).as_posix(): p.read_bytes() for p in files})
        plan = scenario.run("plan", "-w", "dev")
        assert "read the repo: 4 files from the cache, 0 parsed" in plan.stderr  # export primed it
    assert trees[0] == trees[1]
    assert len(trees[0]) == 6  # workspace.yaml, 4 YAML files, the script's content

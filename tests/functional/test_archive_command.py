"""`jobsync archive import|export` on a real git repo."""

from __future__ import annotations

import json
import stat
import subprocess
import zipfile
from pathlib import Path

import pytest
from typer.testing import CliRunner

from jobsync.backends.local import LocalWorkspace
from jobsync.cli.app import main
from jobsync.cli.archive import app
from jobsync.consolezip import read_archive
from jobsync.core.model import Kind, ObjectKey
from jobsync.core.normalize import strip
from jobsync.ops import init as scaffold


def git(root: Path, *args: str) -> str:
    return subprocess.run(["git", *args], cwd=root, check=True, capture_output=True, text=True).stdout


@pytest.fixture
def empty_repo(tmp_path, monkeypatch) -> Path:
    """A `jobsync init` repo with its local workspaces, committed and clean, without init's
    example job and script (these tests count what the archives bring)."""
    for variable in ("GIT_AUTHOR", "GIT_COMMITTER"):
        monkeypatch.setenv(f"{variable}_NAME", "test")
        monkeypatch.setenv(f"{variable}_EMAIL", "test@example.com")
    root = tmp_path / "repo"
    list(scaffold.init(root))
    git(root, "rm", "-rq", "workspaces/dev/jobs/examples", "workspaces/dev/scripts/examples")
    git(root, "add", "-A")
    git(root, "commit", "-q", "--allow-empty", "-m", "init")  # init committed its own files
    return root


def run(*args: str | Path) -> tuple[int, str, str]:
    result = CliRunner().invoke(app, [str(a) for a in args])
    return result.exit_code, result.stdout, result.stderr


def tree(root: Path) -> dict[str, bytes]:
    return {
        str(p.relative_to(root)): p.read_bytes()
        for p in sorted(root.rglob("*"))
        if p.is_file() and ".git" not in p.relative_to(root).parts
    }


def bodies_of(path: Path) -> dict[tuple[Kind, str], dict]:
    return {(e.kind, e.name): e.body for e in read_archive(path)}


@pytest.mark.parametrize(("source", "layout"), [("single_layout_zip", "single"), ("batch_layout_zip", "batch")])
def test_import_then_export_gives_back_the_same_bodies(request, empty_repo, tmp_path, source, layout):
    original = request.getfixturevalue(source)

    code, out, err = run("import", original, "-w", "dev", "--commit", "--repo", empty_repo)
    assert code == 0, err
    assert json.loads(out)["commit"] == git(empty_repo, "rev-parse", "HEAD").strip()
    assert git(empty_repo, "status", "--porcelain") == ""
    code, out, err = run("export", "-w", "dev", "-o", tmp_path / "back.zip", "--layout", layout, "--repo", empty_repo)

    assert code == 0, err
    assert bodies_of(tmp_path / "back.zip") == bodies_of(original)


def test_import_writes_the_repo_format_export_writes(empty_repo, single_layout_zip):
    run("import", single_layout_zip, "-w", "dev", "--repo", empty_repo)

    folder = empty_repo / "workspaces" / "dev"
    assert (folder / "jobs" / "myDir" / "myJob.yaml").is_file()
    assert (folder / "scripts" / "echoTimeShell.sh").read_text() == "echo a"
    assert (folder / "resources" / "resource" / "test.yaml").is_file()
    assert main(["validate", "-w", "dev", "--repo", str(empty_repo)]) == 0


def test_import_then_apply_into_an_empty_workspace_keeps_the_bodies(empty_repo, single_layout_zip):
    folder = empty_repo / "workspaces" / "dev"
    connections = [{"name": "con", "type": "HOST"}, {"name": "mrs_hive_test", "type": "HIVE"}]
    (folder / "seed.json").write_text(json.dumps({"connections": connections}))
    settings = folder / "workspace.yaml"
    backend = "path: .jobsync/state/dev.json"
    settings.write_text(settings.read_text().replace(backend, f"{backend}\n  seed: seed.json"))
    git(empty_repo, "add", "-A")
    git(empty_repo, "commit", "-q", "-m", "seed the connections")
    run("import", single_layout_zip, "-w", "dev", "--commit", "--repo", empty_repo)

    code = main(["apply", "-w", "dev", "--auto-approve", "--repo", str(empty_repo)])

    assert code == 0
    workspace = LocalWorkspace(empty_repo / ".jobsync" / "state" / "dev.json")
    remote = workspace.snapshot().objects
    for (kind, name), body in bodies_of(single_layout_zip).items():
        assert strip(kind, remote[ObjectKey(kind, name)].body) == body


def test_import_maps_workspace_names_back_and_export_maps_them_again(empty_repo, single_layout_zip, tmp_path):
    settings = empty_repo / "workspaces" / "dev" / "workspace.yaml"
    text = settings.read_text().replace("connections: {}", "connections: {hive: mrs_hive_test}")
    settings.write_text(text)
    git(empty_repo, "commit", "-q", "-am", "map hive")

    run("import", single_layout_zip, "-w", "dev", "--repo", empty_repo)
    stored = (empty_repo / "workspaces" / "dev" / "jobs" / "myDir" / "myJob.yaml").read_text()
    run("export", "-w", "dev", "-o", tmp_path / "back.zip", "--repo", empty_repo)

    assert "connectionName: hive\n" in stored
    assert bodies_of(tmp_path / "back.zip") == bodies_of(single_layout_zip)


def test_importing_the_same_archive_again_changes_nothing(empty_repo, single_layout_zip):
    run("import", single_layout_zip, "-w", "dev", "--commit", "--repo", empty_repo)
    head = git(empty_repo, "rev-parse", "HEAD")

    code, out, _ = run("import", single_layout_zip, "-w", "dev", "--commit", "--repo", empty_repo)

    assert code == 0
    assert json.loads(out)["added"] == json.loads(out)["changed"] == []
    assert len(json.loads(out)["unchanged"]) == 4
    assert git(empty_repo, "rev-parse", "HEAD") == head


def test_import_refuses_to_overwrite_uncommitted_edits(empty_repo, single_layout_zip, make_zip, bodies):
    run("import", single_layout_zip, "-w", "dev", "--commit", "--repo", empty_repo)
    edited = empty_repo / "workspaces" / "dev" / "scripts" / "echoTimeShell.sh"
    edited.write_text("echo mine")
    changed = make_zip("new.zip", {"s/echoTimeShell.script": dict(bodies["echoTimeShell"], content="echo theirs")})

    code, _, err = run("import", changed, "-w", "dev", "--repo", empty_repo)

    assert code == 1
    assert "would overwrite uncommitted edits" in err
    assert edited.read_text() == "echo mine"


def _symlink(make_zip):
    link = zipfile.ZipInfo("jobs/myJob.job")
    link.external_attr = (stat.S_IFLNK | 0o777) << 16
    return make_zip("link.zip", [(link, b"../../../.git/config")])


def _short(make_zip):
    path = make_zip("short.zip", {"jobs/myJob.job": {"name": "myJob", "nodes": []}})
    raw = bytearray(path.read_bytes())
    header = raw.index(b"PK\x01\x02")
    raw[header + 24 : header + 28] = (9999).to_bytes(4, "little")
    path.write_bytes(bytes(raw))
    return path


HOSTILE = {
    "path leaves the target": (
        lambda mz: mz(
            "evil.zip",
            {"jobs/ok.job": {"name": "ok", "nodes": []}, "../../outside.job": {"name": "outside", "nodes": []}},
        ),
        "'../../outside.job': path leaves",
    ),
    "symbolic link": (_symlink, "'jobs/myJob.job': member is a symbolic link"),
    "declared size differs": (_short, "jobs/myJob.job: declares 9,999 bytes"),
    "zip bomb": (
        lambda mz: mz("bomb.zip", {"jobs/b.job": {"name": "b", "nodes": [], "x": "0" * 2**24}}),
        "jobs/b.job: expands",
    ),
    "not JSON": (lambda mz: mz("x.zip", {"jobs/j.job": b"<job/>"}), "jobs/j.job: line 1: not"),
    "not a job": (
        lambda mz: mz("x.zip", {"jobs/j.job": {"name": "j", "type": "Shell"}}),
        "jobs/j.job: job field 'nodes' is missing",
    ),
    "job the schema refuses": (
        lambda mz: mz("x.zip", {"jobs/bad name.job": {"name": "bad name", "nodes": [], "schedule": {}}}),
        "jobs/bad name.job: name: 'bad name' does not match",
    ),
    "directory leaves the workspace": (
        lambda mz: mz(
            "x.zip", {"jobs/j.job": {"name": "j", "nodes": [], "schedule": {}, "directory": "/../../../../outside"}}
        ),
        "jobs/j.job: job j would be written outside workspaces/dev",
    ),
}


@pytest.mark.parametrize("case", sorted(HOSTILE))
def test_hostile_archive_is_refused_and_the_repo_is_unchanged(empty_repo, single_layout_zip, make_zip, case):
    build, expected = HOSTILE[case]
    hostile = build(make_zip)
    before = tree(empty_repo.parent)

    code, out, err = run("import", single_layout_zip, hostile, "-w", "dev", "--commit", "--repo", empty_repo)

    assert code == 1
    assert expected in err
    assert out == ""
    assert tree(empty_repo.parent) == before
    assert git(empty_repo, "status", "--porcelain") == ""


def test_export_one_job_takes_what_it_uses_and_jobs_only_takes_the_job(empty_repo, single_layout_zip, tmp_path):
    run("import", single_layout_zip, "-w", "dev", "--repo", empty_repo)

    run("export", "-w", "dev", "--job", "myJob", "-o", tmp_path / "a.zip", "--repo", empty_repo)
    run("export", "-w", "dev", "--job", "myJob", "--jobs-only", "-o", tmp_path / "b.zip", "--repo", empty_repo)

    assert set(bodies_of(tmp_path / "a.zip")) == {(Kind.JOB, "myJob"), (Kind.SCRIPT, "test_hive_sql")}
    assert set(bodies_of(tmp_path / "b.zip")) == {(Kind.JOB, "myJob")}


def test_export_over_the_size_limit_splits_and_says_so(empty_repo, batch_layout_zip, tmp_path):
    run("import", batch_layout_zip, "-w", "dev", "--repo", empty_repo)

    code, out, err = run("export", "-w", "dev", "-o", tmp_path / "parts", "--max-size", "2000", "--repo", empty_repo)

    assert code == 0, err
    assert "split into 2 files to stay within 2,000 bytes" in err
    rows = json.loads(out)
    assert [Path(row["file"]).name for row in rows] == ["jobs-01.zip", "jobs-02.zip"]
    assert [row["jobs"] for row in rows] == [["job_batch"], ["myJob"]]
    assert all(Path(row["file"]).stat().st_size <= 2000 for row in rows)


def test_export_with_a_job_over_the_limit_names_it(empty_repo, batch_layout_zip, tmp_path):
    run("import", batch_layout_zip, "-w", "dev", "--repo", empty_repo)

    code, _, err = run("export", "-w", "dev", "-o", tmp_path / "x.zip", "--max-size", "512", "--repo", empty_repo)

    assert code == 1
    assert "job job_batch with 1 script and 1 resource is" in err
    assert not (tmp_path / "x.zip").exists()


def test_export_refuses_a_bad_size(empty_repo):
    code, _, err = run("export", "-w", "dev", "--max-size", "big", "--repo", empty_repo)

    assert code == 2  # a usage error (README: usage errors exit 2)
    assert "invalid size 'big'" in err

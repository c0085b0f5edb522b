"""The wheel, installed in a fresh venv, runs the README's validate, plan and apply.

The venv sees the site-packages of the interpreter running the tests (a `.pth` file adds them
after its own), so the dependencies need no download; never the base interpreter's, which is what
`--system-site-packages` would give when the tests run inside a venv (the README's way). jobsync
itself comes from the wheel: the commands run in a copy of workspaces/ with no schemas/ beside it,
and the venv reports where jobsync and its schemas live.
"""

from __future__ import annotations

import os
import re
import shutil
import site
import subprocess
import sys
import zipfile
from collections.abc import Sequence
from email.parser import Parser
from pathlib import Path

import pytest

from jobsync.version import __version__

ROOT = Path(__file__).resolve().parents[2]


def run(args: Sequence[str | Path], cwd: Path) -> subprocess.CompletedProcess[str]:
    env = {
        k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "PYTHONHOME") and not k.startswith("JOBSYNC_")
    }
    return subprocess.run([str(a) for a in args], cwd=cwd, env=env, capture_output=True, text=True, timeout=120)


def ok(args: Sequence[str | Path], cwd: Path) -> subprocess.CompletedProcess[str]:
    done = run(args, cwd)
    assert done.returncode == 0, f"{args} exited {done.returncode}\n{done.stdout}\n{done.stderr}"
    return done


def archive_text(path: Path, member: str) -> str:
    with zipfile.ZipFile(path) as archive:
        return archive.read(member).decode("utf-8")


@pytest.fixture(scope="module")
def wheel(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The wheel built from this checkout (hatchling from the test extras: no build download)."""
    dist = tmp_path_factory.mktemp("dist")
    ok([sys.executable, "-m", "pip", "wheel", "--no-deps", "--no-build-isolation", "-q", "-w", dist, ROOT], dist)
    (built,) = dist.glob("jobsync-*.whl")
    return built


def running_site_dirs() -> list[str]:
    """The site-packages of the interpreter running the tests: a venv's own when run in one."""
    dirs = list(site.getsitepackages())
    if site.ENABLE_USER_SITE and Path(site.getusersitepackages()).is_dir():
        dirs.append(site.getusersitepackages())
    return dirs


def share_site_dirs(venv_root: Path, dirs: Sequence[str]) -> None:
    """Let the venv import what `dirs` hold, after its own site-packages (so the wheel wins).

    `site.addsitedir` also runs those directories' own .pth files (namespace packages, an
    editable install of jobsync: the latter only appends the checkout, behind the wheel).
    """
    (own,) = venv_root.glob("lib/python*/site-packages")
    lines = "".join(f"import site; site.addsitedir({d!r})\n" for d in dirs)
    (own / "zz_running_interpreter.pth").write_text(lines, encoding="utf-8")


@pytest.fixture(scope="module")
def venv(wheel: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A fresh venv with the wheel installed; returns its bin/."""
    root = tmp_path_factory.mktemp("venv")
    ok([sys.executable, "-m", "venv", "--without-pip", root], root)
    share_site_dirs(root, running_site_dirs())
    bin_dir = root / "bin"
    # pip from the running interpreter's site-packages installs into the venv whose python runs it.
    ok([bin_dir / "python", "-m", "pip", "install", "-q", "--no-deps", "--force-reinstall", wheel], root)
    return bin_dir


def test_wheel_carries_the_schemas_py_typed_license_and_the_one_version(wheel: Path) -> None:
    with zipfile.ZipFile(wheel) as archive:
        names = set(archive.namelist())
        for schema in sorted((ROOT / "schemas").glob("*.json")):
            packed = archive.read(f"jobsync/_schemas/{schema.name}")
            assert packed == schema.read_bytes(), f"{schema.name} differs in the wheel"
        (metadata_name,) = (name for name in names if name.endswith(".dist-info/METADATA"))
        metadata = Parser().parsestr(archive.read(metadata_name).decode())
    assert "jobsync/py.typed" in names
    assert metadata["Version"] == __version__  # hatch reads jobsync/version.py, the one source
    assert metadata["License-Expression"] == "Apache-2.0"
    (license_name,) = (name for name in names if name.endswith(".dist-info/licenses/LICENSE"))
    assert archive_text(wheel, license_name) == (ROOT / "LICENSE").read_text(encoding="utf-8")
    assert not any(name.startswith(("tests/", "schemas/", "workspaces/")) for name in names)


def test_the_venv_imports_its_packages_from_the_running_interpreter_not_the_base(venv: Path, tmp_path: Path) -> None:
    where = ok(
        [venv / "python", "-c", "import yaml, fastjsonschema; print(yaml.__file__); print(fastjsonschema.__file__)"],
        tmp_path,
    )
    running = [Path(d).resolve() for d in running_site_dirs()]
    for line in where.stdout.splitlines():
        assert any(Path(line).resolve().is_relative_to(d) for d in running), (line, running)


def test_installed_wheel_runs_validate_plan_and_apply_of_workspaces_dev(venv: Path, tmp_path: Path) -> None:
    repo = tmp_path / "repo"
    shutil.copytree(ROOT / "workspaces", repo / "workspaces", ignore=shutil.ignore_patterns(".jobsync"))
    assert not (repo / "schemas").exists()
    ok(["git", "init", "-q"], repo)
    ok(["git", "add", "-A"], repo)
    ok(["git", "-c", "user.name=t", "-c", "user.email=t@example.com", "commit", "-qm", "seed"], repo)

    where = ok(
        [venv / "python", "-c", "import jobsync.repo.schemas as s; print(s.__file__); print(s.schema_dir())"], repo
    ).stdout.splitlines()
    site = venv.parent.resolve()
    assert all(Path(line).resolve().is_relative_to(site) for line in where), where
    assert Path(where[1]).name == "_schemas"
    assert ok([venv / "jobsync", "--version"], repo).stdout.strip() == f"jobsync {__version__}"

    jobsync = venv / "jobsync"
    validated = ok([jobsync, "validate"], repo).stderr  # progress and messages go to stderr
    found = re.search(r"^ok: workspace dev: (\d+) object\(s\)$", validated, flags=re.M)
    assert found, validated
    objects = int(found[1])
    assert objects >= 10  # the example's five jobs, four scripts, a resource, and more since
    first = ok([jobsync, "plan", "-w", "dev"], repo).stdout
    assert f"Plan: {objects} to create, 0 to update, 0 to delete, 0 skipped, 0 blocked." in first
    applied = ok([jobsync, "apply", "-w", "dev", "--auto-approve"], repo).stdout
    assert f"Apply: {objects} applied, 0 skipped, 0 blocked, 0 failed." in applied
    again = run([jobsync, "plan", "-w", "dev", "--detailed-exitcode"], repo)
    assert again.returncode == 0, again.stdout + again.stderr
    assert "No changes. Workspace dev matches the repo." in again.stdout

"""Test helpers: real git repos in temp folders, the CLI in-process, workspace documents.

`Scenario` builds one GitOps repo with one workspace, seeds the workspace (the local document,
or the emulator over HTTP), runs jobsync commands and reads the workspace document back.
"""

from __future__ import annotations

import copy
import json
import os
import subprocess
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml
from typer.testing import CliRunner

from jobsync.cli.app import app
from jobsync.core.model import Kind, ObjectKey
from jobsync.repo.files import render_files
from jobsync.repo.schemas import schema_dir

os.environ.update(
    {
        "GIT_AUTHOR_NAME": "test",
        "GIT_AUTHOR_EMAIL": "test@example.com",
        "GIT_COMMITTER_NAME": "test",
        "GIT_COMMITTER_EMAIL": "test@example.com",
        "GIT_ALLOW_PROTOCOL": "file",
        "GIT_CONFIG_NOSYSTEM": "1",
    }
)
os.environ.pop("JOBSYNC_USER", None)

DATA = Path(__file__).resolve().parent.parent / "data"
# Official DataArts request and response bodies (copied from the reference's examples), and
# console-style bodies carrying undocumented fields (reference §5.6). Tests read only these
# copies: nothing outside the repository.
EXAMPLES = DATA / "examples"
CONSOLE = DATA / "console"

DEFAULT_POLICIES = {"duplicate_name": "overwrite", "lock": "soft", "running_jobs": "fail", "prune": False}
WORKSPACE_ID = "ws-test"


def git(root: Path, *args: str) -> str:
    return subprocess.run(["git", *args], cwd=root, check=True, capture_output=True, text=True).stdout


@dataclass
class Result:
    exit_code: int
    stdout: str
    stderr: str

    def json(self) -> Any:
        return json.loads(self.stdout)


def job_body(
    name: str,
    *,
    nodes: list[dict[str, Any]] | None = None,
    depends: list[str] | None = None,
    directory: str | None = None,
    **extra: Any,
) -> dict[str, Any]:
    """A small, valid job; `nodes` default to one Dummy node."""
    body: dict[str, Any] = {"name": name}
    if directory:
        body["directory"] = directory
    schedule: dict[str, Any] = {"type": "CRON", "cron": {"expression": "0 0 2 * * ?"}}
    if depends:
        schedule["cron"]["dependJobs"] = {"jobs": depends}
    body.update(
        processType="BATCH",
        schedule=schedule,
        nodes=nodes if nodes is not None else [{"name": "start", "type": "Dummy", "properties": []}],
    )
    body.update(extra)
    return body


def sql_node(name: str, script: str, **properties: str) -> dict[str, Any]:
    props = [{"name": "scriptName", "value": script}] + [{"name": k, "value": v} for k, v in properties.items()]
    return {"name": name, "type": "DLISQL", "properties": props}


class Scenario:
    """One repo, one workspace named `dev`, one backend (local or emulator)."""

    name = "dev"

    def __init__(self, root: Path, backend: str, emulator: Any = None, *, configure: bool = True) -> None:
        self.root = root
        self.backend = backend
        self.emulator = emulator
        self.folder = root / "workspaces" / self.name
        self.runner = CliRunner()
        self.env: dict[str, str] = {}
        git(root, "init", "-q", "-b", "main")
        (root / ".gitignore").write_text(".jobsync/\n")
        if configure:
            self.configure()

    # -- set up -----------------------------------------------------------------------------
    def configure(self, *, user: str = "jobsync", mappings: Mapping[str, Any] | None = None, **policies: Any) -> None:
        config: dict[str, Any] = {
            "backend": self.backend_config(),
            "user": user,
            "policies": {**DEFAULT_POLICIES, **policies},
        }
        if mappings:
            config["mappings"] = dict(mappings)
        self.folder.mkdir(parents=True, exist_ok=True)
        (self.folder / "workspace.yaml").write_text(yaml.safe_dump(config, sort_keys=False))

    def backend_config(self) -> dict[str, Any]:
        if self.backend == "local":
            return {"type": "local", "path": ".jobsync/state/dev.json"}
        ak, sk = self.emulator.credential("jobsync")
        self.env = {"HUAWEICLOUD_SDK_AK": ak, "HUAWEICLOUD_SDK_SK": sk}
        return {
            "type": "dataarts",
            "region": "cn-north-4",
            "project_id": self.emulator.project_id,
            "workspace_id": WORKSPACE_ID,
            "endpoint": self.emulator.url,
            "obs": {"bucket": "jobsync-transfer", "endpoint": self.emulator.obs_url},
        }

    @property
    def state_path(self) -> Path:
        return self.root / ".jobsync" / "state" / "dev.json"

    def seed(self, document: Mapping[str, Any]) -> None:
        """Set the workspace to this document (the local file, or the emulator's state)."""
        data = copy.deepcopy(dict(document))
        if self.backend == "local":
            self.state_path.parent.mkdir(parents=True, exist_ok=True)
            self.state_path.write_text(json.dumps(data))
        else:
            self.emulator.set_workspace(WORKSPACE_ID, data)

    def document(self) -> dict[str, Any]:
        if self.backend == "local":
            return json.loads(self.state_path.read_text())
        return self.emulator.workspace(WORKSPACE_ID)

    def put(self, kind: Kind, body: Mapping[str, Any], folder: Path | None = None) -> None:
        """Write an object into the repo, in the repo format."""
        files = render_files(folder or self.folder, ObjectKey(kind, body["name"]), body, schema_dir=schema_dir())
        for path, data in files.items():
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_bytes(data)

    def commit(self, message: str = "change") -> str:
        git(self.root, "add", "-A")
        git(self.root, "commit", "-q", "--allow-empty", "-m", message)
        return git(self.root, "rev-parse", "HEAD").strip()

    # -- act --------------------------------------------------------------------------------
    def run(self, *args: str, env: Mapping[str, str] | None = None) -> Result:
        argv = list(args)
        if argv and argv[0] in {"plan", "apply", "export", "validate", "history"}:
            argv += ["--repo", str(self.root)]
        result = self.runner.invoke(app, argv, env={**self.env, **(env or {})}, catch_exceptions=False)
        return Result(result.exit_code, result.stdout, result.stderr)

    # -- read back --------------------------------------------------------------------------
    def entry(self, kind: str, name: str) -> dict[str, Any] | None:
        for item in self.document().get(kind, []):
            if item["definition"]["name"] == name:
                return item
        return None


def environment(**extra: Any) -> dict[str, Any]:
    """A workspace document with the usual connections, queue, stream and graph."""
    document = {
        "lock_policy": "soft",
        "admins": ["admin"],
        "connections": [{"name": "dws_conn", "type": "DWS"}],
        "dliQueues": ["default"],
        "disStreams": ["clicks"],
        "gesGraphs": ["social"],
        "tags": [{"name": "finance", "locked": False}, {"name": "frozen", "locked": True}],
        "jobs": [],
        "scripts": [],
        "resources": [],
    }
    document.update(extra)
    return document


def remote_job(
    body: Mapping[str, Any], *, status: str = "STOPPED", locked_by: str | None = None, tags: list[str] | None = None
) -> dict[str, Any]:
    return {
        "definition": dict(body),
        "status": status,
        "lockedBy": locked_by,
        "tags": tags or [],
        "versions": [{"version": 1, "definition": dict(body)}],
    }


BACKENDS = ["local", "emulator"]

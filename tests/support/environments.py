"""Two workspaces in one real git repo: dev, and prod deploying dev's definitions.

`Environments` writes workspace.yaml, variables.yaml, override and object files, commits and
tags, runs the CLI, and reads each workspace (the local document, or the emulator's state).
"""

from __future__ import annotations

import copy
import json
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import yaml
from typer.testing import CliRunner

from jobsync.cli.app import app
from jobsync.core.model import Kind, ObjectKey
from jobsync.repo.files import render_files
from jobsync.repo.schemas import schema_dir
from support import DEFAULT_POLICIES, Result, environment, git, job_body

WORKSPACE_IDS = {"dev": "ws-dev", "prod": "ws-prod"}
FIXED_DATES = {"GIT_AUTHOR_DATE": "2026-11-01T00:00:00Z", "GIT_COMMITTER_DATE": "2026-11-01T00:00:00Z"}


def load_job(
    name: str = "daily_sales", statement: str = 'insert into #{Env.get("db_name")}.sales select 1'
) -> dict[str, Any]:
    """A job on the dws_conn connection that reads the db_name environment variable."""
    node = {
        "name": "load",
        "type": "DWSSQL",
        "properties": [
            {"name": "connectionName", "value": "dws_conn"},
            {"name": "statement", "value": statement},
        ],
    }
    return job_body(name, nodes=[node], directory="/sales")


def prod_environment() -> dict[str, Any]:
    document = environment()
    document["connections"] = [{"name": "dws_prod", "type": "DWS"}]
    return document


class Environments:
    def __init__(self, root: Path, backend: str, emulator: Any = None) -> None:
        self.root, self.backend, self.emulator = root, backend, emulator
        self.runner = CliRunner()
        self.env: dict[str, str] = {}
        git(root, "init", "-q", "-b", "main")
        (root / ".gitignore").write_text(".jobsync/\n")
        self.seed("dev", environment())
        self.seed("prod", prod_environment())

    def folder(self, ws: str) -> Path:
        return self.root / "workspaces" / ws

    def backend_config(self, ws: str) -> dict[str, Any]:
        if self.backend == "local":
            return {"type": "local", "path": f".jobsync/state/{ws}.json"}
        ak, sk = self.emulator.credential("jobsync")
        self.env = {"HUAWEICLOUD_SDK_AK": ak, "HUAWEICLOUD_SDK_SK": sk}
        return {
            "type": "dataarts",
            "region": "cn-north-4",
            "project_id": self.emulator.project_id,
            "workspace_id": WORKSPACE_IDS[ws],
            "endpoint": self.emulator.url,
            "obs": {"bucket": "jobsync-transfer", "endpoint": self.emulator.obs_url},
        }

    def configure(self, ws: str, **extra: Any) -> None:
        config = {"backend": self.backend_config(ws), "user": "jobsync", "policies": dict(DEFAULT_POLICIES), **extra}
        self.write(f"workspaces/{ws}/workspace.yaml", yaml.safe_dump(config, sort_keys=False))

    def write(self, rel: str, text: str) -> Path:
        path = self.root / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
        return path

    def put(self, ws: str, kind: Kind, body: Mapping[str, Any]) -> None:
        for path, data in render_files(
            self.folder(ws), ObjectKey(kind, body["name"]), body, schema_dir=schema_dir()
        ).items():
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_bytes(data)

    def commit(self, message: str = "change", tag: str | None = None) -> str:
        git(self.root, "add", "-A")
        git(self.root, "commit", "-q", "--allow-empty", "-m", message)
        if tag:
            git(self.root, "tag", tag)
        return git(self.root, "rev-parse", "HEAD").strip()

    def run(self, *args: str) -> Result:
        argv = [*args, "--repo", str(self.root)]
        result = self.runner.invoke(app, argv, env=self.env, catch_exceptions=False)
        return Result(result.exit_code, result.stdout, result.stderr)

    # -- the workspaces ---------------------------------------------------------------------
    def state_path(self, ws: str) -> Path:
        return self.root / ".jobsync" / "state" / f"{ws}.json"

    def seed(self, ws: str, document: Mapping[str, Any]) -> None:
        data = copy.deepcopy(dict(document))
        if self.backend == "local":
            self.state_path(ws).parent.mkdir(parents=True, exist_ok=True)
            self.state_path(ws).write_text(json.dumps(data))
        else:
            self.emulator.set_workspace(WORKSPACE_IDS[ws], data)

    def document(self, ws: str) -> dict[str, Any]:
        if self.backend == "local":
            return json.loads(self.state_path(ws).read_text())
        return self.emulator.workspace(WORKSPACE_IDS[ws])

    def job(self, ws: str, name: str) -> dict[str, Any]:
        return next(e for e in self.document(ws)["jobs"] if e["definition"]["name"] == name)

    def edit(self, ws: str, change: Any) -> None:
        """Change the workspace document as the console would (the job list's hints move)."""
        document = self.document(ws)
        change(document)
        for entry in document.get("jobs", []):
            entry["lastUpdateTime"] = int(entry.get("lastUpdateTime") or 0) + 600_000
        self.seed(ws, document)

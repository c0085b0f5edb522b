"""The emulator's state: credentials, tokens, one workspace document per workspace id.

The document is public (docs/emulator.md):

    {"project_id": "...",
     "credentials": [{"ak": "...", "sk": "...", "user": "analyst"}],   # + "security_token": temporary
     "tokens": {"<token>": "analyst"},
     "workspaces": {"<workspace id>": <workspace document, backends/document.py>},
     "cdm": {"clusters": [{"name": "cdm-dev", "id": "...", "status": "200", "links": [], "jobs": []}]}}

OBS objects and system tasks live in memory only. All access goes through `lock`; handlers
hold it for the whole request, so each request sees and leaves a consistent state.
"""

from __future__ import annotations

import copy
import threading
import uuid
from pathlib import Path
from typing import Any

from jobsync.backends.document import SECTIONS, WorkspaceDocument, now_ms
from jobsync.emulator import cdm
from jobsync.emulator.service import ServiceDocument
from jobsync.fileio import document_lines, write_atomic

DEFAULT_WORKSPACE = "default"

# Obviously fake demo credentials of the emulator; never real secrets.
DEFAULT_STATE: dict[str, Any] = {
    "project_id": "0000000000000000000000000000demo",
    "credentials": [
        {"ak": "DEMOAKANALYST000", "sk": "demo-sk-analyst-not-a-secret", "user": "analyst"},
        {"ak": "DEMOAKREVIEWER00", "sk": "demo-sk-reviewer-not-a-secret", "user": "reviewer"},
        {"ak": "DEMOAKADMIN00000", "sk": "demo-sk-admin-not-a-secret", "user": "admin"},
    ],
    "tokens": {"demo-token-analyst": "analyst"},
    "workspaces": {
        DEFAULT_WORKSPACE: {
            "lock_policy": "soft",
            "admins": ["admin"],
            "connections": [{"name": "dws_demo", "type": "DWS"}],
            "dliQueues": ["default"],
            "disStreams": [],
            "gesGraphs": [],
            "jobs": [],
            "scripts": [],
            "resources": [],
        }
    },
}


SEED_USER = "admin"  # who "created" an object a state document lists without a user


def seed(document: dict[str, Any]) -> dict[str, Any]:
    """Fill in what a real workspace always has and a hand-written state document may leave
    out: each object's id, createTime, lastUpdateTime, createUser and lastUpdateUser (the
    change-hint cache and GET resources depend on them). Seeded times are distinct per
    object, in the past, and stable for one document."""
    base = now_ms() - 86_400_000
    for offset, entry in enumerate(
        entry for section in SECTIONS.values() for entry in document.get(section) or () if isinstance(entry, dict)
    ):
        name = str((entry.get("definition") or {}).get("name"))
        entry.setdefault("id", uuid.uuid5(uuid.NAMESPACE_URL, f"jobsync-emulator/{name}/{offset}").hex)
        entry.setdefault("createTime", base + offset)
        entry.setdefault("lastUpdateTime", entry["createTime"])
        entry.setdefault("createUser", entry.get("lastUpdateUser") or SEED_USER)
        entry.setdefault("lastUpdateUser", entry["createUser"])
    return document


def default_state() -> dict[str, Any]:
    return copy.deepcopy(DEFAULT_STATE)


class EmulatorState:
    """The state document in memory, with a workspace document per workspace id."""

    def __init__(self, data: dict[str, Any] | None = None, *, path: Path | None = None) -> None:
        self.lock = threading.RLock()
        self.path = path
        self.obs: dict[str, dict[str, bytes]] = {}
        self.tasks: dict[str, dict[str, Any]] = {}
        self.load(default_state() if data is None else data)

    def load(self, data: dict[str, Any]) -> None:
        """Replace the whole state (keeps OBS buckets' existence, drops their objects)."""
        with self.lock:
            self.data = copy.deepcopy(data)
            self.data.setdefault("credentials", [])
            self.data.setdefault("tokens", {})
            workspaces = self.data.setdefault("workspaces", {})
            for document in workspaces.values():
                seed(document)
            self.documents = {ws: ServiceDocument(doc) for ws, doc in workspaces.items()}
            self.obs = {}
            self.tasks = {}

    @property
    def project_id(self) -> str:
        return str(self.data.get("project_id", ""))

    def secret_for(self, ak: str) -> tuple[str, str] | None:
        """(sk, user) of an access key, or None."""
        for credential in self.data["credentials"]:
            if credential.get("ak") == ak:
                return str(credential["sk"]), str(credential["user"])
        return None

    def security_token_for(self, ak: str) -> str | None:
        """The security token temporary credentials must present (`security_token` in the
        credential entry); None for permanent AK/SK."""
        for credential in self.data["credentials"]:
            if credential.get("ak") == ak and credential.get("security_token"):
                return str(credential["security_token"])
        return None

    def user_for_token(self, token: str) -> str | None:
        user = self.data["tokens"].get(token)
        return str(user) if user else None

    def cdm_clusters(self) -> list[dict[str, Any]]:
        """The top-level `cdm` section's clusters, each with its links and jobs (emulator/cdm.py);
        a state without the section gets one running cluster, `cdm-default`."""
        return cdm.section(self.data)

    def document(self, workspace_id: str) -> WorkspaceDocument | None:
        return self.documents.get(workspace_id)

    def set_workspace(self, workspace_id: str, data: dict[str, Any]) -> None:
        with self.lock:
            self.data["workspaces"][workspace_id] = seed(copy.deepcopy(data))
            document = ServiceDocument(self.data["workspaces"][workspace_id])
            self.documents[workspace_id] = document

    def persist(self) -> None:
        """Write the state file atomically, if the emulator was started with one."""
        if self.path is not None:
            with self.lock:
                write_atomic(self.path, document_lines(self.data))

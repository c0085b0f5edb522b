"""The emulator's state: credentials, tokens, one workspace document per workspace id.

The document is public (docs/emulator.md):

    {"project_id": "...",
     "credentials": [{"ak": "...", "sk": "...", "user": "analyst"}],   # + "security_token": temporary
     "tokens": {"<token>": "analyst"},
     "workspaces": {"<workspace id>": <workspace document, backends/document.py>},
     "cdm": {"clusters": [{"name": "cdm-dev", "id": "...", "status": "200", "links": [], "jobs": []}]}}

OBS objects and system tasks live in memory only. All access goes through `lock`; handlers
hold it for the whole request, so each request sees and leaves a consistent state. With a state
file, `persist()` after a request writes only what the request changed (emulator/journal.py),
and the disk write happens after `lock` is released, so other requests do not wait on it.
"""

from __future__ import annotations

import copy
import threading
import uuid
from pathlib import Path
from typing import Any

from jobsync.backends.document import SECTIONS, WorkspaceDocument, now_ms
from jobsync.emulator import cdm
from jobsync.emulator.journal import Journal, compact_text, skeleton
from jobsync.emulator.service import ServiceDocument

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


def is_seeded(document: dict[str, Any]) -> bool:
    """Whether every object of a workspace document already has what `seed` fills in."""
    return all(
        all(key in entry for key in ("id", "createTime", "lastUpdateTime", "createUser", "lastUpdateUser"))
        for section in SECTIONS.values()
        for entry in document.get(section) or ()
        if isinstance(entry, dict)
    )


def default_state() -> dict[str, Any]:
    return copy.deepcopy(DEFAULT_STATE)


class EmulatorState:
    """The state document in memory, with a workspace document per workspace id."""

    def __init__(
        self, data: dict[str, Any] | None = None, *, path: Path | None = None, base: str | None = None
    ) -> None:
        """`path`: the state file to keep up to date; `base`: the SHA-256 of its bytes when
        `data` is what it holds (then nothing is written until something changes)."""
        self.lock = threading.RLock()
        self.path = path
        self.journal = Journal(path, base) if path is not None else None
        self._io = threading.Lock()  # orders journal writes; taken before `lock` is released
        self.obs: dict[str, dict[str, bytes]] = {}
        self.tasks: dict[str, dict[str, Any]] = {}
        documents = (data or {}).get("workspaces") or {}
        seeded = all(is_seeded(document) for document in documents.values() if isinstance(document, dict))
        self.load(default_state() if data is None else data)
        self._whole = base is None or not seeded

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
            self.production_documents: dict[str, WorkspaceDocument] = {}  # emulator/enterprise.py
            self.obs = {}
            self.tasks = {}
            self._rest = compact_text(skeleton(self.data))
            self._whole = True  # the next persist() writes the whole state

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
            self.production_documents.pop(workspace_id, None)
            self._whole = True
        self.persist()

    def persist(self) -> None:
        """Bring the state file up to date with what changed since the last call, if the
        emulator has one: nothing when nothing changed, else one journal line (or the whole
        file, when the journal is due for folding). Call it after each request, outside `lock`
        when possible: the disk write then happens after `lock` is released."""
        if self.journal is None:
            return
        with self.lock:
            changes = self._changes()
            if not changes and not self._whole:
                return
            self._io.acquire()  # before `lock` is released: journal lines keep the requests' order
            if self._whole or self.journal.is_due():
                try:
                    self.journal.fold(self.data)
                    self._whole = False
                finally:
                    self._io.release()
                return
        try:
            self.journal.append(changes)
        finally:
            self._io.release()

    def close(self) -> None:
        """Fold the journal into the state file and remove it (when the emulator stops)."""
        if self.journal is None:
            return
        with self.lock, self._io:
            self._changes()
            self.journal.fold(self.data)
            self.journal.close(remove=True)
            self._whole = False

    def _documents(self) -> list[tuple[str, str, WorkspaceDocument]]:
        found = [(ws, "", document) for ws, document in self.documents.items()]
        return found + [(ws, "production", document) for ws, document in self.production_documents.items()]

    def _changes(self) -> list[str]:
        """The text of each change since the last call: the rest of the state when it differs
        from the last one written (first: it may make the environment the objects go into),
        then the objects touched, whole or dropped."""
        changes = []
        rest = compact_text(skeleton(self.data))
        if rest != self._rest:
            changes.append(f'{{"rest":{rest}}}')
            self._rest = rest
        for ws, env, document in self._documents():
            for kind, name in document.touched:
                entry = document.entry(kind, name)
                where = compact_text([ws, env, SECTIONS[kind], name])
                if entry is None:
                    changes.append(f'{{"drop":{where}}}')
                else:
                    changes.append(f'{{"put":{where},"entry":{compact_text(entry)}}}')
            document.touched.clear()
        return changes

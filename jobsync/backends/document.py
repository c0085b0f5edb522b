"""The workspace document: one JSON document that behaves as a DataArts Factory workspace.

The local backend keeps one in a file; the emulator keeps one per workspace id. Its format is
public (README "The local workspace document"); a missing key means empty:

    lock_policy  "soft" | "hard"             admins       [user, ...]
    jobs         [{definition, status, lockedBy, tags, versions, id,
                   createTime, createUser, lastUpdateTime, lastUpdateUser}]
    scripts      [{definition, lockedBy, id, version, lastUpdateTime, lastUpdateUser}]
    resources    [{definition, id, lastUpdateTime, lastUpdateUser}]
    tags         [{name, locked}]             connections  [{name, type}]
    dliQueues, disStreams, gesGraphs          [name, ...]
    variables    [{name, type, value, desc}]  the environment variables (`factory/env`)
    cdm          {clusters: [{name, id, status, links, jobs}]}  CDM (backends/cdmdocument.py)
    qualityJobs, consistencyJobs              [name, ...]  Data Quality's jobs (node references)

`definition` is the development state; `versions` are the submitted versions, newest last,
each {version, definition, submitUser, submitTime, description}.

The rules are the console import's (reference §7.1, §7.4): a job must be stopped before it is
overwritten or deleted; under a hard lock only the holder or an admin may overwrite an object;
a job carrying a locked tag cannot be imported; every data connection, DLI queue, DIS stream
and GES graph a job names must exist. Breaking one raises a `RuleError` with a stable code.
Here the rules are core/rules.py's primitives, the same ones the plan calls (the local
backend); the emulator's document (emulator/service.py) overrides the `check_*` methods with
its own account of the service.
"""

from __future__ import annotations

import copy
import time
import uuid
from collections.abc import Callable, Iterable, Mapping
from typing import Any

from jobsync.backends.cdmdocument import CdmDocument
from jobsync.core.history import JobVersion
from jobsync.core.model import CDM_KINDS, FILE_KINDS, Kind, ObjectKey
from jobsync.core.policies import LockPolicy, SnapshotState
from jobsync.core.rules import is_running, lock_verdict, locked_tag_reason, locked_tags_of, missing_references
from jobsync.core.snapshot import STOPPED, Environment, RemoteObject, Snapshot
from jobsync.core.writecheck import SCRIPT_TYPE_CHANGE, change_problems, write_problems
from jobsync.errors import RuleError

SECTIONS = {Kind.JOB: "jobs", Kind.SCRIPT: "scripts", Kind.RESOURCE: "resources"}
ENVIRONMENT_LISTS = {
    "connections": "connections",
    "dli_queues": "dliQueues",
    "dis_streams": "disStreams",
    "ges_graphs": "gesGraphs",
}
VERSIONS_KEPT = 100  # DataArts keeps the 100 latest versions (reference §7.2)


def now_ms() -> int:
    return int(time.time() * 1000)


def _names(items: Iterable[Any]) -> frozenset[str]:
    """Environment lists hold names or {"name": ...} objects; accept both."""
    return frozenset(str(item.get("name")) if isinstance(item, dict) else str(item) for item in items)


class WorkspaceDocument:
    """A workspace document in memory, with an index by kind and name."""

    def __init__(self, data: dict[str, Any] | None = None) -> None:
        self.data: dict[str, Any] = data if data is not None else {}
        self._index: dict[Kind, dict[str, dict[str, Any]]] = {}
        self._deleted: dict[tuple[Kind, str], int] = {}  # last stamp of deleted objects
        # Called as on_change(kind, name, deleted, user) after a submit (a job's new version;
        # any script or resource save) or a delete: the emulator's enterprise mode records
        # pending items with it (emulator/enterprise.py).
        self.on_change: Callable[[Kind, str, bool, str], None] | None = None
        # Objects saved, deleted, renamed or whose status changed since the holder last
        # cleared it: the emulator persists only these (emulator/journal.py). Code that
        # changes an entry in place must add it here.
        self.touched: set[tuple[Kind, str]] = set()
        for kind, section in SECTIONS.items():
            entries = self.data.setdefault(section, [])
            self._index[kind] = {str(entry.get("definition", {}).get("name")): entry for entry in entries}

    # -- reading -----------------------------------------------------------------------------

    @property
    def lock_policy(self) -> LockPolicy:
        return "hard" if self.data.get("lock_policy") == "hard" else "soft"

    @property
    def admins(self) -> frozenset[str]:
        return frozenset(self.data.get("admins") or ())

    def entry(self, kind: Kind, name: str) -> dict[str, Any] | None:
        return self._index[kind].get(name)

    def entries(self, kind: Kind) -> list[dict[str, Any]]:
        return list(self.data[SECTIONS[kind]])

    def locked_tags(self) -> frozenset[str]:
        return frozenset(str(tag.get("name")) for tag in self.data.get("tags") or () if tag.get("locked"))

    def environment(self) -> Environment:
        lists = {name: _names(self.data.get(key) or ()) for name, key in ENVIRONMENT_LISTS.items()}
        return Environment(
            lock_policy=self.lock_policy,
            admins=self.admins,
            locked_tags=self.locked_tags(),
            cdm=CdmDocument(self.data).clusters(),
            quality_jobs=_names(self.data.get("qualityJobs") or ()),
            consistency_jobs=_names(self.data.get("consistencyJobs") or ()),
            **lists,
        )

    def remote_object(self, kind: Kind, entry: Mapping[str, Any], state: SnapshotState) -> RemoteObject:
        body = entry.get("definition") or {}
        versions = entry.get("versions") or []
        if state == "submitted" and kind is Kind.JOB:
            body = versions[-1]["definition"] if versions else {}
        return RemoteObject(
            key=ObjectKey(kind, str(entry["definition"]["name"])),
            body=body,
            status=entry.get("status", STOPPED) if kind is Kind.JOB else None,
            locked_by=entry.get("lockedBy"),
            tags=tuple(entry.get("tags") or ()),
            last_update_time=entry.get("lastUpdateTime"),
            last_update_user=entry.get("lastUpdateUser"),
            version=versions[-1]["version"] if versions else entry.get("version"),
        )

    def versions(self, name: str) -> list[JobVersion]:
        """The submitted versions of a job, newest first; RuleError NOT_FOUND if it is missing."""
        entry = self.entry(Kind.JOB, name)
        if entry is None:
            raise RuleError("NOT_FOUND", f"job {name} does not exist")
        return [
            JobVersion(
                version=int(item["version"]),
                submitter=item.get("submitUser"),
                submitted_ms=item.get("submitTime"),
                description=str(item.get("description") or ""),
            )
            for item in reversed(entry.get("versions") or [])
        ]

    def snapshot(self, state: SnapshotState = "develop") -> Snapshot:
        objects = {}
        for variable in self.variables():
            key = ObjectKey(Kind.VARIABLE, str(variable["name"]))
            objects[key] = RemoteObject(key=key, body=variable)
        for kind in FILE_KINDS:
            for entry in self.data[SECTIONS[kind]]:
                if state == "submitted" and kind is Kind.JOB and not entry.get("versions"):
                    continue  # never submitted: nothing to export in the submitted state
                remote = self.remote_object(kind, entry, state)
                objects[remote.key] = remote
        objects.update(CdmDocument(self.data).objects())
        return Snapshot(objects=objects, environment=self.environment())

    # -- rules -------------------------------------------------------------------------------

    def check_lock(self, kind: Kind, entry: Mapping[str, Any] | None, user: str) -> None:
        holder = entry.get("lockedBy") if entry else None
        refused, _ = lock_verdict(holder, user, self.lock_policy, self.admins)
        if refused and entry:
            raise RuleError("LOCKED", f"{kind.value} {entry['definition']['name']} is {refused}")

    def check_running(self, entry: Mapping[str, Any] | None) -> None:
        if entry and is_running(entry.get("status", STOPPED)):
            name = entry["definition"]["name"]
            raise RuleError("JOB_RUNNING", f"job {name} is scheduling; stop it first")

    def check_tags(self, definition: Mapping[str, Any], entry: Mapping[str, Any] | None) -> None:
        locked = locked_tags_of(definition, entry.get("tags") or () if entry else (), self.locked_tags())
        if locked:
            raise RuleError("LOCKED_TAG", f"job {definition.get('name')} {locked_tag_reason(locked)}")

    def check_body(self, kind: Kind, definition: Mapping[str, Any], entry: Mapping[str, Any] | None) -> None:
        """Refuse what the service refuses at write time (core/writecheck.py), with its DLF code."""
        before = entry.get("definition") if entry else None
        for code, message in write_problems(kind, definition) + change_problems(kind, before, definition):
            rule = "IMMUTABLE" if code == SCRIPT_TYPE_CHANGE else "INVALID"
            raise RuleError(rule, f"{kind.value} {definition.get('name')}: {message}", dlf=code)

    def check_references(self, kind: Kind, definition: Mapping[str, Any]) -> None:
        missing = missing_references(kind, definition, self.environment())
        if missing:
            listed = ", ".join(f"{category.replace('_', ' ')[:-1]} {name}" for category, name in missing)
            raise RuleError(
                "MISSING_REFERENCE",
                f"{kind.value} {definition.get('name')} refers to what does not exist in this workspace: {listed}",
            )

    # -- writing -----------------------------------------------------------------------------

    def save(
        self,
        kind: Kind,
        definition: Mapping[str, Any],
        *,
        user: str,
        submit: bool = True,
        description: str = "",
    ) -> dict[str, Any]:
        """Create or overwrite an object as the console import does; returns its entry (a CDM
        object's: the definition saved)."""
        if kind in CDM_KINDS:
            CdmDocument(self.data).save(kind, definition)
            return dict(definition)
        name = str(definition["name"])
        entry = self.entry(kind, name)
        self.check_body(kind, definition, entry)
        if kind is Kind.JOB:
            self.check_running(entry)
            self.check_tags(definition, entry)
        self.check_lock(kind, entry, user)
        if kind is not Kind.RESOURCE:
            self.check_references(kind, definition)
        stamp = self._stamp(kind, name, entry)
        self.touched.add((kind, name))
        if entry is None:
            entry = self._new_entry(kind, name, user, stamp)
        entry["definition"] = copy.deepcopy(dict(definition))
        entry["lastUpdateTime"] = stamp
        entry["lastUpdateUser"] = user
        if kind is not Kind.RESOURCE:
            entry["lockedBy"] = user  # creating or importing locks the object for the user
        if kind is Kind.JOB and submit:
            self._submit(entry, user, stamp, description)
        if self.on_change is not None and (kind is not Kind.JOB or submit):
            self.on_change(kind, name, False, user)
        return entry

    def _stamp(self, kind: Kind, name: str, entry: Mapping[str, Any] | None) -> int:
        """now, but strictly after the object's last change (and after a deleted namesake's),
        so lastUpdateTime and createTime always tell two states apart (backends/dataarts/cache.py)."""
        before = entry.get("lastUpdateTime") if entry else self._deleted.get((kind, name))
        return max(now_ms(), int(before) + 1) if isinstance(before, int) else now_ms()

    def _new_entry(self, kind: Kind, name: str, user: str, stamp: int) -> dict[str, Any]:
        entry: dict[str, Any] = {"id": uuid.uuid4().hex, "createTime": stamp, "createUser": user}
        if kind is Kind.JOB:
            entry.update(status=STOPPED, tags=[], versions=[])
        entry["definition"] = {"name": name}
        self.data[SECTIONS[kind]].append(entry)
        self._index[kind][name] = entry
        return entry

    def _submit(self, entry: dict[str, Any], user: str, stamp: int, description: str) -> None:
        versions = entry.setdefault("versions", [])
        number = versions[-1]["version"] + 1 if versions else 1
        versions.append(
            {
                "version": number,
                "definition": copy.deepcopy(entry["definition"]),
                "submitUser": user,
                "submitTime": stamp,
                "description": description,
            }
        )
        del versions[:-VERSIONS_KEPT]

    def delete(self, kind: Kind, name: str, *, user: str) -> None:
        if kind in CDM_KINDS:
            CdmDocument(self.data).delete(kind, name)
            return
        entry = self.entry(kind, name)
        if entry is None:
            raise RuleError("NOT_FOUND", f"{kind.value} {name} does not exist")
        if kind is Kind.JOB:
            self.check_running(entry)
        self.check_lock(kind, entry, user)
        self.data[SECTIONS[kind]].remove(entry)
        del self._index[kind][name]
        self.touched.add((kind, name))
        if isinstance(entry.get("lastUpdateTime"), int):
            self._deleted[(kind, name)] = entry["lastUpdateTime"]
        if self.on_change is not None:
            self.on_change(kind, name, True, user)

    def variables(self) -> list[dict[str, Any]]:
        """The environment variables, each {name, type, value, desc}."""
        return [dict(item) for item in self.data.get("variables") or () if isinstance(item, dict)]

    def set_variables(self, params: Iterable[Mapping[str, Any]]) -> None:
        """Replace the whole set, as `PUT factory/env` does (reference §11.3)."""
        clean = []
        for index, item in enumerate(params):
            if not isinstance(item, Mapping) or not isinstance(item.get("name"), str) or not item["name"]:
                raise RuleError("INVALID", f"params[{index}].name is missing; each variable needs a name")
            if not isinstance(item.get("value", ""), str):
                raise RuleError("INVALID", f"params[{index}].value of {item['name']} must be a string")
            clean.append({key: item[key] for key in ("name", "type", "value", "desc") if key in item})
        names = [item["name"] for item in clean]
        if len(set(names)) != len(names):
            raise RuleError("INVALID", "a variable name appears twice in params")
        self.data["variables"] = clean

    def rename(self, kind: Kind, name: str, new_name: str, *, user: str) -> dict[str, Any]:
        """Rename an object in place, as the V2 `jobs/{name}/rename` does: the entry keeps its
        id, versions and history; only the name changes. A job must be stopped first."""
        entry = self.entry(kind, name)
        if entry is None:
            raise RuleError("NOT_FOUND", f"{kind.value} {name} does not exist")
        if self.entry(kind, new_name) is not None:
            raise RuleError("NAME_EXISTS", f"{kind.value} {new_name} already exists")
        if kind is Kind.JOB:
            self.check_running(entry)
        self.check_lock(kind, entry, user)
        stamp = self._stamp(kind, name, entry)
        entry["definition"] = {**entry["definition"], "name": new_name}
        for version in entry.get("versions") or ():
            version["definition"] = {**version["definition"], "name": new_name}
        entry["lastUpdateTime"] = stamp
        entry["lastUpdateUser"] = user
        del self._index[kind][name]
        self._index[kind][new_name] = entry
        self.touched.update(((kind, name), (kind, new_name)))
        self._deleted[(kind, name)] = stamp
        return entry

    def set_status(self, name: str, status: str) -> None:
        entry = self.entry(Kind.JOB, name)
        if entry is None:
            raise RuleError("NOT_FOUND", f"job {name} does not exist")
        entry["status"] = status
        self.touched.add((Kind.JOB, name))

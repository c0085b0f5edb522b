"""What the emulated service refuses when an object is written: its own table, from the docs.

The emulator is a witness, not a mirror: it decides what DataArts Factory accepts from this
module's table of the service's documented behaviour (docs/dataarts-api.md, the section named
beside each entry), and shares no rule code with the planner (core/rules.py). The contract
test (tests/backends/test_rules_agree.py) compares the planner's predictions with these
answers, so a rule the planner gets wrong shows there as a disagreement instead of being
enforced the same wrong way.

`ServiceDocument` is the workspace document the emulator keeps (backends/document.py) with
these decisions in place of the planner's. What a body must look like to be accepted at all
(core/writecheck.py) is the same table for both and is not decided here.
"""

from __future__ import annotations

import copy
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from typing import Any

from jobsync.backends.document import WorkspaceDocument
from jobsync.core.model import Kind
from jobsync.errors import RuleError


@dataclass(frozen=True)
class LockAnswer:
    """Under one lock policy, whether a user who does not hold an object's edit lock may
    overwrite or delete it (reference §7.4)."""

    others_may_write: bool
    admins_may_write: bool


# lock policy -> the answer (reference §7.4: soft lets anyone grab the lock; hard only the
# holder, the workspace administrators and the DARTS administrator)
LOCKS: dict[str, LockAnswer] = {
    "soft": LockAnswer(others_may_write=True, admins_may_write=True),
    "hard": LockAnswer(others_may_write=False, admins_may_write=True),
}

# Job states in which an import of the same name fails: the job must be stopped first (reference §7.1).
BUSY_STATES = frozenset({"SCHEDULING"})

# A job carrying a locked tag, its own or declared in its body, fails to import (reference §7.1).
LOCKED_TAG_REFUSED = True

# Where a definition names what must exist in the workspace (reference §5.5): (node type or
# "*", property) -> the environment list, in the document's own keys. GES graphs have no
# documented property; `graphName` is the one the emulator reads.
NODE_PROPERTY_NEEDS: dict[tuple[str, str], str] = {
    ("*", "connectionName"): "connections",
    ("*", "queueName"): "dliQueues",
    ("DLISpark", "clusterName"): "dliQueues",
    ("DISStream", "streamName"): "disStreams",
    ("DISTransferTask", "streamName"): "disStreams",
    ("*", "graphName"): "gesGraphs",
}
SCRIPT_FIELD_NEEDS = {"connectionName": "connections", "queueName": "dliQueues"}  # reference §6
EVENT_STREAM_NEEDS = "disStreams"  # a DIS event trigger names its stream in `channel` (reference §5.4)
NOUN = {"connections": "connection", "dliQueues": "dli queue", "disStreams": "dis stream", "gesGraphs": "ges graph"}


# What an export "with dependencies" adds to a job (reference §2.2, §5.5): the scripts and
# resources its nodes name.
NODE_PROPERTY_OBJECTS: dict[str, Kind] = {"scriptName": Kind.SCRIPT, "resourceName": Kind.RESOURCE}

# The import's `resources` replacement types (reference §2.2) -> the environment list they name.
REPLACE_TYPES = {
    "DWS_CONNECTION": "connections",
    "MRS_HIVE_CONNECTION": "connections",
    "MRS_SPARK_CONNECTION": "connections",
    "DIS_STREAM": "disStreams",
    "GES_GRAPH": "gesGraphs",
}

Slot = tuple[str, dict[str, Any], str]  # (environment list, the mapping holding the name, its key)


def _property_slots(node: dict[str, Any]) -> Iterator[Slot]:
    kind = str(node.get("type", ""))
    for item in node.get("properties") or ():
        if isinstance(item, dict) and isinstance(item.get("value"), str) and item["value"]:
            name = str(item.get("name", ""))
            needed = NODE_PROPERTY_NEEDS.get((kind, name)) or NODE_PROPERTY_NEEDS.get(("*", name))
            if needed:
                yield needed, item, "value"


def _event_slots(event: Any) -> Iterator[Slot]:
    if isinstance(event, dict) and str(event.get("eventType", "")).upper() == "DIS":
        channel = event.get("channel")
        if isinstance(channel, str) and channel:
            yield EVENT_STREAM_NEEDS, event, "channel"


def _slots(kind: Kind, definition: dict[str, Any]) -> Iterator[Slot]:
    if kind is Kind.SCRIPT:
        for field, needed in SCRIPT_FIELD_NEEDS.items():
            if isinstance(definition.get(field), str) and definition[field]:
                yield needed, definition, field
        return
    schedule = definition.get("schedule")
    if isinstance(schedule, dict):
        yield from _event_slots(schedule.get("event"))
    for node in definition.get("nodes") or ():
        if isinstance(node, dict):
            yield from _property_slots(node)
            yield from _event_slots(node.get("eventTrigger"))


def needs(kind: Kind, definition: Mapping[str, Any]) -> Iterator[tuple[str, str]]:
    """(environment list, name) of everything the definition names that must exist."""
    for needed, holder, key in _slots(kind, dict(definition)):
        yield needed, holder[key]


def replaced(
    kind: Kind, definition: Mapping[str, Any], replacements: Mapping[str, Mapping[str, str]]
) -> dict[str, Any]:
    """A copy of the definition with the names the import's `resources` list replaces
    ({environment list: {name: replacement}})."""
    result = copy.deepcopy(dict(definition))
    for needed, holder, key in _slots(kind, result):
        target = replacements.get(needed, {}).get(holder[key])
        if target is not None:
            holder[key] = target
    return result


def named_objects(job: Mapping[str, Any]) -> set[tuple[Kind, str]]:
    """The scripts and resources a job's nodes name, for an export with dependencies."""
    found = set()
    for node in job.get("nodes") or ():
        for item in node.get("properties") or () if isinstance(node, dict) else ():
            if isinstance(item, dict) and isinstance(item.get("value"), str) and item["value"]:
                kind = NODE_PROPERTY_OBJECTS.get(str(item.get("name", "")))
                if kind is not None:
                    found.add((kind, item["value"]))
    return found


def _listed(document: WorkspaceDocument, key: str) -> set[str]:
    return {str(item.get("name")) if isinstance(item, dict) else str(item) for item in document.data.get(key) or ()}


def carried_tags(definition: Mapping[str, Any], entry: Mapping[str, Any] | None) -> set[str]:
    """The tags a job carries: those set on it in the workspace and those its body declares in
    `basicConfig.tags` (reference §5.2; the list filters by them, reference §2.1)."""
    carried = {str(tag) for tag in (entry.get("tags") or ())} if entry else set()
    basic = definition.get("basicConfig")
    declared = basic.get("tags") if isinstance(basic, dict) else None
    return carried | ({str(tag) for tag in declared} if isinstance(declared, list) else set())


class ServiceDocument(WorkspaceDocument):
    """The emulator's workspace document: refuses what the service's documentation says it
    refuses, decided from this module's table."""

    def check_lock(self, kind: Kind, entry: Mapping[str, Any] | None, user: str) -> None:
        holder = entry.get("lockedBy") if entry else None
        if not entry or not holder or holder == user:
            return
        answer = LOCKS[self.lock_policy]
        if answer.others_may_write or (answer.admins_may_write and user in self.admins):
            return
        raise RuleError(
            "LOCKED",
            f"{kind.value} {entry['definition']['name']} is locked by {holder} under the {self.lock_policy} lock "
            f"policy; {holder} must unlock it, or a workspace admin must apply",
        )

    def check_running(self, entry: Mapping[str, Any] | None) -> None:
        if entry and entry.get("status") in BUSY_STATES:
            raise RuleError("JOB_RUNNING", f"job {entry['definition']['name']} is scheduling; stop it first")

    def check_tags(self, definition: Mapping[str, Any], entry: Mapping[str, Any] | None) -> None:
        if not LOCKED_TAG_REFUSED:
            return
        locked = sorted(carried_tags(definition, entry) & self.locked_tags())
        if locked:
            raise RuleError(
                "LOCKED_TAG",
                f"job {definition.get('name')} carries the locked tag {', '.join(locked)}; "
                "unlock the tag in the console first",
            )

    def check_references(self, kind: Kind, definition: Mapping[str, Any]) -> None:
        found = {(key, name) for key, name in needs(kind, definition) if name not in _listed(self, key)}
        missing = sorted(found, key=lambda item: (list(NOUN).index(item[0]), item[1]))
        if missing:
            listed = ", ".join(f"{NOUN[key]} {name}" for key, name in missing)
            raise RuleError(
                "MISSING_REFERENCE",
                f"{kind.value} {definition.get('name')} refers to what does not exist in this workspace: {listed}",
            )

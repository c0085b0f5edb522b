"""What a definition refers to, and renaming those references for another workspace.

DataArts names data connections, DLI queues, DIS streams, GES graphs, scripts and other jobs
inside node properties and the schedule (reference §5.4, §5.5). This module is the one place
that knows where those names sit; the plan checks them, apply orders by them, export follows
them, and `mappings` in workspace.yaml rewrite them.

GES graphs have no documented node property; jobsync reads a property named `graphName`.
"""

from __future__ import annotations

import copy
import re
from collections.abc import Callable, Iterator, Mapping
from typing import Any

from jobsync.core.model import Kind, ObjectKey

CONNECTIONS = "connections"
DLI_QUEUES = "dli_queues"
DIS_STREAMS = "dis_streams"
GES_GRAPHS = "ges_graphs"
CDM_CLUSTERS = "cdm_clusters"
CDM_LINKS = "cdm_links"  # renames CDM link names (core/cdm.py mapped); nothing to look up
SCRIPTS = "scripts"
JOBS = "jobs"
RESOURCES = "resources"

# Categories a workspace.yaml `mappings` section may rename, and that must exist in the workspace.
MAPPED = (CONNECTIONS, DLI_QUEUES, DIS_STREAMS, GES_GRAPHS, CDM_CLUSTERS)

# (node type or "*", property name) -> category
NODE_PROPERTIES: dict[tuple[str, str], str] = {
    ("*", "connectionName"): CONNECTIONS,
    ("*", "queueName"): DLI_QUEUES,
    ("DLISpark", "clusterName"): DLI_QUEUES,
    ("DISStream", "streamName"): DIS_STREAMS,
    ("DISTransferTask", "streamName"): DIS_STREAMS,
    ("*", "graphName"): GES_GRAPHS,
    ("CDMJob", "clusterName"): CDM_CLUSTERS,  # the cluster's name, not its id (reference §12.7)
    ("*", "scriptName"): SCRIPTS,
    ("*", "resourceName"): RESOURCES,
}

NODE_PROPERTY_OF = {SCRIPTS: "scriptName", RESOURCES: "resourceName"}

# top-level script fields -> category
SCRIPT_FIELDS = {"connectionName": CONNECTIONS, "queueName": DLI_QUEUES}

Slot = tuple[str, str, Callable[[str], None]]  # (category, value, setter)


def _node_property_slots(node: dict[str, Any]) -> Iterator[Slot]:
    node_type = str(node.get("type", ""))
    properties = node.get("properties")
    if not isinstance(properties, list):
        return
    for prop in properties:
        if not isinstance(prop, dict) or not isinstance(prop.get("value"), str):
            continue
        name = str(prop.get("name", ""))
        category = NODE_PROPERTIES.get((node_type, name)) or NODE_PROPERTIES.get(("*", name))
        if category and prop["value"]:
            yield category, prop["value"], _setter(prop, "value")


def _setter(holder: dict[str, Any], key: str) -> Callable[[str], None]:
    def set_value(value: str) -> None:
        holder[key] = value

    return set_value


def _event_slots(event: Any) -> Iterator[Slot]:
    if isinstance(event, dict) and str(event.get("eventType", "")).upper() == "DIS":
        channel = event.get("channel")
        if isinstance(channel, str) and channel:
            yield DIS_STREAMS, channel, _setter(event, "channel")


def _depend_job_slots(schedule: dict[str, Any]) -> Iterator[Slot]:
    cron = schedule.get("cron")
    depend = cron.get("dependJobs") if isinstance(cron, dict) else None
    jobs = depend.get("jobs") if isinstance(depend, dict) else None
    if not isinstance(jobs, list):
        return
    for index, name in enumerate(jobs):
        if isinstance(name, str):
            yield JOBS, name, _list_setter(jobs, index)


def object_references(body: Mapping[str, Any]) -> Iterator[tuple[str, str, tuple[str | int, ...]]]:
    """(category, name, where in the job file) of each script, resource and job a job names:
    a node property (`nodes[i].properties.scriptName`, as the file's mapping form spells it)
    and each entry of `schedule.cron.dependJobs.jobs`."""
    for index, node in enumerate(body.get("nodes") or ()):
        if not isinstance(node, dict):
            continue
        for category, value, _ in _node_property_slots(node):
            if category in (SCRIPTS, RESOURCES):
                prop = NODE_PROPERTY_OF[category]
                yield category, value, ("nodes", index, "properties", prop)
    schedule = body.get("schedule")
    if isinstance(schedule, dict):
        for index, (_, name, _) in enumerate(_depend_job_slots(schedule)):
            yield JOBS, name, ("schedule", "cron", "dependJobs", "jobs", index)


def depend_jobs(body: Mapping[str, Any]) -> list[str]:
    """The jobs a job's schedule waits for (`schedule.cron.dependJobs.jobs`): the JOBS
    references alone, without walking the nodes."""
    schedule = body.get("schedule")
    if not isinstance(schedule, dict):
        return []
    return sorted({name for _, name, _ in _depend_job_slots(schedule)})


def _list_setter(items: list[Any], index: int) -> Callable[[str], None]:
    def set_value(value: str) -> None:
        items[index] = value

    return set_value


def _slots(kind: Kind, body: dict[str, Any]) -> Iterator[Slot]:
    if kind is Kind.SCRIPT:
        for field_name, category in SCRIPT_FIELDS.items():
            value = body.get(field_name)
            if isinstance(value, str) and value:
                yield category, value, _setter(body, field_name)
        return
    if kind is not Kind.JOB:
        return
    schedule = body.get("schedule")
    if isinstance(schedule, dict):
        yield from _event_slots(schedule.get("event"))
        yield from _depend_job_slots(schedule)
    for node in body.get("nodes") or ():
        if isinstance(node, dict):
            yield from _node_property_slots(node)
            yield from _event_slots(node.get("eventTrigger"))


def references(kind: Kind, body: Mapping[str, Any]) -> dict[str, set[str]]:
    """category -> names this definition refers to."""
    found: dict[str, set[str]] = {}
    for category, value, _ in _slots(kind, dict(body)):
        found.setdefault(category, set()).add(value)
    return found


OBJECT_KINDS = {SCRIPTS: Kind.SCRIPT, RESOURCES: Kind.RESOURCE, JOBS: Kind.JOB}


def referenced_keys(kind: Kind, body: Mapping[str, Any]) -> set[ObjectKey]:
    """The scripts, resources, jobs and CDM jobs a definition names, as keys."""
    found = references(kind, body)
    keys = {ObjectKey(OBJECT_KINDS[c], name) for c in OBJECT_KINDS for name in found.get(c, ())}
    return keys | {ObjectKey(Kind.CDM_JOB, f"{cluster}/{job}") for cluster, job, _ in cdm_nodes(kind, body)}


def cdm_nodes(kind: Kind, body: Mapping[str, Any]) -> list[tuple[str, str, str]]:
    """(clusterName, jobName, node name) of each CDMJob node of a job (reference §12.7)."""
    if kind is not Kind.JOB:
        return []
    found = []
    for node in body.get("nodes") or ():
        if not isinstance(node, dict) or node.get("type") != "CDMJob":
            continue
        properties = node.get("properties")
        values = {
            str(p.get("name")): p.get("value")
            for p in (properties if isinstance(properties, list) else ())
            if isinstance(p, dict)
        }
        cluster, job = values.get("clusterName"), values.get("jobName")
        if isinstance(cluster, str) and isinstance(job, str) and cluster and job:
            found.append((cluster, job, str(node.get("name", ""))))
    return found


def rename(kind: Kind, body: Mapping[str, Any], mappings: Mapping[str, Mapping[str, str]]) -> dict[str, Any]:
    """Body with every mapped reference renamed: a copy when something is renamed, else body."""
    if not any(mappings.values()) or not any(
        value in mappings.get(category, {}) for category, value, _ in _slots(kind, dict(body))
    ):
        return dict(body)
    result = copy.deepcopy(dict(body))
    for category, value, set_value in _slots(kind, result):
        target = mappings.get(category, {}).get(value)
        if target is not None:
            set_value(target)
    return result


def invert(mappings: Mapping[str, Mapping[str, str]]) -> dict[str, dict[str, str]]:
    """Workspace names back to repo names, for export. Many-to-one maps keep the first name."""
    inverted: dict[str, dict[str, str]] = {}
    for category, pairs in mappings.items():
        back = inverted.setdefault(category, {})
        for repo_name, workspace_name in pairs.items():
            back.setdefault(workspace_name, repo_name)
    return inverted


def property_values(body: Mapping[str, Any]) -> Iterator[str]:
    """Every string value of every node property of a job body."""
    for node in body.get("nodes") or ():
        properties = node.get("properties") if isinstance(node, dict) else None
        for prop in properties if isinstance(properties, list) else ():
            if isinstance(prop, dict) and isinstance(prop.get("value"), str):
                yield prop["value"]


# `#{Env.get("name")}`: an EL expression reading a workspace environment variable (reference §11.3)
ENV_GET = re.compile(r"""Env\.get\(\s*["']([^"'\\]+)["']\s*\)""")


def _strings(value: Any) -> Iterator[str]:
    if isinstance(value, str):
        yield value
    elif isinstance(value, Mapping):
        for item in value.values():
            yield from _strings(item)
    elif isinstance(value, list):
        for item in value:
            yield from _strings(item)


def env_variables(body: Mapping[str, Any]) -> set[str]:
    """The environment variables a job or script reads with `#{Env.get("name")}`, anywhere in it."""
    return {name for text in _strings(body) if "#{" in text for name in ENV_GET.findall(text)}

"""The plan's rules for CDM: the cluster a CDM object lives in must be there and running, a
CDM job's links must exist, and a Factory job's CDMJob node must name a CDM job that exists
or is being created (reference §12.2, §12.4, §12.7). Each reason names the closest existing
name and what to do.
"""

from __future__ import annotations

from collections.abc import Collection

from jobsync.core import cdm
from jobsync.core.model import Kind, ObjectKey
from jobsync.core.plan import Action, Change
from jobsync.core.references import cdm_nodes
from jobsync.core.snapshot import Environment

RUNNING_JOB = frozenset({"BOOTING", "RUNNING"})  # a CDM run in progress (reference §12.4)


def cluster_reason(cluster: str, environment: Environment) -> str | None:
    """Why a cluster cannot take writes (missing or not running); None when it can, or when the
    backend cannot list clusters."""
    if environment.cdm is None:
        return None
    return cdm.resolve_cluster(cluster, {}, list(environment.cdm)).reason


def _names(keys: Collection[ObjectKey], kind: Kind, cluster: str) -> list[str]:
    return [cdm.split(k.name)[1] for k in keys if k.kind is kind and cdm.split(k.name)[0] == cluster]


def link_reasons(change: Change, known: Collection[ObjectKey]) -> list[str]:
    """A CDM job's `from-link-name` and `to-link-name` must be links of its own cluster."""
    cluster, _ = cdm.split(change.key.name)
    reasons = []
    body = change.desired or {}
    for field in ("from-link-name", "to-link-name"):
        link = body.get(field)
        if isinstance(link, str) and ObjectKey(Kind.CDM_LINK, cdm.qualified(cluster, link)) not in known:
            hint = cdm.did_you_mean(link, _names(known, Kind.CDM_LINK, cluster))
            reasons.append(
                f"{field} names link {link!r}, which is neither in the repo nor in CDM cluster {cluster!r} ({hint}); "
                f"add cdm/<cluster>/links/{link}.yaml or fix the name"
            )
    return reasons


def node_reasons(change: Change, known: Collection[ObjectKey], environment: Environment) -> list[str]:
    """A Factory job's CDMJob nodes: the cluster running, the CDM job in the repo or the cluster."""
    reasons = []
    for cluster, job, node in cdm_nodes(Kind.JOB, change.desired or {}):
        why = cluster_reason(cluster, environment)
        if why is not None:
            reasons.append(f"node {node!r}: {why}")
            continue
        if ObjectKey(Kind.CDM_JOB, cdm.qualified(cluster, job)) not in known and environment.cdm is not None:
            hint = cdm.did_you_mean(job, _names(known, Kind.CDM_JOB, cluster))
            reasons.append(
                f"node {node!r} runs CDM job {job!r}, which is neither in the repo nor in CDM cluster {cluster!r} "
                f"({hint}); add cdm/<cluster>/jobs/{job}.yaml or fix jobName"
            )
    return reasons


# A Data Quality node's job, by property name (reference §12.10: the names are undocumented)
QUALITY_PROPERTIES = {"qualityJobName": "quality_jobs", "consistencyJobName": "consistency_jobs"}
QUALITY_NOUN = {"quality_jobs": "quality job", "consistency_jobs": "comparison job"}


def quality_reasons(change: Change, environment: Environment) -> list[str]:
    """A node naming a Data Quality quality or comparison job that the workspace lacks."""
    reasons = []
    for node in (change.desired or {}).get("nodes") or ():
        properties = node.get("properties") if isinstance(node, dict) else None
        for prop in properties if isinstance(properties, list) else ():
            field = QUALITY_PROPERTIES.get(str(prop.get("name"))) if isinstance(prop, dict) else None
            known = getattr(environment, field) if field else None
            value = prop.get("value") if field else None
            if known is None or not isinstance(value, str) or value in known:
                continue
            reasons.append(
                f"node {node.get('name')!r} runs Data Quality {QUALITY_NOUN[str(field)]} {value!r}, which this "
                f"workspace does not have ({cdm.did_you_mean(value, sorted(known))}); create it in DataArts "
                "Quality or fix the name"
            )
    return reasons


def reasons(change: Change, known: Collection[ObjectKey], environment: Environment) -> list[str]:
    """Why a create or update of a CDM object or a Factory job cannot be applied (none: [])."""
    if change.action is Action.DELETE:
        return []
    if change.key.kind is Kind.JOB:
        return node_reasons(change, known, environment) + quality_reasons(change, environment)
    if change.key.kind not in (Kind.CDM_LINK, Kind.CDM_JOB):
        return []
    why = cluster_reason(cdm.split(change.key.name)[0], environment)
    if why is not None:
        return [why]
    return link_reasons(change, known) if change.key.kind is Kind.CDM_JOB else []


def running_rule(status: str | None, policy: str, action: Action) -> tuple[list[str], list[str], bool]:
    """(reasons, warnings, stop first) for a CDM job being run: the service refuses to update or
    delete it (Cdm.0052, reference §12.5). Under stop-and-restart apply stops the run first and
    does not start it again (a run is one migration, not a schedule)."""
    if status not in RUNNING_JOB:
        return [], [], False
    if policy == "stop-and-restart":
        verb = "deletes it" if action is Action.DELETE else "writes it"
        return [], [f"CDM job is running: apply stops the run, then {verb} (the run is not started again)"], True
    return ["CDM job is running and policies.running_jobs is fail; let the run end or stop it in CDM"], [], False

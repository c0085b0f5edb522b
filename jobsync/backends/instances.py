"""Reading the service's run answers (reference §2.7) as RunReports: one reading for the local
workspace, the emulator's answers and the DataArts API alike."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from jobsync.core.runs import NodeRun, RunReport


def job_report(name: str, detail: Mapping[str, Any], message: str = "") -> RunReport:
    """A RunReport from an instance detail (reference §2.1), the same reading for both backends."""
    nodes = tuple(
        NodeRun(str(node.get("nodeName")), str(node.get("status")), str(node.get("logExcerpt") or ""))
        for node in detail.get("nodes") or ()
        if isinstance(node, Mapping)
    )
    if message and any(node.status == "fail" for node in nodes):
        nodes = tuple(
            NodeRun(node.name, node.status, node.message or message) if node.status == "fail" else node
            for node in nodes
        )
    return RunReport(
        kind="job",
        name=name,
        instance_id=str(detail.get("instanceId")),
        status=str(detail.get("status")),
        started_ms=detail.get("startTime") if isinstance(detail.get("startTime"), int) else None,
        ended_ms=detail.get("endTime") if isinstance(detail.get("endTime"), int) else None,
        nodes=nodes,
        message=message,
    )


def script_report(name: str, instance_id: str, result: Mapping[str, Any], started_ms: int, now_ms: int) -> RunReport:
    """A RunReport from a script result (reference §2.3); the script result carries no times,
    so the duration is what jobsync saw."""
    status = str(result.get("status"))
    final = status in ("FINISHED", "FAILED")
    return RunReport(
        kind="script",
        name=name,
        instance_id=instance_id,
        status=status,
        started_ms=started_ms,
        ended_ms=now_ms if final else None,
        message=str(result.get("message") or ""),
    )


def job_params(params: Mapping[str, str]) -> list[dict[str, str]]:
    return [{"name": key, "value": str(value), "type": "variable"} for key, value in params.items()]

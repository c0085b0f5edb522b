"""Warnings about object files that validate still accepts: misspelt keys, and values cut
short by a YAML comment.

Bodies carry many fields no document lists (reference §5.6), so an unknown key is kept; only
one that is a near miss of a documented key (`schedul`, `pollingIntervall`) is reported, with
the key it is probably meant to be.
"""

from __future__ import annotations

import difflib
import re
from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import Any

import yaml

from jobsync.core.model import Kind
from jobsync.errors import Problem
from jobsync.repo import yamlio
from jobsync.repo.files import object_files

# Documented keys per structure (reference §5.1-§5.6, §6), undocumented ones seen in exports too.
JOB_KEYS = frozenset(
    {
        "name", "directory", "processType", "description", "basicConfig", "params", "schedule", "nodes",
        "logPath", "targetStatus", "approvers", "singleNodeJobFlag", "singleNodeJobType", "cleanOverdueDays",
        "cleanWaitingJob", "emptyRunningJob", "resources", "version", "location", "maskedParams",
        "runAtOnceAfterIncubate", "taskWorkGroupId", "useCdmCache",
    }
)  # fmt: skip
BASIC_KEYS = frozenset(
    {
        "owner", "priority", "executeUser", "instanceTimeout", "customFields", "agency", "isIgnoreWaiting",
        "tags", "taskPriority", "encrypt", "jobDescription",
    }
)  # fmt: skip
NODE_KEYS = frozenset(
    {
        "name", "type", "location", "preNodeName", "conditions", "properties", "pollingInterval",
        "maxExecutionTime", "retryTimes", "retryInterval", "failPolicy", "eventTrigger", "cronTrigger",
        "execTimeOutRetry", "resources", "resouces",
    }
)  # fmt: skip
SCHEDULE_KEYS = frozenset({"type", "cron", "event", "requireManualConfirmBeforeExecute", "scheduleOffset"})
CRON_KEYS = frozenset(
    {
        "startTime", "endTime", "expression", "expressionTimeZone", "dependPrePeriod", "dependJobs",
        "intervalType", "period", "concurrent", "calendarScheduling", "isSkipSelfDepJob", "monitorObsPath",
        "scanDuration", "scanInterval",
    }
)  # fmt: skip
DEPEND_KEYS = frozenset({"jobs", "dependPeriod", "dependFailPolicy", "sameWorkSpaceJobs", "otherWorkSpaceJobs"})
SCRIPT_KEYS = frozenset(
    {"name", "type", "directory", "description", "connectionName", "database", "queueName", "configuration",
     "content", "targetStatus", "approvers"}
)  # fmt: skip
RESOURCE_KEYS = frozenset({"name", "type", "directory", "location", "dependFiles", "dependPackages", "desc"})
CLOSE = 0.8  # difflib ratio: `schedul` -> `schedule`, `pollingIntervall` -> `pollingInterval`


def _structures(kind: Kind, data: Mapping[str, Any]) -> Iterator[tuple[tuple[str | int, ...], Any, frozenset[str]]]:
    """(path, mapping, its known keys) for each documented structure in a file's mapping."""
    if kind is Kind.SCRIPT:
        yield (), data, SCRIPT_KEYS
        return
    if kind is Kind.RESOURCE:
        yield (), data, RESOURCE_KEYS
        return
    yield (), data, JOB_KEYS
    yield ("basicConfig",), data.get("basicConfig"), BASIC_KEYS
    schedule = data.get("schedule")
    yield ("schedule",), schedule, SCHEDULE_KEYS
    cron = schedule.get("cron") if isinstance(schedule, Mapping) else None
    yield ("schedule", "cron"), cron, CRON_KEYS
    yield ("schedule", "cron", "dependJobs"), cron.get("dependJobs") if isinstance(cron, Mapping) else None, DEPEND_KEYS
    for index, node in enumerate(data.get("nodes") or () if isinstance(data.get("nodes"), list) else ()):
        yield ("nodes", index), node, NODE_KEYS


def misspelt_keys(kind: Kind, data: Mapping[str, Any], rel: str, text: str | None) -> list[Problem]:
    """A warning for each unknown key that is a near miss of a known key the mapping lacks."""
    problems = []
    lines: yamlio.Lines | None = None  # composed only for a file with a problem: it is slow
    for path, mapping, known in _structures(kind, data):
        if not isinstance(mapping, Mapping):
            continue
        for key in mapping:
            if not isinstance(key, str) or key in known:
                continue
            close = [k for k in difflib.get_close_matches(key, sorted(known), n=3, cutoff=CLOSE) if k not in mapping]
            if close:
                where = ".".join(str(p) if isinstance(p, str) else f"[{p}]" for p in path).replace(".[", "[")
                field = f"{where}.{key}" if where else key
                if lines is None:
                    lines = yamlio.line_map(text) if text else {}
                problems.append(
                    Problem(
                        rel,
                        f"unknown key {key!r}; did you mean {close[0]!r}? (unknown keys are kept and sent as they are)",
                        yamlio.line_of(lines, (*path, key)) if lines else None,
                        field,
                    )
                )
    return problems


CUT_BY_COMMENT = re.compile(r"^[^#'\"]*:\s+[^\s'\"#|>][^#]*\s#\{")


def cut_values(rel: str, text: str) -> list[Problem]:
    """A plain value followed by ` #{...}` on its line: YAML reads ` #` as the start of a
    comment, so a DataArts expression like `#{Env.get("x")}` is silently cut off."""
    return [
        Problem(
            rel,
            "YAML reads ' #' as the start of a comment, so the #{...} expression after it is not part of "
            "the value; quote the whole value",
            number,
        )
        for number, line in enumerate(text.splitlines(), 1)
        if CUT_BY_COMMENT.match(line)
    ]


def workspace_warnings(folder: Path, root: Path) -> list[Problem]:
    """The warnings of every object file in a workspace folder (files that do not parse are
    left to validate's errors)."""
    problems: list[Problem] = []
    for kind, path in object_files(folder):
        rel = path.relative_to(root).as_posix()
        try:
            text = path.read_text(encoding="utf-8")
            data = yamlio.load(text)
        except (OSError, ValueError, yaml.YAMLError):
            continue
        problems += cut_values(rel, text)
        if isinstance(data, Mapping):
            problems += misspelt_keys(kind, data, rel, text)
    return problems

"""Where in its file a job names a script, resource or job: for validate's problems and plan's
blocked reasons (file and line, as a compiler would say them)."""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import Any

from jobsync.core.model import ObjectKey, Spec
from jobsync.core.references import JOBS, MAPPED, NODE_PROPERTIES, RESOURCES, SCRIPTS, object_references
from jobsync.core.rules import CATEGORY_NOUN
from jobsync.errors import JobsyncError
from jobsync.repo import source as gitsource
from jobsync.repo import yamlio

PHRASES = {SCRIPTS: "runs script {!r}", RESOURCES: "uses resource {!r}", JOBS: "depends on job {!r}"}


def reference_line(root: Path, source: str, path: tuple[str | int, ...], name: str) -> int | None:
    """The line of `path` in the file `source` names, else the first line from its nearest
    ancestor's on that holds `name` (node properties may be written as a name/value list)."""
    text = source_text(root, source)
    if text is None:
        return None
    lines = yamlio.line_map(text)
    line = yamlio.line_of(lines, path)
    if path in lines or line is None:
        return line
    rows = text.splitlines()
    return next((n for n in range(line, len(rows) + 1) if name in rows[n - 1]), line)


def source_text(root: Path, source: str) -> str | None:
    """A spec's file text: `rel` in the working tree, or `rel @ ref` at that git ref."""
    rel, _, ref = source.partition(" @ ")
    try:
        if ref:
            raw = gitsource.read_file(root, gitsource.resolve(root, ref, where=rel), rel)
            return None if raw is None else raw.decode("utf-8")
        return (root / rel).read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError, JobsyncError):
        return None


def environment_references(body: Mapping[str, Any]) -> Iterator[tuple[str, str, tuple[str | int, ...]]]:
    """(category, name, where in the job file) of each connection, queue, stream or graph a
    node property names (the names as the plan's reasons give them: after mappings)."""
    for index, node in enumerate(body.get("nodes") or ()):
        properties = node.get("properties") if isinstance(node, dict) else None
        for prop in properties if isinstance(properties, list) else ():
            if not isinstance(prop, dict) or not isinstance(prop.get("value"), str):
                continue
            key = (str(node.get("type", "")), str(prop.get("name", "")))
            category = NODE_PROPERTIES.get(key) or NODE_PROPERTIES.get(("*", key[1]))
            if category in MAPPED:
                yield category, prop["value"], ("nodes", index, "properties", key[1])


def located(reason: str, root: Path, spec: Spec) -> str:
    """A blocked job's reason with `file:line: ` before each reference it names: a script, a
    job in dependJobs, a connection, queue, stream or graph."""
    if not spec.source:
        return reason
    body = spec.peek()
    found = [
        *((PHRASES[c].format(n), n, p) for c, n, p in object_references(body)),
        *((f"refers to {CATEGORY_NOUN[c]} {n!r}", n, p) for c, n, p in environment_references(body)),
    ]
    for phrase, name, path in found:
        if phrase in reason and f": {phrase}" not in reason:
            where = reference_line(root, spec.source, path, name)
            at = spec.source.partition(" @ ")[0] + (f":{where}" if where else "")
            reason = reason.replace(phrase, f"{at}: {phrase}", 1)
    return reason


def locate_reasons(
    reasons: Mapping[ObjectKey, str], desired: Mapping[ObjectKey, Spec], root: Path
) -> dict[ObjectKey, str]:
    """`reasons` (of blocked jobs) with the file and line of each reference they name."""
    return {key: located(reason, root, desired[key]) if key in desired else reason for key, reason in reasons.items()}

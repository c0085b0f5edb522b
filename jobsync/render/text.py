"""The plan for a terminal."""

from __future__ import annotations

from typing import Any

from jobsync.render.checks import text_lines
from jobsync.render.document import (
    has_changes,
    release_lines,
    schedule_line,
    source_line,
    summary_line,
    verify_line,
    window_line,
)
from jobsync.render.values import field_lines

SYMBOL = {
    "create": "+",
    "update": "~",
    "delete": "-",
    "skip": "=",
    "blocked": "!",
    "unmanaged": "?",
    "start": ">",
    "stop": "|",
    "rename": "~",  # a rename is a change in place: the job keeps its versions
}
# ANSI SGR codes: green, yellow, red, red, cyan, bright black, green, yellow
COLOUR = {"+": "32", "~": "33", "-": "31", "!": "31", "=": "36", "?": "90", ">": "32", "|": "33"}


def _paint(line: str, colour: bool) -> str:
    stripped = line.lstrip()
    symbol = "-/+" if stripped.startswith("-/+") else stripped[:1]
    if not colour or symbol not in COLOUR:
        return line
    return f"\x1b[{COLOUR[symbol]}m{line}\x1b[0m"


DOWNSTREAM_SHOWN = 10


def _downstream(change: dict[str, Any], impact: dict[str, Any]) -> list[str]:
    found = impact.get(change["name"]) if change["kind"] == "job" else None
    if not found or not found["affected"]:
        return []
    names = found["affected"]
    more = f" (+{len(names) - DOWNSTREAM_SHOWN} more)" if len(names) > DOWNSTREAM_SHOWN else ""
    return [f"    downstream (dependJobs): {', '.join(names[:DOWNSTREAM_SHOWN])}{more}"]


def change_lines(change: dict[str, Any], impact: dict[str, Any] | None = None) -> list[str]:
    symbol = SYMBOL[change["action"]]
    title = f"{symbol} {change['kind']} {change['name']}"
    if change.get("renamed_from") is not None:
        title = f"{symbol} {change['kind']} rename {change['renamed_from']} -> {change['name']}"
    action = change["action"]
    if action == "blocked":
        action = f"blocked ({change.get('intended')})"
    if change.get("schedule"):
        action = f"{action}, then {change['schedule']}"
    lines = [f"{title}  [{action}]  {change['reason']}".rstrip()]
    lines += [f"    {line}" for field in change["diff"] for line in field_lines(field)]
    lines += [f"    ! {warning}" for warning in change.get("warnings", ())]
    return lines + _downstream(change, impact or {})


def render(document: dict[str, Any], *, colour: bool = False) -> str:
    out = [f"jobsync plan: workspace {document['workspace']} ({document['backend']}), acting as {document['user']}"]
    source = source_line(document)
    if source:
        out.append(source)
    window = window_line(document)
    if window:
        out.append(window)
    out.append("")
    for change in document["changes"]:
        out += [_paint(line, colour) for line in change_lines(change, document.get("impact") or {})]
    if document["changes"]:
        out.append("")
    out.append(summary_line(document["summary"]))
    schedule = schedule_line(document)
    if schedule:
        out.append(schedule)
    if not has_changes(document) and not document["summary"]["blocked"]:
        out.append(f"No changes. Workspace {document['workspace']} matches the repo.")
    verify = verify_line(document)
    if verify:
        out.append(verify)
    unmanaged = document["summary"]["unmanaged"]
    if unmanaged:
        out.append(f"{unmanaged} object(s) in the workspace are not in the repo (prune is off).")
    if document.get("release") and has_changes(document):
        out += release_lines(document["release"])
    elif document.get("release"):
        out.append(f"Enterprise mode: compared with the {document['release']['actual']} environment.")
    out += text_lines(document)
    return "\n".join(out) + "\n"

"""The plan as a pull-request comment: summary first, one collapsible section per object.

GitHub refuses comments over 65,535 characters. The renderer keeps the summary and the table
of every change that is blocked, and adds per-object sections while they fit; what does not
fit is counted, with a pointer to the full plan (the workflow uploads it as an artifact).
"""

from __future__ import annotations

import html
from typing import Any

from jobsync.render.document import has_changes, release_lines, schedule_line, source_line, summary_line
from jobsync.render.values import field_lines

GITHUB_LIMIT = 65_535
MARKER = "<!-- jobsync-plan:{workspace} -->"
ICON = {
    "create": "➕",
    "update": "✏️",
    "delete": "🗑️",
    "skip": "⏭️",
    "blocked": "⛔",
    "unmanaged": "❔",
    "start": "▶️",
    "stop": "⏹️",
    "rename": "🔀",
}
FULL_PLAN_NOTE = "the full plan is in the workflow run's `jobsync-plan` artifact, or run `jobsync plan -w {workspace}`"


def _code(text: str) -> str:
    return f"<code>{html.escape(text)}</code>"


def section(change: dict[str, Any]) -> str:
    action = change["action"]
    label = f"blocked ({change.get('intended')})" if action == "blocked" else action
    if change.get("schedule"):
        label = f"{label}, then {change['schedule']}"
    name = _code(change["name"])
    if change.get("renamed_from") is not None:
        name = f"{_code(change['renamed_from'])} → {name}"
    head = f"{ICON[action]} {change['kind']} {name}: <b>{label}</b>"
    body = [f"<details><summary>{head}</summary>", ""]
    if change["reason"]:
        body.append(html.escape(change["reason"]))
        body.append("")
    warnings = [f"> ⚠️ {html.escape(w)}  " for w in change.get("warnings", ())]
    if warnings:
        body += [*warnings, ""]
    lines = [line for field in change["diff"] for line in field_lines(field, style="diff")]
    if lines:
        body += ["```diff", *(line.replace("```", "`​``") for line in lines), "```"]
    body += ["", "</details>", ""]
    return "\n".join(body)


def _header(document: dict[str, Any]) -> list[str]:
    workspace = document["workspace"]
    out = [
        MARKER.format(workspace=workspace),
        f"### jobsync plan for `{workspace}`",
        "",
    ]
    source = source_line(document)
    if source:
        out += [f"`{source}`", ""]
    out += [f"**{summary_line(document['summary'])}**", ""]
    schedule = schedule_line(document)
    if schedule:
        out += [schedule, ""]
    if not has_changes(document) and not document["summary"]["blocked"]:
        out += [f"No changes. Workspace `{workspace}` matches the repo.", ""]
    if document.get("release") and has_changes(document):
        out += [f"> 📦 {html.escape(line, quote=False)}  " for line in release_lines(document["release"])] + [""]
    blocked = [c for c in document["changes"] if c["action"] == "blocked"]
    if blocked:
        out += ["| ⛔ blocked | why |", "|---|---|"]
        out += [f"| {c['kind']} `{c['name']}` | {html.escape(c['reason']).replace('|', '&#124;')} |" for c in blocked]
        out.append("")
    return out


def render(document: dict[str, Any], *, limit: int = GITHUB_LIMIT) -> str:
    head = "\n".join(_header(document))
    listed = [c for c in document["changes"] if c["action"] != "unmanaged"]
    footer_room = 400
    parts, used, left_out = [], len(head), 0
    for change in listed:
        text = section(change)
        if used + len(text) + footer_room > limit:
            left_out += 1
            continue
        parts.append(text)
        used += len(text)
    tail = []
    unmanaged = document["summary"]["unmanaged"]
    if unmanaged:
        tail.append(f"_{unmanaged} object(s) in the workspace are not in the repo (prune is off)._")
    if left_out:
        tail.append(
            f"_{left_out} more object(s) left out to fit GitHub's comment limit; "
            f"{FULL_PLAN_NOTE.format(workspace=document['workspace'])}._"
        )
    return head + "\n" + "".join(parts) + "\n".join(tail) + ("\n" if tail else "")

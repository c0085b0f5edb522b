"""The plan as a pull-request comment: summary first, one collapsible section per object.

GitHub refuses comments over 65,535 characters. The renderer keeps the summary and the table
of every change that is blocked, and adds per-object sections while they fit; what does not
fit is counted, with a pointer to the full plan (the workflow uploads it as an artifact).
"""

from __future__ import annotations

import html
from typing import Any

from jobsync.render.checks import markdown_lines
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
GRAPH_BUDGET = 6_000  # characters of the Mermaid graph at most; never over a quarter of the comment
DOWNSTREAM_SHOWN = 10
FULL_PLAN_NOTE = "the full plan is in the workflow run's `jobsync-plan` artifact, or run `jobsync plan -w {workspace}`"


def _code(text: str) -> str:
    return f"<code>{html.escape(text)}</code>"


def _mermaid_label(name: str) -> str:
    escaped = name.replace("&", "#amp;").replace('"', "#quot;").replace("<", "#lt;").replace(">", "#gt;")
    return escaped.replace("`", "#96;")


def impact_graph(document: dict[str, Any], budget: int = GRAPH_BUDGET) -> str:
    """The changed jobs with their upstream and downstream neighbours (dependJobs) as a
    Mermaid flowchart GitHub draws, within `budget` characters; "" when no changed job has a
    neighbour. Edges that do not fit are counted, not drawn."""
    impact = document.get("impact") or {}
    edges = sorted(
        {(up, name) for name, i in impact.items() for up in i["upstream"]}
        | {(name, down) for name, i in impact.items() for down in i["downstream"]}
    )
    if not edges:
        return ""
    affected = {job for i in impact.values() for job in i["affected"]}
    head = [
        f"**Impact:** {len(impact)} changed job(s); {len(affected)} job(s) downstream of them (dependJobs).",
        "",
        "```mermaid",
        "flowchart LR",
        "  classDef changed fill:#fff3bf,stroke:#f08c00",
    ]
    tail_room = 200
    ids: dict[str, str] = {}
    lines: list[str] = []
    used = sum(len(line) + 1 for line in head) + tail_room + len("  class  changed\n")
    drawn = 0
    for a, b in edges:
        pending = {n: f"j{len(ids) + i}" for i, n in enumerate(n for n in dict.fromkeys((a, b)) if n not in ids)}
        named = {**ids, **pending}
        new = [*(f'  {key}["{_mermaid_label(n)}"]' for n, key in pending.items()), f"  {named[a]} --> {named[b]}"]
        cost = sum(len(line) + 1 for line in new) + sum(len(key) + 1 for n, key in pending.items() if n in impact)
        if used + cost > budget:
            break
        ids.update(pending)
        lines += new
        used += cost
        drawn += 1
    changed = [ids[n] for n in sorted(impact) if n in ids]
    if changed:
        lines.append(f"  class {','.join(changed)} changed")
    out = [*head, *lines, "```", ""]
    if drawn < len(edges):
        out += [f"_{len(edges) - drawn} more dependency edge(s) left out to fit the comment; {FULL_PLAN_NOTE}._", ""]
    return "\n".join(out)


def _downstream_line(change: dict[str, Any], impact: dict[str, Any]) -> str | None:
    found = impact.get(change["name"]) if change["kind"] == "job" else None
    if not found or not found["affected"]:
        return None
    names = found["affected"]
    shown = ", ".join(_code(n) for n in names[:DOWNSTREAM_SHOWN])
    more = f" (+{len(names) - DOWNSTREAM_SHOWN} more)" if len(names) > DOWNSTREAM_SHOWN else ""
    return f"Downstream (dependJobs): {shown}{more}"


def section(change: dict[str, Any], impact: dict[str, Any] | None = None) -> str:
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
    downstream = _downstream_line(change, impact or {})
    if downstream:
        body += [downstream, ""]
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
    window = window_line(document)
    if window:
        out += [f"> ⏰ **{html.escape(window, quote=False)}**", ""]
    out += [f"**{summary_line(document['summary'])}**", ""]
    verify = verify_line(document)
    if verify:
        out += [f"🧪 {html.escape(verify, quote=False)}", ""]
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
    return out + markdown_lines(document)


def render(document: dict[str, Any], *, limit: int = GITHUB_LIMIT) -> str:
    head = "\n".join(_header(document))
    graph = impact_graph(document, min(GRAPH_BUDGET, limit // 4))
    if graph:
        head = f"{head}\n{graph}"
    impact = document.get("impact") or {}
    listed = [c for c in document["changes"] if c["action"] != "unmanaged"]
    footer_room = 400
    parts, used, left_out = [], len(head), 0
    for change in listed:
        text = section(change, impact)
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

"""`jobsync diff A B` for people: text and Markdown views of the diff document."""

from __future__ import annotations

import html
from typing import Any

from jobsync.render.text import SYMBOL
from jobsync.render.values import field_lines

ICON = {"create": "➕", "update": "✏️", "delete": "🗑️"}


def _where(source: dict[str, Any] | None) -> str:
    if source is None:
        return "no source"
    if source.get("ref") is None:
        return f"{source['workspace']} @ working tree"
    return f"{source['workspace']} @ {source['ref']} ({(source.get('commit') or '?')[:7]})"


def heading(document: dict[str, Any]) -> str:
    a, b = document["from"], document["to"]
    if document["mode"] == "source":
        moved = document["source"]
        return (
            f"jobsync diff: promoting {a} to {b} "
            f"(source {_where(moved['before'])} -> {_where(moved['after'])}, with {b}'s mappings, "
            "overrides and variables)"
        )
    return f"jobsync diff: {a} -> {b} (the desired objects of {a} against those of {b})"


def summary_line(document: dict[str, Any]) -> str:
    s = document["summary"]
    return f"Diff: {s['create']} to create, {s['update']} to update, {s['delete']} to delete."


def render_text(document: dict[str, Any]) -> str:
    out = [heading(document), ""]
    for change in document["changes"]:
        out.append(
            f"{SYMBOL[change['action']]} {change['kind']} {change['name']}  [{change['action']}]  {change['reason']}"
        )
        out += [f"    {line}" for field in change["diff"] for line in field_lines(field)]
    if document["changes"]:
        out.append("")
    out.append(summary_line(document))
    if not document["changes"]:
        a, b = document["from"], document["to"]
        out.append(f"No differences: promoting {a} changes nothing in {b}'s definitions.")
    out.append(scope_note(document))
    return "\n".join(out) + "\n"


def scope_note(document: dict[str, Any]) -> str:
    """diff compares the repo's definitions; what apply would change in the workspace itself
    (objects it lacks, console edits) is plan's to say."""
    b = document["to"]
    return (
        f"This compares definitions in the repo, not workspace {b}: `jobsync plan -w {b}` shows what apply "
        f"would change there, including objects {b} does not have yet."
    )


def render_markdown(document: dict[str, Any]) -> str:
    out = [f"### {heading(document)}", "", f"**{summary_line(document)}**", "", scope_note(document), ""]
    for change in document["changes"]:
        out += [
            f"<details><summary>{ICON[change['action']]} {change['kind']} <code>{html.escape(change['name'])}</code>: "
            f"<b>{change['action']}</b></summary>",
            "",
            html.escape(change["reason"]),
            "",
        ]
        lines = [line for field in change["diff"] for line in field_lines(field, style="diff")]
        if lines:
            out += ["```diff", *(line.replace("```", "`\u200b``") for line in lines), "```", ""]
        out += ["</details>", ""]
    return "\n".join(out)

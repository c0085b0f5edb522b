"""What apply did, for the pull request: every object it applied, skipped, blocked or failed,
each with its reason, as one Markdown table (the apply comment and the job summary), from the
document `ops.apply.result_to_document` returns."""

from __future__ import annotations

import html
from typing import Any

OUTCOMES = (("failed", "❌ failed"), ("blocked", "⛔ blocked"), ("skipped", "⏭️ skipped"), ("applied", "✅ applied"))
MAX_ROWS = 2_000  # kept under GitHub's comment limit; the log and the JSON have every row


def _cell(text: str) -> str:
    return html.escape(text).replace("|", "&#124;").replace("\n", "<br>")


def apply_markdown(document: dict[str, Any], workspace: str) -> str:
    counts = {name: len(document.get(name) or ()) for name, _ in OUTCOMES}
    lines = [
        f"### jobsync apply to `{workspace}`",
        "",
        f"**Apply: {counts['applied']} applied, {counts['skipped']} skipped, "
        f"{counts['blocked']} blocked, {counts['failed']} failed.**",
        "",
    ]
    rows = [(label, row) for name, label in OUTCOMES for row in document.get(name) or ()]
    if rows:
        lines += ["| outcome | object | reason |", "|---|---|---|"]
        for label, row in rows[:MAX_ROWS]:
            lines.append(f"| {label} | {row['kind']} `{_cell(row['name'])}` | {_cell(row['message'])} |")
        if len(rows) > MAX_ROWS:
            lines.append(f"\n_{len(rows) - MAX_ROWS} more object(s) left out; the apply log has every one._")
        lines.append("")
    lines += verify_markdown(document.get("verify") or [])
    return "\n".join(lines)


def _duration(report: dict[str, Any]) -> str:
    return "" if report.get("duration_s") is None else f"{report['duration_s']:g}s"


def verify_markdown(reports: list[dict[str, Any]]) -> list[str]:
    """The verify runs as a table: each job or script, its instance, status and duration, and
    for a failed run the node that failed with its message."""
    if not reports:
        return []
    passed = sum(1 for report in reports if report["passed"])
    lines = [
        f"**Verify: {passed} passed, {len(reports) - passed} failed.**",
        "",
        "| run | object | instance | status | duration | failed node | message |",
        "|---|---|---|---|---|---|---|",
    ]
    for report in reports:
        mark = "✅" if report["passed"] else "❌"
        lines.append(
            f"| {mark} | {report['kind']} `{_cell(report['name'])}` | {_cell(report['instance_id'] or '–')} "
            f"| {_cell(report['status'])} | {_duration(report)} | {_cell(report['failed_node'] or '')} "
            f"| {_cell(report['message'] or '')} |"
        )
    lines.append("")
    return lines


def verify_text(reports: list[dict[str, Any]]) -> list[str]:
    """The verify runs, one line each, for the terminal."""
    lines = []
    for report in reports:
        where = f" at node {report['failed_node']}" if report["failed_node"] else ""
        message = f": {report['message']}" if report["message"] and not report["passed"] else ""
        duration = f" in {_duration(report)}" if report.get("duration_s") is not None else ""
        lines.append(
            f"  {report['kind']} {report['name']}: {report['status']}{where}{duration} "
            f"(instance {report['instance_id'] or '-'}){message}"
        )
    return lines

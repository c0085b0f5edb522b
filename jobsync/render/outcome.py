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
    return "\n".join(lines)

"""The rule failures of a plan (its document's `checks`), for the terminal and the PR comment."""

from __future__ import annotations

import html
from typing import Any

ROWS = 50  # failures listed in a comment at most; the rest are counted


def _where(failure: dict[str, Any]) -> str:
    line = failure.get("rule_line") or 0
    return f"{failure['rule_file']}:{line}" if line else str(failure["rule_file"])


def _state(failure: dict[str, Any]) -> str:
    if failure.get("approved_by"):
        return f"approved by {failure['approved_by']} for {str(failure.get('approved_commit') or '')[:12]}"
    return "blocks apply" if failure["severity"] == "error" else "warning"


def blocking(document: dict[str, Any]) -> list[dict[str, Any]]:
    checks = document.get("checks") or {}
    return [f for f in checks.get("failures") or () if f["severity"] == "error" and not f.get("approved_by")]


def summary(document: dict[str, Any]) -> str | None:
    checks = document.get("checks")
    if checks is None:
        return None
    failures = checks["failures"]
    errors = len(blocking(document))
    warnings = sum(1 for f in failures if f["severity"] == "warning")
    approved = sum(1 for f in failures if f.get("approved_by"))
    return f"Rules ({checks['rules_from']}): {errors} blocking, {warnings} warning(s), {approved} approved."


def text_lines(document: dict[str, Any]) -> list[str]:
    line = summary(document)
    if line is None:
        return []
    out = [line]
    for note in document["checks"].get("notes") or ():
        out.append(f"  note: {note}")
    for f in document["checks"]["failures"]:
        at = f" ({f['file']})" if f.get("file") else ""
        out.append(f"  [{_state(f)}] {f['rule']} ({_where(f)}): {f['kind']} {f['name']}{at}: {f['message']}")
    return out


def _cell(text: str) -> str:
    return html.escape(text, quote=False).replace("|", "&#124;").replace("\n", " ")


def markdown_lines(document: dict[str, Any]) -> list[str]:
    line = summary(document)
    if line is None:
        return []
    checks = document["checks"]
    out = [f"**{_cell(line)}**", ""]
    out += [f"> ℹ️ {_cell(note)}  " for note in checks.get("notes") or ()]
    if checks.get("notes"):
        out.append("")
    failures = checks["failures"]
    if not failures:
        return out
    out += ["| rule | object | where | message | state |", "|---|---|---|---|---|"]
    for f in failures[:ROWS]:
        at = f"<br>{_cell(f['file'])}" if f.get("file") else ""
        out.append(
            f"| `{_cell(f['rule'])}` ({f['severity']}) | {f['kind']} <code>{_cell(f['name'])}</code> | "
            f"{_cell(_where(f))}{at} | {_cell(f['message'])} | {_cell(_state(f))} |"
        )
    if len(failures) > ROWS:
        out.append(f"| … | {len(failures) - ROWS} more | | see the full plan | |")
    out.append("")
    return out

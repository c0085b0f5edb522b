"""`jobsync history` for a terminal: one line per version, newest first."""

from __future__ import annotations

from typing import Any


def version_line(item: dict[str, Any]) -> str:
    when = (item.get("submitted") or "time unknown").replace("T", " ").replace("Z", " UTC")
    who = item.get("submitter") or "unknown"
    head = f"v{item['version']:<4} {when:<23} by {who}"
    if item["made_by"] == "console":
        note = f': "{item["description"]}"' if item.get("description") else ""
        return f"{head}  made in the console{note}"
    commit = (item.get("commit") or "uncommitted")[:12]
    pr = f" (PR #{item['pr']})" if item.get("pr") is not None else ""
    subject = f' "{item["subject"]}"' if item.get("subject") else ""
    return f"{head}  commit {commit}{pr}{subject}"


def render(document: dict[str, Any]) -> str:
    versions = document["versions"]
    out = [
        f"history of job {document['job']} in workspace {document['workspace']} ({document['backend']}): "
        f"{len(versions)} version(s), newest first"
    ]
    out += [version_line(item) for item in versions]
    if not versions:
        out.append("never submitted: the job has only a development state")
    return "\n".join(out) + "\n"

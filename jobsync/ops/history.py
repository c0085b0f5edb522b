"""`jobsync history`: the versions of a job and the commit and pull request each came from.

The versions come from the backend (the local document, or `jobs/{name}?version=N` of the
service); their descriptions are read back with core/history.py. A short commit sha is
resolved in the repo when the repo has it, for the full sha and the subject line.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timezone
from typing import Any

from jobsync.backends.base import Workspace
from jobsync.core.history import JobVersion, Origin, pr_from_message
from jobsync.repo import gitrepo
from jobsync.repo.config import WorkspaceConfig


@dataclass(frozen=True)
class HistoryEntry:
    """One version, with what the repo knows about the commit its description names."""

    version: JobVersion
    origin: Origin | None
    commit: str | None = None  # the full sha when the repo has the commit, else the short one
    subject: str | None = None
    pr: int | None = None

    def to_dict(self) -> dict[str, Any]:
        made = self.version.submitted_ms
        return {
            "version": self.version.version,
            "submitter": self.version.submitter,
            "submitted": iso_time(made),
            "submitted_ms": made,
            "made_by": "jobsync" if self.origin else "console",
            "commit": self.commit,
            "pr": self.pr,
            "subject": self.subject,
            "workspace": self.origin.workspace if self.origin else None,
            "description": self.version.description,
        }


def iso_time(ms: int | None) -> str | None:
    if ms is None:
        return None
    return datetime.fromtimestamp(ms / 1000, timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")


def entry_of(config: WorkspaceConfig, version: JobVersion) -> HistoryEntry:
    origin = version.origin
    if origin is None:
        return HistoryEntry(version, None)
    commit, subject, pr = origin.commit, None, origin.pr
    found = gitrepo.resolve(config.repo_root, origin.commit) if origin.commit else None
    if found is not None:
        commit, subject = found
        if pr is None:
            pr = pr_from_message(gitrepo.message(config.repo_root, commit) or "")
    return HistoryEntry(version, origin, commit=commit, subject=subject, pr=pr)


def job_history(config: WorkspaceConfig, workspace: Workspace, name: str) -> list[HistoryEntry]:
    """Every version the workspace keeps of job `name`, newest first."""
    return [entry_of(config, version) for version in workspace.versions(name)]


def history_document(config: WorkspaceConfig, label: str, name: str, entries: list[HistoryEntry]) -> dict[str, Any]:
    return {
        "workspace": config.name,
        "backend": label,
        "job": name,
        "versions": [entry.to_dict() for entry in entries],
    }

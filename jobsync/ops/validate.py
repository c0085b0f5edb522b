"""`jobsync validate`: everything the repo alone can decide, each problem reported once.

Per workspace: workspace.yaml, every object file (YAML, schema, cron, nodes), the layers
(source, overrides, variables), and the scripts, resources and jobs the jobs name, checked
against the repo and, where it can be read without the network, the workspace's own list (the
local backend's document). A workspace deploying another's files (prod's `source: dev`) finds
the same problems in them: each is reported once, naming every workspace it affects when the
repo has several. A warning on the line and field of an error is the error's (a misspelt
required key) and is not repeated.
"""

from __future__ import annotations

import contextlib
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path

from jobsync.backends import open as backends
from jobsync.core.model import CDM_KINDS, Kind, ObjectKey, Spec
from jobsync.core.plan import Action, Plan
from jobsync.core.validate import unresolved_references
from jobsync.errors import ConfigError, JobsyncError, Problem
from jobsync.ops import policy as policies
from jobsync.ops.locate import reference_line, source_text
from jobsync.ops.plan import open_workspace
from jobsync.repo import config as configuration
from jobsync.repo import fmt, layers, lint
from jobsync.repo.config import CACHE_DIR

Identity = tuple[str, int | None, str | None, str]


@dataclass
class Found:
    """What validate found, in the order found; `where` names the workspaces of each."""

    counts: dict[str, int] = field(default_factory=dict)  # workspace -> objects, for those that loaded
    cdm_counts: dict[str, int] = field(default_factory=dict)  # workspace -> CDM links and jobs among them
    problems: dict[Identity, Problem] = field(default_factory=dict)
    warnings: dict[Identity, Problem] = field(default_factory=dict)
    where: dict[Identity, list[str]] = field(default_factory=dict)

    def add(self, into: dict[Identity, Problem], problems: list[Problem], workspace: str) -> None:
        for problem in problems:
            identity = (problem.file, problem.line, problem.field, problem.message)
            into.setdefault(identity, problem)
            named = self.where.setdefault(identity, [])
            if workspace not in named:
                named.append(workspace)

    def named(self, into: dict[Identity, Problem], several: bool) -> list[Problem]:
        if not several:
            return list(into.values())
        result = []
        for identity, problem in into.items():
            names = self.where[identity]
            if len(names) == 1 and problem.file.startswith(f"{configuration.WORKSPACES_DIR}/{names[0]}/"):
                result.append(problem)  # its path names its workspace
                continue
            label = f"workspace {names[0]}" if len(names) == 1 else f"workspaces {', '.join(names)}"
            result.append(Problem(problem.file, f"{problem.message} ({label})", problem.line, problem.field))
        return result

    def errors(self, several: bool) -> list[Problem]:
        return self.named(self.problems, several)

    def notes(self, several: bool) -> list[Problem]:
        """The warnings that are not an error's line and field too."""
        taken = {(file, line, fld) for file, line, fld, _ in self.problems}
        kept = {i: p for i, p in self.warnings.items() if (p.file, p.line, p.field) not in taken}
        return self.named(kept, several)


def validate_repo(root: Path, names: list[str]) -> Found:
    """Validate the workspaces `names`: every problem and warning, each once."""
    found = Found()
    for name in names:
        try:
            config = configuration.load_workspace(root, name)
        except ConfigError as error:
            found.add(found.problems, list(error.problems), name)
            continue
        found.add(found.problems, configuration.placeholders(config), name)
        found.add(found.warnings, lint.workspace_warnings(config.folder, root), name)
        try:
            specs = layers.desired(config).specs
        except ConfigError as error:
            found.add(found.problems, list(error.problems), name)
            continue
        found.counts[name] = len(specs)
        found.cdm_counts[name] = sum(1 for key in specs if key.kind in CDM_KINDS)
        found.add(found.warnings, [item.problem() for item in fmt.unformatted(config.folder, root)], name)
        errors, warnings = reference_problems(config, specs)
        found.add(found.problems, errors, name)
        found.add(found.warnings, warnings, name)
        try:
            errors, warnings = rule_problems(config, specs)
        except ConfigError as error:  # policies.yaml itself: named with its file and line
            errors, warnings = list(error.problems), []
        found.add(found.problems, errors, name)
        found.add(found.warnings, warnings, name)
    return found


def rule_problems(
    config: configuration.WorkspaceConfig, specs: Mapping[ObjectKey, Spec]
) -> tuple[list[Problem], list[Problem]]:
    """(errors, warnings): policies.yaml's definition rules over every object (ops/policy.py),
    each at the rule's file and line, naming the object and its file."""
    checked = policies.check_definitions(config, specs, policies.rules_for(config))
    errors: list[Problem] = []
    warnings: list[Problem] = []
    for failure in checked.failures:
        problem = Problem(failure.rule_file, failure.describe().split(": ", 1)[1], failure.rule_line or None)
        (warnings if failure.severity == "warning" else errors).append(problem)
    return errors, warnings


def reference_problems(
    config: configuration.WorkspaceConfig, specs: Mapping[ObjectKey, Spec]
) -> tuple[list[Problem], list[Problem]]:
    """(errors, warnings): names the jobs use that neither the repo nor the workspace has.
    Of a kind the workspace's list is not known offline (a remote backend's scripts) they are
    warnings; plan checks the workspace."""
    listing = offline_listing(config)
    complete = listing is not None and config.backend.get("type") == "local"
    errors: list[Problem] = []
    warnings: list[Problem] = []
    for item in unresolved_references(specs, listing, complete=complete):
        line = reference_line(config.repo_root, item.source, item.path, item.name)
        problem = Problem(item.source, item.message(), line, item.field)
        (errors if item.listed else warnings).append(problem)
    return errors, warnings


def offline_listing(config: configuration.WorkspaceConfig) -> dict[Kind, frozenset[str]] | None:
    """The jobs, scripts and resources the workspace has, as far as reading them needs no
    network: all three from the local backend's document (or its seed), the whole workspace; on
    dataarts the job names its cache kept from the last read, if any (a job read less than a
    few seconds after its last edit is not cached, so they only suggest names). None when
    nothing is known."""
    if config.backend.get("type") == "dataarts":
        jobs = backends.cached_job_names(config.backend, name=config.name, cache_dir=config.repo_root / CACHE_DIR)
        return None if jobs is None else {Kind.JOB: jobs}
    if config.backend.get("type") != "local":
        return None
    try:
        with contextlib.closing(open_workspace(config)) as workspace:
            snapshot = workspace.snapshot()
    except JobsyncError:
        return None  # an unreadable document is plan's error to report, with its advice
    listing: dict[Kind, set[str]] = {Kind.JOB: set(), Kind.SCRIPT: set(), Kind.RESOURCE: set()}
    for key in snapshot.objects:
        listing.setdefault(key.kind, set()).add(key.name)
    return {kind: frozenset(names) for kind, names in listing.items()}


WRITES = (Action.CREATE, Action.UPDATE, Action.RENAME, Action.BLOCKED)
LINTED = (Kind.JOB, Kind.SCRIPT, Kind.RESOURCE)  # what lint knows the keys of


def plan_warnings(plan: Plan, desired: Mapping[ObjectKey, Spec], root: Path) -> list[Problem]:
    """validate's warnings (a misspelt key, a value cut short by ` #`) for the objects the plan
    writes: what would be sent as it is, said before it is. The bodies are the plan's own (no
    file is parsed again); a file is read for its lines only when it has something to say, and
    for ` #` only in the working tree (a source at a git ref was validated where it was made)."""
    found: list[Problem] = []
    for change in plan.changes:
        spec = desired.get(change.key)
        if change.action not in WRITES or spec is None or not spec.source or change.key.kind not in LINTED:
            continue
        rel, _, ref = spec.source.partition(" @ ")
        near = lint.misspelt_keys(change.key.kind, spec.peek(), rel, None)
        text = source_text(root, spec.source) if near or not ref else None
        if near and text is not None:
            near = lint.misspelt_keys(change.key.kind, spec.peek(), rel, text)  # now with lines
        found += near
        if text is not None and not ref:
            found += lint.cut_values(rel, text)
    return found

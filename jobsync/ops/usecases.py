"""Each use case once: plan, apply and promote as the CLI and the programmatic API both run them.

The CLI (cli/commands.py) parses its arguments, calls one of these functions and renders what
it returns; `jobsync.make_plan` and `jobsync.apply_plan` (ops/api.py) call the same functions.
None of them prints: what they have to tell a person goes through a `Voice` (the CLI's says it
on stderr and asks at the terminal; the API's is silent and never asks).
"""

from __future__ import annotations

import contextlib
import dataclasses
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from jobsync.backends.base import ReleasePackage, Workspace
from jobsync.backends.lock import DEFAULT_TIMEOUT_S
from jobsync.core.history import version_description
from jobsync.core.model import Kind, ObjectKey
from jobsync.core.plan import Plan
from jobsync.core.policies import VerifySettings
from jobsync.errors import JobsyncError, UsageError
from jobsync.github import approvals
from jobsync.ops import plan as planning
from jobsync.ops import planfile, preview, release
from jobsync.ops import policy as policies
from jobsync.ops import promote as promotion
from jobsync.ops import verify as verifying
from jobsync.ops.apply import ApplyResult, Progress, apply_plan, interrupted_message, record_unapplied
from jobsync.ops.planfile import SavedPlan
from jobsync.render.document import plan_to_document
from jobsync.repo import changes, gitrepo
from jobsync.repo import config as configuration
from jobsync.repo.config import WorkspaceConfig
from jobsync.repo.policyfile import RuleSet


def _quiet(_: str) -> None:
    return None


def _never(_: str) -> bool:
    return False


@dataclass(frozen=True)
class Voice:
    """How a use case talks to a person: progress and warnings, the plan it is about to apply,
    and the question before applying. The default is silent and answers no."""

    say: Callable[[str], None] = _quiet
    warn: Callable[[str], None] = _quiet
    show: Callable[[dict[str, Any]], None] = lambda _: None  # the plan document apply is about to carry out
    confirm: Callable[[str], bool] = _never  # asked (with the workspace name) only without a saved plan
    progress: Progress = lambda *_: None


QUIET = Voice()


def load_workspace(repo: str | Path | None, name: str | None = None, *, user: str | None = None) -> WorkspaceConfig:
    """The settings of workspace `name` (or of the only workspace) in the git repo around `repo`
    (the current directory when None)."""
    root = gitrepo.find_root(Path(repo or Path.cwd()).resolve())
    return configuration.load_workspace(root, configuration.pick_workspace(root, name), user=user)


def version_message(config: WorkspaceConfig, plan: Plan) -> str:
    """The description of every version apply submits: the commit (`<sha>+dirty` when
    uncommitted files were applied), its PR, the workspace, the user (on dataarts the owner of
    the credentials); core/history.py reads it back for `jobsync history`."""
    pr = planning.pull_request(config, plan.repo_commit)
    description = version_description(plan.repo_commit, config.name, plan.settings.user, pr, dirty=plan.repo_dirty)
    allowed = policies.allowed_note(plan)
    return f"{description} [allowed: {allowed}]" if allowed else description


@contextlib.contextmanager
def locked_workspace(
    config: WorkspaceConfig,
    *,
    lock_timeout: float = DEFAULT_TIMEOUT_S,
    command: str | None = None,
    voice: Voice = QUIET,
) -> Iterator[Workspace]:
    """The workspace `config` names, open and under its run lock for the block (apply, export)."""
    with (
        contextlib.closing(planning.open_workspace(config)) as workspace,
        planning.locked(config, workspace, command=command, timeout_s=lock_timeout, on_wait=voice.say),
    ):
        yield workspace


def _changed_since(
    config: WorkspaceConfig, ref: str | None, voice: Voice
) -> tuple[frozenset[ObjectKey] | None, dict[str, str]]:
    """--changed-since: the objects whose files changed since `ref`, and the job files git saw renamed."""
    if not ref:
        return None, {}
    only = changes.only_changed(config.repo_root, config.name, ref, voice.say)
    return only, changes.renamed_jobs(config.repo_root, config.name, ref)


def plan(
    config: WorkspaceConfig,
    *,
    jobs: Sequence[str] = (),
    refresh: bool = False,
    changed_since: str | None = None,
    allow_mass_delete: bool = False,
    backend_ref: str | None = None,
    verify: bool | None = None,
    voice: Voice = QUIET,
) -> planning.Planned:
    """The plan that makes the workspace match the repo. `jobs` (--job) and `changed_since`
    narrow it; a mass delete is blocked unless `allow_mass_delete` (core/guards.py);
    `backend_ref` takes the backend settings from that git ref (ops/plan.py backend_from)."""
    if backend_ref:
        config = planning.backend_from(config, backend_ref, voice.warn)
    rules = policies.rules_for(config, ref=backend_ref)
    notes = policies.branch_notes(config, rules) if backend_ref else ()
    for note in notes:
        voice.warn(note)
    only, hints = _changed_since(config, changed_since, voice)
    with contextlib.closing(planning.open_workspace(config)) as workspace:
        voice.say(f"reading {workspace.label}")
        planned = planning.make_plan(
            config,
            workspace,
            jobs=jobs,
            refresh=refresh,
            only=only,
            rename_hints=hints,
            allow_mass_delete=allow_mass_delete,
            verify=verify,
        )
    if not rules.empty:
        planned.plan = policies.check_plan(config, planned.plan, planned.desired, planned.snapshot, rules, notes=notes)
        checks = planned.plan.checks
        head, found = approvals.from_environment(checks.failures if checks else (), voice.say)
        planned.plan = policies.approve(planned.plan, found, head=head)
    return planned


def promote(config: WorkspaceConfig, ref: str, *, voice: Voice = QUIET) -> tuple[promotion.Promoted, planning.Planned]:
    """Point the workspace's source at `ref` (ops/promote.py), then plan it at the new ref."""
    done = promotion.promote(config, ref)
    rel = done.config.file.relative_to(done.config.repo_root).as_posix()
    voice.say(
        f"{rel}: source.ref {done.before or '(working tree)'} -> {done.after} ({done.commit[:7]}); commit it to promote"
    )
    return done, plan(done.config, voice=voice)


@dataclass
class Applied:
    """What `apply` did: the plan it made (and showed), and what became of each change.

    `cancelled`: the person answered no. `packages`: the release packages made in enterprise
    mode (with `wait`, as they ended)."""

    planned: planning.Planned
    result: ApplyResult = field(default_factory=ApplyResult)
    packages: list[ReleasePackage] = field(default_factory=list)
    cancelled: bool = False
    waited: bool = False

    @property
    def attempted(self) -> bool:
        """Whether there was anything to apply and the person agreed."""
        return bool(self.planned.plan.pending()) and not self.cancelled

    @property
    def ok(self) -> bool:
        """Applied: nothing blocked, failed or cancelled, and (with `wait`) every package released."""
        unreleased = self.waited and any(package.status != 2 for package in self.packages)
        return not self.cancelled and self.result.ok and not unreleased


def saved_plan(config: WorkspaceConfig, saved: Plan | Path | None) -> SavedPlan | None:
    """The plan that was shown, as apply checks a fresh one against it: a file `plan --out`
    wrote, read back (ops/planfile.py), or a Plan `plan` made, as it would be saved."""
    if isinstance(saved, Path):
        return planfile.read(saved, workspace=config.name)
    return None if saved is None else SavedPlan.from_document(plan_to_document(saved), None)


def _narrowing(
    config: WorkspaceConfig,
    saved: SavedPlan | None,
    jobs: Sequence[str],
    changed_since: str | None,
    voice: Voice,
) -> tuple[Sequence[str], frozenset[ObjectKey] | None, Mapping[str, str]]:
    """(jobs, only, rename hints): a saved plan's own selection and renames, else --job and
    --changed-since, so apply makes the plan that was shown."""
    if saved is None:
        only, hints = _changed_since(config, changed_since, voice)
        return jobs, only, hints
    if saved.selection is not None:
        return [], saved.selection, saved.rename_hints
    return jobs, None, saved.rename_hints


def _check_against_saved(
    config: WorkspaceConfig,
    planned: planning.Planned,
    document: dict[str, Any],
    saved: SavedPlan | None,
    *,
    reviewed: bool,
    plan_file: Path | None,
    voice: Voice,
) -> None:
    if saved is not None and reviewed:
        planfile.check_reviewed(saved, document, planned.snapshot, repo_root=config.repo_root)
        voice.say(f"the plan is the reviewed one ({plan_file}); applying it")
    elif saved is not None:
        planfile.check_fresh(saved, document)
    elif planned.plan.repo_dirty:
        voice.warn(f"workspaces/{config.name} has uncommitted changes; applying the working tree")


def apply(
    config: WorkspaceConfig,
    *,
    saved: Plan | Path | None = None,
    reviewed: bool = False,
    jobs: Sequence[str] = (),
    changed_since: str | None = None,
    allow_mass_delete: bool = False,
    auto_approve: bool = False,
    wait: bool = False,
    wait_timeout_s: float = 3600.0,
    lock_timeout: float = DEFAULT_TIMEOUT_S,
    command: str | None = None,
    verify: bool | None = None,
    allow_rules: Sequence[str] = (),
    voice: Voice = QUIET,
) -> Applied:
    """Make the workspace match the repo, under the workspace's run lock.

    `saved` is the plan that was shown: a file `plan --out` wrote, or a Plan `plan` returned.
    A fresh plan is made (with the saved plan's selection and renames) and compared with it:
    any difference refuses the apply (StalePlanError; with `reviewed`, ReviewedPlanError naming
    each difference). A saved plan that deletes something was made with --allow-mass-delete (or
    needed none): its deletes are confirmed. Without a saved plan the person is asked
    (`voice.confirm`) unless `auto_approve`. In enterprise mode what was written is bundled into
    release packages; `wait` polls them until each ends.

    The team's rules (policies.yaml) are checked again: those the saved plan was checked with
    (its `checks.rules_commit`), else the working tree's. A failure of severity error refuses
    the apply (PolicyError) unless the reviewed plan records an owner's approval for the
    commit it was made at, or `allow_rules` (--allow-rule) names its rule: the person's name
    goes into the version description."""
    plan_file = saved if isinstance(saved, Path) else None
    if reviewed and (plan_file is None or jobs):
        raise JobsyncError("--reviewed needs the reviewed plan file (`jobsync apply --reviewed PLANFILE`) and no --job")
    shown = saved_plan(config, saved)
    if shown is not None and planfile.deletes_confirmed(shown):
        allow_mass_delete = True  # the saved plan was made with --allow-mass-delete and reviewed
    jobs, only, hints = _narrowing(config, shown, jobs, changed_since, voice)
    reason = verifying.forbidden(config.policies, config.name)
    if verify and reason:
        raise JobsyncError(f"apply --verify refused: {reason}; nothing was applied")
    rules = _rules_of(config, shown)
    with locked_workspace(config, lock_timeout=lock_timeout, command=command, voice=voice) as workspace:
        planned = planning.make_plan(
            config,
            workspace,
            jobs=jobs,
            only=only,
            rename_hints=hints,
            allow_mass_delete=allow_mass_delete,
            verify=verify,
        )
        if not rules.empty:
            planned.plan = policies.check_plan(config, planned.plan, planned.desired, planned.snapshot, rules)
            if reviewed:
                planned.plan = policies.approve(
                    planned.plan, policies.saved_approvals(shown.document if shown else None)
                )
            planned.plan = policies.allow(planned.plan, allow_rules, planned.plan.settings.user)
        document = plan_to_document(planned.plan)
        _check_against_saved(config, planned, document, shown, reviewed=reviewed, plan_file=plan_file, voice=voice)
        voice.show(document)
        if planned.plan.closed is not None:
            raise JobsyncError(
                f"apply changed nothing: workspace {config.name} is {planned.plan.closed}; "
                "apply again inside a deploy window (policies.deploy_windows)"
            )
        if planned.plan.pending():
            policies.refuse_blocking(planned.plan)
        if not planned.plan.pending():
            voice.say("Nothing to apply.")
            return Applied(planned, result=record_unapplied(planned.plan, ApplyResult()))
        if not auto_approve and shown is None and not voice.confirm(config.name):
            voice.say("Apply cancelled.")
            return Applied(planned, cancelled=True)
        done = Applied(planned, waited=wait)
        try:
            apply_plan(
                planned.plan,
                workspace,
                message=version_message(config, planned.plan),
                backup_root=config.repo_root / configuration.BACKUPS_DIR,
                progress=voice.progress,
                result=done.result,
            )
        except KeyboardInterrupt:
            voice.say(interrupted_message(planned.plan, done.result))
            raise
        done.packages = _release(config, workspace, done, wait=wait, timeout_s=wait_timeout_s, voice=voice)
        _verify(config, workspace, done, voice)
        return done


def _verify(config: WorkspaceConfig, workspace: Workspace, done: Applied, voice: Voice) -> None:
    """Run what the plan said apply would run (its `verify` section), if anything was applied."""
    section = done.planned.plan.verify
    if section and section.get("forbidden"):
        voice.warn(f"verify: nothing run: {section['forbidden']}")
    if not section or section.get("forbidden"):
        return
    settings = config.verify or VerifySettings()
    keys = list(verifying.targets(done.planned.plan, settings, done.planned.desired))
    applied = {change.key for change, _ in done.result.applied}
    if settings.jobs == "changed":
        keys = [key for key in keys if key in applied]  # a failed write is not verified
    if not keys:
        voice.say("verify: nothing to run")
        return
    done.result.verified = verifying.run_checks(workspace.runs(), keys, settings, voice.say)
    done.result.verify_fails = settings.on_failure == "fail"


def _rules_of(config: WorkspaceConfig, shown: SavedPlan | None) -> RuleSet:
    """The rules apply checks: those a saved plan was checked with, else the working tree's."""
    commit = ((shown.document if shown else {}).get("checks") or {}).get("rules_commit")
    return policies.rules_for(config, commit=str(commit) if commit else None)


def _release(
    config: WorkspaceConfig,
    workspace: Workspace,
    done: Applied,
    *,
    wait: bool,
    timeout_s: float,
    voice: Voice,
) -> list[ReleasePackage]:
    """Enterprise mode: bundle what apply wrote into release packages; with `wait`, poll them."""
    plan = done.planned.plan
    if plan.release is None:
        if wait:
            voice.warn("--wait has no effect: the workspace is not in enterprise mode (no release packages)")
        return []
    written = [(change.key.kind.value, change.key.name) for change, _ in done.result.applied]
    packages = release.bundle(config, workspace, plan, written, voice.say)
    if wait and packages:
        packages = release.wait(workspace, [package.id for package in packages], timeout_s=timeout_s, say=voice.say)
    done.result.packages = release.documents(packages)
    return packages


@dataclass
class PreviewUp:
    """What `preview up` did: the preview's plan (and which repo object each copy is), what
    became of each change, and the verify runs."""

    preview: preview.Preview
    result: ApplyResult

    @property
    def ok(self) -> bool:
        return self.result.ok


def preview_up(
    config: WorkspaceConfig,
    name: str,
    *,
    changed_since: str | None = None,
    everything: bool = False,
    verify: bool = False,
    lock_timeout: float = DEFAULT_TIMEOUT_S,
    voice: Voice = QUIET,
) -> PreviewUp:
    """Deploy the changes (or `everything`) of workspace `config` as preview `name` into its
    sandbox (ops/preview.py), schedules stopped; with `verify`, run the copies once."""
    preview.check_name(name)
    if bool(changed_since) == everything:
        raise UsageError("preview up needs exactly one of --changed-since REF and --all")
    sandbox = preview.sandbox_of(config)
    reason = verifying.forbidden(sandbox.policies, sandbox.name) if verify else None
    if reason:
        raise JobsyncError(f"preview up --verify refused: {reason}; nothing was deployed")
    with locked_workspace(sandbox, lock_timeout=lock_timeout, command=f"preview up {name}", voice=voice) as workspace:
        voice.say(f"reading {workspace.label}")
        built = preview.make(config, workspace, sandbox, name, changed_since=changed_since, say=voice.say)
        voice.show(plan_to_document(built.plan))
        result = apply_plan(
            built.plan,
            workspace,
            message=f"jobsync preview {name} of {config.name}",
            backup_root=config.repo_root / configuration.BACKUPS_DIR,
            progress=voice.progress,
        )
        written = {change.key for change, _ in result.applied}
        jobs = [key.name for key in written if key.kind is Kind.JOB]
        if jobs:
            workspace.set_scheduling(
                sorted(jobs), False, user=built.plan.settings.user
            )  # previews never run on a schedule
        if verify and result.ok:
            settings = config.verify or VerifySettings()
            params = {
                built.copies[key].name: value
                for key in built.copies
                for value in [settings.params.get(key.name)]
                if value
            }
            keys = sorted(
                (key for key in written if key.kind in (Kind.JOB, Kind.SCRIPT)),
                key=lambda k: (k.kind is Kind.JOB, k.name),
            )
            result.verified = verifying.run_checks(
                workspace.runs(), keys, dataclasses.replace(settings, params=params), voice.say
            )
            result.verify_fails = settings.on_failure == "fail"
        return PreviewUp(built, result)


def preview_down(
    config: WorkspaceConfig, name: str, *, lock_timeout: float = DEFAULT_TIMEOUT_S, voice: Voice = QUIET
) -> dict[ObjectKey, str | None]:
    """Remove exactly the objects of preview `name` from the sandbox: each key -> None when it
    was removed, else why not. Nothing there: an empty result (down is idempotent)."""
    preview.check_name(name)
    sandbox = preview.sandbox_of(config)
    with locked_workspace(sandbox, lock_timeout=lock_timeout, command=f"preview down {name}", voice=voice) as workspace:
        keys = preview.existing(workspace, name).get(name, [])
        if not keys:
            voice.say(f"preview {name}: nothing in {workspace.label}")
            return {}
        return preview.remove(workspace, keys, user=workspace.acting_user() or sandbox.user)


def preview_list(config: WorkspaceConfig) -> tuple[str, dict[str, list[ObjectKey]]]:
    """(the sandbox's label, preview name -> its objects there)."""
    sandbox = preview.sandbox_of(config)
    with contextlib.closing(planning.open_workspace(sandbox)) as workspace:
        return workspace.label, preview.existing(workspace)

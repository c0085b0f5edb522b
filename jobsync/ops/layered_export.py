"""Export into the right layer, for a workspace with a source or with overrides.

A workspace that deploys another's definitions never writes into the source's files:

* an object that comes from the source (or has an override) and differs in the workspace
  becomes, or updates, the workspace's override patch for it: the merge patch from the
  mapped base definition to what the workspace holds (removed when they agree again);
* an object the source does not have goes into the workspace's own folders, as always;
* the environment variables go to the workspace's variables.yaml (export.py).

So the drift PR for prod is a small patch, and the next plan of prod is clean.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from jobsync.core import mergepatch
from jobsync.core.model import ObjectKey
from jobsync.core.normalize import comparable, strip
from jobsync.core.snapshot import Snapshot
from jobsync.errors import ConfigError, Problem
from jobsync.repo import layers
from jobsync.repo.overrides import override_path, render_override


@dataclass
class Layered:
    """Override files to write or remove, and the objects that go to the own folders."""

    wanted: dict[ObjectKey, dict[Path, bytes]] = field(default_factory=dict)
    existing: dict[ObjectKey, list[Path]] = field(default_factory=dict)
    own: set[ObjectKey] = field(default_factory=set)
    untouched: list[str] = field(default_factory=list)  # source objects the workspace lacks
    # Console changes no merge patch can express (a value set to null): reported with what to do;
    # the object's override stays as it is and everything else is exported.
    unexpressed: list[str] = field(default_factory=list)


def needs_layers(config_folder: Path, has_source: bool) -> bool:
    return has_source or (config_folder / "overrides").is_dir()


def layered(
    desired: layers.Desired, snapshot: Snapshot, keys: frozenset[ObjectKey], folder: Path, repo_root: Path
) -> Layered:
    """Where each exported object goes: `own` keys are rendered as files as before."""
    out = Layered()
    on_top = {key for key in desired.base if key not in desired.own} | set(desired.overrides)
    problems: list[Problem] = []
    for key in sorted(keys):
        if key not in on_top:
            out.own.add(key)
            continue
        path = override_path(folder, key)
        out.existing[key] = [path] if path.exists() else []
        remote = snapshot.objects[key].body
        final = desired.specs[key].body
        if mergepatch.same(comparable(key.kind, final), comparable(key.kind, remote)):
            out.wanted[key] = {path: path.read_bytes()} if path.exists() else {}
            continue
        try:
            patch = mergepatch.body_diff(strip(key.kind, desired.base[key].body), strip(key.kind, remote))
        except mergepatch.UnpatchableError as error:
            out.wanted[key] = {path: path.read_bytes()} if path.exists() else {}
            out.unexpressed.append(unexpressed_note(key, str(error), path.relative_to(repo_root).as_posix()))
            continue
        out.wanted[key] = {path: render_override(patch)} if patch else {}
    for key in sorted(on_top - keys):
        if key in desired.base and key not in desired.own:
            out.untouched.append(str(key))
    if problems:
        raise ConfigError(problems)
    return out


def unexpressed_note(key: ObjectKey, why: str, rel: str) -> str:
    """What export says about a console change no merge patch can express, and what to do."""
    return (
        f"{key} not exported: in the workspace {why}, so {rel} is left as it is (everything else is "
        f"exported). To keep the console's value, give the object its own file in this workspace's folder "
        f"instead of the override (a whole definition can say null), or set another value in the console; "
        f"to put git's value back, apply this workspace"
    )

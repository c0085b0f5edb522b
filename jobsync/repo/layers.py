"""A workspace's desired state, layer by layer.

    source's files at source.ref (workspace.yaml `source`, followed through its own source)
  + the workspace's own files (a name in both is an error)
  -> mappings (workspace.yaml)
  -> overrides (overrides/<kind>s/<name>.yaml, merge patches)
  + variables (variables.yaml)

`Desired` keeps the layers apart too, so export can write a change into the layer it belongs
to (an override for a source's object, the workspace's own folder for its own objects).
"""

from __future__ import annotations

import dataclasses
import hashlib
import tempfile
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path

from jobsync.core import cdm, mergepatch
from jobsync.core.model import CDM_KINDS, Kind, ObjectKey, Spec, body_text
from jobsync.core.normalize import strip
from jobsync.core.plan import Source
from jobsync.core.references import CDM_CLUSTERS, CDM_LINKS, rename
from jobsync.core.validate import semantic_problems
from jobsync.errors import ConfigError, Problem
from jobsync.fileio import write_atomic
from jobsync.repo import cdmfiles, limits
from jobsync.repo import source as gitsource
from jobsync.repo.config import (
    CACHE_DIR,
    WORKSPACE_FILE,
    WORKSPACES_DIR,
    SourceSetting,
    WorkspaceConfig,
    parse_settings,
    source_setting,
)
from jobsync.repo.files import body_problems, file_problems, load_objects, to_file_form
from jobsync.repo.overrides import Override, load_overrides, merged_problems
from jobsync.repo.parsecache import CacheStats
from jobsync.repo.variables import load_variables
from jobsync.version import __version__


@dataclass(frozen=True)
class Desired:
    """The desired objects (mapped, overridden, variables included) and the layers they came from."""

    specs: dict[ObjectKey, Spec]
    source: Source | None = None
    base: dict[ObjectKey, Spec] = field(default_factory=dict)  # mapped, before overrides
    own: frozenset[ObjectKey] = frozenset()  # from the workspace's own folders
    overrides: Mapping[ObjectKey, Override] = field(default_factory=dict)
    read: CacheStats = field(default_factory=CacheStats)  # how the workspace's own files were read


def _at_ref(root: Path, commit: str, ref: str, name: str, where: str) -> tuple[dict[ObjectKey, Spec], str]:
    """(objects of workspace `name` at `commit`, its workspace.yaml text)."""
    folder = f"{WORKSPACES_DIR}/{name}"
    files = gitsource.read_folder(root, commit, folder)
    settings = files.get(f"{folder}/{WORKSPACE_FILE}")
    if settings is None:
        raise ConfigError([Problem(where, f"workspace {name!r} does not exist at {ref}", field="source.workspace")])
    with tempfile.TemporaryDirectory(prefix="jobsync-source-") as tmp:
        gitsource.lay_out(files, Path(tmp))
        try:
            specs = load_objects(Path(tmp) / folder, Path(tmp), cache_path=root / CACHE_DIR / f"source-{name}.jsonl")
        except ConfigError as error:
            raise ConfigError(
                [Problem(f"{p.file} @ {ref}", p.message, p.line, p.field) for p in error.problems]
            ) from None
    at = {key: spec.replace(source=f"{spec.source} @ {ref}") for key, spec in specs.items()}
    return at, settings.decode("utf-8", errors="replace")


def _in_tree(root: Path, name: str, where: str) -> tuple[dict[ObjectKey, Spec], str]:
    folder = root / WORKSPACES_DIR / name
    settings = folder / WORKSPACE_FILE
    if not settings.is_file():
        raise ConfigError(
            [
                Problem(
                    where,
                    f"source workspace {name!r} does not exist (no {WORKSPACES_DIR}/{name}/{WORKSPACE_FILE}); "
                    "name an existing workspace",
                    field="source.workspace",
                )
            ]
        )
    return load_objects(folder, root, cache_path=root / CACHE_DIR / f"repo-{name}.jsonl"), limits.decode(
        settings.read_bytes(), settings.relative_to(root).as_posix()
    )


def source_objects(config: WorkspaceConfig) -> tuple[dict[ObjectKey, Spec], Source | None]:
    """The objects `config`'s source chain provides, and where the first link points."""
    setting, where = config.source, config.file.relative_to(config.repo_root).as_posix()
    if setting is None:
        return {}, None
    chain = [config.name]
    commit: str | None = None
    ref: str | None = None
    found: dict[ObjectKey, Spec] = {}
    first: Source | None = None
    while setting is not None:
        if setting.workspace in chain:
            loop = " -> ".join([*chain, setting.workspace])
            raise ConfigError([Problem(where, f"sources form a cycle: {loop}; remove one source", field="source")])
        chain.append(setting.workspace)
        if setting.ref is not None:
            ref = setting.ref
            commit = gitsource.resolve(config.repo_root, ref, where=f"{where}: source.ref")
        if first is None:
            first = Source(workspace=setting.workspace, ref=ref, commit=commit)
        if commit is not None and ref is not None:
            specs, text = _at_ref(config.repo_root, commit, ref, setting.workspace, where)
        else:
            specs, text = _in_tree(config.repo_root, setting.workspace, where)
        for key, spec in specs.items():
            found.setdefault(key, spec)  # the nearer link wins; its own validate reports the clash
        where = f"{WORKSPACES_DIR}/{setting.workspace}/{WORKSPACE_FILE}" + (f" @ {ref}" if ref else "")
        setting = source_setting(parse_settings(text, where))
    return found, first


def _clashes(own: Mapping[ObjectKey, Spec], inherited: Mapping[ObjectKey, Spec], source: Source) -> list[Problem]:
    return [
        Problem(
            spec.source or "",
            f"{key} is also defined by source workspace {source.workspace} ({inherited[key].source}); "
            "a workspace with a source may add objects of its own, not redefine the source's: "
            "remove this file and put the difference in an override",
        )
        for key, spec in sorted(own.items())
        if key in inherited
    ]


def _overridden(
    base: Mapping[ObjectKey, Spec], overrides: Mapping[ObjectKey, Override], problems: list[Problem]
) -> dict[ObjectKey, Spec]:
    result = dict(base)
    for key, override in sorted(overrides.items()):
        spec = base.get(key)
        if spec is None:
            problems.append(
                Problem(
                    override.source,
                    f"an override for {key}, which this workspace does not have (neither its own nor its "
                    "source's); remove the file or fix its name",
                )
            )
            continue
        if key.kind in CDM_KINDS:  # patched in the file form: configs keyed by name (repo/cdmfiles.py)
            kind = cdm.of(key.kind)
            body = cdmfiles.from_file_form(
                kind, mergepatch.apply(cdmfiles.to_file_form(kind, spec.body), override.patch)
            )
            found = body_problems(key.kind, body, override.source)
        else:
            body = mergepatch.patch_body(spec.body, override.patch)
            data, _ = to_file_form(key.kind, strip(key.kind, body))
            found = file_problems(key.kind, data, override.source)  # exactly a file's checks: schema, cron
        if found:
            problems += [
                Problem(p.file, f"the patched {key.kind.value} is invalid: {p.message}", None, p.field) for p in found
            ]
            continue
        merged = merged_problems(override, spec.body, body)
        if merged:
            problems += merged
            continue
        result[key] = Spec(key, body, source=override.source)
    return result


def desired(config: WorkspaceConfig) -> Desired:
    """Every layer of workspace `config`, checked; ConfigError lists every problem."""
    read = CacheStats()
    own = load_objects(config.folder, config.repo_root, cache_path=config.repo_cache, stats=read)
    inherited, source = source_objects(config)
    problems = _clashes(own, inherited, source) if source else []
    specs = {**inherited, **own}
    problems += sound_or_problems(config, specs)
    if problems:
        raise ConfigError(problems)
    mapped = any(config.mappings.values())
    base = {
        key: Spec(key, rename(key.kind, spec.body, config.mappings), source=spec.source) if mapped else spec
        for key, spec in specs.items()
    }
    base = cdm_mapped(base, config.mappings)
    overrides = cdm_mapped_overrides(load_overrides(config.folder, config.repo_root, problems), config.mappings)
    final = _overridden(base, overrides, problems)
    if not problems and overrides:
        problems += semantic_problems({key: final[key] for key in final})
    variables = _variables(config, problems)
    problems += scheduling_problems(config, final)
    if problems:
        raise ConfigError(problems)
    final.update(variables)
    return Desired(specs=final, source=source, base=base, own=frozenset(own), overrides=overrides, read=read)


def cdm_mapped(specs: Mapping[ObjectKey, Spec], mappings: Mapping[str, Mapping[str, str]]) -> dict[ObjectKey, Spec]:
    """CDM objects under the workspace's names: the repo's `cdm/<cluster>/` folder renamed by
    `mappings.cdm_clusters`, link names by `mappings.cdm_links` (core/cdm.py mapped)."""
    clusters, links = mappings.get(CDM_CLUSTERS) or {}, mappings.get(CDM_LINKS) or {}
    if not clusters and not links:
        return dict(specs)
    result = {}
    for key, spec in specs.items():
        if key.kind in CDM_KINDS:
            name, body = cdm.mapped(key.kind, key.name, spec.body, clusters, links)
            key = ObjectKey(key.kind, name)
            spec = Spec(key, body, source=spec.source)
        result[key] = spec
    return result


def cdm_mapped_overrides(
    overrides: Mapping[ObjectKey, Override], mappings: Mapping[str, Mapping[str, str]]
) -> dict[ObjectKey, Override]:
    """Overrides of CDM objects keyed, as the objects are, by the workspace's names."""
    clusters, links = mappings.get(CDM_CLUSTERS) or {}, mappings.get(CDM_LINKS) or {}
    result = {}
    for key, override in overrides.items():
        if key.kind in CDM_KINDS:
            key = ObjectKey(key.kind, cdm.mapped(key.kind, key.name, {}, clusters, links)[0])
        result[key] = override
    return result


def sound_or_problems(config: WorkspaceConfig, specs: Mapping[ObjectKey, Spec]) -> list[Problem]:
    """semantic_problems(specs), skipped when these very jobs passed last time: the checks are
    a pure function of the jobs' names and bodies, so a hash of their texts (the parse cache's,
    core/model.py StoredBody) says the answer is the same. Saves reading every job of a large
    repo on each plan that changed none of them."""
    texts = [
        (key.name, spec.stored if spec.stored is not None else body_text(spec.body))
        for key, spec in sorted(specs.items())
        if key.kind is Kind.JOB
    ]
    hashed = hashlib.blake2b(__version__.encode(), digest_size=16)
    for name, text in texts:
        hashed.update(f"\0{name}\0{text}".encode())
    key = hashed.hexdigest()
    marker = config.repo_root / CACHE_DIR / f"sound-{config.name}.txt"
    try:
        if marker.read_text(encoding="utf-8") == key:
            return []
    except OSError:
        pass  # none yet: check
    problems = semantic_problems(specs)
    if not problems:
        write_atomic(marker, key.encode(), durable=False)  # a cache: losing it costs one check
    return problems


def _variables(config: WorkspaceConfig, problems: list[Problem]) -> dict[ObjectKey, Spec]:
    try:
        return load_variables(config.folder, config.repo_root)
    except ConfigError as error:
        problems.extend(error.problems)
        return {}


def scheduling_problems(config: WorkspaceConfig, specs: Mapping[ObjectKey, Spec]) -> list[Problem]:
    """A job named under `scheduling.jobs` must be one of the workspace's jobs."""
    rel = config.file.relative_to(config.repo_root).as_posix()
    return [
        Problem(
            rel, f"scheduling names job {name!r}, which this workspace does not have", field=f"scheduling.jobs.{name}"
        )
        for name in sorted(config.scheduling.jobs)
        if ObjectKey(Kind.JOB, name) not in specs
    ]


def with_source(config: WorkspaceConfig, setting: SourceSetting | None) -> WorkspaceConfig:
    """`config` with another source (diff looks at prod as if it deployed another ref)."""
    return dataclasses.replace(config, source=setting)

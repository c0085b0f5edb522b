"""CDM (DataArts Migration) links and jobs: their identity, canonical form and secrets.

A CDM link or job lives in one CDM cluster and is named uniquely there (reference §12.6). The
repo keeps it under the cluster's repo name (`cdm/<cluster>/links/<name>.yaml`); workspace.yaml's
`mappings.cdm_clusters` says which real cluster that is in each workspace (resolved by name
through the cluster list, reference §12.2).

Bodies stay opaque and order-preserving, as Factory bodies do (core/model.py). Three forms:

* the API form: one element of the `links` or `jobs` array the service takes and returns
  (reference §12.3, §12.4);
* the stored form (`strip`): the API form without the fields the service owns, the read-only
  metadata of each input (`type`, `size`, `mandatory`, `defaultValue`, `sensitive`) and each
  config's `id`/`type`/`validators`; an empty `inputs` printed as `{}` is spelt `[]`
  (reference §12.10: both are accepted, one is kept). What the repo holds and apply sends;
* the compared form (`comparable`): the stored form with the link's `enabled` default filled
  in and every secret input's value left out, since the service never returns one (reference
  §12.3, §12.10): secrets are not compared.

Secrets: a link's secret inputs (`password`, `securityKey`, `sk`, `keytab`, reference §12.3; jobsync
treats these four as secret on every connector, a superset of the reference's table) hold a
reference `{secret: ENV_NAME}` in the repo, never a value. Apply resolves each from the
environment (`resolve_secrets`) and refuses, naming every missing variable, before any write.
"""

from __future__ import annotations

import copy
import difflib
import enum
import re
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from jobsync.core.model import Kind, canonical_json, fingerprint
from jobsync.errors import MissingSecretError


class CdmKind(str, enum.Enum):
    """The two kinds of CDM object jobsync keeps, in apply order: links before the jobs that
    name them."""

    LINK = "link"
    JOB = "job"

    @property
    def folder(self) -> str:
        return f"{self.value}s"

    @property
    def schema(self) -> str:
        return f"cdm-{self.value}"

    @property
    def values_keys(self) -> tuple[str, ...]:
        """The config-values objects of a body of this kind (reference §12.3, §12.4)."""
        if self is CdmKind.LINK:
            return ("link-config-values",)
        return ("from-config-values", "to-config-values", "driver-config-values")


def of(kind: Kind) -> CdmKind:
    """The CDM kind of a plan kind (Kind.CDM_LINK or Kind.CDM_JOB)."""
    return CdmKind.LINK if kind is Kind.CDM_LINK else CdmKind.JOB


def plan_kind(kind: CdmKind) -> Kind:
    return Kind.CDM_LINK if kind is CdmKind.LINK else Kind.CDM_JOB


def qualified(cluster: str, name: str) -> str:
    """A CDM object's name in a plan: `<cluster>/<name>` (a cluster name holds no `/`)."""
    return f"{cluster}/{name}"


def split(qualified_name: str) -> tuple[str, str]:
    """(cluster, name) of a plan name `<cluster>/<name>`."""
    cluster, _, name = qualified_name.partition("/")
    return cluster, name


@dataclass(frozen=True, order=True)
class CdmKey:
    """A CDM object's identity: the cluster's repo name, the kind, the name in that cluster."""

    cluster: str
    kind: CdmKind
    name: str

    def __str__(self) -> str:
        return f"cdm {self.kind.value} {self.cluster}/{self.name}"


@dataclass(frozen=True)
class CdmSpec:
    """A CDM link or job as the repo holds it: the stored form, secrets as references.
    `source` is the repo file it came from and `lines` the line of each reference in it
    (`from-link-name`, `to-link-name`), for messages only."""

    key: CdmKey
    body: Mapping[str, Any]
    source: str | None = None
    lines: Mapping[str, int] | None = None

    @property
    def fingerprint(self) -> str:
        return fingerprint(comparable(self.key.kind, self.body))


# -- the stored form ------------------------------------------------------------------------

# Fields the service owns (reference §12.3, §12.4: what a read adds).
SERVER_FIELDS: dict[CdmKind, frozenset[str]] = {
    CdmKind.LINK: frozenset({"id", "creation-user", "creation-date", "update-user", "update-date"}),
    CdmKind.JOB: frozenset(
        {
            "id",
            "creation-user",
            "creation-date",
            "update-user",
            "update-date",
            "status",
            "type",
            "group_name",
            "is_incre_job",
            "enabled",
            "external_id",
            "last-update-user",
            "last-udpate-user",
            "rows_read",
            "rows_written",
            "rows_write_skipped",
            "bytes_read",
            "bytes_written",
            "files_read",
            "files_written",
            "files_skipped",
            "file_size",
        }
    ),
}
SERVER_PREFIXES = ("execute_",)  # execute_start_date, execute_update_date, ... (reference §12.4)
INPUT_METADATA = frozenset({"type", "size", "mandatory", "defaultValue", "sensitive"})  # reference §12.3
CONFIG_METADATA = frozenset({"id", "type", "validators"})  # console JSON (reference §12.7)


def _server_owned(kind: CdmKind, key: str) -> bool:
    return key in SERVER_FIELDS[kind] or (kind is CdmKind.JOB and key.startswith(SERVER_PREFIXES))


KEY_ORDER: dict[CdmKind, tuple[str, ...]] = {
    CdmKind.LINK: ("name", "connector-name", "enabled", "link-config-values"),
    CdmKind.JOB: (
        "name",
        "job_type",
        "from-connector-name",
        "from-link-name",
        "to-connector-name",
        "to-link-name",
        "from-config-values",
        "to-config-values",
        "driver-config-values",
    ),
}


def strip(kind: CdmKind, body: Mapping[str, Any]) -> dict[str, Any]:
    """The stored form of an API-form body: a new mapping, the known keys first in a fixed
    order (reference §12.3, §12.4), any other key after them in the order given."""
    order = KEY_ORDER[kind]
    keys = [k for k in order if k in body] + [k for k in body if k not in order]
    stored: dict[str, Any] = {}
    for key in keys:
        if _server_owned(kind, key):
            continue
        value = body[key]
        stored[key] = _strip_values(value) if key in kind.values_keys else copy.deepcopy(value)
    return stored


def _strip_values(values: Any) -> Any:
    if not isinstance(values, Mapping):
        return copy.deepcopy(values)
    result = {key: copy.deepcopy(value) for key, value in values.items()}
    configs = values.get("configs")
    if isinstance(configs, list):
        result["configs"] = [_strip_config(config) for config in configs]
    return result


def _strip_config(config: Any) -> Any:
    if not isinstance(config, Mapping):
        return copy.deepcopy(config)
    result = {key: copy.deepcopy(value) for key, value in _named_first(config) if key not in CONFIG_METADATA}
    inputs = config.get("inputs")
    if isinstance(inputs, Mapping) and not inputs:
        result["inputs"] = []  # `{}` in the page examples, `[]` in AX (reference §12.10)
    elif isinstance(inputs, list):
        result["inputs"] = [_strip_input(item) for item in inputs]
    return result


def _strip_input(item: Any) -> Any:
    if not isinstance(item, Mapping):
        return copy.deepcopy(item)
    return {key: copy.deepcopy(value) for key, value in _named_first(item, "value") if key not in INPUT_METADATA}


def _named_first(item: Mapping[str, Any], second: str = "inputs") -> list[tuple[str, Any]]:
    """A config's or input's keys with `name` (and `inputs` or `value`) first: one spelling."""
    first = [(key, item[key]) for key in ("name", second) if key in item]
    return first + [(key, value) for key, value in item.items() if key not in ("name", second)]


# -- inputs and secrets -----------------------------------------------------------------------

SECRET_PARAMS = frozenset({"password", "securityKey", "sk", "keytab"})  # reference §12.3
PLACEHOLDER = "Add password here"  # what console exports and one page print instead (reference §12.7, §12.10)
SECRET_KEY = "secret"
ENV_NAME = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")


def is_secret_input(name: str) -> bool:
    """Whether an input (`linkConfig.password`) holds a secret: by its parameter name."""
    return name.rpartition(".")[2] in SECRET_PARAMS


def secret_reference(value: Any) -> str | None:
    """The variable a `{secret: NAME}` value names, or None for any other value."""
    if isinstance(value, Mapping) and set(value) == {SECRET_KEY} and isinstance(value[SECRET_KEY], str):
        return str(value[SECRET_KEY])
    return None


def inputs(body: Mapping[str, Any], kind: CdmKind) -> Iterator[dict[str, Any]]:
    """Every input dict of every config of a body (the stored or API form), in order."""
    for values_key in kind.values_keys:
        values = body.get(values_key)
        configs = values.get("configs") if isinstance(values, Mapping) else None
        for config in configs if isinstance(configs, list) else ():
            items = config.get("inputs") if isinstance(config, Mapping) else None
            for item in items if isinstance(items, list) else ():
                if isinstance(item, dict) and isinstance(item.get("name"), str):
                    yield item


def env_name(cluster: str, link: str, input_name: str) -> str:
    """The variable export proposes for a secret it cannot read: CDM_<CLUSTER>_<LINK>_<PARAM>,
    upper case, anything not a letter or digit as `_` (a name with none left uses a digest)."""
    parts = []
    for part in (cluster, link, input_name.rpartition(".")[2]):
        cleaned = re.sub(r"[^A-Za-z0-9]+", "_", part).strip("_").upper()
        parts.append(cleaned or fingerprint(part)[:8].upper())
    return "_".join(["CDM", *parts])


def with_secret_references(
    key: CdmKey, body: Mapping[str, Any], known: Mapping[str, str] | None = None
) -> tuple[dict[str, Any], list[str]]:
    """A link's stored form with every secret input's value replaced by a reference: the one
    in `known` (input name -> variable, from the file already in the repo), else `env_name`.
    Whatever the service returned (nothing, a placeholder, or a value) is never kept. Also the
    variables named, in order."""
    stored = copy.deepcopy(dict(body))
    named: list[str] = []
    if key.kind is not CdmKind.LINK:
        return stored, named
    for item in inputs(stored, key.kind):
        if is_secret_input(item["name"]):
            variable = (known or {}).get(item["name"]) or env_name(key.cluster, key.name, item["name"])
            item["value"] = {SECRET_KEY: variable}
            named.append(variable)
    return stored, named


def secret_variables(body: Mapping[str, Any], kind: CdmKind) -> dict[str, str]:
    """input name -> the variable its `{secret: NAME}` value names."""
    found = {}
    for item in inputs(body, kind):
        variable = secret_reference(item.get("value"))
        if variable is not None:
            found[item["name"]] = variable
    return found


def resolve_secrets(specs: Sequence[CdmSpec], environ: Mapping[str, str]) -> dict[CdmKey, dict[str, Any]]:
    """The bodies to send, each secret reference replaced by its variable's value.

    All or nothing: MissingSecretError names every variable that is not set (nothing is
    resolved), so apply can refuse before any write."""
    missing: list[tuple[CdmKey, str, str]] = []
    resolved: dict[CdmKey, dict[str, Any]] = {}
    for spec in specs:
        body = copy.deepcopy(dict(spec.body))
        for item in inputs(body, spec.key.kind):
            variable = secret_reference(item.get("value"))
            if variable is None:
                continue
            if variable in environ:
                item["value"] = environ[variable]
            else:
                missing.append((spec.key, item["name"], variable))
        resolved[spec.key] = body
    if missing:
        raise MissingSecretError([(str(key), name, variable) for key, name, variable in missing])
    return resolved


def plain_secrets(body: Mapping[str, Any], kind: CdmKind) -> list[str]:
    """Secret inputs that hold something other than a reference (a value or a placeholder):
    what validate refuses, since the repo must never hold a secret."""
    return [
        item["name"]
        for item in inputs(body, kind)
        if is_secret_input(item["name"]) and "value" in item and secret_reference(item["value"]) is None
    ]


# -- the compared form ------------------------------------------------------------------------


def comparable(kind: CdmKind, body: Mapping[str, Any]) -> dict[str, Any]:
    """The stored form with the link's `enabled` default filled in (reference §12.3) and every
    secret input's value left out: the service never returns one (reference §12.3)."""
    compared = strip(kind, body)
    if kind is CdmKind.LINK:
        compared.setdefault("enabled", True)
    for item in inputs(compared, kind):
        if is_secret_input(item["name"]) or secret_reference(item.get("value")) is not None:
            item.pop("value", None)
    return compared


def same(kind: CdmKind, a: Mapping[str, Any], b: Mapping[str, Any]) -> bool:
    """Type-exact equality of two bodies' compared forms (1, 1.0 and true differ)."""
    return canonical_json(comparable(kind, a)) == canonical_json(comparable(kind, b))


# -- clusters ---------------------------------------------------------------------------------

RUNNING = "200"
CLUSTER_STATUS = {
    "100": "creating",
    "200": "normal",
    "300": "failed",
    "303": "creation failed",
    "500": "restarting",
    "800": "frozen",
    "900": "stopped",
    "910": "stopping",
    "920": "starting",
}  # reference §12.2


@dataclass(frozen=True)
class Cluster:
    """One CDM cluster as the cluster list gives it (reference §12.2)."""

    id: str
    name: str
    status: str
    frozen: bool = False

    @property
    def running(self) -> bool:
        return self.status == RUNNING and not self.frozen

    @classmethod
    def from_api(cls, item: Mapping[str, Any]) -> Cluster:
        return cls(
            id=str(item.get("id", "")),
            name=str(item.get("name", "")),
            status=str(item.get("status", "")),
            frozen=str(item.get("isFrozen", "0")) == "1",
        )


@dataclass(frozen=True)
class ClusterVerdict:
    """A repo cluster name resolved in one workspace: the cluster, or why it cannot be used."""

    repo_name: str
    cluster: Cluster | None
    reason: str | None = None


def closest(name: str, names: Sequence[str], count: int = 3) -> list[str]:
    return difflib.get_close_matches(name, list(names), n=count, cutoff=0.5)


def did_you_mean(name: str, names: Sequence[str]) -> str:
    near = closest(name, names)
    if near:
        return "did you mean " + " or ".join(repr(n) for n in near) + "?"
    if names:
        return "existing: " + ", ".join(repr(n) for n in sorted(names)[:5])
    return "there is none"


def resolve_cluster(repo_name: str, mapping: Mapping[str, str], clusters: Sequence[Cluster]) -> ClusterVerdict:
    """The cluster `repo_name` means in a workspace (`mappings.cdm_clusters`, else the same
    name), matched by name in the cluster list as the reference advises (§12.2); a missing, ambiguous
    or not running cluster gives a reason that says what to do."""
    real = mapping.get(repo_name, repo_name)
    via = f" (mapped from {repo_name!r} by mappings.cdm_clusters)" if real != repo_name else ""
    found = [c for c in clusters if c.name == real]
    if not found:
        hint = did_you_mean(real, [c.name for c in clusters])
        return ClusterVerdict(
            repo_name,
            None,
            f"CDM cluster {real!r}{via} is not in the workspace's cluster list; {hint} "
            "Create it, or map the repo name to a real cluster in mappings.cdm_clusters of workspace.yaml",
        )
    if len(found) > 1:
        ids = ", ".join(c.id for c in found)
        return ClusterVerdict(
            repo_name, None, f"CDM cluster name {real!r}{via} is used by {len(found)} clusters ({ids}); rename one"
        )
    cluster = found[0]
    if not cluster.running:
        state = "frozen" if cluster.frozen else CLUSTER_STATUS.get(cluster.status, "unknown")
        return ClusterVerdict(
            repo_name,
            cluster,
            f"CDM cluster {real!r}{via} is not running (status {cluster.status}: {state}); start it in the "
            "CDM console, or map another cluster in mappings.cdm_clusters of workspace.yaml",
        )
    return ClusterVerdict(repo_name, cluster)


# -- names in another workspace ---------------------------------------------------------------

LINK_FIELDS = ("from-link-name", "to-link-name")


def mapped(
    kind: Kind, name: str, body: Mapping[str, Any], clusters: Mapping[str, str], links: Mapping[str, str]
) -> tuple[str, dict[str, Any]]:
    """A CDM object's plan name and body in a workspace: its cluster renamed by
    `mappings.cdm_clusters`, a link's name and a job's link names by `mappings.cdm_links`
    (the repo's names -> the workspace's)."""
    cluster, own = split(name)
    result = dict(body)
    if kind is Kind.CDM_LINK:
        own = links.get(own, own)
        if "name" in result:
            result["name"] = own
    else:
        for field in LINK_FIELDS:
            value = result.get(field)
            if isinstance(value, str) and value in links:
                result[field] = links[value]
    return qualified(clusters.get(cluster, cluster), own), result


def inverted(pairs: Mapping[str, str]) -> dict[str, str]:
    """Workspace names back to repo names (many-to-one keeps the first)."""
    back: dict[str, str] = {}
    for repo_name, workspace_name in pairs.items():
        back.setdefault(workspace_name, repo_name)
    return back

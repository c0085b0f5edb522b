"""ops asks a workspace what it can do (backends/base.py Workspace) instead of probing it: no
getattr or hasattr on a workspace, and enterprise mode follows what the backend declares."""

from __future__ import annotations

import ast
from dataclasses import dataclass
from pathlib import Path

import pytest
from support import environment

import jobsync
from jobsync.errors import ConfigError, JobsyncError
from jobsync.ops import release

OPS = Path(jobsync.__file__).parent / "ops"


def probes(path: Path) -> list[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    return [
        f"{path.name}:{node.lineno} {node.func.id}"
        for node in ast.walk(tree)
        if isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and node.func.id in {"getattr", "hasattr"}
    ]


def test_ops_probes_no_attribute():
    assert [probe for path in sorted(OPS.glob("*.py")) for probe in probes(path)] == []


def test_the_probe_finder_finds_a_probe(tmp_path):
    module = tmp_path / "probing.py"
    module.write_text("def mode(ws):\n    return getattr(ws, 'mode', None) or hasattr(ws, 'releases')\n")
    assert probes(module) == ["probing.py:2 getattr", "probing.py:2 hasattr"]


@dataclass
class Declared:
    """A workspace that declares enterprise mode or not, and nothing else."""

    environments: object | None
    label: str = "declared"

    def enterprise(self) -> object | None:
        return self.environments


@pytest.mark.parametrize(
    ("release_set", "environments", "expected"),
    [
        (False, None, None),
        (True, "the release interface", "the release interface"),
        (False, "the release interface", ConfigError),
        (True, None, ConfigError),
    ],
)
def test_enterprise_mode_follows_the_declaration(local, release_set, environments, expected):
    local.seed(environment())
    if release_set:
        text = (local.folder / "workspace.yaml").read_text()
        (local.folder / "workspace.yaml").write_text(text + "release:\n  approvers: [部署员]\n")
    config = jobsync.load_workspace(local.root, "dev")
    workspace = Declared(environments)
    if expected is ConfigError:
        with pytest.raises(ConfigError):
            release.enterprise_mode(config, workspace)  # type: ignore[arg-type]
    else:
        assert release.enterprise_mode(config, workspace) == expected  # type: ignore[arg-type]


def test_release_packages_need_a_declared_enterprise_workspace():
    with pytest.raises(JobsyncError, match="no release packages"):
        release.enterprise(Declared(None))  # type: ignore[arg-type]

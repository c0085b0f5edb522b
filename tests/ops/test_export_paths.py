"""Export refuses what cannot be a path in the repo through core/paths.py, the one place for
path checks, naming every such object before any file is written."""

from __future__ import annotations

import pytest

import jobsync
from jobsync.core.model import Kind, ObjectKey
from jobsync.errors import ConfigError
from jobsync.ops.export import refuse_unwritable


@pytest.mark.parametrize(
    ("name", "directory", "words"),
    [
        ("日报", "/../外面", "the directory part '..'"),
        ("日报", "/a\\b", "the directory part 'a\\\\b' contains the character '\\\\'"),
        ("a:b", "/", "the name contains the character ':'"),
        ("..", "/", "the name '..' cannot be a file name"),
    ],
)
def test_a_name_or_directory_that_cannot_be_a_path_is_refused(local, name, directory, words):
    config = jobsync.load_workspace(local.root, "dev")
    key = ObjectKey(Kind.JOB, name)
    yaml_file = config.folder / "jobs" / "x.yaml"
    rendered = {key: ({yaml_file: b"name: x\n"}, {"name": name, "directory": directory})}

    with pytest.raises(ConfigError) as refused:
        refuse_unwritable(config, rendered)

    (problem,) = refused.value.problems
    assert problem.file == str(key)
    assert words in problem.message and "rename or move it in the workspace" in problem.message
    assert not yaml_file.exists()

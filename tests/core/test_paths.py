"""core/paths.py: which object names and directories can be files and folders in the repo, and
whether a path, symlinks resolved, stays inside a root."""

from __future__ import annotations

import os

import pytest

from jobsync.core.paths import ALLOWED_PATHS_ENV, allowed_roots, directory_problem, inside, inside_any, name_problem

NAMES = [
    ("日报_销售", None),
    ("etl.daily-v2", None),
    ("x" * 250, None),
    ("", "the name '' cannot be a file name"),
    (".", "the name '.' cannot be a file name"),
    ("..", "the name '..' cannot be a file name"),
    ("a/b", "the name contains '/', which would make it a path"),
    ("a\\b", "the name contains the character '\\\\'"),
    ("a:b", "the name contains the character ':'"),
    ("a\0b", "the name contains a NUL character"),
    ("a\tb", "the name contains the control character U+0009"),
    (" etl", "the name starts or ends with a space"),
    ("x" * 251, "the name is 251 bytes in UTF-8; a file name may have at most 250"),
    ("日" * 84, "the name is 252 bytes in UTF-8"),
]

DIRECTORIES = [
    ("/", None),
    ("/财务/日报/", None),
    ("/a//b/", None),
    ("/a/../b", "the directory part '..' '..' cannot be a file name"),
    ("/a/b:c", "the directory part 'b:c' contains the character ':'"),
    ("/" + "d" * 256, "is longer than 255 bytes"),
]


@pytest.mark.parametrize(("name", "problem"), NAMES, ids=[repr(n[:12]) for n, _ in NAMES])
def test_an_object_name_is_a_file_name_or_says_why_not(name, problem):
    found = name_problem(name)
    assert (found is None) == (problem is None), found
    if problem:
        assert problem in found


@pytest.mark.parametrize(("directory", "problem"), DIRECTORIES, ids=[d[:16] for d, _ in DIRECTORIES])
def test_a_directory_is_a_folder_path_or_says_why_not(directory, problem):
    found = directory_problem(directory)
    assert (found is None) == (problem is None), found
    if problem:
        assert problem in found


def test_inside_resolves_symlinks(tmp_path):
    root = tmp_path / "仓库"
    (root / "jobs").mkdir(parents=True)
    outside = tmp_path / "elsewhere"
    outside.mkdir()
    (root / "link").symlink_to(outside, target_is_directory=True)

    cases = [
        (root / "jobs" / "a.yaml", True),
        (root, True),
        (root / "jobs" / ".." / ".." / "elsewhere", False),
        (root / "link" / "a.yaml", False),
        (root / "not-yet" / "a.yaml", True),
    ]
    assert [(path, inside(path, root)) for path, _ in cases] == cases
    assert inside_any(root / "link" / "a.yaml", [root, outside])


def test_allowed_roots_come_from_the_environment_only(tmp_path):
    first, second = tmp_path / "a", tmp_path / "b"
    environ = {ALLOWED_PATHS_ENV: os.pathsep.join([str(first), " ", str(second)])}
    assert allowed_roots(environ) == [first.resolve(), second.resolve()]
    assert allowed_roots({}) == []

"""Tests read nothing outside the repository: no absolute paths, no ../shared, every data folder
the support package names lies inside the repo. (A test that reads a path outside the
repository cannot run on anyone else's machine, or on a GitHub runner.)"""

from __future__ import annotations

import re
from pathlib import Path

from support import CONSOLE, EXAMPLES

TESTS = Path(__file__).resolve().parent
ROOT = TESTS.parent
OUTSIDE = re.compile(r"""["'](/work/|/home/|/Users/|\.\./shared|[^"']*shared/reference)""")


def test_no_test_names_a_path_outside_the_repository():
    found = [
        f"{path.relative_to(ROOT)}:{number}: {line.strip()}"
        for path in sorted(TESTS.rglob("*.py"))
        if path.name != Path(__file__).name
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1)
        if OUTSIDE.search(line)
    ]
    assert found == []


def test_the_data_folders_are_inside_the_repository_and_hold_the_examples():
    for folder in (EXAMPLES, CONSOLE):
        assert folder.resolve().is_relative_to(ROOT)
        assert sorted(folder.glob("*.json")), folder
    assert (EXAMPLES / "job-create-hivesql-batch.request.json").is_file()


def test_the_pattern_catches_what_it_is_for():
    assert OUTSIDE.search('Path("/work/shared/reference/examples")')
    assert OUTSIDE.search("Path('../shared/reference')")
    assert not OUTSIDE.search('Path(__file__).parent / "data"')

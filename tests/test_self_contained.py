"""Tests read nothing outside the repository: no absolute paths, no ../shared, every data folder
the support package names lies inside the repo, and the contract suite passes from a copy of the
repository's files in a temp folder. (A test that reads a path outside the
repository cannot run on anyone else's machine, or on a GitHub runner.)"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

from support import CONSOLE, EXAMPLES, git

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


# The contract suite: the module that read the official examples from ../shared before they moved into tests/data.
REPRESENTATIVE = "tests/backends/test_workspace_contract.py"
WHERE = """
from pathlib import Path

import jobsync
import support

COPY = Path(__file__).resolve().parents[1]


def test_the_copy_runs_its_own_code_and_data():
    for path in (jobsync.__file__, support.__file__, support.EXAMPLES, support.CONSOLE):
        assert Path(path).resolve().is_relative_to(COPY), path
"""


def test_a_test_module_passes_from_a_copy_of_the_repository_elsewhere(tmp_path):
    """The repository's files, and only those, copied where no ../shared exists; HOME empty."""
    copy = tmp_path / "elsewhere" / "jobsync"
    listed = git(ROOT, "ls-files", "-z", "--cached", "--others", "--exclude-standard").split("\0")
    for name in filter(None, listed):
        if (ROOT / name).is_file():  # a file deleted in the working tree is still --cached
            (copy / name).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(ROOT / name, copy / name)
    (copy / "tests" / "test_where.py").write_text(WHERE)
    assert not (copy.parent / "shared").exists() and not (copy / ".git").exists()
    home = tmp_path / "home"
    home.mkdir()
    env = {k: v for k, v in os.environ.items() if not k.startswith("PYTEST_")} | {"HOME": str(home)}
    pytest = [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", "-p", "no:xdist"]
    run = subprocess.run(
        [*pytest, f"--basetemp={tmp_path / 'basetemp'}", REPRESENTATIVE, "tests/test_where.py"],
        cwd=copy,
        env=env,
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert run.returncode == 0, run.stdout[-3000:] + run.stderr[-3000:]
    assert re.search(r"\b(\d+) passed\b", run.stdout) and " failed" not in run.stdout, run.stdout[-500:]

"""The command line reads plainly: metavars, choice errors, examples, exit codes as the README
says, init's first commit and ignore lines, clean emulator errors."""

from __future__ import annotations

import json
import socket
import subprocess

import pytest
from support import git

from jobsync.cli.app import main

COMMANDS = [
    ["init"],
    ["validate"],
    ["export"],
    ["plan"],
    ["apply"],
    ["force-unlock"],
    ["diff"],
    ["promote"],
    ["emulator", "serve"],
    ["archive", "import"],
    ["archive", "export"],
    ["github", "workspaces"],
    ["github", "changed-workspaces"],
    ["github", "comment"],
    ["github", "drift-pr"],
]


def run(capsys, *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


@pytest.mark.parametrize("command", COMMANDS, ids=" ".join)
def test_help_shows_plain_metavars_and_an_example(capsys, monkeypatch, command):
    monkeypatch.setenv("COLUMNS", "200")

    code, out, _ = run(capsys, *command, "--help")

    assert code == 0
    for python_type in ("<bool>", "<str>", "<list[", "<path>", "<int>", "<float>"):
        assert python_type not in out
    assert "Example: jobsync " in out


def test_a_bad_choice_is_a_usage_error_in_plain_words(capsys):
    code, _, err = run(capsys, "plan", "--format", "html")

    assert code == 2
    assert "'html' is not one of text, markdown, json" in err
    assert "Value error" not in err
    assert "jobsync plan --help" in err


def test_a_missing_workspace_and_a_bad_max_size_are_usage_errors(capsys, local):
    local.configure()
    (local.root / "workspaces" / "prod").mkdir()
    (local.root / "workspaces" / "prod" / "workspace.yaml").write_text((local.folder / "workspace.yaml").read_text())

    missing = run(capsys, "plan", "--repo", str(local.root))
    size = run(capsys, "archive", "export", "-w", "dev", "--max-size", "lots", "--repo", str(local.root))

    assert missing[0] == 2 and "name a workspace with -w" in missing[2]
    assert size[0] == 2 and "--max-size" in size[2]


def test_init_makes_the_first_commit_and_writes_its_ignore_lines_once(capsys, tmp_path):
    repo = tmp_path / "repo"
    repo.mkdir()
    (repo / ".gitignore").write_text("poetry.lock.bak\n")

    first = run(capsys, "init", str(repo))
    second = run(capsys, "init", str(repo))

    assert first[0] == 0 and second[0] == 0
    assert git(repo, "log", "--format=%s").strip() == "jobsync init: workspaces dev and prod, schemas, .gitignore"
    assert git(repo, "status", "--porcelain") == ""
    lines = (repo / ".gitignore").read_text().splitlines()
    assert lines == [
        "poetry.lock.bak",
        "# jobsync working files",
        ".jobsync/state/",
        ".jobsync/cache/",
        ".jobsync/backups/",
    ]
    assert subprocess.run(["git", "check-ignore", "-q", "poetry.lock"], cwd=repo).returncode == 1  # not ignored


def test_init_onto_a_file_is_a_clear_error(capsys, tmp_path):
    target = tmp_path / "file"
    target.write_text("x")

    code, _, err = run(capsys, "init", str(target))

    assert code == 1
    assert "is a file" in err


def test_emulator_serve_errors_are_clean(capsys, tmp_path):
    state = tmp_path / "state.json"
    state.write_text(json.dumps({"workspaces": {"w": {"admins": 5}}}))
    busy = socket.socket()
    busy.bind(("127.0.0.1", 0))
    busy.listen()
    try:
        port = run(capsys, "emulator", "serve", "--port", "99999")
        shape = run(capsys, "emulator", "serve", "--state", str(state))
        in_use = run(capsys, "emulator", "serve", "--port", str(busy.getsockname()[1]))
    finally:
        busy.close()

    assert port[0] == 2 and "--port" in port[2]
    assert shape[0] == 2 and "workspaces.w.admins" in shape[2]
    assert in_use[0] == 1 and "cannot listen on 127.0.0.1" in in_use[2]
    assert all("Traceback" not in err for _, _, err in (port, shape, in_use))

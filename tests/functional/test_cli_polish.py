"""The command line reads plainly: metavars, choice errors, examples, exit codes as the README
says, init's first commit and ignore lines, clean emulator errors."""

from __future__ import annotations

import json
import re
import socket
import subprocess

import pytest
from support import git

from jobsync.cli.app import main


def leaf_commands() -> list[list[str]]:
    """Every command a user can run, found by walking the app (a new command is included)."""
    import typer

    from jobsync.cli.app import app

    found: list[list[str]] = []

    def walk(command, path):
        children = getattr(command, "commands", None)
        if children:
            for name, child in sorted(children.items()):
                walk(child, [*path, name])
        elif path:
            found.append(path)

    walk(typer.main.get_command(app), [])
    return found


COMMANDS = leaf_commands()


def run(capsys, *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def test_the_walk_finds_every_command_the_readme_names():
    names = {" ".join(command) for command in COMMANDS}
    assert {"init", "fmt", "history", "release status", "github reviewed-plan", "archive import"} <= names


@pytest.mark.parametrize("command", COMMANDS, ids=" ".join)
def test_help_shows_plain_metavars_and_ends_with_an_example(capsys, monkeypatch, command):
    monkeypatch.setenv("COLUMNS", "200")

    code, out, _ = run(capsys, *command, "--help")

    assert code == 0
    for python_type in ("<bool>", "<str>", "<list[", "<path>", "<int>", "<float>"):
        assert python_type not in out
    assert not re.search(r"\{[\w|.-]+\}", out), "no {...} metavars"
    (usage,) = (line.strip() for line in out.splitlines() if "Usage:" in line)
    arguments = usage.split("[OPTIONS]", 1)[1].replace("[", " ").replace("]", " ").replace("...", " ").split()
    assert all(word.isupper() for word in arguments), usage  # JOB, FILE..., [PLANFILE]
    last = [line.strip() for line in out.splitlines() if line.strip()][-1]
    assert last.startswith(f"Example: jobsync {command[0]}"), last


def test_workspace_help_says_how_the_default_is_chosen(capsys, monkeypatch):
    monkeypatch.setenv("COLUMNS", "300")

    _, out, _ = run(capsys, "plan", "--help")

    assert "Needed when there are several (`jobsync init` makes dev and prod); with only one, that one." in out
    assert "(default: the only one)" not in out


def test_usage_lines_name_their_arguments_in_plain_capitals(capsys, monkeypatch):
    monkeypatch.setenv("COLUMNS", "200")
    usages = {}
    for command in (["history"], ["archive", "import"], ["apply"], ["init"], ["diff"]):
        _, out, _ = run(capsys, *command, "--help")
        usages[" ".join(command)] = next(line.strip() for line in out.splitlines() if "Usage:" in line)

    assert usages == {
        "history": "Usage: jobsync history [OPTIONS] JOB",
        "archive import": "Usage: jobsync archive import [OPTIONS] FILE...",
        "apply": "Usage: jobsync apply [OPTIONS] [PLANFILE]",
        "init": "Usage: jobsync init [OPTIONS] [PATH]",
        "diff": "Usage: jobsync diff [OPTIONS] A B",
    }


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


def test_the_readme_command_table_lists_every_command():
    from pathlib import Path

    readme = (Path(__file__).resolve().parents[2] / "README.md").read_text(encoding="utf-8")
    table = readme.split("## Commands", 1)[1].split("\n\n", 2)[1]
    rows = [line for line in table.splitlines() if line.startswith("| `jobsync ")]
    listed = {row.split("`")[1] for row in rows}
    for command in COMMANDS:
        name = "jobsync " + " ".join(command)
        assert any(entry == name or entry.startswith(name + " ") for entry in listed), name


def test_emulator_serve_says_what_it_loaded_from_an_existing_state_file(tmp_path):
    import os
    import sys
    from pathlib import Path

    from support import job_body, remote_job

    from jobsync.emulator.state import default_state

    data = default_state()
    (workspace_id,) = data["workspaces"]
    data["workspaces"][workspace_id]["jobs"] = [remote_job(job_body("日报")), remote_job(job_body("周报"))]
    data["workspaces"][workspace_id]["scripts"] = [{"definition": {"name": "s", "type": "DLISQL", "content": "x"}}]
    state = tmp_path / "emulator.json"
    state.write_text(json.dumps(data), encoding="utf-8")
    root = Path(__file__).resolve().parents[2]
    env = {**os.environ, "PYTHONPATH": os.pathsep.join(filter(None, [str(root), os.environ.get("PYTHONPATH")]))}
    command = [sys.executable, "-m", "jobsync", "emulator", "serve", "--port", "0", "--state", str(state)]
    server = subprocess.Popen(command, stderr=subprocess.PIPE, stdout=subprocess.DEVNULL, text=True, env=env)
    try:
        lines = []
        assert server.stderr is not None
        for _ in range(40):  # the start-up lines come at once; the state line is the last
            line = server.stderr.readline()
            lines.append(line)
            if line.startswith("  state:") or not line:
                break
    finally:
        server.terminate()
        server.wait(timeout=30)

    assert lines[-1] == (
        f"  state: loaded from {state}, saved there after each change: {workspace_id}: 2 jobs, 1 script, 0 resources\n"
    ), lines

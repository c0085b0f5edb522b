"""Fuzzing jobsync's inputs: hostile job, script, workspace.yaml, state and plan files, run
through validate, plan and apply in-process on a real git repo and the local backend.

Used by tests/property/test_fuzz.py (bounded, derandomized, in CI) and benchmarks/fuzz.py
(longer, prints inputs tried, outcomes by class and peak memory). One `Sandbox` is made per
run; each example rewrites one file, runs the commands and checks:

* no exit 3 (an internal error) for any command;
* when validate refuses the repo (exit 1 or 2), apply refuses too and the workspace document
  is byte for byte what it was: nothing changed after an error.
"""

from __future__ import annotations

import contextlib
import io
import json
import os
import subprocess
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml
from hypothesis import strategies as st

from jobsync.cli.app import main

KINDS = ("job", "script", "workspace", "state", "plan")

GOOD_JOB = {
    "name": "etl",
    "processType": "BATCH",
    "schedule": {"type": "EXECUTE_ONCE"},
    "nodes": [{"name": "n", "type": "DLISQL", "properties": [{"name": "scriptName", "value": "load"}]}],
}
GOOD_SCRIPT = {"name": "load", "type": "DLISQL", "queueName": "default"}
GOOD_WORKSPACE = {
    "backend": {"type": "local", "path": ".jobsync/state/dev.json"},
    "user": "jobsync",
    "policies": {"duplicate_name": "overwrite", "lock": "soft", "running_jobs": "fail", "prune": True},
}
GOOD_STATE = {
    "lock_policy": "soft",
    "admins": ["admin"],
    "dliQueues": ["default"],
    "jobs": [{"definition": {**GOOD_JOB, "description": "old"}, "status": "STOPPED", "versions": []}],
    "scripts": [],
    "resources": [],
}

HOSTILE_YAML = [
    "a: &a [x, x, x, x, x, x, x, x, x]\nb: &b [*a, *a, *a, *a, *a, *a, *a, *a, *a]\n"
    "c: &c [*b, *b, *b, *b, *b, *b, *b, *b, *b]\nd: &d [*c, *c, *c, *c, *c, *c, *c, *c, *c]\n"
    "e: &e [*d, *d, *d, *d, *d, *d, *d, *d, *d]\nf: &f [*e, *e, *e, *e, *e, *e, *e, *e, *e]\n"
    "g: &g [*f, *f, *f, *f, *f, *f, *f, *f, *f]\nh: &h [*g, *g, *g, *g, *g, *g, *g, *g, *g]\n",
    "name: etl\ndescription: 2024-01-01\n",
    "name: etl\ncreated: 2024-01-01T10:00:00Z\n",
    "name: etl\nblob: !!binary aGVsbG8=\n",
    "name: etl\nthings: !!set {a, b}\n",
    "name: &n [*n]\n",
    "name: etl\nnodes: " + "[" * 300 + "]" * 300 + "\n",
    "name: etl\n? [a, b]\n: complex key\n",
    "name: !!python/object:os.system echo\n",
    "name: etl\nnodes: .nan\n",
    "--- a\n--- b\n",
    "\ufeffname: etl\n",
    "name: etl\n\tbad: tab\n",
]

json_scalars = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(min_value=-(2**70), max_value=2**70),
    st.floats(allow_nan=True, allow_infinity=True),
    st.text(max_size=40),
)
json_values = st.recursive(
    json_scalars,
    lambda children: st.one_of(
        st.lists(children, max_size=4), st.dictionaries(st.text(max_size=12), children, max_size=4)
    ),
    max_leaves=20,
)
names = st.one_of(
    st.sampled_from(["etl", "../../escape", "/abs", "a\0b", "数据" * 45, "", ".", "x" * 300, "Jobs", "a:b"]),
    st.text(max_size=30),
)


def _mutated(base: dict[str, Any]) -> st.SearchStrategy[dict[str, Any]]:
    """`base` with some keys replaced by arbitrary JSON values (and some names hostile)."""
    keys = sorted(base)
    return st.builds(
        lambda changes, name: {**base, **changes, **({"name": name} if name is not None else {})},
        st.dictionaries(st.sampled_from([*keys, "directory", "params", "extra"]), json_values, max_size=3),
        st.one_of(st.none(), names),
    )


def _yaml_text(value: Any) -> str:
    return yaml.safe_dump(value, allow_unicode=True, sort_keys=False)


yaml_payloads = st.one_of(
    st.sampled_from(HOSTILE_YAML).map(str.encode),
    st.text(max_size=200).map(str.encode),
    st.binary(max_size=200),
    st.text(max_size=80).map(lambda text: text.encode("gbk", errors="ignore")),
)


@st.composite
def cases(draw: Callable[..., Any], kind: str | None = None) -> tuple[str, bytes]:
    """(what is fuzzed, the bytes of the file)."""
    chosen = kind or draw(st.sampled_from(KINDS))
    if chosen == "job":
        raw = draw(st.one_of(_mutated(GOOD_JOB).map(_yaml_text).map(str.encode), yaml_payloads))
    elif chosen == "script":
        raw = draw(
            st.one_of(
                st.binary(max_size=200),
                st.text(max_size=200).map(lambda text: text.encode("gbk", errors="ignore")),
                st.text(max_size=200).map(str.encode),
            )
        )
    elif chosen == "workspace":
        raw = draw(st.one_of(_mutated(GOOD_WORKSPACE).map(_yaml_text).map(str.encode), yaml_payloads))
    elif chosen == "state":
        document = draw(_mutated(GOOD_STATE))
        raw = draw(
            st.one_of(
                st.just(json.dumps(document, allow_nan=True).encode()),
                st.binary(max_size=200),
                st.sampled_from(
                    [b'{"jobs": [{}]}', b'{"admins": 5}', b'{"tags": 5}', b'{"jobs": [{"versions": [{}]}]}']
                ),
            )
        )
    else:
        raw = draw(
            st.one_of(
                st.sampled_from(
                    [
                        b'{"format_version": "1.0", "workspace": "dev", "summary": {}, "changes": [1]}',
                        b'{"format_version": "1.0", "workspace": "dev", "summary": {}, "changes": [{}]}',
                        b'{"format_version": "1.0", "workspace": "dev", "selection": ["x"], "changes": []}',
                        b'{"format_version": "1.0", "deep": ' + b"[" * 50_000 + b"]" * 50_000 + b"}",
                    ]
                ),
                json_values.map(lambda value: json.dumps(value, allow_nan=True).encode()),
                st.binary(max_size=200),
            )
        )
    return chosen, raw


@dataclass
class Outcome:
    command: str
    code: int
    stderr: str


@dataclass
class Sandbox:
    """A repo with workspace dev (local backend): a job, its script, a seeded document."""

    root: Path
    outcomes: list[Outcome] = field(default_factory=list)

    @classmethod
    def make(cls, root: Path) -> Sandbox:
        sandbox = cls(root)
        env = {
            "GIT_AUTHOR_NAME": "fuzz",
            "GIT_AUTHOR_EMAIL": "fuzz@example.com",
            "GIT_COMMITTER_NAME": "fuzz",
            "GIT_COMMITTER_EMAIL": "fuzz@example.com",
        }
        os.environ.update(env)
        subprocess.run(["git", "init", "-q", "-b", "main"], cwd=root, check=True)
        (root / ".gitignore").write_text(".jobsync/\n")
        sandbox.reset()
        subprocess.run(["git", "add", "-A"], cwd=root, check=True)
        subprocess.run(["git", "commit", "-qm", "start"], cwd=root, check=True)
        return sandbox

    @property
    def folder(self) -> Path:
        return self.root / "workspaces" / "dev"

    @property
    def state(self) -> Path:
        return self.root / ".jobsync" / "state" / "dev.json"

    def reset(self) -> None:
        (self.folder / "jobs").mkdir(parents=True, exist_ok=True)
        (self.folder / "scripts").mkdir(parents=True, exist_ok=True)
        (self.folder / "workspace.yaml").write_text(_yaml_text(GOOD_WORKSPACE))
        (self.folder / "jobs" / "etl.yaml").write_text(_yaml_text(GOOD_JOB))
        (self.folder / "scripts" / "load.yaml").write_text(_yaml_text(GOOD_SCRIPT))
        (self.folder / "scripts" / "load.sql").write_text("select 1")
        self.state.parent.mkdir(parents=True, exist_ok=True)
        self.state.write_text(json.dumps(GOOD_STATE))
        (self.root / "plan.json").unlink(missing_ok=True)

    def place(self, kind: str, raw: bytes) -> None:
        target = {
            "job": self.folder / "jobs" / "etl.yaml",
            "script": self.folder / "scripts" / "load.sql",
            "workspace": self.folder / "workspace.yaml",
            "state": self.state,
            "plan": self.root / "plan.json",
        }[kind]
        target.write_bytes(raw)

    def run(self, *argv: str) -> Outcome:
        out, err = io.StringIO(), io.StringIO()
        with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
            code = main([*argv, "--repo", str(self.root)])
        outcome = Outcome(" ".join(argv[:1]), int(code), err.getvalue())
        self.outcomes.append(outcome)
        return outcome

    def check(self, kind: str, raw: bytes) -> list[Outcome]:
        """Run validate, plan and apply over one hostile file; assert the invariants."""
        self.reset()
        self.place(kind, raw)
        before = self.state.read_bytes()
        validate = self.run("validate", "-w", "dev")
        plan = self.run("plan", "-w", "dev")
        if kind == "plan":
            apply = self.run("apply", "-w", "dev", str(self.root / "plan.json"))
        else:
            apply = self.run("apply", "-w", "dev", "--auto-approve", "--lock-timeout", "5")
        ran = [validate, plan, apply]
        for outcome in ran:
            assert outcome.code != 3, (
                f"{outcome.command} hit an internal error on a {kind} file {raw[:200]!r}:\n{outcome.stderr}"
            )
        if validate.code != 0 and kind != "state":
            assert apply.code != 0, f"apply went ahead although validate refused the {kind} file {raw[:200]!r}"
            assert self.state.read_bytes() == before, f"the workspace changed after an error ({kind} {raw[:200]!r})"
        if kind in ("state", "plan") and apply.code != 0 and kind == "state":
            assert self.state.read_bytes() == before, "a refused state document was rewritten"
        return ran


def error_class(outcome: Outcome) -> str:
    """A short class for an outcome: the exit code and the error's first words (for a list of
    problems, the first problem's message without its file)."""
    if outcome.code == 0:
        return "ok"
    lines = outcome.stderr.splitlines()
    at = next((i for i, line in enumerate(lines) if line.startswith("error:")), None)
    if at is None:
        return f"exit {outcome.code}: {lines[-1][:60] if lines else ''}"
    line = lines[at].removeprefix("error:").strip()
    if line.endswith("found:") and at + 1 < len(lines):
        line = lines[at + 1].strip().split(": ", 1)[-1]
    words = " ".join(part for part in line.split()[:6] if "/" not in part)
    return f"exit {outcome.code}: {words}"

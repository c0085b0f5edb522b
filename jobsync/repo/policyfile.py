"""policies.yaml: the team's rules, read from the working tree or from a git commit.

The repo root's policies.yaml holds the rules for every workspace; workspaces/<name>/policies.yaml
adds rules for one. Both are checked against schemas/policies.v1.json and every CEL expression is
compiled when read, so a rule that cannot run is refused here (ConfigError naming the file, the
line and the rule), before any plan is made. In a pull request the rules come from the base
branch (`at=` its commit), never from the branch under review.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from jobsync.core import builtin_rules
from jobsync.core.teamrules import Compiled, Rule, RuleSyntaxError, compile_rule
from jobsync.errors import ConfigError, Problem
from jobsync.repo import limits, schemas, yamlio
from jobsync.repo import source as gitsource

FILE = "policies.yaml"
DEFAULT_MAX_PER_MINUTE = 100


@dataclass(frozen=True)
class RuleSet:
    """The rules that apply to one workspace, compiled, and the settings of the built-in checks.

    `origin`: where they were read ("working tree", or "<ref> (<commit>)"); `commit` the commit
    when read from git (a saved plan records it, so apply --reviewed reads the same rules)."""

    rules: tuple[Compiled, ...] = ()
    disabled: frozenset[str] = frozenset()  # scheduler checks turned off
    max_per_minute: int = DEFAULT_MAX_PER_MINUTE
    dependency_mode: str = "traditional"  # the workspaces' job dependency mode (traditional | natural)
    files: tuple[str, ...] = ()  # the policies files read (repo-relative)
    origin: str = "working tree"
    commit: str | None = None
    texts: Mapping[str, bytes] = field(default_factory=dict)  # file -> its bytes, to compare with a branch's

    @property
    def empty(self) -> bool:
        return not self.files

    def enabled(self, check: str) -> bool:
        return check not in self.disabled


def _rule(entry: Mapping[str, Any], rel: str, line: int) -> Rule:
    return Rule(
        id=str(entry["id"]),
        expression=str(entry["expression"]),
        message=str(entry["message"]),
        severity="warning" if entry.get("severity") == "warning" else "error",
        kinds=tuple(entry.get("kinds") or ()),
        when=entry.get("when"),
        owners=tuple(entry.get("owners") or ()),
        workspaces=tuple(entry.get("workspaces") or ()),
        file=rel,
        line=line,
    )


def _parse(raw: bytes, rel: str) -> tuple[dict[str, Any], dict[tuple[str | int, ...], int]]:
    text = limits.decode(raw, rel)
    try:
        data = yamlio.load(text) or {}
    except yaml.YAMLError as error:
        mark = getattr(error, "problem_mark", None)
        raise ConfigError([Problem(rel, f"not valid YAML: {error}", mark.line + 1 if mark else None)]) from None
    problems = schemas.check("policies", data, rel, text)
    if problems:
        raise ConfigError(problems)
    return dict(data), yamlio.line_map(text)


def _compiled(
    rule: Rule, lines: Mapping[tuple[str | int, ...], int], index: int, problems: list[Problem]
) -> Compiled | None:
    try:
        return compile_rule(rule)
    except RuleSyntaxError as error:
        part = "when" if str(error).startswith("when:") else "expression"
        line = yamlio.line_of(dict(lines), ("rules", index, part)) or rule.line
        problems.append(
            Problem(
                rule.file,
                f"rule {rule.id}: {error} (column {error.column} of the CEL); fix the rule, then run "
                "`jobsync validate`",
                line,
                f"rules[{index}].{part}",
            )
        )
        return None


def read(files: Mapping[str, bytes], *, origin: str = "working tree", commit: str | None = None) -> RuleSet:
    """The rule set from these policies files (repo-relative name -> bytes), root file first.
    Every problem of every file is gathered into one ConfigError."""
    problems: list[Problem] = []
    rules: list[Compiled] = []
    seen: dict[str, str] = {rule.id: "the built-in rules" for rule in builtin_rules.RULES}
    enable: set[str] = set()
    disabled: set[str] = set()
    max_per_minute = DEFAULT_MAX_PER_MINUTE
    mode = "traditional"
    for rel, raw in files.items():
        try:
            data, lines = _parse(raw, rel)
        except ConfigError as error:
            problems.extend(error.problems)
            continue
        for index, entry in enumerate(data.get("rules") or ()):
            line = yamlio.line_of(lines, ("rules", index, "id")) or 1
            rule = _rule(entry, rel, line)
            if rule.id in seen:
                problems.append(Problem(rel, f"rule id {rule.id!r} is already used in {seen[rule.id]}", line, "id"))
                continue
            seen[rule.id] = f"{rel}:{line}"
            compiled = _compiled(rule, lines, index, problems)
            if compiled is not None:
                rules.append(compiled)
        for key, into in (("enable", enable), ("disable", disabled)):
            for index, name in enumerate(data.get(key) or ()):
                if name not in builtin_rules.KNOWN:
                    known = ", ".join(sorted(builtin_rules.KNOWN))
                    at = yamlio.line_of(lines, (key, index))
                    problems.append(Problem(rel, f"{key}: no built-in check or rule {name!r}; known: {known}", at))
                into.add(name)
        max_per_minute = int(data.get("max_jobs_per_minute", max_per_minute))
        mode = str(data.get("dependency_mode", mode))
    if problems:
        raise ConfigError(problems)
    builtins = [compile_rule(rule) for rule in builtin_rules.RULES if rule.id in enable and rule.id not in disabled]
    return RuleSet(
        rules=(*builtins, *rules),
        disabled=frozenset(disabled),
        max_per_minute=max_per_minute,
        dependency_mode=mode,
        files=tuple(files),
        origin=origin,
        commit=commit,
        texts=dict(files),
    )


def _names(workspace_folder: str | None) -> list[str]:
    return [FILE] + ([f"{workspace_folder}/{FILE}"] if workspace_folder else [])


def in_tree(root: Path, workspace_folder: str | None) -> RuleSet:
    """The rules in the working tree (`workspace_folder`: workspaces/<name>, repo-relative)."""
    files = {rel: (root / rel).read_bytes() for rel in _names(workspace_folder) if (root / rel).is_file()}
    return read(files)


def at_commit(root: Path, commit: str, workspace_folder: str | None, *, ref: str | None = None) -> RuleSet:
    """The rules as they are at `commit` (`ref` names it in messages)."""
    files = {}
    for rel in _names(workspace_folder):
        raw = gitsource.read_file(root, commit, rel)
        if raw is not None:
            files[rel] = raw
    origin = f"{ref or commit[:12]} ({commit[:7]})"
    return read(files, origin=origin, commit=commit)


def at_ref(root: Path, ref: str, workspace_folder: str | None) -> RuleSet:
    return at_commit(root, gitsource.resolve(root, ref, where="--backend-from"), workspace_folder, ref=ref)

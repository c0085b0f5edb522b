"""The team's own rules (policies.yaml): CEL expressions over the bodies a plan sends.

A rule is data: an id, the kinds and workspaces it covers, an optional `when` guard and the
`expression` that must hold, both in CEL (the expression language of Kubernetes'
ValidatingAdmissionPolicy), evaluated by cel-expr-python, the CEL C++ runtime: sandboxed, no
side effects, no code from the repo. As in Kubernetes a rule sees `object` (the body as apply
sends it), `oldObject` (the workspace's body, or null), `kind`, `workspace` and, in a plan
rule, `action`. A rule that names `action` or `oldObject` is a plan rule: `validate` has no
workspace to compare with, so it checks only the others (definition rules).

An expression that does not compile is refused when the rules are read (`compile_rule`), with
the rule's file, line and column. One that cannot be evaluated on an object (a field the body
lacks, a value of the wrong type) is a failure of severity error saying so: never a pass.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Literal

from cel_expr_python import cel

Severity = Literal["error", "warning"]
PLAN_ONLY = ("action", "oldObject")  # variables a definition has no value for

_DYN = cel.Type.DYN
_STR = cel.Type.STRING
DEFINITION_VARIABLES = {"object": _DYN, "kind": _STR, "workspace": _STR}
PLAN_VARIABLES = {**DEFINITION_VARIABLES, "oldObject": _DYN, "action": _STR}
_DEFINITION_ENV = cel.NewEnv(variables=DEFINITION_VARIABLES)
_PLAN_ENV = cel.NewEnv(variables=PLAN_VARIABLES)
_POSITION = re.compile(r"<input>:(\d+):(\d+): ")


class RuleSyntaxError(ValueError):
    """A rule's CEL that does not compile: `line` and `column` within the expression."""

    def __init__(self, message: str, line: int, column: int) -> None:
        super().__init__(message)
        self.line = line
        self.column = column


@dataclass(frozen=True)
class Rule:
    """One rule as policies.yaml states it; `file` and `line` say where, for every message."""

    id: str
    expression: str
    message: str
    severity: Severity = "error"
    kinds: tuple[str, ...] = ()  # empty: every kind
    when: str | None = None
    owners: tuple[str, ...] = ()  # who may approve an exception (a GitHub login or org/team)
    workspaces: tuple[str, ...] = ()  # empty: every workspace
    file: str = "policies.yaml"
    line: int = 1
    builtin: bool = False

    @property
    def where(self) -> str:
        return f"{self.file}:{self.line}"

    def covers(self, kind: str, workspace: str) -> bool:
        return (not self.kinds or kind in self.kinds) and (not self.workspaces or workspace in self.workspaces)


@dataclass(frozen=True)
class Compiled:
    rule: Rule
    when: Any  # cel.Expression | None
    expression: Any  # cel.Expression
    plan_only: bool = False  # names `action` or `oldObject`: checked by plan, not by validate


def _compile(env: Any, text: str) -> Any:
    try:
        return env.compile(text)
    except RuntimeError as error:
        raw = str(error)
        found = _POSITION.search(raw)
        line, column = (int(found.group(1)), int(found.group(2))) if found else (1, 1)
        first = raw.split("\n", 1)[0]
        message = _POSITION.split(first)[-1] if found else first
        raise RuleSyntaxError(
            message.removesuffix(" [INVALID_ARGUMENT]").replace(" (in container '')", "").strip(), line, column
        ) from None


def _names_plan_variables(rule: Rule) -> bool:
    """Whether the rule uses `action` or `oldObject`, as CEL's checker sees it (a word inside
    a string literal does not count)."""
    for text in (rule.when, rule.expression):
        if not text:
            continue
        try:
            _DEFINITION_ENV.compile(text)
        except RuntimeError as error:
            if any(f"undeclared reference to '{name}'" in str(error) for name in PLAN_ONLY):
                return True
    return False


def compile_rule(rule: Rule) -> Compiled:
    """The rule's CEL compiled and type-checked against the variables it may use; raises
    RuleSyntaxError naming which of `when` and `expression` is wrong."""
    plan_only = _names_plan_variables(rule)
    # One environment for every rule (a definition rule cannot name `action` or `oldObject`: it
    # compiled without them), so each object is converted to CEL values once for all rules.
    env = _PLAN_ENV
    try:
        when = _compile(env, rule.when) if rule.when else None
    except RuleSyntaxError as error:
        raise RuleSyntaxError(f"when: {error}", error.line, error.column) from None
    try:
        expression = _compile(env, rule.expression)
    except RuleSyntaxError as error:
        raise RuleSyntaxError(f"expression: {error}", error.line, error.column) from None
    return Compiled(rule, when, expression, plan_only)


@dataclass(frozen=True)
class Subject:
    """One object as a rule sees it. `action` is None when checking definitions alone."""

    kind: str
    name: str
    workspace: str
    object: Mapping[str, Any] | None
    old: Mapping[str, Any] | None = None
    action: str | None = None
    file: str | None = None  # the repo file the object comes from, for messages


@dataclass(frozen=True)
class Failure:
    """A rule that did not hold for one object (or could not be evaluated on it).

    `approved_by` and `approved_commit`: who approved the exception and for which commit
    (a GitHub review on the pull request's head, or `--allow-rule` at a terminal)."""

    rule: str
    severity: Severity
    kind: str
    name: str
    message: str
    rule_file: str
    rule_line: int
    file: str | None = None
    action: str | None = None
    owners: tuple[str, ...] = ()
    approved_by: str | None = None
    approved_commit: str | None = None

    @property
    def blocking(self) -> bool:
        return self.severity == "error" and self.approved_by is None

    @property
    def key(self) -> tuple[str, str, str]:
        return (self.rule, self.kind, self.name)

    def describe(self) -> str:
        where = f" ({self.file})" if self.file else ""
        rule_at = f"{self.rule_file}:{self.rule_line}" if self.rule_line else self.rule_file
        return f"{rule_at}: rule {self.rule} ({self.severity}): {self.kind} {self.name}{where}: {self.message}"

    def to_dict(self) -> dict[str, Any]:
        return {
            "rule": self.rule,
            "severity": self.severity,
            "kind": self.kind,
            "name": self.name,
            "message": self.message,
            "rule_file": self.rule_file,
            "rule_line": self.rule_line,
            "file": self.file,
            "action": self.action,
            "owners": list(self.owners),
            "approved_by": self.approved_by,
            "approved_commit": self.approved_commit,
        }

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> Failure:
        return cls(
            rule=str(data["rule"]),
            severity="warning" if data.get("severity") == "warning" else "error",
            kind=str(data["kind"]),
            name=str(data["name"]),
            message=str(data.get("message") or ""),
            rule_file=str(data.get("rule_file") or ""),
            rule_line=int(data.get("rule_line") or 0),
            file=data.get("file"),
            action=data.get("action"),
            owners=tuple(data.get("owners") or ()),
            approved_by=data.get("approved_by"),
            approved_commit=data.get("approved_commit"),
        )


def _data(subject: Subject) -> dict[str, Any]:
    return {
        "object": subject.object,
        "kind": subject.kind,
        "workspace": subject.workspace,
        "oldObject": subject.old,
        "action": subject.action or "",
    }


def _run(expression: Any, activation: Any) -> tuple[bool | None, str]:
    """(the boolean, "") or (None, why it could not be evaluated)."""
    try:
        value = expression.eval(activation)
    except (RuntimeError, ValueError, TypeError) as error:  # a value CEL cannot take
        return None, str(error).split("\n", 1)[0]
    result = value.value()
    if type(result) is bool:  # the usual case, told with one call into the runtime
        return result, ""
    kind = value.type().name().lower()
    if kind == "error":
        return None, str(value.value()).split("\n", 1)[0]
    return None, f"the expression gives a {kind}, not a bool"


def _failure(compiled: Compiled, subject: Subject, message: str, severity: Severity) -> Failure:
    rule = compiled.rule
    return Failure(
        rule=rule.id,
        severity=severity,
        kind=subject.kind,
        name=subject.name,
        message=message,
        rule_file=rule.file,
        rule_line=rule.line,
        file=subject.file,
        action=subject.action,
        owners=rule.owners,
    )


_REFERENCE = re.compile(r"\b(object|oldObject)\b(\s*\.\s*([A-Za-z_][A-Za-z0-9_]*))?")
_NULL_TEST = re.compile(r"\b(object|oldObject)\s*[!=]=\s*null\b")  # needs no field
_MACRO = re.compile(r"\s*\.\s*(?:all|exists|exists_one|map|filter)\s*\(\s*([A-Za-z_][A-Za-z0-9_]*)\s*,")
_NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")
# variable -> field -> the fields of its list's elements the rules read (None: the whole value);
# a variable that maps to None is read whole
Fields = dict[str, dict[str, frozenset[str] | None] | None]


def _macro_body(text: str, at: int) -> str | None:
    """The text of a macro's body from `at` (just after `(var,`) to its closing parenthesis,
    string literals skipped; None when it cannot tell."""
    depth, index = 1, at
    while index < len(text):
        char = text[index]
        if char == "`" or (text.startswith(char * 3, index) and char in "'\""):
            return None  # a quoted field name or a triple-quoted string: not worth reading
        if char in "'\"":
            index += 1
            while index < len(text) and text[index] != char:
                index += 2 if text[index] == "\\" else 1
        else:
            depth += {"(": 1, ")": -1}.get(char, 0)
            if depth == 0:
                return text[at:index]
        index += 1
    return None


def _element_fields(text: str, after_field: int) -> frozenset[str] | None:
    """For `object.nodes.all(n, n.retryTimes >= 1)`: the fields of `n` the body reads
    ({"retryTimes"}), or None when the body uses `n` any other way."""
    macro = _MACRO.match(text, after_field)
    if macro is None:
        return None
    body = _macro_body(text, macro.end())
    if body is None:
        return None
    var, names = macro.group(1), set()
    for use in re.finditer(rf"\b{var}\b", body):
        field = re.match(r"\s*\.\s*([A-Za-z_][A-Za-z0-9_]*)", body[use.end() :])
        if field is None or (use.start() > 0 and body[use.start() - 1] == "."):
            return None
        names.add(field.group(1))
    return frozenset(names)


def read_fields(rules: Iterable[Compiled]) -> Fields:
    """What of `object` and `oldObject` the rules read: the top-level fields they name
    (`object.nodes`) and, for a list read only through a macro (`object.nodes.all(n,
    n.retryTimes >= 1)`), the fields of its elements. A variable used whole (`size(object)`,
    `object["a"]`, its name in a string) is read whole. Converting a body to CEL values is most
    of the cost of a rule, so only what rules read is converted."""
    found: dict[str, dict[str, set[str] | None] | None] = {"object": {}, "oldObject": {}}
    for compiled in rules:
        for raw in (compiled.rule.when or "", compiled.rule.expression):
            text = _NULL_TEST.sub("", raw)
            for match in _REFERENCE.finditer(text):
                fields = found[match.group(1)]
                if fields is None:
                    continue
                if match.group(3) is None:
                    found[match.group(1)] = None
                    continue
                elements = _element_fields(text, match.end())
                known = fields.get(match.group(3), set())
                if elements is None or known is None:
                    fields[match.group(3)] = None
                else:
                    fields[match.group(3)] = known | elements
    return {
        name: None
        if fields is None
        else {key: None if keys is None else frozenset(keys) for key, keys in fields.items()}
        for name, fields in found.items()
    }


def _narrow(body: Mapping[str, Any] | None, fields: Mapping[str, frozenset[str] | None] | None) -> Any:
    if body is None or fields is None:
        return body
    narrowed: dict[str, Any] = {}
    for key, elements in fields.items():
        if key not in body:
            continue
        value = body[key]
        if elements is not None and isinstance(value, list):
            value = [{k: e[k] for k in elements if k in e} if isinstance(e, dict) else e for e in value]
        narrowed[key] = value
    return narrowed


class _Activations:
    """The subject's variables converted to CEL values once, for every rule that reads them;
    `fields` narrows the bodies to what the rules read (core of the cost)."""

    def __init__(self, subject: Subject, fields: Fields | None = None) -> None:
        self.subject = subject
        self.fields = fields
        self.made: Any = None

    def get(self) -> Any:
        if self.made is None:
            data = _data(self.subject)
            if self.fields is not None:
                data["object"] = _narrow(self.subject.object, self.fields["object"])
                data["oldObject"] = _narrow(self.subject.old, self.fields["oldObject"])
            try:
                self.made = _PLAN_ENV.Activation(data=data)
            except (RuntimeError, ValueError, TypeError) as error:  # a value CEL cannot take
                self.made = error
        return self.made


def check_one(compiled: Compiled, subject: Subject, activations: _Activations | None = None) -> Failure | None:
    rule = compiled.rule
    plan = subject.action is not None
    if not rule.covers(subject.kind, subject.workspace):
        return None
    if (compiled.plan_only and not plan) or (not compiled.plan_only and subject.object is None):
        return None  # a plan rule when checking definitions; a definition rule on a delete
    activation = (activations or _Activations(subject)).get()
    if isinstance(activation, Exception):
        return _failure(compiled, subject, f"could not evaluate the rule: {activation}", "error")
    if compiled.when is not None:
        applies, why = _run(compiled.when, activation)
        if applies is None:
            return _failure(compiled, subject, f"could not evaluate `when`: {why}", "error")
        if not applies:
            return None
    holds, why = _run(compiled.expression, activation)
    if holds is None:
        hint = " (guard optional fields with has())" if "not found" in why.lower() or "no such" in why.lower() else ""
        return _failure(compiled, subject, f"could not evaluate the rule: {why}{hint}", "error")
    return None if holds else _failure(compiled, subject, rule.message, rule.severity)


def _applies(compiled: Compiled, subject: Subject) -> bool:
    if not compiled.rule.covers(subject.kind, subject.workspace):
        return False
    plan = subject.action is not None
    return not ((compiled.plan_only and not plan) or (not compiled.plan_only and subject.object is None))


def _batch(rules: Sequence[Compiled]) -> Any:
    """One CEL list of every rule's outcome (`when ? expression : true`), so an object is
    evaluated in one call; None if it does not compile (each rule is then run alone)."""
    parts = []
    for compiled in rules:
        rule = compiled.rule
        # newlines: a `//` comment at the end of a rule's CEL must not swallow what follows
        parts.append(f"(\n{rule.when}\n) ? (\n{rule.expression}\n) : true" if rule.when else f"(\n{rule.expression}\n)")
    try:
        return _PLAN_ENV.compile("[" + ",\n".join(parts) + "]")
    except RuntimeError:
        return None


def _one_by_one(rules: Sequence[Compiled], subject: Subject, activations: _Activations) -> list[Failure]:
    return [f for f in (check_one(compiled, subject, activations) for compiled in rules) if f is not None]


def check(rules: Sequence[Compiled], subjects: Iterable[Subject]) -> list[Failure]:
    """Every failure of every rule on every subject, in subject order then rule order.

    The rules that apply to a subject are evaluated together (one CEL list, compiled once per
    set of rules); a subject on which that list does not give only booleans (an error, a rule
    that is not a bool) is evaluated rule by rule, for the exact message."""
    found: list[Failure] = []
    batches: dict[tuple[str, str, bool, bool], tuple[tuple[Compiled, ...], Any, Fields]] = {}
    for subject in subjects:
        group = (subject.kind, subject.workspace, subject.action is not None, subject.object is None)
        if group not in batches:
            applying = tuple(compiled for compiled in rules if _applies(compiled, subject))
            batches[group] = (applying, _batch(applying) if applying else None, read_fields(applying))
        applying, batch, fields = batches[group]
        if not applying:
            continue
        activations = _Activations(subject, fields)
        activation = activations.get()
        results = None
        if batch is not None and not isinstance(activation, Exception):
            try:
                value = batch.eval(activation)
                results = value.plain_value() if value.type().name().lower().startswith("list") else None
            except (RuntimeError, ValueError, TypeError):
                results = None
        if results is None or len(results) != len(applying) or any(type(r) is not bool for r in results):
            found += _one_by_one(applying, subject, activations)
            continue
        found += [
            _failure(compiled, subject, compiled.rule.message, compiled.rule.severity)
            for compiled, holds in zip(applying, results, strict=True)
            if not holds
        ]
    return found


@dataclass(frozen=True)
class Checked:
    """The outcome of the team's rules on one plan or definition set.

    `rules_from`: where the rules were read ("working tree" or a ref and commit). `head`: the
    commit approvals were read for. `notes`: what a person should know (a branch that changes
    the rules)."""

    failures: tuple[Failure, ...] = ()
    rules_from: str = "working tree"
    rules_commit: str | None = None
    head: str | None = None
    notes: tuple[str, ...] = field(default=())

    @property
    def blocking(self) -> tuple[Failure, ...]:
        return tuple(f for f in self.failures if f.blocking)

    def to_dict(self) -> dict[str, Any]:
        return {
            "rules_from": self.rules_from,
            "rules_commit": self.rules_commit,
            "head": self.head,
            "notes": list(self.notes),
            "failures": [f.to_dict() for f in self.failures],
        }

"""The CEL rule engine and the built-in rule set, without a repo."""

from __future__ import annotations

import pytest

from jobsync.core import builtin_rules
from jobsync.core.teamrules import Rule, RuleSyntaxError, Subject, check, check_one, compile_rule, read_fields


def rule(expression, **extra):
    return compile_rule(Rule(id=extra.pop("id", "r"), expression=expression, message="failed", **extra))


def job(name="日报", workspace="dev", **body):
    return Subject("job", name, workspace, {"name": name, **body})


def test_false_fails_true_passes_and_types_are_exact():
    rules = [rule('object.basicConfig.owner == "alice"', id="owner"), rule("object.retries == 1", id="retries")]

    failures = check(
        rules, [job(basicConfig={"owner": "alice"}, retries=True), job("b", basicConfig={"owner": "bob"}, retries=1)]
    )

    assert [(f.rule, f.name) for f in failures] == [("retries", "日报"), ("owner", "b")]


def test_kubernetes_style_has_in_and_macros():
    rules = [
        rule('has(object.basicConfig) && "finance" in object.basicConfig.tags', id="tagged"),
        rule('object.nodes.exists(n, n.type == "DLISQL") && object.nodes.all(n, n.retryTimes >= 1)', id="nodes"),
    ]
    good = job(basicConfig={"tags": ["finance"]}, nodes=[{"type": "DLISQL", "retryTimes": 2}])
    bad = job("b", nodes=[{"type": "Dummy", "retryTimes": 0}])

    assert [(f.rule, f.name) for f in check(rules, [good, bad])] == [("tagged", "b"), ("nodes", "b")]


def test_kinds_workspaces_and_when_narrow_a_rule():
    narrowed = rule("false", kinds=("job",), workspaces=("prod",), when='object.name.startsWith("财务")')
    subjects = [
        job("财务日报", workspace="prod"),
        job("财务日报", workspace="dev"),
        job("日报", workspace="prod"),
        Subject("script", "财务", "prod", {"name": "财务"}),
    ]

    assert [(f.name, f.kind) for f in check([narrowed], subjects)] == [("财务日报", "job")]


def test_plan_rules_see_action_and_old_object_and_are_skipped_without_a_plan():
    deletes = rule("false", when='action == "delete" && "finance" in oldObject.basicConfig.tags')
    old = {"name": "x", "basicConfig": {"tags": ["finance"]}}

    assert deletes.plan_only
    assert check([deletes], [Subject("job", "x", "dev", old)]) == []  # validate: no action
    assert [f.action for f in check([deletes], [Subject("job", "x", "dev", None, old=old, action="delete")])] == [
        "delete"
    ]
    assert check([deletes], [Subject("job", "x", "dev", old, old=None, action="create")]) == []


def test_a_string_that_says_action_does_not_make_a_plan_rule():
    assert not rule('object.name != "action"').plan_only


def test_an_error_while_evaluating_is_a_failure_of_severity_error():
    unguarded = rule("object.basicConfig.owner != ''", severity="warning")
    not_bool = rule("object.name")

    failures = check([unguarded, not_bool], [job()])

    assert [(f.severity, f.message) for f in failures] == [
        (
            "error",
            'could not evaluate the rule: NOT_FOUND: Key not found in map : "basicConfig" '
            "(guard optional fields with has())",
        ),
        ("error", "could not evaluate the rule: the expression gives a string, not a bool"),
    ]
    assert all(f.blocking for f in failures)


@pytest.mark.parametrize(
    ("expression", "line", "column", "words"),
    [
        ("object.nodes.all(n, n.x >= ", 1, 28, "Syntax error"),
        ("objekt.name == 'a'", 1, 7, "undeclared reference to 'objekt.name'"),
        ("1 + 'a'", 1, 3, "no matching overload"),
        ("object.name ==\n  unknownFunction(1)", 2, 18, "undeclared reference to 'unknownFunction'"),
    ],
)
def test_a_rule_that_does_not_compile_says_where(expression, line, column, words):
    with pytest.raises(RuleSyntaxError) as raised:
        rule(expression)

    assert words in str(raised.value)
    assert (raised.value.line, raised.value.column) == (line, column)


def test_the_built_in_rules_compile_and_catch_what_they_say():
    rules = {r.id: compile_rule(r) for r in builtin_rules.RULES}
    bad = {
        "name": "x",
        "basicConfig": {"executeUser": "zhang.san", "tags": ["finance"]},
        "nodes": [{"name": "a", "retryTimes": 0}],
        "targetStatus": "PRODUCTION",
    }
    good = {
        "name": "x",
        "basicConfig": {"owner": "alice"},
        "alarms": [{"alarmType": "FAIL", "topicUrn": "urn:smn:t"}],
        "nodes": [{"name": "a", "retryTimes": 2}],
    }

    failed = {f.rule for f in check(list(rules.values()), [Subject("job", "x", "prod", bad)])}
    deleted = check(list(rules.values()), [Subject("job", "x", "prod", None, old=bad, action="delete")])
    passed = check(list(rules.values()), [Subject("job", "x", "prod", good, old=good, action="update")])

    assert failed == {
        "owner-set",
        "alarm-configured",
        "retries-in-prod",
        "no-personal-execute-user",
        "no-production-from-ci",
    }
    assert [f.rule for f in deleted] == ["tagged-deletes-need-owner"]
    assert passed == []


def test_only_the_fields_rules_read_are_converted_and_a_whole_use_keeps_all():
    named = [rule("has(object.basicConfig) && object.nodes.all(n, n.x > 0)"), rule("oldObject != null", id="o")]
    whole = [rule("size(object) > 2"), rule('"basicConfig" in oldObject', id="o")]

    assert read_fields(named) == {"object": {"basicConfig": None, "nodes": frozenset({"x"})}, "oldObject": {}}
    assert read_fields(whole) == {"object": None, "oldObject": None}


def test_rules_evaluated_together_give_what_each_gives_alone():
    rules = [
        rule("has(object.description)", id="described"),
        rule("size(object) > 3", id="big"),
        rule('object.nodes.exists(n, n.name == "装载")', id="loads"),
    ]
    subjects = [job(description="d", nodes=[{"name": "装载"}]), job("b", nodes=[]), job("c")]

    together = check(rules, subjects)
    alone = [f for s in subjects for r in rules for f in check([r], [s])]

    assert together == alone
    assert [(f.rule, f.name) for f in together] == [
        ("big", "日报"),
        ("described", "b"),
        ("big", "b"),
        ("loads", "b"),
        ("described", "c"),
        ("big", "c"),
        ("loads", "c"),
    ]
    assert together[-1].message.startswith("could not evaluate the rule: ")


def test_narrowed_bodies_give_what_whole_bodies_give():
    rules = [
        rule("object.nodes.all(n, has(n.retryTimes) && n.retryTimes >= 1)", id="retries"),
        rule('object.nodes.exists(m, m.type == "DLI)SQL" && m.properties.exists(p, p.name == "scriptName"))', id="sql"),
        rule("object.nodes.all(n, object.nodes.exists(m, m.name == n.preNode))", id="linked"),
        rule('has(object.basicConfig) && "finance" in object.basicConfig.tags', id="finance"),
    ]
    nodes = [
        {"name": "a", "type": "DLI)SQL", "retryTimes": 1, "properties": [{"name": "scriptName"}], "preNode": "b"},
        {"name": "b", "type": "Dummy", "preNode": "a", "location": {"x": 1}},
    ]
    subjects = [job(nodes=nodes, basicConfig={"tags": ["finance"]}), job("b", nodes=nodes[1:]), job("c", nodes=[])]

    narrowed = check(rules, subjects)
    whole = [f for s in subjects for r in rules for f in [check_one(r, s)] if f is not None]

    assert read_fields(rules)["object"] == {
        "nodes": frozenset({"retryTimes", "type", "properties", "name", "preNode"}),
        "basicConfig": None,
    }
    assert narrowed == whole
    assert [(f.rule, f.name) for f in narrowed] == [
        ("retries", "日报"),
        ("retries", "b"),
        ("sql", "b"),
        ("linked", "b"),
        ("finance", "b"),
        ("sql", "c"),
        ("finance", "c"),
    ]


@pytest.mark.parametrize("value", [2**70, b"bytes", {"k": {1: 2}}, [1, "a", None], "\ud800"])
def test_a_value_the_runtime_cannot_take_is_a_failure_never_an_exception(value):
    [failure] = check([rule("object.x > 0", severity="warning")], [job(x=value)])

    assert failure.severity == "error"
    assert failure.message.startswith("could not evaluate the rule: ")

"""The team's rules (policies.yaml) through the CLI on a real repo, on both backends: validate
and plan name each failure with its rule, object and file:line; an error blocks apply, a
warning does not; --allow-rule lets one through and says who in the version description."""

from __future__ import annotations

import json
import textwrap

from support import job_body, remote_job

from jobsync.core.model import Kind

RULES = """\
rules:
  - id: owner-required
    kinds: [job]
    expression: 'has(object.basicConfig) && has(object.basicConfig.owner) && object.basicConfig.owner != ""'
    message: every job names its owner
    severity: error
  - id: prod-retries
    kinds: [job]
    workspaces: [dev]
    expression: 'object.nodes.all(n, has(n.retryTimes) && n.retryTimes >= 1)'
    message: production jobs retry at least once
    severity: warning
  - id: finance-deletes
    kinds: [job]
    when: 'action == "delete" && "finance" in oldObject.basicConfig.tags'
    expression: "false"
    message: deleting a finance job needs the data owner
    owners: [alice]
"""


def finance_job(name="财务日报"):
    return job_body(name, basicConfig={"owner": "alice", "tags": ["finance"]})


def setup(scenario, *, owner=None):
    document = scenario.document()
    document["jobs"].append(remote_job(finance_job(), tags=["finance"]))
    scenario.seed(document)
    scenario.configure(prune=True)
    (scenario.root / "policies.yaml").write_text(RULES)
    extra = {"basicConfig": {"owner": owner}} if owner else {}
    scenario.put(Kind.JOB, job_body("日报", **extra))
    scenario.commit()


def test_validate_names_rule_object_and_line(scenario):
    setup(scenario)

    result = scenario.run("validate")

    assert result.exit_code == 1
    assert (
        "policies.yaml:2: rule owner-required (error): job 日报 (workspaces/dev/jobs/日报.yaml:1): "
        "every job names its owner" in result.stderr
    )
    assert "policies.yaml:7: rule prod-retries (warning): job 日报" in result.stderr
    assert "finance-deletes" not in result.stderr  # a plan rule: validate has no workspace to compare with


def test_plan_reports_each_failure_and_apply_is_blocked(scenario):
    setup(scenario)

    plan = scenario.run("plan", "-w", "dev")
    apply = scenario.run("apply", "-w", "dev", "--auto-approve")

    assert plan.exit_code == 1
    out = plan.stdout
    assert "Rules (working tree): 2 blocking, 1 warning(s), 0 approved." in out
    assert (
        "[blocks apply] owner-required (policies.yaml:2): job 日报 (workspaces/dev/jobs/日报.yaml:1): "
        "every job names its owner" in out
    )
    assert (
        "[blocks apply] finance-deletes (policies.yaml:13): job 财务日报: deleting a finance job needs the data owner"
        in out
    )
    assert "[warning] prod-retries (policies.yaml:7): job 日报" in out
    assert apply.exit_code == 1
    assert "apply refused: 2 rule failure(s) of severity error" in apply.stderr
    assert scenario.entry("jobs", "日报") is None
    assert scenario.entry("jobs", "财务日报") is not None


def test_a_warning_alone_does_not_block(scenario):
    setup(scenario, owner="bob")
    (scenario.root / "policies.yaml").write_text(RULES.split("  - id: finance-deletes")[0])
    scenario.commit()

    plan = scenario.run("plan", "-w", "dev")
    apply = scenario.run("apply", "-w", "dev", "--auto-approve")

    assert plan.exit_code == 0, plan.stdout
    assert "0 blocking, 1 warning(s)" in plan.stdout
    assert apply.exit_code == 0, apply.stderr
    assert scenario.entry("jobs", "日报") is not None


def test_allow_rule_at_a_terminal_is_recorded_in_the_version(scenario):
    setup(scenario, owner="bob")

    refused = scenario.run("apply", "-w", "dev", "--auto-approve")
    allowed = scenario.run("apply", "-w", "dev", "--auto-approve", "--allow-rule", "finance-deletes", "--user", "carol")

    assert refused.exit_code == 1
    assert "finance-deletes" in refused.stderr
    assert allowed.exit_code == 0, allowed.stderr
    assert scenario.entry("jobs", "财务日报") is None
    versions = scenario.entry("jobs", "日报")["versions"]
    assert "[allowed: finance-deletes by " in str(versions[-1])


def test_plan_markdown_lists_failures_in_a_table(scenario):
    setup(scenario)

    plan = scenario.run("plan", "-w", "dev", "--format", "markdown")

    assert "| rule | object | where | message | state |" in plan.stdout
    assert (
        "| `owner-required` (error) | job <code>日报</code> | policies.yaml:2<br>workspaces/dev/jobs/日报.yaml:1 |"
        in plan.stdout
    )


def test_saved_plan_records_the_failures(scenario, tmp_path):
    setup(scenario)
    out = tmp_path / "plan.json"

    scenario.run("plan", "-w", "dev", "--out", str(out))
    apply = scenario.run("apply", "-w", "dev", str(out))

    saved = json.loads(out.read_text())
    assert saved["format_version"] == "1.1"
    assert [(f["rule"], f["name"]) for f in saved["checks"]["failures"] if f["severity"] == "error"] == [
        ("owner-required", "日报"),
        ("finance-deletes", "财务日报"),
    ]
    assert apply.exit_code == 1
    assert "apply refused" in apply.stderr


def test_a_rule_that_does_not_compile_names_the_rule_and_its_line(scenario):
    (scenario.root / "policies.yaml").write_text(
        textwrap.dedent(
            """\
            rules:
              - id: broken
                expression: 'object.nodes.all(n, n.retryTimes >= '
                message: m
              - id: unknown-variable
                expression: 'objekt.name != ""'
                message: m
            """
        )
    )
    scenario.put(Kind.JOB, job_body("日报"))
    scenario.commit()

    validate = scenario.run("validate")
    plan = scenario.run("plan", "-w", "dev")

    for result in (validate, plan):
        assert result.exit_code == 1
        assert "policies.yaml:3: rules[0].expression: rule broken: expression: Syntax error" in result.stderr
        assert (
            "policies.yaml:6: rules[1].expression: rule unknown-variable: expression: "
            "undeclared reference to 'objekt.name' (column 7 of the CEL)" in result.stderr
        )
        assert "internal error" not in result.stderr.lower()


def test_a_field_the_object_lacks_is_a_failure_not_a_pass(scenario):
    (scenario.root / "policies.yaml").write_text(
        "rules:\n  - id: owner-unguarded\n    expression: 'object.basicConfig.owner != \"\"'\n"
        "    message: m\n    severity: warning\n"
    )
    scenario.put(Kind.JOB, job_body("日报"))
    scenario.commit()

    plan = scenario.run("plan", "-w", "dev")

    assert plan.exit_code == 1
    assert (
        "[blocks apply] owner-unguarded (policies.yaml:2): job 日报 (workspaces/dev/jobs/日报.yaml:1): "
        'could not evaluate the rule: NOT_FOUND: Key not found in map : "basicConfig" '
        "(guard optional fields with has())"
    ) in plan.stdout


def test_a_cycle_through_a_workspace_only_job_blocks_until_the_check_is_turned_off(scenario):
    document = scenario.document()
    document["jobs"].append(remote_job(job_body("控制台作业", depends=["装载"])))
    scenario.seed(document)
    (scenario.root / "policies.yaml").write_text("rules: []\n")
    scenario.put(Kind.JOB, job_body("装载", depends=["控制台作业"]))
    scenario.commit()

    blocked = scenario.run("plan", "-w", "dev")
    (scenario.root / "policies.yaml").write_text("disable: [dependency-cycle]\n")
    scenario.commit("turn the check off")
    allowed = scenario.run("plan", "-w", "dev")

    assert blocked.exit_code == 1
    assert (
        "[blocks apply] dependency-cycle (jobsync built-in): job 装载 (workspaces/dev/jobs/装载.yaml:1): "
        "dependJobs form a cycle: 装载 -> 控制台作业 -> 装载; none of these jobs ever runs"
    ) in blocked.stdout
    assert allowed.exit_code == 0, allowed.stdout
    assert "dependency-cycle" not in allowed.stdout


def test_an_unknown_check_id_is_named_with_its_line(scenario):
    (scenario.root / "policies.yaml").write_text("disable:\n  - dependency-cycles\n")
    scenario.put(Kind.JOB, job_body("装载"))
    scenario.commit()

    result = scenario.run("validate")

    assert result.exit_code == 1
    assert "policies.yaml:2: disable: no built-in check or rule 'dependency-cycles'" in result.stderr


def test_a_workspace_policies_file_adds_rules_for_that_workspace(scenario):
    (scenario.root / "policies.yaml").write_text("rules: []\n")
    (scenario.folder / "policies.yaml").write_text(
        "rules:\n  - id: dev-described\n    expression: has(object.description)\n"
        "    message: dev jobs say what they do\n"
    )
    scenario.put(Kind.JOB, job_body("日报"))
    scenario.commit()

    result = scenario.run("validate")

    assert result.exit_code == 1
    assert (
        "workspaces/dev/policies.yaml:2: rule dev-described (error): job 日报 (workspaces/dev/jobs/日报.yaml:1): "
        "dev jobs say what they do"
    ) in result.stderr

"""core/cron.py: DataArts' Quartz cron expressions, accepted or refused with the field named."""

from __future__ import annotations

import pytest

from jobsync.core.cron import expression_problem

VALID = [
    "0 0 2 * * ?",
    "0 */15 * * * ?",
    "0 0 2 ? * MON-FRI",
    "0 30 8 1,15 * ?",
    "0 0 0 L * ?",
    "0 0 0 LW * ?",
    "0 0 0 15W * ?",
    "0 0 0 ? * 6L",
    "0 0 0 ? * MON#2",
    "0 0 0 ? * 2#5",
    "0 0 2 * * ? 2027",
]

# (expression, the words the problem must contain)
INVALID = [
    ("0 0 2 * *", "has 5 fields; DataArts wants 6"),
    ("0 0 2 * * ? 2027 x", "has 8 fields"),
    ("0 0 24 * * ?", "field 3 (hour) '24' is out of range 0-23"),
    ("0 60 0 * * ?", "field 2 (minute) '60' is out of range 0-59"),
    ("0 0 0 32 * ?", "field 4 (day of month) '32' is out of range 1-31"),
    ("0 0 0 ? * 8", "field 6 (day of week) '8' is out of range 1-7"),
    ("0 0 0 ? * FUN", "field 6 (day of week) 'FUN' is not a number"),
    ("0 0 ? * * ?", "field 3 (hour) '?': '?' is only allowed for day of month or day of week"),
    ("0 0 0 * * *", "exactly one of day of month (field 4) and day of week (field 6) must be '?'"),
    ("0 0 0 ? * ?", "exactly one of day of month"),
    ("0 */0 * * * ?", "the step after / must be a positive number"),
    ("0 0 0 ? * MON#6", "the number after # must be 1-5"),
    ("30 0 2 * * ?", "field 1 (second) '30': DataArts only schedules at second 0"),
    ("0 0 2 * 1 ?", "field 5 (month) '1': DataArts only accepts '*' for the month"),
    ("0 0 1-25 * * ?", "field 3 (hour) '25' is out of range 0-23"),
]


@pytest.mark.parametrize("expression", VALID)
def test_a_valid_expression_has_no_problem(expression):
    assert expression_problem(expression) is None


@pytest.mark.parametrize(("expression", "words"), INVALID, ids=[case[0] for case in INVALID])
def test_an_invalid_expression_names_what_is_wrong(expression, words):
    problem = expression_problem(expression)
    assert problem is not None and words in problem

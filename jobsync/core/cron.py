"""Checking a job's cron expression in DataArts' Quartz form before the service refuses it.

`schedule.cron.expression` is `<second> <minute> <hour> <day of month> <month> <day of week>`
(reference §5.4, H-0084 Table 10), Quartz syntax: `*`, `?`, lists `a,b`, ranges `a-b`,
steps `a/n` or `*/n`, `L`, `W`, `#`. DataArts adds two limits of its own: the second is `0`
and the month is `*`. Exactly one of day of month and day of week is `?`.
"""

from __future__ import annotations

import re

DAYS = {name: index for index, name in enumerate(("SUN", "MON", "TUE", "WED", "THU", "FRI", "SAT"), start=1)}
# (name, lowest, highest)
FIELDS = (
    ("second", 0, 59),
    ("minute", 0, 59),
    ("hour", 0, 23),
    ("day of month", 1, 31),
    ("month", 1, 12),
    ("day of week", 1, 7),
)
NUMBER = re.compile(r"^\d+$")


def _value(token: str, index: int) -> int | None:
    if NUMBER.match(token):
        return int(token)
    if index == 5 and token.upper() in DAYS:
        return DAYS[token.upper()]
    return None


def _item_problem(item: str, index: int) -> str | None:
    if item == "*" or (index == 3 and item in ("L", "LW")):
        return None
    if index == 3 and re.fullmatch(r"\d+W", item):
        return _range_problem(item[:-1], index)
    if index == 5 and re.fullmatch(r"\w+L|L", item):
        return _range_problem(item[:-1] or "7", index)
    if index == 5 and "#" in item:
        day, _, nth = item.partition("#")
        if not NUMBER.match(nth) or not 1 <= int(nth) <= 5:
            return f"{item!r}: the number after # must be 1-5"
        return _range_problem(day, index)
    base, slash, step = item.partition("/")
    if slash and (not NUMBER.match(step) or int(step) == 0):
        return f"{item!r}: the step after / must be a positive number"
    if base == "*" and slash:
        return None
    start, dash, end = base.partition("-")
    for token in (start, end) if dash else (start,):
        problem = _range_problem(token, index)
        if problem:
            return problem
    return None


def _range_problem(token: str, index: int) -> str | None:
    _, low, high = FIELDS[index]
    value = _value(token, index)
    if value is None:
        return f"{token!r} is not a number"
    if not low <= value <= high:
        return f"{token!r} is out of range {low}-{high}"
    return None


def expression_problem(expression: str) -> str | None:
    """What is wrong with a cron expression, naming the field; None when it is valid."""
    fields = expression.split()
    if len(fields) not in (6, 7):
        return (
            f"{expression!r} has {len(fields)} fields; DataArts wants 6: "
            "<second> <minute> <hour> <day of month> <month> <day of week>, e.g. '0 0 2 * * ?'"
        )
    for index, text in enumerate(fields[:6]):
        name = FIELDS[index][0]
        if text == "?":
            if index not in (3, 5):
                return f"field {index + 1} ({name}) {text!r}: '?' is only allowed for day of month or day of week"
            continue
        for item in text.split(","):
            problem = _item_problem(item, index)
            if problem:
                return f"field {index + 1} ({name}) {problem}"
    if (fields[3] == "?") == (fields[5] == "?"):
        return "exactly one of day of month (field 4) and day of week (field 6) must be '?'"
    if fields[0] != "0":
        return f"field 1 (second) {fields[0]!r}: DataArts only schedules at second 0"
    if fields[4] != "*":
        return f"field 5 (month) {fields[4]!r}: DataArts only accepts '*' for the month"
    return None

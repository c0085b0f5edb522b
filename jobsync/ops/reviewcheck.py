"""`apply --reviewed`: the fresh plan must equal the reviewed one in every field a reviewer can
read, apart from the fields declared volatile below. A plan file is a document people read
(summary, policies, backend, source, repo commit, each object's action, reason, warnings and
diff); a field that may differ unnoticed is a field an attacker may edit. Each difference is
named by its path (`policies.prune`, `changes[job etl].diff`), and nothing is applied.

planfile.differences explains objects whose action or fingerprints changed (why, and who);
this module names every other field, so the two together cover the whole document.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from jobsync.core.mergepatch import same

# Fields a fresh plan may differ in from the reviewed one. None today: the plan document carries
# no timestamp or run id. Add one here (with the reason) before adding such a field.
VOLATILE: frozenset[str] = frozenset()
# Per object, the fields planfile.differences already explains in words.
EXPLAINED = frozenset({"action", "before_fingerprint", "after_fingerprint"})
SHOWN = 80  # characters of a value shown in a difference


class _Missing:
    def __repr__(self) -> str:
        return "nothing"


MISSING: Any = _Missing()


def _show(value: Any) -> str:
    text = repr(value)
    return text if len(text) <= SHOWN else text[: SHOWN - 1] + "…"


def _walk(path: str, reviewed: Any, fresh: Any) -> list[str]:
    """The paths under `path` whose values differ (type-exact), deepest mapping key first."""
    if same(reviewed, fresh):
        return []
    if isinstance(reviewed, Mapping) and isinstance(fresh, Mapping):
        found = []
        for key in sorted(set(reviewed) | set(fresh), key=str):
            found += _walk(f"{path}.{key}", reviewed.get(key, MISSING), fresh.get(key, MISSING))
        return found
    return [f"{path}: the reviewed plan shows {_show(reviewed)}, a plan now has {_show(fresh)}"]


def _changes(reviewed: Any, fresh: Any) -> list[str]:
    def by_key(changes: Any) -> dict[str, Mapping[str, Any]]:
        return {f"{c.get('kind')} {c.get('name')}": c for c in changes or () if isinstance(c, Mapping)}

    old, new = by_key(reviewed), by_key(fresh)
    found = []
    for name in sorted(set(old) & set(new)):
        a, b = old[name], new[name]
        if any(not same(a.get(f, MISSING), b.get(f, MISSING)) for f in EXPLAINED):
            continue  # planfile.differences says why, in words
        for field in sorted((set(a) | set(b)) - EXPLAINED):
            found += _walk(f"changes[{name}].{field}", a.get(field, MISSING), b.get(field, MISSING))
    if not found and [*old] != [*new] and set(old) == set(new):
        found.append("changes: the reviewed plan lists the objects in another order")
    return found


def _moved_commit(path: str, reviewed: Any, fresh: Any, known: Callable[[str], bool]) -> list[str] | None:
    """A commit the fresh plan may see moved on (it is made at the merge): [] when the reviewed
    one is a commit of this repo, that refusal when it is not, None when nothing moved."""
    if not isinstance(reviewed, str) or reviewed == fresh:
        return None
    if not known(reviewed):
        return [f"{path}: the reviewed plan shows {_show(reviewed)}, which is not a commit of this repo"]
    if path == "repo.commit" and not isinstance(fresh, str):
        return None  # a fresh plan with no commit: compared as any other value
    return []


def _repo(reviewed: Any, fresh: Any, known: Callable[[str], bool]) -> list[str]:
    """The repo commit: the fresh plan is made at the merge of the reviewed commit, so it may
    differ, but the reviewed one must be a commit this repo has (what its changes came from)."""
    reviewed = reviewed if isinstance(reviewed, Mapping) else {"": reviewed}
    fresh = fresh if isinstance(fresh, Mapping) else {}
    found = []
    for key in sorted(set(reviewed) | set(fresh), key=str):
        a, b = reviewed.get(key, MISSING), fresh.get(key, MISSING)
        moved = _moved_commit("repo.commit", a, b, known) if key == "commit" else None
        found += _walk(f"repo.{key}", a, b) if moved is None else moved
    return found


# In `checks` (policies.yaml), what describes the pull request the plan was made in rather than
# what apply does: the fresh plan is made at the merge, so it reads its rules from the reviewed
# plan's `rules_commit` (compared exactly) and spells where they came from another way, and the
# notes addressed to the pull request ("this branch changes the rules") are not made again.
CHECKS_CONTEXT = frozenset({"rules_from", "notes"})


def _checks(reviewed: Any, fresh: Any, known: Callable[[str], bool]) -> list[str]:
    """The policies.yaml outcome: failures, approvals and the rules' commit exactly; the head the
    approvals are bound to may be the merged pull request's head, a commit this repo must have."""
    if not isinstance(reviewed, Mapping) or not isinstance(fresh, Mapping):
        return _walk("checks", reviewed, fresh)
    found = []
    for key in sorted((set(reviewed) | set(fresh)) - CHECKS_CONTEXT, key=str):
        a, b = reviewed.get(key, MISSING), fresh.get(key, MISSING)
        moved = _moved_commit("checks.head", a, b, known) if key == "head" else None
        found += _walk(f"checks.{key}", a, b) if moved is None else moved
    return found


def field_differences(
    reviewed: Mapping[str, Any], fresh: Mapping[str, Any], known_commit: Callable[[str], bool]
) -> list[str]:
    """Every field of the reviewed plan document that differs from the fresh one, by path."""
    found = []
    for key in sorted(set(reviewed) | set(fresh), key=str):
        if key in VOLATILE:
            continue
        a, b = reviewed.get(key, MISSING), fresh.get(key, MISSING)
        if key == "changes":
            found += _changes(a, b)
        elif key == "repo":
            found += _repo(a, b, known_commit)
        elif key == "checks":
            found += _checks(a, b, known_commit)
        else:
            found += _walk(str(key), a, b)
    return found

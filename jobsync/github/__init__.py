"""GitHub Actions: the GitOps workflow templates, the sticky plan comment, the drift PR.

The templates (templates/*.yml) are the workflows jobsync's own repository runs: they call
the composite action at the repository top level as `uses: ./`. `write_workflows` copies them
into a user's repo with that line pointing at the published action (ACTION) instead.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

from jobsync.fileio import write_atomic

TEMPLATES = Path(__file__).resolve().parent / "templates"
WORKFLOWS = Path(".github") / "workflows"
LOCAL_ACTION = "uses: ./\n"
ACTION = "OWNER/jobsync@v1"  # OWNER: the GitHub owner hosting jobsync; the ref pins its version


def templates() -> list[Path]:
    return sorted(TEMPLATES.glob("*.yml"))


def workflow_text(template: Path, action: str = ACTION) -> str:
    """A template as a user's repo needs it: the action referenced by `action`."""
    return template.read_text(encoding="utf-8").replace(LOCAL_ACTION, f"uses: {action}\n")


def write_workflows(root: Path, action: str = ACTION) -> Iterator[str]:
    """Write the plan, apply and drift workflows under root/.github/workflows.

    Yields one message per file written, and one on what to edit; never overwrites a file.
    """
    wrote = False
    for template in templates():
        target = root / WORKFLOWS / template.name
        if target.exists():
            yield f"kept {target.relative_to(root)} (it exists)"
            continue
        write_atomic(target, workflow_text(template, action))
        wrote = True
        yield f"wrote {target.relative_to(root)}"
    if wrote and action == ACTION:
        yield (
            f"edit `uses: {ACTION}` in {WORKFLOWS} to where jobsync's action is hosted, and create the "
            "secrets (HUAWEICLOUD_SDK_IDP_ID for OIDC, or HUAWEICLOUD_SDK_AK and HUAWEICLOUD_SDK_SK) and the "
            "GitHub environment `production` (README.md, section 'jobsync delivery')"
        )

"""What a killed run leaves behind, cleaned up by the next run that holds the workspace lock.

`fileio.write_atomic` writes `.<name>.<random>.tmp` beside its target and renames it; a run
killed in between leaves the temporary file. A backup (`.jobsync/backups/<ws>/<stamp>/`) is
written object by object and its `manifest.json` last; a run killed in between leaves a
folder without one. Holding the workspace lock means no other apply or export of this
workspace is writing; a plan may still write its parse cache, so only temporary files older
than STALE_S are removed.
"""

from __future__ import annotations

import re
import time
from collections.abc import Callable, Iterable
from pathlib import Path

from jobsync.repo.config import BACKUPS_DIR, CACHE_DIR, WorkspaceConfig

STALE_S = 60.0
TEMPORARY = re.compile(r"^\..+\.[A-Za-z0-9_]{8}\.tmp$")  # tempfile.mkstemp(prefix=".<name>.", suffix=".tmp")
INCOMPLETE = ".incomplete"


def _temporary_files(folders: Iterable[Path], *, deep: Iterable[Path]) -> Iterable[Path]:
    for folder in folders:
        if folder.is_dir():
            yield from (path for path in folder.iterdir() if TEMPORARY.match(path.name))
    for folder in deep:
        if folder.is_dir():
            yield from (path for path in folder.rglob(".*.tmp") if TEMPORARY.match(path.name))


def sweep(config: WorkspaceConfig, state_path: Path | None, say: Callable[[str], None]) -> None:
    """Remove stale temporary files of this workspace and mark backups without a manifest."""
    now = time.time()
    shallow = [config.repo_root / CACHE_DIR] + ([state_path.parent] if state_path is not None else [])
    removed = 0
    for path in _temporary_files(shallow, deep=[config.folder]):
        try:
            if now - path.stat().st_mtime > STALE_S and path.is_file():
                path.unlink()
                removed += 1
        except FileNotFoundError:
            continue
    if removed:
        say(f"removed {removed} temporary file(s) a killed jobsync run left behind")
    backups = config.repo_root / BACKUPS_DIR / config.name
    if backups.is_dir():
        for folder in sorted(backups.iterdir()):
            if folder.is_dir() and not folder.name.endswith(INCOMPLETE) and not (folder / "manifest.json").exists():
                target = folder.with_name(folder.name + INCOMPLETE)
                folder.rename(target)
                say(
                    f"the backup {folder} has no manifest (its run was killed while writing it); "
                    f"renamed it {target.name}: it may lack some of the definitions it was saving"
                )

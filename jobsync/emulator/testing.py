"""Run the emulator in a background thread, for tests and benchmarks.

    with running_emulator() as emulator:
        emulator.set_workspace("ws1", {"jobs": [...]})
        ...  # point a DataArtsWorkspace at emulator.url with emulator.credentials[0]

A session-scoped server with `reset()` between tests keeps a suite fast.
"""

from __future__ import annotations

import contextlib
import copy
import threading
from collections.abc import Iterator
from dataclasses import asdict
from pathlib import Path
from typing import TYPE_CHECKING, Any

from jobsync.emulator.app import EmulatorApp
from jobsync.emulator.faults import Options
from jobsync.emulator.paging import ROW
from jobsync.emulator.server import make_server
from jobsync.emulator.state import EmulatorState, default_state

if TYPE_CHECKING:
    from jobsync.backends.dataarts.workspace import DataArtsWorkspace

TRANSFER_BUCKET = "jobsync-transfer"


class EmulatorServer:
    """A running emulator on 127.0.0.1.

    `url` is the API base and `obs_url` the OBS endpoint (the same address). `reset()` brings
    back a state (the default one if None), the startup options, row offsets, and zero counts.
    """

    def __init__(self, state: dict[str, Any] | None, options: Options, state_file: Path | None = None) -> None:
        self._startup = asdict(options)
        self.app = EmulatorApp(EmulatorState(state, path=state_file), options)
        self._server = make_server(self.app)
        host, port = str(self._server.server_address[0]), self._server.server_address[1]
        self.url = f"http://{host}:{port}"
        self.obs_url = self.url
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)
        self._thread.start()

    @property
    def project_id(self) -> str:
        return self.app.state.project_id

    @property
    def credentials(self) -> list[dict[str, str]]:
        return copy.deepcopy(self.app.state.data["credentials"])

    def credential(self, user: str) -> tuple[str, str]:
        """(ak, sk) of a user of the state."""
        found = next(c for c in self.app.state.data["credentials"] if c["user"] == user)
        return found["ak"], found["sk"]

    @property
    def request_counts(self) -> dict[str, int]:
        """Requests served so far by endpoint label, e.g. {"GET v1/jobs": 3, "PUT obs": 1}."""
        with self.app._count_lock:
            return dict(self.app.request_counts)

    def reset(self, state: dict[str, Any] | None = None) -> None:
        self.app.state.load(default_state() if state is None else state)
        self.app.faults.configure(**self._startup)
        self.app.offset_mode = ROW
        with self.app._count_lock:
            self.app.request_counts.clear()

    def configure(self, **options: Any) -> None:
        """Change latency_ms, rate_limit, fail_rate, seed (and offset_mode) while running."""
        mode = options.pop("offset_mode", None)
        if mode is not None:
            self.app.offset_mode = mode
        self.app.faults.configure(**options)

    def set_workspace(self, workspace_id: str, document: dict[str, Any]) -> None:
        self.app.state.set_workspace(workspace_id, document)

    def set_cdm(self, clusters: list[dict[str, Any]]) -> None:
        """Replace the CDM clusters (each {name, id?, status?, links?, jobs?})."""
        with self.app.state.lock:
            self.app.state.data["cdm"] = {"clusters": copy.deepcopy(clusters)}
            self.app.state.cdm_clusters()

    def cdm(self) -> list[dict[str, Any]]:
        """A deep copy of the CDM clusters as they are now, secrets included."""
        with self.app.state.lock:
            return copy.deepcopy(self.app.state.cdm_clusters())

    def workspace(self, workspace_id: str) -> dict[str, Any]:
        """A deep copy of a workspace document as it is now."""
        with self.app.state.lock:
            return copy.deepcopy(self.app.state.data["workspaces"][workspace_id])

    def backend_config(self, workspace_id: str = "default", **changes: Any) -> dict[str, Any]:
        """A workspace.yaml `backend:` mapping pointing at this emulator."""
        backend = {
            "type": "dataarts",
            "region": "cn-north-4",
            "project_id": self.project_id,
            "workspace_id": workspace_id,
            "endpoint": self.url,
            "obs": {"bucket": TRANSFER_BUCKET, "endpoint": self.obs_url},
        }
        backend.update(changes)
        return backend

    def environment(self, user: str = "analyst") -> dict[str, str]:
        """The environment variables that make jobsync act as `user` (emulator demo keys)."""
        ak, sk = self.credential(user)
        return {"HUAWEICLOUD_SDK_AK": ak, "HUAWEICLOUD_SDK_SK": sk}

    def dataarts_workspace(
        self, workspace_id: str = "default", user: str = "analyst", **changes: Any
    ) -> DataArtsWorkspace:
        """A DataArtsWorkspace on this emulator acting as `user`; close it after use."""
        from jobsync.backends.dataarts.config import parse_config
        from jobsync.backends.dataarts.gate import GatedObsClient
        from jobsync.backends.dataarts.http import Credentials
        from jobsync.backends.dataarts.importer import ObsTransfer
        from jobsync.backends.dataarts.workspace import DataArtsWorkspace

        ak, sk = self.credential(user)
        config = parse_config(self.backend_config(workspace_id, **changes), "workspace.yaml")
        obs = GatedObsClient(access_key_id=ak, secret_access_key=sk, server=self.obs_url, path_style=True)
        transfer = ObsTransfer(obs, TRANSFER_BUCKET)
        return DataArtsWorkspace(config, Credentials(ak=ak, sk=sk), obs=transfer)

    def close(self) -> None:
        self._server.shutdown()
        self._server.server_close()
        self._thread.join(timeout=5)
        self.app.state.close()


@contextlib.contextmanager
def running_emulator(
    state: dict[str, Any] | None = None, *, state_file: Path | None = None, **options: Any
) -> Iterator[EmulatorServer]:
    """Serve an emulator on 127.0.0.1, port 0, for the duration of the block.

    state_file: keep the state on disk there, as `emulator serve --state` does.
    options: latency_ms, rate_limit, fail_rate, seed (see faults.Options).
    """
    server = EmulatorServer(state, Options(**options), state_file)
    try:
        yield server
    finally:
        server.close()

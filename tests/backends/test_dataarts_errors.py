"""The dataarts backend says what happened: where credentials may go, and one clear message,
exit 1, for each way an endpoint can be wrong. Real sockets on loopback throughout."""

from __future__ import annotations

import http.server
import socket
import threading
from collections.abc import Iterator

import pytest
import requests
import yaml
from support import git, job_body

from jobsync.backends.dataarts import http as dahttp
from jobsync.backends.dataarts.config import parse_config, trusted_endpoint
from jobsync.backends.dataarts.http import Credentials, SignedClient
from jobsync.core.model import Kind
from jobsync.errors import ConfigError

BASE = {"region": "cn-north-4", "project_id": "p", "workspace_id": "w"}


@pytest.mark.parametrize(
    ("url", "trusted"),
    [
        ("https://dayu-dlf.cn-north-4.myhuaweicloud.com", True),
        ("https://obs.eu-west-101.myhuaweicloud.eu", True),
        ("http://dayu-dlf.cn-north-4.myhuaweicloud.com", False),  # plain http to the cloud
        ("https://myhuaweicloud.com.attacker.example", False),
        ("https://attacker.example", False),
        ("http://127.0.0.1:8080", True),
        ("http://[::1]:8080", True),
        ("http://localhost:9", True),
    ],
)
def test_credentials_go_only_to_huawei_cloud_over_https_or_to_loopback(url, trusted):
    assert trusted_endpoint(url, {}) is trusted


def test_an_untrusted_endpoint_is_refused_unless_the_environment_lists_it(monkeypatch):
    backend = {**BASE, "endpoint": "https://dataarts.corp.example", "obs": {"endpoint": "http://obs.corp.example"}}

    with pytest.raises(ConfigError) as refused:
        parse_config(backend, "workspace.yaml")
    monkeypatch.setenv("JOBSYNC_TRUSTED_ENDPOINTS", "https://dataarts.corp.example, http://obs.corp.example")
    allowed = parse_config(backend, "workspace.yaml")

    fields = {problem.field for problem in refused.value.problems}
    assert {"backend.endpoint", "backend.obs.endpoint"} <= fields
    assert "JOBSYNC_TRUSTED_ENDPOINTS" in str(refused.value)
    assert allowed.endpoint == "https://dataarts.corp.example"


@pytest.fixture
def listener() -> Iterator[socket.socket]:
    """A loopback socket that listens but never answers: it shows whether anyone connected."""
    server = socket.socket()
    server.bind(("127.0.0.1", 0))
    server.listen(8)
    server.setblocking(False)
    yield server
    server.close()


def _connections(server: socket.socket) -> int:
    count = 0
    while True:
        try:
            conn, _ = server.accept()
        except BlockingIOError:
            return count
        conn.close()
        count += 1


@pytest.mark.emulator
def test_plan_with_backend_from_uses_the_base_branch_settings_and_says_the_branch_changed_them(
    emulator_scenario, listener
):
    scenario = emulator_scenario
    scenario.put(Kind.JOB, job_body("etl"))
    scenario.commit("base")
    git(scenario.root, "switch", "-q", "-c", "pr")
    config = yaml.safe_load((scenario.folder / "workspace.yaml").read_text())
    config["backend"]["endpoint"] = f"http://127.0.0.1:{listener.getsockname()[1]}"
    (scenario.folder / "workspace.yaml").write_text(yaml.safe_dump(config))
    scenario.commit("point the endpoint elsewhere")

    result = scenario.run("plan", "-w", "dev", "--backend-from", "main")

    assert result.exit_code == 0, result.stderr
    assert "this branch changes backend settings in workspaces/dev/workspace.yaml" in result.stderr
    assert "+ job etl" in result.stdout
    assert _connections(listener) == 0  # the branch's endpoint never saw the credentials


@pytest.fixture
def emulator_scenario(emulator_server, tmp_path):
    from conftest import EMULATOR_STATE
    from support import WORKSPACE_ID, Scenario, environment

    emulator_server.reset(EMULATOR_STATE)
    emulator_server.set_workspace(WORKSPACE_ID, environment())
    return Scenario(tmp_path, "emulator", emulator_server)


def _with_backend(scenario, **changes):
    config = yaml.safe_load((scenario.folder / "workspace.yaml").read_text())
    config["backend"].update(changes)
    (scenario.folder / "workspace.yaml").write_text(yaml.safe_dump(config))
    scenario.commit()


class NotFound(http.server.BaseHTTPRequestHandler):
    def do_GET(self) -> None:
        self.send_response(404)
        self.send_header("Content-Length", "9")
        self.end_headers()
        self.wfile.write(b"not found")

    def log_message(self, *args) -> None:
        return None


@pytest.fixture
def not_found_server() -> Iterator[str]:
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), NotFound)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()
    server.server_close()


def _closed_port() -> int:
    probe = socket.socket()
    probe.bind(("127.0.0.1", 0))
    port = probe.getsockname()[1]
    probe.close()
    return port


@pytest.mark.emulator
@pytest.mark.parametrize(
    "case",
    ["refused", "dns", "tls", "not-found", "unknown-workspace", "bad-secret"],
)
def test_each_wrong_endpoint_or_setting_gets_its_own_message(emulator_scenario, not_found_server, case):
    scenario = emulator_scenario
    env: dict[str, str] = {}
    port = scenario.emulator.url.rsplit(":", 1)[1]
    if case == "refused":
        url = f"http://127.0.0.1:{_closed_port()}"
        _with_backend(scenario, endpoint=url)
        says = f"{url} refused the connection: nothing listens there; check backend.endpoint"
    elif case == "dns":
        url = "https://no-such-host.invalid"
        env["JOBSYNC_TRUSTED_ENDPOINTS"] = url
        _with_backend(scenario, endpoint=url)
        says = "cannot resolve the host no-such-host.invalid: check backend.endpoint"
    elif case == "tls":
        _with_backend(scenario, endpoint=f"https://127.0.0.1:{port}")  # the emulator speaks plain http
        says = f"the TLS handshake with https://127.0.0.1:{port} failed"
    elif case == "not-found":
        _with_backend(scenario, endpoint=not_found_server)
        says = "backend.endpoint is not a DataArts Factory endpoint"
    elif case == "unknown-workspace":
        _with_backend(scenario, workspace_id="no-such-workspace")
        says = "does not know workspace id 'no-such-workspace'"
    else:
        scenario.commit()
        env["HUAWEICLOUD_SDK_SK"] = "wrong"
        says = "refused the credentials"

    result = scenario.run("plan", "-w", "dev", env=env)

    assert result.exit_code == 1, result.stderr
    assert says in result.stderr
    assert "internal error" not in result.stderr


class Replies:
    """A session stand-in that answers from a list; the HTTP stack is not what is tested here."""

    def __init__(self, replies: list[requests.Response]) -> None:
        self.replies = replies
        self.sent = 0

    def request(self, *args, **kwargs) -> requests.Response:
        self.sent += 1
        return self.replies.pop(0)

    def close(self) -> None:
        return None


def _response(status: int, headers: dict[str, str]) -> requests.Response:
    response = requests.Response()
    response.status_code = status
    response.headers.update(headers)
    response._content = b"{}"
    return response


def test_a_429_waits_as_long_as_retry_after_says(monkeypatch):
    waits: list[float] = []
    monkeypatch.setattr(dahttp.time, "sleep", waits.append)
    session = Replies([_response(429, {"Retry-After": "3"}), _response(200, {})])
    client = SignedClient("http://127.0.0.1:9", Credentials(iam_token="t"), project_id="p", session=session, rate=0)

    client.call("GET", "/v1/p/jobs")

    assert session.sent == 2
    assert waits and max(waits) >= 3


def test_retry_after_reads_seconds_and_dates_and_is_capped():
    assert dahttp.retry_after(_response(429, {"Retry-After": "2.5"})) == 2.5
    assert dahttp.retry_after(_response(429, {})) == 0.0
    assert dahttp.retry_after(_response(429, {"Retry-After": "100000"})) == dahttp.MAX_RETRY_AFTER_S
    assert dahttp.retry_after(_response(429, {"Retry-After": "Wed, 21 Oct 2015 07:28:00 GMT"})) == 0.0

"""No request carrying credentials reaches a host outside loopback and
the allow-list, over every client of the dataarts backend (V1, V2, DLI, DIS, GES, CDM, OBS, IAM
federation) and every URL form of the corpus, redirects included.

The untrusted host is `evil.invalid`, a name that never resolves: the test's resolver sends it
to a loopback logging server (the only thing mocked: DNS, which cannot run here), which records
every request by its Host header. The same server, reached as 127.0.0.1, plays a trusted
endpoint that answers each request with a redirect to the untrusted host.
"""

from __future__ import annotations

import json
import socket
import threading
from collections.abc import Iterator
from contextlib import suppress
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import pytest
from support import WORKSPACE_ID, Scenario, environment

from jobsync.backends.dataarts import federation
from jobsync.backends.dataarts.config import DataArtsConfig
from jobsync.backends.dataarts.gate import GatedObsClient, GateError, origin, refusal
from jobsync.backends.dataarts.http import Credentials, RetryPolicy
from jobsync.backends.dataarts.importer import ObsTransfer
from jobsync.backends.dataarts.workspace import DataArtsWorkspace
from jobsync.errors import JobsyncError

EVIL = "evil.invalid"
SECRET_HEADERS = ("authorization", "x-auth-token", "x-security-token")


class Logger(ThreadingHTTPServer):
    daemon_threads = True

    def __init__(self) -> None:
        super().__init__(("127.0.0.1", 0), Handler)
        self.seen: list[tuple[str, str, dict[str, str]]] = []  # (Host header, request line, headers)
        self.redirect = 302
        self.location = ""

    @property
    def port(self) -> int:
        return int(self.server_address[1])

    def leaks(self) -> list[tuple[str, str]]:
        """Requests with a credential that reached a host other than loopback."""
        return [
            (host, line)
            for host, line, headers in self.seen
            if not host.startswith(("127.0.0.1", "localhost"))
            and (set(SECRET_HEADERS) & set(headers) or "id_token" in headers.get("body", ""))
        ]


class Handler(BaseHTTPRequestHandler):
    server: Logger

    def log_message(self, *args: Any) -> None:
        pass

    def answer(self) -> None:
        length = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(length).decode("utf-8", "replace") if length else ""
        headers = {key.lower(): value for key, value in self.headers.items()}
        headers["body"] = body
        host = self.headers.get("Host", "")
        self.server.seen.append((host, self.requestline, headers))
        if host.startswith("127.0.0.1") and self.server.location:
            self.send_response(self.server.redirect)
            self.send_header("Location", self.server.location.format(port=self.server.port, path=self.path))
            self.send_header("Content-Length", "0")
            self.end_headers()
            return
        data = json.dumps({"total": 0, "jobs": [], "credential": {}}).encode()
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("X-Subject-Token", "unscoped")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    do_GET = do_POST = do_PUT = do_DELETE = do_HEAD = answer


@pytest.fixture
def logger(monkeypatch: pytest.MonkeyPatch) -> Iterator[Logger]:
    server = Logger()
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    real = socket.getaddrinfo

    def resolve(host: Any, *args: Any, **kwargs: Any) -> Any:
        name = host.decode() if isinstance(host, bytes) else str(host or "")
        return real("127.0.0.1" if name.endswith(".invalid") else host, *args, **kwargs)

    monkeypatch.setattr(socket, "getaddrinfo", resolve)
    yield server
    server.shutdown()
    server.server_close()


# {port} is the logging server's. Each class has more than one spelling.
CORPUS = {
    "plain untrusted host": [
        "http://evil.invalid:{port}",
        "https://evil.invalid:{port}",
        "http://dayu.cn-north-4.myhuaweicloud.com.evil.invalid:{port}",
        "http://EVIL.invalid:{port}/.myhuaweicloud.com",
    ],
    "backslash": [
        "http://evil.invalid:{port}\\@127.0.0.1:{port}",
        "http://127.0.0.1:{port}\\@evil.invalid:{port}",
        "https://evil.invalid:{port}\\@dayu.cn-north-4.myhuaweicloud.com",
        "http://evil.invalid:{port}\\\\.127.0.0.1",
    ],
    "userinfo": [
        "http://127.0.0.1:{port}@evil.invalid:{port}",
        "http://user:password@evil.invalid:{port}",
        "https://dayu.cn-north-4.myhuaweicloud.com@evil.invalid:{port}",
    ],
    "control characters": [
        "http://evil.invalid:{port}\t@127.0.0.1:{port}",
        "http://127.0.0.1:{port}\n@evil.invalid:{port}",
        "http://evil.invalid:{port}\x00.myhuaweicloud.com",
        "http://127.0.0.1:{port} @evil.invalid:{port}",
    ],
    "percent-encoded separators": [
        "http://127.0.0.1:{port}%2f@evil.invalid:{port}",
        "http://evil.invalid:{port}%2F.myhuaweicloud.com",
        "http://127.0.0.1%40evil.invalid:{port}",
        "http://evil.invalid:{port}%5c@127.0.0.1:{port}",
    ],
}
REDIRECTS = [
    (302, "http://evil.invalid:{port}{path}"),
    (307, "http://evil.invalid:{port}{path}"),
    (301, "//evil.invalid:{port}/landed"),
    (308, "http://127.0.0.1:{port}@evil.invalid:{port}/landed"),
]
CASES = [(kind, url) for kind, urls in CORPUS.items() for url in urls]


def _workspace(url: str, credentials: Credentials) -> DataArtsWorkspace:
    """A workspace whose every endpoint is `url`, built past the config-time check: the gate alone must hold."""
    config = DataArtsConfig(
        region="cn-north-4",
        project_id="p",
        workspace_id="w",
        endpoint=url,
        v2_endpoint=url,
        dli_endpoint=url,
        dis_endpoint=url,
        ges_endpoint=url,
        cdm_endpoint=url,
        obs_bucket=None,
        obs_endpoint=url,
        obs_path_style=True,
        rate_limit=0,
        concurrency=1,
    )
    return DataArtsWorkspace(config, credentials)


CREDENTIALS = {
    "aksk+security-token": Credentials(ak="AKTEST", sk="sk-test", security_token="st-secret"),
    "iam-token": Credentials(iam_token="iam-secret"),
}


def _every_client(url: str) -> list[str]:
    """Send one request through every client at `url`; the errors each raised."""
    errors: list[str] = []
    for credentials in CREDENTIALS.values():
        try:
            workspace = _workspace(url, credentials)
        except GateError as error:  # the endpoint is refused before any client exists
            errors.append(str(error))
            continue
        clients = [
            workspace.client,
            workspace.lister,
            workspace.v2,
            workspace.dli,
            workspace.dis,
            workspace.ges,
            workspace.cdm.client,
        ]
        try:
            for client in clients:
                client.retry = RetryPolicy(attempts=1)
                try:
                    client.get_json(client.path("jobs"))
                except JobsyncError as error:
                    errors.append(str(error))
                else:
                    errors.append("")
        finally:
            workspace.close()
    try:
        obs = GatedObsClient(
            access_key_id="AKTEST",
            secret_access_key="sk-test",
            security_token="st-secret",
            server=url,
            path_style=True,
            max_retry_count=0,
        )
        transfer = ObsTransfer(obs, "bucket")
        transfer.retry = RetryPolicy(attempts=1, base_s=0)
        transfer.put(b"zip")
    except JobsyncError as error:
        errors.append(str(error))
    else:
        errors.append("")
    return errors


def _federate(url: str, tmp_path: Any) -> str:
    token = tmp_path / "id-token"
    token.write_text("id_token-secret")
    env = {"HUAWEICLOUD_SDK_IDP_ID": "github", "HUAWEICLOUD_SDK_ID_TOKEN_FILE": str(token)}
    try:
        federation.exchange({**env, "HUAWEICLOUD_SDK_IAM_ENDPOINT": url})
    except JobsyncError as error:
        return str(error)
    return ""


@pytest.mark.parametrize(("kind", "template"), CASES, ids=[f"{kind}-{i}" for i, (kind, _) in enumerate(CASES)])
def test_no_credential_reaches_an_untrusted_host_over_any_client(logger, tmp_path, kind, template):
    url = template.format(port=logger.port)

    errors = [*_every_client(url), _federate(url, tmp_path)]

    assert logger.leaks() == [], kind
    assert all(errors), f"a client sent to {url!r} without an error: {errors}"
    assert refusal(url, environ={}) is not None


@pytest.mark.parametrize(("status", "location"), REDIRECTS)
def test_a_redirect_from_a_trusted_endpoint_is_an_error_naming_both_urls(logger, tmp_path, status, location):
    logger.redirect, logger.location = status, location
    trusted = f"http://127.0.0.1:{logger.port}"

    errors = [*_every_client(trusted), _federate(trusted, tmp_path)]

    assert logger.leaks() == []
    assert logger.seen, "the trusted endpoint was asked"
    assert [e for e in errors if not ("redirect" in e and trusted.removeprefix("http://") in e)] == []
    assert all("evil.invalid" in error for error in errors), errors


def test_the_emulator_and_huawei_cloud_pass_the_gate():
    assert refusal("http://127.0.0.1:8080/v1/p/jobs/a%2Fb", environ={}) is None
    assert refusal("http://[::1]:8080/v1", environ={}) is None
    assert refusal("https://dayu-dlf.cn-north-4.myhuaweicloud.com/v1/p/jobs", environ={}) is None
    assert refusal("http://dayu-dlf.cn-north-4.myhuaweicloud.com/v1", environ={}) is not None
    listed = {"JOBSYNC_TRUSTED_ENDPOINTS": "https://dataarts.corp.example:8443"}
    assert refusal("https://dataarts.corp.example:8443/v1/p/jobs", environ=listed) is None
    assert refusal("https://dataarts.corp.example/v1/p/jobs", environ=listed) is not None
    assert origin("HTTPS://Dayu.CN-north-4.myhuaweicloud.com").host == "dayu.cn-north-4.myhuaweicloud.com"


def _scenario(server: Any, tmp_path: Any, **backend: Any) -> Scenario:
    from conftest import EMULATOR_STATE

    server.reset(EMULATOR_STATE)
    server.set_workspace(WORKSPACE_ID, environment())
    scenario = Scenario(tmp_path, "emulator", server, configure=False)
    scenario.configure()
    path = scenario.folder / "workspace.yaml"
    import yaml

    config = yaml.safe_load(path.read_text())
    config["backend"].update(backend)
    path.write_text(yaml.safe_dump(config, sort_keys=False))
    scenario.commit()
    return scenario


@pytest.mark.parametrize(
    "backend",
    [
        {"v2_endpoint": "http://evil.invalid:{port}", "instance_id": "instance-1"},  # the repro: 8 signed requests
        {"endpoint": "http://evil.invalid:{port}\\@127.0.0.1:{port}"},  # the repro: 64 signed requests
        {"endpoint": "http://127.0.0.1:{port}\\@evil.invalid:{port}"},
    ],
    ids=["v2_endpoint", "backslash-before-at", "backslash-after-at"],
)
def test_plan_sends_nothing_to_a_host_the_repo_names(emulator_server, logger, tmp_path, backend):
    settings = {key: value.format(port=logger.port) for key, value in backend.items()}
    scenario = _scenario(emulator_server, tmp_path, **settings)
    scenario.env["HUAWEICLOUD_SDK_SECURITY_TOKEN"] = "st-secret"

    with suppress(GateError):
        result = scenario.run("plan", "-w", "dev")
        assert result.exit_code == 1, result.stdout
        assert "JOBSYNC_TRUSTED_ENDPOINTS" in result.stderr or "refused" in result.stderr

    assert logger.leaks() == []


def test_plan_stops_at_a_redirect_of_the_trusted_endpoint(emulator_server, logger, tmp_path):
    logger.redirect, logger.location = 302, "http://evil.invalid:{port}{path}"
    scenario = _scenario(emulator_server, tmp_path, endpoint=f"http://127.0.0.1:{logger.port}")
    scenario.env["HUAWEICLOUD_SDK_SECURITY_TOKEN"] = "st-secret"

    result = scenario.run("plan", "-w", "dev")

    assert result.exit_code == 1
    assert "answered with a redirect to http://evil.invalid" in result.stderr
    assert logger.leaks() == []

"""The one gate every request of the dataarts backend passes on its way out.

Every request these clients send carries credentials (an AK/SK signature, `X-Security-Token`,
`X-Auth-Token`, an OIDC identity token), so the gate decides on the host, not on the headers:
a request leaves only to loopback (the emulator), to https on a Huawei Cloud domain, or to an
origin listed in the environment variable JOBSYNC_TRUSTED_ENDPOINTS (never the repo: a branch
that edits workspace.yaml must not redirect the secrets).

It decides at the sink, on the URL the HTTP library really sends: `GatedAdapter.send` sees
requests' prepared URL, and `GatedObsClient` the host, port and scheme esdk-obs opens a
connection to. A check that parses a URL one way while another library sends it parses it
another way lets secrets out (a backslash before an `@` did), so a URL whose parts parsers
read differently is refused outright: a backslash, a control character or a space anywhere,
userinfo, a percent sign or any character but letters, digits, `.` and `-` in the host. The
path is ours (SignedClient quotes every segment), so `%2F` there is a job name's `/`.

No redirect is followed: a 3xx answer is an error naming both URLs. requests drops only
`Authorization` on a redirect to another host; the security and IAM tokens went along.

Config-time checks (config.py) use the same `refusal` for early messages naming the
workspace.yaml field; this gate is the guarantee.
"""

from __future__ import annotations

import ipaddress
import os
import re
import threading
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

import requests
from obs import ObsClient
from requests.adapters import HTTPAdapter
from urllib3.util import parse_url

from jobsync.errors import RemoteError

TRUSTED_ENDPOINTS_ENV = "JOBSYNC_TRUSTED_ENDPOINTS"
HUAWEI_CLOUD_DOMAINS = (".myhuaweicloud.com", ".myhuaweicloud.eu", ".huaweicloud.com")
HOST_NAME = re.compile(r"^[a-z0-9]([a-z0-9-]*[a-z0-9])?(\.[a-z0-9]([a-z0-9-]*[a-z0-9])?)*$")
IPV6 = re.compile(r"^\[[0-9a-f:.]+\]$")
UNSAFE = re.compile(r"[\\\x00-\x20\x7f]")  # backslash, control characters, space
DEFAULT_PORTS = {"http": 80, "https": 443}


class GateError(RemoteError):
    """A request refused before it left, or a redirect refused before it was followed."""


@dataclass(frozen=True)
class Origin:
    scheme: str
    host: str  # lower case; an IPv6 address in brackets
    port: int

    def __str__(self) -> str:
        port = "" if DEFAULT_PORTS.get(self.scheme) == self.port else f":{self.port}"
        return f"{self.scheme}://{self.host}{port}"

    @property
    def netloc(self) -> str:
        return str(self).split("://", 1)[1]

    @property
    def loopback(self) -> bool:
        if self.host == "localhost":
            return True
        try:
            return ipaddress.ip_address(self.host.strip("[]")).is_loopback
        except ValueError:
            return False


def origin(url: str) -> Origin:
    """The (scheme, host, port) of `url`, or ValueError saying why its parts are ambiguous.

    Two parsers (urllib.parse, which requests connects with, and urllib3's, which prepares the
    request) must agree on every part, and the authority must be a plain host and port.
    """
    if UNSAFE.search(url):
        raise ValueError("it has a backslash, a space or a control character")
    if not url.isascii():
        raise ValueError("it has a non-ASCII character (write the host in its xn-- form)")
    parts = urlsplit(url)
    scheme = parts.scheme.lower()
    if scheme not in DEFAULT_PORTS:
        raise ValueError(f"its scheme is {parts.scheme or 'missing'}, not http or https")
    netloc = parts.netloc.lower()
    if "@" in netloc:
        raise ValueError("it has userinfo (a user or password before an @)")
    if "%" in netloc:
        raise ValueError("its host has a percent-encoded character")
    host, _, port_text = netloc.rpartition(":") if not netloc.endswith("]") else (netloc, "", "")
    if not host:  # no port
        host, port_text = netloc, ""
    if not (HOST_NAME.match(host) or IPV6.match(host)):
        raise ValueError(f"its host {host!r} is not a plain host name or address")
    if port_text and not (port_text.isdigit() and 0 < int(port_text) < 65536):
        raise ValueError(f"its port {port_text!r} is not a number from 1 to 65535")
    port = int(port_text) if port_text else DEFAULT_PORTS[scheme]
    other = parse_url(url)
    if (other.scheme, (other.host or "").lower(), other.port or DEFAULT_PORTS[scheme]) != (scheme, host, port):
        raise ValueError("its parts read differently to different URL parsers")
    return Origin(scheme, host, port)


def checked_origin(url: str) -> Origin:
    """`origin(url)`, a GateError naming the URL when its parts are ambiguous."""
    try:
        return origin(url)
    except ValueError as error:
        raise GateError(f"refused the endpoint {url!r}: {error}") from None


def trusted_origins(environ: Mapping[str, str] | None = None) -> frozenset[Origin]:
    """The origins JOBSYNC_TRUSTED_ENDPOINTS lists (comma-separated URLs); ambiguous ones are ignored."""
    env = os.environ if environ is None else environ
    found = set()
    for item in env.get(TRUSTED_ENDPOINTS_ENV, "").split(","):
        try:
            found.add(origin(item.strip()))
        except ValueError:
            continue
    return frozenset(found)


def refusal(url: str, extra: Iterable[Origin] = (), environ: Mapping[str, str] | None = None) -> str | None:
    """Why credentials may not go to `url`, or None when they may."""
    try:
        where = origin(url)
    except ValueError as error:
        return f"{url!r} is refused: {error}"
    if where.loopback:
        return None
    if where.scheme == "https" and where.host.endswith(HUAWEI_CLOUD_DOMAINS):
        return None
    if where in trusted_origins(environ) or where in set(extra):
        return None
    return (
        f"jobsync sends the credentials only over https to Huawei Cloud endpoints (*.myhuaweicloud.com, "
        f"*.myhuaweicloud.eu, *.huaweicloud.com) or to loopback; {url!r} is neither. If it is yours (a "
        f"private endpoint, a proxy), list it in the environment variable {TRUSTED_ENDPOINTS_ENV}, never in the repo"
    )


def redirect_error(source: str, target: str) -> GateError:
    return GateError(
        f"{source} answered with a redirect to {target}; jobsync follows no redirect with credentials. "
        "Point the endpoint at the final address (list it in JOBSYNC_TRUSTED_ENDPOINTS if it is not Huawei Cloud)"
    )


class GatedAdapter(HTTPAdapter):
    """requests' transport, refusing what `refusal` refuses and every redirect."""

    def __init__(self, extra: Iterable[Origin] = ()) -> None:
        super().__init__()
        self.extra = frozenset(extra)

    def send(self, request: requests.PreparedRequest, *args: Any, **kwargs: Any) -> requests.Response:
        url = request.url or ""
        reason = refusal(url, self.extra)
        if reason:
            raise GateError(f"refused to send {request.method} {url}: {reason}")
        response = super().send(request, *args, **kwargs)
        if 300 <= response.status_code < 400:
            target = response.headers.get("Location", "(no Location)")
            response.close()
            raise redirect_error(url, target)
        return response


def gated_session(extra: Iterable[Origin] = ()) -> requests.Session:
    """A requests.Session whose every request passes the gate (and follows no redirect)."""
    session = requests.Session()
    adapter = GatedAdapter(extra)
    session.mount("http://", adapter)
    session.mount("https://", adapter)
    session.max_redirects = 0
    return session


class GatedObsClient(ObsClient):  # type: ignore[misc]  # esdk-obs has no type hints
    """esdk-obs's client, with the gate where it opens a connection (`_send_request`: the host,
    port and scheme it parsed itself) and no redirect followed (esdk-obs re-sends the signed
    request to any Location it is given)."""

    def __init__(self, **kwargs: Any) -> None:
        checked_origin(str(kwargs.get("server") or ""))
        super().__init__(max_redirect_count=1, **kwargs)
        self.local = threading.local()  # the refusal of this thread's request, raised when it returns

    def _send_request(self, server: str, method: str, path: str, header: Any, *args: Any, **kwargs: Any) -> Any:
        scheme = kwargs.get("scheme") or (args[2] if len(args) > 2 else None)
        port = kwargs.get("port") or (args[1] if len(args) > 1 else None) or self.port
        scheme = scheme or ("https" if self.is_secure else "http")
        url = f"{scheme}://{server}:{port}{path}"
        self.local.url = url
        reason = refusal(url)
        if reason:
            self.local.refused = GateError(f"refused to send {method} {url}: {reason}")
            raise self.local.refused
        return super()._send_request(server, method, path, header, *args, **kwargs)

    def _is_redirect_exception(self, status: int, headers: Mapping[str, str]) -> bool:
        if ObsClient._is_redirect_exception(status, headers):
            self.local.refused = redirect_error(
                str(getattr(self.local, "url", self.server)), headers.get("location", "(no Location)")
            )
            return False  # answered as the error it is, never followed
        return False

    def _make_request_with_retry(self, *args: Any, **kwargs: Any) -> Any:
        self.local.refused = None
        result = super()._make_request_with_retry(*args, **kwargs)
        refused, self.local.refused = self.local.refused, None
        if refused is not None:
            raise refused
        return result

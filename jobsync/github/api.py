"""A small GitHub REST client: the few calls the workflows need, with pagination.

Settings come from the variables GitHub Actions sets: GITHUB_API_URL (default
https://api.github.com), GITHUB_REPOSITORY ("owner/name") and GITHUB_TOKEN. The token is
sent in the Authorization header only; it never appears in a message or an exception.
"""

from __future__ import annotations

import os
import re
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from typing import Any

import requests

from jobsync.errors import JobsyncError, RemoteError

DEFAULT_API_URL = "https://api.github.com"
PER_PAGE = 100
TIMEOUT = 30
LOGIN_ENV = "JOBSYNC_GITHUB_LOGIN"
ACTIONS_BOT = "github-actions[bot]"
NEXT_LINK = re.compile(r'<([^>]+)>;\s*rel="next"')


@dataclass
class GitHub:
    """One repository on a GitHub REST API. `session` is injectable for tests."""

    api_url: str
    repository: str
    token: str = field(repr=False)
    session: requests.Session = field(default_factory=requests.Session, repr=False)
    login: str | None = None  # who the token acts as; `identity()` finds it when not given

    @classmethod
    def from_env(cls, env: Mapping[str, str] | None = None) -> GitHub:
        env = os.environ if env is None else env
        missing = [name for name in ("GITHUB_TOKEN", "GITHUB_REPOSITORY") if not env.get(name)]
        if missing:
            raise JobsyncError(
                f"{' and '.join(missing)} not set; in a workflow pass "
                "`env: GITHUB_TOKEN: ${{ github.token }}` (Actions sets GITHUB_REPOSITORY)"
            )
        api = (env.get("GITHUB_API_URL") or DEFAULT_API_URL).rstrip("/")
        return cls(api, env["GITHUB_REPOSITORY"], env["GITHUB_TOKEN"], login=env.get(LOGIN_ENV) or None)

    def identity(self) -> str:
        """The login the token acts as: JOBSYNC_GITHUB_LOGIN when set (a GitHub App's
        `<slug>[bot]`), else `GET /user` (a personal token), else the Actions bot: the
        workflow's GITHUB_TOKEN cannot read /user (403) and writes as github-actions[bot]."""
        if self.login is None:
            try:
                self.login = str(self.request("GET", f"{self.api_url}/user").json()["login"])
            except RemoteError as error:
                if error.status not in (401, 403, 404):
                    raise
                self.login = ACTIONS_BOT
            except (ValueError, KeyError, TypeError):
                self.login = ACTIONS_BOT
        return self.login

    def _url(self, path: str) -> str:
        return f"{self.api_url}/repos/{self.repository}/{path.lstrip('/')}"

    def request(
        self, method: str, url: str, *, json: Any = None, params: Mapping[str, Any] | None = None
    ) -> requests.Response:
        headers = {
            "Authorization": f"Bearer {self.token}",
            "Accept": "application/vnd.github+json",
            "X-GitHub-Api-Version": "2022-11-28",
        }
        where = url.split("?")[0].removeprefix(self.api_url)
        try:
            response = self.session.request(method, url, json=json, params=params, headers=headers, timeout=TIMEOUT)
        except requests.RequestException as error:
            raise RemoteError(f"GitHub API {method} {where} failed: {type(error).__name__}") from None
        if response.status_code >= 400:
            raise RemoteError(
                f"GitHub API {method} {where} refused: {_message(response)}",
                status=response.status_code,
                request_id=response.headers.get("X-GitHub-Request-Id"),
            )
        return response

    def get_all(self, path: str, params: Mapping[str, Any] | None = None) -> Iterator[dict[str, Any]]:
        """Every item of a list endpoint, following the Link rel="next" headers."""
        url: str | None = self._url(path)
        query: Mapping[str, Any] | None = {"per_page": PER_PAGE, **(params or {})}
        while url:
            response = self.request("GET", url, params=query)
            yield from response.json()
            found = NEXT_LINK.search(response.headers.get("Link", ""))
            url, query = (found.group(1), None) if found else (None, None)

    def get(self, path: str, params: Mapping[str, Any] | None = None) -> Any:
        return self.request("GET", self._url(path), params=params).json()

    def download(self, path: str) -> bytes:
        """A download endpoint's bytes (GitHub redirects to storage; requests drops the
        Authorization header when the redirect leaves the API host)."""
        return self.request("GET", self._url(path)).content

    def post(self, path: str, body: Mapping[str, Any]) -> dict[str, Any]:
        result: dict[str, Any] = self.request("POST", self._url(path), json=body).json()
        return result

    def patch(self, path: str, body: Mapping[str, Any]) -> dict[str, Any]:
        result: dict[str, Any] = self.request("PATCH", self._url(path), json=body).json()
        return result


def _message(response: requests.Response) -> str:
    try:
        message = response.json().get("message")
    except ValueError:
        message = None
    return str(message or response.reason or "no message")

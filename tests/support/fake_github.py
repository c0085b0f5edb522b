"""A fake of the few GitHub REST endpoints jobsync calls, served on loopback in a thread.

tests/github/conftest.py's `fake_github` fixture gives a fresh one per test;
`fake_github.env` is what a workflow step passes to jobsync (GITHUB_API_URL,
GITHUB_REPOSITORY, GITHUB_TOKEN).

State is plain dicts: `comments[pr]`, `pulls`, `commit_pulls` (a pushed commit -> its pull
request), `pull_heads` (a pull request -> its head commit), `reviews[pr]` (added by `add_review`),
`teams` ("org/slug" -> member logins) and `artifacts` (uploaded by
`upload_artifact`; the zip download redirects to a storage URL like GitHub's). Lists are paged `page_size` at a time
(small on purpose, so the client has to follow Link headers), and every request needs the
bearer token. `requests_seen` records (method, path) for assertions.
"""

from __future__ import annotations

import io
import json
import re
import threading
import zipfile
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from typing import Any
from urllib.parse import parse_qs
from wsgiref.simple_server import WSGIRequestHandler, WSGIServer, make_server

TOKEN = "ghs_fake_token_for_tests"
REPOSITORY = "acme/jobs"

Response = tuple[str, list[tuple[str, str]], bytes]


class _Quiet(WSGIRequestHandler):
    def log_message(self, format: str, *args: Any) -> None:
        pass


class FakeGitHub:
    def __init__(self, page_size: int = 2) -> None:
        self.page_size = page_size
        self.comments: dict[int, list[dict[str, Any]]] = {}
        self.pulls: list[dict[str, Any]] = []
        self.commit_pulls: dict[str, int] = {}
        self.pull_heads: dict[int, str] = {}
        self.artifacts: list[dict[str, Any]] = []
        self.reviews: dict[int, list[dict[str, Any]]] = {}
        self.teams: dict[str, set[str]] = {}
        self.blobs: dict[int, bytes] = {}
        self.requests_seen: list[tuple[str, str]] = []
        self.url = ""
        # GET /user: a personal token's login; None answers 403 as for the workflow's GITHUB_TOKEN,
        # whose comments are written by github-actions[bot]
        self.user_login: str | None = None
        self._next_id = 1000
        self._routes: list[tuple[str, re.Pattern[str], Callable[..., Response]]] = [
            ("GET", re.compile(r"issues/(\d+)/comments"), self._list_comments),
            ("POST", re.compile(r"issues/(\d+)/comments"), self._create_comment),
            ("PATCH", re.compile(r"issues/comments/(\d+)"), self._edit_comment),
            ("GET", re.compile(r"commits/(\w+)/pulls"), self._commit_pulls),
            ("GET", re.compile(r"actions/artifacts"), self._list_artifacts),
            ("GET", re.compile(r"actions/artifacts/(\d+)/zip"), self._download_artifact),
            ("GET", re.compile(r"pulls"), self._list_pulls),
            ("GET", re.compile(r"pulls/(\d+)"), self._get_pull),
            ("GET", re.compile(r"pulls/(\d+)/reviews"), self._list_reviews),
            ("POST", re.compile(r"pulls"), self._create_pull),
            ("PATCH", re.compile(r"pulls/(\d+)"), self._edit_pull),
        ]

    @property
    def env(self) -> dict[str, str]:
        """The environment a workflow step gives jobsync."""
        return {"GITHUB_API_URL": self.url, "GITHUB_REPOSITORY": REPOSITORY, "GITHUB_TOKEN": TOKEN}

    # -- state helpers for tests ---------------------------------------------------------------
    def add_comment(self, pr: int, body: str, user: str = "someone") -> dict[str, Any]:
        self._next_id += 1
        comment = {
            "id": self._next_id,
            "body": body,
            "user": {"login": user},
            "html_url": f"https://github.test/{REPOSITORY}/pull/{pr}#c{self._next_id}",
        }
        self.comments.setdefault(pr, []).append(comment)
        return comment

    def add_review(self, pr: int, user: str, state: str, commit_id: str) -> dict[str, Any]:
        """A pull-request review as GitHub lists it (oldest first): APPROVED, CHANGES_REQUESTED, ..."""
        self._next_id += 1
        review = {"id": self._next_id, "user": {"login": user}, "state": state, "commit_id": commit_id}
        self.reviews.setdefault(pr, []).append(review)
        return review

    def upload_artifact(self, name: str, files: dict[str, bytes]) -> dict[str, Any]:
        """What actions/upload-artifact does: a zip of the files, listed under `name`."""
        buffer = io.BytesIO()
        with zipfile.ZipFile(buffer, "w") as archive:
            for member, data in files.items():
                archive.writestr(member, data)
        self._next_id += 1
        artifact = {"id": self._next_id, "name": name, "expired": False, "created_at": f"2026-11-26T{self._next_id}"}
        self.artifacts.append(artifact)
        self.blobs[artifact["id"]] = buffer.getvalue()
        return artifact

    def comments_with(self, pr: int, marker: str) -> list[dict[str, Any]]:
        return [c for c in self.comments.get(pr, []) if c["body"].startswith(marker)]

    # -- WSGI ----------------------------------------------------------------------------------
    def __call__(self, environ: dict[str, Any], start_response: Callable[..., Any]) -> Iterable[bytes]:
        status, headers, body = self._handle(environ)
        start_response(status, [("Content-Type", "application/json"), *headers])
        return [body]

    def _handle(self, environ: dict[str, Any]) -> Response:
        method, path = environ["REQUEST_METHOD"], environ["PATH_INFO"]
        self.requests_seen.append((method, path))
        blob = re.fullmatch(r"/storage/(\d+)\.zip", path)
        if blob and method == "GET":  # a pre-signed storage URL: no token needed
            return "200 OK", [("Content-Type", "application/zip")], self.blobs[int(blob.group(1))]
        if environ.get("HTTP_AUTHORIZATION") != f"Bearer {TOKEN}":
            return _json("401 Unauthorized", {"message": "Bad credentials"})
        if path == "/user" and method == "GET":
            if self.user_login is None:
                return _json("403 Forbidden", {"message": "Resource not accessible by integration"})
            return _json("200 OK", {"login": self.user_login})
        membership = re.fullmatch(r"/orgs/([^/]+)/teams/([^/]+)/memberships/([^/]+)", path)
        if membership and method == "GET":
            org, slug, login = membership.groups()
            if login in self.teams.get(f"{org}/{slug}", set()):
                return _json("200 OK", {"state": "active", "role": "member"})
            return _json("404 Not Found", {"message": "Not Found"})
        prefix = f"/repos/{REPOSITORY}/"
        if not path.startswith(prefix):
            return _json("404 Not Found", {"message": "Not Found"})
        query = {k: v[0] for k, v in parse_qs(environ.get("QUERY_STRING", "")).items()}
        length = int(environ.get("CONTENT_LENGTH") or 0)
        payload = json.loads(environ["wsgi.input"].read(length) or b"null") if length else None
        for verb, pattern, handler in self._routes:
            found = pattern.fullmatch(path[len(prefix) :])
            if verb == method and found:
                return handler(*found.groups(), query=query, payload=payload, environ=environ)
        return _json("404 Not Found", {"message": "Not Found"})

    def _page(self, items: list[dict[str, Any]], query: dict[str, str], environ: dict[str, Any]) -> Response:
        size = min(int(query.get("per_page", 30)), self.page_size)
        page = int(query.get("page", 1))
        chunk = items[(page - 1) * size : page * size]
        headers = []
        if page * size < len(items):
            rest = {**query, "page": str(page + 1)}
            link = f"{self.url}{environ['PATH_INFO']}?" + "&".join(f"{k}={v}" for k, v in rest.items())
            headers.append(("Link", f'<{link}>; rel="next"'))
        return "200 OK", headers, json.dumps(chunk).encode()

    def _list_comments(self, pr: str, *, query: dict[str, str], environ: dict[str, Any], **_: Any) -> Response:
        return self._page(self.comments.get(int(pr), []), query, environ)

    def _create_comment(self, pr: str, *, payload: dict[str, Any], **_: Any) -> Response:
        created = self.add_comment(int(pr), payload["body"], self.user_login or "github-actions[bot]")
        return _json("201 Created", created)

    def _edit_comment(self, comment_id: str, *, payload: dict[str, Any], **_: Any) -> Response:
        for comment in (c for comments in self.comments.values() for c in comments):
            if comment["id"] == int(comment_id):
                comment["body"] = payload["body"]
                return _json("200 OK", comment)
        return _json("404 Not Found", {"message": "Not Found"})

    def _commit_pulls(self, sha: str, *, query: dict[str, str], environ: dict[str, Any], **_: Any) -> Response:
        pulls = []
        if sha in self.commit_pulls:
            number = self.commit_pulls[sha]
            head = {"sha": self.pull_heads[number]} if number in self.pull_heads else {}
            pulls.append({"number": number, "merged_at": "2026-11-26T00:00:00Z", "head": head})
        return self._page(pulls, query, environ)

    def _get_pull(self, number: str, **_: Any) -> Response:
        pr = int(number)
        return _json("200 OK", {"number": pr, "state": "open", "head": {"sha": self.pull_heads.get(pr, "")}})

    def _list_reviews(self, number: str, *, query: dict[str, str], environ: dict[str, Any], **_: Any) -> Response:
        return self._page(self.reviews.get(int(number), []), query, environ)

    def _list_artifacts(self, *, query: dict[str, str], **_: Any) -> Response:
        found = [a for a in self.artifacts if not query.get("name") or a["name"] == query["name"]]
        return _json("200 OK", {"total_count": len(found), "artifacts": found})

    def _download_artifact(self, artifact_id: str, **_: Any) -> Response:
        if int(artifact_id) not in self.blobs:
            return _json("404 Not Found", {"message": "Not Found"})
        return "302 Found", [("Location", f"{self.url}/storage/{artifact_id}.zip")], b""

    def _list_pulls(self, *, query: dict[str, str], environ: dict[str, Any], **_: Any) -> Response:
        owner = REPOSITORY.split("/")[0]
        found = [
            p
            for p in self.pulls
            if p["state"] == query.get("state", "open")
            and (not query.get("head") or f"{owner}:{p['head']['ref']}" == query["head"])
            and (not query.get("base") or p["base"]["ref"] == query["base"])
        ]
        return self._page(found, query, environ)

    def _create_pull(self, *, payload: dict[str, Any], **_: Any) -> Response:
        if any(p["head"]["ref"] == payload["head"] and p["state"] == "open" for p in self.pulls):
            return _json(
                "422 Unprocessable Entity", {"message": f"A pull request already exists for {payload['head']}."}
            )
        number = len(self.pulls) + 1
        pull = {
            "number": number,
            "state": "open",
            "title": payload["title"],
            "body": payload["body"],
            "head": {"ref": payload["head"]},
            "base": {"ref": payload["base"]},
            "html_url": f"https://github.test/{REPOSITORY}/pull/{number}",
        }
        self.pulls.append(pull)
        return _json("201 Created", pull)

    def _edit_pull(self, number: str, *, payload: dict[str, Any], **_: Any) -> Response:
        pull = self.pulls[int(number) - 1]
        pull.update({k: v for k, v in payload.items() if k in {"title", "body", "state"}})
        return _json("200 OK", pull)


def _json(status: str, value: Any) -> Response:
    return status, [], json.dumps(value).encode()


@contextmanager
def running_fake_github(page_size: int = 2) -> Iterator[FakeGitHub]:
    fake = FakeGitHub(page_size)
    server: WSGIServer = make_server("127.0.0.1", 0, fake, handler_class=_Quiet)
    fake.url = f"http://127.0.0.1:{server.server_address[1]}"
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.01}, daemon=True)
    thread.start()
    try:
        yield fake
    finally:
        server.shutdown()
        server.server_close()
        thread.join()

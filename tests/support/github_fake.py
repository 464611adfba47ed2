"""A local HTTP server that stands in for the GitHub REST API (issue comments only), for the tests
of ``ohctl.github``: it answers like GitHub and checks the shapes ohctl sends.

It serves under ``/api/v3`` (the GitHub Enterprise layout, so a base path is exercised) and checks,
on every request, the ``Authorization: Bearer <token>`` header (401 "Bad credentials" otherwise), the
``Accept`` and ``X-GitHub-Api-Version`` headers, and a JSON body of exactly ``{"body": str}`` on
writes (422 otherwise, as GitHub answers). Issue comments are listed in pages with GitHub's ``Link``
header. ``fail`` queues statuses to answer instead of the next requests (for retry tests).
"""

from __future__ import annotations

import json
import re
import threading
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, urlsplit

PREFIX = "/api/v3"
ISSUE = re.compile(rf"^{PREFIX}/repos/([^/]+/[^/]+)/issues/(\d+)$")
COMMENTS = re.compile(rf"^{PREFIX}/repos/([^/]+/[^/]+)/issues/(\d+)/comments$")
COMMENT = re.compile(rf"^{PREFIX}/repos/([^/]+/[^/]+)/issues/comments/(\d+)$")


@dataclass
class Seen:
    method: str
    path: str
    query: dict[str, list[str]]
    headers: dict[str, str]
    body: Any


@dataclass
class FakeGitHub:
    token: str = "ghp_fake_token_for_tests_0123456789"
    login: str = "ohctl-bot"
    issues: dict[tuple[str, int], list[dict[str, Any]]] = field(default_factory=dict)
    requests: list[Seen] = field(default_factory=list)
    fail: list[int] = field(default_factory=list)
    max_page: int = 100
    rate_limited: bool = False
    next_id: int = 1000
    port: int = 0

    # -- the server ---------------------------------------------------------------------------------
    def start(self) -> FakeGitHub:
        fake = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args: object) -> None:
                pass

            def _answer(self, status: int, data: Any, headers: dict[str, str] | None = None) -> None:
                payload = json.dumps(data).encode()
                self.send_response(status)
                self.send_header("Content-Type", "application/json; charset=utf-8")
                self.send_header("Content-Length", str(len(payload)))
                for name, value in (headers or {}).items():
                    self.send_header(name, value)
                self.end_headers()
                self.wfile.write(payload)

            def _handle(self) -> None:
                length = int(self.headers.get("Content-Length") or 0)
                raw = self.rfile.read(length) if length else b""
                body = json.loads(raw) if raw else None
                url = urlsplit(self.path)
                seen = Seen(self.command, url.path, parse_qs(url.query), dict(self.headers.items()), body)
                with fake._lock:
                    fake.requests.append(seen)
                    status, data, headers = fake.answer(seen)
                self._answer(status, data, headers)

            do_GET = do_POST = do_PATCH = _handle

        self._lock = threading.Lock()
        self._server = ThreadingHTTPServer(("127.0.0.1", self.port), Handler)
        self.port = self._server.server_address[1]
        self._thread = threading.Thread(target=self._server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)
        self._thread.start()
        return self

    def stop(self) -> None:
        self._server.shutdown()
        self._server.server_close()

    @property
    def api_url(self) -> str:
        return f"http://127.0.0.1:{self.port}{PREFIX}"

    # -- GitHub's behaviour -------------------------------------------------------------------------
    def add_issue(self, repo: str, number: int, comments: int = 0) -> list[dict[str, Any]]:
        found = self.issues.setdefault((repo, number), [])
        for i in range(comments):
            found.append(self._comment(repo, f"someone else's comment {i}", login="someone"))
        return found

    def _comment(self, repo: str, body: str, login: str | None = None) -> dict[str, Any]:
        self.next_id += 1
        return {
            "id": self.next_id,
            "html_url": f"https://github.com/{repo}/issues/1#issuecomment-{self.next_id}",
            "body": body,
            "user": {"login": login or self.login},
        }

    def answer(self, seen: Seen) -> tuple[int, Any, dict[str, str]]:
        if seen.headers.get("Authorization") != f"Bearer {self.token}":
            return 401, {"message": "Bad credentials", "documentation_url": "https://docs.github.com/rest"}, {}
        if seen.headers.get("Accept") != "application/vnd.github+json" or not seen.headers.get("X-GitHub-Api-Version"):
            return 415, {"message": "Unsupported 'Accept' header or API version"}, {}
        if self.rate_limited:
            headers = {"x-ratelimit-remaining": "0", "x-ratelimit-reset": "9999999999"}
            return 403, {"message": "API rate limit exceeded for installation."}, headers
        if self.fail:
            return self.fail.pop(0), {"message": "Server Error"}, {}
        if seen.method in ("POST", "PATCH") and (
            not isinstance(seen.body, dict) or set(seen.body) != {"body"} or not isinstance(seen.body["body"], str)
        ):
            return 422, {"message": "Invalid request: body must be {'body': string}"}, {}
        if seen.method == "GET" and (m := ISSUE.match(seen.path)):
            key = (m.group(1), int(m.group(2)))
            if key not in self.issues:
                return 404, {"message": "Not Found"}, {}
            return 200, {"number": key[1], "title": "An issue"}, {}
        if m := COMMENTS.match(seen.path):
            key = (m.group(1), int(m.group(2)))
            if key not in self.issues:
                return 404, {"message": "Not Found"}, {}
            if seen.method == "POST":
                comment = self._comment(key[0], seen.body["body"])
                self.issues[key].append(comment)
                return 201, comment, {}
            if seen.method == "GET":
                return self._page(seen, self.issues[key])
        if seen.method == "PATCH" and (m := COMMENT.match(seen.path)):
            for comments in self.issues.values():
                for comment in comments:
                    if comment["id"] == int(m.group(2)):
                        if comment["user"]["login"] != self.login:
                            return 403, {"message": "Resource not accessible by integration"}, {}
                        comment["body"] = seen.body["body"]
                        return 200, comment, {}
            return 404, {"message": "Not Found"}, {}
        return 404, {"message": "Not Found"}, {}

    def _page(self, seen: Seen, items: list[dict[str, Any]]) -> tuple[int, Any, dict[str, str]]:
        per_page = min(int(seen.query.get("per_page", ["30"])[0]), self.max_page)
        page = int(seen.query.get("page", ["1"])[0])
        chunk = items[(page - 1) * per_page : page * per_page]
        headers = {}
        if page * per_page < len(items):
            nxt = f"http://127.0.0.1:{self.port}{seen.path}?per_page={per_page}&page={page + 1}"
            headers["Link"] = f'<{nxt}>; rel="next"'
        return 200, chunk, headers

    # -- what tests look at -------------------------------------------------------------------------
    def comments(self, repo: str, number: int) -> list[dict[str, Any]]:
        return self.issues[(repo, number)]

    def writes(self) -> list[Seen]:
        return [r for r in self.requests if r.method in ("POST", "PATCH")]

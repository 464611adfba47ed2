"""A small GitHub REST client (httpx): issue comments, which is all ohctl posts.

Token from the argument, else ``GITHUB_TOKEN``, else ``GH_TOKEN``; API URL from the argument, else
``GITHUB_API_URL`` (which GitHub Actions sets, also on GitHub Enterprise Server), else
https://api.github.com. Reads and comment edits (which set the whole body, so repeating one changes
nothing) are retried on 408/429/5xx and broken connections; creating a comment is retried only
when the connection was never made, so a retry can never post the comment twice.
"""

from __future__ import annotations

import logging
import os
import time
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from typing import Any

import httpx

from .._config import is_loopback
from .._retry import RETRYABLE_STATUS, RetryPolicy, retry_delay, should_retry_exception
from .._version import __version__
from .errors import GitHubConfigError, GitHubConnectionError, GitHubNoTokenError, GitHubStatusError, error_for
from .refs import IssueRef, check_repo

log = logging.getLogger("ohctl.github")

DEFAULT_API_URL = "https://api.github.com"
TOKEN_VARS = ("GITHUB_TOKEN", "GH_TOKEN")
API_URL_VARS = ("GITHUB_API_URL",)
API_VERSION = "2022-11-28"
PAGE_SIZE = 100  # GitHub's largest page of issue comments
MAX_BODY = 65536  # GitHub refuses a longer comment body (422)


@dataclass(frozen=True)
class Comment:
    id: int
    html_url: str
    body: str
    author: str | None = None

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> Comment:
        user = data.get("user")
        return cls(
            id=int(data["id"]),
            html_url=str(data.get("html_url") or ""),
            body=str(data.get("body") or ""),
            author=str(user["login"]) if isinstance(user, Mapping) and user.get("login") else None,
        )


def _api_url(api_url: str | None, environ: Mapping[str, str]) -> str:
    text = (api_url or next((environ[v] for v in API_URL_VARS if environ.get(v)), None) or DEFAULT_API_URL).strip()
    try:
        url = httpx.URL(text)
    except (httpx.InvalidURL, TypeError, ValueError):
        raise GitHubConfigError(
            f"{text!r} is not a URL: set GITHUB_API_URL like https://ghe.example.com/api/v3"
        ) from None
    if url.scheme not in ("http", "https") or not url.host or url.query:
        raise GitHubConfigError(f"{text!r} is not an http(s) API URL (for GitHub Enterprise: https://HOST/api/v3)")
    if url.scheme == "http" and not is_loopback(url.host):
        raise GitHubConfigError(f"Refusing to send a GitHub token over plain http to {url.host}: use https")
    return text.rstrip("/")


class GitHub:
    """``GitHub()`` reads the token and API URL from the environment; use it as a context manager."""

    def __init__(
        self,
        token: str | None = None,
        *,
        api_url: str | None = None,
        timeout: float = 30.0,
        max_retries: int = 2,
        transport: httpx.BaseTransport | None = None,
        environ: Mapping[str, str] | None = None,
    ) -> None:
        env = os.environ if environ is None else environ
        source = "argument" if token else next((v for v in TOKEN_VARS if env.get(v)), None)
        token = token or (env[source] if source else None)
        if not token:
            raise GitHubNoTokenError(
                "No GitHub token: set GITHUB_TOKEN or GH_TOKEN "
                "(in a workflow: `env: GITHUB_TOKEN: ${{ github.token }}`)"
            )
        self.api_url = _api_url(api_url, env)
        self.token_source = source
        self._token = token.strip()  # only to scrub it from rendered comments (see report.secret_values)
        self._policy = RetryPolicy(max_retries=max_retries)
        self._http = httpx.Client(
            base_url=self.api_url + "/",
            timeout=timeout,
            transport=transport,
            # GitHub redirects a renamed repository's routes (301/307); httpx drops the Authorization
            # header when a redirect leaves the origin, so the token never follows it elsewhere.
            follow_redirects=True,
            headers={
                "Authorization": f"Bearer {token.strip()}",
                "Accept": "application/vnd.github+json",
                "X-GitHub-Api-Version": API_VERSION,
                "User-Agent": f"ohctl/{__version__}",
            },
        )

    def __repr__(self) -> str:
        return f"GitHub(api_url={self.api_url!r}, token=<hidden from {self.token_source}>)"

    def __enter__(self) -> GitHub:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def close(self) -> None:
        self._http.close()

    # -- the one request path ------------------------------------------------------------------
    def _request(
        self, method: str, url: str, *, what: str, json: Any = None, params: Mapping[str, Any] | None = None
    ) -> httpx.Response:
        idempotent = method in ("GET", "PATCH")
        attempt = 0
        while True:
            began = time.monotonic()
            try:
                response = self._http.request(method, url, json=json, params=params)
            except httpx.TransportError as exc:
                if attempt < self._policy.max_retries and should_retry_exception(exc, idempotent):
                    pause = retry_delay(self._policy, attempt, None)
                    log.debug("%s %s: %s; retry %d in %.1fs", method, url, type(exc).__name__, attempt + 1, pause)
                    time.sleep(pause)
                    attempt += 1
                    continue
                raise GitHubConnectionError(
                    f"Could not reach GitHub at {self.api_url} to {what} ({type(exc).__name__}): check the network, "
                    "or GITHUB_API_URL for GitHub Enterprise"
                ) from None
            log.debug("%s %s -> %d in %.2fs", method, url, response.status_code, time.monotonic() - began)
            if response.is_success:
                return response
            if idempotent and response.status_code in RETRYABLE_STATUS and attempt < self._policy.max_retries:
                pause = retry_delay(self._policy, attempt, response)
                log.debug("%s %s: %d; retry %d in %.1fs", method, url, response.status_code, attempt + 1, pause)
                time.sleep(pause)
                attempt += 1
                continue
            raise error_for(response, what)

    def _json(self, response: httpx.Response, what: str, kind: type = dict) -> Any:
        try:
            data = response.json()
        except ValueError:
            data = None
        if not isinstance(data, kind):
            raise GitHubStatusError(
                f"GitHub's answer to {what} was not the JSON {kind.__name__} expected (status "
                f"{response.status_code}): is GITHUB_API_URL the API root (https://HOST/api/v3 on GitHub Enterprise)?",
                status=response.status_code,
            )
        return data

    # -- issues and comments -------------------------------------------------------------------
    def issue(self, ref: IssueRef) -> dict[str, Any]:
        """The issue (or pull request) as GitHub sends it: a cheap check that it exists and is visible."""
        what = f"read {ref}"
        data = self._json(self._request("GET", f"repos/{check_repo(ref.repo)}/issues/{ref.number}", what=what), what)
        return dict(data)

    def comments(self, ref: IssueRef) -> Iterator[Comment]:
        """Every comment on the issue, oldest first, a page of 100 at a time (GitHub's ``Link`` header)."""
        what = f"list the comments of {ref}"
        url: str | None = f"repos/{check_repo(ref.repo)}/issues/{ref.number}/comments"
        params: dict[str, Any] | None = {"per_page": PAGE_SIZE}
        while url is not None:
            response = self._request("GET", url, what=what, params=params)
            for item in self._json(response, what, list):
                yield Comment.from_json(item)
            url, params = self._next_page(response), None

    def _next_page(self, response: httpx.Response) -> str | None:
        link = response.links.get("next", {}).get("url")
        if not link:
            return None
        nxt, ours = httpx.URL(link), httpx.URL(self.api_url)
        if (nxt.scheme, nxt.host, nxt.port) != (ours.scheme, ours.host, ours.port):
            # The token goes with every request: never follow a link to another server.
            raise GitHubStatusError(f"GitHub's next-page link points to another server ({nxt.host}); stopped there")
        return str(nxt)

    def find_comment(self, ref: IssueRef, marker: str) -> Comment | None:
        """The first comment whose body starts with ``marker`` (say, a hidden ``<!-- ... -->`` line).
        Starts with, not contains: someone quoting the comment (``> <!-- ...``) must not be taken for it."""
        return next((c for c in self.comments(ref) if c.body.lstrip().startswith(marker)), None)

    def create_comment(self, ref: IssueRef, body: str) -> Comment:
        what = f"comment on {ref}"
        path = f"repos/{check_repo(ref.repo)}/issues/{ref.number}/comments"
        return Comment.from_json(self._json(self._request("POST", path, what=what, json={"body": clip(body)}), what))

    def update_comment(self, repo: str, comment_id: int, body: str) -> Comment:
        what = f"edit comment {comment_id} on {repo}"
        path = f"repos/{check_repo(repo)}/issues/comments/{int(comment_id)}"
        return Comment.from_json(self._json(self._request("PATCH", path, what=what, json={"body": clip(body)}), what))

    def upsert_comment(self, ref: IssueRef, marker: str, body: str) -> tuple[Comment, bool]:
        """Edit the comment holding ``marker`` in place, else post a new one; True when posted."""
        found = self.find_comment(ref, marker)
        if found is not None:
            return self.update_comment(ref.repo, found.id, body), False
        return self.create_comment(ref, body), True


def clip(body: str) -> str:
    """The body cut to GitHub's limit, saying so (the hidden marker is on the first line: it stays)."""
    if len(body) <= MAX_BODY:
        return body
    note = "\n\n… (cut to GitHub's comment size limit)"
    return body[: MAX_BODY - len(note)] + note

"""``ohctl.github``'s REST client against a local stand-in for the GitHub API (tests/support/github_fake.py):
the requests it sends (route, auth header, body), editing in place through paginated comments, the
errors on 401/403/404, and which calls are retried."""

from __future__ import annotations

from collections.abc import Iterator

import httpx
import pytest

from ohctl.github import (
    GitHub,
    GitHubAuthError,
    GitHubConfigError,
    GitHubConnectionError,
    GitHubNotFoundError,
    GitHubNoTokenError,
    GitHubPermissionError,
    GitHubRateLimitError,
    GitHubStatusError,
    IssueRef,
    marker,
)
from tests.support.github_fake import PREFIX, FakeGitHub

ISSUE = IssueRef("octo/app", 7)
CID = "0123456789abcdef0123456789abcdef"


@pytest.fixture
def fake() -> Iterator[FakeGitHub]:
    server = FakeGitHub().start()
    server.add_issue("octo/app", 7)
    yield server
    server.stop()


@pytest.fixture
def github(fake: FakeGitHub) -> Iterator[GitHub]:
    with GitHub(fake.token, api_url=fake.api_url) as client:
        yield client


def test_create_sends_githubs_shape(fake: FakeGitHub, github: GitHub) -> None:
    comment = github.create_comment(ISSUE, "hello")
    [seen] = fake.requests
    assert (seen.method, seen.path) == ("POST", f"{PREFIX}/repos/octo/app/issues/7/comments")
    assert seen.body == {"body": "hello"}
    assert seen.headers["Authorization"] == f"Bearer {fake.token}"
    assert seen.headers["Accept"] == "application/vnd.github+json"
    assert seen.headers["X-GitHub-Api-Version"] == "2022-11-28"
    assert seen.headers["User-Agent"].startswith("ohctl/")
    assert comment.id == fake.comments("octo/app", 7)[0]["id"] and comment.author == fake.login
    assert comment.html_url.startswith("https://github.com/octo/app/issues/")


def test_upsert_finds_its_comment_by_marker_across_pages_and_edits_it(fake: FakeGitHub, github: GitHub) -> None:
    fake.add_issue("octo/app", 7, comments=230)  # the comment ohctl posts comes after three pages of others
    mark = marker(CID)
    first, created = github.upsert_comment(ISSUE, mark, f"{mark}\nstarted")
    assert created
    fake.requests.clear()
    second, created = github.upsert_comment(ISSUE, mark, f"{mark}\nfinished")
    assert not created and second.id == first.id
    lists = [r for r in fake.requests if r.method == "GET"]
    assert [r.query.get("page", ["1"])[0] for r in lists] == ["1", "2", "3"]
    assert lists[0].query["per_page"] == ["100"]
    [patch] = fake.writes()
    assert (patch.method, patch.path) == ("PATCH", f"{PREFIX}/repos/octo/app/issues/comments/{first.id}")
    assert patch.body == {"body": f"{mark}\nfinished"}
    assert len(fake.comments("octo/app", 7)) == 231
    assert fake.comments("octo/app", 7)[-1]["body"].endswith("finished")


def test_a_comment_quoting_the_marker_is_not_taken_for_ours(fake: FakeGitHub, github: GitHub) -> None:
    mark = marker(CID)
    fake.comments("octo/app", 7).append(
        {"id": 5, "html_url": "u", "body": f"> {mark}\n> started\n\nthanks!", "user": {"login": "someone"}}
    )
    _, created = github.upsert_comment(ISSUE, mark, f"{mark}\nstarted")
    assert created and len(fake.comments("octo/app", 7)) == 2


def test_401_says_to_set_the_token_and_never_shows_it(fake: FakeGitHub) -> None:
    with GitHub("ghp_wrong_token_abcdefghijklmnop", api_url=fake.api_url) as github:
        with pytest.raises(GitHubAuthError) as info:
            github.create_comment(ISSUE, "hello")
        assert "ghp_wrong" not in repr(github)
    message = str(info.value)
    assert "GITHUB_TOKEN" in message and "Bad credentials" in message and "comment on octo/app#7" in message
    assert "ghp_wrong" not in message and info.value.status == 401
    assert len(fake.requests) == 1  # a refused token is not retried


def test_404_says_what_to_check(github: GitHub) -> None:
    with pytest.raises(GitHubNotFoundError) as info:
        github.create_comment(IssueRef("octo/other", 1), "hello")
    assert "owner/name" in str(info.value) and "private" in str(info.value)
    with pytest.raises(GitHubNotFoundError):
        github.issue(IssueRef("octo/app", 8))
    assert github.issue(ISSUE)["number"] == 7


def test_403_on_someone_elses_comment_names_the_permission(fake: FakeGitHub, github: GitHub) -> None:
    fake.comments("octo/app", 7).append({"id": 5, "html_url": "u", "body": "x", "user": {"login": "someone"}})
    with pytest.raises(GitHubPermissionError) as info:
        github.update_comment("octo/app", 5, "mine now")
    assert "issues: write" in str(info.value) and "Resource not accessible" in str(info.value)


def test_rate_limit_is_its_own_error(fake: FakeGitHub, github: GitHub) -> None:
    fake.rate_limited = True
    with pytest.raises(GitHubRateLimitError) as info:
        github.issue(ISSUE)
    assert info.value.reset_at == 9999999999 and "try again" in str(info.value)


def test_reads_and_edits_are_retried_creates_are_not(fake: FakeGitHub, github: GitHub) -> None:
    fake.fail = [502]
    assert github.issue(ISSUE)["number"] == 7
    assert [r.method for r in fake.requests] == ["GET", "GET"]
    fake.requests.clear()
    fake.fail = [503]
    with pytest.raises(GitHubStatusError) as info:
        github.create_comment(ISSUE, "once")
    assert info.value.status == 503
    assert [r.method for r in fake.requests] == ["POST"]  # the comment may exist: posting again could double it
    assert fake.comments("octo/app", 7) == []


def test_a_create_is_retried_when_the_connection_was_never_made() -> None:
    calls: list[str] = []

    def handler(request: httpx.Request) -> httpx.Response:
        calls.append(request.method)
        if len(calls) == 1:
            raise httpx.ConnectError("refused", request=request)
        if len(calls) == 2:
            raise httpx.ReadError("reset", request=request)  # may have been posted: no retry now
        return httpx.Response(201, json={"id": 1})

    with GitHub("t0ken-value", api_url="https://api.github.com", transport=httpx.MockTransport(handler)) as github:
        with pytest.raises(GitHubConnectionError) as info:
            github.create_comment(ISSUE, "x")
    assert calls == ["POST", "POST"]
    assert "ReadError" in str(info.value) and "t0ken-value" not in str(info.value)


def test_a_next_page_on_another_server_is_not_followed() -> None:
    def handler(request: httpx.Request) -> httpx.Response:
        assert request.url.host == "ghe.example.com"
        return httpx.Response(200, json=[], headers={"Link": '<https://evil.example/x?page=2>; rel="next"'})

    transport = httpx.MockTransport(handler)
    with GitHub("t0ken-value", api_url="https://ghe.example.com/api/v3", transport=transport) as github:
        with pytest.raises(GitHubStatusError, match="another server"):
            list(github.comments(ISSUE))


def test_token_and_api_url_from_the_environment() -> None:
    env = {"GH_TOKEN": "from-gh-token", "GITHUB_API_URL": "https://ghe.example.com/api/v3/"}
    github = GitHub(environ=env)
    assert github.api_url == "https://ghe.example.com/api/v3" and github.token_source == "GH_TOKEN"
    assert "from-gh-token" not in repr(github)
    assert GitHub(environ={"GITHUB_TOKEN": "a", "GH_TOKEN": "b"}).token_source == "GITHUB_TOKEN"
    assert GitHub(environ={"GITHUB_TOKEN": "a"}).api_url == "https://api.github.com"
    with pytest.raises(GitHubNoTokenError, match="GITHUB_TOKEN or GH_TOKEN"):
        GitHub(environ={})
    with pytest.raises(GitHubConfigError, match="plain http"):
        GitHub("t", api_url="http://ghe.example.com/api/v3")


@pytest.mark.parametrize(
    ("text", "ref"),
    [
        ("octo/app#7", IssueRef("octo/app", 7)),
        (" octo/my.app#12 ", IssueRef("octo/my.app", 12)),
        ("https://github.com/octo/app/issues/7", IssueRef("octo/app", 7)),
        ("https://ghe.example.com/octo/app/pull/9/", IssueRef("octo/app", 9)),
    ],
)
def test_issue_refs(text: str, ref: IssueRef) -> None:
    assert IssueRef.parse(text) == ref
    assert str(ref) == f"{ref.repo}#{ref.number}"


@pytest.mark.parametrize("text", ["octo/app", "octo#7", "octo/app#0", "octo/app#x", "a/b/c#1", "../x#1"])
def test_bad_issue_refs_say_how_to_write_one(text: str) -> None:
    with pytest.raises(GitHubConfigError, match="owner/name"):
        IssueRef.parse(text)


def test_a_redirect_keeps_the_token_on_githubs_host_only() -> None:
    seen: list[tuple[str, str | None]] = []

    def handler(request: httpx.Request) -> httpx.Response:
        seen.append((str(request.url), request.headers.get("Authorization")))
        if request.url.path == "/repos/old/name/issues/7":
            return httpx.Response(301, headers={"Location": "https://api.github.com/repositories/42/issues/7"})
        if request.url.path == "/repositories/42/issues/7":
            return httpx.Response(307, headers={"Location": "https://elsewhere.example/issues/7"})
        return httpx.Response(200, json={"number": 7})

    with GitHub("t0ken-value", api_url="https://api.github.com", transport=httpx.MockTransport(handler)) as github:
        assert github.issue(IssueRef("old/name", 7)) == {"number": 7}
    assert seen[1] == ("https://api.github.com/repositories/42/issues/7", "Bearer t0ken-value")
    assert seen[2] == ("https://elsewhere.example/issues/7", None)


def test_an_html_page_instead_of_the_api_says_to_check_the_url() -> None:
    transport = httpx.MockTransport(lambda request: httpx.Response(200, text="<html>sign in</html>"))
    with GitHub("t0ken-value", api_url="https://ghe.example.com", transport=transport) as github:
        with pytest.raises(GitHubStatusError, match=r"https://HOST/api/v3"):
            github.create_comment(ISSUE, "x")

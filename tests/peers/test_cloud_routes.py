"""The SDK's hosted-Cloud routes (``client.cloud``, the device login, ``X-Org-Id``) against
cloud_fake.CloudFake, a local stand-in for the hosted service that is held to the Cloud's published
OpenAPI document (a request or answer that breaks the document fails the test)."""

from __future__ import annotations

import logging
from collections.abc import Iterator
from datetime import datetime, timezone

import anyio
import pytest

import ohctl
from ohctl.cloud import (
    AsyncDeviceLogin,
    DeviceAccessDeniedError,
    DeviceCodeExpiredError,
    DeviceLogin,
    DeviceLoginError,
)
from tests.support import cloud_document as doc
from tests.support.cloud_fake import ORG_A, ORG_B, CloudFake, running
from tests.support.fault_proxy import FaultProxy, Rule, rate_limited, reset_after, reset_before, server_error


@pytest.fixture
def cloud(monkeypatch: pytest.MonkeyPatch) -> Iterator[CloudFake]:
    monkeypatch.delenv("OHCTL_ORG", raising=False)
    with running() as fake:
        yield fake


@pytest.fixture
def client(cloud: CloudFake) -> Iterator[ohctl.OpenHands]:
    with ohctl.OpenHands(base_url=cloud.base_url, api_key=cloud.login_key, sleep=lambda _: None) as c:
        yield c


# -- the fake itself is held to the document --------------------------------------------------------
def test_the_fake_fails_when_it_drifts_from_the_document(cloud: CloudFake) -> None:
    from tests.support.cloud_fake import Reply

    good = {"id": 1, "created_at": "2026-01-02T03:04:05Z", "key": "sk-oh-x"}
    assert cloud._answer("POST", "/api/keys", Reply(200, good)).status == 200
    for bad in ({"id": 1, "created_at": "2026-01-02T03:04:05Z"}, {**good, "id": "one"}, {**good, "created_at": "now"}):
        assert cloud._answer("POST", "/api/keys", Reply(200, bad)).status == 500
    assert len(cloud.problems) == 3 and "key" in cloud.problems[0]
    with pytest.raises(AssertionError, match="not in the Cloud's document"):
        doc.operation("GET", "/api/keys/{key_id}")
    cloud.problems.clear()


def test_a_request_that_breaks_the_document_is_refused(cloud: CloudFake, client: ohctl.OpenHands) -> None:
    once = client.with_options(max_retries=0)
    with pytest.raises(ohctl.InternalServerError, match="cloud fake"):
        once.request("GET", "/api/organizations/not-a-uuid/me")
    with pytest.raises(ohctl.InternalServerError, match="not in the document"):
        once.request("GET", "/api/keys", params={"color": "blue"})
    assert len(cloud.problems) == 2
    cloud.problems.clear()


# -- API keys ---------------------------------------------------------------------------------------
def test_keys_create_list_current_delete(
    cloud: CloudFake, client: ohctl.OpenHands, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG, logger="ohctl")
    expires = datetime(2027, 1, 1, tzinfo=timezone.utc)
    created = client.cloud.keys.create("ci", expires_at=expires)
    assert created.key.startswith("sk-oh-fake-") and created.name == "ci" and created.org_id == ORG_A
    assert created.key not in repr(created) and created.key not in str(created)
    assert [k.name for k in client.cloud.keys.list()] == ["login", "ci"]
    unbound = client.cloud.keys.create("any-org", org_id=None)
    assert unbound.org_id is None
    with ohctl.OpenHands(base_url=cloud.base_url, api_key=created.key) as other:
        current = other.cloud.keys.current()
    assert current.id == created.id and current.bound_org_id == ORG_A and current.user_id == "user-1"
    assert client.cloud.keys.delete(created.id) == "API key deleted successfully"
    with pytest.raises(ohctl.NotFoundError):
        client.cloud.keys.delete(created.id)
    with pytest.raises(ohctl.InvalidArgumentError):
        client.cloud.keys.delete("3")  # type: ignore[arg-type]
    with (
        ohctl.OpenHands(base_url=cloud.base_url, api_key=created.key) as other,
        pytest.raises(ohctl.AuthenticationError) as info,
    ):
        other.cloud.keys.list()
    assert created.key not in str(info.value) and unbound.key not in caplog.text and created.key not in caplog.text


def test_creating_a_key_is_not_retried_once_it_may_have_reached_the_server(cloud: CloudFake) -> None:
    """Through the fault proxy: a reset after the Cloud made the key is reported, not retried (a
    retry would make a second key); a rate limiter's 429 (nothing was made) is waited out and retried."""
    proxy = FaultProxy(cloud.base_url).start()
    try:
        proxy.add(Rule(reset_after(), method="POST", path="/api/keys$", nth={1}))
        with ohctl.OpenHands(base_url=proxy.base_url, api_key=cloud.login_key, sleep=lambda _: None) as c:
            with pytest.raises(ohctl.APIConnectionError) as info:
                c.cloud.keys.create("ci")
            assert "keys.list()" in str(info.value) and len(cloud.keys) == 2  # made once, not twice
            proxy.add(Rule(rate_limited(0), method="POST", path="/api/keys$", nth={1}))
            made = c.cloud.keys.create("ci-2")
        assert made.name == "ci-2" and len(cloud.keys) == 3 and proxy.counts["rate_limit"] == 1
    finally:
        proxy.stop()


def test_llm_keys(client: ohctl.OpenHands) -> None:
    keys = client.cloud.keys
    assert keys.byor_permitted() is True
    llm = keys.byor_llm_key()
    assert llm.key == "sk-litellm-byor-secret" and "sk-litellm" not in repr(llm)
    assert keys.refresh_byor_llm_key().key and keys.refresh_managed_llm_key() is True


def test_an_unknown_key_is_refused_with_401(cloud: CloudFake) -> None:
    with ohctl.OpenHands(base_url=cloud.base_url, api_key="sk-oh-wrong-key-42") as c:
        with pytest.raises(ohctl.AuthenticationError) as info:
            c.cloud.billing.credits()
    assert info.value.status_code == 401 and "sk-oh-wrong-key-42" not in str(info.value)
    assert "OPENHANDS_API_KEY" in str(info.value)


def test_429_is_waited_out_and_retried(cloud: CloudFake, client: ohctl.OpenHands) -> None:
    cloud.rate_limit = 2
    assert client.cloud.billing.credits().credits == "12.50"
    assert [s.path for s in cloud.requests].count("/api/billing/credits") == 3
    cloud.rate_limit = 5
    with pytest.raises(ohctl.RateLimitError):
        client.with_options(max_retries=1).cloud.keys.list()


# -- organizations, billing ---------------------------------------------------------------------------
def test_organizations(cloud: CloudFake, client: ohctl.OpenHands) -> None:
    orgs = client.cloud.orgs
    pager = orgs.list(page_size=1)
    assert [o.name for o in pager] == ["Personal", "Acme"] and pager.pages_fetched == 2
    assert orgs.current_id() == ORG_A
    acme = orgs.retrieve(ORG_B.upper())  # ids are checked and normalised
    assert acme.name == "Acme" and acme.max_budget_per_task == 5.0
    personal = orgs.retrieve(ORG_A)
    assert personal.sandbox_api_key == "sbx-secret-org-a" and "sbx-secret" not in repr(personal)
    assert orgs.me(ORG_B).role == "member" and "sk-l" not in repr(orgs.me(ORG_A))
    assert [m.email for m in orgs.members(ORG_A, email="ada").items] == ["ada@example.com"]
    assert orgs.members(ORG_A, email="nobody").items == []
    assert orgs.settings(ORG_A).llm_api_key_set is True
    assert orgs.update(ORG_B, name="Acme Inc").name == "Acme Inc"
    assert orgs.switch(ORG_B).id == ORG_B and orgs.current_id() == ORG_B
    with pytest.raises(ohctl.InvalidArgumentError, match="orgs list"):
        orgs.me("Acme")
    with pytest.raises(ohctl.InvalidArgumentError):
        orgs.update(ORG_B)


def test_billing_follows_the_organization(client: ohctl.OpenHands) -> None:
    assert client.cloud.billing.credits().amount == 12.5
    assert client.cloud.billing.subscription() is None
    acme = client.with_options(org=ORG_B).cloud.billing
    assert acme.credits().credits == "300.00"
    sub = acme.subscription()
    assert sub is not None and sub.end_at is not None and sub.end_at.month == 2 and sub.cancelled_at is None


def test_x_org_id_is_sent_on_every_request_when_chosen_and_never_otherwise(
    cloud: CloudFake, monkeypatch: pytest.MonkeyPatch
) -> None:
    def calls(c: ohctl.OpenHands) -> None:
        c.cloud.keys.list()
        c.cloud.billing.credits()
        list(c.cloud.orgs.list())
        c.users.me()
        c.cloud.shared.count_events("c-shared")
        c.cloud.keys.create("k")

    with ohctl.OpenHands(base_url=cloud.base_url, api_key=cloud.login_key) as plain:
        calls(plain)
        assert cloud.org_headers_seen() == [None] * 6 and plain.options.org is None
        cloud.requests.clear()
        chosen = plain.with_options(org=ORG_B)
        calls(chosen)
        assert cloud.org_headers_seen() == [ORG_B] * 6 and chosen.options.org == ORG_B
        cloud.requests.clear()
        calls(chosen.with_options(org=""))  # "" drops it
        calls(plain)  # the original client is unchanged
        assert cloud.org_headers_seen() == [None] * 12
    cloud.requests.clear()
    with ohctl.OpenHands(base_url=cloud.base_url, api_key=cloud.login_key, org=ORG_A) as by_argument:
        calls(by_argument)
    monkeypatch.setenv("OHCTL_ORG", ORG_B)
    with ohctl.OpenHands(base_url=cloud.base_url, api_key=cloud.login_key) as by_env:
        calls(by_env)
    assert cloud.org_headers_seen() == [ORG_A] * 6 + [ORG_B] * 6
    monkeypatch.setenv("OHCTL_ORG", "Acme")
    with pytest.raises(ohctl.ConfigurationError, match="not an organization id"):
        ohctl.OpenHands(base_url=cloud.base_url, api_key=cloud.login_key)


def test_app_settings(client: ohctl.OpenHands) -> None:
    settings = client.cloud.app_settings
    assert settings.retrieve().language == "en"
    assert settings.update(git_user_name="Bot", git_user_email="bot@example.com").git_user_name == "Bot"
    with pytest.raises(ohctl.InvalidArgumentError):
        settings.update(theme="dark")


def test_shared_conversations_need_no_key(cloud: CloudFake) -> None:
    with ohctl.OpenHands(base_url=cloud.base_url, api_key=None) as anonymous:
        shared = anonymous.cloud.shared
        found, missing = shared.conversations(["c-shared", "c-private"])
        assert found is not None and found.title == "Public demo" and missing is None
        events = shared.events("c-shared", page_size=4)
        assert [e.id for e in events] == ["e0", "e1", "e2", "e3", "e4", "e5"] and events.pages_fetched == 2
        assert shared.count_events("c-shared") == 6 and shared.count_events("c-shared", kind="AgentErrorEvent") == 1
        assert [e.id if e else None for e in shared.get_events("c-shared", ["e5", "zz"])] == ["e5", None]
        one = shared.event("c-shared", "e5")
        assert one is not None and one.kind == "AgentErrorEvent"
        assert shared.event("c-private", "e5") is None
        with pytest.raises(ohctl.InvalidArgumentError):
            shared.conversations([])


# -- the device login ---------------------------------------------------------------------------------
def device_login(base_url: str, waits: list[float]) -> DeviceLogin:
    return DeviceLogin(base_url, sleep=waits.append)


def test_device_login_honours_the_interval_and_slow_down(cloud: CloudFake) -> None:
    cloud.device_script = ["authorization_pending", "slow_down", "authorization_pending", "granted"]
    shown = []
    waits: list[float] = []
    with device_login(cloud.base_url, waits) as login:
        token = login.login(show=shown.append)
    assert waits == [5, 5, 10, 10]  # the first poll after the interval; +5 s for good after slow_down
    assert shown[0].user_code and shown[0].verification_uri.endswith("/oauth/device/verify")
    assert shown[0].device_code not in repr(shown[0]) and token.access_token not in repr(token)
    with ohctl.OpenHands(base_url=cloud.base_url, api_key=token.access_token) as c:
        assert c.cloud.keys.current().name == "CLI Authentication"
    polls = [s for s in cloud.requests if s.path == "/oauth/device/token"]
    assert len(polls) == 4 and all("authorization" not in {k.lower() for k in s.headers} for s in polls)


@pytest.mark.parametrize(
    ("step", "error"), [("expired_token", DeviceCodeExpiredError), ("access_denied", DeviceAccessDeniedError)]
)
def test_device_login_ends_on_expiry_or_refusal(cloud: CloudFake, step: str, error: type[Exception]) -> None:
    cloud.device_script = ["authorization_pending", step]
    with device_login(cloud.base_url, []) as login, pytest.raises(error):
        login.login()


def test_device_login_with_an_unknown_code(cloud: CloudFake) -> None:
    with device_login(cloud.base_url, []) as login:
        authorization = login.start()
        forged = authorization.model_copy(update={"device_code": "forged"})
        with pytest.raises(DeviceLoginError, match="invalid_grant"):
            login.wait(forged)


def test_device_login_polls_through_network_faults(cloud: CloudFake) -> None:
    """Through the fault proxy: a reset and a 502 on the token endpoint are polled through."""
    proxy = FaultProxy(cloud.base_url).start()
    try:
        proxy.add(Rule(reset_before(), method="POST", path="/oauth/device/token", nth={1}))
        proxy.add(Rule(server_error(502), method="POST", path="/oauth/device/token", nth={2, 3, 4}))
        cloud.device_script = ["granted"]
        waits: list[float] = []
        with device_login(proxy.base_url, waits) as login:
            token = login.login()
        assert token.access_token.startswith("sk-oh-fake-")
        assert proxy.counts["reset_before"] == 1 and proxy.counts["http_502"] == 3
        # the reset is retried at once by the pipeline; each 502 ends a poll, and polling goes on
        assert len([s for s in cloud.requests if s.path == "/oauth/device/token"]) == 1
    finally:
        proxy.stop()


def test_the_async_device_login(cloud: CloudFake) -> None:
    cloud.device_script = ["slow_down", "granted"]
    waits: list[float] = []

    async def record(seconds: float) -> None:
        waits.append(seconds)

    async def main() -> str:
        async with AsyncDeviceLogin(cloud.base_url, sleep=record) as login:
            return (await login.login()).access_token

    assert anyio.run(main).startswith("sk-oh-fake-") and waits == [5, 10]


def test_device_login_on_a_server_without_it(cloud: CloudFake) -> None:
    with DeviceLogin(cloud.base_url + "/nowhere") as login, pytest.raises(ohctl.NotFoundError):
        login.start()

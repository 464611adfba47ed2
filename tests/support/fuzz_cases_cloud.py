"""Fuzz cases (see fuzz_cases.py) for the hosted Cloud's own routes: ``client.cloud...`` and the
device login. The example bodies follow tests/data/cloud-docs.openapi.json."""

from __future__ import annotations

from typing import Any

import ohctl
from ohctl.cloud import AsyncDeviceLogin, DeviceAuthorization, DeviceLogin
from tests.support.fuzz_cases import BODY_SECRET, NOW, Case, page

ORG = "6f1c2b9e-0a57-4c1e-9d4e-2a0c4f7b8e11"
KEY = {"id": 7, "name": "ci", "created_at": NOW, "last_used_at": None, "expires_at": None, "org_id": ORG}
ORGANIZATION = {"id": ORG, "name": "Acme", "contact_name": "Ada", "contact_email": "a@x.io", "credits": 3.5,
                "is_personal": False, "sandbox_api_key": BODY_SECRET}  # fmt: skip
EVENT = {"kind": "PauseEvent", "id": "e1", "timestamp": NOW, "source": "user"}
SHARED = {"id": "c1", "created_by_user_id": "u1", "sandbox_id": "sb1", "title": "t", "pr_number": [1]}
AUTHORIZATION = DeviceAuthorization(
    device_code="dev", user_code="AB-CD", verification_uri="https://x/verify", expires_in=600, interval=5
)


def _no_sleep(seconds: float) -> None:
    return None


async def _no_sleep_async(seconds: float) -> None:
    return None


def _device(c: Any, start: bool) -> Any:
    http = c._http.user_http_client
    if isinstance(c, ohctl.AsyncOpenHands):

        async def run() -> Any:
            async with AsyncDeviceLogin(c.base_url, http_client=http, max_retries=0, sleep=_no_sleep_async) as login:
                return await (login.start() if start else login.wait(AUTHORIZATION))

        return run()
    with DeviceLogin(c.base_url, http_client=http, max_retries=0, sleep=_no_sleep) as login:
        return login.start() if start else login.wait(AUTHORIZATION)


def _cloud(name: str, method: str, template: str, body: Any, call: Any) -> Case:
    return Case(f"cloud.{name}", "app", method, template, body, call)


CLOUD_CASES: list[Case] = [
    _cloud("keys.list", "GET", "/api/keys", [KEY], lambda c: c.cloud.keys.list()),
    _cloud("keys.create", "POST", "/api/keys", {**KEY, "key": BODY_SECRET}, lambda c: c.cloud.keys.create("ci")),
    _cloud("keys.delete", "DELETE", "/api/keys/{key_id}", {"message": "ok"}, lambda c: c.cloud.keys.delete(7)),
    _cloud(
        "keys.current",
        "GET",
        "/api/keys/current",
        {"id": 7, "name": "ci", "org_id": ORG, "bound_org_id": None, "user_id": "u1", "auth_type": "api_key"},
        lambda c: c.cloud.keys.current(),
    ),
    _cloud(
        "keys.byor_permitted",
        "GET",
        "/api/keys/llm/byor/permitted",
        {"permitted": True},
        lambda c: c.cloud.keys.byor_permitted(),
    ),
    _cloud("keys.byor", "GET", "/api/keys/llm/byor", {"key": BODY_SECRET}, lambda c: c.cloud.keys.byor_llm_key()),
    _cloud(
        "keys.byor_refresh",
        "POST",
        "/api/keys/llm/byor/refresh",
        {"key": BODY_SECRET},
        lambda c: c.cloud.keys.refresh_byor_llm_key(),
    ),
    _cloud(
        "keys.managed_refresh",
        "POST",
        "/api/keys/llm/managed/refresh",
        {"refreshed": True},
        lambda c: c.cloud.keys.refresh_managed_llm_key(),
    ),
    _cloud(
        "orgs.list",
        "GET",
        "/api/organizations",
        {**page(ORGANIZATION), "current_org_id": ORG},
        lambda c: c.cloud.orgs.list(limit=3),
    ),
    _cloud("orgs.retrieve", "GET", "/api/organizations/{org_id}", ORGANIZATION, lambda c: c.cloud.orgs.retrieve(ORG)),
    _cloud(
        "orgs.update",
        "PATCH",
        "/api/organizations/{org_id}",
        ORGANIZATION,
        lambda c: c.cloud.orgs.update(ORG, name="Acme"),
    ),
    _cloud(
        "orgs.me",
        "GET",
        "/api/organizations/{org_id}/me",
        {
            "org_id": ORG,
            "user_id": "u1",
            "email": "a@x.io",
            "role": "owner",
            "permissions": ["X"],
            "llm_api_key": BODY_SECRET,
        },
        lambda c: c.cloud.orgs.me(ORG),
    ),
    _cloud(
        "orgs.members",
        "GET",
        "/api/organizations/{org_id}/members",
        {"items": [{"user_id": "u1", "email": "a@x.io", "role": "owner", "status": "active"}], "current_page": 1},
        lambda c: c.cloud.orgs.members(ORG),
    ),
    _cloud(
        "orgs.switch",
        "POST",
        "/api/organizations/{org_id}/switch",
        ORGANIZATION,
        lambda c: c.cloud.orgs.switch(ORG),
    ),
    _cloud(
        "orgs.settings",
        "GET",
        "/api/organizations/{org_id}/settings",
        {"llm_api_key_set": True, "search_api_key": BODY_SECRET},
        lambda c: c.cloud.orgs.settings(ORG),
    ),
    _cloud("billing.credits", "GET", "/api/billing/credits", {"credits": "1.50"}, lambda c: c.cloud.billing.credits()),
    _cloud(
        "billing.subscription",
        "GET",
        "/api/billing/subscription-access",
        {"start_at": NOW, "end_at": NOW, "created_at": NOW, "cancelled_at": None},
        lambda c: c.cloud.billing.subscription(),
    ),
    _cloud(
        "shared.conversations",
        "GET",
        "/api/shared-conversations",
        [SHARED, None],
        lambda c: c.cloud.shared.conversations(["c1", "c2"]),
    ),
    _cloud(
        "shared.events", "GET", "/api/shared-events/search", page(EVENT), lambda c: c.cloud.shared.events("c1", limit=3)
    ),
    _cloud("shared.count", "GET", "/api/shared-events/count", 4, lambda c: c.cloud.shared.count_events("c1")),
    _cloud(
        "shared.get_events",
        "GET",
        "/api/shared-events",
        [EVENT, None],
        lambda c: c.cloud.shared.get_events("c1", ["e1", "e2"]),
    ),
    _cloud(
        "shared.event",
        "GET",
        "/api/shared-events/{conversation_id}/{event_id}",
        EVENT,
        lambda c: c.cloud.shared.event("c1", "e1"),
    ),
    _cloud(
        "app_settings.retrieve",
        "GET",
        "/api/users/app",
        {"language": "en", "git_user_name": "Ada"},
        lambda c: c.cloud.app_settings.retrieve(),
    ),
    _cloud(
        "app_settings.update",
        "POST",
        "/api/users/app",
        {"language": "en", "git_user_name": "Bot"},
        lambda c: c.cloud.app_settings.update(git_user_name="Bot"),
    ),
    _cloud(
        "device.start",
        "POST",
        "/oauth/device/authorize",
        {
            "device_code": BODY_SECRET,
            "user_code": "AB-CD",
            "verification_uri": "https://x/verify",
            "verification_uri_complete": "https://x/verify?user_code=AB-CD",
            "expires_in": 600,
            "interval": 5,
        },
        lambda c: _device(c, start=True),
    ),
    _cloud(
        "device.wait",
        "POST",
        "/oauth/device/token",
        {"access_token": BODY_SECRET, "token_type": "Bearer", "expires_in": 86400},
        lambda c: _device(c, start=False),
    ),
]

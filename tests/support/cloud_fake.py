"""A small local fake of the HOSTED OpenHands Cloud's own routes. It stands for the hosted service
(app.all-hands.dev), which the tests cannot reach: API keys, organizations, billing, shared
conversations, app settings and the OAuth device flow, plus ``/api/v1/users/me`` for ``auth login``.

It is held to the Cloud's published document (tests/data/cloud-docs.openapi.json, see
cloud_document.py): every route it serves must be in the document; every request's path, query and
body is checked against the route's parameters and request schema; every answer against the
route's response schema. A mismatch is recorded in ``fake.problems`` and answered 500, and the
``cloud`` fixture fails the test: a fake (or an SDK) that drifts from the document fails.

Behaviour of the hosted service it reproduces: 401 for an unknown key (Bearer), 429 with
Retry-After (``fake.rate_limit = n`` answers the next n requests so), the effective organization
from ``X-Org-Id``, and the device flow's states (``fake.device_script``: one answer per poll, of
``authorization_pending``, ``slow_down``, ``expired_token``, ``access_denied``, ``granted``).
It binds 127.0.0.1 only; ``stop()`` shuts it down and joins its thread.
"""

from __future__ import annotations

import contextlib
import json
import re
import secrets
import threading
from collections.abc import Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, urlsplit

from tests.support import cloud_document as doc

NOW = "2026-01-02T03:04:05Z"
USER_ID = "user-1"
ORG_A = "6f1c2b9e-0a57-4c1e-9d4e-2a0c4f7b8e11"
ORG_B = "0b7d3c52-91aa-4e0b-8f66-5d2e9c1a7f03"


@dataclass
class Seen:
    method: str
    path: str
    query: dict[str, list[str]]
    headers: dict[str, str]


@dataclass
class Reply:
    status: int
    body: Any
    headers: dict[str, str] = field(default_factory=dict)


def _pattern(template: str) -> re.Pattern[str]:
    return re.compile("^" + re.sub(r"\{(\w+)\}", r"(?P<\1>[^/]+)", template) + "$")


class CloudFake:
    def __init__(self) -> None:
        self.problems: list[str] = []
        self.requests: list[Seen] = []
        self.rate_limit = 0
        self.device_script: list[str] = []
        self.devices: dict[str, str] = {}  # device_code -> user_code
        self.keys: dict[int, dict[str, Any]] = {}
        self.values: dict[str, int] = {}  # key value -> key id
        self.current_org = ORG_A
        self.orgs = {
            ORG_A: {"id": ORG_A, "name": "Personal", "contact_name": "Ada", "contact_email": "ada@example.com",
                    "credits": 12.5, "is_personal": True, "sandbox_api_key": "sbx-secret-org-a"},
            ORG_B: {"id": ORG_B, "name": "Acme", "contact_name": "Ada", "contact_email": "ops@acme.example",
                    "credits": 300.0, "is_personal": False, "max_budget_per_task": 5.0},
        }  # fmt: skip
        shared = {"id": "c-shared", "created_by_user_id": USER_ID, "sandbox_id": "sb-1", "title": "Public demo",
                  "pr_number": [], "created_at": NOW, "updated_at": NOW}  # fmt: skip
        self.shared = {"c-shared": shared}
        self.events = [
            {"kind": "PauseEvent", "id": f"e{i}", "timestamp": NOW, "source": "user"} for i in range(5)
        ] + [{"kind": "AgentErrorEvent", "id": "e5", "source": "agent", "timestamp": NOW,
              "tool_name": "bash", "tool_call_id": "t1", "error": "boom"}]  # fmt: skip
        self.app_settings: dict[str, Any] = {"language": "en", "git_user_name": "Ada", "git_full_clone": False}
        self.login_key = self.add_key("login", None)
        self.routes = [(m, t, _pattern(t), getattr(self, h)) for m, t, h in ROUTES]
        self.routes.sort(key=lambda r: r[1].count("{"))  # literal segments first (/api/keys/current)
        missing = [f"{m} {t}" for m, t, _, _ in self.routes if (m, t) not in doc.operations()]
        assert not missing, f"the fake serves routes the Cloud's document does not have: {missing}"
        self._server: ThreadingHTTPServer | None = None
        self._thread: threading.Thread | None = None

    # -- lifecycle ------------------------------------------------------------------------------
    def start(self) -> CloudFake:
        fake = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args: Any) -> None:
                return None

            def _any(self) -> None:
                length = int(self.headers.get("Content-Length") or 0)
                raw = self.rfile.read(length) if length else b""
                reply = fake.handle(self.command, self.path, dict(self.headers.items()), raw)
                data = json.dumps(reply.body).encode()
                self.send_response(reply.status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                for name, value in reply.headers.items():
                    self.send_header(name, value)
                self.end_headers()
                self.wfile.write(data)

            do_GET = do_POST = do_PATCH = do_DELETE = do_PUT = _any

        self._server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self._server.daemon_threads = True
        self._thread = threading.Thread(target=self._server.serve_forever, args=(0.05,), name="cloud-fake", daemon=True)
        self._thread.start()
        return self

    @property
    def base_url(self) -> str:
        assert self._server is not None
        host, port = self._server.server_address[:2]
        return f"http://{host!s}:{port}"

    def stop(self) -> None:
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()
        if self._thread is not None:
            self._thread.join(timeout=10)

    # -- state helpers --------------------------------------------------------------------------
    def add_key(self, name: str | None, org_id: str | None) -> str:
        key_id = len(self.keys) + 1
        value = f"sk-oh-fake-{secrets.token_hex(12)}"
        self.keys[key_id] = {"id": key_id, "name": name, "created_at": NOW, "last_used_at": None,
                             "not_before": None, "expires_at": None, "org_id": org_id}  # fmt: skip
        self.values[value] = key_id
        return value

    def org_headers_seen(self) -> list[str | None]:
        return [next((v for k, v in s.headers.items() if k.lower() == "x-org-id"), None) for s in self.requests]

    # -- the request path -----------------------------------------------------------------------
    def handle(self, method: str, target: str, headers: dict[str, str], raw: bytes) -> Reply:
        url = urlsplit(target)
        query = parse_qs(url.query, keep_blank_values=True)
        self.requests.append(Seen(method, url.path, query, headers))
        for route_method, template, pattern, handler in self.routes:
            match = pattern.match(url.path)
            if route_method != method or not match:
                continue
            found = self._check_request(method, template, match.groupdict(), query, headers, raw)
            if isinstance(found, Reply):
                return found
            if self.rate_limit > 0:
                self.rate_limit -= 1
                return self._answer(method, template, Reply(429, {"detail": "Too many requests"}, {"Retry-After": "0"}))
            op = doc.operation(method, template)
            if op.get("security") and not self._key(headers):
                return self._answer(method, template, Reply(401, {"detail": "Invalid API key"}))
            reply = handler(found, headers=headers)
            return self._answer(method, template, reply)
        return Reply(404, {"detail": "Not Found"})

    def _key(self, headers: dict[str, str]) -> int | None:
        auth = next((v for k, v in headers.items() if k.lower() == "authorization"), "")
        value = auth[7:] if auth.startswith("Bearer ") else ""
        return self.values.get(value)

    def _fail(self, what: list[str]) -> Reply:
        self.problems.extend(what)
        return Reply(500, {"detail": "cloud fake: " + "; ".join(what)})

    def _check_request(
        self, method: str, template: str, path: dict[str, str], query: dict[str, list[str]],
        headers: dict[str, str], raw: bytes,
    ) -> dict[str, Any] | Reply:  # fmt: skip
        """The request's values by name (path, query, body), or a 500 naming where it breaks the document."""
        where = f"{method} {template}"
        found: list[str] = []
        values: dict[str, Any] = {}
        for name, value in path.items():
            schema = doc.parameters(method, template, "path")[name]["schema"]
            values[name] = doc.coerce(value, schema)
            found += doc.problems(schema, values[name], f"{where} path {name}")
        known = doc.parameters(method, template, "query")
        for name, given in query.items():
            if name not in known:
                found.append(f"{where}: query parameter {name!r} is not in the document")
                continue
            schema = known[name]["schema"]
            value: Any = [doc.coerce(v, schema.get("items", {})) for v in given] if schema.get("type") == "array" \
                else doc.coerce(given[-1], schema)  # fmt: skip
            values[name] = value
            found += doc.problems(schema, value, f"{where} query {name}")
        found += [
            f"{where}: required query {n!r} missing" for n, p in known.items() if p.get("required") and n not in query
        ]
        body = doc.request_schema(method, template)
        if body is not None:
            kind, schema = body
            content_type = next((v for k, v in headers.items() if k.lower() == "content-type"), "")
            if not content_type.startswith(kind):
                found.append(f"{where}: sent as {content_type or 'no content type'}, the document says {kind}")
            else:
                data = json.loads(raw or b"null") if kind == "application/json" else \
                    {k: v[-1] for k, v in parse_qs(raw.decode()).items()}  # fmt: skip
                found += doc.problems(schema, data, f"{where} body")
                values["body"] = data
        return self._fail(found) if found else values

    def _answer(self, method: str, template: str, reply: Reply) -> Reply:
        schema = doc.response_schema(method, template, reply.status)
        if schema is None:
            schema = doc.OAUTH_ERROR if template == "/oauth/device/token" and reply.status == 400 else doc.HTTP_ERROR
        found = doc.problems(schema, reply.body, f"{method} {template} answer {reply.status}")
        return self._fail(found) if found else reply

    # -- handlers (each gets the checked values; answers are checked again on the way out) --------
    def _effective_org(self, headers: dict[str, str]) -> str:
        key = self.keys.get(self._key(headers) or 0) or {}
        header = next((v for k, v in headers.items() if k.lower() == "x-org-id"), None)
        return str(key.get("org_id") or header or self.current_org)

    def keys_list(self, v: dict[str, Any], headers: dict[str, str]) -> Reply:
        org = self._effective_org(headers)
        return Reply(200, [k for k in self.keys.values() if k["org_id"] in (None, org)])

    def keys_create(self, v: dict[str, Any], headers: dict[str, str]) -> Reply:
        body = v["body"]
        org = body["org_id"] if "org_id" in body else self._effective_org(headers)
        value = self.add_key(body.get("name"), org)
        key_id = self.values[value]
        self.keys[key_id]["expires_at"] = body.get("expires_at")
        return Reply(200, {**self.keys[key_id], "key": value})

    def keys_delete(self, v: dict[str, Any], headers: dict[str, str]) -> Reply:
        if self.keys.pop(v["key_id"], None) is None:
            return Reply(404, {"detail": "API key not found"})
        self.values = {value: i for value, i in self.values.items() if i != v["key_id"]}
        return Reply(200, {"message": "API key deleted successfully"})

    def keys_current(self, v: dict[str, Any], headers: dict[str, str]) -> Reply:
        key = self.keys[self._key(headers) or 0]
        return Reply(200, {"id": key["id"], "name": key["name"], "org_id": self._effective_org(headers),
                           "bound_org_id": key["org_id"], "user_id": USER_ID, "auth_type": "api_key"})  # fmt: skip

    def byor_permitted(self, v: dict[str, Any], headers: dict[str, str]) -> Reply:
        return Reply(200, {"permitted": True})

    def byor_key(self, v: dict[str, Any], headers: dict[str, str]) -> Reply:
        return Reply(200, {"key": "sk-litellm-byor-secret"})

    def managed_refresh(self, v: dict[str, Any], headers: dict[str, str]) -> Reply:
        return Reply(200, {"refreshed": True})

    def orgs_list(self, v: dict[str, Any], headers: dict[str, str]) -> Reply:
        start, limit = int(v.get("page_id") or 0), int(v.get("limit") or 100)
        items = list(self.orgs.values())
        next_id = str(start + limit) if start + limit < len(items) else None
        return Reply(200, {"items": items[start : start + limit], "next_page_id": next_id,
                           "current_org_id": self.current_org})  # fmt: skip

    def _org(self, v: dict[str, Any]) -> dict[str, Any] | None:
        return self.orgs.get(str(v["org_id"]))

    def org_get(self, v: dict[str, Any], headers: dict[str, str]) -> Reply:
        org = self._org(v)
        return Reply(200, org) if org else Reply(404, {"detail": "Organization not found"})

    def org_update(self, v: dict[str, Any], headers: dict[str, str]) -> Reply:
        org = self._org(v)
        if org is None:
            return Reply(404, {"detail": "Organization not found"})
        org.update({k: val for k, val in v["body"].items() if k in ("name", "contact_name", "contact_email")})
        return Reply(200, org)

    def org_me(self, v: dict[str, Any], headers: dict[str, str]) -> Reply:
        role = "owner" if v["org_id"] == ORG_A else "member"
        return Reply(200, {"org_id": v["org_id"], "user_id": USER_ID, "email": "ada@example.com", "role": role,
                           "permissions": ["VIEW_ORG_SETTINGS"], "llm_api_key": "sk-l****ret",
                           "status": "active"})  # fmt: skip

    def org_members(self, v: dict[str, Any], headers: dict[str, str]) -> Reply:
        people = [{"user_id": USER_ID, "email": "ada@example.com", "role_id": 1, "role": "owner", "role_rank": 1,
                   "status": "active"}]  # fmt: skip
        wanted = v.get("email")
        return Reply(200, {"items": [p for p in people if not wanted or wanted in p["email"]], "current_page": 1,
                           "per_page": int(v.get("limit") or 10)})  # fmt: skip

    def org_switch(self, v: dict[str, Any], headers: dict[str, str]) -> Reply:
        org = self._org(v)
        if org is None:
            return Reply(403, {"detail": "Not a member of this organization"})
        self.current_org = org["id"]
        return Reply(200, org)

    def org_settings(self, v: dict[str, Any], headers: dict[str, str]) -> Reply:
        return Reply(200, {"llm_api_key_set": True, "search_api_key": None})

    def credits(self, v: dict[str, Any], headers: dict[str, str]) -> Reply:
        org = self.orgs[self._effective_org(headers)]
        return Reply(200, {"credits": f"{org['credits']:.2f}"})

    def subscription(self, v: dict[str, Any], headers: dict[str, str]) -> Reply:
        if self._effective_org(headers) != ORG_B:
            return Reply(200, None)
        return Reply(200, {"start_at": NOW, "end_at": "2026-02-02T03:04:05Z", "created_at": NOW, "cancelled_at": None})

    def shared_conversations(self, v: dict[str, Any], headers: dict[str, str]) -> Reply:
        return Reply(200, [self.shared.get(i) for i in v["ids"]])

    def _events_for(self, v: dict[str, Any]) -> list[dict[str, Any]]:
        found = self.events if v["conversation_id"] in self.shared else []
        return [e for e in found if not v.get("kind__eq") or e["kind"] == v["kind__eq"]]

    def shared_search(self, v: dict[str, Any], headers: dict[str, str]) -> Reply:
        events = self._events_for(v)
        start, limit = int(v.get("page_id") or 0), int(v.get("limit") or 100)
        next_id = str(start + limit) if start + limit < len(events) else None
        return Reply(200, {"items": events[start : start + limit], "next_page_id": next_id})

    def shared_count(self, v: dict[str, Any], headers: dict[str, str]) -> Reply:
        return Reply(200, len(self._events_for(v)))

    def shared_batch(self, v: dict[str, Any], headers: dict[str, str]) -> Reply:
        by_id = {e["id"]: e for e in self._events_for(v)}
        return Reply(200, [by_id.get(i) for i in v["id"]])

    def shared_one(self, v: dict[str, Any], headers: dict[str, str]) -> Reply:
        return Reply(200, {e["id"]: e for e in self._events_for(v)}.get(v["event_id"]))

    def app_get(self, v: dict[str, Any], headers: dict[str, str]) -> Reply:
        return Reply(200, self.app_settings)

    def app_update(self, v: dict[str, Any], headers: dict[str, str]) -> Reply:
        self.app_settings.update(v["body"])
        return Reply(200, self.app_settings)

    def users_me(self, v: dict[str, Any], headers: dict[str, str]) -> Reply:
        return Reply(200, {"id": USER_ID, "email": "ada@example.com", "org_id": self._effective_org(headers),
                           "org_name": self.orgs[self._effective_org(headers)]["name"], "role": "owner"})  # fmt: skip

    def device_authorize(self, v: dict[str, Any], headers: dict[str, str]) -> Reply:
        device_code, user_code = (
            secrets.token_urlsafe(24),
            f"{secrets.token_hex(2).upper()}-{secrets.token_hex(2).upper()}",
        )
        self.devices[device_code] = user_code
        verify = f"{self.base_url}/oauth/device/verify"
        return Reply(200, {"device_code": device_code, "user_code": user_code, "verification_uri": verify,
                           "verification_uri_complete": f"{verify}?user_code={user_code}", "expires_in": 600,
                           "interval": 5})  # fmt: skip

    def device_token(self, v: dict[str, Any], headers: dict[str, str]) -> Reply:
        if v["body"]["device_code"] not in self.devices:
            return Reply(400, {"error": "invalid_grant", "error_description": "Invalid device code"})
        step = self.device_script.pop(0) if self.device_script else "authorization_pending"
        if step == "granted":
            return Reply(200, {"access_token": self.add_key("CLI Authentication", None), "token_type": "Bearer",
                               "expires_in": 86400})  # fmt: skip
        return Reply(400, {"error": step, "error_description": f"fake: {step}"})


@contextlib.contextmanager
def running() -> Iterator[CloudFake]:
    """A started fake; afterwards, it is stopped and the test fails if anything broke the document."""
    fake = CloudFake().start()
    try:
        yield fake
    finally:
        fake.stop()
    assert not fake.problems, "the Cloud fake saw requests or answers that break the document:\n" + "\n".join(
        fake.problems
    )


ROUTES = [
    ("GET", "/api/keys", "keys_list"),
    ("POST", "/api/keys", "keys_create"),
    ("DELETE", "/api/keys/{key_id}", "keys_delete"),
    ("GET", "/api/keys/current", "keys_current"),
    ("GET", "/api/keys/llm/byor/permitted", "byor_permitted"),
    ("GET", "/api/keys/llm/byor", "byor_key"),
    ("POST", "/api/keys/llm/byor/refresh", "byor_key"),
    ("POST", "/api/keys/llm/managed/refresh", "managed_refresh"),
    ("GET", "/api/organizations", "orgs_list"),
    ("GET", "/api/organizations/{org_id}", "org_get"),
    ("PATCH", "/api/organizations/{org_id}", "org_update"),
    ("GET", "/api/organizations/{org_id}/me", "org_me"),
    ("GET", "/api/organizations/{org_id}/members", "org_members"),
    ("POST", "/api/organizations/{org_id}/switch", "org_switch"),
    ("GET", "/api/organizations/{org_id}/settings", "org_settings"),
    ("GET", "/api/billing/credits", "credits"),
    ("GET", "/api/billing/subscription-access", "subscription"),
    ("GET", "/api/shared-conversations", "shared_conversations"),
    ("GET", "/api/shared-events/search", "shared_search"),
    ("GET", "/api/shared-events/count", "shared_count"),
    ("GET", "/api/shared-events", "shared_batch"),
    ("GET", "/api/shared-events/{conversation_id}/{event_id}", "shared_one"),
    ("GET", "/api/users/app", "app_get"),
    ("POST", "/api/users/app", "app_update"),
    ("GET", "/api/v1/users/me", "users_me"),
    ("POST", "/oauth/device/authorize", "device_authorize"),
    ("POST", "/oauth/device/token", "device_token"),
]

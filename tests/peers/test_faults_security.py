"""The live socket refused, secrets in client-side texts, and credentials kept to their own origin:
the SDK against the real servers behind fault proxies."""

from __future__ import annotations

import asyncio
import logging
import time
import traceback
import uuid
from collections.abc import Iterator
from typing import Any

import pytest

import ohctl
from tests.support.fault_proxy import (
    FaultProxy,
    Rule,
    concurrency_limit,
    daily_limit,
    html_page,
    maintenance,
    reset_before,
    respond,
    stall,
    ws_refuse,
)
from tests.support.peer_suite import Shared


# -- d. the live socket refused: the wait falls back to polling -----------------------------------------
@pytest.mark.parametrize("status", [401, 403])
def test_wait_falls_back_to_polling_when_the_socket_is_refused(
    status: int,
    app_proxy: FaultProxy,
    agent_proxy: FaultProxy,
    base_url: str,
    shared: Shared,
    figures: dict[str, Any],
) -> None:
    with ohctl.OpenHands(base_url=base_url, max_retries=4) as direct:
        task = direct.conversations.start(
            f"[ohctl:slow:4] refused socket {status}", sandbox_id=shared.sandbox_id, wait=None
        )
        ready = direct.start_tasks.wait(task, timeout=90)
        assert ready.app_conversation_id
        try:
            agent_proxy.add(Rule(ws_refuse(status), websocket=True))
            started = time.monotonic()
            with ohctl.OpenHands(base_url=app_proxy.base_url, max_retries=2) as client:
                conv = client.conversations.wait(ready.app_conversation_id, timeout=90)
            elapsed = time.monotonic() - started
        finally:
            direct.conversations.delete(ready.app_conversation_id)
    refused = agent_proxy.counts[f"ws_refuse_{status}"]
    figures[f"d_socket_refused_{status}"] = {
        "handshakes_refused": refused,
        "wait_returned": str(conv.execution_status),
        "seconds": round(elapsed, 1),
        "app_requests": app_proxy.counts["seen"],
    }
    assert str(conv.execution_status) == "finished"
    assert refused >= 1, "the wait never tried the socket (it went through the rewritten conversation_url)"
    assert all(s.websocket for s in agent_proxy.requests if s.fault.startswith("ws_refuse"))


# -- e. secret scan -------------------------------------------------------------------------------------
class Capture(logging.Handler):
    def __init__(self) -> None:
        super().__init__(logging.DEBUG)
        self.records: list[logging.LogRecord] = []
        self.setFormatter(logging.Formatter("%(name)s %(levelname)s %(message)s"))

    def emit(self, record: logging.LogRecord) -> None:
        self.records.append(record)


@pytest.fixture
def debug_logs() -> Iterator[Capture]:
    capture = Capture()
    root = logging.getLogger()
    names = ["ohctl", "httpx", "httpcore", "websockets", "asyncio"]
    saved = (root.level, {n: logging.getLogger(n).level for n in names})
    root.addHandler(capture)
    root.setLevel(logging.DEBUG)
    for n in names:
        logging.getLogger(n).setLevel(logging.DEBUG)
    yield capture
    root.removeHandler(capture)
    root.setLevel(saved[0])
    for n, level in saved[1].items():
        logging.getLogger(n).setLevel(level)


class Texts:
    def __init__(self) -> None:
        self.items: list[tuple[str, str]] = []
        self.calls = 0
        self.errors: dict[str, int] = {}

    def add(self, where: str, text: str) -> None:
        self.items.append((where, text))

    def value(self, where: str, value: Any) -> None:
        self.calls += 1
        self.add(where, repr(value))
        self.add(where, str(value))

    def error(self, where: str, exc: BaseException) -> None:
        self.calls += 1
        self.errors[type(exc).__name__] = self.errors.get(type(exc).__name__, 0) + 1
        self.add(where, str(exc))
        self.add(where, repr(exc))
        self.add(where, repr(getattr(exc, "__dict__", {})))
        self.add(where, "".join(traceback.format_exception(exc)))

    def run(self, where: str, call: Any) -> None:
        try:
            self.value(where, call())
        except ohctl.OhctlError as exc:
            self.error(where, exc)

    async def arun(self, where: str, call: Any) -> None:
        try:
            self.value(where, await call())
        except ohctl.OhctlError as exc:
            self.error(where, exc)


def test_no_key_in_any_client_side_text(
    app_proxy: FaultProxy,
    agent_proxy: FaultProxy,
    base_url: str,
    shared: Shared,
    debug_logs: Capture,
    figures: dict[str, Any],
) -> None:
    tag = uuid.uuid4().hex
    api_key, wrong_key = f"sk-oh-SCANKEY{tag}", f"sk-oh-WRONGKEY{tag}"
    wrong_session = f"sess-WRONGSESSION{tag}"
    with ohctl.OpenHands(base_url=base_url, max_retries=4) as direct:
        session_key = direct.sandboxes.retrieve(shared.sandbox_id).session_api_key
    assert session_key
    secrets = [api_key, wrong_key, session_key, wrong_session]
    keyed = FaultProxy(base_url, api_key=api_key).start()
    keyed.rewrite.update(app_proxy.rewrite)  # agent-server URLs in answers point at agent_proxy
    texts = Texts()
    try:
        _sync_calls(texts, keyed, agent_proxy, shared, api_key, wrong_key, session_key, wrong_session)
        asyncio.run(_async_calls(texts, keyed, agent_proxy, shared, api_key, wrong_key, session_key, wrong_session))
    finally:
        keyed.stop()
    for record in debug_logs.records:
        texts.add(f"log:{record.name}", debug_logs.format(record))
        texts.add(f"log:{record.name}", repr(record.args))
    hits = [(where, secret[:12]) for where, text in texts.items for secret in secrets if secret in text]
    loggers = sorted({r.name.split(".")[0] for r in debug_logs.records})
    figures["e_secret_scan"] = {
        "sdk_calls": texts.calls,
        "texts_scanned": len(texts.items),
        "log_records": len(debug_logs.records),
        "loggers_seen": loggers,
        "errors_by_kind": texts.errors,
        "key_hits": len(hits),
        "hits_where": sorted(set(hits))[:10],
    }
    # The keys really went to their own servers (so the scan is not vacuous) ...
    assert any(s.headers.get("authorization") == f"Bearer {api_key}" for s in keyed.requests)
    assert any(s.headers.get("x-session-api-key") == session_key for s in agent_proxy.requests)
    assert any(s.websocket for s in agent_proxy.requests), "the live socket was not exercised"
    # ... every kind of outcome was produced, with third-party debug logging on ...
    for kind in (
        "AuthenticationError",
        "SessionKeyError",
        "ResourceNotFoundError",
        "ConcurrencyLimitError",
        "DailyLimitError",
        "InternalServerError",
        "UnexpectedResponseError",
        "APIConnectionError",
        "APITimeoutError",
        "InvalidIdError",
    ):
        assert texts.errors.get(kind), f"no {kind} was produced"
    assert {"ohctl", "httpx", "httpcore"} <= set(loggers)
    # ... and no client-side text holds any of them.
    assert hits == []


def _sync_calls(
    texts: Texts,
    keyed: FaultProxy,
    agent_proxy: FaultProxy,
    shared: Shared,
    api_key: str,
    wrong_key: str,
    session_key: str,
    wrong_session: str,
) -> None:
    unknown = uuid.uuid4().hex
    with ohctl.OpenHands(base_url=keyed.base_url, api_key=api_key, max_retries=0, timeout=2) as client:
        texts.value("repr(client)", client)
        texts.run("retrieve", lambda: client.conversations.retrieve(shared.id))
        texts.run("count", lambda: client.conversations.count())
        texts.run("events", lambda: list(client.events.search(shared.id, limit=5)))
        texts.run("sandbox", lambda: client.sandboxes.retrieve(shared.sandbox_id))
        texts.run("settings", lambda: client.settings.get())
        texts.run("not found", lambda: client.conversations.retrieve(unknown))
        texts.run("invalid id", lambda: client.conversations.retrieve("not a conversation id"))
        keyed.add(Rule(concurrency_limit(), method="POST", times=1))
        texts.run("concurrency", lambda: client.conversations.start("x", sandbox_id=shared.sandbox_id, wait=None))
        keyed.add(Rule(daily_limit(), method="POST", times=1))
        texts.run("daily", lambda: client.conversations.start("x", sandbox_id=shared.sandbox_id, wait=None))
        keyed.add(Rule(maintenance(), path="/count", times=1))
        texts.run("5xx", lambda: client.conversations.count())
        keyed.add(Rule(html_page(), path="/users/me", times=1))
        texts.run("html", lambda: client.users.me())
        keyed.add(Rule(reset_before(), path="/count", times=1))
        texts.run("reset", lambda: client.conversations.count())
        keyed.add(Rule(stall(), path="/count", times=1))
        texts.run("timeout", lambda: client.conversations.count())
        with client.conversations.agent(shared.id) as agent:  # through agent_proxy (rewritten URL)
            texts.value("repr(agent)", agent)
            texts.run("bash", lambda: agent.bash.execute("echo scan"))
            stream = agent.stream_events(shared.id)
            seen = []
            for event in stream:
                seen.append(event)
                if len(seen) >= 3:
                    break
            texts.value("stream", seen)
            close = getattr(stream, "close", None)
            if close is not None:
                close()
    with ohctl.OpenHands(base_url=keyed.base_url, api_key=wrong_key, max_retries=0) as wrong:
        texts.value("repr(wrong)", wrong)
        texts.run("bad key", lambda: wrong.conversations.count())
    with ohctl.AgentServer(agent_proxy.base_url, wrong_session, max_retries=0) as bad_agent:
        texts.value("repr(bad agent)", bad_agent)
        texts.run("bad session key", lambda: bad_agent.bash.execute("echo no"))


async def _async_calls(
    texts: Texts,
    keyed: FaultProxy,
    agent_proxy: FaultProxy,
    shared: Shared,
    api_key: str,
    wrong_key: str,
    session_key: str,
    wrong_session: str,
) -> None:
    async with ohctl.AsyncOpenHands(base_url=keyed.base_url, api_key=api_key, max_retries=0, timeout=2) as client:
        texts.value("async repr(client)", client)
        await texts.arun("async retrieve", lambda: client.conversations.retrieve(shared.id))
        await texts.arun("async not found", lambda: client.conversations.retrieve(uuid.uuid4().hex))
        keyed.add(Rule(reset_before(), path="/count", times=1))
        await texts.arun("async reset", lambda: client.conversations.count())
        keyed.add(Rule(stall(), path="/count", times=1))
        await texts.arun("async timeout", lambda: client.conversations.count())
    async with ohctl.AsyncOpenHands(base_url=keyed.base_url, api_key=wrong_key, max_retries=0) as wrong:
        await texts.arun("async bad key", lambda: wrong.conversations.count())
    async with ohctl.AsyncAgentServer(agent_proxy.base_url, session_key, max_retries=0) as agent:
        texts.value("async repr(agent)", agent)
        await texts.arun("async bash", lambda: agent.bash.execute("echo async scan"))
    async with ohctl.AsyncAgentServer(agent_proxy.base_url, wrong_session, max_retries=0) as bad_agent:
        await texts.arun("async bad session key", lambda: bad_agent.bash.execute("echo no"))


# -- f. credentials stay with their own origin ----------------------------------------------------------------
def test_credentials_never_leave_their_origin(base_url: str, figures: dict[str, Any]) -> None:
    key = f"sk-oh-ORIGIN{uuid.uuid4().hex}"
    own = FaultProxy(base_url, api_key=key).start()
    other = FaultProxy(base_url).start()  # another origin (another port), recording what it receives
    redirects: dict[int, str] = {}
    try:
        with ohctl.OpenHands(base_url=own.base_url, api_key=key, max_retries=0) as client:
            assert client.conversations.count() >= 0  # the key does reach its own server
            try:
                client.request("GET", f"{other.base_url}/x")
            except ohctl.OhctlError:
                pass  # whatever the other server answers; what matters is what it received
            for code in (301, 302, 307, 308):
                own.add(
                    Rule(
                        respond(code, b"", {"Location": f"{other.base_url}/api/v1/app-conversations/count"}),
                        path="/count",
                        times=1,
                    )
                )
                with pytest.raises(ohctl.UnexpectedResponseError) as info:
                    client.conversations.count()
                redirects[code] = type(info.value).__name__
    finally:
        own.stop()
        other.stop()
    to_other = other.requests
    figures["f_credentials"] = {
        "requests_to_other_origin": len(to_other),
        "with_authorization": sum("authorization" in s.headers for s in to_other),
        "with_session_key": sum("x-session-api-key" in s.headers for s in to_other),
        "redirects_refused": redirects,
    }
    assert any(s.headers.get("authorization") == f"Bearer {key}" for s in own.requests)
    assert [(s.method, s.target) for s in to_other] == [("GET", "/x")]  # the redirects were not followed
    assert "authorization" not in to_other[0].headers and "x-session-api-key" not in to_other[0].headers
    assert own.counts["auth_rejected"] == 0

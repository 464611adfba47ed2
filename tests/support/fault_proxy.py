"""A fault-injecting HTTP/1.1 and WebSocket proxy on 127.0.0.1, in front of the real servers.

It reproduces what only the hosted Cloud (or a bad network) does: Bearer-key rejection, 429 limit and
rate-limit bodies with Retry-After, HTML pages, 5xx bursts, resets before and after the server saw the
request, cut-off and stalled bodies, latency, refused or dropped WebSockets. It runs its own asyncio
loop in a background thread; ``stop()`` closes every socket and joins the thread.

Rules are chosen per test. A rule matches a method, a path (a regex searched in the request target,
path plus query), the n-th matching request, a rate, a time window, and does ONE thing (a ``Fault``)::

    proxy = FaultProxy(base_url).start()
    proxy.add(Rule(maintenance(), method="GET", path="/events/search", nth={1, 2}))
    proxy.add(Rule([reset_before(), reset_after(), server_error()], rate=0.1))  # one picked at random
    proxy.outage(8, [server_error(), reset_before()])                              # every request, 8 s
    assert proxy.counts["reset_after"] == 1 and proxy.counts["forwarded"] == 3

Every request is recorded in ``proxy.requests`` (method, target, headers, forwarded, fault), and
``proxy.counts`` counts ``seen``, ``forwarded``, each fault kind applied, ``auth_rejected`` and
WebSocket frames. Plain callables ``(method, target) -> Fault | None`` also work as rules.
"""

from __future__ import annotations

import asyncio
import collections
import contextlib
import email.utils
import json
import random
import re
import socket
import struct
import threading
import time
from collections.abc import AsyncIterator, Callable, Collection, Sequence
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlsplit

HTML = b"<!DOCTYPE html><html><head><title>OpenHands</title></head><body><div id=root></div></body></html>"
MAINTENANCE = b"<html><head><title>Maintenance</title></head><body><h1>We'll be right back</h1></body></html>"
JSON = {"Content-Type": "application/json"}


@dataclass
class Fault:
    """What a rule does. ``kind`` names it (and is the key in ``proxy.counts``):

    respond        answer by itself with ``status``/``body``/``headers``; never forwarded
    latency        wait ``delay`` seconds, then forward normally
    reset_before   read the request, then reset the connection; never forwarded
    reset_after    forward, read the server's whole answer, then reset the connection
    truncate       forward, send the headers and the body up to ``at`` bytes (default half) or to the
                   end of ``cut_after``, then close (``reset``: a TCP reset); ``keep_length`` keeps the
                   Content-Length header
    stall          send ``headers`` (if any) and then nothing until the client gives up; never forwarded
    ws_drop        WebSocket: pass ``frames`` server frames, then reset both sides
    ws_close       WebSocket: pass ``frames`` server frames, then close the client's side with ``code``
    """

    status: int | None = None
    body: bytes = b""
    headers: dict[str, str] = field(default_factory=dict)
    cut_after: bytes | None = None
    kind: str = ""
    delay: float = 0.0
    at: int | None = None
    keep_length: bool = True
    reset: bool = False  # truncate: end with a TCP reset instead of a clean close
    frames: int = 0
    code: int = 1000
    name: str = ""  # a label for counts (e.g. "rate_limit"); defaults to the kind

    def __post_init__(self) -> None:
        if not self.kind:
            self.kind = "respond" if self.status is not None else "truncate" if self.cut_after else "latency"
        if not self.name:
            self.name = self.kind


# -- the faults the suite uses ------------------------------------------------------------------
def respond(
    status: int, body: bytes | str | dict[str, Any] = b"", headers: dict[str, str] | None = None, *, name: str = ""
) -> Fault:
    if isinstance(body, dict):
        body, headers = json.dumps(body).encode(), {**JSON, **(headers or {})}
    elif isinstance(body, str):
        body = body.encode()
    return Fault(status, body, dict(headers or {}), name=name or f"http_{status}")


def concurrency_limit(limit: int = 3, current: int = 3) -> Fault:
    detail = {
        "error": "CONCURRENCY_LIMIT_REACHED",
        "message": f"You have reached your limit of {limit} concurrent conversations.",
        "limit": limit,
        "current": current,
    }
    return respond(429, {"detail": detail}, name="concurrency_limit")


def daily_limit() -> Fault:
    detail = {"error": "DAILY_SANDBOX_LIMIT_REACHED", "message": "You have reached your daily sandbox limit."}
    return respond(429, {"detail": detail}, name="daily_limit")


def bad_key() -> Fault:
    return respond(401, {"error": "BearerTokenError"}, name="bad_key")


def retry_after_value(seconds: float, *, as_date: bool) -> str:
    if as_date:
        return email.utils.formatdate(time.time() + seconds, usegmt=True)
    return str(int(seconds))


def rate_limited(retry_after: float = 1, *, as_date: bool = False) -> Fault:
    headers = {"Retry-After": retry_after_value(retry_after, as_date=as_date), "X-RateLimit-Limit": "10"}
    return respond(429, {"error": "Rate limit exceeded: 10 per 1 second"}, headers, name="rate_limit")


def html_page() -> Fault:
    return respond(200, HTML, {"Content-Type": "text/html"}, name="html_200")


def maintenance() -> Fault:
    return respond(503, MAINTENANCE, {"Content-Type": "text/html"}, name="maintenance_503")


def server_error(status: int = 502) -> Fault:
    return respond(status, {"detail": "Bad gateway"}, name=f"http_{status}")


def not_json() -> Fault:
    return respond(
        200,
        b"upstream connect error or disconnect/reset before headers",
        {"Content-Type": "text/plain"},
        name="not_json_200",
    )


def latency(seconds: float) -> Fault:
    return Fault(kind="latency", delay=seconds)


def reset_before() -> Fault:
    return Fault(kind="reset_before")


def reset_after() -> Fault:
    return Fault(kind="reset_after")


def truncate(at: int | None = None, *, keep_length: bool = True, reset: bool = False) -> Fault:
    name = "truncate_with_length" if keep_length else "truncate_no_length"
    return Fault(kind="truncate", at=at, keep_length=keep_length, reset=reset, name=name + ("_reset" if reset else ""))


def cut_stream(after: bytes, *, reset: bool = False) -> Fault:
    """Pass a streamed answer until ``after`` went by, then close (or reset) the connection."""
    return Fault(kind="truncate", cut_after=after, reset=reset, name="cut_stream_reset" if reset else "cut_stream")


def stall(headers: bool = True) -> Fault:
    return Fault(
        kind="stall",
        headers={**JSON, "Content-Length": "1024"} if headers else {},
        name="stall" if headers else "stall_silent",
    )


def ws_refuse(status: int = 403) -> Fault:
    return respond(status, {"detail": "Forbidden" if status == 403 else "Unauthorized"}, name=f"ws_refuse_{status}")


def ws_drop(frames: int = 0) -> Fault:
    return Fault(kind="ws_drop", frames=frames)


def ws_close(code: int, frames: int = 0) -> Fault:
    return Fault(kind="ws_close", code=code, frames=frames, name=f"ws_close_{code}")


@dataclass
class Rule:
    """Applies ``fault`` (or one of a list, picked with the proxy's seeded random) to the requests it
    matches: ``method`` (None: any), ``path`` (a regex searched in the target, path plus query),
    ``nth`` (1-based numbers among the requests this rule matched), ``rate`` (a chance per request),
    ``times`` (at most this many applications), ``seconds`` (active this long after being added),
    ``websocket`` (True: only upgrades, False: only plain HTTP, None: both)."""

    fault: Fault | Sequence[Fault]
    method: str | None = None
    path: str | None = None
    nth: Collection[int] | int | None = None
    rate: float = 1.0
    times: int | None = None
    seconds: float | None = None
    websocket: bool | None = False
    matched: int = 0
    applied: int = 0
    until: float | None = None

    def pick(self, method: str, target: str, websocket: bool, rng: random.Random, taken: bool = False) -> Fault | None:
        """The fault for this request, or None. Every rule counts the requests it matches (for
        ``nth``), even when an earlier rule already took the request (``taken``)."""
        if self.method is not None and self.method.upper() != method:
            return None
        if self.path is not None and not re.search(self.path, target):
            return None
        if self.websocket is not None and self.websocket != websocket:
            return None
        if self.until is not None and time.monotonic() >= self.until:
            return None
        self.matched += 1
        if taken:
            return None
        if self.nth is not None:
            wanted = {self.nth} if isinstance(self.nth, int) else self.nth
            if self.matched not in wanted:
                return None
        if self.times is not None and self.applied >= self.times:
            return None
        if self.rate < 1.0 and rng.random() >= self.rate:
            return None
        self.applied += 1
        if isinstance(self.fault, Fault):
            return self.fault
        return rng.choice(list(self.fault))


RuleLike = Rule | Callable[[str, str], "Fault | None"]


@dataclass
class Seen:
    method: str
    target: str
    headers: dict[str, str]  # lower-case names, as the client sent them
    websocket: bool = False
    forwarded: bool = False
    fault: str = ""
    status: int | None = None
    body: bytes = b""


class _ClientGone(Exception):
    pass


class FaultProxy:
    """One proxy instance in front of one upstream origin (the app server, or one agent server).

    ``api_key``: enforce ``Authorization: Bearer <api_key>`` as the hosted Cloud does (anything else
    gets 401 ``{"error": "BearerTokenError"}``) and strip it before forwarding. ``rewrite`` maps
    upstream origins to other origins in JSON answers (``conversation_url``, ``exposed_urls``...), so
    agent-server traffic can go through a second proxy."""

    def __init__(self, upstream: str, *, api_key: str | None = None, seed: int = 0) -> None:
        parts = urlsplit(upstream)
        self.upstream = upstream.rstrip("/")
        self.upstream_host = parts.hostname or "127.0.0.1"
        self.upstream_port = parts.port or 80
        self.api_key = api_key
        self.rules: list[RuleLike] = []
        self.rewrite: dict[str, str] = {}
        self.requests: list[Seen] = []
        self.counts: collections.Counter[str] = collections.Counter()
        self.rng = random.Random(seed)
        self.port = 0
        self._loop: asyncio.AbstractEventLoop | None = None
        self._thread: threading.Thread | None = None
        self._server: asyncio.AbstractServer | None = None
        self._tasks: set[asyncio.Task[None]] = set()
        self._writers: set[asyncio.StreamWriter] = set()

    # -- compatibility with the first, thread-based version --------------------------------
    @property
    def seen(self) -> list[tuple[str, str]]:
        return [(s.method, s.target) for s in self.requests]

    @property
    def forwarded(self) -> list[tuple[str, str]]:
        return [(s.method, s.target) for s in self.requests if s.forwarded]

    # -- rules ------------------------------------------------------------------------------
    def add(self, rule: Rule) -> Rule:
        if rule.seconds is not None:
            rule.until = time.monotonic() + rule.seconds
        self.rules.append(rule)
        return rule

    def outage(self, seconds: float, faults: Fault | Sequence[Fault], *, path: str | None = None) -> Rule:
        """Every matching request fails (with one of ``faults``) for the next ``seconds``."""
        return self.add(Rule(faults, path=path, seconds=seconds, websocket=None))

    def clear(self) -> None:
        self.rules.clear()

    def reset_counts(self) -> None:
        self.requests.clear()
        self.counts.clear()

    def faults(self) -> dict[str, int]:
        """The faults applied, by name (everything in ``counts`` that is not a request tally)."""
        tallies = {"seen", "forwarded", "ws_frames_to_client", "ws_frames_to_server", "auth_rejected"}
        return {k: v for k, v in sorted(self.counts.items()) if k not in tallies}

    # -- life cycle -------------------------------------------------------------------------
    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def start(self) -> FaultProxy:
        ready = threading.Event()
        failure: list[BaseException] = []

        def run() -> None:
            loop = asyncio.new_event_loop()
            self._loop = loop
            try:
                self._server = loop.run_until_complete(asyncio.start_server(self._accept, "127.0.0.1", 0))
                self.port = self._server.sockets[0].getsockname()[1]
            except BaseException as exc:  # pragma: no cover - reported to start()
                failure.append(exc)
                ready.set()
                loop.close()
                return
            ready.set()
            loop.run_forever()
            loop.run_until_complete(loop.shutdown_asyncgens())
            loop.close()

        self._thread = threading.Thread(target=run, name=f"fault-proxy->{self.upstream}", daemon=True)
        self._thread.start()
        ready.wait(10)
        if failure:
            raise failure[0]
        return self

    def stop(self) -> None:
        loop, thread = self._loop, self._thread
        if loop is None or thread is None or not thread.is_alive():
            return
        asyncio.run_coroutine_threadsafe(self._shutdown(), loop).result(10)
        loop.call_soon_threadsafe(loop.stop)
        thread.join(10)
        assert not thread.is_alive(), "the fault proxy's thread did not end"

    async def _shutdown(self) -> None:
        if self._server is not None:
            self._server.close()
        for task in list(self._tasks):
            task.cancel()
        if self._tasks:
            await asyncio.gather(*self._tasks, return_exceptions=True)
        for writer in list(self._writers):
            writer.transport.abort()
        if self._server is not None:
            await self._server.wait_closed()

    @property
    def open_connections(self) -> int:
        return len(self._tasks)

    def wait_idle(self, timeout: float = 15.0) -> None:
        """Wait until no connection is open (a request delayed by ``latency`` may still be on its way
        to the server after the client gave up)."""
        deadline = time.monotonic() + timeout
        while self._tasks and time.monotonic() < deadline:
            time.sleep(0.05)
        assert not self._tasks, f"{len(self._tasks)} proxy connections still open after {timeout}s"

    def __enter__(self) -> FaultProxy:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    # -- one client connection ----------------------------------------------------------------
    async def _accept(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        task = asyncio.current_task()
        assert task is not None
        self._tasks.add(task)  # type: ignore[arg-type]
        self._writers.add(writer)
        try:
            while await self._one_request(reader, writer):
                pass
        except (ConnectionError, asyncio.IncompleteReadError, _ClientGone, OSError):
            pass
        finally:
            self._tasks.discard(task)  # type: ignore[arg-type]
            self._writers.discard(writer)
            writer.close()

    def _choose(self, method: str, target: str, websocket: bool) -> Fault | None:
        chosen: Fault | None = None
        for rule in list(self.rules):
            if isinstance(rule, Rule):
                fault = rule.pick(method, target, websocket, self.rng, taken=chosen is not None)
            elif chosen is None:
                fault = rule(method, target)
            else:
                fault = None
            chosen = chosen or fault
        return chosen

    async def _one_request(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> bool:
        """Handle one request; True when the connection may carry another."""
        try:
            head = await reader.readuntil(b"\r\n\r\n")
        except asyncio.IncompleteReadError:
            return False
        lines = head.decode("latin-1").split("\r\n")
        method, target, _ = lines[0].split(" ", 2)
        headers: list[tuple[str, str]] = []
        for line in lines[1:]:
            if line:
                name, _, value = line.partition(":")
                headers.append((name.strip(), value.strip()))
        lower = {k.lower(): v for k, v in headers}
        body = await _read_request_body(reader, lower)
        websocket = lower.get("upgrade", "").lower() == "websocket"
        seen = Seen(method, target, lower, websocket=websocket, body=body)
        self.requests.append(seen)
        self.counts["seen"] += 1

        if self.api_key is not None and not websocket:
            if lower.get("authorization") != f"Bearer {self.api_key}":
                self.counts["auth_rejected"] += 1
                seen.fault, seen.status = "auth_rejected", 401
                await _send_answer(writer, 401, json.dumps({"error": "BearerTokenError"}).encode(), JSON)
                return False
        fault = self._choose(method, target, websocket)
        if fault is not None:
            self.counts[fault.name] += 1
            seen.fault = fault.name
        if fault is not None and fault.delay:
            await asyncio.sleep(fault.delay)
        kind = fault.kind if fault is not None else "forward"

        if kind == "respond":
            assert fault is not None and fault.status is not None
            seen.status = fault.status
            await _send_answer(writer, fault.status, fault.body, fault.headers)
            return False
        if kind == "reset_before":
            _reset(writer)
            return False
        if kind == "stall":
            assert fault is not None
            if fault.headers:
                writer.write(_head(200, fault.headers))
                await writer.drain()
            await _until_client_leaves(reader)
            return False

        forward = [(k, v) for k, v in headers if k.lower() not in _HOP_HEADERS]
        if self.api_key is not None:
            forward = [(k, v) for k, v in forward if k.lower() != "authorization"]
        forward.append(("Host", f"{self.upstream_host}:{self.upstream_port}"))
        if websocket:
            forward += [("Connection", "Upgrade"), ("Upgrade", lower.get("upgrade", "websocket"))]
            await self._websocket(method, target, forward, body, reader, writer, fault, seen)
            return False
        forward += [("Connection", "close"), ("Accept-Encoding", "identity")]
        if body or method in ("POST", "PUT", "PATCH"):
            forward.append(("Content-Length", str(len(body))))
        up_reader, up_writer = await asyncio.open_connection(self.upstream_host, self.upstream_port)
        try:
            up_writer.write(_request_head(method, target, forward) + body)
            await up_writer.drain()
            seen.forwarded = True
            self.counts["forwarded"] += 1
            status, reason, up_headers = await _read_response_head(up_reader)
            seen.status = status
            chunks = _response_body(up_reader, up_headers)
            if kind == "reset_after":
                async for _ in chunks:
                    pass
                _reset(writer)
                return False
            out_headers = [(k, v) for k, v in up_headers if k.lower() not in _FRAMING_HEADERS]
            length = _header(up_headers, "content-length")
            ctype = (_header(up_headers, "content-type") or "").lower()
            if kind == "truncate":
                assert fault is not None
                await self._truncate(writer, status, reason, out_headers, length, chunks, fault)
                return False
            if self.rewrite and "json" in ctype:
                data = b"".join([c async for c in chunks])
                for old, new in self.rewrite.items():
                    data = data.replace(old.encode(), new.encode())
                out_headers.append(("Content-Length", str(len(data))))
                writer.write(_head(status, out_headers, reason) + data)
                await writer.drain()
                return False
            if length is not None:
                out_headers.append(("Content-Length", length))
            writer.write(_head(status, out_headers, reason))
            async for chunk in chunks:
                writer.write(chunk)
                await writer.drain()
            return False  # every answer ends its connection (close-delimited bodies are allowed)
        finally:
            up_writer.transport.abort()

    async def _truncate(
        self,
        writer: asyncio.StreamWriter,
        status: int,
        reason: str,
        headers: list[tuple[str, str]],
        length: str | None,
        chunks: AsyncIterator[bytes],
        fault: Fault,
    ) -> None:
        if fault.cut_after is not None:  # streamed: pass chunks until the marker went by
            if fault.keep_length and length is not None:
                headers = [*headers, ("Content-Length", length)]
            writer.write(_head(status, headers, reason))
            sent = b""
            async for chunk in chunks:
                sent += chunk
                writer.write(chunk)
                await writer.drain()
                if fault.cut_after in sent:
                    break
            if fault.reset:
                _reset(writer)
            else:
                writer.close()
            return
        data = b"".join([c async for c in chunks])
        cut = len(data) // 2 if fault.at is None else min(fault.at, max(len(data) - 1, 0))
        if fault.keep_length:
            headers = [*headers, ("Content-Length", str(len(data)))]
        writer.write(_head(status, headers, reason) + data[:cut])
        await writer.drain()
        # Without a length the client sees a clean, short body; with one, a body cut off mid-way.
        if fault.reset:
            _reset(writer)
        else:
            writer.close()

    # -- WebSocket ------------------------------------------------------------------------------
    async def _websocket(
        self,
        method: str,
        target: str,
        headers: list[tuple[str, str]],
        body: bytes,
        reader: asyncio.StreamReader,
        writer: asyncio.StreamWriter,
        fault: Fault | None,
        seen: Seen,
    ) -> None:
        up_reader, up_writer = await asyncio.open_connection(self.upstream_host, self.upstream_port)
        try:
            up_writer.write(_request_head(method, target, headers) + body)
            await up_writer.drain()
            seen.forwarded = True
            self.counts["forwarded"] += 1
            head = await up_reader.readuntil(b"\r\n\r\n")
            status = int(head.split(b" ", 2)[1])
            seen.status = status
            writer.write(head)
            await writer.drain()
            if status != 101:
                with contextlib.suppress(ConnectionError, OSError):
                    while data := await up_reader.read(65536):
                        writer.write(data)
                        await writer.drain()
                return
            limit = fault.frames if fault is not None and fault.kind in ("ws_drop", "ws_close") else None

            async def to_server() -> None:
                while True:
                    frame, opcode = await _read_frame(reader)
                    up_writer.write(frame)
                    await up_writer.drain()
                    if opcode in (1, 2):
                        self.counts["ws_frames_to_server"] += 1
                    if opcode == 8:
                        return

            async def to_client() -> None:
                passed = 0
                while True:
                    if limit is not None and passed >= limit:
                        return
                    frame, opcode = await _read_frame(up_reader)
                    writer.write(frame)
                    await writer.drain()
                    if opcode in (1, 2):
                        passed += 1
                        self.counts["ws_frames_to_client"] += 1
                    if opcode == 8:
                        return

            tasks = [asyncio.ensure_future(to_server()), asyncio.ensure_future(to_client())]
            try:
                done, _ = await asyncio.wait(tasks, return_when=asyncio.FIRST_COMPLETED)
                if tasks[0] in done and fault is None:  # the client closed: let the server's close frame through
                    await asyncio.wait(tasks[1:], timeout=2)
            finally:
                for t in tasks:
                    t.cancel()
                await asyncio.gather(*tasks, return_exceptions=True)
            if fault is not None and fault.kind == "ws_close":
                payload = struct.pack("!H", fault.code) + b"closed by the fault proxy"
                writer.write(bytes([0x88, len(payload)]) + payload)
                with contextlib.suppress(ConnectionError, OSError):
                    await writer.drain()
                    await asyncio.wait_for(reader.read(65536), 2)
                writer.close()
            elif fault is not None and fault.kind == "ws_drop":
                _reset(writer)
        finally:
            up_writer.transport.abort()


_HOP_HEADERS = frozenset(
    {
        "host",
        "connection",
        "keep-alive",
        "proxy-connection",
        "te",
        "trailer",
        "transfer-encoding",
        "upgrade",
        "content-length",
        "accept-encoding",
    }
)
_FRAMING_HEADERS = frozenset({"content-length", "transfer-encoding", "connection", "keep-alive"})


def _header(headers: list[tuple[str, str]], name: str) -> str | None:
    return next((v for k, v in headers if k.lower() == name), None)


def _request_head(method: str, target: str, headers: list[tuple[str, str]]) -> bytes:
    lines = [f"{method} {target} HTTP/1.1", *(f"{k}: {v}" for k, v in headers)]
    return ("\r\n".join(lines) + "\r\n\r\n").encode("latin-1")


def _head(status: int, headers: dict[str, str] | list[tuple[str, str]], reason: str = "") -> bytes:
    items = list(headers.items()) if isinstance(headers, dict) else list(headers)
    lines = [f"HTTP/1.1 {status} {reason or _REASONS.get(status, 'Status')}", *(f"{k}: {v}" for k, v in items)]
    if not any(k.lower() == "connection" for k, _ in items):
        lines.append("Connection: close")
    return ("\r\n".join(lines) + "\r\n\r\n").encode("latin-1")


_REASONS = {
    200: "OK",
    401: "Unauthorized",
    403: "Forbidden",
    404: "Not Found",
    429: "Too Many Requests",
    500: "Internal Server Error",
    502: "Bad Gateway",
    503: "Service Unavailable",
    504: "Gateway Timeout",
}


async def _send_answer(writer: asyncio.StreamWriter, status: int, body: bytes, headers: dict[str, str]) -> None:
    writer.write(_head(status, {**headers, "Content-Length": str(len(body))}) + body)
    await writer.drain()


def _reset(writer: asyncio.StreamWriter) -> None:
    """Close with a TCP reset (SO_LINGER 0), as a network failure or a crashed balancer would."""
    sock = writer.get_extra_info("socket")
    if sock is not None:
        with contextlib.suppress(OSError):
            sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
    writer.transport.abort()


async def _until_client_leaves(reader: asyncio.StreamReader) -> None:
    while await reader.read(65536):
        pass


async def _read_request_body(reader: asyncio.StreamReader, headers: dict[str, str]) -> bytes:
    if "chunked" in headers.get("transfer-encoding", "").lower():
        return b"".join([c async for c in _chunked(reader)])
    length = int(headers.get("content-length") or 0)
    return await reader.readexactly(length) if length else b""


async def _chunked(reader: asyncio.StreamReader) -> AsyncIterator[bytes]:
    while True:
        size = int((await reader.readuntil(b"\r\n")).split(b";")[0].strip(), 16)
        if size == 0:
            while (await reader.readuntil(b"\r\n")) != b"\r\n":
                pass
            return
        yield await reader.readexactly(size)
        await reader.readexactly(2)


async def _read_response_head(reader: asyncio.StreamReader) -> tuple[int, str, list[tuple[str, str]]]:
    head = (await reader.readuntil(b"\r\n\r\n")).decode("latin-1").split("\r\n")
    parts = head[0].split(" ", 2)
    headers = []
    for line in head[1:]:
        if line:
            name, _, value = line.partition(":")
            headers.append((name.strip(), value.strip()))
    return int(parts[1]), parts[2] if len(parts) > 2 else "", headers


async def _response_body(reader: asyncio.StreamReader, headers: list[tuple[str, str]]) -> AsyncIterator[bytes]:
    """The decoded body (chunked framing removed), piece by piece as the server sends it."""
    if "chunked" in (_header(headers, "transfer-encoding") or "").lower():
        async for chunk in _chunked(reader):
            yield chunk
        return
    length = _header(headers, "content-length")
    if length is not None:
        left = int(length)
        while left > 0:
            data = await reader.read(min(left, 65536))
            if not data:
                return
            left -= len(data)
            yield data
        return
    while data := await reader.read(65536):
        yield data


async def _read_frame(reader: asyncio.StreamReader) -> tuple[bytes, int]:
    """One raw WebSocket frame (bytes as received) and its opcode."""
    first = await reader.readexactly(2)
    opcode, masked, size = first[0] & 0x0F, first[1] & 0x80, first[1] & 0x7F
    extra = b""
    if size == 126:
        extra = await reader.readexactly(2)
        size = struct.unpack("!H", extra)[0]
    elif size == 127:
        extra = await reader.readexactly(8)
        size = struct.unpack("!Q", extra)[0]
    mask = await reader.readexactly(4) if masked else b""
    payload = await reader.readexactly(size)
    return first + extra + mask + payload, opcode

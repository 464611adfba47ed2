"""A fault-injecting HTTP proxy in front of the real app server, for behaviour only the hosted Cloud
shows (Bearer-key rejection, 429 concurrency limits, HTML pages, 5xx bursts, broken streams).

Requests pass through to the real server unless a rule answers them or alters the answer.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import httpx


@dataclass
class Fault:
    """What a rule does: answer by itself (status/body), or pass through and cut the body short."""

    status: int | None = None
    body: bytes = b""
    headers: dict[str, str] = field(default_factory=dict)
    cut_after: bytes | None = None  # pass through, then drop the connection after this marker


Rule = Callable[[str, str], "Fault | None"]


class FaultProxy:
    def __init__(self, upstream: str) -> None:
        self.upstream = upstream.rstrip("/")
        self.rules: list[Rule] = []
        self.seen: list[tuple[str, str]] = []
        self.forwarded: list[tuple[str, str]] = []

    def start(self) -> FaultProxy:
        proxy = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, format: str, *args: object) -> None:
                pass

            def _handle(self) -> None:
                length = int(self.headers.get("Content-Length") or 0)
                body = self.rfile.read(length) if length else b""
                proxy.seen.append((self.command, self.path))
                fault = next((f for rule in proxy.rules if (f := rule(self.command, self.path))), None)
                if fault is not None and fault.status is not None:
                    self.send_response(fault.status)
                    for k, v in fault.headers.items():
                        self.send_header(k, v)
                    self.send_header("Content-Length", str(len(fault.body)))
                    self.end_headers()
                    self.wfile.write(fault.body)
                    return
                proxy.forwarded.append((self.command, self.path))
                headers = {k: v for k, v in self.headers.items() if k.lower() not in ("host", "content-length")}
                with (
                    httpx.Client(timeout=600) as upstream,
                    upstream.stream(
                        self.command, proxy.upstream + self.path, headers=headers, content=body
                    ) as response,
                ):
                    self.send_response(response.status_code)
                    for k, v in response.headers.items():
                        if k.lower() not in ("content-length", "transfer-encoding", "connection", "content-encoding"):
                            self.send_header(k, v)
                    self.send_header("Connection", "close")
                    self.end_headers()
                    sent = b""
                    for chunk in response.iter_bytes():
                        self.wfile.write(chunk)
                        self.wfile.flush()
                        sent += chunk
                        if fault is not None and fault.cut_after is not None and fault.cut_after in sent:
                            break
                    self.close_connection = True

            do_GET = do_POST = do_PATCH = do_DELETE = do_PUT = _handle

        self._server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self._server.daemon_threads = True
        threading.Thread(target=self._server.serve_forever, daemon=True).start()
        return self

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self._server.server_address[1]}"

    def stop(self) -> None:
        self._server.shutdown()
        self._server.server_close()

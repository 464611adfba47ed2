"""A deterministic OpenAI-compatible model for demos and tests: no account, no network.

``ohctl local up`` runs it when no model is configured (``python -m ohctl.local.scripted_model``),
and the test suite runs it in-process. It answers with real tool calls (terminal commands, then
``finish``), so the agent really runs commands in its sandbox.

The agent's first user message selects a scenario with a marker such as ``[ohctl:long:12]``. The
reply to each request depends only on that request: the step is the number of assistant turns since
the last user message, so a follow-up message replays the scenario from its start. Every scenario
ends in a ``finish`` tool call (an answer with neither a tool call nor text makes the agent loop).

Scenarios:
  default          one ``terminal`` call (``echo hello from ohctl``), then finish
  long:N           N terminal calls, then finish (many events, for paging)
  slow:S           ``sleep S`` in the terminal, then finish
  stall:S          ``sleep S`` with a hard timeout past S, so the terminal's 30 s no-output check
                   sends nothing meanwhile: S seconds without an event (stall detection), then finish
  stall:S:<b64 p>  the same silence, ended early once a file exists at the path (``stall_marker``):
                   a test ends the silent step when it is done with it
  cmd:<b64>        run the base64-encoded command, then finish
  spend:N[:S]      N terminal calls (``sleep S`` each, default 0), then finish; each of these
                   answers reports ``SPEND_STEP_USAGE`` tokens, so the agent's metrics grow by a known
                   amount per step (token limits). Its cost stays 0: see ``SPEND_STEP_COST``
  spend:N:S:priced the same, and each answer also costs ``SPEND_STEP_COST`` USD
  attempts:<b64>   best of N: a base64-encoded JSON list of commands; the task's ``(attempt I of N)``
                   (which ``best_of`` adds) picks the I-th (the last when there are fewer; the
                   first without a note): run it, then finish (``attempts_marker``)
  risky            a LOW-risk terminal call, then a HIGH-risk one, then finish (confirmation policies)
  fail             the LLM answers 400 on every agent request (the conversation ends in error)
  json:<b64 doc>   one terminal call, then finish with the JSON document in a ```json block (structured output)
  jsonfix:<b64 bad>:<b64 good>
                   the same, finishing with ``bad``; after a follow-up message (a correction), with ``good``
  jsonbad:<b64 bad>  the same, finishing with ``bad`` every time, follow-ups or not
  demo:<b64 path>  in the git repository at the path: add a function and its test, run the tests,
                   show the change, then finish (what ``ohctl demo`` runs)
  Without a marker, the default scenario runs.

V0 mode: the legacy V0 agent (openhands-ai 1.6.0) offers ``execute_bash`` (``command`` and
``security_risk``, no ``summary``) instead of ``terminal``; when a request's tools have it and not
``terminal``, the same scenarios answer with ``execute_bash`` calls (``finish`` takes ``message`` in both).
"""

from __future__ import annotations

import base64
import json
import re
import shlex
import threading
import time
import uuid
from dataclasses import dataclass, field, replace
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any


def _write(path: str, *lines: str) -> str:
    """One command (the agent's terminal takes one at a time) that writes ``lines`` to ``path``."""
    return "printf '%s\\n' " + " ".join(shlex.quote(line) for line in lines) + f" > {path} && cat {path}"


DEMO_COMMANDS = [
    _write("calc.py", "def add(a: int, b: int) -> int:", '    """The sum of a and b."""', "    return a + b"),
    _write(
        "test_calc.py",
        "import unittest",
        "",
        "from calc import add",
        "",
        "",
        "class AddTest(unittest.TestCase):",
        "    def test_add(self) -> None:",
        "        self.assertEqual(add(2, 3), 5)",
        "        self.assertEqual(add(-1, 1), 0)",
        "",
        "",
        'if __name__ == "__main__":',
        "    unittest.main()",
    ),
    "python -m unittest -v test_calc 2>&1",
    "git add -A && git status --short",
]
DEMO_FINISH = "Added add() in calc.py with a unit test in test_calc.py; the test passes."
MARKER = re.compile(r"\[ohctl:([a-z]+)(?::([^\]]+))?\]")
FINISH_MESSAGE = "Scripted agent finished."
# The tokens each model answer of the ``spend`` scenario reports, and what a ``priced`` one costs: the
# ``x-litellm-response-cost`` header, which the agent's LLM takes as the call's cost (any other answer
# costs nothing: the model name is not in litellm's price list). The 1.11 app server cannot store a
# non-zero cost (its local database lacks the ``conversation_cost_events`` table, so the whole metrics
# update fails): priced steps show in the agent server's stats but leave the app server's metrics
# unchanged, tokens included.
SPEND_STEP_COST = 0.01
SPEND_STEP_USAGE = {"prompt_tokens": 1000, "completion_tokens": 200, "total_tokens": 1200}
USAGE = {"prompt_tokens": 100, "completion_tokens": 10, "total_tokens": 110}
SIDE_ANSWER = "Scripted conversation"  # the reply to title requests and ask_agent questions


def _text_of(message: dict[str, Any]) -> str:
    content = message.get("content")
    if isinstance(content, str):
        return content
    if isinstance(content, list):
        return " ".join(str(part.get("text", "")) for part in content if isinstance(part, dict))
    return ""


@dataclass
class Step:
    tool: str
    arguments: dict[str, Any]
    spend: bool = False  # its answer reports SPEND_STEP_USAGE tokens
    priced: bool = False  # and costs SPEND_STEP_COST USD


def plan(messages: list[dict[str, Any]]) -> tuple[str, Step | None]:
    """Return the scenario name and the next step (None means answer with an error)."""
    user_texts = [_text_of(m) for m in messages if m.get("role") == "user"]
    scenario, arg = "default", None
    for text in user_texts:
        found = MARKER.search(text)
        if found:
            scenario, arg = found.group(1), found.group(2)
            break
    last_user = max((i for i, m in enumerate(messages) if m.get("role") == "user"), default=-1)
    step = sum(1 for m in messages[last_user + 1 :] if m.get("role") == "assistant")
    # User messages after the one with the marker: the follow-ups (a structured-output correction).
    marked = next((i for i, t in enumerate(user_texts) if MARKER.search(t)), len(user_texts) - 1)
    followups = max(0, len(user_texts) - 1 - marked)

    def terminal(command: str) -> Step:
        return Step("terminal", {"command": command, "summary": "scripted", "security_risk": "LOW"})

    finish = Step("finish", {"message": FINISH_MESSAGE})
    if scenario == "fail":
        return scenario, None
    if scenario == "long":
        count = int(arg or 10)
        return scenario, terminal(f"echo step {step + 1}") if step < count else finish
    if scenario == "slow":
        return scenario, terminal(f"sleep {float(arg or 5)}") if step == 0 else finish
    if scenario == "stall":
        span, _, release = (arg or "60").partition(":")
        seconds = float(span)
        silent = terminal(f"sleep {seconds:g}")
        if release:
            path = shlex.quote(base64.urlsafe_b64decode(release.encode()).decode())
            silent = terminal(f"timeout {seconds:g} sh -c 'until [ -e \"$1\" ]; do sleep 1; done' silent {path}")
        silent.arguments["timeout"] = seconds + 60
        return scenario, silent if step == 0 else finish
    if scenario == "spend":
        steps, _, rest = (arg or "5").partition(":")
        pause, _, price = rest.partition(":")
        command = f"echo spend step {step + 1}"
        if pause and float(pause):
            command = f"sleep {float(pause):g}; {command}"
        chosen = terminal(command) if step < int(steps) else finish
        return scenario, replace(chosen, spend=True, priced=price == "priced")
    if scenario == "cmd":
        command = base64.urlsafe_b64decode((arg or "").encode()).decode()
        return scenario, terminal(command) if step == 0 else finish
    if scenario in ("json", "jsonfix", "jsonbad"):
        documents = [_unb64(part) for part in (arg or "").split(":")]
        document = documents[min(followups, len(documents) - 1)] if scenario == "jsonfix" else documents[0]
        answer = Step("finish", {"message": f"Done. The result:\n```json\n{document}\n```"})
        return scenario, terminal("echo working on the result") if step == 0 else answer
    if scenario == "attempts":
        from .._best_of import attempt_of

        commands = json.loads(base64.urlsafe_b64decode((arg or "").encode()).decode())
        first = next((text for text in user_texts if MARKER.search(text)), "")
        command = commands[min(attempt_of(first), len(commands)) - 1]
        return scenario, terminal(command) if step == 0 else finish
    if scenario == "risky":
        rated = [("echo low risk step", "LOW"), ("echo high risk step", "HIGH")]
        if step >= len(rated):
            return scenario, finish
        command, rating = rated[step]
        return scenario, Step(
            "terminal", {"command": command, "summary": f"a {rating} risk step", "security_risk": rating}
        )
    if scenario == "demo":
        where = base64.urlsafe_b64decode((arg or "").encode()).decode()
        steps = [terminal(f"cd {shlex.quote(where)} && {command}") for command in DEMO_COMMANDS]
        return scenario, steps[step] if step < len(steps) else Step("finish", {"message": DEMO_FINISH})
    return scenario, terminal("echo hello from ohctl") if step == 0 else finish


def _unb64(text: str) -> str:
    return base64.urlsafe_b64decode(text.encode()).decode()


def tool_names(payload: dict[str, Any]) -> set[str]:
    """The function names a chat request offers."""
    names = set()
    for tool in payload.get("tools") or []:
        if isinstance(tool, dict):
            name = (tool.get("function") or {}).get("name")
            if isinstance(name, str):
                names.add(name)
    return names


def for_tools(step: Step, offered: set[str]) -> Step:
    """``step`` in the tool dialect the agent offers: V0's ``execute_bash`` instead of ``terminal``."""
    if step.tool == "terminal" and "terminal" not in offered and "execute_bash" in offered:
        arguments = {"command": step.arguments["command"], "security_risk": "LOW"}
        return Step("execute_bash", arguments, spend=step.spend, priced=step.priced)
    return step


@dataclass
class ScriptedLLM:
    host: str = "127.0.0.1"
    port: int = 0
    requests: list[dict[str, Any]] = field(default_factory=list)

    def start(self) -> ScriptedLLM:
        llm = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, format: str, *args: Any) -> None:
                pass

            def do_GET(self) -> None:
                body = json.dumps({"object": "list", "data": [{"id": "scripted", "object": "model"}]})
                self._send(200, body.encode(), "application/json")

            def do_POST(self) -> None:
                length = int(self.headers.get("Content-Length") or 0)
                payload = json.loads(self.rfile.read(length) or b"{}")
                llm.requests.append(payload)
                if not self.path.rstrip("/").endswith("/chat/completions"):
                    self._send(404, b'{"error": {"message": "not found"}}', "application/json")
                    return
                messages = payload.get("messages") or []
                last_user: dict[str, Any] = next((m for m in reversed(messages) if m.get("role") == "user"), {})
                if not payload.get("tools") or "<QUESTION>" in _text_of(last_user):
                    # Title generation, ask_agent questions and other helper calls: plain text.
                    self._answer(payload, text=SIDE_ANSWER, step=None)
                    return
                _, step = plan(messages)
                if step is None:
                    err = {"error": {"message": "scripted failure", "type": "invalid_request_error"}}
                    self._send(400, json.dumps(err).encode(), "application/json")
                    return
                self._answer(payload, text=None, step=for_tools(step, tool_names(payload)))

            def _send(self, status: int, body: bytes, content_type: str, cost: float | None = None) -> None:
                self.send_response(status)
                self.send_header("Content-Type", content_type)
                self.send_header("Content-Length", str(len(body)))
                if cost is not None:
                    self.send_header("x-litellm-response-cost", str(cost))
                self.end_headers()
                self.wfile.write(body)

            def _answer(self, payload: dict[str, Any], text: str | None, step: Step | None) -> None:
                model = payload.get("model", "scripted")
                created = int(time.time())
                rid = f"chatcmpl-{uuid.uuid4().hex[:12]}"
                spend = step is not None and step.spend
                usage = dict(SPEND_STEP_USAGE if spend else USAGE)
                cost = SPEND_STEP_COST if step is not None and step.priced else None
                tool_call = None
                if step is not None:
                    tool_call = {
                        "id": f"call_{uuid.uuid4().hex[:16]}",
                        "type": "function",
                        "function": {"name": step.tool, "arguments": json.dumps(step.arguments)},
                    }
                finish_reason = "tool_calls" if tool_call else "stop"
                if not payload.get("stream"):
                    message: dict[str, Any] = {"role": "assistant", "content": text}
                    if tool_call:
                        message["tool_calls"] = [tool_call]
                    body = {
                        "id": rid,
                        "object": "chat.completion",
                        "created": created,
                        "model": model,
                        "choices": [{"index": 0, "message": message, "finish_reason": finish_reason}],
                        "usage": usage,
                    }
                    self._send(200, json.dumps(body).encode(), "application/json", cost)
                    return
                delta: dict[str, Any] = {"role": "assistant"}
                if text is not None:
                    delta["content"] = text
                if tool_call:
                    delta["tool_calls"] = [{"index": 0, **tool_call}]
                chunks: list[dict[str, Any]] = [
                    {"choices": [{"index": 0, "delta": delta, "finish_reason": None}]},
                    {"choices": [{"index": 0, "delta": {}, "finish_reason": finish_reason}]},
                ]
                if (payload.get("stream_options") or {}).get("include_usage"):
                    chunks.append({"choices": [], "usage": usage})
                self.send_response(200)
                self.send_header("Content-Type", "text/event-stream")
                self.send_header("Cache-Control", "no-cache")
                if cost is not None:
                    self.send_header("x-litellm-response-cost", str(cost))
                self.send_header("Connection", "close")
                self.end_headers()
                for chunk in chunks:
                    chunk.update({"id": rid, "object": "chat.completion.chunk", "created": created, "model": model})
                    self.wfile.write(f"data: {json.dumps(chunk)}\n\n".encode())
                self.wfile.write(b"data: [DONE]\n\n")
                self.wfile.flush()
                self.close_connection = True

        self._server = ThreadingHTTPServer((self.host, self.port), Handler)
        self._server.daemon_threads = True
        self.port = self._server.server_address[1]
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)
        self._thread.start()
        return self

    @property
    def base_url(self) -> str:
        return f"http://{self.host}:{self.port}/v1"

    def stop(self) -> None:
        self._server.shutdown()
        self._server.server_close()


def command_marker(command: str) -> str:
    """The task-text marker that makes the agent run ``command`` once, then finish."""
    return f"[ohctl:cmd:{base64.urlsafe_b64encode(command.encode()).decode()}]"


def stall_marker(seconds: float, release: str) -> str:
    """The task-text marker of a silent step of at most ``seconds`` that ends once a file exists at
    ``release`` (a path the agent's sandbox can see), then finish."""
    return f"[ohctl:stall:{seconds:g}:{base64.urlsafe_b64encode(release.encode()).decode()}]"


def _b64(text: str) -> str:
    return base64.urlsafe_b64encode(text.encode()).decode()


def json_marker(document: str, *, after_followup: str | None = None, always: bool = False) -> str:
    """The task-text marker that makes the agent finish with ``document`` (JSON text, valid or not)
    in a ```json block; with ``after_followup``, finish with that one once a follow-up message came;
    ``always``: ``document`` every time, follow-ups or not (the same as without ``after_followup``,
    named for tests that count on it)."""
    if after_followup is not None:
        return f"[ohctl:jsonfix:{_b64(document)}:{_b64(after_followup)}]"
    return f"[ohctl:{'jsonbad' if always else 'json'}:{_b64(document)}]"


def spend_marker(steps: int, seconds: float = 0.0, *, priced: bool = False) -> str:
    """The task-text marker of ``steps`` terminal steps (each ``sleep seconds`` first) whose model
    answers report ``SPEND_STEP_USAGE`` tokens each (and with ``priced``, cost ``SPEND_STEP_COST``
    USD each), then finish."""
    return f"[ohctl:spend:{steps}:{seconds:g}{':priced' if priced else ''}]"


def attempts_marker(commands: list[str]) -> str:
    """The task-text marker that makes attempt I of a best of N run ``commands[I - 1]`` once, then
    finish (the last command for any attempt past the list)."""
    if not commands:
        raise ValueError("attempts_marker needs at least one command")
    return f"[ohctl:attempts:{_b64(json.dumps(commands))}]"


def demo_marker(repository: str) -> str:
    """The task-text marker that makes the scripted model run the demo in ``repository``."""
    return f"[ohctl:demo:{base64.urlsafe_b64encode(repository.encode()).decode()}]"


def main(argv: list[str] | None = None) -> None:
    """``python -m ohctl.local.scripted_model --port N [--port-file F]``: serve until terminated."""
    import argparse
    import signal

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--port", type=int, default=0)
    parser.add_argument("--port-file", default=None, help="write the port here once listening")
    args = parser.parse_args(argv)
    signal.pthread_sigmask(signal.SIG_BLOCK, {signal.SIGINT, signal.SIGTERM})
    model = ScriptedLLM(port=args.port).start()
    if args.port_file:
        with open(args.port_file, "w") as out:
            out.write(str(model.port))
    print(f"scripted model on {model.base_url}", flush=True)
    try:
        signal.sigwait({signal.SIGINT, signal.SIGTERM})
    finally:
        model.stop()


if __name__ == "__main__":
    main()

"""Collect every (METHOD, route template) the SDK calls by walking the AST of ``src/ohctl/_async``.

A route is found at:
- ``<...>._http.request|send|stream(METHOD, PATH, ...)`` and ``http.request(...)``;
- ``AsyncPager(http, PATH, ...)`` and ``stored_events(http, PATH, ...)`` (GET);
- ``self._answers(PATH)`` in the agent client (GET);
- ``request_secret(http, METHOD, PATH, ...)`` in the Cloud client (answers that carry a credential);
- ``socket_url(base, conversation_id, ...)``: the WebSocket ``/sockets/events/{conversation_id}`` (WS).

PATH is a literal string, ``route("<template>", ...)``, or a name / ``self`` attribute assigned one of
those in the same function / class. Anything else is an *unresolved* site: the tests fail on it, as
they do on a route built by string formatting (an f-string or ``+`` starting with ``/api``).
"""

from __future__ import annotations

import ast
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
SOURCE = ROOT / "src" / "ohctl" / "_async"
LIVE = ROOT / "src" / "ohctl" / "_live.py"
SOCKET_ROUTE = "/sockets/events/{conversation_id}"

HTTP_METHODS = {"request", "send", "stream"}
# helper name -> (index of the path argument, HTTP method)
HELPERS = {
    "AsyncPager": (1, "GET"),
    "AsyncLegacyPager": (1, "GET"),
    "stored_events": (1, "GET"),
    "_answers": (0, "GET"),
    "route_answers": (1, "GET"),
}
# Functions that pass a caller's path through (escape hatches and the helpers themselves).
PASSTHROUGH = {
    ("_client_base.py", "request"),
    ("agent/client.py", "_answers"),
    ("_pagination.py", "fetch_page"),
    ("_pagination.py", "resume"),
    ("agent/stream.py", "stored_events"),
    ("cloud/_secret_body.py", "request_secret"),
    ("legacy/probe.py", "route_answers"),
}


@dataclass(frozen=True)
class Site:
    method: str
    template: str
    module: str  # relative to src/ohctl/_async, with "/" separators
    function: str
    line: int

    @property
    def api(self) -> str:
        """``agent`` for the agent-server client's modules, ``cloud`` for the hosted Cloud's own
        routes (``cloud/``), else ``app``."""
        if self.module.startswith("cloud/"):
            return "cloud"
        if self.module.startswith("legacy/"):
            return "legacy"  # the V0 client (ohctl.legacy): /api/conversations...
        return "agent" if self.module.startswith("agent/") else "app"


@dataclass
class Walk:
    sites: list[Site]
    unresolved: list[str]  # "module:line: what" for call sites whose route could not be read
    formatted: list[str]  # "module:line" for routes built with f-strings or "+"

    def routes(self, api: str | None = None) -> set[tuple[str, str]]:
        return {(s.method, s.template) for s in self.sites if api is None or s.api == api}


def _template(node: ast.expr, local: dict[str, list[ast.expr]], attrs: dict[str, list[ast.expr]]) -> str | None:
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        return node.value
    if isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and node.func.id == "route":
        first = node.args[0] if node.args else None
        if isinstance(first, ast.Constant) and isinstance(first.value, str):
            return first.value
        return None
    if isinstance(node, ast.Name) and node.id in local:
        found = {_template(value, {}, {}) for value in local[node.id]}
        return found.pop() if len(found) == 1 else None
    if (
        isinstance(node, ast.Attribute)
        and isinstance(node.value, ast.Name)
        and node.value.id == "self"
        and node.attr in attrs
    ):
        found = {_template(value, {}, {}) for value in attrs[node.attr]}
        return found.pop() if len(found) == 1 else None
    return None


def _assignments(body: ast.AST) -> tuple[dict[str, list[ast.expr]], dict[str, list[ast.expr]]]:
    names: dict[str, list[ast.expr]] = {}
    attrs: dict[str, list[ast.expr]] = {}
    for node in ast.walk(body):
        if isinstance(node, ast.Assign) and len(node.targets) == 1:
            target = node.targets[0]
            if isinstance(target, ast.Name):
                names.setdefault(target.id, []).append(node.value)
            elif isinstance(target, ast.Attribute) and isinstance(target.value, ast.Name) and target.value.id == "self":
                attrs.setdefault(target.attr, []).append(node.value)
    return names, attrs


def _is_http(receiver: ast.expr) -> bool:
    """``self._http``, ``client._http``, ``self._agent._http``, ``http`` ..."""
    if isinstance(receiver, ast.Attribute):
        return receiver.attr == "_http"
    return isinstance(receiver, ast.Name) and receiver.id in ("http", "_http")


def _leftmost_text(node: ast.expr) -> str | None:
    if isinstance(node, ast.JoinedStr) and node.values:
        first = node.values[0]
        return first.value if isinstance(first, ast.Constant) and isinstance(first.value, str) else None
    if isinstance(node, ast.BinOp) and isinstance(node.op, ast.Add):
        left = node.left
        if isinstance(left, ast.Constant) and isinstance(left.value, str):
            return left.value
        return _leftmost_text(left)
    return None


def walk(source: Path = SOURCE) -> Walk:
    result = Walk([], [], [])
    live_text = LIVE.read_text()
    for path in sorted(source.rglob("*.py")):
        module = path.relative_to(source).as_posix()
        tree = ast.parse(path.read_text(), filename=str(path))
        for node in ast.walk(tree):
            if isinstance(node, (ast.JoinedStr, ast.BinOp)):
                text = _leftmost_text(node)
                if text is not None and text.startswith(("/api", "/sockets", "/server_info", "/oauth")):
                    result.formatted.append(f"{module}:{node.lineno}")
        classes = [n for n in ast.walk(tree) if isinstance(n, ast.ClassDef)]
        owner: dict[ast.AST, ast.ClassDef] = {}
        for cls in classes:
            for item in ast.walk(cls):
                owner.setdefault(item, cls)
        for func in ast.walk(tree):
            if not isinstance(func, (ast.FunctionDef, ast.AsyncFunctionDef)):
                continue
            local, _ = _assignments(func)
            cls = owner.get(func)
            attrs = _assignments(cls)[1] if cls is not None else {}
            for call in ast.walk(func):
                if not isinstance(call, ast.Call):
                    continue
                site = _site(call, local, attrs)
                if site is None:
                    continue
                where = f"{module}:{call.lineno}"
                method, template = site
                if template is None:
                    if (module, func.name) not in PASSTHROUGH:
                        result.unresolved.append(f"{where} in {func.name}(): {ast.unparse(call)[:120]}")
                    continue
                if method == "WS" and template not in live_text:
                    result.unresolved.append(f"{where}: socket_url no longer builds {template}")
                if method is None:
                    result.unresolved.append(f"{where} in {func.name}(): the HTTP method is not a literal")
                    continue
                result.sites.append(Site(method, template, module, func.name, call.lineno))
    # A nested function is walked with its parent too: keep each site once.
    result.sites = sorted(set(result.sites), key=lambda s: (s.module, s.line, s.method, s.template))
    result.unresolved = sorted(set(result.unresolved))
    return result


def _site(
    call: ast.Call, local: dict[str, list[ast.expr]], attrs: dict[str, list[ast.expr]]
) -> tuple[str | None, str | None] | None:
    """(method, template) when ``call`` takes a route; None when it is not a route-taking call."""
    func = call.func
    name = func.attr if isinstance(func, ast.Attribute) else func.id if isinstance(func, ast.Name) else None
    if isinstance(func, ast.Attribute) and name in HTTP_METHODS and _is_http(func.value):
        if len(call.args) < 2:
            return None, None
        method_node = call.args[0]
        method = method_node.value if isinstance(method_node, ast.Constant) else None
        template = _template(call.args[1], local, attrs)
        if method is None and template is None:
            return None, None  # a pass-through such as request(method, path)
        return (str(method) if method else None), template
    if name == "request_secret":
        if len(call.args) < 3:
            return None, None
        method_node = call.args[1]
        method = method_node.value if isinstance(method_node, ast.Constant) else None
        return (str(method) if method else None), _template(call.args[2], local, attrs)
    if name in HELPERS:
        index, method = HELPERS[name]
        if name == "_answers" and not (isinstance(func, ast.Attribute) and isinstance(func.value, ast.Name)):
            return None
        if len(call.args) <= index:
            return method, None
        return method, _template(call.args[index], local, attrs)
    if name == "socket_url":
        return "WS", SOCKET_ROUTE
    return None

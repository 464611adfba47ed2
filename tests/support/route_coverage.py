"""The routes the SDK calls (read from the source by route_walker), the servers' OpenAPI documents and
the route tables of the documentation's Coverage page (docs/coverage.md), for the coverage tests
(tests/unit/test_*coverage.py)."""

from __future__ import annotations

import json
import re
from functools import cache

from tests.support.route_walker import ROOT, SOCKET_ROUTE, Site, walk

DATA = ROOT / "tests" / "data"
APP, OLD_AGENT, AGENT = "app-server-1.11.0", "agent-server-1.34.0", "agent-server-1.58.2"
CLOUD = "cloud-docs"  # the hosted Cloud's published document (its own routes: see test_cloud_coverage)
V0 = "v0-docs"  # the legacy V0 API's document (0.53.0; see test_legacy_coverage)
# V0 routes that openhands-ai 1.6.0 serves and the 0.53 document lacks, each with where it was seen.
V0_NOT_IN_DOCUMENT = {
    ("POST", "/api/conversations/{conversation_id}/message"): "1.6.0's conversation router (add_message)",
    ("GET", "/api/conversations/{conversation_id}/vscode-url"): "1.6.0's conversation router (get_vscode_url)",
}
COVERAGE_PAGE = ROOT / "docs" / "coverage.md"

# Routes the code calls that no document lists, each with the reason.
NOT_IN_DOCUMENTS = {
    ("WS", SOCKET_ROUTE): "WebSocket routes are not part of OpenAPI documents",
    ("POST", "/api/conversations/{conversation_id}/generate_title"): (
        "agent servers up to 1.18; generate_title() falls back to ask_agent on later ones"
    ),
}


@cache
def operations(doc: str) -> frozenset[tuple[str, str]]:
    paths = json.loads((DATA / f"{doc}.openapi.json").read_text())["paths"]
    methods = ("get", "post", "put", "patch", "delete")
    return frozenset((m.upper(), path) for path, ops in paths.items() for m in ops if m in methods)


@cache
def walked() -> tuple[Site, ...]:
    result = walk()
    problems = [f"unresolved: {u}" for u in result.unresolved]
    problems += [f"route built by string formatting (use route(...)): {f}" for f in result.formatted]
    assert not problems, "the route walker could not read every call site:\n" + "\n".join(problems)
    return tuple(result.sites)


# -- the Coverage page's tables ------------------------------------------------------------------
ROW = re.compile(r"^\| (GET|POST|PUT|PATCH|DELETE) \| `([^`]+)` \| (.+) \|$")


def coverage_text() -> str:
    """The Coverage page: its title, then one section (``## ``) per table."""
    text = COVERAGE_PAGE.read_text(encoding="utf-8")
    assert text.startswith("# Coverage\n"), f"{COVERAGE_PAGE.name} does not start with its title, Coverage"
    return text


def readme_tables() -> dict[str, list[tuple[str, str, str]]]:
    tables: dict[str, list[tuple[str, str, str]]] = {}
    current = None
    for line in coverage_text().splitlines():
        if line.startswith("## "):
            current = (
                "app"
                if "App server" in line
                else "agent"
                if "Agent server" in line
                else "cloud"
                if "Cloud-only" in line
                else "legacy"
                if "Legacy V0" in line
                else None
            )
            continue
        match = ROW.match(line)
        if match:
            assert current is not None, f"a route row outside the app/agent tables: {line}"
            tables.setdefault(current, []).append((match[1], match[2], match[3]))
    return tables


def listing_problems(api: str, routes: frozenset[tuple[str, str]], table: str) -> list[str]:
    """What is wrong with the Coverage page's ``api`` table as a list of ``routes``: rows listed twice,
    routes missing, rows that are not among them."""
    listed = [(method, path) for method, path, _ in readme_tables().get(api, [])]
    problems = []
    if repeated := sorted({r for r in listed if listed.count(r) > 1}):
        problems.append(f"listed more than once in the {table} table: {repeated}")
    if missing := sorted(routes - set(listed)):
        problems.append(f"routes missing from the Coverage page's {table} table: {missing}")
    if extra := sorted(set(listed) - routes):
        problems.append(f"rows of the {table} table that are not its routes: {extra}")
    return problems


def row_problems(api: str) -> list[str]:
    """Rows of the Coverage page's ``api`` table that do not match the code: a covered route no code calls,
    a method name no call site has, a route marked not covered that the code calls, or no reason."""
    sites = [s for s in walked() if s.api == api]
    called = {(s.method, s.template) for s in sites}
    wrong = []
    for method, path, cell in readme_tables().get(api, []):
        key = (method, path)
        if cell.startswith("not covered: "):
            if len(cell) < len("not covered: ") + 10:
                wrong.append(f"{method} {path}: give a reason")
            if key in called:
                wrong.append(f"{method} {path} is marked not covered but the code calls it")
            continue
        if key not in called:
            wrong.append(f"{method} {path} names {cell} but no code calls it")
            continue
        public = {s.function for s in sites if (s.method, s.template) == key and not s.function.startswith("_")}
        if public and not any(re.search(rf"\.{name}\(\)", cell) for name in public):
            wrong.append(f"{method} {path}: {cell} names none of {sorted(public)}")
    return wrong

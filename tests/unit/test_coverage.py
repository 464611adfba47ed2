"""The routes the SDK calls (read from the source, see route_walker) against the real servers' OpenAPI
documents, and the README's Coverage table against both."""

from __future__ import annotations

import json
import re
from functools import cache
from pathlib import Path

import pytest

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
README = ROOT / "README.md"

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


def test_the_walker_reads_every_call_site() -> None:
    sites = walked()
    assert len({(s.method, s.template) for s in sites}) >= 100  # a broken walker finds few
    # Spot checks that each kind of call site is recognised.
    found = {(s.method, s.template, s.function) for s in sites}
    for expected in [
        ("POST", "/api/v1/sandboxes/{sandbox_id}/pause", "pause"),  # request(..., route(...))
        ("GET", "/api/v1/sandboxes/search", "search"),  # AsyncPager(http, literal)
        ("GET", "/api/conversations/{conversation_id}/events/search", "_catch_up"),  # stored_events(self.attr)
        ("GET", "/alive", "alive"),  # _answers(literal)
        ("WS", SOCKET_ROUTE, "_open"),  # socket_url(...)
        ("GET", "/api/v1/app-conversations/{conversation_id}/download", "download"),  # stream(...)
        ("GET", "/api/v1/sandboxes/{sandbox_id}/settings/secrets", "secret_names"),  # send(...)
    ]:
        assert expected in found, expected


def test_the_walker_fails_loudly(tmp_path: Path) -> None:
    (tmp_path / "bad.py").write_text(
        "async def f(self, cid, path):\n"
        '    await self._http.request("GET", f"/api/v1/conversation/{cid}/events")\n'
        '    await self._http.request("GET", "/api/x/" + cid)\n'
        '    await self._http.request("GET", path)\n'
    )
    result = walk(tmp_path)
    assert len(result.formatted) == 2 and len(result.unresolved) == 3
    assert not result.sites


def test_app_and_agent_routes_are_told_apart() -> None:
    for site in walked():
        if site.api == "app":
            assert site.template.startswith("/api/v1/"), site
        elif site.api == "agent":
            assert not site.template.startswith("/api/v1/"), site


def test_every_route_the_code_calls_exists() -> None:
    agent_ops = operations(OLD_AGENT) | operations(AGENT)
    absent = []
    for site in walked():
        key = (site.method, site.template)
        if key in NOT_IN_DOCUMENTS:
            continue
        known = {
            "app": operations(APP),
            "cloud": operations(CLOUD) - operations(APP),
            "legacy": operations(V0) | set(V0_NOT_IN_DOCUMENT),
        }.get(site.api, agent_ops)
        if key not in known:
            absent.append(f"{site.method} {site.template} ({site.module}:{site.line} {site.function})")
    assert not absent, "routes the SDK calls that the documents do not have:\n" + "\n".join(absent)
    routes = {(s.method, s.template) for s in walked()}
    for key in NOT_IN_DOCUMENTS:  # the exceptions stay honest
        assert key in routes and all(key not in operations(d) for d in (APP, OLD_AGENT, AGENT)), key


# -- the README table ---------------------------------------------------------------------------
ROW = re.compile(r"^\| (GET|POST|PUT|PATCH|DELETE) \| `([^`]+)` \| (.+) \|$")


def readme_tables() -> dict[str, list[tuple[str, str, str]]]:
    text = README.read_text()
    assert "\n## Coverage\n" in text, "README.md has no Coverage section"
    section = text.split("\n## Coverage\n", 1)[1]
    tables: dict[str, list[tuple[str, str, str]]] = {}
    current = None
    for line in section.splitlines():
        if line.startswith("## "):
            break
        if line.startswith("### "):
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
    """What is wrong with the README's ``api`` table as a list of ``routes``: rows listed twice,
    routes missing, rows that are not among them."""
    listed = [(method, path) for method, path, _ in readme_tables().get(api, [])]
    problems = []
    if repeated := sorted({r for r in listed if listed.count(r) > 1}):
        problems.append(f"listed more than once in the {table} table: {repeated}")
    if missing := sorted(routes - set(listed)):
        problems.append(f"routes missing from the README's {table} table: {missing}")
    if extra := sorted(set(listed) - routes):
        problems.append(f"rows of the {table} table that are not its routes: {extra}")
    return problems


def row_problems(api: str) -> list[str]:
    """Rows of the README's ``api`` table that do not match the code: a covered route no code calls,
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


@pytest.mark.parametrize(("api", "doc"), [("app", APP), ("agent", AGENT)])
def test_readme_lists_every_document_route_once(api: str, doc: str) -> None:
    problems = listing_problems(api, operations(doc), f"{api} ({doc})")
    assert not problems, "\n".join(problems)


@pytest.mark.parametrize("api", ["app", "agent"])
def test_readme_rows_match_the_code(api: str) -> None:
    wrong = row_problems(api)
    assert not wrong, "\n".join(wrong)


def test_readme_lists_every_route_the_code_calls() -> None:
    tables = readme_tables()
    listed = {(api, m, p) for api, rows in tables.items() for m, p, cell in rows if not cell.startswith("not covered")}
    old_only = operations(OLD_AGENT) - operations(AGENT)
    unlisted = []
    for site in walked():
        key = (site.method, site.template)
        if key in NOT_IN_DOCUMENTS or (site.api == "agent" and key in old_only):
            continue
        if (site.api, *key) not in listed:
            unlisted.append(f"{site.api}: {site.method} {site.template}")
    assert not unlisted, f"routes the code calls that the README table does not name: {sorted(set(unlisted))}"
    text = README.read_text().split("\n## Coverage\n", 1)[1]
    for _method, template in NOT_IN_DOCUMENTS:
        assert template in text, f"the README does not mention {template}"

"""The routes the SDK calls (read from the source, see route_walker) against the real servers' OpenAPI
documents, and the Coverage page's tables (docs/coverage.md) against both."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.support.route_coverage import (
    AGENT,
    APP,
    CLOUD,
    NOT_IN_DOCUMENTS,
    OLD_AGENT,
    V0,
    V0_NOT_IN_DOCUMENT,
    coverage_text,
    listing_problems,
    operations,
    readme_tables,
    row_problems,
    walked,
)
from tests.support.route_walker import SOCKET_ROUTE, walk


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
    assert not unlisted, f"routes the code calls that the Coverage tables do not name: {sorted(set(unlisted))}"
    text = coverage_text()
    for _method, template in NOT_IN_DOCUMENTS:
        assert template in text, f"the Coverage page does not mention {template}"

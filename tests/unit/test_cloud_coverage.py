"""The hosted Cloud's own routes: every route of its published document that the app server's
document lacks is in the "Cloud-only routes" table of docs/coverage.md, once, with the SDK method that calls it
or the reason it is left out; and every such route the code calls is one the document has."""

from __future__ import annotations

from tests.support.route_coverage import APP, CLOUD, listing_problems, operations, row_problems, walked


def cloud_only() -> frozenset[tuple[str, str]]:
    return operations(CLOUD) - operations(APP)


def test_the_cloud_document_adds_many_routes() -> None:
    assert len(cloud_only()) > 100 and ("POST", "/oauth/device/token") in cloud_only()


def test_cloud_modules_call_only_cloud_only_routes() -> None:
    sites = [s for s in walked() if s.api == "cloud"]
    assert len({(s.method, s.template) for s in sites}) >= 25  # a broken walker finds few
    found = {(s.method, s.template, s.function) for s in sites}
    assert ("POST", "/api/keys", "create") in found  # request_secret(http, METHOD, PATH, ...)
    assert ("GET", "/api/organizations", "list") in found  # AsyncPager(http, PATH, ...)
    wrong = [
        f"{s.method} {s.template} ({s.module}:{s.line})" for s in sites if (s.method, s.template) not in cloud_only()
    ]
    assert not wrong, "ohctl/_async/cloud calls routes that are not the Cloud's own:\n" + "\n".join(wrong)


def test_readme_lists_every_cloud_only_route_once() -> None:
    problems = listing_problems("cloud", cloud_only(), "Cloud-only")
    assert not problems, "\n".join(problems)


def test_readme_cloud_rows_match_the_code() -> None:
    wrong = row_problems("cloud")
    assert not wrong, "\n".join(wrong)

"""The hosted Cloud's own routes: every route of its published document that the app server's
document lacks is in the README's "Cloud-only routes" table, once, with the SDK method that calls it
or the reason it is left out; and every such route the code calls is one the document has."""

from __future__ import annotations

import re

from tests.unit.test_coverage import APP, CLOUD, operations, readme_tables, walked


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
    rows = readme_tables().get("cloud", [])
    listed = [(method, path) for method, path, _ in rows]
    repeated = sorted({r for r in listed if listed.count(r) > 1})
    missing = sorted(cloud_only() - set(listed))
    extra = sorted(set(listed) - cloud_only())
    assert not repeated, f"listed more than once in the Cloud-only table: {repeated}"
    assert not missing, f"Cloud-only routes missing from the README's Cloud-only table: {missing}"
    assert not extra, f"rows of the Cloud-only table that are not Cloud-only routes: {extra}"


def test_readme_cloud_rows_match_the_code() -> None:
    sites = [s for s in walked() if s.api == "cloud"]
    called = {(s.method, s.template) for s in sites}
    wrong = []
    for method, path, cell in readme_tables().get("cloud", []):
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
    assert not wrong, "\n".join(wrong)

"""The legacy V0 routes: every route of the V0 document (0.53.0) is in the "Legacy V0" table of docs/coverage.md,
once, with the ``ohctl.legacy`` method that calls it or the reason it is left out; the legacy module
calls only V0 routes (the document's, or the few 1.6.0 added, listed with where they were seen)."""

from __future__ import annotations

from tests.support.route_coverage import V0, V0_NOT_IN_DOCUMENT, listing_problems, operations, row_problems, walked


def v0_routes() -> frozenset[tuple[str, str]]:
    return operations(V0) | frozenset(V0_NOT_IN_DOCUMENT)


def test_the_legacy_module_calls_only_v0_routes() -> None:
    sites = [s for s in walked() if s.api == "legacy"]
    called = {(s.method, s.template) for s in sites}
    assert len(called) >= 15  # a broken walker finds few
    assert ("GET", "/api/conversations") in called  # the AsyncLegacyPager call site is recognised
    wrong = [
        f"{s.method} {s.template} ({s.module}:{s.line})" for s in sites if (s.method, s.template) not in v0_routes()
    ]
    assert not wrong, "ohctl/_async/legacy calls routes that are not V0's:\n" + "\n".join(wrong)
    assert not any(t.startswith("/api/v1/") for _, t in called)
    for key in V0_NOT_IN_DOCUMENT:  # the exceptions stay honest
        assert key in called and key not in operations(V0), key


def test_readme_lists_every_v0_route_once() -> None:
    problems = listing_problems("legacy", v0_routes(), "Legacy V0")
    assert not problems, "\n".join(problems)


def test_readme_legacy_rows_match_the_code() -> None:
    wrong = row_problems("legacy")
    assert not wrong, "\n".join(wrong)

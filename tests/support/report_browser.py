"""A batch report opened in headless Chromium (Debian's ``chromium``, driven by playwright), checked
against its ledger read straight from SQLite: no console error and no request at all (the page is
self-contained), every chart with the right number of marks, the table's rows and totals equal to
the ledger's, task text shown as text (a ``<script>`` title runs nothing), the page whole with
JavaScript off, and the table sorting and filtering with it on. Screenshots (desktop, phone, print)
go to ``OHCTL_REPORT_SCREENSHOTS`` when set, else to the given folder; their paths are printed."""

from __future__ import annotations

import json
import os
import sqlite3
from pathlib import Path
from typing import Any

import pytest

from ohctl.batch import report

CHROMIUM = Path("/usr/bin/chromium")
ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update"]
ENDED = ("finished", "failed", "needs_input", "timed_out", "error", "cancelled", "stalled")


def need_chromium() -> None:
    if not CHROMIUM.exists():
        reason = f"{CHROMIUM} is missing: bash scripts/setup installs Debian's chromium"
        if os.environ.get("CI"):
            pytest.fail(reason)
        pytest.skip(reason)


def ledger_truth(ledger: Path) -> dict[str, Any]:
    """What the ledger holds, read without ohctl."""
    with sqlite3.connect(ledger) as db:
        rows = db.execute(
            "SELECT key, state, cost, prompt_tokens, completion_tokens, started_at, ended_at, spec FROM tasks"
        ).fetchall()
    counts: dict[str, int] = {}
    for row in rows:
        counts[row[1]] = counts.get(row[1], 0) + 1
    return {
        "tasks": len(rows),
        "counts": counts,
        "cost": sum(r[2] or 0.0 for r in rows),
        "tokens": sum((r[3] or 0) + (r[4] or 0) for r in rows),
        "points": sum(1 for r in rows if r[2] is not None and r[5] is not None and r[6] is not None),
        "with_cost": sum(1 for r in rows if r[2]),
        "distinct_costs": len({r[2] for r in rows if r[2] is not None}),
        "titles": [json.loads(r[7]).get("title") or "" for r in rows],
        # the failure groups as ohctl counts them (their wording is ohctl's; their number is checked)
        "reasons": len(report(ledger).reasons()),
    }


def check_report(page_path: Path, ledger: Path, shots: Path, *, name: str) -> list[str]:
    """Open the report; the list of what is wrong (empty: all good)."""
    from playwright.sync_api import sync_playwright

    truth = ledger_truth(ledger)
    keep = Path(os.environ.get("OHCTL_REPORT_SCREENSHOTS") or shots)
    keep.mkdir(parents=True, exist_ok=True)
    problems: list[str] = []
    url = page_path.resolve().as_uri()

    def watch(page: Any) -> None:
        page.on("console", lambda m: problems.append(f"console {m.type}: {m.text}") if m.type == "error" else None)
        page.on("pageerror", lambda e: problems.append(f"page error: {e}"))
        page.on("dialog", lambda d: (problems.append(f"a dialog opened: {d.message}"), d.dismiss()))

        def route(r: Any) -> None:
            if r.request.url == url:
                r.continue_()
            else:
                problems.append(f"the page fetched {r.request.url}")
                r.abort()

        page.route("**/*", route)

    def shot(page: Any, label: str, **options: Any) -> None:
        path = keep / f"{name}-{label}.png"
        page.screenshot(path=str(path), **options)
        print(f"screenshot: {path}")

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=ARGS)
        try:
            # JavaScript on: marks, totals, escaping, sorting, filtering.
            page = browser.new_page(viewport={"width": 1280, "height": 1000})
            watch(page)
            page.goto(url, wait_until="load")
            problems += _check_marks(page, truth)
            problems += _check_table(page, truth)
            shot(page, "desktop")
            page.locator("section").first.screenshot(path=str(keep / f"{name}-charts.png"))
            print(f"screenshot: {keep / f'{name}-charts.png'}")
            problems += _check_sorting(page, truth)
            page.locator("#tasks").scroll_into_view_if_needed()
            shot(page, "table-sorted")
            page.set_viewport_size({"width": 390, "height": 844})
            page.goto(url, wait_until="load")
            shot(page, "phone")
            width = page.evaluate("document.documentElement.scrollWidth")
            if width > 400:
                problems.append(f"on a phone the page is {width}px wide (wider than the screen)")
            page.emulate_media(media="print")
            page.set_viewport_size({"width": 900, "height": 1200})
            shot(page, "print")
            page.close()
            # JavaScript off: the charts and the table are all there.
            context = browser.new_context(java_script_enabled=False, viewport={"width": 1280, "height": 1000})
            static = context.new_page()
            watch(static)
            static.goto(url, wait_until="load")
            charts = static.locator("figure svg").count()
            if charts != 7:
                problems.append(f"JavaScript off: {charts} charts, expected 7")
            rows = static.locator("#tasks tbody tr").count()
            if rows != truth["tasks"]:
                problems.append(f"JavaScript off: {rows} rows, expected {truth['tasks']}")
            problems += _check_marks(static, truth, prefix="JavaScript off: ")
            shot(static, "no-js")
            context.close()
        finally:
            browser.close()
    return problems


def _count(page: Any, selector: str) -> int:
    return int(page.locator(selector).count())


def _check_marks(page: Any, truth: dict[str, Any], *, prefix: str = "") -> list[str]:
    wrong = []
    kinds = sum(1 for n in truth["counts"].values() if n)
    expected = {
        "#outcomes [id^='outcomes-mark-']": kinds,
        "#duration-cost [id^='duration-cost-mark-'] use": truth["points"],
        "#top-costs [id^='top-costs-mark-']": min(10, truth["with_cost"]),
        "#progress [id^='progress-mark-']": 2 if truth["points"] else 0,
        "#reasons [id^='reasons-mark-']": min(truth["reasons"], 8) + (truth["reasons"] > 8),
    }
    for selector, want in expected.items():
        got = _count(page, selector)
        if got != want:
            wrong.append(f"{prefix}{selector}: {got} marks, expected {want}")
    bars = _count(page, "#cost-histogram [id^='cost-histogram-mark-']")
    if (bars > 0) != (truth["distinct_costs"] > 1):
        wrong.append(f"{prefix}the cost histogram has {bars} bars for {truth['distinct_costs']} distinct costs")
    if _count(page, "#concurrency [id^='concurrency-mark-']") != (1 if truth["tasks"] and truth["points"] else 0):
        wrong.append(f"{prefix}the concurrency chart has no line")
    for figure in ("outcomes", "cost-histogram", "duration-cost", "progress", "concurrency", "reasons"):
        if _count(page, f"figure#{figure} svg[aria-label]") != 1:
            wrong.append(f"{prefix}chart {figure} missing (or without its label)")
    return wrong


def _check_table(page: Any, truth: dict[str, Any]) -> list[str]:
    wrong = []
    rows = _count(page, "#tasks tbody tr")
    if rows != truth["tasks"]:
        wrong.append(f"{rows} rows, expected {truth['tasks']}")
    cost = float(page.locator("tfoot td[data-total='cost']").get_attribute("data-v"))
    if abs(cost - truth["cost"]) > 1e-6:
        wrong.append(f"total cost {cost}, the ledger's {truth['cost']}")
    tokens = int(page.locator("tfoot td[data-total='tokens']").get_attribute("data-v"))
    if tokens != truth["tokens"]:
        wrong.append(f"total tokens {tokens}, the ledger's {truth['tokens']}")
    shown_costs = page.evaluate(
        "Array.from(document.querySelectorAll('#tasks tbody td.num:nth-child(4)')).map(td => td.dataset.v)"
    )
    if abs(sum(float(v) for v in shown_costs if v) - truth["cost"]) > 1e-6:
        wrong.append("the rows' costs do not add up to the ledger's")
    for title in truth["titles"]:
        if "<script>" in title:
            cells = page.locator("#tasks td.title", has_text=title).count()
            if cells != 1:
                wrong.append(f"the title {title!r} is not shown as text ({cells} cells)")
    if page.evaluate("document.querySelectorAll('script').length") != 1:
        wrong.append("the page holds a script besides its own")
    return wrong


def _check_sorting(page: Any, truth: dict[str, Any]) -> list[str]:
    wrong = []
    button = page.locator("#tasks th[data-col='cost'] button")
    values = "Array.from(document.querySelectorAll('#tasks tbody tr')).map(tr => tr.cells[3].dataset.v)"
    button.click()
    up = [float(v) for v in page.evaluate(values) if v]
    if up != sorted(up):
        wrong.append("cost does not sort ascending on the first click")
    button.click()
    down = [float(v) for v in page.evaluate(values) if v]
    if down != sorted(down, reverse=True):
        wrong.append("cost does not sort descending on the second click")
    failed = truth["counts"].get("failed", 0)
    if failed:
        page.select_option("#tasks-pick", "failed")
        shown = page.evaluate("Array.from(document.querySelectorAll('#tasks tbody tr')).filter(r => !r.hidden).length")
        if shown != failed:
            wrong.append(f"the outcome filter shows {shown} rows, expected {failed}")
        page.select_option("#tasks-pick", "")
    page.fill("#tasks-filter", "zzz-no-such-text")
    if page.evaluate("Array.from(document.querySelectorAll('#tasks tbody tr')).filter(r => !r.hidden).length") != 0:
        wrong.append("the text filter hides nothing")
    page.fill("#tasks-filter", "")
    return wrong

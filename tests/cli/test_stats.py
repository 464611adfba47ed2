"""Fleet statistics against the REAL app server (scripted model): after a few real conversations (one
finished with a sub-conversation, one failed, one still running; repositories set with PATCH),
``client.conversations.stats`` and ``ohctl stats`` count them by outcome and repository (the
sub-conversation in its parent's row), narrow by repository and period, read the server in the
expected number of requests (counted with an httpx event hook: one per search page, never one per
conversation), and ``--html``
writes a page that loads cleanly in headless Chromium (Debian's ``chromium``) with its charts, with
JavaScript on and off, its tables sorting with it on. Screenshots are saved in the test's directory and, when
``OHCTL_REPORT_SCREENSHOTS`` names a folder, copied there."""

from __future__ import annotations

import json
import math
import os
import shutil
import time
import uuid
from collections.abc import Iterator
from datetime import datetime, timedelta, timezone
from pathlib import Path

import httpx
import pytest

import ohctl
from tests.support.cli_runner import Run, secret
from tests.support.peer_suite import Shared, eventually

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--no-first-run"]
HOSTILE = '<script>alert("stats")</script><img src=x onerror=alert(1)>'
CHARTS = ["outcomes", "per-day", "cost-per-day", "cost-by-repository", "tokens-by-model"]


def tokens(conv: ohctl.types.AppConversation) -> int:
    usage = conv.metrics.accumulated_token_usage if conv.metrics is not None else None
    return 0 if usage is None else usage.prompt_tokens + usage.completion_tokens


@pytest.fixture(scope="module")
def fleet(base_url: str, shared: Shared) -> Iterator[dict[str, object]]:
    """Three conversations created for this module, and a sub-conversation of the first."""
    with ohctl.OpenHands(base_url=base_url, max_retries=4) as client:
        yield made(client, shared)


def pin_repository(client: ohctl.OpenHands, cid: ohctl.ConversationId, repository: str) -> None:
    """PATCH the conversation's repository until it stays: a report of its agent server that comes
    after the PATCH (its last statistics, up to 30 s late) replaces the app server's record,
    repository included. Set again until two looks 10 s apart both find it."""
    began = time.monotonic()
    while time.monotonic() - began < 150:
        client.conversations.update(cid, selected_repository=repository)
        kept = 0
        while kept < 2:
            time.sleep(10)
            if client.conversations.retrieve(cid).selected_repository != repository:
                break
            kept += 1
        if kept == 2:
            return
    raise AssertionError(f"the repository of {cid} did not stay set")


def made(client: ohctl.OpenHands, shared: Shared) -> dict[str, object]:
    since = datetime.now(timezone.utc) - timedelta(seconds=2)
    tag = uuid.uuid4().hex[:8]
    alpha, beta = f"stats-{tag}/alpha", f"stats-{tag}/beta"
    done = client.conversations.start("Say hello", sandbox_id=shared.sandbox_id)
    failed = client.conversations.start("Fail now [ohctl:fail]", sandbox_id=shared.sandbox_id)
    sub = client.conversations.start(
        "Say hello as a helper", sandbox_id=shared.sandbox_id, parent_conversation_id=str(done.id)
    )
    for conv in (done, failed, sub):
        client.conversations.wait(conv.id, timeout=300, raise_on_outcome=False)
    # The token counts come through the sandbox's webhook, in batches (up to 30 s late).
    eventually(lambda: tokens(client.conversations.retrieve(done.id)) > 0, timeout=90, what="done's tokens")
    eventually(lambda: tokens(client.conversations.retrieve(sub.id)) > 0, timeout=90, what="the sub's tokens")
    pin_repository(client, done.id, alpha)
    pin_repository(client, failed.id, beta)
    # Started last, so that it still runs when the first test reads the statistics.
    slow = client.conversations.start("Take your time [ohctl:slow:60]", sandbox_id=shared.sandbox_id)
    # No repository for it: the agent server's reports of a running agent (and of a title set on it)
    # replace the app server's record, repository included, so a PATCHed repository does not stay.
    # Its title does (ohctl sets it on both servers): a title with markup, for the page to escape.
    client.conversations.update(slow.id, title=HOSTILE)
    eventually(
        lambda: str(client.conversations.retrieve(slow.id).execution_status) == "running",
        timeout=30,
        what="the slow agent runs",
    )
    for conv in client.conversations.search(sandbox_id=shared.sandbox_id, limit=100):
        if conv.session_api_key:
            secret(conv.session_api_key)
    return {
        "since": since,
        "alpha": alpha,
        "beta": beta,
        "done": done.id,
        "failed": failed.id,
        "sub": sub.id,
        "slow": slow.id,
    }


def test_stats_count_real_conversations_by_outcome_repository_and_period(
    client: ohctl.OpenHands, base_url: str, fleet: dict[str, object]
) -> None:
    since, alpha = fleet["since"], str(fleet["alpha"])
    assert isinstance(since, datetime)
    done, failed, sub, slow = (str(fleet[k]) for k in ("done", "failed", "sub", "slow"))
    parent = client.conversations.retrieve(done)
    assert sub in [str(s) for s in parent.sub_conversation_ids]  # the server links them (its batch get)

    everything = client.conversations.stats(since=since)
    rows = {r.id: r for r in everything.conversations}
    assert {done, failed, slow} <= set(rows) and sub not in rows  # a sub-conversation is in its parent's row
    assert (rows[done].outcome, rows[failed].outcome) == ("finished", "failed")
    assert rows[slow].outcome == "running", client.conversations.retrieve(slow)  # 60 s of sleep
    assert sum(everything.by_outcome.values()) == everything.total.conversations == len(rows)

    requests: list[httpx.Request] = []
    counted = ohctl.OpenHands(base_url=base_url, http_client=httpx.Client(event_hooks={"request": [requests.append]}))
    pages: list[tuple[int, int]] = []
    listed = client.conversations.search(created_after=since, include_sub_conversations=True).to_list()
    expected_pages = max(1, math.ceil(len(listed) / 100))
    on_alpha = counted.conversations.stats(since=since, repo=alpha.upper(), on_page=lambda p, n: pages.append((p, n)))
    assert {r.id for r in on_alpha.conversations} == {done}
    assert on_alpha.total.conversations == 1 and [g.key for g in on_alpha.by_repository] == [alpha]
    # one request per search page (sub-conversations included), none per conversation
    assert [r.url.path for r in requests] == ["/api/v1/app-conversations/search"] * expected_pages, requests
    assert requests[0].url.params["include_sub_conversations"] == "true"
    assert len(pages) == expected_pages and on_alpha.pages_read == expected_pages
    row = next(r for r in on_alpha.conversations if r.id == done)
    sub_conv = client.conversations.retrieve(sub)
    assert row.sub_conversations == 1
    assert row.tokens == tokens(client.conversations.retrieve(done)) + tokens(sub_conv) > tokens(sub_conv)

    # the period: nothing of this module was created before ``since`` or after now
    earlier = client.conversations.stats(since=since - timedelta(days=1), until=since)
    assert not {done, failed, slow} & {r.id for r in earlier.conversations}
    later = client.conversations.stats(since=datetime.now(timezone.utc))
    assert later.total.conversations == 0 and later.by_day  # the empty period still has its day


def test_ohctl_stats_prints_json_csv_and_tables(run: Run, base_url: str, fleet: dict[str, object]) -> None:
    since = fleet["since"]
    assert isinstance(since, datetime)
    env = {"OPENHANDS_BASE_URL": base_url}
    window = ["--since", since.isoformat(), "--repo", str(fleet["beta"])]
    piped = run("stats", *window, env=env)
    assert piped.code == 0, piped
    data = json.loads(piped.stdout)
    assert data["total"]["conversations"] == 1 and data["by_outcome"] == {"failed": 1}
    assert [c["id"] for c in data["conversations"]] == [str(fleet["failed"])]
    csv = run("stats", *window, "--csv", env=env)
    assert csv.code == 0 and csv.stdout.splitlines()[1].startswith(f"{fleet['failed']},"), csv
    table = run("stats", *window, env=env, tty=True)
    assert table.code == 0, table
    assert table.stdout.startswith("1 conversations created since") and "By repository" in table.stdout, table
    assert str(fleet["beta"]) in table.stdout


def test_ohctl_stats_html_loads_cleanly_in_chromium(
    run: Run, base_url: str, fleet: dict[str, object], tmp_path: Path
) -> None:
    since = fleet["since"]
    assert isinstance(since, datetime)
    page_path = tmp_path / "stats.html"
    made = run("stats", "--since", since.isoformat(), "--html", str(page_path), env={"OPENHANDS_BASE_URL": base_url})
    assert made.code == 0 and f"wrote {page_path}" in made.stderr, made
    if not CHROMIUM.exists():
        reason = f"{CHROMIUM} is missing: bash scripts/setup installs Debian's chromium"
        if os.environ.get("CI"):
            pytest.fail(reason)
        pytest.skip(reason)
    from playwright.sync_api import Route, sync_playwright

    keep = Path(os.environ.get("OHCTL_REPORT_SCREENSHOTS") or tmp_path)
    keep.mkdir(parents=True, exist_ok=True)
    problems: list[str] = []

    def refuse(route: Route) -> None:  # a self-contained page asks for nothing but itself
        if route.request.url.startswith(("file://", "data:")):
            route.continue_()
        else:
            problems.append(f"request: {route.request.url}")
            route.abort()

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        try:
            for name, width, script in (("stats-desktop", 1280, True), ("stats-phone", 390, False)):
                page = browser.new_page(viewport={"width": width, "height": 900}, java_script_enabled=script)
                page.route("**/*", refuse)
                page.on(
                    "console", lambda m: problems.append(f"console {m.type}: {m.text}") if m.type == "error" else None
                )
                page.on("pageerror", lambda error: problems.append(f"page error: {error}"))
                page.on("dialog", lambda dialog: problems.append(f"a dialog opened: {dialog.message}"))
                page.goto(page_path.as_uri(), wait_until="load")
                charts = page.locator("figure[data-chart]")
                assert [charts.nth(i).get_attribute("data-chart") for i in range(charts.count())] == CHARTS
                for chart in CHARTS:
                    marks = page.locator(f'figure[data-chart="{chart}"] svg g[id^="{chart}-mark-"]').count()
                    assert marks >= 1, chart
                    box = page.locator(f'figure[data-chart="{chart}"] svg').bounding_box()
                    assert box is not None and 0 < box["width"] <= width, (chart, box)
                outcomes = page.locator('figure[data-chart="outcomes"] svg g[id^="outcomes-mark-"]').count()
                assert outcomes == page.locator('[data-fact^="outcome:"]').count()  # one bar per outcome fact
                shown = page.locator('[data-fact="conversations"]').inner_text()
                rows = page.locator("#every-conversation tbody tr").count()
                assert int(shown.replace(",", "")) == rows >= 3
                # a title with markup is text on the page, never markup: no script, no image
                assert page.locator("#every-conversation td", has_text=HOSTILE).count() == 1, HOSTILE
                assert page.locator("script").count() == 1 and page.locator("img").count() == 0  # the page's own
                # a wide table scrolls sideways inside its box: the page is no wider than the screen
                assert page.evaluate("document.documentElement.scrollWidth") <= width
                if script:  # every table sorts: the conversations by cost, up then down
                    button = page.locator("#every-conversation th[data-col='cost'] button")
                    rows_js = "Array.from(document.querySelectorAll('#every-conversation tbody tr'))"
                    costs = rows_js + ".map(r => +r.cells[7].dataset.v)"
                    button.click()
                    assert page.evaluate(costs) == sorted(page.evaluate(costs))
                    button.click()
                    assert page.evaluate(costs) == sorted(page.evaluate(costs), reverse=True)
                shot = tmp_path / f"{name}.png"
                page.screenshot(path=str(shot), full_page=True)
                if keep != tmp_path:
                    shutil.copy(shot, keep / shot.name)
                print(f"screenshot: {keep / shot.name}")
                page.close()
        finally:
            browser.close()
    assert problems == []

"""Fleet statistics: the aggregation (every total is the sum of its parts, with hypothesis), outcomes,
sub-conversations, the flow's requests (search pages and batch gets, never one per conversation),
CSV, the HTML page (escaped text, static charts, unique ids) and ``ohctl stats`` against a fake
server (httpx MockTransport)."""

from __future__ import annotations

import csv
import io
import json
import math
import re
from collections.abc import Callable, Iterator
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import Any

import httpx
import pytest
from click.testing import CliRunner
from hypothesis import given, settings
from hypothesis import strategies as st

import ohctl
from ohctl.cli.main import cli
from ohctl.stats.aggregate import NO_DAY, NO_MODEL, NO_REPOSITORY, OUTCOMES, aggregate, outcome_of
from ohctl.types import AppConversation
from tests.support.helpers import json_response

NOW = datetime(2026, 12, 6, 12, 0, tzinfo=timezone.utc)
BASE = "http://127.0.0.1:9"


def conv_data(
    n: int,
    *,
    hours_ago: float = 1.0,
    minutes: float = 5.0,
    execution: str | None = "finished",
    sandbox: str | None = "RUNNING",
    repo: str | None = "octo/app",
    model: str | None = "gpt-test",
    cost: float = 0.5,
    prompt: int = 100,
    completion: int = 10,
    title: str = "a task",
    subs: tuple[str, ...] = (),
) -> dict[str, Any]:
    created = NOW - timedelta(hours=hours_ago)
    return {
        "id": f"{n:032x}",
        "title": title,
        "selected_repository": repo,
        "llm_model": model,
        "execution_status": execution,
        "sandbox_status": sandbox,
        "created_at": created.isoformat(),
        "updated_at": (created + timedelta(minutes=minutes)).isoformat(),
        "sub_conversation_ids": list(subs),
        "metrics": {
            "accumulated_cost": cost,
            "accumulated_token_usage": {"prompt_tokens": prompt, "completion_tokens": completion},
        },
    }


def conv(n: int, **kwargs: Any) -> AppConversation:
    return AppConversation.model_validate(conv_data(n, **kwargs))


# -- outcomes ----------------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("execution", "sandbox", "outcome"),
    [
        ("finished", "RUNNING", "finished"),
        ("error", "RUNNING", "failed"),
        ("stuck", "RUNNING", "failed"),
        ("waiting_for_confirmation", "RUNNING", "needs_input"),
        ("running", "RUNNING", "running"),
        ("idle", "RUNNING", "idle"),
        ("paused", "RUNNING", "paused"),
        (None, "PAUSED", "paused"),
        (None, "STARTING", "running"),
        (None, "ERROR", "failed"),
        (None, "MISSING", "unknown"),  # the sandbox is gone, and the agent's status with it
        (None, None, "unknown"),
        ("something-new", "RUNNING", "unknown"),
    ],
)
def test_each_conversation_has_one_outcome(execution: str | None, sandbox: str | None, outcome: str) -> None:
    assert outcome_of(conv(1, execution=execution, sandbox=sandbox)) == outcome


# -- every total is the sum of its parts -------------------------------------------------------
conversations = st.lists(
    st.builds(
        conv_data,
        st.integers(min_value=1, max_value=10**9),
        hours_ago=st.floats(min_value=0, max_value=24 * 9),
        minutes=st.floats(min_value=0, max_value=600),
        execution=st.sampled_from(["finished", "error", "running", "idle", None, "waiting_for_confirmation"]),
        sandbox=st.sampled_from(["RUNNING", "PAUSED", "MISSING", None]),
        repo=st.sampled_from(["octo/app", "OCTO/App", "octo/lib", None]),
        model=st.sampled_from(["gpt-test", "claude-test", None]),
        cost=st.floats(min_value=0, max_value=50, allow_nan=False),
        prompt=st.integers(min_value=0, max_value=10**7),
        completion=st.integers(min_value=0, max_value=10**6),
    ),
    max_size=40,
    unique_by=lambda c: c["id"],
)


@settings(max_examples=60, deadline=None)
@given(conversations, st.sampled_from([None, "octo/app"]), st.integers(min_value=0, max_value=5))
def test_totals_are_the_sums_of_their_parts(data: list[dict[str, Any]], repo: str | None, top: int) -> None:
    convs = [AppConversation.model_validate(c) for c in data]
    found = aggregate(convs, now=NOW, since=NOW - timedelta(days=10), repository=repo, top=top)
    picked = [c for c in convs if repo is None or (c.selected_repository or "").lower() == repo]
    total = found.total
    assert total.conversations == len(picked) == len(found.conversations)
    assert math.isclose(total.cost, sum(c.cost for c in picked), abs_tol=1e-6)
    assert sum(found.by_outcome.values()) == total.conversations
    assert list(found.by_outcome) == [o for o in OUTCOMES if o in found.by_outcome]
    for split in (found.by_repository, found.by_model, found.by_day):
        assert sum(g.conversations for g in split) == total.conversations
        assert math.isclose(sum(g.cost for g in split), total.cost, abs_tol=1e-6)
        assert sum(g.prompt_tokens for g in split) == total.prompt_tokens
        assert sum(g.completion_tokens for g in split) == total.completion_tokens
        assert all(sum(g.outcomes.values()) == g.conversations for g in split)
        assert len({g.key for g in split}) == len(split)
    # every day of the period is there, in order, empty ones too
    days = [g.key for g in found.by_day if g.key != NO_DAY]
    assert days == sorted(days) and days[0] == "2026-11-26" and days[-1] == "2026-12-06"
    assert len(days) == 11
    assert len(found.slowest) == min(top, total.conversations)
    assert [r.duration for r in found.slowest] == sorted((r.duration for r in found.slowest), reverse=True)
    assert len(found.most_expensive) == min(top, total.conversations)
    if found.most_expensive:
        assert found.most_expensive[0].cost == max(r.cost for r in found.conversations)
    created = [r.created_at for r in found.conversations]
    assert created == sorted(created, reverse=True)  # type: ignore[type-var]  # all set here


def test_groups_name_what_is_missing_and_sort_by_cost() -> None:
    found = aggregate(
        [conv(1, repo=None, model=None, cost=1), conv(2, repo="octo/app", cost=3), conv(3, repo="octo/app", cost=0)],
        now=NOW,
    )
    assert [(g.key, g.conversations, g.cost) for g in found.by_repository] == [
        ("octo/app", 2, 3.0),
        (NO_REPOSITORY, 1, 1.0),
    ]
    assert {g.key for g in found.by_model} == {"gpt-test", NO_MODEL}
    assert [g.key for g in found.by_day] == ["2026-12-06"]  # without since: from the first day seen


def test_a_sub_conversation_s_cost_and_tokens_count_in_its_parent() -> None:
    sub = conv(9, cost=2.0, prompt=1000, completion=100)
    parent = conv(1, cost=0.5, subs=(str(sub.id), "f" * 32))
    found = aggregate([parent], now=NOW, sub_conversations={str(sub.id): sub, "f" * 32: None})
    [row] = found.conversations
    assert (row.cost, row.prompt_tokens, row.completion_tokens, row.sub_conversations) == (2.5, 1100, 110, 1)
    assert found.total.cost == 2.5


def test_csv_has_a_header_and_quotes_what_needs_it() -> None:
    found = aggregate([conv(1, title='Fix "a, b"\nand c', cost=0.25), conv(2, hours_ago=2)], now=NOW)
    rows = list(csv.DictReader(io.StringIO(found.csv())))
    assert [r["id"] for r in rows] == [f"{1:032x}", f"{2:032x}"]
    assert rows[0]["title"] == 'Fix "a, b"\nand c'
    assert rows[0]["cost"] == "0.250000" and rows[0]["duration_s"] == "300" and rows[0]["outcome"] == "finished"


# -- reading the server ------------------------------------------------------------------------
class FakeServer:
    """The conversation search (``page`` a page, integer offsets) and the batch get."""

    def __init__(self, items: list[dict[str, Any]], subs: list[dict[str, Any]] = (), page: int = 100) -> None:  # type: ignore[assignment]
        self.items, self.subs, self.page = items, {s["id"]: s for s in subs}, page
        self.requests: list[httpx.Request] = []

    def __call__(self, request: httpx.Request) -> httpx.Response:
        self.requests.append(request)
        if request.url.path == "/api/v1/app-conversations/search":
            start = int(request.url.params.get("page_id") or 0)
            size = int(request.url.params["limit"])
            end = start + size
            nxt = str(end) if end < len(self.items) else None
            return json_response(200, {"items": self.items[start:end], "next_page_id": nxt})
        if request.url.path == "/api/v1/app-conversations":
            ids = request.url.params.get_list("ids")
            assert len(ids) <= 99
            return json_response(200, [self.subs.get(i) for i in ids])
        return json_response(404, {"detail": "Not Found"})


def client_of(server: FakeServer) -> ohctl.OpenHands:
    return ohctl.OpenHands(base_url=BASE, api_key="k", http_client=httpx.Client(transport=httpx.MockTransport(server)))


def test_stats_read_pages_and_batch_gets_never_one_request_per_conversation() -> None:
    subs = [conv_data(10_000 + i, cost=1.0) for i in range(120)]
    items = [conv_data(i, hours_ago=i / 10, repo="octo/app" if i % 2 else "octo/lib") for i in range(1, 251)]
    items[0]["sub_conversation_ids"] = [s["id"] for s in subs]  # 120 subs: two batch gets
    server = FakeServer(items, subs)
    pages: list[tuple[int, int]] = []
    found = client_of(server).conversations.stats(since="2d", on_page=lambda p, n: pages.append((p, n)))
    searches = [r for r in server.requests if r.url.path.endswith("/search")]
    gets = [r for r in server.requests if r.url.path == "/api/v1/app-conversations"]
    assert (len(searches), len(gets), len(server.requests)) == (3, 2, 5)
    assert pages == [(1, 100), (2, 200), (3, 250)] and found.pages_read == 3
    since = datetime.fromisoformat(searches[0].url.params["created_at__gte"])
    assert abs((datetime.now(timezone.utc) - since) - timedelta(days=2)) < timedelta(minutes=1)
    assert all(r.url.params["limit"] == "100" for r in searches)
    assert found.total.conversations == 250
    assert math.isclose(found.total.cost, 250 * 0.5 + 120 * 1.0)


def test_stats_on_a_repository_reads_the_sub_conversations_of_that_repository_only() -> None:
    items = [conv_data(1, repo="octo/app", subs=("a" * 32,)), conv_data(2, repo="octo/lib", subs=("b" * 32,))]
    server = FakeServer(items, [conv_data(0xAAA, cost=1.0) | {"id": "a" * 32}])
    found = client_of(server).conversations.stats(since=None, repo="OCTO/App")
    assert [r.id for r in found.conversations] == [f"{1:032x}"] and found.total.cost == 1.5
    [get] = [r for r in server.requests if r.url.path == "/api/v1/app-conversations"]
    assert get.url.params.get_list("ids") == ["a" * 32]
    assert "created_at__gte" not in server.requests[0].url.params


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"since": "7 days"}, "since: '7 days' is not a duration"),
        ({"since": "1d", "until": "2d"}, "must be before until"),
        ({"top": -1}, "top must not be negative"),
    ],
)
def test_bad_stats_arguments_are_typed_errors_before_any_request(kwargs: dict[str, Any], message: str) -> None:
    server = FakeServer([])
    with pytest.raises(ohctl.InvalidArgumentError, match=message):
        client_of(server).conversations.stats(**kwargs)
    assert server.requests == []


def test_the_async_client_gives_the_same_stats() -> None:
    import asyncio

    server = FakeServer([conv_data(1), conv_data(2, execution="error")])

    async def go() -> ohctl.FleetStats:
        transport = httpx.MockTransport(server)
        async with ohctl.AsyncOpenHands(
            base_url=BASE, api_key="k", http_client=httpx.AsyncClient(transport=transport)
        ) as client:
            return await client.conversations.stats()

    found = asyncio.run(go())
    assert found.by_outcome == {"finished": 1, "failed": 1}


# -- the HTML page -----------------------------------------------------------------------------
HOSTILE = '<script>alert("x")</script> $x$ & <b>'


def test_the_page_escapes_every_text_and_draws_static_charts() -> None:
    convs = [
        conv(1, title=HOSTILE, repo="octo/<img src=x onerror=alert(1)>", model="m$1"),
        conv(2, hours_ago=30, execution="error", cost=2.0),
        conv(3, hours_ago=50, execution="running"),
    ]
    page = ohctl.render_stats_html(aggregate(convs, now=NOW, since=NOW - timedelta(days=3)))
    assert "<script" not in page.lower() and "<img" not in page.lower() and "<b>" not in page
    assert "&lt;script&gt;alert(" in page
    charts = re.findall(r'<figure class="chart" data-chart="([^"]+)">', page)
    assert charts == ["outcomes", "per-day", "cost-per-day", "cost-by-repository", "tokens-by-model"]
    assert page.count("<svg") == 5 and "<?xml" not in page
    assert not re.search(r"""(?:src|href)\s*=\s*["']?(?:https?:)?//""", page)  # nothing fetched at view time
    ids = re.findall(r'\bid="([^"]+)"', page)
    assert len(ids) == len(set(ids))  # several charts, no shared id
    marks = {name: len(re.findall(rf'id="{name}-mark-\d+"', page)) for name in charts}
    assert marks == {"outcomes": 3, "per-day": 3, "cost-per-day": 4, "cost-by-repository": 2, "tokens-by-model": 2}
    assert ">m$1</text>" in page  # a dollar sign is text, not the start of mathtext


def test_an_empty_period_renders_a_page_without_charts() -> None:
    page = ohctl.render_stats_html(aggregate([], now=NOW, since=NOW - timedelta(days=1)))
    assert "No conversation was created in this period." in page and "<svg" not in page


# -- the command line --------------------------------------------------------------------------
@pytest.fixture
def serve(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Iterator[Callable[[FakeServer], None]]:
    monkeypatch.setenv("OHCTL_CONFIG_DIR", str(tmp_path / "config"))
    monkeypatch.setenv("OHCTL_KEYRING", "0")
    monkeypatch.setenv("OPENHANDS_BASE_URL", BASE)
    monkeypatch.setenv("OPENHANDS_API_KEY", "sk-test-stats-key")
    real = ohctl.OpenHands

    def use(server: FakeServer) -> None:
        def make(**kwargs: Any) -> ohctl.OpenHands:
            return real(http_client=httpx.Client(transport=httpx.MockTransport(server)), **kwargs)

        monkeypatch.setattr(ohctl, "OpenHands", make)

    yield use


def test_ohctl_stats_prints_json_when_piped_and_csv_when_asked(serve: Callable[[FakeServer], None]) -> None:
    server = FakeServer([conv_data(1, cost=1.25), conv_data(2, execution="error", repo="octo/lib")])
    serve(server)
    piped = CliRunner().invoke(cli, ["stats", "--since", "2d"])
    assert piped.exit_code == 0, piped.output
    data = json.loads(piped.stdout)
    assert data["total"]["conversations"] == 2 and data["by_outcome"] == {"finished": 1, "failed": 1}
    assert [g["key"] for g in data["by_repository"]] == ["octo/app", "octo/lib"]
    only = CliRunner().invoke(cli, ["stats", "--repo", "octo/lib", "--json", "total,repository"])
    assert json.loads(only.stdout)["total"]["conversations"] == 1
    assert json.loads(only.stdout)["repository"] == "octo/lib"
    table = CliRunner().invoke(cli, ["stats", "--csv"])
    assert table.exit_code == 0 and table.stdout.splitlines()[0].startswith("id,title,repository,model,outcome")
    assert len(table.stdout.splitlines()) == 3
    both = CliRunner().invoke(cli, ["stats", "--csv", "--json"])
    assert both.exit_code == 2 and "choose one" in both.output
    bad = CliRunner().invoke(cli, ["stats", "--since", "soon"])
    assert bad.exit_code == 2 and "neither a duration" in bad.output


def test_ohctl_stats_writes_the_page_with_html(serve: Callable[[FakeServer], None], tmp_path: Path) -> None:
    serve(FakeServer([conv_data(1, title=HOSTILE)]))
    target = tmp_path / "stats.html"
    result = CliRunner().invoke(cli, ["stats", "--html", str(target)])
    assert result.exit_code == 0, result.output
    assert result.stdout == "" and f"wrote {target} (1 conversations)" in result.stderr
    page = target.read_text(encoding="utf-8")
    assert page.startswith("<!DOCTYPE html>") and "&lt;script&gt;" in page and "<script" not in page


def test_ohctl_stats_shows_tables_on_a_terminal(serve: Callable[[FakeServer], None]) -> None:
    from ohctl.cli.commands.stats import show_stats
    from ohctl.cli.output import Output

    found = aggregate([conv(1, cost=1.25), conv(2, execution="error", repo=None)], now=NOW)
    runner = CliRunner()
    with runner.isolation() as (stdout, _err, _):
        show_stats(found, Output(tty=True, color=False))
        text = stdout.getvalue().decode()
    assert text.startswith("2 conversations created at any time: $1.75, 220 tokens")
    for heading in ("By repository", "By model", "By day", "Most expensive", "Slowest"):
        assert heading in text
    assert "(no repository)" in text and "finished 1" in text

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


class Conv(AppConversation):
    """A conversation whose ``| {field: value}`` is a copy with those fields validated."""

    def __or__(self, fields: dict[str, Any]) -> AppConversation:
        return AppConversation.model_validate({**self.model_dump(mode="json"), **fields})


def conv(n: int, **kwargs: Any) -> Conv:
    return Conv.model_validate(conv_data(n, **kwargs))


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


def test_a_sub_conversation_s_cost_and_tokens_count_in_its_top_parent() -> None:
    parent = conv(1, cost=0.5, repo="octo/app")
    sub = conv(9, cost=2.0, prompt=1000, completion=100, repo=None) | {"parent_conversation_id": f"{1:032x}"}
    subsub = conv(10, cost=1.0, prompt=0, completion=0, repo=None) | {"parent_conversation_id": f"{9:032x}"}
    orphan = conv(11, cost=4.0, repo="octo/app") | {"parent_conversation_id": "f" * 32}  # its parent is older
    found = aggregate([subsub, parent, orphan, sub], now=NOW, repository="octo/app")
    rows = {r.id: r for r in found.conversations}
    assert set(rows) == {f"{1:032x}", f"{11:032x}"}
    top = rows[f"{1:032x}"]
    assert (top.cost, top.prompt_tokens, top.completion_tokens, top.sub_conversations) == (3.5, 1100, 110, 2)
    assert found.total.cost == 7.5 and found.total.conversations == 2
    # a loop, which the server should never send: each stands alone, nothing lost or counted twice
    a = conv(20) | {"parent_conversation_id": f"{21:032x}"}
    b = conv(21) | {"parent_conversation_id": f"{20:032x}"}
    assert [r.sub_conversations for r in aggregate([a, b], now=NOW).conversations] == [0, 0]


def test_csv_has_a_header_and_quotes_what_needs_it() -> None:
    found = aggregate([conv(1, title='Fix "a, b"\nand c', cost=0.25), conv(2, hours_ago=2)], now=NOW)
    rows = list(csv.DictReader(io.StringIO(found.csv())))
    assert [r["id"] for r in rows] == [f"{1:032x}", f"{2:032x}"]
    assert rows[0]["title"] == 'Fix "a, b"\nand c'
    assert rows[0]["cost"] == "0.250000" and rows[0]["duration_s"] == "300" and rows[0]["outcome"] == "finished"


# -- reading the server ------------------------------------------------------------------------
class FakeServer:
    """The conversation search (``page`` a page, integer offsets; sub-conversations only when asked)."""

    def __init__(self, items: list[dict[str, Any]], page: int = 100) -> None:
        self.items, self.page = items, page
        self.requests: list[httpx.Request] = []

    def __call__(self, request: httpx.Request) -> httpx.Response:
        self.requests.append(request)
        if request.url.path == "/api/v1/app-conversations/search":
            subs = request.url.params.get("include_sub_conversations") == "true"
            items = [i for i in self.items if subs or not i.get("parent_conversation_id")]
            start = int(request.url.params.get("page_id") or 0)
            end = start + int(request.url.params["limit"])
            nxt = str(end) if end < len(items) else None
            return json_response(200, {"items": items[start:end], "next_page_id": nxt})
        return json_response(404, {"detail": "Not Found"})


def client_of(server: FakeServer) -> ohctl.OpenHands:
    return ohctl.OpenHands(base_url=BASE, api_key="k", http_client=httpx.Client(transport=httpx.MockTransport(server)))


def test_stats_read_one_request_per_search_page_never_one_per_conversation() -> None:
    items = [conv_data(i, hours_ago=i / 10, repo="octo/app" if i % 2 else "octo/lib") for i in range(1, 131)]
    subs = [conv_data(10_000 + i, cost=1.0, repo=None) | {"parent_conversation_id": f"{1:032x}"} for i in range(120)]
    server = FakeServer(items + subs)
    pages: list[tuple[int, int]] = []
    found = client_of(server).conversations.stats(since="2d", on_page=lambda p, n: pages.append((p, n)))
    assert [r.url.path for r in server.requests] == ["/api/v1/app-conversations/search"] * 3
    assert pages == [(1, 100), (2, 200), (3, 250)] and found.pages_read == 3
    params = server.requests[0].url.params
    since = datetime.fromisoformat(params["created_at__gte"])
    assert abs((datetime.now(timezone.utc) - since) - timedelta(days=2)) < timedelta(minutes=1)
    assert params["limit"] == "100" and params["include_sub_conversations"] == "true"
    assert found.total.conversations == 130
    assert math.isclose(found.total.cost, 130 * 0.5 + 120 * 1.0)
    [first] = [r for r in found.conversations if r.id == f"{1:032x}"]
    assert first.sub_conversations == 120


def test_stats_on_a_repository_keep_its_conversations_and_their_sub_conversations() -> None:
    items = [
        conv_data(1, repo="octo/app"),
        conv_data(2, repo="octo/lib"),
        conv_data(3, repo=None, cost=1.0) | {"parent_conversation_id": f"{1:032x}"},
        conv_data(4, repo=None, cost=8.0) | {"parent_conversation_id": f"{2:032x}"},
    ]
    server = FakeServer(items)
    found = client_of(server).conversations.stats(since=None, repo="OCTO/App")
    assert [r.id for r in found.conversations] == [f"{1:032x}"] and found.total.cost == 1.5
    assert "created_at__gte" not in server.requests[0].url.params and len(server.requests) == 1


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"since": "7 days"}, "since: '7 days' is not a duration.*or an ISO date"),
        ({"since": "1d", "until": "2d"}, "must be before until"),
        ({"top": -1}, "top must not be negative"),
    ],
)
def test_bad_stats_arguments_are_typed_errors_before_any_request(kwargs: dict[str, Any], message: str) -> None:
    server = FakeServer([])
    with pytest.raises(ohctl.InvalidArgumentError, match=message):
        client_of(server).conversations.stats(**kwargs)
    assert server.requests == []


@pytest.mark.parametrize(
    ("since", "sent"),
    [
        ("2026-11-30", "2026-11-30T00:00:00+00:00"),
        ("2026-11-30T08:00:00Z", "2026-11-30T08:00:00+00:00"),
        (datetime(2026, 11, 30, 8), "2026-11-30T08:00:00+00:00"),  # naive is UTC
        (datetime(2026, 11, 30, 9, tzinfo=timezone(timedelta(hours=1))), "2026-11-30T09:00:00+01:00"),
    ],
)
def test_since_takes_dates_and_datetimes(since: Any, sent: str) -> None:
    server = FakeServer([])
    found = client_of(server).conversations.stats(since=since, until=NOW)
    assert server.requests[0].url.params["created_at__gte"] == sent
    assert found.since == datetime.fromisoformat(sent) and found.since.tzinfo == timezone.utc  # shown in UTC


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
    body = page.split("<body>", 1)[1].rsplit("<script>", 1)[0]  # the page's own script comes last
    assert page.count("<script") == 1 and "<script" not in body.lower()
    assert "<img" not in page.lower() and "<b>" not in page
    assert "&lt;script&gt;alert(" in page
    charts = re.findall(r'<figure id="[^"]+" data-chart="([^"]+)"', page)
    assert charts == ["outcomes", "per-day", "cost-per-day", "cost-by-repository", "tokens-by-model"]
    assert page.count("<svg") == 5 and "<?xml" not in page
    assert not re.search(r"""(?:src|href)\s*=\s*["']?(?:https?:)?//""", page)  # nothing fetched at view time
    ids = re.findall(r'\bid="([^"]+)"', page)
    assert len(ids) == len(set(ids))  # several charts, no shared id
    marks = {name: len(re.findall(rf'id="{name}-mark-\d+"', page)) for name in charts}
    assert marks == {"outcomes": 3, "per-day": 3, "cost-per-day": 4, "cost-by-repository": 2, "tokens-by-model": 2}
    assert ">m$1</text>" in page  # a dollar sign is text, not the start of mathtext
    tables = re.findall(r'<table id="([^"]+)" class="sortable"', page)  # every table sorts
    assert tables == ["by-repository", "by-model", "most-expensive", "slowest", "every-conversation"]
    assert 'id="every-conversation-pick"' in page  # the table of every conversation filters by outcome
    facts = dict(re.findall(r'data-fact="([^"]+)">([^<]*)<', page))
    assert facts["conversations"] == "3" and facts["outcome:finished"] == "1" and facts["cost"] == "$3.00"


def test_a_server_that_reports_no_cost_gets_cost_charts_that_say_so() -> None:
    page = ohctl.render_stats_html(aggregate([conv(1, cost=0.0), conv(2, cost=0.0, repo=None)], now=NOW))
    cost_charts = re.findall(r'data-chart="(cost-[^"]+)"[^>]*>(.*?)</figure>', page, re.S)
    assert [name for name, _ in cost_charts] == ["cost-per-day", "cost-by-repository"]
    assert all("none recorded" in svg for _, svg in cost_charts)
    assert "\u22120.0" not in page  # no axis below zero for a cost (matplotlib writes a minus sign)


def test_without_matplotlib_the_page_names_the_report_extra(monkeypatch: pytest.MonkeyPatch) -> None:
    import sys

    monkeypatch.setitem(sys.modules, "matplotlib", None)  # as if not installed: importing it fails
    with pytest.raises(ohctl.MissingExtraError, match=r"ohctl\[report\]") as caught:
        ohctl.render_stats_html(aggregate([conv(1)], now=NOW))
    assert caught.value.extra == "report" and caught.value.module == "matplotlib"


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
    assert page.startswith("<!DOCTYPE html>") and "&lt;script&gt;" in page and page.count("<script") == 1


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


def test_ohctl_stats_refuses_a_legacy_server(serve: Callable[[FakeServer], None]) -> None:
    server = FakeServer([])
    serve(server)
    result = CliRunner().invoke(cli, ["--legacy", "stats"])
    assert result.exit_code == 2 and "legacy (V0) server has no such search" in result.output
    assert server.requests == []


def test_progress_is_one_rewritten_line_on_a_terminal_and_nothing_elsewhere() -> None:
    from ohctl.cli.commands.stats import Progress

    runner = CliRunner()
    with runner.isolation() as (_out, err, _):
        shown = Progress(enabled=True)
        shown(1, 100)
        shown(2, 150)
        shown.done()
        quiet = Progress(enabled=False)
        quiet(1, 100)
        quiet.done()
        text = err.getvalue().decode()
    assert text == (
        "\rreading conversations: 1 page(s), 100 so far\rreading conversations: 2 page(s), 150 so far\r"
        + " " * len("reading conversations: 2 page(s), 150 so far")
        + "\r"
    )

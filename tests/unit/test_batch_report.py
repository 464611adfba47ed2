"""The batch report offline: its data from a ledger (totals, concurrency from the transitions, failure
reasons, top costs), JSON and CSV holding the same data, the charts' SVG (marks, ids, no prolog),
the page's escaping (hypothesis: no text of a task becomes markup), the live page's refresh, the
atomic writes, and ``ohctl batch report`` / ``status --report``."""

from __future__ import annotations

import csv
import html
import importlib
import io
import json
import re
import sys
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner
from hypothesis import given, settings
from hypothesis import strategies as st

from ohctl import InvalidArgumentError
from ohctl._format import short_count
from ohctl.batch import Ledger, parse_tasks
from ohctl.batch.ledger import Ended
from ohctl.cli.main import cli
from ohctl.report import charts
from ohctl.report.batch import LiveReport, concurrency, report, save_report, write_report
from ohctl.report.page import Cell, Chart, Column, Fact, Page, Table, render

sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "bench"))
make_ledger: Any = importlib.import_module("report_ledger").make_ledger


def _ledger(path: Path) -> Path:
    """Five tasks: two finished (one with a PR), one failed, one needs input, one pending."""
    specs = parse_tasks(
        [
            {"key": "a", "message": "Fix a", "repository": "me/app", "title": "<script>alert(1)</script>"},
            {"key": "b", "message": "Fix b\nsecond line"},
            {"key": "c", "message": "Fix c"},
            {"key": "d", "message": "Fix d"},
            {"key": "e", "message": "Fix e"},
        ]
    )
    ledger = Ledger.create(path, specs, {"concurrency": 3, "base_url": "http://127.0.0.1:9"})
    for key in "abcd":
        assert ledger.mark_starting(key)
        assert ledger.mark_running(key, "s" + key)
    ledger.end("a", "finished", Ended(cost=1.5, prompt_tokens=1000, completion_tokens=50, prs=[7], url="https://x/a"))
    ledger.end("b", "finished", Ended(cost=0.25, prompt_tokens=200, completion_tokens=20, url="javascript:alert(2)"))
    ledger.end("c", "failed", Ended(error="Agent error: step 12 failed\ntrace", cost=0.5, prompt_tokens=300))
    ledger.end("d", "needs_input", Ended(cost=0.0, prompt_tokens=0, completion_tokens=0))
    ledger.close()
    return path


def test_the_report_data_adds_up(tmp_path: Path) -> None:
    data = report(_ledger(tmp_path / "b.db"))
    assert data.total == 5 and not data.done and not data.running
    assert {k: v for k, v in data.counts.items() if v} == {"finished": 2, "failed": 1, "needs_input": 1, "pending": 1}
    assert data.cost == pytest.approx(2.25)
    assert (data.prompt_tokens, data.completion_tokens) == (1500, 70)
    assert [t.key for t in data.top_costs()] == ["a", "c", "b"]
    a, b = data.tasks[0], data.tasks[1]
    assert a.title == "<script>alert(1)</script>" and a.pr_links == ["https://github.com/me/app/pull/7"]
    assert b.title == "Fix b" and b.pr_links == [] and b.tokens == 220
    assert data.tasks[4].conversation_id is None and data.tasks[4].outcome is None
    assert [(r.text, r.count, r.keys) for r in data.reasons()] == [
        ("failed: Agent error: step N failed", 1, ["c"]),
        ("needs input", 1, ["d"]),
    ]
    # four started, then each ended: the concurrency climbs to 4 and falls to 0
    assert [n for _, n in data.concurrency] == [1, 2, 3, 4, 3, 2, 1, 0]
    assert data.peak_concurrency == 4
    assert data.finished_at is None and data.wall_time is not None


def test_concurrency_follows_requeues_retries_and_ends() -> None:
    steps = concurrency(
        [
            (1.0, "a", "starting"),
            (1.0, "b", "starting"),
            (2.0, "a", "running"),
            (3.0, "b", "requeued"),
            (4.0, "b", "starting"),
            (5.0, "a", "retry"),
            (6.0, "c", "cancelled"),  # cancelled while pending: it never counted
            (7.0, "b", "finished"),
        ]
    )
    assert steps == [(1.0, 2), (3.0, 1), (4.0, 2), (5.0, 1), (7.0, 0)]


def test_json_and_csv_hold_the_same_tasks(tmp_path: Path) -> None:
    data = report(_ledger(tmp_path / "b.db"))
    as_json = data.to_json()
    rows = list(csv.DictReader(io.StringIO(data.to_csv())))
    assert [r["key"] for r in rows] == [t["key"] for t in as_json["tasks"]]
    for row, task in zip(rows, as_json["tasks"], strict=True):
        for name, value in task.items():
            expected = " ".join(map(str, value)) if name == "prs" else "" if value is None else str(value)
            assert row[name] == expected, name
    assert as_json["batch"]["cost"] == 2.25 and as_json["batch"]["counts"]["finished"] == 2
    assert sum(float(r["cost"] or 0) for r in rows) == pytest.approx(as_json["batch"]["cost"])
    assert as_json["reasons"][0]["keys"] == ["c"]


def test_the_page_escapes_and_links_only_to_the_web(tmp_path: Path) -> None:
    page = report(_ledger(tmp_path / "b.db")).html()
    assert page.startswith("<!DOCTYPE html>")
    assert "<script>alert(1)" not in page and "&lt;script&gt;alert(1)&lt;/script&gt;" in page
    assert 'href="javascript:' not in page and 'href="https://x/a"' in page
    assert 'href="https://github.com/me/app/pull/7"' in page
    assert page.count("<script>") == 1  # the page's own
    assert 'http-equiv="refresh"' not in page  # no runner at work: nothing will change
    assert not re.search(r"""(?:src|href)=["']?(?:https?:)?//(?!github\.com/me/app|x/a)""", page)
    for name in ("outcomes", "cost-histogram", "top-costs", "duration-cost", "progress", "concurrency", "reasons"):
        assert f'<figure id="{name}"' in page, name
    assert "<?xml" not in page and "<!DOCTYPE svg" not in page


@settings(max_examples=40, deadline=None)
@given(st.text(min_size=1, max_size=40), st.text(max_size=80))
def test_no_text_of_a_task_becomes_markup(title: str, message: str) -> None:
    page = render(
        Page(
            title=title,
            subtitle=message,
            facts=[Fact(title, message)],
            charts=[],
            tables=[
                Table(
                    "tasks",
                    message,
                    [Column("key", "key"), Column("message", "message")],
                    [[Cell(title, title=message), Cell(message, href=message)]],
                    filter=True,
                    filter_column="key",
                    filter_values=[title],
                )
            ],
        )
    )
    body = page.split("<body>", 1)[1].rsplit("<script>", 1)[0]
    assert "<script" not in body.replace("&lt;script", "")
    # every tag in the body is one of the template's own
    tags = set(re.findall(r"<([a-zA-Z][a-zA-Z0-9]*)", body))
    assert tags <= {"main", "header", "h1", "h2", "p", "ul", "li", "span", "section", "div", "input", "select"} | {
        "option",
        "table",
        "thead",
        "tr",
        "th",
        "button",
        "tbody",
        "td",
        "a",
        "footer",
    }
    if "<a " in body:
        assert re.search(r'<a href="(https?://|#)', body)
    shown = re.search(r"<h1>(.*?)</h1>", body, re.DOTALL)
    assert shown is not None and html.unescape(shown.group(1)) == title


def test_charts_are_inline_svg_with_counted_marks() -> None:
    svg = charts.bar("o", "By <outcome>", ["finished", "failed", "a$b"], [3, 1, 2])
    assert svg.startswith("<svg ") and 'aria-label="By &lt;outcome&gt;"' in svg and "<title>" in svg
    assert " width=" not in svg.split(">", 1)[0] and "viewBox" in svg.split(">", 1)[0]
    assert len(re.findall(r'id="o-mark-\d+"', svg)) == 3
    ids = re.findall(r'\bid="([^"]+)"', svg)
    assert all(i.startswith("o-") for i in ids) and len(ids) == len(set(ids))
    points = charts.scatter("s", "Points", {"finished": ([1, 2, 3], [1, 2, 3]), "failed": ([4], [4])})
    finished = points.split('id="s-mark-finished"', 1)[1].split('id="s-mark-failed"', 1)[0]
    assert finished.count("<use ") == 3
    histogram = charts.histogram("h", "Spread", [1, 2, 2, 3, 3, 3], bins=3)
    assert len(re.findall(r'id="h-mark-\d+"', histogram)) == 3
    line = charts.lines(
        "l", "Lines", [charts.Series("x", [0, 1], [0, 1]), charts.Series("y", [0, 1], [1, 0], right=True)]
    )
    assert len(re.findall(r'id="l-mark-\d+"', line)) == 2
    assert "mark" not in charts.empty("e", "Nothing", "nothing yet")


def test_large_counts_are_short_in_facts_labels_and_axes() -> None:
    assert [short_count(n) for n in (440, 1234, 10_100_000, 3_000_000_000)] == ["440", "1.2k", "10.1M", "3.0G"]
    assert [short_count(v, tick=True) for v in (0, 0.5, 2_500_000, 5_000_000)] == ["0", "0.5", "2.5M", "5M"]
    svg = charts.bar("t", "Tokens", ["a", "b"], [10_100_000, 9_000_000], horizontal=True)
    assert ">10M</text>" in svg and "1e7" not in svg  # no offset apart from the ticks


def test_stacked_bars_mark_each_part_and_many_days_write_fewer_labels() -> None:
    days = [f"12-{n:02d}" for n in range(1, 31)]
    svg = charts.stacked(
        "d", "Per day", days, {"finished": [1] * 30, "failed": [0, 2] * 15, "idle": [0] * 30}, integer=True
    )
    assert len(re.findall(r'id="d-mark-\d+"', svg)) == 30 + 15  # the parts that are not empty
    assert "idle" not in svg and ">failed</text>" in svg  # a stack of zeros is left out of the legend
    assert sum(f">{day}</text>" in svg for day in days) == 10  # every third day written (at most 14)
    flat = charts.bar("z", "Cost", ["a", "b"], [0.0, 0.0], annotate=[], when_zero="none recorded")
    assert len(re.findall(r'id="z-mark-\d+"', flat)) == 2 and "none recorded" in flat
    assert "\u22120" not in flat  # the axis starts at 0, not below


def test_a_page_holds_several_tables_each_sortable_and_only_some_filtered() -> None:
    def table(name: str, rows: int, **options: Any) -> Table:
        columns = [Column("key", "key"), Column("cost", "cost", numeric=True)]
        cells = [[Cell(f"k{n}"), Cell(f"{n}", sort=n)] for n in range(rows)]
        return Table(name, name.title(), columns, cells, [Cell("all"), Cell("3", sort=3)], **options)

    page = render(
        Page(
            "t",
            "s",
            [Fact("n", "1", name="n")],
            [Chart("c", "C", "<svg></svg>")],
            [table("one", 3), table("two", 2, filter=True, filter_column="key", filter_values=["k0"]), table("nil", 0)],
        )
    )
    assert re.findall(r'<table id="([^"]+)" class="sortable"', page) == ["one", "two"]
    assert '<p class="empty" id="nil">none</p>' in page  # a table without rows says so instead
    assert re.findall(r'<input id="([^"]+)"', page) == ["two-filter"] and 'id="two-pick"' in page
    assert page.count('data-total="cost"') == 2 and 'data-fact="n"' in page
    ids = re.findall(r'\bid="([^"]+)"', page)
    assert len(ids) == len(set(ids))
    with pytest.raises(InvalidArgumentError, match="distinct names"):
        render(Page("t", "s", [], [Chart("one", "C", "<svg></svg>")], [table("one", 1)]))


def test_a_ledger_with_nothing_started_still_reports(tmp_path: Path) -> None:
    specs = parse_tasks([{"key": "a", "message": "x"}])
    Ledger.create(tmp_path / "n.db", specs, {"concurrency": 1}).close()
    data = report(tmp_path / "n.db")
    assert data.started_at is None and data.wall_time is None and data.concurrency == []
    page = data.html()
    assert "no task ended yet" in page and "no task started yet" in page


def test_live_report_refreshes_while_in_use_and_not_after(tmp_path: Path) -> None:
    ledger = _ledger(tmp_path / "b.db")
    out = tmp_path / "site" / "report.html"
    live = LiveReport(ledger, out, interval=3600)
    with live:
        while live.writes == 0 and live.error is None:
            live._stop.wait(0.05)
        assert live.error is None
        assert 'http-equiv="refresh"' in out.read_text()
    assert 'http-equiv="refresh"' not in out.read_text()
    assert live.writes == 2 and [p.name for p in out.parent.iterdir()] == ["report.html"]  # no temporary left


def test_writes_are_atomic_and_kinds_checked(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    ledger = _ledger(tmp_path / "b.db")
    out = tmp_path / "r.json"
    out.write_text("old")
    import ohctl.report.batch as module

    def broken(*args: Any, **kwargs: Any) -> None:
        raise OSError("disk full")

    monkeypatch.setattr(module.os, "replace", broken)
    with pytest.raises(OSError, match="disk full"):
        save_report(ledger, out, kind="json")
    assert out.read_text() == "old" and not [p for p in tmp_path.iterdir() if p.name.endswith(".tmp")]
    monkeypatch.undo()
    text = save_report(ledger, out, kind="json")
    assert json.loads(out.read_text()) == json.loads(text)
    with pytest.raises(Exception, match="html, json or csv"):
        save_report(ledger, "-", kind="pdf")
    assert write_report(ledger, tmp_path / "r.html").total == 5


def test_a_thousand_task_ledger_adds_up(tmp_path: Path) -> None:
    path = make_ledger(tmp_path / "k.db", 1000)
    data = report(path)
    assert data.total == 1000 and data.done and data.peak_concurrency == 50
    page = data.html()
    assert len(page.encode()) < 2_000_000
    points = sum(
        len(re.findall(r"<use ", part.split("</g>\n   </g>", 1)[0]))
        for part in page.split('id="duration-cost-mark-')[1:]
    )
    assert points == sum(1 for t in data.tasks if t.duration is not None and t.cost is not None)


@pytest.fixture
def runner(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> CliRunner:
    monkeypatch.setenv("OHCTL_CONFIG_DIR", str(tmp_path / "config"))
    monkeypatch.setenv("OPENHANDS_BASE_URL", "http://127.0.0.1:9")
    return CliRunner()


def test_batch_report_command(runner: CliRunner, tmp_path: Path) -> None:
    ledger = _ledger(tmp_path / "b.db")
    result = runner.invoke(cli, ["batch", "report", str(ledger)])
    assert result.exit_code == 0, result.output
    assert (tmp_path / "b.html").read_text().startswith("<!DOCTYPE html>")
    result = runner.invoke(cli, ["batch", "report", str(ledger), "--json"])
    assert result.exit_code == 0 and json.loads(result.stdout)["batch"]["total"] == 5
    result = runner.invoke(cli, ["batch", "report", str(ledger), "--csv", "-o", str(tmp_path / "t.csv")])
    assert result.exit_code == 0 and len(list(csv.DictReader(io.StringIO((tmp_path / "t.csv").read_text())))) == 5
    result = runner.invoke(cli, ["batch", "report", str(ledger), "--csv", "--json"])
    assert result.exit_code == 2 and "not both" in result.output
    result = runner.invoke(cli, ["batch", "report", str(tmp_path / "none.db")])
    assert result.exit_code != 0 and "No batch ledger" in str(result.exception) + result.output
    result = runner.invoke(cli, ["batch", "status", str(ledger), "--report", str(tmp_path / "s.html"), "--json"])
    assert result.exit_code == 0 and json.loads(result.stdout)["total"] == 5
    assert "needs input" in (tmp_path / "s.html").read_text()


def test_without_matplotlib_the_error_names_the_extra(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from ohctl._require import MissingExtraError

    ledger = _ledger(tmp_path / "b.db")
    monkeypatch.setitem(sys.modules, "matplotlib", None)
    with pytest.raises(MissingExtraError, match=r"ohctl\[report\]"):
        LiveReport(ledger, tmp_path / "r.html")
    with pytest.raises(MissingExtraError, match=r"ohctl\[report\]"):
        save_report(ledger, tmp_path / "r.html")
    assert json.loads(save_report(ledger, "-", kind="json"))["batch"]["total"] == 5  # the data needs no charts
    assert not (tmp_path / "r.html").exists()


def test_a_finished_agents_last_message_reaches_the_report(tmp_path: Path) -> None:
    """The runner reads each finished agent's last message (once, in the background) into the
    ledger's log; a failed task keeps its error; the report shows both. Against the stub server."""
    import asyncio

    import httpx

    import ohctl
    from ohctl.batch import AsyncBatch
    from ohctl.batch.ledger import LAST_MESSAGE

    stub = importlib.import_module("batch_stub").StubAppServer(lambda message: 0.05, agent_url="http://127.0.0.1:9")
    lines = [{"key": "ok", "message": "Say <b>hi</b>"}, {"key": "bad", "message": "Break [fail]"}]

    async def go() -> None:
        http = httpx.AsyncClient(transport=stub.transport())
        async with ohctl.AsyncOpenHands(base_url="http://127.0.0.1:9", http_client=http, max_retries=0) as client:
            batch = AsyncBatch(client, tmp_path / "b.db", lines, poll_interval=0.02)
            try:
                assert {r.key: r.state async for r in batch.run()} == {"ok": "finished", "bad": "failed"}
            finally:
                batch.close()

    asyncio.run(go())
    finals = sum(n for k, n in stub.requests.items() if k.endswith("/events/search"))
    assert finals == 1  # the finished task only
    ledger = Ledger(tmp_path / "b.db")
    try:
        assert ledger.latest_notes(LAST_MESSAGE) == {"ok": "Done: Say <b>hi</b>"}
    finally:
        ledger.close()
    data = report(tmp_path / "b.db")
    messages = {t.key: t.message for t in data.tasks}
    assert messages["ok"] == "Done: Say <b>hi</b>" and messages["bad"] and "Done" not in messages["bad"]
    page = data.html()
    assert "Done: Say &lt;b&gt;hi&lt;/b&gt;" in page and "<b>hi</b>" not in page


def test_the_diff_column_shows_only_what_the_ledger_recorded(tmp_path: Path) -> None:
    from ohctl.batch.ledger import DIFF_STAT

    path = _ledger(tmp_path / "b.db")
    assert 'data-col="diff"' not in report(path).html()
    ledger = Ledger(path)
    ledger.note(DIFF_STAT, "+12 -3, 2 files", key="a")
    ledger.close()
    data = report(path)
    assert data.tasks[0].diff_stat == "+12 -3, 2 files" and data.to_json()["tasks"][0]["diff_stat"] == "+12 -3, 2 files"
    page = data.html()
    assert 'data-col="diff"' in page and ">+12 -3, 2 files</td>" in page


def test_follow_writes_a_live_page_until_the_runner_stops(tmp_path: Path) -> None:
    """``batch status --watch --report``: while another runner holds the batch, each look writes a
    page that reloads itself; once it let go, a last look writes the final page and the watch ends."""
    from ohctl.batch import follow

    path = _ledger(tmp_path / "b.db")
    runner = Ledger(path)
    runner.acquire()  # another runner at work (a lock of its own)
    out = tmp_path / "watch.html"
    looks = follow(path, report=out, interval=0.01)
    first = next(looks)
    assert first.running_elsewhere and 'http-equiv="refresh"' in out.read_text()
    runner.close()
    last = next(looks)
    assert not last.running_elsewhere and 'http-equiv="refresh"' not in out.read_text()
    with pytest.raises(StopIteration):
        next(looks)
    assert [s.total for s in follow(path)] == [5]  # without an interval: one look

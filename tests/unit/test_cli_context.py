"""The CLI's one context (``State``): ``--org``, ``--debug``, ``--legacy`` and the profile reach the
clients as arguments, nothing writes ``os.environ`` or ``ctx.meta``; the output decorator hands a
command its ``out``; a command's exit becomes the status only in ``main()``; ``api --paginate``
pages through the library's pager."""

from __future__ import annotations

import asyncio
import json
import logging
import os
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import click
import httpx
import pytest
from click.testing import CliRunner

import ohctl
from ohctl.cli.context import State, state
from ohctl.cli.errors import exit_with
from ohctl.cli.main import cli, main
from ohctl.cli.output import Output, with_output
from tests.support.helpers import json_response

ORG = "0b6c2b1e-5d8f-4a57-9a3e-2f7d4c1e9b10"
BASE = "http://127.0.0.1:9"


@pytest.fixture(autouse=True)
def clean_env(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Iterator[None]:
    monkeypatch.setenv("OHCTL_CONFIG_DIR", str(tmp_path / "config"))
    monkeypatch.setenv("OHCTL_KEYRING", "0")
    monkeypatch.setenv("OPENHANDS_BASE_URL", BASE)
    monkeypatch.setenv("OPENHANDS_API_KEY", "sk-test-context-key")
    for name in ("OHCTL_ORG", "OHCTL_LOG", "OHCTL_LEGACY", "OHCTL_PROFILE", "NO_COLOR"):
        monkeypatch.delenv(name, raising=False)
    level = logging.getLogger("ohctl").level
    yield
    logging.getLogger("ohctl").setLevel(level)


def serve(monkeypatch: pytest.MonkeyPatch, handler: Callable[[httpx.Request], httpx.Response]) -> list[Any]:
    """Every ``ohctl.OpenHands`` the CLI makes talks to ``handler``; returns the clients made."""
    real = ohctl.OpenHands
    made: list[Any] = []

    def make(**kwargs: Any) -> ohctl.OpenHands:
        client = real(http_client=httpx.Client(transport=httpx.MockTransport(handler)), **kwargs)
        made.append(client)
        return client

    monkeypatch.setattr(ohctl, "OpenHands", make)
    return made


def probe(monkeypatch: pytest.MonkeyPatch, body: Callable[[], None]) -> None:
    """A command ``probe`` under the real top-level group, running ``body``."""
    monkeypatch.setitem(cli.commands, "probe", click.Command("probe", callback=body))


def run_state(monkeypatch: pytest.MonkeyPatch, args: list[str], env: dict[str, str] | None = None) -> State:
    """The State a run of ``args`` had."""
    found: list[State] = []
    probe(monkeypatch, lambda: found.append(state()))
    assert CliRunner().invoke(cli, args, env=env).exit_code == 0
    return found[0]


def test_org_reaches_the_client_as_an_argument_and_the_environment_stays_as_it_was(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    before = dict(os.environ)
    seen: list[httpx.Request] = []

    def answer(request: httpx.Request) -> httpx.Response:
        seen.append(request)
        assert dict(os.environ) == before  # while the command runs, too
        return json_response(200, {"id": "u1"})

    made = serve(monkeypatch, answer)
    result = CliRunner().invoke(cli, ["--org", ORG, "api", "GET", "/api/v1/users/me"])
    assert result.exit_code == 0, result.output
    assert [c.config.org for c in made] == [ORG]
    assert seen[0].headers["X-Org-Id"] == ORG
    assert dict(os.environ) == before
    assert run_state(monkeypatch, ["--org", ORG, "probe"]).org == ORG
    assert dict(os.environ) == before


def test_debug_configures_the_logger_without_writing_ohctl_log(monkeypatch: pytest.MonkeyPatch) -> None:
    before = dict(os.environ)
    found: list[tuple[int, bool]] = []

    def body() -> None:
        found.append((logging.getLogger("ohctl").level, "OHCTL_LOG" in os.environ))

    probe(monkeypatch, body)
    result = CliRunner().invoke(cli, ["--debug", "probe"])
    assert result.exit_code == 0, result.output
    assert found == [(logging.DEBUG, False)]
    assert dict(os.environ) == before
    assert run_state(monkeypatch, ["--debug", "probe"]).debug
    assert dict(os.environ) == before


def test_debug_shows_the_traceback_of_a_failure(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """``main()`` keeps the run's State, so it knows --debug after the command failed."""

    def body() -> None:
        raise RuntimeError("boom")

    probe(monkeypatch, body)
    with pytest.raises(SystemExit) as ended:
        main(["--debug", "probe"])
    assert ended.value.code == ohctl.ExitCode.ERROR
    err = capsys.readouterr().err
    assert "Traceback" in err and "error: RuntimeError: boom" in err
    with pytest.raises(SystemExit):
        main(["probe"])
    assert "Traceback" not in capsys.readouterr().err


@pytest.mark.parametrize(("args", "env"), [(["--legacy"], {}), ([], {"OHCTL_LEGACY": "1"})])
def test_legacy_mode_is_in_the_state_not_in_ctx_meta(
    monkeypatch: pytest.MonkeyPatch, args: list[str], env: dict[str, str]
) -> None:
    from ohctl.cli.commands import legacy

    found: list[tuple[dict[str, Any], bool]] = []

    def body() -> None:
        meta = click.get_current_context().find_root().meta
        found.append(({k: v for k, v in meta.items() if k.startswith("ohctl")}, legacy.active()))

    probe(monkeypatch, body)
    result = CliRunner().invoke(cli, [*args, "probe"], env=env)
    assert result.exit_code == 0, result.output
    assert found == [({}, True)]
    found.clear()
    assert CliRunner().invoke(cli, ["probe"]).exit_code == 0
    assert found == [({}, False)]
    assert run_state(monkeypatch, [*args, "probe"], env).legacy


def test_the_legacy_client_is_made_once_and_closed_with_the_state() -> None:
    run = State(profile=None)
    made = run.legacy_client()
    assert run.legacy_client() is made
    run.close()
    assert made._http.client.is_closed
    assert run.legacy_client() is not made
    run.close()


def test_mcp_serves_with_the_org_of_the_run(monkeypatch: pytest.MonkeyPatch) -> None:
    import ohctl.mcp

    served: list[ohctl.AsyncOpenHands] = []
    monkeypatch.setattr(ohctl.mcp, "serve", served.append)
    result = CliRunner().invoke(cli, ["--org", ORG, "mcp"], input="")
    assert result.exit_code == 0, result.output
    [client] = served
    assert client.config.org == ORG
    assert client.options.headers["X-Org-Id"] == ORG
    asyncio.run(client.close())


def test_the_state_s_async_client_sends_the_org() -> None:
    seen: list[httpx.Request] = []

    async def go() -> None:
        client = State(org=ORG).async_client()
        # the same client, over a MockTransport: its headers are the State's choice
        client._http.client = httpx.AsyncClient(
            transport=httpx.MockTransport(recording(seen, lambda _: json_response(200, {"id": "u"})))
        )
        async with client:
            await client.request("GET", "/api/v1/users/me")

    asyncio.run(go())
    assert seen[0].headers["X-Org-Id"] == ORG


def test_the_output_decorator_hands_the_command_its_out() -> None:
    got: list[Output] = []

    @click.command()
    @click.option("--name")
    @with_output
    def show(name: str | None, out: Output) -> None:
        got.append(out)

    runner = CliRunner()
    assert runner.invoke(show, ["--json", "id, title", "--jq", ".id", "--name", "x"]).exit_code == 0
    assert runner.invoke(show, ["--json"]).exit_code == 0
    assert runner.invoke(show, []).exit_code == 0
    assert [(o.json_fields, o.jq) for o in got] == [(["id", "title"], ".id"), ([], None), (None, None)]
    assert not got[0].color  # not a terminal
    help_text = runner.invoke(show, ["--help"]).output
    assert "--json FIELDS" in help_text and "--jq EXPR" in help_text


def test_a_command_s_exit_becomes_the_status_in_main_only(monkeypatch: pytest.MonkeyPatch) -> None:
    def body() -> None:
        exit_with(ohctl.ExitCode.NEEDS_INPUT)

    probe(monkeypatch, body)
    assert CliRunner().invoke(cli, ["probe"]).exit_code == ohctl.ExitCode.NEEDS_INPUT
    with pytest.raises(SystemExit) as ended:
        main(["probe"])
    assert ended.value.code == ohctl.ExitCode.NEEDS_INPUT
    with pytest.raises(SystemExit) as ended:
        main(["templates", "list", "--json", "name"])
    assert ended.value.code == ohctl.ExitCode.OK


def recording(seen: list[httpx.Request], handler: Callable[[httpx.Request], httpx.Response]) -> Any:
    def answer(request: httpx.Request) -> httpx.Response:
        seen.append(request)
        return handler(request)

    return answer


def pages(request: httpx.Request) -> httpx.Response:
    """Three items, one a page, behind ``page_id``; anything else answers a non-page object."""
    if request.url.path != "/api/v1/things/search":
        return json_response(200, {"id": "not a page"})
    page = request.url.params.get("page_id") or "0"
    nxt = str(int(page) + 1)
    return json_response(200, {"items": [{"n": int(page)}], "next_page_id": nxt if nxt != "3" else None})


def test_api_paginate_goes_through_the_library_pager(monkeypatch: pytest.MonkeyPatch) -> None:
    seen: list[httpx.Request] = []
    serve(monkeypatch, recording(seen, pages))
    args = ["api", "GET", "/api/v1/things/search", "-f", "q=x", "-F", "limit=1", "-H", "X-Extra: 1", "--paginate"]
    result = CliRunner().invoke(cli, args)
    assert result.exit_code == 0, result.output
    assert [json.loads(line) for line in result.output.splitlines()] == [{"n": 0}, {"n": 1}, {"n": 2}]
    assert [(r.url.params.get("page_id"), r.url.params["limit"], r.url.params["q"]) for r in seen] == [
        (None, "1", "x"),
        ("1", "1", "x"),
        ("2", "1", "x"),
    ]
    assert all(r.headers["X-Extra"] == "1" for r in seen)
    merged = CliRunner().invoke(cli, [*args, "--json"])
    assert json.loads(merged.output) == [{"n": 0}, {"n": 1}, {"n": 2}]
    refused = CliRunner().invoke(cli, ["api", "GET", "/api/v1/users/me", "--paginate"])
    assert refused.exit_code == 2 and "did not answer a page" in refused.output
    too_big = CliRunner().invoke(cli, ["api", "GET", "/api/v1/things/search", "-F", "limit=1000", "--paginate"])
    assert too_big.exit_code == 2 and "page_size" in too_big.output


def test_client_paginate_pages_any_route_lazily() -> None:
    seen: list[httpx.Request] = []
    client = ohctl.OpenHands(
        base_url=BASE, http_client=httpx.Client(transport=httpx.MockTransport(recording(seen, pages)))
    )
    with client:
        pager = client.paginate("/api/v1/things/search", {"q": "x"}, page_size=1)
        assert isinstance(pager, ohctl.Pager)
        first = next(iter(pager))
        assert first == {"n": 0} and len(seen) == 1  # one page at a time
        assert list(client.paginate("/api/v1/things/search", start_page_id="1")) == [{"n": 1}, {"n": 2}]
        assert list(client.paginate("/api/v1/things/search", limit=2)) == [{"n": 0}, {"n": 1}]
        with pytest.raises(ohctl.UnexpectedResponseError) as raised:
            list(client.paginate("/api/v1/users/me"))
        assert raised.value.kind == "shape"

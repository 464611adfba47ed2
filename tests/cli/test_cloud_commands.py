"""``ohctl keys``, ``orgs``, ``billing``, ``--org`` and ``auth login --web`` against the Cloud fake
(tests/support/cloud_fake.py: a local stand-in for the hosted service, held to its published document).
Every run goes through the conftest's secret scan; the new keys are registered with it."""

from __future__ import annotations

import json
from collections.abc import Iterator

import pytest

import ohctl
from tests.support.cli_runner import Run, secret
from tests.support.cloud_fake import ORG_A, ORG_B, CloudFake, running


@pytest.fixture
def cloud(monkeypatch: pytest.MonkeyPatch) -> Iterator[CloudFake]:
    monkeypatch.delenv("OHCTL_ORG", raising=False)  # `--org` sets it for the process: restored here
    with running() as fake:
        secret(fake.login_key)
        yield fake


@pytest.fixture
def env(cloud: CloudFake) -> dict[str, str]:
    return {"OPENHANDS_BASE_URL": cloud.base_url, "OPENHANDS_API_KEY": cloud.login_key}


def test_keys_create_prints_the_key_once_and_nowhere_else(run: Run, cloud: CloudFake, env: dict[str, str]) -> None:
    made = run("keys", "create", "ci", "--expires-in", "30", env=env, allow_secret=True)
    assert made.code == 0, made
    key = made.stdout.strip()
    secret(key)
    assert key in cloud.values and made.stdout == key + "\n"
    assert key not in made.stderr and key not in made.logs and "not shown again" in made.stderr
    listed = run("keys", "list", "--json", env=env)
    rows = json.loads(listed.stdout)
    assert [r["name"] for r in rows] == ["login", "ci"] and rows[1]["expires_at"]
    table = run("keys", "list", env=env, tty=True)
    assert "ci" in table.stdout and "LAST USED" in table.stdout
    assert run("keys", "delete", str(rows[1]["id"]), env=env).code == 2  # no terminal: --yes needed
    assert run("keys", "delete", str(rows[1]["id"]), "--yes", env=env).code == 0
    gone = run("keys", "delete", str(rows[1]["id"]), "--yes", env=env)
    assert gone.code == 5 and "not found" in gone.stderr.lower()


def test_keys_with_a_refused_key(run: Run, cloud: CloudFake) -> None:
    bad = secret("sk-oh-not-a-real-key-0001")
    result = run("keys", "list", env={"OPENHANDS_BASE_URL": cloud.base_url, "OPENHANDS_API_KEY": bad})
    assert result.code == 4


def test_orgs_and_the_org_option(run: Run, cloud: CloudFake, env: dict[str, str]) -> None:
    listed = [json.loads(line) for line in run("orgs", "list", env=env).stdout.splitlines()]
    assert [(o["name"], o["current"]) for o in listed] == [("Personal", True), ("Acme", False)]
    assert all(o.get("sandbox_api_key") in (None, "<redacted>") for o in listed)
    cloud.requests.clear()
    chosen = [json.loads(line) for line in run("--org", ORG_B, "orgs", "list", env=env).stdout.splitlines()]
    assert [o["current"] for o in chosen] == [False, True]
    assert cloud.org_headers_seen() == [ORG_B] * len(cloud.requests) and cloud.requests
    shown = json.loads(run("orgs", "show", "--json", env=env).stdout)
    assert (
        shown["id"] == ORG_A
        and shown["name"] == "Personal"
        and shown["role"] == "owner"
        and shown["sandbox_api_key"] == "<redacted>"
    )
    human = run("orgs", "show", ORG_B, env=env, tty=True)
    assert "Acme" in human.stdout and "Role: member" in human.stdout
    members = run("orgs", "members", "--json", env=env)
    assert json.loads(members.stdout)[0]["email"] == "ada@example.com"
    switched = run("orgs", "switch", ORG_B, env=env)
    assert switched.code == 0 and "Acme" in switched.stderr and cloud.current_org == ORG_B
    bad = run("--org", "Acme", "billing", env=env)
    assert bad.code != 0 and "not an organization id" in bad.stderr


def test_orgs_switch_save_keeps_the_org_in_the_profile(
    run: Run, cloud: CloudFake, monkeypatch: pytest.MonkeyPatch
) -> None:
    """`set_profile_org` had no caller: a profile's organization could be read but never written."""
    monkeypatch.delenv("OPENHANDS_BASE_URL", raising=False)
    monkeypatch.delenv("OPENHANDS_API_KEY", raising=False)
    ohctl.save_profile("work", base_url=cloud.base_url, api_key=cloud.login_key, make_default=True)
    assert ohctl.load_profile("work").org is None
    no_profile = run("orgs", "switch", ORG_B, "--save", env={"OHCTL_PROFILE": "nope"})
    assert no_profile.code != 0
    saved = run("orgs", "switch", ORG_B, "--save")
    assert saved.code == 0 and "Profile 'work' acts in it" in saved.stderr, saved
    assert ohctl.load_profile("work").org == ORG_B
    cloud.current_org = ORG_A  # the server's current organization moves on; the profile keeps its own
    cloud.requests.clear()
    listed = [json.loads(line) for line in run("orgs", "list").stdout.splitlines()]
    assert [o["current"] for o in listed] == [False, True] and set(cloud.org_headers_seen()) == {ORG_B}


def test_billing(run: Run, cloud: CloudFake, env: dict[str, str]) -> None:
    personal = json.loads(run("billing", "--json", env=env).stdout)
    assert personal == {"credits": "12.50", "subscription": None}
    cloud.requests.clear()
    acme = run("billing", env={**env, "OHCTL_ORG": ORG_B}, tty=True)
    assert "Credits: 300.00" in acme.stdout and "renews 2026-02-02" in acme.stdout
    assert set(cloud.org_headers_seen()) == {ORG_B}


def test_no_org_header_without_a_choice(run: Run, cloud: CloudFake, env: dict[str, str]) -> None:
    run("billing", "--json", env=env)
    run("orgs", "list", env=env)
    assert cloud.requests and set(cloud.org_headers_seen()) == {None}


@pytest.fixture
def no_waiting(monkeypatch: pytest.MonkeyPatch) -> list[float]:
    waits: list[float] = []
    monkeypatch.setattr("ohctl._sync.cloud.device_login.sync_sleep", waits.append)
    return waits


def test_auth_login_web(run: Run, cloud: CloudFake, no_waiting: list[float], monkeypatch: pytest.MonkeyPatch) -> None:
    opened: list[str] = []
    monkeypatch.setattr("webbrowser.open", lambda url: opened.append(url) or True)
    cloud.device_script = ["authorization_pending", "slow_down", "granted"]
    result = run("auth", "login", "--web", "--server", cloud.base_url)
    assert result.code == 0, result
    assert no_waiting == [5, 5, 10]
    assert "one-time code" in result.stderr and "/oauth/device/verify" in result.stderr
    assert opened == []  # not a terminal: no browser
    stored = ohctl.load_profile("default")
    assert stored is not None and stored.api_key in cloud.values and stored.base_url == cloud.base_url
    assert stored.api_key not in result.everything
    secret(stored.api_key)
    status = run("auth", "status", "--json", env={})
    assert json.loads(status.stdout)["logged_in"] is True


def test_auth_login_web_opens_the_browser_on_a_desktop(
    run: Run, cloud: CloudFake, no_waiting: list[float], monkeypatch: pytest.MonkeyPatch
) -> None:
    opened: list[str] = []
    monkeypatch.setattr("webbrowser.open", lambda url: opened.append(url) or True)
    monkeypatch.setattr("sys.platform", "linux")
    cloud.device_script = ["granted"]
    assert run("auth", "login", "--web", "--server", cloud.base_url, tty=True, env={"DISPLAY": ":0"}).code == 0
    assert len(opened) == 1 and "user_code=" in opened[0]
    cloud.device_script = ["granted"]
    run("auth", "login", "--web", "--no-browser", "--server", cloud.base_url, tty=True, env={"DISPLAY": ":0"})
    assert len(opened) == 1
    stored = ohctl.load_profile("default")
    assert stored is not None and stored.api_key
    secret(stored.api_key)


@pytest.mark.parametrize(("step", "words"), [("access_denied", "refused"), ("expired_token", "expired")])
def test_auth_login_web_refused(run: Run, cloud: CloudFake, no_waiting: list[float], step: str, words: str) -> None:
    cloud.device_script = [step]
    result = run("auth", "login", "--web", "--server", cloud.base_url)
    assert result.code == 4 and words in result.stderr and ohctl.list_profiles() == []


def test_auth_login_web_usage(run: Run, cloud: CloudFake) -> None:
    assert run("auth", "login", "--web", "--with-token", "--server", cloud.base_url, input="x").code == 2
    nowhere = run("auth", "login", "--web", "--server", cloud.base_url + "/nowhere")
    assert nowhere.code == 4 and "no browser login" in nowhere.stderr


@pytest.mark.parametrize(
    "words",
    [
        ("keys",),
        ("keys", "list"),
        ("keys", "create"),
        ("keys", "delete"),
        ("orgs",),
        ("orgs", "list"),
        ("orgs", "show"),
        ("orgs", "members"),
        ("orgs", "switch"),
        ("billing",),
    ],
    ids=" ".join,
)
def test_help(run: Run, words: tuple[str, ...]) -> None:
    result = run(*words, "--help")
    assert result.code == 0 and "Usage: ohctl " + " ".join(words) in result.stdout


def test_the_global_org_option_is_documented(run: Run) -> None:
    assert "--org ORG_ID" in run("--help").stdout and "--web" in run("auth", "login", "--help").stdout

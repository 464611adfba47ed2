"""Where the hosted Cloud organization (``X-Org-Id``) comes from, and how ``with_options`` changes it."""

from __future__ import annotations

from dataclasses import dataclass

import pytest

import ohctl
from ohctl import _config
from ohctl._options import ORG_HEADER, RequestOptions

A = "6f1c2b9e-0a57-4c1e-9d4e-2a0c4f7b8e11"
B = "0b7d3c52-91aa-4e0b-8f66-5d2e9c1a7f03"


@dataclass
class Profile:  # a stored profile as _credentials gives it (with the proposed ``org`` field)
    name: str = "work"
    base_url: str | None = "https://oh.example.com"
    api_key: str | None = "sk-oh-stored"
    auth: str = "bearer"
    key_source: str | None = "keyring"
    org: str | None = B


def test_argument_then_environment_then_none() -> None:
    env = {_config.ORG_VAR: B}
    assert _config.resolve(api_key="k", base_url="http://localhost:3000", org=A, environ=env).org == A
    assert _config.resolve(api_key="k", base_url="http://localhost:3000", environ=env).org == B
    assert _config.resolve(api_key="k", base_url="http://localhost:3000", environ={}).org is None
    assert _config.resolve(api_key="k", base_url="http://localhost:3000", org=A.upper(), environ={}).org == A
    with pytest.raises(ohctl.ConfigurationError, match="orgs list"):
        _config.resolve(api_key="k", base_url="http://localhost:3000", org="Acme\r\nX: y", environ={})


def test_a_profiles_org_is_used_with_its_own_server_only(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr("ohctl._credentials.load_profile", lambda name=None: Profile())
    assert _config.resolve(api_key=None, base_url=None, environ={}).org == B
    assert _config.resolve(api_key="k", base_url="http://localhost:3000", environ={}).org is None
    assert _config.resolve(api_key=None, base_url=None, org=A, environ={}).org == A


def test_request_options_org() -> None:
    none = RequestOptions()
    assert none.org is None and ORG_HEADER not in none.headers
    chosen = none.merged(org=A, headers={"X-Trace": "1"})
    assert chosen.org == A and chosen.headers == {"X-Trace": "1", ORG_HEADER: A}
    assert chosen.merged(timeout=5).org == A  # other changes keep it
    assert chosen.merged(org=B).org == B
    dropped = chosen.merged(org="")
    assert dropped.org is None and dropped.headers == {"X-Trace": "1"}
    assert RequestOptions(headers={"x-org-id": A}).merged(org=B).headers == {ORG_HEADER: B}


def test_with_options_checks_the_id() -> None:
    with ohctl.OpenHands(base_url="http://localhost:3000", api_key="k") as client:
        assert client.options.org is None
        assert client.with_options(org=A).options.org == A
        with pytest.raises(ohctl.ConfigurationError):
            client.with_options(org="not-an-org")

"""``ohctl api`` against the REAL app server: methods, fields, --input, --paginate, --jq, errors."""

from __future__ import annotations

import json
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest

import ohctl
from tests.support.cli_runner import Run, secret


@pytest.fixture
def env(base_url: str) -> dict[str, str]:
    return {"OPENHANDS_BASE_URL": base_url}


@pytest.fixture
def three_secrets(client: ohctl.OpenHands) -> Iterator[list[str]]:
    """Three stored secrets, so that a search with limit=1 has three pages."""
    prefix = f"OHCTL_API_{uuid.uuid4().hex[:8].upper()}"
    names = [f"{prefix}_{i}" for i in range(3)]
    for name in names:
        client.secrets.create(name, secret(f"value-{uuid.uuid4().hex}"))
    yield names
    for name in names:
        client.secrets.delete(name)


def test_get_with_jq(run: Run, env: dict[str, str]) -> None:
    result = run("api", "GET", "/api/v1/users/me", "--jq", ".v1_enabled", env=env)
    assert result.code == 0, result
    assert result.stdout.strip() == "true"
    assert "GET" in result.logs  # the request went through the client's logged pipeline
    bare = run("api", "api/v1/settings", "--json", "language,v1_enabled", env=env)
    selected = json.loads(bare.stdout)
    assert set(selected) == {"language", "v1_enabled"} and selected["v1_enabled"] is True


def test_paginate(run: Run, env: dict[str, str], three_secrets: list[str]) -> None:
    prefix = three_secrets[0][:-2]
    args = ("api", "GET", "/api/v1/secrets/search", "-f", f"name__contains={prefix}", "-F", "limit=1", "--paginate")
    lines = run(*args, env=env)
    assert lines.code == 0, lines
    assert sorted(json.loads(line)["name"] for line in lines.stdout.splitlines()) == three_secrets
    merged = run(*args, "--json", env=env)
    assert sorted(item["name"] for item in json.loads(merged.stdout)) == three_secrets
    names = run(*args, "--jq", ".[].name", env=env)
    assert sorted(names.stdout.split()) == three_secrets
    one_page = run("api", "GET", "/api/v1/secrets/search", "-f", f"name__contains={prefix}", "-F", "limit=1", env=env)
    page = json.loads(one_page.stdout)
    assert len(page["items"]) == 1 and page["next_page_id"]
    refused = run("api", "POST", "/api/v1/secrets", "--paginate", env=env)
    assert refused.code == 2


def test_fields_files_and_input(run: Run, env: dict[str, str], client: ohctl.OpenHands, tmp_path: Path) -> None:
    name = f"OHCTL_API_{uuid.uuid4().hex[:8].upper()}"
    value_file = tmp_path / "value.txt"
    value_file.write_text(secret(f"from-file-{uuid.uuid4().hex}"))
    created = run(
        "api",
        "POST",
        "/api/v1/secrets",
        "-f",
        f"name={name}",
        "-F",
        f"value=@{value_file}",
        "-H",
        "X-Ohctl-Test: 1",
        env=env,
    )
    assert created.code == 0, created
    assert name in [s.name for s in client.secrets.search(name_contains=name)]
    body = tmp_path / "body.json"
    body.write_text(json.dumps({"name": name, "description": "from --input"}))
    updated = run("api", "PUT", f"/api/v1/secrets/{name}", "--input", str(body), env=env)
    assert updated.code == 0, updated
    [found] = client.secrets.search(name_contains=name)
    assert found.description == "from --input"
    stdin_body = json.dumps({"name": name, "description": "from stdin"})
    assert run("api", "PUT", f"/api/v1/secrets/{name}", "--input", "-", input=stdin_body, env=env).code == 0
    assert run("api", "DELETE", f"/api/v1/secrets/{name}", env=env).code == 0
    assert list(client.secrets.search(name_contains=name)) == []


def test_errors(run: Run, env: dict[str, str]) -> None:
    missing = run("api", "GET", "/api/v1/no-such-route", env=env)
    assert missing.code == 5 and "error: " in missing.stderr
    bad_field = run("api", "POST", "/api/v1/secrets", "-f", "novalue", env=env)
    assert bad_field.code == 2 and "key=value" in bad_field.stderr
    bad_header = run("api", "GET", "/api/v1/settings", "-H", "nocolon", env=env)
    assert bad_header.code == 2


def test_nested_fields() -> None:
    from ohctl.cli.commands.api import _pairs, _place

    data: dict[str, object] = {}
    for key, value in _pairs(("a[b]=1", "a[c][]=x", "a[c][]=y", "n=2"), True):
        _place(data, key, value)
    assert data == {"a": {"b": 1, "c": ["x", "y"]}, "n": 2}
    raw: dict[str, object] = {}
    for key, value in _pairs(("t=true", "z=null", "i=12"), False):
        _place(raw, key, value)
    assert raw == {"t": "true", "z": "null", "i": "12"}

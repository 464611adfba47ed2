"""``ohctl settings``: show and change the user's settings, set the LLM (its key from the environment,
never from argv, never echoed), and manage saved LLM profiles (``settings profiles``)."""

from __future__ import annotations

import json
import os
from typing import Any

import click

from ohctl import is_secret_name, redact

from ..context import state
from ..inputs import llm_fields
from ..output import Output, to_data, with_output
from .settings_profiles import profiles_group

DIFFS = {"agent_settings": "agent_settings_diff", "conversation_settings": "conversation_settings_diff"}


@click.group("settings")
def settings_group() -> None:
    """The user's settings: show, set KEY=VALUE, the LLM, saved LLM profiles."""


settings_group.add_command(profiles_group)


def _llm(data: dict[str, Any]) -> dict[str, Any]:
    llm = ((data.get("agent_settings") or {}).get("llm")) or {}
    return llm if isinstance(llm, dict) else {}


@settings_group.command("show")
@with_output
def show(out: Output) -> None:
    """The settings (secret values hidden); on a terminal a summary, --json for everything."""
    run = state()
    out.emit(redact(to_data(run.client().settings.get())), human=_print)


def _print(data: dict[str, Any]) -> None:
    llm = _llm(data)
    key_set = data.get("llm_api_key_set")
    if key_set is None:
        key_set = bool(llm.get("api_key"))
    profiles = data.get("llm_profiles") or {}
    rows = [
        ("llm model", llm.get("model")),
        ("llm base url", llm.get("base_url")),
        ("llm api key", "set" if key_set else "not set"),
        ("llm profile", profiles.get("active") if isinstance(profiles, dict) else None),
        ("language", data.get("language")),
        ("git user", " ".join(str(v) for v in (data.get("git_user_name"), data.get("git_user_email")) if v) or None),
        ("max budget per task", data.get("max_budget_per_task")),
        ("sandbox spec", data.get("default_sandbox_spec_id")),
        ("git providers", ", ".join(sorted(data.get("provider_tokens_set") or {})) or None),
    ]
    for name, value in rows:
        if value is not None:
            click.echo(f"{name + ':':<22}{value}")
    click.echo("(all settings: ohctl settings show --json)", err=True)


def _value(text: str) -> Any:
    try:
        return json.loads(text)
    except ValueError:
        return text


def _nest(path: list[str], value: Any) -> dict[str, Any]:
    node: dict[str, Any] = {path[-1]: value}
    for part in reversed(path[:-1]):
        node = {part: node}
    return node


def _merge(into: dict[str, Any], diff: dict[str, Any]) -> None:
    for key, value in diff.items():
        if isinstance(value, dict) and isinstance(into.get(key), dict):
            _merge(into[key], value)
        else:
            into[key] = value


@settings_group.command("set")
@click.argument("assignments", nargs=-1, required=True, metavar="KEY=VALUE...")
def set_settings(assignments: tuple[str, ...]) -> None:
    """Change settings: `language=fr`, `max_budget_per_task=5`, `agent_settings.llm.model=...`.

    Values are JSON when they parse (numbers, true, false, null, objects), else text. Keys under
    agent_settings and conversation_settings are merged into the stored values. Secrets (keys,
    tokens) are refused here: use `ohctl settings llm --api-key-env VAR` or `ohctl secrets set`.
    """
    fields: dict[str, Any] = {}
    for item in assignments:
        key, sep, text = item.partition("=")
        path = key.strip().split(".")
        if not sep or not all(path):
            raise click.BadParameter(f"{item.split('=')[0]!r}: use KEY=VALUE", param_hint="KEY=VALUE")
        if any(is_secret_name(p) for p in path):
            raise click.UsageError(
                f"{key} holds a secret, which never goes on the command line: use "
                "`ohctl settings llm --api-key-env VAR` or `ohctl secrets set NAME`"
            )
        root = DIFFS.get(path[0])
        if root is not None:
            if len(path) == 1:
                raise click.BadParameter(f"{key}: name a field inside it, e.g. {key}.llm.model", param_hint="KEY")
            _merge(fields.setdefault(root, {}), _nest(path[1:], _value(text)))
        else:
            _merge(fields, _nest(path, _value(text)))
    message = state().client().settings.update(**fields)
    click.echo(message or "Settings saved.", err=True)


@settings_group.command("llm")
@click.option("--model", metavar="MODEL", help="The model, e.g. anthropic/claude-sonnet-4-5 (else LLM_MODEL).")
@click.option("--api-key-env", metavar="VAR", help="Read the LLM's API key from this variable (else LLM_API_KEY).")
@click.option("--base-url", metavar="URL", help="The LLM's base URL (else LLM_BASE_URL).")
def llm(model: str | None, api_key_env: str | None, base_url: str | None) -> None:
    """Set the LLM of new conversations from flags or LLM_MODEL / LLM_API_KEY / LLM_BASE_URL.

    The key is read from the environment (never from the command line) and never printed.
    """
    model = model or os.environ.get("LLM_MODEL") or None
    base_url = base_url or os.environ.get("LLM_BASE_URL") or None
    key_var = api_key_env or ("LLM_API_KEY" if os.environ.get("LLM_API_KEY") else None)
    diff = llm_fields(model, base_url, key_var)
    if not diff:
        raise click.UsageError("nothing to set: pass --model, --base-url or --api-key-env (or set LLM_MODEL ...)")
    state().client().settings.update(agent_settings_diff={"llm": diff})
    parts = [f"model {model}" if model else None, f"base URL {base_url}" if base_url else None]
    parts.append(f"API key set (from {key_var})" if key_var else None)
    click.echo("LLM saved: " + "; ".join(p for p in parts if p) + ".", err=True)

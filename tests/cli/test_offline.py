"""Commands that need no server: help, completion, usage errors, the output redaction."""

from __future__ import annotations

import os
import subprocess
import sys

import pytest

from tests.support.cli_runner import Run


def every_command() -> list[tuple[str, ...]]:
    """Every command and subcommand of the command table, walked from the lazy group (a command
    added to the table is checked without being listed here)."""
    import click

    from ohctl.cli.main import COMMANDS as TABLE
    from ohctl.cli.main import cli

    found: list[tuple[str, ...]] = []

    def walk(words: tuple[str, ...], command: click.Command) -> None:
        found.append(words)
        if isinstance(command, click.Group):
            for name, sub in command.commands.items():
                walk((*words, name), sub)

    context = click.Context(cli)
    for name in sorted(TABLE):
        command = cli.get_command(context, name)
        assert command is not None, name
        walk((name,), command)
    return found


COMMANDS = every_command()
assert len(COMMANDS) > 60  # the walk found the subcommands too


@pytest.mark.parametrize("words", COMMANDS, ids=" ".join)
def test_help(run: Run, words: tuple[str, ...]) -> None:
    result = run(*words, "--help")
    assert result.code == 0, result
    assert "Usage: ohctl " + " ".join(words) in result.stdout


@pytest.mark.parametrize("shell", ["bash", "zsh", "fish"])
def test_completion_script(run: Run, shell: str) -> None:
    result = run("completion", shell)
    assert result.code == 0
    assert "_OHCTL_COMPLETE" in result.stdout


def test_completion_completes_commands() -> None:
    env = {**os.environ, "_OHCTL_COMPLETE": "bash_complete", "COMP_WORDS": "ohctl sand", "COMP_CWORD": "1"}
    code = "from ohctl.cli.main import main; main()"
    done = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True, timeout=60)
    assert "plain,sandboxes" in done.stdout, done


def test_usage_errors(run: Run) -> None:
    assert run("completion", "tcsh").code == 2
    assert run("api").code == 2
    assert run("api", "GET /x", "/y").code == 2
    assert run("auth", "login", "--with-token", input="").code == 2


def test_redaction() -> None:
    from ohctl import redact
    from ohctl._redact import REDACTED as HIDDEN

    data = {
        "llm": {"api_key": "sk-live", "model": "m", "max_input_tokens": 5, "custom_tokenizer": "t"},
        "secrets_store": {"provider_tokens": {"github": {"token": "ghp", "host": "h"}}},
        "search_api_key": "**********",
        "github_token": None,
        "api_key_set": True,
    }
    assert redact(data) == {
        "llm": {"api_key": HIDDEN, "model": "m", "max_input_tokens": 5, "custom_tokenizer": "t"},
        "secrets_store": {"provider_tokens": {"github": {"token": HIDDEN, "host": HIDDEN}}},
        "search_api_key": "**********",
        "github_token": None,
        "api_key_set": True,
    }

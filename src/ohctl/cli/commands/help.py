"""``ohctl help TOPIC``: the documentation that does not belong to one command."""

from __future__ import annotations

import click

from ohctl import ExitCode

TOPICS = {
    "exit-codes": "\n".join(
        [
            *(f"{int(code):>4}  {code.description}" for code in ExitCode),
            "",
            "6 to 9 are the agent's outcome: run --wait and --follow; send, approve and reject --wait;",
            "watch --exit-status (many ids: 6 if any failed, else 9 if any stalled, else 7); batch run.",
            "10: the same commands with --max-cost or --max-tokens (batch run: also --max-cost-per-task and",
            "--max-tokens-per-task); watch --exit-status gives 10 over 9 and 7, after 6.",
            "11 comes from run --output-schema, and from batch run when a task's output_schema never matched.",
            "12 comes from run --attempts N when no attempt finished and passed --select (every attempt shown).",
            "ohctl apply exits 1 when the change does not apply (the failing hunks listed, nothing changed).",
            "A hook (--on-done, --on-task-done) that fails is a warning: it never changes the exit code.",
        ]
    ),
    "environment": "\n".join(
        [
            "OPENHANDS_API_KEY, OPENHANDS_CLOUD_API_KEY, OH_API_KEY   the API key (first set wins)",
            "OPENHANDS_BASE_URL, OPENHANDS_APP_BASE                  the server (default: the hosted Cloud)",
            "OHCTL_PROFILE                                           the stored profile to use",
            "OHCTL_ORG                                               the hosted Cloud organization (sent as X-Org-Id)",
            "OHCTL_LEGACY=1                                          like --legacy: conversation commands talk V0",
            "OHCTL_CONFIG_DIR                                        where profiles and keys are stored",
            "OHCTL_KEYRING=0                                         keep keys in the 0600 file, not the OS keyring",
            "OHCTL_LOG=debug                                         debug logs and tracebacks (keys redacted)",
            "NO_COLOR                                                no colours",
            "LLM_MODEL, LLM_API_KEY, LLM_BASE_URL                    the model for `settings llm` and `local up`",
            "GITHUB_TOKEN, GH_TOKEN                                  the token of `github comment`, `run --comment`",
            "GITHUB_API_URL                                          GitHub Enterprise's API root (default github.com)",
        ]
    ),
    "output": "\n".join(
        [
            "On a terminal, reads print tables; piped, one JSON object per line (NDJSON).",
            "--json prints JSON (--json id,status: only those fields); --jq EXPR filters it with jq.",
            "Progress and hints go to stderr, data to stdout.",
        ]
    ),
}


@click.command("help")
@click.argument("topic", required=False, type=click.Choice(sorted(TOPICS)))
def help_group(topic: str | None) -> None:
    """Help on a topic: exit-codes, environment, output."""
    if topic is None:
        click.echo("Topics: " + ", ".join(sorted(TOPICS)) + "\nCommands: ohctl --help")
        return
    click.echo(TOPICS[topic])

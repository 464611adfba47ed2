"""The ``ohctl`` command: a group whose subcommands are imported only when they run."""

from __future__ import annotations

import sys
from typing import NoReturn

import click

from ohctl import ExitCode

from .. import __version__
from .context import State, env_debug, env_flag

# command name -> (module under ohctl.cli.commands, attribute, one-line help shown by --help)
COMMANDS: dict[str, tuple[str, str, str]] = {}


def command(name: str, module: str, attribute: str, summary: str) -> None:
    COMMANDS[name] = (module, attribute, summary)


# The command table: adding a command is one line here plus its module.
command("help", "help", "help_group", "Topics: exit codes, environment, output formats.")
command("auth", "auth", "auth_group", "Log in, see who and where the key came from, switch profiles.")
command("api", "api", "api_command", "Call any app-server route (like `gh api`): JSON out, --paginate.")
command("sandboxes", "sandboxes", "sandboxes_group", "List, show, pause, resume, delete, prune sandboxes.")
command("settings", "settings", "settings_group", "Show and change settings, the LLM, saved LLM profiles.")
command("secrets", "secrets", "secrets_group", "List, set (from stdin or an env var), delete secrets.")
command("completion", "completion", "completion", "Shell completion script: bash, zsh, fish.")
command("run", "run", "run", "Start a task (repo from this checkout); --wait, or --follow live.")
command("list", "conversations", "list_command", "Conversations, newest first (--title, --since, --repo).")
command("show", "conversations", "show", "A conversation at a glance: status, repo, PRs, cost, messages.")
command("stats", "stats", "stats", "Conversations over a period: outcomes, cost, tokens by repo/model/day; --html.")
command("watch", "watching", "watch", "Status lines until the agents end; --exit-status.")
command("events", "watching", "events", "A conversation's events; --follow to go on live.")
command("send", "send", "send", "Send a follow-up message (resumes a paused sandbox); --wait.")
command("pending", "answer", "pending", "The actions waiting for your approval (confirmation mode).")
command("approve", "answer", "approve", "Approve the pending actions: the agent runs them; --wait.")
command("reject", "answer", "reject", "Reject the pending actions --reason TEXT; the agent goes on without them.")
command("download", "download", "download", "Download the trajectory zip (-o PATH).")
command("diff", "workspace", "diff", "The agent's changes to the repository in its sandbox.")
command("apply", "apply", "apply_command", "The agent's change onto a new local branch or worktree.")
command("exec", "workspace", "exec_command", "Run a shell command in the sandbox (its exit code).")
command("files", "workspace", "files_group", "Copy files to (put) and from (get) the sandbox.")
command("rename", "conversations", "rename", "Give a conversation a new title.")
command("delete", "conversations", "delete", "Delete a conversation, or old ones in bulk (--older-than).")
command("stop", "stop", "stop", "Pause agents (or --all-running); `send` continues them.")
command("open", "conversations", "open_command", "Open the conversation's web page.")
command("templates", "templates", "templates_group", "Prompt templates for `run --template` (list, show).")
command("local", "local", "local_group", "The real OpenHands server on this machine: up, status, logs, down.")
command("demo", "demo", "demo", "Try it now: a real agent run on this machine, no account needed.")
command("mcp", "mcp", "mcp_command", "Serve OpenHands as MCP tools on stdio, for other agents to delegate to.")
command("github", "github", "github_group", "Report a conversation on a GitHub issue or PR (comment, edited in place).")
command("keys", "keys", "keys_group", "Your hosted Cloud API keys: list, create (shown once), delete.")
command("orgs", "orgs", "orgs_group", "Your hosted Cloud organizations: list, show, members, switch.")
command("billing", "billing", "billing", "Hosted Cloud credits and subscription.")
command("conversations", "conversation_group", "conversations_group", "Conversation verbs as a group (`list`...).")
command("batch", "batch", "batch_group", "Many tasks at once from a JSONL file; resumable, never starts one twice.")


class LazyGroup(click.Group):
    """A group that lists its commands from the table and imports one only when it is used."""

    def list_commands(self, ctx: click.Context) -> list[str]:
        return sorted(set(COMMANDS) | set(self.commands))

    def get_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:
        if cmd_name in self.commands:
            return self.commands[cmd_name]
        entry = COMMANDS.get(cmd_name)
        if entry is None:
            return None
        import importlib

        module = importlib.import_module(f"ohctl.cli.commands.{entry[0]}")
        found: click.Command = getattr(module, entry[1])
        return found

    def format_commands(self, ctx: click.Context, formatter: click.HelpFormatter) -> None:
        """Help lists the table's one-line summaries without importing any command."""
        rows = [(name, COMMANDS[name][2]) for name in sorted(COMMANDS)]
        if rows:
            with formatter.section("Commands"):
                formatter.write_dl(rows)


@click.group(cls=LazyGroup, context_settings={"help_option_names": ["-h", "--help"], "max_content_width": 100})
@click.version_option(__version__, "--version", prog_name="ohctl")
@click.option("--profile", envvar="OHCTL_PROFILE", default=None, help="Use a stored profile (see `ohctl auth`).")
@click.option("--no-color", is_flag=True, default=False, help="No colours (also NO_COLOR=1).")
@click.option("--debug", is_flag=True, default=False, help="Debug logs and tracebacks on stderr (OHCTL_LOG=debug).")
@click.option("--org", metavar="ORG_ID", default=None, help="Hosted Cloud organization to act in (also OHCTL_ORG).")
@click.option("--legacy", is_flag=True, default=False, help="Talk to a legacy V0 server (also OHCTL_LEGACY=1).")
@click.pass_context
def cli(ctx: click.Context, profile: str | None, no_color: bool, debug: bool, org: str | None, legacy: bool) -> None:
    """OpenHands from a terminal or a script: start tasks, follow them, read what the agent did.

    Reads print a table on a terminal and JSON lines when piped; --json and --jq on every read.
    """
    state = ctx.ensure_object(State)  # main() passes its own, so that it knows --debug after a failure
    state.profile = profile
    state.org = org  # passed to the clients as org= (sent as X-Org-Id on every request)
    state.no_color = no_color
    state.debug = debug or env_debug()
    state.legacy = legacy or env_flag("OHCTL_LEGACY")  # list, show, run, send, download on V0
    if state.debug:
        _debug_logging()
    ctx.call_on_close(state.close)


def _debug_logging() -> None:
    """Every ``ohctl.*`` logger at debug level on stderr (the library's loggers redact secrets)."""
    import logging

    logging.basicConfig(level=logging.WARNING, format="%(name)s: %(message)s")
    logging.getLogger("ohctl").setLevel(logging.DEBUG)


def main(argv: list[str] | None = None) -> NoReturn:
    """Run the command line and end the process with its status: the only place that turns an exit
    (a command's ``click.exceptions.Exit``, a usage error, a failure, Ctrl-C) into one. Every failure
    becomes one line, a hint and a documented exit code."""
    run = State()
    code: int
    try:
        # standalone_mode=False: click returns the code of an Exit a command raised instead of exiting
        returned = cli.main(args=argv, prog_name="ohctl", standalone_mode=False, obj=run)
        code = returned if isinstance(returned, int) else ExitCode.OK
    except (click.exceptions.Abort, KeyboardInterrupt):
        click.echo("interrupted", err=True)
        code = ExitCode.INTERRUPTED
    except click.ClickException as exc:
        exc.show()
        code = exc.exit_code
    except Exception as exc:  # every error ends as one line and an exit code
        from .errors import report

        code = report(exc, debug=run.debug)
    sys.exit(int(code))

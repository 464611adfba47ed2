"""``ohctl completion SHELL``: the shell's completion script (click's own completion)."""

from __future__ import annotations

import click


@click.command("completion")
@click.argument("shell", type=click.Choice(["bash", "zsh", "fish"]))
def completion(shell: str) -> None:
    """Print the completion script for SHELL.

    \b
    bash:  eval "$(ohctl completion bash)"          (in ~/.bashrc)
    zsh:   eval "$(ohctl completion zsh)"           (in ~/.zshrc)
    fish:  ohctl completion fish > ~/.config/fish/completions/ohctl.fish
    """
    from click.shell_completion import get_completion_class

    from ..main import cli

    cls = get_completion_class(shell)
    if cls is None:  # click knows the three shells offered above
        raise click.UsageError(f"no completion for {shell}")
    click.echo(cls(cli, {}, "ohctl", "_OHCTL_COMPLETE").source())

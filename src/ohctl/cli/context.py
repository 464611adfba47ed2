"""What every command shares: the chosen profile, colour, and the one client it makes."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import click

if TYPE_CHECKING:
    import ohctl


@dataclass
class State:
    profile: str | None = None
    no_color: bool = False
    _client: Any = field(default=None, repr=False)

    def client(self) -> ohctl.OpenHands:
        """The app-server client for this run (arguments > environment > stored profile)."""
        if self._client is None:
            import ohctl

            self._client = ohctl.OpenHands(profile=self.profile)
        client: ohctl.OpenHands = self._client
        return client

    def close(self) -> None:
        if self._client is not None:
            self._client.close()
            self._client = None


def state() -> State:
    """The current run's State (set up by the top-level group)."""
    ctx = click.get_current_context()
    found = ctx.find_object(State)
    if found is None:
        found = ctx.ensure_object(State)
    return found

"""What every command shares, in one object the top-level group fills from the global options:
the profile, the organization, debug, legacy (V0) mode, colour, and the clients made from them.

Nothing here writes the environment: the clients get ``profile=`` and ``org=`` as arguments (the
library still reads the user's own OHCTL_* variables when an option is not given).
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import click

if TYPE_CHECKING:
    import ohctl
    from ohctl.legacy import LegacyOpenHands

TRUE_WORDS = ("1", "true", "yes")


def env_flag(name: str) -> bool:
    """A yes/no environment variable the user set (OHCTL_LEGACY=1)."""
    return os.environ.get(name, "").lower() in TRUE_WORDS


def env_debug() -> bool:
    """OHCTL_LOG=debug: debug logs and tracebacks, as ``--debug`` does."""
    return os.environ.get("OHCTL_LOG", "").lower() == "debug"


@dataclass
class State:
    """One run of ``ohctl``: its global options and its clients (made on first use, closed at the end)."""

    profile: str | None = None
    org: str | None = None  # None: the library's own default (OHCTL_ORG, else none)
    debug: bool = False
    legacy: bool = False  # talk to a V0 server (``--legacy`` or OHCTL_LEGACY=1)
    no_color: bool = False
    _client: Any = field(default=None, repr=False)
    _legacy_client: Any = field(default=None, repr=False)

    def client(self) -> ohctl.OpenHands:
        """The app-server client of this run (arguments > environment > stored profile)."""
        if self._client is None:
            import ohctl

            self._client = ohctl.OpenHands(profile=self.profile, org=self.org)
        client: ohctl.OpenHands = self._client
        return client

    def async_client(self) -> ohctl.AsyncOpenHands:
        """A new async client with the same profile and organization. The caller owns it and closes
        it in the event loop it runs in (``ohctl mcp`` hands it to the MCP server, which does)."""
        import ohctl

        return ohctl.AsyncOpenHands(profile=self.profile, org=self.org)

    def legacy_client(self) -> LegacyOpenHands:
        """The V0 client of this run (key, URL and auth resolved like the V1 client's). V0 servers are
        self-hosted: they have no organizations, so ``org`` does not apply."""
        if self._legacy_client is None:
            from ohctl.legacy import LegacyOpenHands

            self._legacy_client = LegacyOpenHands(profile=self.profile)
        client: LegacyOpenHands = self._legacy_client
        return client

    def close(self) -> None:
        for name in ("_client", "_legacy_client"):
            made = getattr(self, name)
            if made is not None:
                setattr(self, name, None)
                made.close()


def state() -> State:
    """The current run's State (set up by the top-level group)."""
    ctx = click.get_current_context()
    found = ctx.find_object(State)
    if found is None:
        found = ctx.ensure_object(State)
    return found

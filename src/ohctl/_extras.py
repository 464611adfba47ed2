"""The optional parts of ohctl, and the one message that names the extra to install.

``pip install ohctl`` is the SDK alone (httpx, pydantic and the few small libraries it uses). The rest
comes with an extra, each listed in pyproject.toml: ``[cli]`` the ``ohctl`` command, ``[local]`` the
installer of the local server (uv), ``[mcp]`` the MCP server, ``[schema]`` structured output checked
against a JSON Schema, ``[report]`` the charts of reports, ``[all]`` every one of them. A module
that needs an extra's package imports it with ``ohctl._require.require``, so that a missing package is
one clear error naming the extra (this module's ``message``), never a bare ModuleNotFoundError.

Standard library only: the console script reads it before anything else is imported, and must stay
fast (``ohctl --help`` loads click, nothing more).
"""

from __future__ import annotations

import importlib.util

# extra -> the modules ohctl imports from it (pyproject.toml lists the distributions)
EXTRAS: dict[str, tuple[str, ...]] = {
    "cli": ("click", "rich", "jq", "jinja2", "keyring", "platformdirs", "jsonschema"),
    "local": ("uv",),
    "mcp": ("mcp",),
    "schema": ("jsonschema",),
    "report": ("matplotlib",),
}


def install_hint(extra: str) -> str:
    """The command that installs ``extra`` (each one is also in ``[all]``)."""
    if extra not in EXTRAS:
        raise ValueError(f"no extra {extra!r}: one of {', '.join(sorted(EXTRAS))}")
    return f"pip install 'ohctl[{extra}]' (or 'ohctl[all]')"


def message(module: str, *, extra: str, purpose: str | None = None) -> str:
    """What to say when ``module`` (from ``extra``) is missing; ``purpose`` is what needed it
    ("Installing the OpenHands server")."""
    what = f"{purpose} needs" if purpose else "This needs"
    return f"{what} the `{module.split('.')[0]}` package, from the ohctl[{extra}] extra: {install_hint(extra)}"


def absent(extra: str) -> list[str]:
    """The modules of ``extra`` that cannot be found, without importing any of them."""
    gone = []
    for name in EXTRAS[extra]:
        try:
            found = importlib.util.find_spec(name) is not None
        except (ImportError, ValueError):  # an import hook refused it, or a None entry in sys.modules
            found = False
        if not found:
            gone.append(name)
    return gone


__all__ = ["EXTRAS", "absent", "install_hint", "message"]

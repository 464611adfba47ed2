"""Prompt templates for ``ohctl run --template``: Jinja2 files shipped with ohctl
(``ohctl/cli/templates/*.md.j2``) and the user's own in ``<config dir>/templates/`` (a user template
with a built-in's name replaces it).

A template's first line may be a Jinja comment ``{# one-line description #}``. Variables come from
``--var NAME=VALUE``, else the environment variable ``OHCTL_VAR_<NAME>``; ``repo`` and ``branch``
default to the run's repository. A variable the template uses and nobody gave is an error naming it.
"""

from __future__ import annotations

import os
import re
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

SUFFIX = ".md.j2"
ENV_PREFIX = "OHCTL_VAR_"
_DESCRIPTION = re.compile(r"^\s*\{#\s*(.*?)\s*#\}")


def config_dir() -> Path:
    """OHCTL_CONFIG_DIR, else the platform's user config directory for ohctl."""
    configured = os.environ.get("OHCTL_CONFIG_DIR")
    if configured:
        return Path(configured).expanduser()
    import platformdirs

    return Path(platformdirs.user_config_dir("ohctl"))


def user_dir() -> Path:
    return config_dir() / "templates"


@dataclass(frozen=True)
class Template:
    name: str
    source: str  # "built-in" or "user"
    path: str
    text: str

    @property
    def description(self) -> str:
        found = _DESCRIPTION.match(self.text)
        return found.group(1) if found else ""

    @property
    def variables(self) -> list[str]:
        """The variables the template uses and does not set itself."""
        from jinja2 import meta

        return sorted(meta.find_undeclared_variables(_environment().parse(self.text)))


def _environment() -> Any:
    import jinja2

    # Prompts are plain text for an LLM, not HTML: escaping would corrupt them.
    return jinja2.Environment(undefined=jinja2.StrictUndefined, keep_trailing_newline=True, autoescape=False)  # noqa: S701


def _builtin() -> dict[str, Template]:
    from importlib import resources

    found: dict[str, Template] = {}
    folder = resources.files("ohctl.cli").joinpath("templates")
    for entry in folder.iterdir():
        if entry.name.endswith(SUFFIX):
            name = entry.name[: -len(SUFFIX)]
            found[name] = Template(name, "built-in", f"(built-in) {entry.name}", entry.read_text(encoding="utf-8"))
    return found


def _user() -> dict[str, Template]:
    folder = user_dir()
    if not folder.is_dir():
        return {}
    return {
        p.name[: -len(SUFFIX)]: Template(p.name[: -len(SUFFIX)], "user", str(p), p.read_text(encoding="utf-8"))
        for p in sorted(folder.glob(f"*{SUFFIX}"))
    }


def templates() -> dict[str, Template]:
    """Every template by name, the user's replacing built-ins of the same name."""
    return dict(sorted({**_builtin(), **_user()}.items()))


class TemplateError(Exception):
    """A template that cannot be found or rendered (the message says what to do)."""


def find(name: str) -> Template:
    known = templates()
    if name not in known:
        raise TemplateError(
            f"no template named {name!r}; known: {', '.join(known) or 'none'} "
            f"(add your own as {user_dir() / (name + SUFFIX)})"
        )
    return known[name]


def render(template: Template, variables: Mapping[str, str], defaults: Mapping[str, str | None]) -> str:
    """The prompt, with ``variables`` (from --var) first, then OHCTL_VAR_<NAME>, then ``defaults``."""
    import jinja2

    context: dict[str, Any] = {k: v for k, v in defaults.items() if v is not None}
    for name in template.variables:
        from_env = os.environ.get(ENV_PREFIX + name.upper())
        if from_env is not None:
            context[name] = from_env
    context.update(variables)
    try:
        return str(_environment().from_string(template.text).render(context)).strip() + "\n"
    except jinja2.UndefinedError as exc:
        missing = re.search(r"'([^']+)' is undefined", str(exc))
        name = missing.group(1) if missing else str(exc)
        raise TemplateError(
            f"template {template.name!r} needs the variable {name!r}: "
            f"pass --var {name}=VALUE (or set {ENV_PREFIX}{name.upper()})"
        ) from None
    except jinja2.TemplateError as exc:
        raise TemplateError(f"template {template.name!r} ({template.path}) is broken: {exc}") from None

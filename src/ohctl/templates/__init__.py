"""Jinja2 templates, one loader for both kinds ohctl uses:

- ``prompt``: the task sent to the agent (``ohctl run --template``, batch lines, the GitHub Action's
  ``template`` input). Built-ins ship in ``ohctl/templates/prompts/``; yours go in
  ``<config dir>/templates/NAME.md.j2``.
- ``comment``: the comment ohctl posts on an issue and the Action's job summary. Built-ins
  (``default``, ``brief``) ship in ``ohctl/templates/comments/``; yours go in
  ``<config dir>/github/NAME.md.j2``.

A template is found by name (yours replace a built-in of the same name) or by path (a name ending in
``.j2`` or holding a slash). Its first line may be a Jinja comment ``{# one-line description #}``.
Templates run in Jinja's sandbox with strict undefined variables and no HTML escaping (the output is
text for an LLM or Markdown): a variable the template uses and nobody gave is an error naming it.
Needs jinja2 (in the ``ohctl[cli]`` extra).
"""

from __future__ import annotations

import os
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal

from .._errors import OhctlError

__all__ = ["SUFFIX", "Template", "TemplateError", "TemplateKind", "available", "find", "render", "user_dir"]

SUFFIX = ".md.j2"
ENV_PREFIX = "OHCTL_VAR_"
TemplateKind = Literal["prompt", "comment"]
# kind -> (the folder of built-ins in this package, the folder of yours in the config dir)
_FOLDERS: dict[str, tuple[str, str]] = {"prompt": ("prompts", "templates"), "comment": ("comments", "github")}
_DESCRIPTION = re.compile(r"^\s*\{#\s*(.*?)\s*#\}")


class TemplateError(OhctlError, ValueError):
    """A template that cannot be found or rendered (the message says what to do). ``missing``: the
    variable the template needs and nobody gave, when that is what went wrong."""

    def __init__(self, message: str, *, missing: str | None = None) -> None:
        super().__init__(message)
        self.missing = missing


@dataclass(frozen=True)
class Template:
    name: str
    kind: TemplateKind
    source: Literal["built-in", "user", "file"]
    path: str
    text: str

    @property
    def description(self) -> str:
        found = _DESCRIPTION.match(self.text)
        return found.group(1) if found else ""

    @property
    def variables(self) -> list[str]:
        """The variables the template uses and does not set itself."""
        meta = _jinja("jinja2.meta")
        return sorted(meta.find_undeclared_variables(_environment(self.kind).parse(self.text)))


def _jinja(module: str) -> Any:
    """jinja2 (or one of its modules), or MissingExtraError naming the ``ohctl[cli]`` extra."""
    from .._require import require

    return require(module, extra="cli", purpose="Templates")


def user_dir(kind: TemplateKind = "prompt") -> Path:
    """Where your own templates of ``kind`` go."""
    from .._credentials import config_dir

    return config_dir() / _FOLDERS[kind][1]


def _builtin(kind: TemplateKind) -> dict[str, Template]:
    from importlib import resources

    folder = resources.files(__name__).joinpath(_FOLDERS[kind][0])
    found: dict[str, Template] = {}
    for entry in folder.iterdir():
        if entry.name.endswith(SUFFIX):
            name = entry.name[: -len(SUFFIX)]
            found[name] = Template(
                name, kind, "built-in", f"(built-in) {entry.name}", entry.read_text(encoding="utf-8")
            )
    return found


def _user(kind: TemplateKind) -> dict[str, Template]:
    folder = user_dir(kind)
    if not folder.is_dir():
        return {}
    found: dict[str, Template] = {}
    for path in sorted(folder.glob(f"*{SUFFIX}")):
        name = path.name[: -len(SUFFIX)]
        found[name] = Template(name, kind, "user", str(path), path.read_text(encoding="utf-8"))
    return found


def available(kind: TemplateKind = "prompt") -> dict[str, Template]:
    """Every template of ``kind`` by name, yours replacing built-ins of the same name."""
    return dict(sorted({**_builtin(kind), **_user(kind)}.items()))


def find(name: str, kind: TemplateKind = "prompt") -> Template:
    """The template called ``name`` (yours first, then the built-ins), or the file ``name`` when it
    ends in ``.j2`` or holds a slash."""
    if name.endswith(".j2") or "/" in name or "\\" in name:
        path = Path(name).expanduser()
        if not path.is_file():
            raise TemplateError(f"no {kind} template file at {path}")
        return Template(path.name.removesuffix(SUFFIX), kind, "file", str(path), path.read_text(encoding="utf-8"))
    known = available(kind)
    if name not in known:
        raise TemplateError(
            f"no {kind} template named {name!r}; known: {', '.join(known) or 'none'} "
            f"(add your own as {user_dir(kind) / (name + SUFFIX)})"
        )
    return known[name]


def _environment(kind: TemplateKind, filters: Mapping[str, Callable[..., Any]] | None = None) -> Any:
    jinja2 = _jinja("jinja2")
    SandboxedEnvironment = _jinja("jinja2.sandbox").SandboxedEnvironment  # noqa: N806 (a class)

    # Text for an LLM or Markdown, not HTML: escaping would corrupt it (``&lt;`` in a comment). The
    # sandbox stops a template from reaching anything but the values it is given.
    if kind == "comment":
        env = SandboxedEnvironment(
            undefined=jinja2.StrictUndefined, autoescape=False, trim_blocks=True, lstrip_blocks=True
        )
    else:
        env = SandboxedEnvironment(undefined=jinja2.StrictUndefined, keep_trailing_newline=True, autoescape=False)
    env.filters.update(filters or {})
    return env


def render(
    template: Template,
    variables: Mapping[str, Any],
    defaults: Mapping[str, Any | None] | None = None,
    *,
    filters: Mapping[str, Callable[..., Any]] | None = None,
    environ: Mapping[str, str] | None = None,
) -> str:
    """The rendered text, stripped, with one final newline. Values come from ``variables`` first,
    then (for a prompt) the environment's ``OHCTL_VAR_<NAME>``, then ``defaults`` (None: not given).
    A variable the template uses and nobody gave raises ``TemplateError`` naming it and how to give it."""
    jinja2 = _jinja("jinja2")
    context: dict[str, Any] = {k: v for k, v in (defaults or {}).items() if v is not None}
    if template.kind == "prompt":
        env = os.environ if environ is None else environ
        for name in template.variables:
            if ENV_PREFIX + name.upper() in env:
                context[name] = env[ENV_PREFIX + name.upper()]
    context.update(variables)
    try:
        return str(_environment(template.kind, filters).from_string(template.text).render(context)).strip() + "\n"
    except jinja2.UndefinedError as exc:
        missing = re.search(r"'([^']+)' is undefined", str(exc))
        name = missing.group(1) if missing else str(exc)
        how = (
            f"pass --var {name}=VALUE (or set {ENV_PREFIX}{name.upper()})"
            if template.kind == "prompt"
            else f"it may use {', '.join(sorted(context))}"
        )
        raise TemplateError(f"template {template.name!r} needs the variable {name!r}: {how}", missing=name) from None
    except jinja2.TemplateError as exc:
        raise TemplateError(f"template {template.name!r} ({template.path}) is broken: {exc}") from None

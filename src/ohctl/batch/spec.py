"""Task specs: one JSON object per input line, checked in full before anything starts.

A line names its task's first message (``message``) or the variables of a prompt template
(``vars``), and the start request's fields (``repository``, ``branch``, ``title``, ``model``,
``secrets``...). Every problem is reported with its line number, all at once, so that a batch is
never half-started because of line 731.
"""

from __future__ import annotations

import hashlib
import json
import math
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from .._errors import InvalidArgumentError

if TYPE_CHECKING:
    from ..templates import Template

# Names a line may use -> the TaskSpec field they fill (aliases included).
_ALIASES = {
    "key": "key",
    "message": "message",
    "prompt": "message",
    "task": "message",
    "vars": "vars",
    "repository": "repository",
    "repo": "repository",
    "branch": "branch",
    "git_provider": "git_provider",
    "title": "title",
    "model": "llm_model",
    "llm_model": "llm_model",
    "agent_type": "agent_type",
    "secrets": "secrets",
    "sandbox_id": "sandbox_id",
    "output_schema": "output_schema",
    "schema_retries": "schema_retries",
    "max_cost": "max_cost",
    "max_tokens": "max_tokens",
}
MAX_KEY_LENGTH = 100
MAX_PROBLEMS_SHOWN = 20


@dataclass(frozen=True)
class TaskSpec:
    """One task of a batch. ``key`` names it in the ledger (unique within the batch)."""

    key: str
    message: str
    repository: str | None = None
    branch: str | None = None
    git_provider: str | None = None
    title: str | None = None
    llm_model: str | None = None
    agent_type: str | None = None
    sandbox_id: str | None = None  # run in this existing sandbox instead of a new one
    secrets: dict[str, str] | None = field(default=None, repr=False)
    max_cost: float | None = None  # this task's spending limit (USD), instead of the batch's per-task one
    max_tokens: int | None = None  # this task's token limit (prompt and completion)
    vars: dict[str, str] = field(default_factory=dict)
    line: int | None = None  # where it came from (1-based), for messages
    # A JSON Schema the agent's final document must match (a file named on the line is read when the
    # input is parsed, so the ledger holds the schema itself), and the follow-ups allowed to fix it.
    output_schema: dict[str, Any] | None = None
    schema_retries: int | None = None

    def to_json(self) -> dict[str, Any]:
        """Everything, secrets included: what the ledger stores to start the task after a crash."""
        data = {name: getattr(self, name) for name in self.__dataclass_fields__}
        return {k: v for k, v in data.items() if v not in (None, {})}

    def public(self) -> dict[str, Any]:
        """What results show: the secrets by name only."""
        data = self.to_json()
        data.pop("line", None)
        if self.secrets:
            data["secrets"] = sorted(self.secrets)
        return data

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> TaskSpec:
        return cls(**{k: v for k, v in data.items() if k in cls.__dataclass_fields__})


@dataclass(frozen=True)
class InputProblem:
    line: int
    message: str

    def __str__(self) -> str:
        return f"line {self.line}: {self.message}"


class BatchInputError(InvalidArgumentError):
    """The batch's input is wrong; ``problems`` lists every one with its line number. Nothing was
    started."""

    def __init__(self, problems: list[InputProblem], *, source: str = "input") -> None:
        self.problems = problems
        shown = "\n  ".join(str(p) for p in problems[:MAX_PROBLEMS_SHOWN])
        more = len(problems) - MAX_PROBLEMS_SHOWN
        tail = f"\n  ... and {more} more" if more > 0 else ""
        super().__init__(
            f"{len(problems)} problem(s) in {source}; nothing was started. Fix them and run again:\n  {shown}{tail}"
        )


def _text(value: Any, name: str) -> str:
    if isinstance(value, bool) or not isinstance(value, (str, int, float)):
        raise ValueError(f"{name!r} must be a string, not {type(value).__name__}")
    return str(value)


def _string_map(value: Any, name: str) -> dict[str, str]:
    if not isinstance(value, Mapping):
        raise ValueError(f"{name!r} must be an object of names to values")
    return {str(k): _text(v, f"{name}.{k}") for k, v in value.items()}


def _output_schema(value: Any) -> dict[str, Any]:
    """A line's ``output_schema``: a JSON Schema object, or the path of a file holding one."""
    from .._structured import OutputSchemaError, load_output_schema

    if isinstance(value, str):
        source: Any = value
    elif isinstance(value, Mapping):
        source = value
    else:
        raise ValueError(f"'output_schema' must be a JSON Schema object or a file's path, not {type(value).__name__}")
    try:
        return load_output_schema(source)
    except OutputSchemaError as exc:
        raise ValueError(str(exc)) from None


def _limit(value: Any, name: str) -> float | int:
    """A line's spending limit: a positive number (a whole one for ``max_tokens``)."""
    whole = name == "max_tokens"
    number = isinstance(value, int) if whole else isinstance(value, (int, float))
    if isinstance(value, bool) or not number or not math.isfinite(value) or value <= 0:
        kind = "a positive whole number" if whole else "a positive number (USD)"
        raise ValueError(f"{name!r} must be {kind}, not {value!r}")
    return int(value) if whole else float(value)


def _derived_key(item: Mapping[str, Any]) -> str:
    """A stable key for a line without one: the same content gives the same key on every run."""
    canonical = json.dumps(item, sort_keys=True, separators=(",", ":"), default=str)
    return "t-" + hashlib.sha256(canonical.encode()).hexdigest()[:16]


def _render(template: Template, variables: Mapping[str, str]) -> str:
    from ..templates import TemplateError, render

    try:
        return render(template, variables)
    except TemplateError as exc:
        if exc.missing is None:
            raise
        raise ValueError(
            f"template {template.name!r} needs the variable {exc.missing!r}: add it to the line's 'vars'"
        ) from None


def task_from_mapping(item: Any, line: int, template: Template | None) -> TaskSpec:
    """One task from one input object; ValueError says what is wrong with it."""
    if isinstance(item, TaskSpec):
        return item
    if not isinstance(item, Mapping):
        raise ValueError(f"expected a JSON object, got {type(item).__name__}")
    unknown = sorted(k for k in item if k not in _ALIASES)
    if unknown:
        raise ValueError(f"unknown field(s) {', '.join(map(repr, unknown))}; known: {', '.join(sorted(_ALIASES))}")
    fields: dict[str, Any] = {}
    for name, value in item.items():
        target = _ALIASES[name]
        if target in fields:
            raise ValueError(f"{name!r} repeats another name for {target!r}")
        if value is None:
            continue
        if target in ("vars", "secrets"):
            fields[target] = _string_map(value, name)
        elif target == "output_schema":
            fields[target] = _output_schema(value)
        elif target == "schema_retries":
            if isinstance(value, bool) or not isinstance(value, int) or value < 0:
                raise ValueError("'schema_retries' must be a whole number, 0 or more")
            fields[target] = value
        elif target in ("max_cost", "max_tokens"):
            fields[target] = _limit(value, name)
        else:
            fields[target] = _text(value, name)
    variables: dict[str, str] = fields.pop("vars", {})
    if template is not None:
        if "message" in fields:
            raise ValueError(f"give 'vars' for the template {template.name!r}, not a 'message'")
        known = set(template.variables)
        extra = sorted(set(variables) - known)
        if extra:
            raise ValueError(
                f"unknown template variable(s) {', '.join(map(repr, extra))} for {template.name!r} "
                f"(it uses: {', '.join(sorted(known)) or 'none'})"
            )
        defaults = {"repo": fields.get("repository"), "branch": fields.get("branch")}
        context = {k: v for k, v in defaults.items() if v is not None and k in known}
        fields["message"] = _render(template, {**context, **variables})
    elif variables:
        raise ValueError("'vars' needs a template (--template NAME); without one, give 'message'")
    if "schema_retries" in fields and "output_schema" not in fields:
        raise ValueError("'schema_retries' needs an 'output_schema'")
    if not str(fields.get("message") or "").strip():
        raise ValueError("no 'message' (the task's first message to the agent)")
    key = fields.pop("key", None) or _derived_key(item)
    if len(key) > MAX_KEY_LENGTH or not key.strip():
        raise ValueError(f"'key' must be 1 to {MAX_KEY_LENGTH} characters")
    return TaskSpec(key=key, vars=variables, line=line, **fields)


def parse_tasks(
    items: Iterable[Any], *, template: Template | str | None = None, source: str = "tasks"
) -> list[TaskSpec]:
    """Tasks from objects (dicts or TaskSpecs), numbered from 1; raises BatchInputError with every
    problem (a bad object, an unknown template variable, a duplicate key) before returning any."""
    return _collect(((n, item, None) for n, item in enumerate(items, 1)), template, source)


def parse_jsonl(
    lines: Iterable[str], *, template: Template | str | None = None, source: str = "input"
) -> list[TaskSpec]:
    """Tasks from JSON lines (blank lines and lines starting with ``#`` are skipped)."""

    def numbered() -> Iterable[tuple[int, Any, str | None]]:
        for number, raw in enumerate(lines, 1):
            text = raw.strip()
            if not text or text.startswith("#"):
                continue
            try:
                yield number, json.loads(text), None
            except json.JSONDecodeError as exc:
                yield number, None, f"not valid JSON: {exc.msg} (column {exc.colno})"

    return _collect(numbered(), template, source)


def _collect(
    numbered: Iterable[tuple[int, Any, str | None]], template: Template | str | None, source: str
) -> list[TaskSpec]:
    if isinstance(template, str):  # a template's name (or path): found before any line is read
        from ..templates import find

        template = find(template)
    specs: list[TaskSpec] = []
    problems: list[InputProblem] = []
    first_line: dict[str, int] = {}
    for number, item, error in numbered:
        if error is not None:
            problems.append(InputProblem(number, error))
            continue
        try:
            spec = task_from_mapping(item, number, template)
        except ValueError as exc:
            problems.append(InputProblem(number, str(exc)))
            continue
        if spec.key in first_line:
            problems.append(
                InputProblem(number, f"duplicate task key {spec.key!r} (first on line {first_line[spec.key]})")
            )
            continue
        first_line[spec.key] = number
        specs.append(spec)
    if not specs and not problems:
        problems.append(InputProblem(0, "no tasks"))
    if problems:
        raise BatchInputError(problems, source=source)
    return specs

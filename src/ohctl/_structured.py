"""Structured output, the pure part: the instruction sent with a task, finding the JSON document in
the agent's final message, checking it against the schema, and the follow-up that quotes what was
wrong. No I/O: ``_async/lib/structured.py`` does the waiting and the messages.

A schema is a pydantic model class (checked with pydantic, the value is the model) or a JSON Schema
as a dict (checked with ``jsonschema``, from the ``schema`` extra; the value is the document).
"""

from __future__ import annotations

import json
import os
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Generic, TypeVar, cast

from ._errors import InvalidArgumentError, WaitError
from ._ids import ConversationId
from ._require import require

if TYPE_CHECKING:
    from ._budget import BudgetHit
    from ._wait_logic import Outcome, Stall
    from .types.conversations import AppConversation

T = TypeVar("T")

# How many validation problems a follow-up quotes, and how long each may be.
MAX_ERRORS_QUOTED = 20
MAX_ERROR_LENGTH = 300
# The agent's final message is scanned for documents up to this size (a longer one is cut).
MAX_MESSAGE_SCANNED = 200_000
SCHEMA_RETRIES = 2

_FENCE = re.compile(r"```[ \t]*(?:json|JSON)?[ \t]*\r?\n(.*?)\r?\n?```", re.DOTALL)


class OutputSchemaError(InvalidArgumentError):
    """The output schema itself is wrong (not a pydantic model or a JSON Schema object, or a JSON
    Schema that does not follow its own meta-schema)."""


@dataclass
class StructuredResult(Generic[T]):
    """How a task with an output schema ended: ``value`` is the validated document (the pydantic model
    for a model schema, the JSON value for a JSON Schema), ``document`` that document as JSON
    (what the agent wrote), ``raw`` the agent's last final message, ``attempts`` how many final
    messages were checked (1 + the follow-ups), ``errors`` the problems of each attempt ([] for the
    one that passed). ``outcome`` is ``finished`` when the document is valid, ``invalid_output`` when
    it was still invalid after the retries, else the wait's own outcome (failed, needs_input,
    stalled, over_budget, or None when the deadline passed first; ``stall`` and ``budget`` say why)."""

    conversation_id: ConversationId
    outcome: Outcome | None
    value: T | None = None
    document: Any = None
    raw: str | None = None
    attempts: int = 0
    errors: list[list[str]] = field(default_factory=list)
    conversation: AppConversation | None = field(default=None, repr=False)
    stall: Stall | None = None  # when the wait ended stalled: since when, and the last event
    budget: BudgetHit | None = None  # when the wait ended over budget: which limit, the value and the limit

    @property
    def ok(self) -> bool:
        return self.outcome == "finished"

    def to_json(self) -> dict[str, Any]:
        """What the command line, batches and the MCP server show: JSON-ready, no conversation body."""
        return {
            "conversation_id": str(self.conversation_id),
            "outcome": str(self.outcome) if self.outcome is not None else None,
            "ok": self.ok,
            "document": self.document,
            "attempts": self.attempts,
            "errors": self.errors,
        }


class InvalidOutputError(WaitError):
    """The agent's final document did not match the output schema after the retries; ``result`` is
    the ``StructuredResult`` (its ``errors`` per attempt, ``raw`` the last message)."""

    def __init__(self, message: str, *, result: StructuredResult[Any]) -> None:
        super().__init__(message)
        self.result = result


# -- the schema ---------------------------------------------------------------------------------
@dataclass(frozen=True)
class Checked:
    """One final message checked: the document found (``found`` False: none), the value, the problems."""

    found: bool
    document: Any = None
    value: Any = None
    errors: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return self.found and not self.errors


class Schema:
    """A pydantic model class or a JSON Schema dict, ready to check documents."""

    def __init__(self, spec: Any) -> None:
        from pydantic import BaseModel

        self.model: type[BaseModel] | None = None
        if isinstance(spec, type) and issubclass(spec, BaseModel):
            self.model = spec
            self.json_schema: dict[str, Any] = spec.model_json_schema()
            self._validator: Any = None
        elif isinstance(spec, Mapping):
            self.json_schema = json.loads(json.dumps(spec))  # a plain, JSON-ready copy
            jsonschema = require("jsonschema", extra="schema", purpose="Checking output against a JSON Schema")
            cls = jsonschema.validators.validator_for(self.json_schema)
            try:
                cls.check_schema(self.json_schema)
            except jsonschema.exceptions.SchemaError as exc:
                where = _path(exc.absolute_path)
                raise OutputSchemaError(
                    f"The output schema is not a valid JSON Schema (at {where}): {exc.message}"
                ) from None
            self._validator = cls(self.json_schema)
        else:
            raise OutputSchemaError(
                f"output_schema must be a pydantic model class or a JSON Schema (a dict), not {type(spec).__name__}"
            )

    def validate(self, document: Any) -> tuple[Any, list[str]]:
        """The value and no problems, or None and the problems (each names where in the document)."""
        if self.model is not None:
            from pydantic import ValidationError

            try:
                return self.model.model_validate(document), []
            except ValidationError as exc:
                return None, [_clip(f"at {_path(e['loc'])}: {e['msg']}") for e in exc.errors()]
        found = sorted(self._validator.iter_errors(document), key=lambda e: [str(p) for p in e.absolute_path])
        return (
            (document, []) if not found else (None, [_clip(f"at {_path(e.absolute_path)}: {e.message}") for e in found])
        )

    def check(self, text: str | None) -> Checked:
        """Find the document in the agent's final message and check it. When the message holds several
        documents, the last one that matches wins; if none does, the problems are the last one's."""
        if not text or not text.strip():
            return Checked(False, errors=["the final message is empty: it holds no JSON document"])
        found = documents(text)
        if not found:
            return Checked(False, errors=["the final message holds no JSON document (nothing parses as JSON)"])
        problems: list[str] = []
        for document in reversed(found):
            value, errs = self.validate(document)
            if not errs:
                return Checked(True, document, value)
            problems = problems or errs
        return Checked(True, found[-1], None, problems)

    def pretty(self) -> str:
        return json.dumps(self.json_schema, indent=2, sort_keys=False)


def _path(parts: Any) -> str:
    """A location as ``$.items[0].name`` (``$`` is the whole document)."""
    out = "$"
    for part in parts:
        out += f"[{part}]" if isinstance(part, int) else f".{part}"
    return out


def _clip(text: str) -> str:
    return text if len(text) <= MAX_ERROR_LENGTH else text[: MAX_ERROR_LENGTH - 3] + "..."


# -- finding the document ------------------------------------------------------------------------
def documents(text: str) -> list[Any]:
    """The JSON documents in ``text``, in order: the whole text when it is JSON; else the fenced
    blocks (```json ... ```) that parse; else every top-level object or array written in the prose
    (a document nested in another is not counted twice; braces inside JSON strings are fine)."""
    text = text[:MAX_MESSAGE_SCANNED]
    whole = _loads(text.strip())
    if whole is not _NOTHING:
        return [whole]
    fenced = [value for block in _FENCE.findall(text) if (value := _loads(block.strip())) is not _NOTHING]
    if fenced:
        return fenced
    return _scan(text)


_NOTHING = object()


def _loads(text: str) -> Any:
    if not text:
        return _NOTHING
    try:
        return json.loads(text)
    except ValueError:
        return _NOTHING


def _scan(text: str) -> list[Any]:
    decoder = json.JSONDecoder()
    found: list[Any] = []
    i = 0
    while True:
        starts = [p for p in (text.find("{", i), text.find("[", i)) if p >= 0]
        if not starts:
            return found
        start = min(starts)
        try:
            value, end = decoder.raw_decode(text, start)
        except ValueError:
            i = start + 1
            continue
        if isinstance(value, (dict, list)) and (value or text[start] == "{"):
            found.append(value)
        i = end


# -- the messages ---------------------------------------------------------------------------------
def instruction(schema: Schema) -> str:
    """What is added to the task: end with one JSON document that matches the schema."""
    return (
        "\n\n---\nWhen you have finished, your final message (the message of your `finish` action) must end "
        "with ONE JSON document that matches the JSON Schema below, in a ```json fenced block, with nothing "
        f"after it:\n```json\n{schema.pretty()}\n```"
    )


def with_instruction(task: str, schema: Schema) -> str:
    return task + instruction(schema)


def correction(errors: list[str], schema: Schema, *, attempt: int) -> str:
    """The follow-up after an invalid document: the problems, quoted, and the schema again."""
    shown = errors[:MAX_ERRORS_QUOTED]
    more = len(errors) - len(shown)
    lines = "\n".join(f"- {e}" for e in shown) + (f"\n- ... and {more} more" if more > 0 else "")
    return (
        f"Your final message (attempt {attempt}) did not hold a JSON document that matches the required "
        f"schema:\n{lines}\n\nFinish again with a message that ends with ONE corrected JSON document, in a "
        f"```json fenced block, that matches this JSON Schema:\n```json\n{schema.pretty()}\n```"
    )


def describe_invalid(result: StructuredResult[Any]) -> str:
    """One message for an invalid result: how many attempts, and the last attempt's problems."""
    last = result.errors[-1] if result.errors else []
    shown = "; ".join(last[:5]) + (f"; and {len(last) - 5} more" if len(last) > 5 else "")
    return (
        f"Conversation {result.conversation_id}: the agent's final message did not match the output schema "
        f"after {result.attempts} attempt(s) ({shown}); see result.errors and result.raw"
    )


def load_output_schema(source: str | os.PathLike[str] | Mapping[str, Any]) -> dict[str, Any]:
    """A JSON Schema from a file (a path) or a mapping, checked against its meta-schema: what
    ``ohctl run --output-schema`` and a batch line's ``output_schema`` take. Raises
    OutputSchemaError (the file is missing, is not JSON, or is not a valid JSON Schema object)."""
    if isinstance(source, Mapping):
        value: Any = dict(source)
        where = "the output schema"
    else:
        where = f"the output schema file {os.fspath(source)!r}"
        try:
            with open(source, encoding="utf-8") as handle:
                text = handle.read()
        except OSError as exc:
            raise OutputSchemaError(f"Cannot read {where}: {exc.strerror or exc}") from None
        try:
            value = json.loads(text)
        except ValueError as exc:
            raise OutputSchemaError(f"{where[0].upper()}{where[1:]} is not JSON: {exc}") from None
    if not isinstance(value, dict):
        raise OutputSchemaError(
            f"{where[0].upper()}{where[1:]} must hold a JSON Schema object, not {type(value).__name__}"
        )
    Schema(value)  # checked now, before anything starts
    return cast(dict[str, Any], value)

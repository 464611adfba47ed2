from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any, Generic, TypeVar

from pydantic import BaseModel, BeforeValidator, ConfigDict, Field, GetCoreSchemaHandler, ValidationError
from pydantic_core import CoreSchema

T = TypeVar("T")
log = logging.getLogger("ohctl.types")


class OhBase(BaseModel):
    """Unknown fields are kept (servers add fields often), names as on the wire. Models on hot paths
    (events: thousands per conversation) derive from this directly: they have no field that the
    null rule of ``OhModel`` would touch, and validating without a Python hook is much faster."""

    # defer_build: a model's validator is built when first used, not when ohctl is imported (about a
    # hundred models; a program uses a few).
    model_config = ConfigDict(extra="allow", populate_by_name=True, protected_namespaces=(), defer_build=True)

    def to_dict(self) -> dict[str, Any]:
        return self.model_dump(mode="json", exclude_unset=False)

    def __setattr__(self, name: str, value: Any) -> None:
        # Validated with unknown fields forbidden (the hot paths' fast pass, see _parse.ExactFirst), a
        # model has no dict of unknown fields (``model_extra`` is None) until one is set.
        if name not in type(self).__pydantic_fields__ and getattr(self, "__pydantic_extra__", {}) is None:
            object.__setattr__(self, "__pydantic_extra__", {})
        super().__setattr__(name, value)


def null_reads_as(default: Any) -> BeforeValidator:
    """For a field that costs, waits or outcomes depend on (``Annotated[float, null_reads_as(0.0)]``):
    null still reads as the default, but a value of the wrong type is the typed shape error
    (UnexpectedResponseError), never the default in silence: a cost of "abc" is not a cost of 0."""
    return BeforeValidator(lambda value: default if value is None else value)


class OhModel(OhBase):
    """Base of every model: an ``OhBase`` where a null (or a value of the wrong type) for a field with
    a non-null default reads as the default: servers send null for "not set" where their schema says
    a list or a number (``pr_number: null``, ``success: null``). A value of the wrong type (not null)
    is logged once per model and field at debug on the ``ohctl.types`` logger, so that a changed
    server shows in the logs (when debug logging is on as the model is first used: the check costs a
    Python call per field, about a fifth more time to validate a poll, so it is built only then).
    Fields marked ``null_reads_as`` keep the null rule only; the fields that
    ids, statuses, waits, outcomes and costs depend on have no such default and raise the typed shape
    error.

    The rule is in the validator pydantic builds (``on_error="default"`` on those fields): a poll
    validates hundreds of conversations straight from the bytes."""

    @classmethod
    def __get_pydantic_core_schema__(cls, source: type[BaseModel], handler: GetCoreSchemaHandler, /) -> CoreSchema:
        schema = handler(source)
        _default_on_error(schema, cls.__name__ if log.isEnabledFor(logging.DEBUG) else None)
        return schema


_TOLERATED: set[tuple[str, str]] = set()  # (model, field) pairs whose wrong type was logged


def _note_wrong_type(model: str, name: str) -> Callable[[Any, Any], Any]:
    """A wrap validator that logs the first wrong-typed value of ``model.name`` and lets the error go
    on to the field's ``on_error="default"``."""

    def check(value: Any, handler: Any) -> Any:
        try:
            return handler(value)
        except ValidationError:
            if value is not None and (model, name) not in _TOLERATED:
                _TOLERATED.add((model, name))
                log.debug("%s.%s: the server sent %s, read as the default", model, name, type(value).__name__)
            raise

    return check


def _default_on_error(schema: Any, model: str | None) -> None:
    """Mark the fields of a model's schema whose default is not None to fall back to it (and, given
    the ``model``'s name, to log the first wrong-typed value of each)."""
    kind = schema.get("type")
    if kind == "model-fields":
        for name, field in schema["fields"].items():
            inner = field["schema"]
            has_default = "default_factory" in inner or inner.get("default") is not None
            marked = inner.get("schema", {}).get("type") == "function-before"  # null_reads_as
            if inner.get("type") == "default" and has_default and not marked:
                inner["on_error"] = "default"
                if model is None or inner["schema"].get("type") == "literal":
                    continue  # a literal can be a union's discriminator, which a wrap validator breaks
                inner["schema"] = {
                    "type": "function-wrap",
                    "function": {"type": "no-info", "function": _note_wrong_type(model, name)},
                    "schema": inner["schema"],
                }
    elif kind == "definitions":
        for definition in schema["definitions"]:
            _default_on_error(definition, model)
    if isinstance(schema.get("schema"), dict):
        _default_on_error(schema["schema"], model)


class Page(OhModel, Generic[T]):
    """One page of a search: ``items`` plus the opaque ``next_page_id`` (None on the last page)."""

    items: list[T] = Field(default_factory=list)
    next_page_id: str | None = None

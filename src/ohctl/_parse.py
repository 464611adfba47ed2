"""Small parsers for success bodies, to pass as ``parse=`` to the request pipeline.

The pipeline turns what a parser raises (a ``ShapeError``, pydantic's ``ValidationError``, any
``TypeError`` / ``ValueError`` / ``KeyError``) into one ``UnexpectedResponseError(kind="shape")``
naming the route and the field; nothing outside a parser touches the decoded JSON. A ``ShapeError``
reports its location the way pydantic does (``errors()``), so the field is named (``skills.2.name``),
and its message names JSON types only, never a value (a body can carry a key).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from functools import cache
from typing import Any, Optional, TypeVar

from pydantic import BaseModel, ConfigDict, TypeAdapter, ValidationError

from ._errors import SHAPE_ERRORS

T = TypeVar("T")
M = TypeVar("M", bound=BaseModel)
Loc = tuple[int | str, ...]


class ShapeError(TypeError):
    """A part of a body of the wrong JSON type; ``loc`` is where, as in pydantic's errors."""

    def __init__(self, msg: str, loc: Sequence[int | str] = ()) -> None:
        self.msg = msg
        self.loc: Loc = tuple(loc)
        where = ".".join(str(part) for part in self.loc)
        super().__init__(f"{where}: {msg}" if where else msg)

    def errors(self) -> list[dict[str, Any]]:
        return [{"loc": self.loc, "msg": self.msg}]


def json_kind(value: object) -> str:
    """The JSON name of a decoded value's type."""
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "a boolean"
    if isinstance(value, (int, float)):
        return "a number"
    if isinstance(value, str):
        return "a string"
    if isinstance(value, list):
        return "an array"
    if isinstance(value, dict):
        return "an object"
    return type(value).__name__


def at(loc: Loc, parse: Callable[[Any], T], value: Any) -> T:
    """``parse(value)``, with a failure's location prefixed by ``loc``."""
    try:
        return parse(value)
    except ValidationError as exc:
        details = exc.errors()
        if not details:
            raise ShapeError("invalid", loc) from exc
        raise ShapeError(str(details[0]["msg"]), (*loc, *details[0]["loc"])) from exc
    except ShapeError as exc:
        raise ShapeError(exc.msg, (*loc, *exc.loc)) from exc
    except SHAPE_ERRORS as exc:
        raise ShapeError(f"cannot be read ({type(exc).__name__})", loc) from exc


def obj(data: Any, loc: Loc = ()) -> dict[str, Any]:
    """``data`` when it is a JSON object."""
    if not isinstance(data, dict):
        raise ShapeError(f"expected an object, got {json_kind(data)}", loc)
    return data


def json_object(data: Any) -> dict[str, Any]:
    """A body that must be a JSON object, as a plain dict (a schema, a provider's user)."""
    return dict(obj(data))


def _array(data: Any, loc: Loc = ()) -> list[Any]:
    if not isinstance(data, list):
        raise ShapeError(f"expected an array, got {json_kind(data)}", loc)
    return data


def list_of(parse: Callable[[Any], T]) -> Callable[[Any], list[T]]:
    """A parser of a JSON array whose every item ``parse`` reads (null items are refused)."""

    def run(data: Any) -> list[T]:
        return [at((i,), parse, item) for i, item in enumerate(_array(data))]

    return run


def nullable_list(parse: Callable[[Any], T], length: int | None = None) -> Callable[[Any], list[T | None]]:
    """A batch get's answer: an array with null for unknown ids, of ``length`` items when given (one
    per id asked, in order)."""

    def run(data: Any) -> list[T | None]:
        items = _array(data)
        if length is not None and len(items) != length:
            raise ShapeError(f"expected {length} items (one per id asked), got {len(items)}")
        return [None if item is None else at((i,), parse, item) for i, item in enumerate(items)]

    return run


class ExactFirst:
    """Validates a body's bytes with the fields the models do not declare forbidden first, and only
    when that fails, with ``tolerant`` (which keeps unknown fields): the same typed objects either way.

    Why: a model validated tolerantly carries a dict of its unknown fields even when there are none,
    and those hundred dicts per page pushed every page of events over CPython's garbage-collector
    threshold (parsing 100 pages of real-shaped events: 91 young collections and a full one, against
    none validated exactly). Objects validated exactly have ``model_extra`` None (no unknown fields).
    Servers send only declared fields today; after a body needs the tolerant pass (a newer server
    with a new field), the next ``SKIP`` bodies go straight to it rather than paying two passes each.
    """

    SKIP = 20

    def __init__(self, exact: TypeAdapter[Any], tolerant: TypeAdapter[Any] | None = None) -> None:
        self._exact = exact
        self._tolerant = exact if tolerant is None else tolerant
        self._skip = 0

    def __call__(self, raw: bytes) -> Any:
        if self._skip:
            self._skip -= 1  # a race between threads only shifts when the exact pass is tried again
            return self._tolerant.validate_json(raw)
        try:
            return self._exact.validate_json(raw, extra="forbid")
        except ValidationError:
            self._skip = self.SKIP
            return self._tolerant.validate_json(raw)  # raises the body's real error, if it has one


@cache
def _nullable_models(model: type[BaseModel]) -> ExactFirst:
    # Only keys are worth caching: most values (ids, times, titles) occur once.
    adapter = TypeAdapter(list[Optional[model]], config=ConfigDict(cache_strings="keys"))  # type: ignore[valid-type]  # noqa: UP045
    return ExactFirst(adapter)


def nullable_models(model: type[M], length: int | None = None) -> Callable[[bytes], list[M | None]]:
    """``nullable_list`` of a model, validated from the body's bytes in one pass (``parse_raw=``):
    a poll reads hundreds of conversations at a time."""

    def run(raw: bytes) -> list[M | None]:
        items: list[M | None] = _nullable_models(model)(raw)
        if length is not None and len(items) != length:
            raise ShapeError(f"expected {length} items (one per id asked), got {len(items)}")
        return items

    return run


def field_list(name: str, parse: Callable[[Any], T]) -> Callable[[Any], list[T]]:
    """The array under ``name`` of a JSON object (missing or null: empty), each item read by ``parse``."""

    def run(data: Any) -> list[T]:
        value = obj(data).get(name)
        if value is None:
            return []
        return [at((name, i), parse, item) for i, item in enumerate(_array(value, (name,)))]

    return run


def string(value: Any, loc: Loc = ()) -> str:
    if not isinstance(value, str):
        raise ShapeError(f"expected a string, got {json_kind(value)}", loc)
    return value


def count(data: Any) -> int:
    """A count: a non-negative integer (a boolean, a fraction or a string is refused)."""
    if isinstance(data, bool) or not isinstance(data, (int, float)):
        raise ShapeError(f"expected a count (an integer), got {json_kind(data)}")
    if isinstance(data, float) and not data.is_integer():
        raise ShapeError("expected a count (an integer), got a fraction")
    if data < 0:
        raise ShapeError("expected a count (an integer), got a negative number")
    return int(data)


def text_field(name: str, default: str = "") -> Callable[[Any], str]:
    """The string under ``name`` of an object (missing or null: ``default``); a bare string or null
    body is taken as the text itself."""

    def run(data: Any) -> str:
        if data is None:
            return default
        if isinstance(data, str):
            return data
        value = obj(data).get(name)
        return default if value is None else string(value, (name,))

    return run


message_of = text_field("message")
"""The ``message`` of ``{"message": ...}`` answers ("" when there is none)."""


def text(data: Any) -> str:
    """A body that is a JSON string (null: "")."""
    return "" if data is None else string(data)


def optional_text_field(name: str) -> Callable[[Any], str | None]:
    """The string under ``name`` of an object, or None (missing, null, or a null body)."""

    def run(data: Any) -> str | None:
        if data is None:
            return None
        value = obj(data).get(name)
        return None if value is None else string(value, (name,))

    return run


def flag(name: str = "success", default: bool = True) -> Callable[[Any], bool]:
    """A yes/no answer: ``{name: true}``, a bare boolean, or ``default`` when the body says nothing
    (null, an object without ``name``, another value)."""

    def run(data: Any) -> bool:
        if isinstance(data, bool):
            return data
        if not isinstance(data, dict):
            return default
        value = data.get(name)
        if value is None:
            return default
        if not isinstance(value, bool):
            raise ShapeError(f"expected a boolean, got {json_kind(value)}", (name,))
        return value

    return run


def int_field(name: str, default: int = 0) -> Callable[[Any], int]:
    """The count under ``name`` of an object (missing or null, or a body that is no object: ``default``)."""

    def run(data: Any) -> int:
        if not isinstance(data, dict) or data.get(name) is None:
            return default
        return at((name,), count, data[name])

    return run


def strings(data: Any) -> list[str]:
    """An array of strings."""
    return [string(item, (i,)) for i, item in enumerate(_array(data))]

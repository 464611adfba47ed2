from __future__ import annotations

from typing import Any, Generic, TypeVar

from pydantic import BaseModel, ConfigDict, Field, model_validator
from pydantic_core import PydanticUndefined

T = TypeVar("T")

_NULL_IS_DEFAULT: dict[type[BaseModel], frozenset[str]] = {}


def _defaulted_not_null(cls: type[BaseModel]) -> frozenset[str]:
    """The fields of ``cls`` with a default other than None (a null for them means "not given")."""
    names = _NULL_IS_DEFAULT.get(cls)
    if names is None:
        names = frozenset(
            name
            for name, info in cls.model_fields.items()
            if not info.is_required()
            and (info.default_factory is not None or info.default not in (None, PydanticUndefined))
        )
        _NULL_IS_DEFAULT[cls] = names
    return names


class OhBase(BaseModel):
    """Unknown fields are kept (servers add fields often), names as on the wire. Models on hot paths
    (events: thousands per conversation) derive from this directly: they have no field that the
    null rule of ``OhModel`` would touch, and validating without a Python hook is much faster."""

    # defer_build: a model's validator is built when first used, not when ohctl is imported (about a
    # hundred models; a program uses a few).
    model_config = ConfigDict(extra="allow", populate_by_name=True, protected_namespaces=(), defer_build=True)

    def to_dict(self) -> dict[str, Any]:
        return self.model_dump(mode="json", exclude_unset=False)


class OhModel(OhBase):
    """Base of every model: an ``OhBase`` where a null for a field with a non-null default means the
    default."""

    @model_validator(mode="before")
    @classmethod
    def _null_means_default(cls, data: Any) -> Any:
        """A null where a field has a non-null default (``pr_number: null``, ``success: null``) reads as
        the default: servers send null for "not set" where their schema says a list or a number."""
        if isinstance(data, dict):
            # This runs for every model validated (hundreds per poll): look up the few defaulted
            # fields instead of scanning every key of the body.
            for name in _defaulted_not_null(cls):
                if name in data and data[name] is None:
                    names = _defaulted_not_null(cls)
                    return {key: value for key, value in data.items() if value is not None or key not in names}
        return data


class Page(OhModel, Generic[T]):
    """One page of a search: ``items`` plus the opaque ``next_page_id`` (None on the last page)."""

    items: list[T] = Field(default_factory=list)
    next_page_id: str | None = None

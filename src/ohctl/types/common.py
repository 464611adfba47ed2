from __future__ import annotations

from typing import Any, Generic, TypeVar

from pydantic import BaseModel, ConfigDict, Field

T = TypeVar("T")


class OhModel(BaseModel):
    """Base of every model: unknown fields are kept (servers add fields often), names as on the wire."""

    model_config = ConfigDict(extra="allow", populate_by_name=True, protected_namespaces=())

    def to_dict(self) -> dict[str, Any]:
        return self.model_dump(mode="json", exclude_unset=False)


class Page(OhModel, Generic[T]):
    """One page of a search: ``items`` plus the opaque ``next_page_id`` (None on the last page)."""

    items: list[T] = Field(default_factory=list)
    next_page_id: str | None = None

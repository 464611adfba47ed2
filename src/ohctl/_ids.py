"""Typed ids. A start-task id is not a conversation id, though both are UUIDs.

App-server ids serialize as 32 hex characters; the agent server hyphenates the same UUID. Ids here
are always kept in the 32-hex form, so equal ids compare equal whatever form they arrived in.
"""

from __future__ import annotations

import uuid
from typing import Any

from pydantic import GetCoreSchemaHandler
from pydantic_core import core_schema

from ._errors import IdKindError


class _HexId(str):
    kind = "id"

    def __new__(cls, value: str | uuid.UUID) -> _HexId:
        if isinstance(value, _HexId) and not isinstance(value, cls):
            raise IdKindError(
                f"{type(value).__name__} {str(value)!r} was passed where a {cls.kind} belongs. "
                + _HINTS.get((type(value).kind, cls.kind), "")
            )
        if isinstance(value, uuid.UUID):
            return super().__new__(cls, value.hex)
        text = str(value).strip()
        try:
            return super().__new__(cls, uuid.UUID(text).hex)
        except ValueError:
            raise ValueError(f"{text!r} is not a valid {cls.kind} (expected a UUID)") from None

    @property
    def uuid(self) -> uuid.UUID:
        return uuid.UUID(self)

    @property
    def hyphenated(self) -> str:
        return str(uuid.UUID(self))

    def __repr__(self) -> str:
        return f"{type(self).__name__}({str(self)!r})"

    @classmethod
    def __get_pydantic_core_schema__(cls, source: Any, handler: GetCoreSchemaHandler) -> core_schema.CoreSchema:
        return core_schema.no_info_after_validator_function(
            cls, core_schema.str_schema(), serialization=core_schema.to_string_ser_schema()
        )


class ConversationId(_HexId):
    """The id of an app conversation (``AppConversation.id``, ``StartTask.app_conversation_id``)."""

    kind = "conversation id"


class StartTaskId(_HexId):
    """The id of a start task returned by ``conversations.start``; not a conversation id."""

    kind = "start-task id"


_HINTS = {
    ("start-task id", "conversation id"): (
        "Wait for the start task to be READY and use its app_conversation_id "
        "(client.start_tasks.wait(task_id) returns it)."
    ),
    ("conversation id", "start-task id"): "Conversation methods take this id directly.",
}


def conversation_id(value: Any) -> ConversationId:
    """Accept a ConversationId, a str/UUID, or an object with a conversation id; refuse a start task."""
    from .types.conversations import AppConversation, StartTask

    if isinstance(value, AppConversation):
        return value.id
    if isinstance(value, StartTask):
        if value.app_conversation_id is None:
            raise IdKindError(
                f"Start task {value.id} has no conversation yet (status {value.status}); "
                "wait for it to be READY first (client.start_tasks.wait)"
            )
        return value.app_conversation_id
    return ConversationId(value)


def start_task_id(value: Any) -> StartTaskId:
    from .types.conversations import StartTask

    if isinstance(value, StartTask):
        return value.id
    return StartTaskId(value)

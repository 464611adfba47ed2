"""Typed ids and references, and the servers' per-call limits, each named once.

A start-task id is not a conversation id, though both are UUIDs. App-server ids serialize as 32 hex
characters; the agent server hyphenates the same UUID. Ids here are always kept in the 32-hex form, so
equal ids compare equal whatever form they arrived in.

A *reference* is anything a method accepts for a thing: the typed id, a plain string or UUID, or the
model object itself (an ``AppConversation``, a READY ``StartTask``, a ``Sandbox``). Models name
themselves through ``ohctl_conversation_id()`` / ``ohctl_sandbox_id()``, so this module never imports
the models (no import cycle).
"""

from __future__ import annotations

import functools
import re
import uuid
from collections.abc import Iterable, Iterator, Sequence
from typing import TYPE_CHECKING, Any, Protocol, TypeVar, Union, runtime_checkable

from pydantic import GetCoreSchemaHandler, GetJsonSchemaHandler
from pydantic.json_schema import JsonSchemaValue
from pydantic_core import core_schema

from ._errors import IdKindError, InvalidArgumentError, InvalidIdError

if TYPE_CHECKING:
    from typing import TypeAlias

    from .types.agent import ConversationInfo
    from .types.conversations import AppConversation, StartTask
    from .types.sandboxes import Sandbox

# -- the servers' limits (API_REFERENCE; checked against the 1.11.0 app server's source) ----------
MAX_CONVERSATION_IDS = 99  # GET /api/v1/app-conversations?ids=: 100 or more is refused
MAX_START_TASK_IDS = 100  # GET /api/v1/app-conversations/start-tasks?ids=
MAX_SANDBOX_IDS = 100  # GET /api/v1/sandboxes?id=
MAX_SANDBOX_SPEC_IDS = 100  # GET /api/v1/sandbox-specs?id=
MAX_EVENT_IDS = 100  # GET /api/v1/conversation/{id}/events?id= and the agent server's batch get
MAX_AGENT_CONVERSATION_IDS = 99  # the agent server's GET /api/conversations?ids= (maxItems 99)
MAX_AGENT_EVENT_IDS = 99  # the agent server's batch get of events (ids in a JSON body; no documented cap)
MAX_PAGE_SIZE = 100  # every search route: 0 < limit <= 100
MAX_CURSOR = 4096  # servers' page ids are short tokens; a longer one would not fit in a URL
MAX_PENDING_MESSAGES = 10  # POST /api/v1/conversations/{id}/pending-messages
MAX_TITLE_LENGTH = 200  # the agent server's conversation title

K = TypeVar("K")


def chunked(items: Sequence[K], size: int) -> Iterator[Sequence[K]]:
    """``items`` in consecutive slices of at most ``size`` (the one batch-chunking helper)."""
    for start in range(0, len(items), size):
        yield items[start : start + size]


_CANONICAL = re.compile(r"^[0-9a-f]{32}$")  # (fullmatch in Python; pydantic-core anchors)


class _HexId(str):
    __slots__ = ()  # no per-id __dict__: an id is a plain string the garbage collector need not track
    kind = "id"

    def __new__(cls, value: str | uuid.UUID) -> _HexId:
        if type(value) is cls:
            return value  # already checked (ids pass through several layers; a poll re-reads hundreds)
        if type(value) is str and _CANONICAL.fullmatch(value):
            return super().__new__(cls, value)  # as servers send them: no need to parse
        if isinstance(value, _HexId) and not isinstance(value, cls):
            raise IdKindError(
                f"{type(value).__name__} {str(value)!r} was passed where a {cls.kind} belongs. "
                + _HINTS.get((type(value).kind, cls.kind), "")
            )
        if isinstance(value, uuid.UUID):
            return super().__new__(cls, value.hex)
        if not isinstance(value, str):
            raise InvalidIdError(
                f"{value!r} ({type(value).__name__}) is not a valid {cls.kind}: expected a UUID string"
            )
        text = value.strip()
        try:
            return super().__new__(cls, uuid.UUID(text).hex)
        except ValueError:
            raise InvalidIdError(f"{value!r} is not a valid {cls.kind} (expected a UUID)") from None

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
        # A canonical id (as servers send them) is checked by pydantic-core's regex and made by str's own
        # constructor: no Python call per id (a poll reads hundreds). Any other string goes through
        # cls(...), which normalizes it or raises the error that names the id's kind.
        return core_schema.union_schema(
            [
                core_schema.no_info_after_validator_function(
                    functools.partial(str.__new__, cls), core_schema.str_schema(pattern=_CANONICAL.pattern)
                ),
                core_schema.no_info_after_validator_function(cls, core_schema.str_schema()),
            ],
            mode="left_to_right",
            custom_error_type="id_invalid",
            custom_error_message=f"not a valid {cls.kind} (expected a UUID)",
            serialization=core_schema.to_string_ser_schema(),
        )

    @classmethod
    def __get_pydantic_json_schema__(
        cls, schema: core_schema.CoreSchema, handler: GetJsonSchemaHandler
    ) -> JsonSchemaValue:
        return {"type": "string", "description": f"A {cls.kind}: a UUID (32 hex digits, or hyphenated)"}


class ConversationId(_HexId):
    """The id of an app conversation (``AppConversation.id``, ``StartTask.app_conversation_id``)."""

    __slots__ = ()
    kind = "conversation id"


class StartTaskId(_HexId):
    """The id of a start task returned by ``conversations.start(wait=None)``; not a conversation id."""

    __slots__ = ()
    kind = "start-task id"


_HINTS = {
    ("start-task id", "conversation id"): (
        "Wait for the start task to be READY and use its app_conversation_id "
        "(client.start_tasks.wait(task_id) returns it)."
    ),
    ("conversation id", "start-task id"): "Conversation methods take this id directly.",
}


@runtime_checkable
class NamesConversation(Protocol):
    """A model that stands for a conversation (``AppConversation``, ``StartTask``, ``ConversationInfo``)."""

    def ohctl_conversation_id(self) -> ConversationId: ...


@runtime_checkable
class NamesStartTask(Protocol):
    def ohctl_start_task_id(self) -> StartTaskId: ...


@runtime_checkable
class NamesSandbox(Protocol):
    def ohctl_sandbox_id(self) -> str: ...


# Union with forward references: usable at run time, resolved by type checkers.
ConversationRef: TypeAlias = Union[ConversationId, str, uuid.UUID, "AppConversation", "StartTask", "ConversationInfo"]
StartTaskRef: TypeAlias = Union[StartTaskId, str, uuid.UUID, "StartTask"]
SandboxRef: TypeAlias = Union[str, "Sandbox"]


# Strings are tested first: isinstance against a runtime-checkable Protocol is slow (it lists the
# protocol's attributes every time) and ids come by the hundred.


def conversation_id(value: ConversationRef) -> ConversationId:
    """The conversation id of a reference; a start task without a conversation yet raises IdKindError."""
    if not isinstance(value, str) and isinstance(value, NamesConversation):
        return value.ohctl_conversation_id()
    return ConversationId(value)


def start_task_id(value: StartTaskRef) -> StartTaskId:
    if not isinstance(value, str) and isinstance(value, NamesStartTask):
        return value.ohctl_start_task_id()
    return StartTaskId(value)


def sandbox_id(value: SandboxRef) -> str:
    if not isinstance(value, str) and isinstance(value, NamesSandbox):
        return value.ohctl_sandbox_id()
    if not isinstance(value, str) or not value.strip() or "/" in value:
        raise InvalidIdError(f"{value!r} is not a valid sandbox id")
    return value.strip()


def many(values: Iterable[K], what: str) -> list[K]:
    """A list from an iterable of references; a single string is refused (it would be read as a list
    of one-character ids)."""
    single = isinstance(values, (str, bytes, NamesConversation, NamesStartTask, NamesSandbox))
    if single or not isinstance(values, Iterable):
        raise InvalidArgumentError(
            f"Pass a list of {what}s, not {values!r}: for a single one, use retrieve(...) or wrap it in a list"
        )
    return list(values)

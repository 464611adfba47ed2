"""ohctl: a typed Python SDK for OpenHands (Cloud and self-hosted app servers)."""

from . import types
from ._archive import ArchiveError, CorruptArchiveError, UnsafeArchiveError, safe_extract
from ._async._pagination import AsyncPager
from ._async.agent.client import AsyncAgentServer
from ._async.agent.stream import AsyncEventStream
from ._async.client import AsyncOpenHands
from ._config import CLOUD_URL
from ._errors import (
    APIConnectionError,
    APIStatusError,
    APITimeoutError,
    AuthenticationError,
    BadRequestError,
    ConcurrencyLimitError,
    ConfigurationError,
    ConflictError,
    ConversationFailedError,
    DailyLimitError,
    GoneError,
    IdKindError,
    InternalServerError,
    InvalidArgumentError,
    InvalidIdError,
    NeedsInputError,
    NotFoundError,
    OhctlError,
    PermissionDeniedError,
    RateLimitError,
    ResourceNotFoundError,
    SandboxFailedError,
    SandboxNotRunningError,
    ServerTooOldError,
    SessionKeyError,
    StartTaskFailedError,
    StreamError,
    UnexpectedResponseError,
    UnprocessableEntityError,
    WaitError,
    WaitTimeoutError,
)
from ._ids import ConversationId, ConversationRef, SandboxRef, StartTaskId, StartTaskRef
from ._sync._pagination import Pager
from ._sync.agent.client import AgentServer
from ._sync.agent.stream import EventStream
from ._sync.client import OpenHands
from ._version import __version__
from ._wait_logic import Outcome, WaitResult
from .types.files import Download

__all__ = [
    "CLOUD_URL",
    "AgentServer",
    "AsyncAgentServer",
    "AsyncEventStream",
    "EventStream",
    "SandboxFailedError",
    "SandboxNotRunningError",
    "ServerTooOldError",
    "SessionKeyError",
    "UnsafeArchiveError",
    "ArchiveError",
    "CorruptArchiveError",
    "safe_extract",
    "APIConnectionError",
    "APIStatusError",
    "APITimeoutError",
    "AsyncOpenHands",
    "AsyncPager",
    "AuthenticationError",
    "BadRequestError",
    "ConcurrencyLimitError",
    "ConfigurationError",
    "ConflictError",
    "ConversationFailedError",
    "ConversationId",
    "DailyLimitError",
    "Download",
    "GoneError",
    "IdKindError",
    "InvalidArgumentError",
    "InvalidIdError",
    "ConversationRef",
    "SandboxRef",
    "StartTaskRef",
    "InternalServerError",
    "NeedsInputError",
    "NotFoundError",
    "OhctlError",
    "OpenHands",
    "Outcome",
    "Pager",
    "PermissionDeniedError",
    "RateLimitError",
    "ResourceNotFoundError",
    "StartTaskFailedError",
    "StartTaskId",
    "StreamError",
    "UnexpectedResponseError",
    "UnprocessableEntityError",
    "WaitError",
    "WaitResult",
    "WaitTimeoutError",
    "__version__",
    "types",
]

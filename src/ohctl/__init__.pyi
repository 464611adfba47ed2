# Generated from _LAZY in ohctl/__init__.py by scripts/gen_init_stub.py: do not edit; edit _LAZY.
from . import templates as templates
from . import types as types
from ._archive import ArchiveError as ArchiveError
from ._archive import CorruptArchiveError as CorruptArchiveError
from ._archive import UnsafeArchiveError as UnsafeArchiveError
from ._archive import safe_extract as safe_extract
from ._async._pagination import AsyncPager as AsyncPager
from ._async.agent.client import AsyncAgentServer as AsyncAgentServer
from ._async.agent.stream import AsyncEventStream as AsyncEventStream
from ._async.client import AsyncOpenHands as AsyncOpenHands
from ._async.lib.best_of import best_of as abest_of
from ._best_of import BestOf as BestOf
from ._best_of import BestOfAttempt as BestOfAttempt
from ._best_of import choose_winner as choose_winner
from ._budget import Budget as Budget
from ._budget import BudgetHit as BudgetHit
from ._bulk import BulkPlan as BulkPlan
from ._bulk import BulkResult as BulkResult
from ._bulk import PlannedAction as PlannedAction
from ._bulk import StopResult as StopResult
from ._bulk import parse_duration as parse_duration
from ._config import API_KEY_VARS as API_KEY_VARS
from ._config import BASE_URL_VARS as BASE_URL_VARS
from ._config import CLOUD_URL as CLOUD_URL
from ._connect import aconnect as aconnect
from ._connect import connect as connect
from ._connect import probe as probe
from ._credentials import StoredProfile as StoredProfile
from ._credentials import config_dir as config_dir
from ._credentials import default_profile_name as default_profile_name
from ._credentials import delete_profile as delete_profile
from ._credentials import keyring_available as keyring_available
from ._credentials import list_profiles as list_profiles
from ._credentials import load_profile as load_profile
from ._credentials import save_profile as save_profile
from ._credentials import set_default_profile as set_default_profile
from ._credentials import set_profile_org as set_profile_org
from ._deadline import deadline as deadline
from ._device_flow import DeviceAccessDeniedError as DeviceAccessDeniedError
from ._device_flow import DeviceCodeExpiredError as DeviceCodeExpiredError
from ._device_flow import DeviceLoginError as DeviceLoginError
from ._errors import APIConnectionError as APIConnectionError
from ._errors import APIStatusError as APIStatusError
from ._errors import APITimeoutError as APITimeoutError
from ._errors import AuthenticationError as AuthenticationError
from ._errors import BadRequestError as BadRequestError
from ._errors import ConcurrencyLimitError as ConcurrencyLimitError
from ._errors import ConfigurationError as ConfigurationError
from ._errors import ConflictError as ConflictError
from ._errors import ConversationFailedError as ConversationFailedError
from ._errors import DailyLimitError as DailyLimitError
from ._errors import GoneError as GoneError
from ._errors import IdKindError as IdKindError
from ._errors import InternalServerError as InternalServerError
from ._errors import InvalidArgumentError as InvalidArgumentError
from ._errors import InvalidIdError as InvalidIdError
from ._errors import MissingAPIKeyError as MissingAPIKeyError
from ._errors import NeedsInputError as NeedsInputError
from ._errors import NotFoundError as NotFoundError
from ._errors import NothingPendingError as NothingPendingError
from ._errors import OhctlError as OhctlError
from ._errors import OverBudgetError as OverBudgetError
from ._errors import PermissionDeniedError as PermissionDeniedError
from ._errors import RateLimitError as RateLimitError
from ._errors import ResourceNotFoundError as ResourceNotFoundError
from ._errors import SandboxFailedError as SandboxFailedError
from ._errors import SandboxNotRunningError as SandboxNotRunningError
from ._errors import ServerTooOldError as ServerTooOldError
from ._errors import SessionKeyError as SessionKeyError
from ._errors import StalledError as StalledError
from ._errors import StartTaskFailedError as StartTaskFailedError
from ._errors import StreamError as StreamError
from ._errors import UnexpectedResponseError as UnexpectedResponseError
from ._errors import UnprocessableEntityError as UnprocessableEntityError
from ._errors import WaitError as WaitError
from ._errors import WaitTimeoutError as WaitTimeoutError
from ._errors import WorkspaceDiffError as WorkspaceDiffError
from ._exit_codes import ExitCode as ExitCode
from ._exit_codes import exit_code_for as exit_code_for
from ._failures import Failure as Failure
from ._failures import describe_failure as describe_failure
from ._format import duration as format_duration
from ._hooks import HookRun as HookRun
from ._hooks import hook_env as hook_env
from ._hooks import run_hook as run_hook
from ._ids import ConversationId as ConversationId
from ._ids import ConversationRef as ConversationRef
from ._ids import SandboxRef as SandboxRef
from ._ids import StartTaskId as StartTaskId
from ._ids import StartTaskRef as StartTaskRef
from ._legacy_errors import LegacyConversationNotFoundError as LegacyConversationNotFoundError
from ._legacy_errors import LegacyUnavailableError as LegacyUnavailableError
from ._patch import Patch as Patch
from ._patch import PatchFile as PatchFile
from ._patch import PatchHunk as PatchHunk
from ._patch import PatchStats as PatchStats
from ._patch_apply import AppliedPatch as AppliedPatch
from ._patch_apply import PatchApplyError as PatchApplyError
from ._patch_apply import PatchConflict as PatchConflict
from ._patch_apply import PatchConflictError as PatchConflictError
from ._patch_apply import PatchError as PatchError
from ._patch_apply import PatchUnavailableError as PatchUnavailableError
from ._redact import is_secret_name as is_secret_name
from ._redact import redact as redact
from ._redact import redact_url as redact_url
from ._require import MissingExtraError as MissingExtraError
from ._start_failure import StartFailure as StartFailure
from ._start_failure import describe_start_failure as describe_start_failure
from ._structured import InvalidOutputError as InvalidOutputError
from ._structured import OutputSchemaError as OutputSchemaError
from ._structured import StructuredResult as StructuredResult
from ._structured import load_output_schema as load_output_schema
from ._sync._pagination import Pager as Pager
from ._sync.agent.client import AgentServer as AgentServer
from ._sync.agent.stream import EventStream as EventStream
from ._sync.client import OpenHands as OpenHands
from ._sync.lib.best_of import best_of as best_of
from ._version import __version__ as __version__
from ._wait_logic import Outcome as Outcome
from ._wait_logic import Stall as Stall
from ._wait_logic import WaitResult as WaitResult
from ._web import conversation_web_url as conversation_web_url
from .batch.active import BatchPausedError as BatchPausedError
from .batch.ledger import LedgerError as LedgerError
from .batch.retries import FailureKind as FailureKind
from .batch.retries import FailureReason as FailureReason
from .batch.runner import AsyncBatch as AsyncBatch
from .batch.spec import BatchInputError as BatchInputError
from .batch.sync import Batch as Batch
from .github.errors import GitHubAuthError as GitHubAuthError
from .github.errors import GitHubConfigError as GitHubConfigError
from .github.errors import GitHubConnectionError as GitHubConnectionError
from .github.errors import GitHubError as GitHubError
from .github.errors import GitHubNotFoundError as GitHubNotFoundError
from .github.errors import GitHubNoTokenError as GitHubNoTokenError
from .github.errors import GitHubPermissionError as GitHubPermissionError
from .github.errors import GitHubRateLimitError as GitHubRateLimitError
from .github.errors import GitHubStatusError as GitHubStatusError
from .local.install import InstallError as InstallError
from .local.server import LocalServer as LocalServer
from .local.server import LocalServerError as LocalServerError
from .stats.aggregate import ConversationStat as ConversationStat
from .stats.aggregate import FleetStats as FleetStats
from .stats.aggregate import StatsGroup as StatsGroup
from .stats.html import render_stats_html as render_stats_html
from .templates import TemplateError as TemplateError
from .types.files import Download as Download
from .types.pending import PendingAction as PendingAction

__all__ = [
    "__version__",
    "describe_failure",
    "Failure",
    "exit_code_for",
    "ExitCode",
    "templates",
    "TemplateError",
    "MissingAPIKeyError",
    "types",
    "ArchiveError",
    "CorruptArchiveError",
    "UnsafeArchiveError",
    "safe_extract",
    "AsyncPager",
    "AsyncAgentServer",
    "AsyncEventStream",
    "AsyncOpenHands",
    "aconnect",
    "connect",
    "probe",
    "LegacyConversationNotFoundError",
    "LegacyUnavailableError",
    "MissingExtraError",
    "DeviceAccessDeniedError",
    "DeviceCodeExpiredError",
    "DeviceLoginError",
    "GitHubAuthError",
    "GitHubConfigError",
    "GitHubConnectionError",
    "GitHubError",
    "GitHubNoTokenError",
    "GitHubNotFoundError",
    "GitHubPermissionError",
    "GitHubRateLimitError",
    "GitHubStatusError",
    "CLOUD_URL",
    "API_KEY_VARS",
    "BASE_URL_VARS",
    "StoredProfile",
    "config_dir",
    "default_profile_name",
    "set_profile_org",
    "StartFailure",
    "describe_start_failure",
    "conversation_web_url",
    "is_secret_name",
    "redact",
    "redact_url",
    "format_duration",
    "parse_duration",
    "BulkPlan",
    "FleetStats",
    "StatsGroup",
    "ConversationStat",
    "render_stats_html",
    "BulkResult",
    "PlannedAction",
    "StopResult",
    "HookRun",
    "hook_env",
    "run_hook",
    "delete_profile",
    "keyring_available",
    "list_profiles",
    "load_profile",
    "save_profile",
    "set_default_profile",
    "deadline",
    "APIConnectionError",
    "APIStatusError",
    "APITimeoutError",
    "AuthenticationError",
    "BadRequestError",
    "ConcurrencyLimitError",
    "ConfigurationError",
    "ConflictError",
    "ConversationFailedError",
    "DailyLimitError",
    "GoneError",
    "IdKindError",
    "InternalServerError",
    "InvalidArgumentError",
    "InvalidIdError",
    "NeedsInputError",
    "NothingPendingError",
    "NotFoundError",
    "OhctlError",
    "PermissionDeniedError",
    "RateLimitError",
    "ResourceNotFoundError",
    "SandboxFailedError",
    "SandboxNotRunningError",
    "ServerTooOldError",
    "InstallError",
    "LocalServerError",
    "LocalServer",
    "SessionKeyError",
    "StalledError",
    "InvalidOutputError",
    "OutputSchemaError",
    "StructuredResult",
    "load_output_schema",
    "OverBudgetError",
    "StartTaskFailedError",
    "StreamError",
    "UnexpectedResponseError",
    "UnprocessableEntityError",
    "WaitError",
    "WaitTimeoutError",
    "WorkspaceDiffError",
    "ConversationId",
    "ConversationRef",
    "SandboxRef",
    "StartTaskId",
    "StartTaskRef",
    "Pager",
    "AgentServer",
    "EventStream",
    "OpenHands",
    "Outcome",
    "Stall",
    "Budget",
    "BudgetHit",
    "WaitResult",
    "Download",
    "PendingAction",
    "Patch",
    "PatchFile",
    "PatchHunk",
    "PatchStats",
    "AppliedPatch",
    "PatchConflict",
    "PatchError",
    "PatchApplyError",
    "PatchConflictError",
    "PatchUnavailableError",
    "BestOf",
    "BestOfAttempt",
    "choose_winner",
    "best_of",
    "abest_of",
    "AsyncBatch",
    "BatchInputError",
    "BatchPausedError",
    "LedgerError",
    "Batch",
    "FailureKind",
    "FailureReason",
]

"""ohctl: a typed Python SDK and command line for OpenHands (Cloud and self-hosted servers).

Every public name is loaded on first use (PEP 562), so that ``import ohctl`` and the command line
start fast: nothing heavy (httpx, pydantic, websockets) is imported until a name needs it.
"""

from __future__ import annotations

import importlib
from typing import Any

from ._version import __version__

# THE table of public names: public name -> (module, attribute); attribute None: the module itself.
# ``__all__`` is made from it, and the stub ``__init__.pyi`` that type checkers and IDEs read is
# generated from it (python scripts/gen_init_stub.py).
_LAZY: dict[str, tuple[str, str | None]] = {
    "describe_failure": ("._failures", "describe_failure"),
    "Failure": ("._failures", "Failure"),
    "exit_code_for": ("._exit_codes", "exit_code_for"),
    "ExitCode": ("._exit_codes", "ExitCode"),
    "templates": (".templates", None),
    "TemplateError": (".templates", "TemplateError"),
    "MissingAPIKeyError": ("._errors", "MissingAPIKeyError"),
    "types": (".types", None),
    "ArchiveError": ("._archive", "ArchiveError"),
    "CorruptArchiveError": ("._archive", "CorruptArchiveError"),
    "UnsafeArchiveError": ("._archive", "UnsafeArchiveError"),
    "safe_extract": ("._archive", "safe_extract"),
    "AsyncPager": ("._async._pagination", "AsyncPager"),
    "AsyncAgentServer": ("._async.agent.client", "AsyncAgentServer"),
    "AsyncEventStream": ("._async.agent.stream", "AsyncEventStream"),
    "AsyncOpenHands": ("._async.client", "AsyncOpenHands"),
    "aconnect": ("._connect", "aconnect"),
    "connect": ("._connect", "connect"),
    "probe": ("._connect", "probe"),
    "LegacyConversationNotFoundError": ("._legacy_errors", "LegacyConversationNotFoundError"),
    "LegacyUnavailableError": ("._legacy_errors", "LegacyUnavailableError"),
    "MissingExtraError": ("._require", "MissingExtraError"),
    "DeviceAccessDeniedError": ("._device_flow", "DeviceAccessDeniedError"),
    "DeviceCodeExpiredError": ("._device_flow", "DeviceCodeExpiredError"),
    "DeviceLoginError": ("._device_flow", "DeviceLoginError"),
    "GitHubAuthError": (".github.errors", "GitHubAuthError"),
    "GitHubConfigError": (".github.errors", "GitHubConfigError"),
    "GitHubConnectionError": (".github.errors", "GitHubConnectionError"),
    "GitHubError": (".github.errors", "GitHubError"),
    "GitHubNoTokenError": (".github.errors", "GitHubNoTokenError"),
    "GitHubNotFoundError": (".github.errors", "GitHubNotFoundError"),
    "GitHubPermissionError": (".github.errors", "GitHubPermissionError"),
    "GitHubRateLimitError": (".github.errors", "GitHubRateLimitError"),
    "GitHubStatusError": (".github.errors", "GitHubStatusError"),
    "CLOUD_URL": ("._config", "CLOUD_URL"),
    "API_KEY_VARS": ("._config", "API_KEY_VARS"),
    "BASE_URL_VARS": ("._config", "BASE_URL_VARS"),
    "StoredProfile": ("._credentials", "StoredProfile"),
    "config_dir": ("._credentials", "config_dir"),
    "default_profile_name": ("._credentials", "default_profile_name"),
    "set_profile_org": ("._credentials", "set_profile_org"),
    "StartFailure": ("._start_failure", "StartFailure"),
    "describe_start_failure": ("._start_failure", "describe_start_failure"),
    "conversation_web_url": ("._web", "conversation_web_url"),
    "is_secret_name": ("._redact", "is_secret_name"),
    "redact": ("._redact", "redact"),
    "redact_url": ("._redact", "redact_url"),
    "format_duration": ("._format", "duration"),
    "parse_duration": ("._bulk", "parse_duration"),
    "BulkPlan": ("._bulk", "BulkPlan"),
    "FleetStats": (".stats.aggregate", "FleetStats"),
    "StatsGroup": (".stats.aggregate", "StatsGroup"),
    "ConversationStat": (".stats.aggregate", "ConversationStat"),
    "render_stats_html": (".stats.html", "render_stats_html"),
    "BulkResult": ("._bulk", "BulkResult"),
    "PlannedAction": ("._bulk", "PlannedAction"),
    "StopResult": ("._bulk", "StopResult"),
    "HookRun": ("._hooks", "HookRun"),
    "hook_env": ("._hooks", "hook_env"),
    "run_hook": ("._hooks", "run_hook"),
    "delete_profile": ("._credentials", "delete_profile"),
    "keyring_available": ("._credentials", "keyring_available"),
    "list_profiles": ("._credentials", "list_profiles"),
    "load_profile": ("._credentials", "load_profile"),
    "save_profile": ("._credentials", "save_profile"),
    "set_default_profile": ("._credentials", "set_default_profile"),
    "deadline": ("._deadline", "deadline"),
    "APIConnectionError": ("._errors", "APIConnectionError"),
    "APIStatusError": ("._errors", "APIStatusError"),
    "APITimeoutError": ("._errors", "APITimeoutError"),
    "AuthenticationError": ("._errors", "AuthenticationError"),
    "BadRequestError": ("._errors", "BadRequestError"),
    "ConcurrencyLimitError": ("._errors", "ConcurrencyLimitError"),
    "ConfigurationError": ("._errors", "ConfigurationError"),
    "ConflictError": ("._errors", "ConflictError"),
    "ConversationFailedError": ("._errors", "ConversationFailedError"),
    "DailyLimitError": ("._errors", "DailyLimitError"),
    "GoneError": ("._errors", "GoneError"),
    "IdKindError": ("._errors", "IdKindError"),
    "InternalServerError": ("._errors", "InternalServerError"),
    "InvalidArgumentError": ("._errors", "InvalidArgumentError"),
    "InvalidIdError": ("._errors", "InvalidIdError"),
    "NeedsInputError": ("._errors", "NeedsInputError"),
    "NothingPendingError": ("._errors", "NothingPendingError"),
    "NotFoundError": ("._errors", "NotFoundError"),
    "OhctlError": ("._errors", "OhctlError"),
    "PermissionDeniedError": ("._errors", "PermissionDeniedError"),
    "RateLimitError": ("._errors", "RateLimitError"),
    "ResourceNotFoundError": ("._errors", "ResourceNotFoundError"),
    "SandboxFailedError": ("._errors", "SandboxFailedError"),
    "SandboxNotRunningError": ("._errors", "SandboxNotRunningError"),
    "ServerTooOldError": ("._errors", "ServerTooOldError"),
    "InstallError": (".local.install", "InstallError"),
    "LocalServerError": (".local.server", "LocalServerError"),
    "LocalServer": (".local.server", "LocalServer"),
    "SessionKeyError": ("._errors", "SessionKeyError"),
    "StalledError": ("._errors", "StalledError"),
    "InvalidOutputError": ("._structured", "InvalidOutputError"),
    "OutputSchemaError": ("._structured", "OutputSchemaError"),
    "StructuredResult": ("._structured", "StructuredResult"),
    "load_output_schema": ("._structured", "load_output_schema"),
    "OverBudgetError": ("._errors", "OverBudgetError"),
    "StartTaskFailedError": ("._errors", "StartTaskFailedError"),
    "StreamError": ("._errors", "StreamError"),
    "UnexpectedResponseError": ("._errors", "UnexpectedResponseError"),
    "UnprocessableEntityError": ("._errors", "UnprocessableEntityError"),
    "WaitError": ("._errors", "WaitError"),
    "WaitTimeoutError": ("._errors", "WaitTimeoutError"),
    "WorkspaceDiffError": ("._errors", "WorkspaceDiffError"),
    "ConversationId": ("._ids", "ConversationId"),
    "ConversationRef": ("._ids", "ConversationRef"),
    "SandboxRef": ("._ids", "SandboxRef"),
    "StartTaskId": ("._ids", "StartTaskId"),
    "StartTaskRef": ("._ids", "StartTaskRef"),
    "Pager": ("._sync._pagination", "Pager"),
    "AgentServer": ("._sync.agent.client", "AgentServer"),
    "EventStream": ("._sync.agent.stream", "EventStream"),
    "OpenHands": ("._sync.client", "OpenHands"),
    "Outcome": ("._wait_logic", "Outcome"),
    "Stall": ("._wait_logic", "Stall"),
    "Budget": ("._budget", "Budget"),
    "BudgetHit": ("._budget", "BudgetHit"),
    "WaitResult": ("._wait_logic", "WaitResult"),
    "Download": (".types.files", "Download"),
    "PendingAction": (".types.pending", "PendingAction"),
    "Patch": ("._patch", "Patch"),
    "PatchFile": ("._patch", "PatchFile"),
    "PatchHunk": ("._patch", "PatchHunk"),
    "PatchStats": ("._patch", "PatchStats"),
    "AppliedPatch": ("._patch_apply", "AppliedPatch"),
    "PatchConflict": ("._patch_apply", "PatchConflict"),
    "PatchError": ("._patch_apply", "PatchError"),
    "PatchApplyError": ("._patch_apply", "PatchApplyError"),
    "PatchConflictError": ("._patch_apply", "PatchConflictError"),
    "PatchUnavailableError": ("._patch_apply", "PatchUnavailableError"),
    "BestOf": ("._best_of", "BestOf"),
    "BestOfAttempt": ("._best_of", "BestOfAttempt"),
    "choose_winner": ("._best_of", "choose_winner"),
    "best_of": ("._sync.lib.best_of", "best_of"),
    "abest_of": ("._async.lib.best_of", "best_of"),
    "AsyncBatch": (".batch.runner", "AsyncBatch"),
    "BatchInputError": (".batch.spec", "BatchInputError"),
    "BatchPausedError": (".batch.active", "BatchPausedError"),
    "LedgerError": (".batch.ledger", "LedgerError"),
    "Batch": (".batch.sync", "Batch"),
    "FailureKind": (".batch.retries", "FailureKind"),
    "FailureReason": (".batch.retries", "FailureReason"),
}


def __getattr__(name: str) -> Any:
    try:
        module_name, attribute = _LAZY[name]
    except KeyError:
        raise AttributeError(f"module 'ohctl' has no attribute {name!r}") from None
    module = importlib.import_module(module_name, __name__)
    value = module if attribute is None else getattr(module, attribute)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(_LAZY))


__all__ = ["__version__", *_LAZY]

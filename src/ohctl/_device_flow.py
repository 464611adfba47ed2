"""The OAuth device flow's polling rules (RFC 8628 section 3.5) as a state machine without I/O.

The driver (``_async/cloud/device_login.py``) asks ``DevicePolling`` how long to wait, polls the
token endpoint, and hands each answer back; the machine says "poll again after N seconds", returns
the token, or raises. Time is passed in, so tests run it without sleeping or a network:

- ``authorization_pending``: poll again after the interval;
- ``slow_down`` (or an HTTP 429): the interval grows by 5 seconds for this and every later poll;
- ``expired_token``, or the code's lifetime running out: DeviceCodeExpiredError (start again);
- ``access_denied``: DeviceAccessDeniedError; ``invalid_grant`` and any other error: DeviceLoginError;
- a transient failure (network, 5xx): poll again, up to ``MAX_FAILURES`` in a row.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from ._errors import OhctlError

SLOW_DOWN_STEP = 5.0  # RFC 8628 3.5: "the interval MUST be increased by 5 seconds"
MIN_INTERVAL = 1.0
MAX_INTERVAL = 60.0
MAX_FAILURES = 5


class DeviceLoginError(OhctlError):
    """The device login did not give a key; the message says why and what to do."""


class DeviceCodeExpiredError(DeviceLoginError):
    """The code expired before it was approved in the browser: start the login again."""


class DeviceAccessDeniedError(DeviceLoginError):
    """The login was refused in the browser."""


@dataclass(frozen=True)
class PollAgain:
    """Poll the token endpoint again after ``after`` seconds."""

    after: float


@dataclass(frozen=True)
class Granted:
    """The token endpoint's success body (``access_token`` is an API key)."""

    body: dict[str, Any]


def _error_code(body: Any) -> tuple[str | None, str]:
    """The OAuth ``error`` and its description, from the body itself or FastAPI's ``detail`` wrapper."""
    if isinstance(body, dict) and isinstance(body.get("detail"), dict):
        body = body["detail"]
    if not isinstance(body, dict):
        return None, ""
    error = body.get("error")
    description = body.get("error_description") or ""
    return (str(error) if error else None), str(description)


class DevicePolling:
    """Where a device login's polling stands. ``now`` is any monotonic clock's reading in seconds."""

    def __init__(self, *, interval: float, expires_in: float, now: float) -> None:
        self.interval = min(max(float(interval or 0), MIN_INTERVAL), MAX_INTERVAL)
        self.expires_at = now + max(float(expires_in or 0), 0.0)
        self.failures = 0
        self.polls = 0

    def first(self, now: float) -> PollAgain:
        """The wait before the first poll (the user needs some seconds to approve anyway)."""
        return self._again(now)

    def _again(self, now: float) -> PollAgain:
        if now + self.interval >= self.expires_at:
            raise DeviceCodeExpiredError(
                "The login code expired before it was approved in the browser: run the login again"
            )
        return PollAgain(self.interval)

    def answer(self, status: int, body: Any, now: float) -> PollAgain | Granted:
        """Take the token endpoint's answer (status and decoded JSON body)."""
        self.polls += 1
        if 200 <= status < 300:
            if isinstance(body, dict) and isinstance(body.get("access_token"), str) and body["access_token"]:
                self.failures = 0
                return Granted(body)
            return self.failure(now, "an answer without an access_token")
        error, description = _error_code(body)
        if error == "authorization_pending":
            self.failures = 0
            return self._again(now)
        if error == "slow_down" or (status == 429 and error is None):
            self.failures = 0
            self.interval = min(self.interval + SLOW_DOWN_STEP, MAX_INTERVAL)
            return self._again(now)
        if error == "expired_token":
            raise DeviceCodeExpiredError(
                "The login code expired before it was approved in the browser: run the login again"
            )
        if error == "access_denied":
            raise DeviceAccessDeniedError("The login was refused in the browser: run it again to retry")
        if error is None and status >= 500:
            return self.failure(now, f"HTTP {status}")
        what = error or f"HTTP {status}"
        detail = f" ({description})" if description else ""
        raise DeviceLoginError(f"The server ended the device login: {what}{detail}. Run the login again")

    def failure(self, now: float, reason: str) -> PollAgain:
        """A poll that got no answer (network, 5xx): poll on, but not forever."""
        self.failures += 1
        if self.failures >= MAX_FAILURES:
            raise DeviceLoginError(
                f"The device login's token endpoint failed {self.failures} times in a row (last: {reason}); "
                "check the network and run the login again"
            )
        return self._again(now)

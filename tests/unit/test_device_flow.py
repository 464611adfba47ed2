"""The device flow's polling rules (RFC 8628 3.5) without I/O: intervals, slow_down, the code's
lifetime, and every way it ends."""

from __future__ import annotations

import pytest

from ohctl.cloud import (
    DeviceAccessDeniedError,
    DeviceCodeExpiredError,
    DeviceLoginError,
    DevicePolling,
    Granted,
    PollAgain,
)

PENDING = {"error": "authorization_pending", "error_description": "User has not yet completed authorization"}


def test_pending_polls_at_the_interval_then_grants() -> None:
    polling = DevicePolling(interval=5, expires_in=600, now=0)
    assert polling.first(0) == PollAgain(5)
    assert polling.answer(400, PENDING, 5) == PollAgain(5)
    answer = polling.answer(200, {"access_token": "sk-oh-x", "token_type": "Bearer"}, 10)
    assert isinstance(answer, Granted) and answer.body["access_token"] == "sk-oh-x"
    assert polling.polls == 2


def test_slow_down_adds_five_seconds_for_every_later_poll() -> None:
    polling = DevicePolling(interval=5, expires_in=600, now=0)
    assert polling.answer(400, {"error": "slow_down"}, 5) == PollAgain(10)
    assert polling.answer(400, PENDING, 15) == PollAgain(10)  # the slower pace stays
    assert polling.answer(400, {"detail": {"error": "slow_down"}}, 25) == PollAgain(15)  # FastAPI's wrapper
    assert polling.answer(429, None, 40) == PollAgain(20)  # a rate limiter's 429 slows down too


def test_the_interval_is_kept_within_bounds() -> None:
    assert DevicePolling(interval=0, expires_in=600, now=0).interval == 1
    assert DevicePolling(interval=3600, expires_in=6000, now=0).interval == 60
    polling = DevicePolling(interval=58, expires_in=6000, now=0)
    assert polling.answer(400, {"error": "slow_down"}, 0) == PollAgain(60)


@pytest.mark.parametrize(
    ("body", "error", "words"),
    [
        ({"error": "expired_token"}, DeviceCodeExpiredError, "expired"),
        ({"error": "access_denied"}, DeviceAccessDeniedError, "refused"),
        ({"error": "invalid_grant", "error_description": "Invalid device code"}, DeviceLoginError, "invalid_grant"),
        ({"error": "server_error"}, DeviceLoginError, "server_error"),
    ],
)
def test_terminal_errors(body: dict[str, str], error: type[Exception], words: str) -> None:
    polling = DevicePolling(interval=5, expires_in=600, now=0)
    with pytest.raises(error) as info:
        polling.answer(400, body, 5)
    assert words in str(info.value) and "again" in str(info.value)


def test_the_codes_lifetime_ends_the_polling() -> None:
    polling = DevicePolling(interval=5, expires_in=12, now=100)
    assert polling.first(100) == PollAgain(5)
    assert polling.answer(400, PENDING, 105) == PollAgain(5)
    with pytest.raises(DeviceCodeExpiredError):
        polling.answer(400, PENDING, 108)  # 108 + 5 is past 112: no poll could still succeed


def test_transient_failures_are_polled_through_but_not_forever() -> None:
    polling = DevicePolling(interval=5, expires_in=600, now=0)
    for n in range(4):
        assert polling.failure(n, "ConnectError") == PollAgain(5)
    assert polling.answer(400, PENDING, 10) == PollAgain(5)  # an answer resets the count
    assert polling.answer(503, "<html>busy</html>", 15) == PollAgain(5)
    for n in range(3):
        polling.failure(20 + n, "ConnectError")
    with pytest.raises(DeviceLoginError, match="5 times in a row"):
        polling.failure(30, "ConnectError")


def test_a_success_without_a_token_is_not_a_success() -> None:
    polling = DevicePolling(interval=5, expires_in=600, now=0)
    assert polling.answer(200, {"access_token": ""}, 5) == PollAgain(5)
    assert polling.failures == 1

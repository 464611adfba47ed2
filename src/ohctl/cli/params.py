"""Argument types the conversation commands share: conversation ids, times, template variables."""

from __future__ import annotations

import functools
import math
import sys
from collections.abc import Callable
from datetime import datetime, timedelta, timezone
from typing import TYPE_CHECKING, Any, TypeVar

import click

F = TypeVar("F", bound=Callable[..., Any])

if TYPE_CHECKING:
    import ohctl

    ParamBase = click.ParamType[Any, Any]  # generic from click 8.2 on
else:
    ParamBase = click.ParamType


class ConversationIdType(ParamBase):
    """A conversation id in hex or hyphenated form (normalised to the app server's hex form)."""

    name = "ID"

    def convert(self, value: Any, param: click.Parameter | None, ctx: click.Context | None) -> Any:
        import ohctl

        try:
            return ohctl.ConversationId(value)
        except ohctl.InvalidIdError:
            self.fail(f"{value!r} is not a conversation id (32 hex characters, hyphens allowed)", param, ctx)


CONVERSATION = ConversationIdType()


def _span(text: str) -> timedelta | None:
    """``text`` as a duration with its unit (``90s``, ``15m``, ``2h``, ``7d``, ``2w``: read by
    ``ohctl.parse_duration``, the one reader of durations), or None when it is not one."""
    import ohctl

    if not text.strip() or not text.strip()[-1].isalpha():
        return None
    try:
        return ohctl.parse_duration(text)
    except ohctl.InvalidArgumentError:
        return None


class SinceType(ParamBase):
    """A moment: a duration back from now (``30m``, ``2h``, ``7d``) or an ISO date or date-time."""

    name = "WHEN"

    def convert(self, value: Any, param: click.Parameter | None, ctx: click.Context | None) -> Any:
        if isinstance(value, datetime):
            return value
        text = str(value)
        span = _span(text)
        if span is not None:
            return datetime.now(timezone.utc) - span
        try:
            moment = datetime.fromisoformat(text.replace("Z", "+00:00"))
        except ValueError:
            self.fail(f"{text!r} is neither a duration (30m, 2h, 7d) nor an ISO date (2026-01-31)", param, ctx)
        return moment if moment.tzinfo else moment.replace(tzinfo=timezone.utc)


SINCE = SinceType()


class DurationType(ParamBase):
    """A span of time: ``90s``, ``15m``, ``2h`` (or a number of seconds); ``off`` for none."""

    name = "DURATION"

    def convert(self, value: Any, param: click.Parameter | None, ctx: click.Context | None) -> Any:
        if value is None or isinstance(value, float):
            return value
        text = str(value).strip()
        if text.lower() in ("off", "never", "none"):
            return None
        span = _span(text)
        try:
            seconds = span.total_seconds() if span is not None else float(text)
        except ValueError:
            self.fail(f"{text!r} is not a duration: write 90s, 15m, 2h (or off)", param, ctx)
        if seconds <= 0:
            self.fail(f"{text!r} is not a positive duration", param, ctx)
        return seconds


DURATION = DurationType()

STALL_HELP = "a running agent with no event for this long ends the wait as stalled (exit 9); off: never."


def stall_after_option(when: str = "") -> Callable[[F], F]:
    """The ``--stall-after`` option of every command that waits on an agent (15 minutes, as the
    library's ``wait``); ``when`` prefixes its help (say ``"With --wait: "``)."""
    text = STALL_HELP if not when else when + STALL_HELP
    return click.option(
        "--stall-after", type=DURATION, default="15m", show_default=True, help=text[0].upper() + text[1:]
    )


class MoneyType(ParamBase):
    """An amount of US dollars: a positive, finite number (``2``, ``0.50``)."""

    name = "usd"

    def convert(self, value: Any, param: click.Parameter | None, ctx: click.Context | None) -> float:
        if isinstance(value, float):
            return value
        try:
            amount = float(str(value).strip().removeprefix("$"))
        except ValueError:
            self.fail(f"{value!r} is not an amount of USD: write 2 or 0.50", param, ctx)
        if not math.isfinite(amount) or amount <= 0:
            self.fail(f"{value!r} is not a positive amount of USD", param, ctx)
        return amount


MONEY = MoneyType()

BUDGET_HELP = (
    "{when}pause the agent and exit 10 (over budget) once its {what} reaches this; read from the "
    "server's metrics, which trail the agent by up to about 30 s."
)


def _sentence(text: str) -> str:
    return text[0].upper() + text[1:]


def budget_options(when: str = "") -> Callable[[F], F]:
    """The ``--max-cost`` (USD) and ``--max-tokens`` options of every command that waits on an agent
    (the library's ``max_cost`` / ``max_tokens``); ``when`` prefixes their help (``"With --wait: "``)."""
    cost = click.option(
        "--max-cost",
        type=MONEY,
        default=None,
        metavar="USD",
        help=_sentence(BUDGET_HELP.format(when=when, what="cost (USD)")),
    )
    tokens = click.option(
        "--max-tokens",
        type=click.IntRange(min=1),
        default=None,
        metavar="N",
        help=_sentence(BUDGET_HELP.format(when=when, what="tokens (prompt and completion)")),
    )

    def apply(command: F) -> F:
        return cost(tokens(command))

    return apply


def parse_vars(pairs: tuple[str, ...]) -> dict[str, str]:
    """``k=v`` pairs of ``--var`` into a dict (a pair without ``=`` is a usage error)."""
    out: dict[str, str] = {}
    for pair in pairs:
        name, sep, value = pair.partition("=")
        if not sep or not name.strip():
            raise click.BadParameter(f"{pair!r} is not NAME=VALUE", param_hint="--var")
        out[name.strip()] = value
    return out


def read_text_arg(value: str) -> str:
    """A text argument, or standard input when it is ``-``."""
    if value == "-":
        return sys.stdin.read()
    return value


class ThenWait:
    """What a command that sets the agent going (``send``, ``approve``, ``reject``) was asked to do
    after: nothing, or with ``--wait`` follow the run to its outcome within ``timeout`` seconds,
    calling it stalled after ``stall_after`` and pausing it at ``limits``."""

    def __init__(self, wait: bool, timeout: float, stall_after: float | None, limits: ohctl.Budget) -> None:
        self.wait = wait
        self.timeout = timeout
        self.stall_after = stall_after
        self.limits = limits


def then_wait_options(wait_help: str) -> Callable[[F], F]:
    """The options of a command that sets the agent going and may then wait for the run: ``--wait``
    (``wait_help``), ``--timeout``, ``--stall-after``, ``--max-cost`` and ``--max-tokens``, given to
    the command as one ``then: ThenWait``. A limit without ``--wait`` is a usage error."""

    def apply(command: F) -> F:
        @functools.wraps(command)
        def wrapped(
            *args: Any,
            wait: bool,
            timeout: float,
            stall_after: float | None,
            max_cost: float | None,
            max_tokens: int | None,
            **kwargs: Any,
        ) -> Any:
            from ohctl import Budget

            limits = Budget(max_cost, max_tokens)
            if limits.active and not wait:
                raise click.UsageError("--max-cost and --max-tokens watch the agent while waiting: add --wait")
            return command(*args, then=ThenWait(wait, timeout, stall_after, limits), **kwargs)

        options = [
            click.option("--wait", is_flag=True, help=wait_help),
            click.option(
                "--timeout", type=float, default=3600.0, show_default=True, help="Seconds to wait (with --wait)."
            ),
            stall_after_option("with --wait: "),
            budget_options("with --wait: "),
        ]
        decorated: Any = wrapped
        for option in reversed(options):
            decorated = option(decorated)
        return decorated  # type: ignore[no-any-return]

    return apply

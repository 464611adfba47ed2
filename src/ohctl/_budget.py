"""Spending limits (pure; shared by waits, ``watch``, the command line and batches).

A limit is read from what the polls already fetch: the app server's ``metrics`` of each conversation
(``accumulated_cost`` in USD; prompt plus completion tokens). Those metrics come from the agent's
statistics, which reach the app server in webhook batches: they trail the live agent by up to about
30 s, so an agent may spend a little past its limit before the limit is seen.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Literal

from ._errors import InvalidArgumentError
from .types.conversations import AppConversation

LimitName = Literal["cost", "tokens"]


def _check(value: float | None, name: str) -> None:
    if value is None:
        return
    if isinstance(value, bool) or not isinstance(value, (int, float)) or not math.isfinite(value) or value <= 0:
        raise InvalidArgumentError(f"{name} must be a positive number (or None for no limit), not {value!r}")


@dataclass(frozen=True, slots=True)
class Budget:
    """The limits of one conversation: ``max_cost`` (USD) and ``max_tokens`` (prompt and completion
    tokens together); None is no limit. A conversation is over budget once a value reaches its limit."""

    max_cost: float | None = None
    max_tokens: int | None = None

    def __post_init__(self) -> None:
        _check(self.max_cost, "max_cost")
        _check(self.max_tokens, "max_tokens")

    @property
    def active(self) -> bool:
        """Some limit is set."""
        return self.max_cost is not None or self.max_tokens is not None

    @classmethod
    def of(cls, max_cost: float | None, max_tokens: int | None) -> Budget | None:
        """The budget of these limits, or None when neither is set (checked: positive and finite)."""
        if max_cost is None and max_tokens is None:
            return None
        return cls(max_cost, max_tokens)

    def check(self, conversation: AppConversation | None) -> BudgetHit | None:
        """The limit the conversation has reached (cost first), or None."""
        if conversation is None:
            return None
        return self.check_values(conversation.cost, conversation.tokens)

    def check_values(self, cost: float, tokens: int) -> BudgetHit | None:
        """The limit that ``cost`` (USD) or ``tokens`` reach (cost first), or None."""
        if self.max_cost is not None and cost >= self.max_cost:
            return BudgetHit("cost", cost, self.max_cost)
        if self.max_tokens is not None and tokens >= self.max_tokens:
            return BudgetHit("tokens", tokens, self.max_tokens)
        return None

    def describe(self) -> str:
        parts = []
        if self.max_cost is not None:
            parts.append(f"cost {money(self.max_cost)}")
        if self.max_tokens is not None:
            parts.append(f"{self.max_tokens:,} tokens")
        return " or ".join(parts) or "no limit"


@dataclass(frozen=True, slots=True)
class BudgetHit:
    """Which limit a conversation reached (``limit``: ``cost`` or ``tokens``), its ``value`` then and
    the ``maximum``; ``paused`` once its agent was told to stop (``pausing`` while the step in flight
    still runs: the agent server pauses the agent when it ends), ``problem`` when that failed."""

    limit: LimitName
    value: float
    maximum: float
    paused: bool = False
    problem: str | None = None
    pausing: bool = False

    def describe(self) -> str:
        if self.limit == "cost":
            said = f"cost {money(self.value)} reached the limit {money(self.maximum)}"
        else:
            said = f"{int(self.value):,} tokens reached the limit {int(self.maximum):,}"
        if self.problem:
            return f"{said}; the agent could not be paused: {self.problem}"
        if self.pausing:
            return f"{said}; the agent pauses when its step in flight ends"
        return f"{said}; the agent was paused" if self.paused else said


def money(value: float) -> str:
    """USD with cents, and finer for amounts below a cent."""
    return f"${value:.2f}" if value >= 0.1 or value == 0 else f"${value:.4f}"

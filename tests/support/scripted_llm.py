"""The suite's scripted model is the one ohctl ships for ``ohctl local`` and ``ohctl demo``."""

from ohctl.local.scripted_model import (
    FINISH_MESSAGE,
    SIDE_ANSWER,
    SPEND_STEP_COST,
    SPEND_STEP_USAGE,
    ScriptedLLM,
    attempts_marker,
    command_marker,
    json_marker,
    plan,
    spend_marker,
    stall_marker,
)

__all__ = [
    "FINISH_MESSAGE",
    "SIDE_ANSWER",
    "SPEND_STEP_COST",
    "SPEND_STEP_USAGE",
    "ScriptedLLM",
    "attempts_marker",
    "command_marker",
    "json_marker",
    "plan",
    "spend_marker",
    "stall_marker",
]

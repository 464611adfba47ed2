"""The suite's scripted model is the one ohctl ships for ``ohctl local`` and ``ohctl demo``."""

from ohctl.local.scripted_model import (
    FINISH_MESSAGE,
    SIDE_ANSWER,
    ScriptedLLM,
    attempts_marker,
    command_marker,
    plan,
    stall_marker,
)

__all__ = ["FINISH_MESSAGE", "SIDE_ANSWER", "ScriptedLLM", "attempts_marker", "command_marker", "plan", "stall_marker"]

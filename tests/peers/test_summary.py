"""``client.conversations.summary``: a conversation at a glance in one call, on the real server."""

from __future__ import annotations

import pytest

import ohctl
from tests.support.peer_suite import LONG_STEPS, Shared
from tests.support.scripted_llm import FINISH_MESSAGE


def test_summary_of_a_finished_conversation(client: ohctl.OpenHands, shared: Shared) -> None:
    summary = client.conversations.summary(shared.id)
    assert isinstance(summary, ohctl.types.ConversationSummary)
    assert summary.id == shared.id
    assert summary.outcome == "finished"
    assert str(summary.execution_status) == "finished"
    assert summary.status == "finished"
    assert summary.first_user_message == f"Print twelve lines [ohctl:long:{LONG_STEPS}]"
    assert summary.last_agent_message == FINISH_MESSAGE
    assert summary.event_count >= 2 * LONG_STEPS  # an action and an observation per step
    assert summary.model == shared.conversation.llm_model
    assert summary.total_tokens == summary.prompt_tokens + summary.completion_tokens > 0
    assert summary.sandbox_id == shared.sandbox_id
    assert summary.pr_numbers == []
    assert "session_api_key" not in summary.model_dump()


def test_summary_takes_the_hyphenated_id(client: ohctl.OpenHands, shared: Shared) -> None:
    assert client.conversations.summary(shared.id.hyphenated).id == shared.id


@pytest.mark.anyio
async def test_summary_async(aclient: ohctl.AsyncOpenHands, shared: Shared) -> None:
    summary = await aclient.conversations.summary(shared.conversation)
    assert summary.last_agent_message == FINISH_MESSAGE


def test_summary_of_a_start_task_id_names_the_conversation(client: ohctl.OpenHands, shared: Shared) -> None:
    [task] = list(client.start_tasks.search(conversation_id=shared.id, limit=1))
    try:
        client.conversations.summary(str(task.id))
    except ohctl.IdKindError as exc:
        assert str(shared.id) in str(exc)
    else:
        raise AssertionError("a start-task id was taken for a conversation id")

# Generated from ohctl/_async by scripts/gen_sync.py: do not edit; edit the async source.
"""Structured output, the I/O: wait for the run, read the agent's final message, check its document,
and send a follow-up quoting the problems until it matches or the retries are spent. The pure rules
(finding the document, checking it, the messages) are in ``ohctl._structured``."""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING, Any

from ..._errors import InvalidArgumentError, OhctlError
from ..._ids import ConversationRef, conversation_id
from ..._structured import InvalidOutputError, Schema, StructuredResult, correction, describe_invalid
from ..._wait_logic import STALL_AFTER, Outcome, Poll
from ...types.conversations import AppConversation
from .handoff import agent_from_conversation
from .summary import agent_message
from .waiting import raise_for_outcome

if TYPE_CHECKING:
    from ..client import OpenHands

log = logging.getLogger("ohctl.wait")

# How many of the newest events are searched for the agent's final message.
FINAL_MESSAGE_SCAN = 50
# After a follow-up, how long the new final message may take to show up where it is read (the app
# server's stored events trail the agent server's by up to ~30 s).
NEW_MESSAGE_GRACE = 45.0


def final_message(client: OpenHands, conv: AppConversation) -> tuple[str | None, str | None]:
    """The id and text of the agent's newest message to the user (its ``finish`` message, or a plain
    message): from the agent server while the sandbox runs (first-hand), else the app server's store."""
    agent = agent_from_conversation(client, conv)
    if agent is not None:
        try:
            for event in agent.events.search(conv.id, sort_order="TIMESTAMP_DESC", limit=FINAL_MESSAGE_SCAN):
                said = agent_message(event)
                if said is not None:
                    return event.id, said
            return None, None
        except OhctlError as exc:
            log.debug("conversation %s: the agent server did not answer (%s); reading stored events", conv.id, exc)
        finally:
            agent.close()
    for event in client.events.search(conv.id, sort_order="TIMESTAMP_DESC", limit=FINAL_MESSAGE_SCAN):
        said = agent_message(event)
        if said is not None:
            return event.id, said
    return None, None


def _new_final_message(
    client: OpenHands, conv: AppConversation, previous: str | None, poll: Poll
) -> tuple[str | None, str | None]:
    """The final message of the run that just ended: one that is not ``previous`` (the last
    attempt's), looked for again while the store may trail, until the grace or the deadline passes."""
    left = poll.remaining()
    grace = Poll(NEW_MESSAGE_GRACE if left is None else max(0.0, min(NEW_MESSAGE_GRACE, left)))
    while True:
        event_id, text = final_message(client, conv)
        if previous is None or event_id != previous or grace.expired():
            return event_id, text
        client._http.sleep(grace.next_delay())


def structured_result(
    client: OpenHands,
    conversation: ConversationRef,
    output_schema: Any,
    *,
    retries: int,
    timeout: float | None,
    stall_after: float | None = STALL_AFTER,
    max_cost: float | None = None,
    max_tokens: int | None = None,
    fresh: bool = False,
    raise_on_outcome: bool = True,
) -> StructuredResult[Any]:
    """Wait for the agent, check its final document against ``output_schema``, and ask for a
    corrected one (quoting the problems) up to ``retries`` times. ``timeout`` covers everything."""
    if retries < 0:
        raise InvalidArgumentError(f"retries must be 0 or more, not {retries}")
    schema = Schema(output_schema)
    cid = conversation_id(conversation)
    poll = Poll(timeout)
    result: StructuredResult[Any] = StructuredResult(cid, None)
    previous: str | None = None
    while True:
        waited = client.conversations.wait(
            cid,
            timeout=poll.remaining(),
            fresh=fresh,
            stall_after=stall_after,
            max_cost=max_cost,
            max_tokens=max_tokens,
            raise_on_outcome=False,
        )
        result.conversation, result.stall, result.budget = waited.conversation, waited.stall, waited.budget
        if waited.outcome != Outcome.FINISHED or waited.conversation is None:
            result.outcome = waited.outcome
            if raise_on_outcome:
                raise_for_outcome(waited, timeout)
            return result
        previous, result.raw = _new_final_message(client, waited.conversation, previous, poll)
        result.attempts += 1
        checked = schema.check(result.raw)
        result.errors.append(checked.errors)
        result.document = checked.document
        if checked.ok:
            result.outcome, result.value = Outcome.FINISHED, checked.value
            return result
        log.info("conversation %s: attempt %d did not match the schema: %s", cid, result.attempts, checked.errors[:3])
        if result.attempts > retries:
            result.outcome = Outcome.INVALID_OUTPUT
            if raise_on_outcome:
                raise InvalidOutputError(describe_invalid(result), result=result)
            return result
        client.conversations.send_message(cid, correction(checked.errors, schema, attempt=result.attempts))
        fresh = True

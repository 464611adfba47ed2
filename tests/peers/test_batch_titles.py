"""A batch input line's title is the conversation's title on the real server (it was ignored: every
conversation kept the server's automatic title). The start itself still carries the ledger's tag, which
is how a crashed run finds its starts again."""

from __future__ import annotations

from pathlib import Path

import ohctl
from tests.support.peer_suite import Shared


def test_a_batch_line_title_is_the_conversations_title(client: ohctl.OpenHands, shared: Shared, tmp_path: Path) -> None:
    lines = [
        {
            "key": "titled",
            "message": "Hello [ohctl:default]",
            "title": "Batch: fix the parser",
            "sandbox_id": shared.sandbox_id,
        },
        {"key": "untitled", "message": "Hello [ohctl:default]", "sandbox_id": shared.sandbox_id},
    ]
    events: list[ohctl.batch.BatchEvent] = []
    batch = ohctl.Batch(
        tmp_path / "b.db", lines, client=client, max_starting=1, poll_interval=1, on_event=events.append
    )
    results = {r.key: r for r in batch.run()}
    assert {k: r.state for k, r in results.items()} == {"titled": "finished", "untitled": "finished"}
    titled, untitled = client.conversations.get(
        [results["titled"].conversation_id, results["untitled"].conversation_id]
    )
    assert titled is not None and titled.title == "Batch: fix the parser"
    assert untitled is not None and untitled.title != "Batch: fix the parser"
    assert not [e for e in events if e.kind == "title_failed"]
    tasks = list(client.start_tasks.search(conversation_id=titled.id, limit=1))
    request = tasks[0].request if tasks else None
    assert request is not None and str(request.get("title", "")).startswith("batch:")  # the ledger's tag

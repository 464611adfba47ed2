"""Fuzz cases of the legacy V0 client (``ohctl.legacy``), for ``test_legacy_fuzz``: each V0 route that
reads a JSON success body, a valid example body (from V0's document and what 1.6.0 answered) and how
to call the method (on a ``LegacyOpenHands`` or ``AsyncLegacyOpenHands``)."""

from __future__ import annotations

from typing import Any

from tests.support.fuzz_cases import BODY_SECRET, CID, NOW, Case

# V0 routes whose success body is not JSON.
LEGACY_NOT_JSON = {("GET", "/api/conversations/{conversation_id}/zip-directory")}

CONVERSATION: dict[str, Any] = {
    "conversation_id": CID,
    "title": "Fix the test",
    "last_updated_at": NOW,
    "status": "RUNNING",
    "runtime_status": "STATUS$READY",
    "selected_repository": "octo/parser",
    "selected_branch": "main",
    "git_provider": "github",
    "trigger": "gui",
    "num_connections": 0,
    "url": f"/api/conversations/{CID}",
    "session_api_key": BODY_SECRET,
    "created_at": NOW,
    "pr_number": [3],
    "conversation_version": "V0",
    "sub_conversation_ids": [],
    "public": None,
    "sandbox_id": None,
}
EVENT: dict[str, Any] = {
    "id": 7,
    "timestamp": NOW,
    "source": "agent",
    "message": "Running command: ls",
    "action": "run",
    "args": {"command": "ls", "is_input": False},
    "llm_metrics": {"accumulated_cost": 0.5, "accumulated_token_usage": {"prompt_tokens": 3}},
    "tool_call_metadata": {"model_response": {"model": "gpt"}},
}
STATE = {"id": 8, "source": "environment", "observation": "agent_state_changed", "extras": {"agent_state": "finished"}}
CREATED = {"status": "ok", "conversation_id": CID, "message": None, "conversation_status": "STARTING"}


def _legacy(name: str, method: str, template: str, body: Any, call: Any) -> Case:
    return Case(name, "legacy", method, template, body, call)


def _probe(client: Any) -> Any:
    """``ohctl.probe`` over the test client's transport (sync or async, like the client)."""
    from ohctl._async.detect import probe as async_probe
    from ohctl._sync.detect import probe as sync_probe
    from ohctl.legacy import AsyncLegacyOpenHands

    probe: Any = async_probe if isinstance(client, AsyncLegacyOpenHands) else sync_probe
    return probe(client.base_url, http_client=client._http.client)


LEGACY_CASES: list[Case] = [
    # The detection reads the V1 web-client config (an app-server route) and V0's list.
    _legacy("detect.probe", "GET", "/api/v1/web-client/config", {"app_mode": "oss", "feature_flags": {}}, _probe),
    _legacy("legacy.create", "POST", "/api/conversations", CREATED, lambda c: c.conversations.create("hi")),
    _legacy(
        "legacy.list",
        "GET",
        "/api/conversations",
        {"results": [CONVERSATION], "next_page_id": None},
        lambda c: c.conversations.list(limit=5),
    ),
    _legacy(
        "legacy.get", "GET", "/api/conversations/{conversation_id}", CONVERSATION, lambda c: c.conversations.get(CID)
    ),
    _legacy(
        "legacy.update_title",
        "PATCH",
        "/api/conversations/{conversation_id}",
        True,
        lambda c: c.conversations.update_title(CID, "t"),
    ),
    _legacy(
        "legacy.delete", "DELETE", "/api/conversations/{conversation_id}", True, lambda c: c.conversations.delete(CID)
    ),
    _legacy(
        "legacy.send_message",
        "POST",
        "/api/conversations/{conversation_id}/message",
        {"success": True},
        lambda c: c.conversations.send_message(CID, "more"),
    ),
    _legacy(
        "legacy.start",
        "POST",
        "/api/conversations/{conversation_id}/start",
        CREATED,
        lambda c: c.conversations.start(CID),
    ),
    _legacy(
        "legacy.stop", "POST", "/api/conversations/{conversation_id}/stop", CREATED, lambda c: c.conversations.stop(CID)
    ),
    _legacy(
        "legacy.config",
        "GET",
        "/api/conversations/{conversation_id}/config",
        {"runtime_id": "r1", "session_id": CID},
        lambda c: c.conversations.config(CID),
    ),
    _legacy(
        "legacy.vscode_url",
        "GET",
        "/api/conversations/{conversation_id}/vscode-url",
        {"vscode_url": "http://127.0.0.1:9/vscode"},
        lambda c: c.conversations.vscode_url(CID),
    ),
    _legacy(
        "legacy.events",
        "GET",
        "/api/conversations/{conversation_id}/events",
        {"events": [STATE, EVENT], "has_more": False},
        lambda c: c.events.iterate(CID, kinds=["run", "agent_state_changed"]),
    ),
    _legacy(
        "legacy.list_files",
        "GET",
        "/api/conversations/{conversation_id}/list-files",
        ["a.txt", "src/"],
        lambda c: c.files.list(CID),
    ),
    _legacy(
        "legacy.read_file",
        "GET",
        "/api/conversations/{conversation_id}/select-file",
        {"code": "print(1)\n"},
        lambda c: c.files.read(CID, "a.py"),
    ),
    _legacy(
        "legacy.trajectory",
        "GET",
        "/api/conversations/{conversation_id}/trajectory",
        {"trajectory": [EVENT, STATE]},
        lambda c: c.files.trajectory(CID),
    ),
    _legacy(
        "legacy.settings.get",
        "GET",
        "/api/settings",
        {
            "llm_model": "gpt",
            "llm_base_url": None,
            "llm_api_key": None,
            "llm_api_key_set": True,
            "agent": "CodeActAgent",
        },
        lambda c: c.settings.get(),
    ),
    _legacy(
        "legacy.settings.update",
        "POST",
        "/api/settings",
        {"message": "Settings stored"},
        lambda c: c.settings.update(llm_model="gpt"),
    ),
]

"""The table of every SDK method that reads a JSON success body, for ``test_fuzz_bodies``.

Each case names the route it reads (method and template, as ``route_walker`` reports it), a valid
example body (from the OpenAPI documents in tests/data, trimmed) and how to call the method. One
lambda serves both clients: its result is a value, a coroutine, a pager or an iterator, and the test
drains whichever it got. Requests to any other route answer 404 (an ``OhctlError``, so it counts as
typed).
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

CID = "a" * 32
TASK = "b" * 32
SECRET = "sk-fuzz-SECRET-0123456789abcdef"  # the client's API key or session key, and what the calls send
BODY_SECRET = "sk-body-SECRET-fedcba9876543210"  # a key the server answers (under a secret's field name)
NOW = "2024-05-01T12:00:00"

# Routes the code calls whose success body is not JSON (streamed downloads, plain text, the socket).
NOT_JSON = {
    ("GET", "/api/v1/app-conversations/{conversation_id}/download"),
    ("GET", "/api/v1/sandboxes/{sandbox_id}/settings/secrets/{secret_name}"),
    ("GET", "/api/file/download"),
    ("GET", "/api/file/archive"),
    ("GET", "/api/file/download-trajectory/{conversation_id}"),
    ("WS", "/sockets/events/{conversation_id}"),
}


@dataclass(frozen=True)
class Case:
    name: str
    api: str  # "app" (an OpenHands client) or "agent" (an AgentServer)
    method: str
    template: str
    body: Any
    call: Callable[[Any], Any]

    @property
    def pattern(self) -> re.Pattern[str]:
        return re.compile(re.sub(r"\\\{[a-z_]+\\\}", "[^/]+", re.escape(self.template)))


def page(item: Any) -> dict[str, Any]:
    return {"items": [item], "next_page_id": "p2"}


CONVERSATION = {
    "id": CID,
    "created_by_user_id": "u1",
    "sandbox_id": "sb1",
    "selected_repository": "octo/parser",
    "selected_branch": "main",
    "git_provider": "github",
    "title": "Fix the test",
    "trigger": "gui",
    "pr_number": [12],
    "llm_model": "gpt",
    "metrics": {
        "model_name": "gpt",
        "accumulated_cost": 0.25,
        "max_budget_per_task": None,
        "accumulated_token_usage": {"model": "gpt", "prompt_tokens": 10, "completion_tokens": 5},
    },
    "parent_conversation_id": None,
    "sub_conversation_ids": [],
    "public": False,
    "tags": {"team": "core"},
    "created_at": NOW,
    "updated_at": NOW,
    "sandbox_status": "RUNNING",
    "execution_status": "finished",
    "conversation_url": f"http://127.0.0.1:9/api/conversations/{CID}",
    "session_api_key": BODY_SECRET,
}
START_TASK = {
    "id": TASK,
    "created_by_user_id": "u1",
    "status": "READY",
    "detail": None,
    "app_conversation_id": CID,
    "sandbox_id": "sb1",
    "agent_server_url": "http://127.0.0.1:9",
    "request": {"title": "t"},
    "created_at": NOW,
    "updated_at": NOW,
}
SANDBOX = {
    "id": "sb1",
    "created_by_user_id": "u1",
    "sandbox_spec_id": "spec",
    "status": "RUNNING",
    "session_api_key": BODY_SECRET,
    "exposed_urls": [{"name": "AGENT_SERVER", "url": "http://127.0.0.1:9", "port": 9}],
    "created_at": NOW,
}
SPEC = {"id": "spec", "command": ["run"], "created_at": NOW, "initial_env": {"A": "1"}, "working_dir": "/w"}
EVENT = {
    "id": "e1",
    "timestamp": NOW,
    "source": "agent",
    "kind": "MessageEvent",
    "llm_message": {"role": "assistant", "content": [{"type": "text", "text": "done"}]},
}
ACTION = {
    "id": "e2",
    "timestamp": NOW,
    "source": "agent",
    "kind": "ActionEvent",
    "tool_name": "bash",
    "action": {"command": "ls"},
    "thought": [{"type": "text", "text": "look"}],
}
INFO = {
    "id": "c0ffee00-0000-4000-8000-000000000000",
    "execution_status": "idle",
    "title": "t",
    "workspace": {"working_dir": "/w", "kind": "LocalWorkspace"},
    "confirmation_policy": {"kind": "NeverConfirm"},
    "stats": {},
    "tags": {"a": "b"},
    "created_at": NOW,
    "updated_at": NOW,
    "agent": {"llm": {"model": "m", "api_key": BODY_SECRET}},
}
BASH_OUTPUT = {
    "id": "o1",
    "command_id": "cmd1",
    "order": 0,
    "exit_code": 0,
    "stdout": "hi\n",
    "stderr": "",
    "timestamp": NOW,
    "kind": "BashOutput",
}
BASH_COMMAND = {"id": "cmd1", "command": "ls", "cwd": "/w", "timeout": 300, "timestamp": NOW, "kind": "BashCommand"}
SETTINGS = {
    "language": "en",
    "user_version": 1,
    "agent_settings": {"llm": {"model": "gpt", "api_key": "**********"}},
    "conversation_settings": {"max_iterations": 100},
    "search_api_key": BODY_SECRET,
    "provider_tokens_set": {"github": None},
    "llm_api_key_set": True,
    "disabled_skills": [],
}
CHANGE = {"status": "MODIFIED", "path": "a.py"}
DIFF = {"modified": "new", "original": "old"}
MESSAGE = {"message": "ok"}
SUCCESS = {"success": True}


def _app(name: str, method: str, template: str, body: Any, call: Callable[[Any], Any]) -> Case:
    return Case(name, "app", method, template, body, call)


def _agent(name: str, method: str, template: str, body: Any, call: Callable[[Any], Any]) -> Case:
    return Case(name, "agent", method, template, body, call)


CASES: list[Case] = [
    # -- app server: conversations ------------------------------------------------------------
    _app(
        "conversations.get",
        "GET",
        "/api/v1/app-conversations",
        [CONVERSATION, None],
        lambda c: c.conversations.get([CID, "c" * 32]),
    ),
    _app(
        "conversations.search",
        "GET",
        "/api/v1/app-conversations/search",
        page(CONVERSATION),
        lambda c: c.conversations.search(limit=3),
    ),
    _app("conversations.count", "GET", "/api/v1/app-conversations/count", 3, lambda c: c.conversations.count()),
    _app(
        "conversations.update",
        "PATCH",
        "/api/v1/app-conversations/{conversation_id}",
        CONVERSATION,
        lambda c: c.conversations.update(CID, public=True),
    ),
    _app(
        "conversations.delete",
        "DELETE",
        "/api/v1/app-conversations/{conversation_id}",
        True,
        lambda c: c.conversations.delete(CID),
    ),
    _app(
        "conversations.send_message",
        "POST",
        "/api/v1/app-conversations/{conversation_id}/send-message",
        {"success": True, "sandbox_status": "RUNNING", "message": None},
        lambda c: c.conversations.send_message(CID, "hi"),
    ),
    _app(
        "conversations.queue_message",
        "POST",
        "/api/v1/conversations/{conversation_id}/pending-messages",
        {"id": "m1", "queued": True, "position": 1},
        lambda c: c.conversations.queue_message(CID, "hi"),
    ),
    _app(
        "conversations.read_file",
        "GET",
        "/api/v1/app-conversations/{conversation_id}/file",
        "# Plan\n",
        lambda c: c.conversations.read_file(CID),
    ),
    _app(
        "conversations.git_changes",
        "GET",
        "/api/v1/app-conversations/{conversation_id}/git/changes",
        [CHANGE],
        lambda c: c.conversations.git_changes(CID, "/workspace/project"),
    ),
    _app(
        "conversations.git_diff",
        "GET",
        "/api/v1/app-conversations/{conversation_id}/git/diff",
        DIFF,
        lambda c: c.conversations.git_diff(CID, "/workspace/project/a.py"),
    ),
    _app(
        "conversations.skills",
        "GET",
        "/api/v1/app-conversations/{conversation_id}/skills",
        {"skills": [{"name": "s", "type": "knowledge", "content": "c", "triggers": ["t"]}]},
        lambda c: c.conversations.skills(CID),
    ),
    _app(
        "conversations.hooks",
        "GET",
        "/api/v1/app-conversations/{conversation_id}/hooks",
        {"hooks": [{"event_type": "PreToolUse", "matchers": [{"matcher": "*"}]}]},
        lambda c: c.conversations.hooks(CID),
    ),
    _app(
        "conversations.start",
        "POST",
        "/api/v1/app-conversations",
        START_TASK,
        lambda c: c.conversations.start("hi", wait=None),
    ),
    _app(
        "conversations.stream_start",
        "POST",
        "/api/v1/app-conversations/stream-start",
        [{**START_TASK, "status": "WORKING", "app_conversation_id": None}, START_TASK],
        lambda c: c.conversations.stream_start("hi"),
    ),
    # -- app server: start tasks ----------------------------------------------------------------
    _app(
        "start_tasks.get",
        "GET",
        "/api/v1/app-conversations/start-tasks",
        [START_TASK, None],
        lambda c: c.start_tasks.get([TASK, "d" * 32]),
    ),
    _app(
        "start_tasks.search",
        "GET",
        "/api/v1/app-conversations/start-tasks/search",
        page(START_TASK),
        lambda c: c.start_tasks.search(limit=3),
    ),
    _app("start_tasks.count", "GET", "/api/v1/app-conversations/start-tasks/count", 2, lambda c: c.start_tasks.count()),
    # -- app server: events -----------------------------------------------------------------------
    _app(
        "events.search",
        "GET",
        "/api/v1/conversation/{conversation_id}/events/search",
        page(EVENT),
        lambda c: c.events.search(CID, limit=3),
    ),
    _app(
        "events.count", "GET", "/api/v1/conversation/{conversation_id}/events/count", 4, lambda c: c.events.count(CID)
    ),
    _app(
        "events.get",
        "GET",
        "/api/v1/conversation/{conversation_id}/events",
        [EVENT, ACTION, None],
        lambda c: c.events.get(CID, ["e1", "e2", "e3"]),
    ),
    # -- app server: sandboxes --------------------------------------------------------------------
    _app("sandboxes.create", "POST", "/api/v1/sandboxes", SANDBOX, lambda c: c.sandboxes.create()),
    _app("sandboxes.search", "GET", "/api/v1/sandboxes/search", page(SANDBOX), lambda c: c.sandboxes.search(limit=3)),
    _app("sandboxes.get", "GET", "/api/v1/sandboxes", [SANDBOX, None], lambda c: c.sandboxes.get(["sb1", "sb2"])),
    _app(
        "sandboxes.pause", "POST", "/api/v1/sandboxes/{sandbox_id}/pause", SUCCESS, lambda c: c.sandboxes.pause("sb1")
    ),
    _app(
        "sandboxes.resume",
        "POST",
        "/api/v1/sandboxes/{sandbox_id}/resume",
        SUCCESS,
        lambda c: c.sandboxes.resume("sb1"),
    ),
    _app("sandboxes.delete", "DELETE", "/api/v1/sandboxes/{id}", SUCCESS, lambda c: c.sandboxes.delete("sb1")),
    _app(
        "sandboxes.secret_names",
        "GET",
        "/api/v1/sandboxes/{sandbox_id}/settings/secrets",
        {"secrets": [{"name": "github_token", "description": "GitHub"}]},
        lambda c: c.sandboxes.secret_names("sb1", session_api_key=SECRET),
    ),
    _app(
        "sandbox_specs.search",
        "GET",
        "/api/v1/sandbox-specs/search",
        page(SPEC),
        lambda c: c.sandbox_specs.search(limit=3),
    ),
    _app(
        "sandbox_specs.get",
        "GET",
        "/api/v1/sandbox-specs",
        [SPEC, None],
        lambda c: c.sandbox_specs.get(["spec", "other"]),
    ),
    # -- app server: settings, profiles, secrets, users, skills -------------------------------------
    _app("settings.get", "GET", "/api/v1/settings", SETTINGS, lambda c: c.settings.get()),
    _app(
        "settings.update",
        "POST",
        "/api/v1/settings",
        {"message": "Settings stored"},
        lambda c: c.settings.update(language="en"),
    ),
    _app(
        "settings.agent_schema",
        "GET",
        "/api/v1/settings/agent-schema",
        {"type": "object", "properties": {}},
        lambda c: c.settings.agent_schema(),
    ),
    _app(
        "settings.conversation_schema",
        "GET",
        "/api/v1/settings/conversation-schema",
        {"type": "object", "properties": {}},
        lambda c: c.settings.conversation_schema(),
    ),
    _app(
        "profiles.list",
        "GET",
        "/api/v1/settings/profiles",
        {"profiles": [{"name": "fast", "model": "m", "base_url": None, "api_key_set": True}], "active_profile": "fast"},
        lambda c: c.settings.profiles.list(),
    ),
    _app(
        "profiles.retrieve",
        "GET",
        "/api/v1/settings/profiles/{name}",
        {"name": "fast", "config": {"model": "m", "api_key": None}, "api_key_set": True},
        lambda c: c.settings.profiles.retrieve("fast"),
    ),
    _app(
        "profiles.save",
        "POST",
        "/api/v1/settings/profiles/{name}",
        {"name": "fast", "message": "saved"},
        lambda c: c.settings.profiles.save("fast", {"model": "m"}),
    ),
    _app(
        "profiles.delete",
        "DELETE",
        "/api/v1/settings/profiles/{name}",
        {"name": "fast", "message": "deleted"},
        lambda c: c.settings.profiles.delete("fast"),
    ),
    _app(
        "profiles.activate",
        "POST",
        "/api/v1/settings/profiles/{name}/activate",
        {"name": "fast", "message": "activated", "model": "m"},
        lambda c: c.settings.profiles.activate("fast"),
    ),
    _app(
        "profiles.rename",
        "POST",
        "/api/v1/settings/profiles/{name}/rename",
        {"name": "slow", "message": "renamed"},
        lambda c: c.settings.profiles.rename("fast", "slow"),
    ),
    _app(
        "secrets.search",
        "GET",
        "/api/v1/secrets/search",
        page({"name": "TOKEN", "description": "d"}),
        lambda c: c.secrets.search(limit=3),
    ),
    _app("secrets.create", "POST", "/api/v1/secrets", MESSAGE, lambda c: c.secrets.create("TOKEN", SECRET)),
    _app(
        "secrets.update",
        "PUT",
        "/api/v1/secrets/{secret_id}",
        MESSAGE,
        lambda c: c.secrets.update("TOKEN", description="d"),
    ),
    _app("secrets.delete", "DELETE", "/api/v1/secrets/{secret_id}", MESSAGE, lambda c: c.secrets.delete("TOKEN")),
    _app(
        "secrets.set_git_providers",
        "POST",
        "/api/v1/secrets/git-providers",
        MESSAGE,
        lambda c: c.secrets.set_git_providers({"github": SECRET}),
    ),
    _app(
        "secrets.delete_git_providers",
        "DELETE",
        "/api/v1/secrets/git-providers",
        MESSAGE,
        lambda c: c.secrets.delete_git_providers(),
    ),
    _app("users.me", "GET", "/api/v1/users/me", {**SETTINGS, "id": "u1"}, lambda c: c.users.me()),
    _app("users.git_info", "GET", "/api/v1/users/git-info", {"login": "octo", "id": 1}, lambda c: c.users.git_info()),
    _app(
        "skills.search",
        "GET",
        "/api/v1/skills/search",
        page({"name": "s", "type": "knowledge", "source": "global", "triggers": ["t"]}),
        lambda c: c.skills.search(limit=3),
    ),
    # -- app server: git and server config ------------------------------------------------------------
    _app(
        "git.installations",
        "GET",
        "/api/v1/git/installations/search",
        page("inst-1"),
        lambda c: c.git.installations("github", limit=3),
    ),
    _app(
        "git.repositories",
        "GET",
        "/api/v1/git/repositories/search",
        page(
            {"id": "1", "full_name": "octo/parser", "git_provider": "github", "is_public": True, "stargazers_count": 3}
        ),
        lambda c: c.git.repositories("github", limit=3),
    ),
    _app(
        "git.branches",
        "GET",
        "/api/v1/git/branches/search",
        page({"name": "main", "commit_sha": "abc", "protected": False}),
        lambda c: c.git.branches("github", "octo/parser", limit=3),
    ),
    _app(
        "git.suggested_tasks",
        "GET",
        "/api/v1/git/suggested-tasks/search",
        page(
            {"git_provider": "github", "task_type": "FAILING_CHECKS", "repo": "octo/p", "issue_number": 1, "title": "t"}
        ),
        lambda c: c.git.suggested_tasks(limit=3),
    ),
    _app(
        "server_config.models",
        "GET",
        "/api/v1/config/models/search",
        page({"provider": "openai", "name": "gpt", "verified": True}),
        lambda c: c.server_config.models(limit=3),
    ),
    _app(
        "server_config.providers",
        "GET",
        "/api/v1/config/providers/search",
        page({"name": "openai", "verified": True}),
        lambda c: c.server_config.providers(limit=3),
    ),
    # -- agent server: details ----------------------------------------------------------------------
    _agent(
        "agent.info",
        "GET",
        "/server_info",
        {"uptime": 1.5, "idle_time": 0.5, "version": "1.58.2", "usable_tools": ["bash"]},
        lambda a: a.info(),
    ),
    _agent("agent.alive", "GET", "/alive", {"status": "ok"}, lambda a: a.alive()),
    _agent("agent.health", "GET", "/health", "OK", lambda a: a.health()),
    _agent("agent.ready", "GET", "/ready", {"status": "ready"}, lambda a: a.ready()),
    _agent("agent.tools", "GET", "/api/tools/", ["bash", "file_editor"], lambda a: a.tools()),
    _agent(
        "agent.tools_catalog",
        "GET",
        "/api/tools/catalog",
        {
            "tools": [
                {"name": "bash", "user_selectable": True, "usable": True, "description": "d", "in_default_set": True}
            ]
        },
        lambda a: a.tools_catalog(),
    ),
    _agent(
        "agent.vscode_status",
        "GET",
        "/api/vscode/status",
        {"running": True, "enabled": True, "message": None},
        lambda a: a.vscode_status(),
    ),
    _agent(
        "agent.vscode_url",
        "GET",
        "/api/vscode/url",
        {"url": "http://127.0.0.1:8001/?folder=/w"},
        lambda a: a.vscode_url(check=False),
    ),
    # -- agent server: conversations ----------------------------------------------------------------
    _agent(
        "agent.conversations.start",
        "POST",
        "/api/conversations",
        INFO,
        lambda a: a.conversations.start("hi", workspace="/w", llm={"model": "m", "api_key": SECRET}),
    ),
    _agent(
        "agent.conversations.info",
        "GET",
        "/api/conversations/{conversation_id}",
        INFO,
        lambda a: a.conversations.info(),
    ),
    _agent(
        "agent.conversations.search",
        "GET",
        "/api/conversations/search",
        page(INFO),
        lambda a: a.conversations.search(limit=3),
    ),
    _agent("agent.conversations.count", "GET", "/api/conversations/count", 1, lambda a: a.conversations.count()),
    _agent(
        "agent.conversations.get",
        "GET",
        "/api/conversations",
        [INFO, None],
        lambda a: a.conversations.get([CID, "c" * 32]),
    ),
    _agent(
        "agent.conversations.update",
        "PATCH",
        "/api/conversations/{conversation_id}",
        SUCCESS,
        lambda a: a.conversations.update(title="t"),
    ),
    _agent(
        "agent.conversations.delete",
        "DELETE",
        "/api/conversations/{conversation_id}",
        SUCCESS,
        lambda a: a.conversations.delete(),
    ),
    _agent(
        "agent.conversations.send_message",
        "POST",
        "/api/conversations/{conversation_id}/events",
        SUCCESS,
        lambda a: a.conversations.send_message(None, "hi"),
    ),
    _agent(
        "agent.conversations.run",
        "POST",
        "/api/conversations/{conversation_id}/run",
        SUCCESS,
        lambda a: a.conversations.run(),
    ),
    _agent(
        "agent.conversations.pause",
        "POST",
        "/api/conversations/{conversation_id}/pause",
        SUCCESS,
        lambda a: a.conversations.pause(),
    ),
    _agent(
        "agent.conversations.interrupt",
        "POST",
        "/api/conversations/{conversation_id}/interrupt",
        SUCCESS,
        lambda a: a.conversations.interrupt(),
    ),
    _agent(
        "agent.conversations.final_response",
        "GET",
        "/api/conversations/{conversation_id}/agent_final_response",
        {"response": "All done"},
        lambda a: a.conversations.final_response(),
    ),
    _agent(
        "agent.conversations.respond_to_confirmation",
        "POST",
        "/api/conversations/{conversation_id}/events/respond_to_confirmation",
        SUCCESS,
        lambda a: a.conversations.approve(),
    ),
    _agent(
        "agent.conversations.set_confirmation_policy",
        "POST",
        "/api/conversations/{conversation_id}/confirmation_policy",
        SUCCESS,
        lambda a: a.conversations.set_confirmation_policy("AlwaysConfirm"),
    ),
    _agent(
        "agent.conversations.set_security_analyzer",
        "POST",
        "/api/conversations/{conversation_id}/security_analyzer",
        SUCCESS,
        lambda a: a.conversations.set_security_analyzer({"kind": "LLMSecurityAnalyzer"}),
    ),
    _agent(
        "agent.conversations.ask",
        "POST",
        "/api/conversations/{conversation_id}/ask_agent",
        {"response": "An answer"},
        lambda a: a.conversations.ask("why?"),
    ),
    _agent(
        "agent.conversations.generate_title",
        "POST",
        "/api/conversations/{conversation_id}/generate_title",
        {"title": "A title"},
        lambda a: a.conversations.generate_title(),
    ),
    # -- agent server: events -------------------------------------------------------------------------
    _agent(
        "agent.events.search",
        "GET",
        "/api/conversations/{conversation_id}/events/search",
        page(EVENT),
        lambda a: a.events.search(limit=3),
    ),
    _agent(
        "agent.events.count", "GET", "/api/conversations/{conversation_id}/events/count", 7, lambda a: a.events.count()
    ),
    _agent(
        "agent.events.retrieve",
        "GET",
        "/api/conversations/{conversation_id}/events/{event_id}",
        ACTION,
        lambda a: a.events.retrieve("e2"),
    ),
    _agent(
        "agent.events.get",
        "GET",
        "/api/conversations/{conversation_id}/events",
        [EVENT, None],
        lambda a: a.events.get(["e1", "e9"]),
    ),
    # -- agent server: bash ---------------------------------------------------------------------------
    _agent(
        "agent.bash.execute", "POST", "/api/bash/execute_bash_command", BASH_OUTPUT, lambda a: a.bash.execute("echo hi")
    ),
    _agent("agent.bash.start", "POST", "/api/bash/start_bash_command", BASH_COMMAND, lambda a: a.bash.start("ls")),
    _agent(
        "agent.bash.events", "GET", "/api/bash/bash_events/search", page(BASH_OUTPUT), lambda a: a.bash.events(limit=3)
    ),
    _agent(
        "agent.bash.stop", "POST", "/api/bash/bash_commands/{command_id}/stop", SUCCESS, lambda a: a.bash.stop("cmd1")
    ),
    _agent(
        "agent.bash.get_events",
        "GET",
        "/api/bash/bash_events/",
        [BASH_COMMAND, BASH_OUTPUT, None],
        lambda a: a.bash.get_events(["cmd1", "o1", "x"]),
    ),
    _agent(
        "agent.bash.clear_events",
        "DELETE",
        "/api/bash/bash_events",
        {"cleared_count": 3},
        lambda a: a.bash.clear_events(),
    ),
    # -- agent server: files and git -------------------------------------------------------------------
    _agent(
        "agent.files.upload",
        "POST",
        "/api/file/upload",
        {"success": True, "file_size": 3},
        lambda a: a.files.upload(b"abc", "/w/a.txt"),
    ),
    _agent(
        "agent.files.create_directory",
        "POST",
        "/api/file/create_directory",
        SUCCESS,
        lambda a: a.files.create_directory("/w/d"),
    ),
    _agent(
        "agent.files.home", "GET", "/api/file/home", {"home": "/root", "suggestions": ["/w"]}, lambda a: a.files.home()
    ),
    _agent(
        "agent.files.subdirectories",
        "GET",
        "/api/file/search_subdirs",
        page({"name": "src", "path": "/w/src"}),
        lambda a: a.files.subdirectories("/w"),
    ),
    _agent("agent.git.changes", "GET", "/api/git/changes", [CHANGE], lambda a: a.git.changes("/w")),
    _agent("agent.git.diff", "GET", "/api/git/diff", DIFF, lambda a: a.git.diff("/w/a.py")),
    _agent(
        "agent.git.commits",
        "GET",
        "/api/git/commits",
        {
            "commits": [{"sha": "abc", "short_sha": "a", "subject": "s", "author": "me", "timestamp": NOW}],
            "has_more": False,
        },
        lambda a: a.git.commits("/w"),
    ),
    _agent(
        "agent.git.commit_changes",
        "GET",
        "/api/git/commits/{sha}/changes",
        [CHANGE],
        lambda a: a.git.commit_changes("abc", "/w"),
    ),
]

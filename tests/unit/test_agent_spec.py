"""The agent-server models and routes against the real agent servers' OpenAPI documents: 1.34.0 (what
openhands-ai 1.11.0 sandboxes run) and 1.58.2 (the latest release)."""

import json
from pathlib import Path

import pytest
from pydantic import BaseModel

from ohctl.types import BashCommand, BashOutput, GitCommit, GitCommitsPage, ServerInfo, UploadResult, VSCodeStatus
from ohctl.types.conversations import GitChange, GitDiff

DATA = Path(__file__).resolve().parent.parent / "data"
OLD, NEW = "agent-server-1.34.0.openapi.json", "agent-server-1.58.2.openapi.json"

MODELS: dict[str, type[BaseModel]] = {
    "BashCommand": BashCommand,
    "BashOutput": BashOutput,
    "GitCommit": GitCommit,
    "GitCommitsPage": GitCommitsPage,
    "GitChange": GitChange,
    "GitDiff": GitDiff,
    "FileUploadResult": UploadResult,
}
# Read-mostly models that name the fields users reach for; the rest stay available as extras.
PARTIAL: dict[str, type[BaseModel]] = {"ServerInfo": ServerInfo, "VSCodeStatus": VSCodeStatus}


def doc(name: str) -> dict:
    return json.loads((DATA / name).read_text())


@pytest.mark.parametrize("name", [OLD, NEW])
def test_models_cover_every_schema_field(name: str) -> None:
    found = doc(name)["components"]["schemas"]
    missing = {}
    checked = 0
    for schema, model in MODELS.items():
        if schema not in found:
            continue
        checked += 1
        extra = set(found[schema].get("properties", {})) - set(model.model_fields)
        if extra:
            missing[schema] = sorted(extra)
    assert checked >= (4 if name == OLD else 7)
    assert not missing, f"fields in {name} missing from the models: {missing}"
    info = set(found["ServerInfo"]["properties"])
    assert {"uptime", "version", "sdk_version", "usable_tools"} <= info & set(ServerInfo.model_fields)


# (method, path) -> the query parameters the client sends; "new" marks routes added after 1.34.
ROUTES: dict[tuple[str, str], tuple[set[str], bool]] = {
    ("get", "/alive"): (set(), False),
    ("get", "/health"): (set(), False),
    ("get", "/ready"): (set(), False),
    ("get", "/server_info"): (set(), False),
    ("get", "/api/tools/"): (set(), False),
    ("get", "/api/vscode/status"): (set(), False),
    ("get", "/api/vscode/url"): ({"base_url", "workspace_dir"}, False),
    ("post", "/api/bash/execute_bash_command"): (set(), False),
    ("post", "/api/bash/start_bash_command"): (set(), False),
    ("get", "/api/bash/bash_events/search"): (
        {
            "command_id__eq",
            "kind__eq",
            "order__gt",
            "timestamp__gte",
            "timestamp__lt",
            "sort_order",
            "page_id",
            "limit",
        },
        False,
    ),
    ("get", "/api/bash/bash_events/"): (set(), False),
    ("delete", "/api/bash/bash_events"): (set(), False),
    ("post", "/api/bash/bash_commands/{command_id}/stop"): (set(), True),
    ("post", "/api/file/upload"): ({"path"}, False),
    ("get", "/api/file/download"): ({"path"}, False),
    ("get", "/api/file/archive"): ({"path", "format", "base_ref", "use_default_excludes", "exclude"}, False),
    ("post", "/api/file/create_directory"): ({"path"}, True),
    ("get", "/api/file/home"): (set(), False),
    ("get", "/api/file/search_subdirs"): ({"path", "include_hidden", "page_id", "limit"}, False),
    ("get", "/api/file/download-trajectory/{conversation_id}"): (set(), False),
    ("get", "/api/git/changes"): ({"path", "ref"}, False),
    ("get", "/api/git/diff"): ({"path", "ref"}, False),
    ("get", "/api/git/commits"): ({"path", "limit"}, True),
    ("get", "/api/git/commits/{sha}/changes"): ({"path"}, True),
    ("post", "/api/conversations"): (set(), False),
    ("get", "/api/conversations"): ({"ids"}, False),
    ("get", "/api/conversations/search"): ({"status", "sort_order", "page_id", "limit"}, False),
    ("get", "/api/conversations/count"): ({"status"}, False),
    ("get", "/api/conversations/{conversation_id}"): (set(), False),
    ("patch", "/api/conversations/{conversation_id}"): (set(), False),
    ("delete", "/api/conversations/{conversation_id}"): (set(), False),
    ("post", "/api/conversations/{conversation_id}/run"): (set(), False),
    ("post", "/api/conversations/{conversation_id}/pause"): (set(), False),
    ("post", "/api/conversations/{conversation_id}/interrupt"): (set(), False),
    ("post", "/api/conversations/{conversation_id}/ask_agent"): (set(), False),
    ("post", "/api/conversations/{conversation_id}/confirmation_policy"): (set(), False),
    ("get", "/api/conversations/{conversation_id}/agent_final_response"): (set(), False),
    ("post", "/api/conversations/{conversation_id}/events"): (set(), False),
    ("get", "/api/conversations/{conversation_id}/events"): (set(), False),
    ("get", "/api/conversations/{conversation_id}/events/{event_id}"): (set(), False),
    ("post", "/api/conversations/{conversation_id}/events/respond_to_confirmation"): (set(), False),
    ("get", "/api/conversations/{conversation_id}/events/search"): (
        {"kind", "source", "body", "timestamp__gte", "timestamp__lt", "sort_order", "page_id", "limit"},
        False,
    ),
    ("get", "/api/conversations/{conversation_id}/events/count"): (
        {"kind", "source", "body", "timestamp__gte", "timestamp__lt"},
        False,
    ),
}


@pytest.mark.parametrize("name", [OLD, NEW])
def test_routes_the_client_calls_exist(name: str) -> None:
    paths = doc(name)["paths"]
    absent = []
    for (method, path), (params, new) in ROUTES.items():
        op = paths.get(path, {}).get(method)
        if op is None:
            if not (new and name == OLD):
                absent.append(f"{method.upper()} {path}")
            continue
        names = {p["name"] for p in op.get("parameters", []) if p["in"] == "query"}
        assert params <= names, f"{method.upper()} {path}: {params - names} not in {name}"
    assert not absent, f"routes missing from {name}: {absent}"
    # The routes a third-party client still calls were removed: the client never uses them.
    for gone in (
        "/api/file/upload/{path}",
        "/api/file/download/{path}",
        "/api/conversations/{conversation_id}/generate_title",
    ):
        assert gone not in paths


def test_the_commit_diff_parameter_is_new() -> None:
    diff = {p["name"] for p in doc(NEW)["paths"]["/api/git/diff"]["get"]["parameters"]}
    assert "commit" in diff
    assert "commit" not in {p["name"] for p in doc(OLD)["paths"]["/api/git/diff"]["get"]["parameters"]}

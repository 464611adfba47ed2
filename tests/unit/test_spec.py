"""Every field the OpenAPI documents define for the covered routes exists on the SDK's models.

The documents are copies of the real app server 1.11.0's and the hosted Cloud's published one.
"""

import json
from pathlib import Path

import pytest
from pydantic import BaseModel

from ohctl.types import (
    AppConversation,
    Branch,
    ExposedUrl,
    ImageContent,
    LLMModel,
    MetricsSnapshot,
    PluginSpec,
    Provider,
    Repository,
    Sandbox,
    SandboxSpec,
    Secret,
    SendMessageResponse,
    Settings,
    StartRequest,
    StartTask,
    SuggestedTask,
    SuggestedTaskRequest,
    TextContent,
    TokenUsage,
    UserInfo,
    UserMessage,
)
from ohctl.types.conversations import UpdateRequest

DATA = Path(__file__).resolve().parent.parent / "data"
DOCS = ["app-server-1.11.0.openapi.json", "cloud-docs.openapi.json"]

MODELS: dict[str, type[BaseModel]] = {
    "AppConversationStartRequest-Input": StartRequest,
    "AppConversationStartRequest": StartRequest,
    "AppConversationStartTask": StartTask,
    "AppConversation": AppConversation,
    "AppConversationUpdateRequest": UpdateRequest,
    "AppSendMessageRequest": UserMessage,
    "AppSendMessageResponse": SendMessageResponse,
    "SendMessageRequest": UserMessage,
    "TextContent": TextContent,
    "ImageContent": ImageContent,
    "PluginSpec": PluginSpec,
    "MetricsSnapshot": MetricsSnapshot,
    "TokenUsage": TokenUsage,
    "SandboxInfo": Sandbox,
    "ExposedUrl": ExposedUrl,
    "SandboxSpecInfo": SandboxSpec,
    "UserInfo": UserInfo,
    "GETSettingsModel": Settings,
    "CustomSecretWithoutValue": Secret,
    "Repository": Repository,
    "Branch": Branch,
    "SuggestedTask": SuggestedTask,
    "LLMModel": LLMModel,
    "Provider": Provider,
}


def schemas(doc: str) -> dict[str, dict]:
    return json.loads((DATA / doc).read_text())["components"]["schemas"]


@pytest.mark.parametrize("doc", DOCS)
def test_models_cover_every_schema_field(doc: str) -> None:
    found = schemas(doc)
    checked = 0
    missing: dict[str, list[str]] = {}
    for name, model in MODELS.items():
        if name not in found:
            continue
        checked += 1
        props = set(found[name].get("properties", {}))
        fields = {f.alias or n for n, f in model.model_fields.items()} | set(model.model_fields)
        if props - fields:
            missing[name] = sorted(props - fields)
    assert checked >= 18, f"only {checked} schemas found in {doc}"
    assert not missing, f"fields in {doc} missing from the models: {missing}"


def test_suggested_task_request_matches() -> None:
    props = set(schemas(DOCS[0])["SuggestedTask"]["properties"])
    assert props <= set(SuggestedTaskRequest.model_fields)


@pytest.mark.parametrize("doc", DOCS)
def test_covered_routes_exist(doc: str) -> None:
    """Each route the SDK calls is in the document, with the query parameters the SDK sends."""
    paths = json.loads((DATA / doc).read_text())["paths"]
    expected = {
        ("post", "/api/v1/app-conversations"): set(),
        ("post", "/api/v1/app-conversations/stream-start"): set(),
        ("get", "/api/v1/app-conversations"): {"ids"},
        ("get", "/api/v1/app-conversations/search"): {
            "title__contains",
            "created_at__gte",
            "created_at__lt",
            "updated_at__gte",
            "updated_at__lt",
            "sandbox_id__eq",
            "page_id",
            "limit",
            "include_sub_conversations",
        },
        ("get", "/api/v1/app-conversations/count"): {"title__contains", "sandbox_id__eq"},
        ("patch", "/api/v1/app-conversations/{conversation_id}"): set(),
        ("delete", "/api/v1/app-conversations/{conversation_id}"): set(),
        ("post", "/api/v1/app-conversations/{conversation_id}/send-message"): set(),
        ("get", "/api/v1/app-conversations/{conversation_id}/download"): set(),
        ("get", "/api/v1/app-conversations/{conversation_id}/file"): {"file_path"},
        ("get", "/api/v1/app-conversations/{conversation_id}/git/changes"): {"path", "ref"},
        ("get", "/api/v1/app-conversations/{conversation_id}/git/diff"): {"path", "ref"},
        ("get", "/api/v1/app-conversations/{conversation_id}/skills"): set(),
        ("get", "/api/v1/app-conversations/{conversation_id}/hooks"): set(),
        ("get", "/api/v1/app-conversations/start-tasks"): {"ids"},
        ("get", "/api/v1/app-conversations/start-tasks/search"): {
            "conversation_id__eq",
            "created_at__gte",
            "sort_order",
        },
        ("get", "/api/v1/app-conversations/start-tasks/count"): {"conversation_id__eq", "created_at__gte"},
        ("post", "/api/v1/conversations/{conversation_id}/pending-messages"): set(),
        ("get", "/api/v1/conversation/{conversation_id}/events/search"): {
            "kind__eq",
            "timestamp__gte",
            "timestamp__lt",
            "sort_order",
            "page_id",
            "limit",
        },
        ("get", "/api/v1/conversation/{conversation_id}/events/count"): {"kind__eq", "timestamp__gte", "timestamp__lt"},
        ("get", "/api/v1/conversation/{conversation_id}/events"): {"id"},
        ("post", "/api/v1/sandboxes"): {"sandbox_spec_id"},
        ("get", "/api/v1/sandboxes"): {"id"},
        ("get", "/api/v1/sandboxes/search"): {"page_id", "limit"},
        ("post", "/api/v1/sandboxes/{sandbox_id}/pause"): set(),
        ("post", "/api/v1/sandboxes/{sandbox_id}/resume"): set(),
        ("delete", "/api/v1/sandboxes/{id}"): {"sandbox_id"},
        ("get", "/api/v1/sandbox-specs/search"): set(),
        ("get", "/api/v1/sandbox-specs"): {"id"},
        ("get", "/api/v1/users/me"): {"expose_secrets"},
        ("get", "/api/v1/users/git-info"): set(),
        ("get", "/api/v1/settings"): set(),
        ("post", "/api/v1/settings"): set(),
        ("get", "/api/v1/settings/agent-schema"): set(),
        ("get", "/api/v1/settings/conversation-schema"): set(),
        ("get", "/api/v1/secrets/search"): {"name__contains"},
        ("post", "/api/v1/secrets"): set(),
        ("put", "/api/v1/secrets/{secret_id}"): set(),
        ("delete", "/api/v1/secrets/{secret_id}"): set(),
        ("get", "/api/v1/git/installations/search"): {"provider"},
        ("get", "/api/v1/git/repositories/search"): {"provider", "query", "installation_id", "sort_order"},
        ("get", "/api/v1/git/branches/search"): {"provider", "repository", "query"},
        ("get", "/api/v1/git/suggested-tasks/search"): set(),
        ("get", "/api/v1/config/models/search"): {"query", "verified__eq", "provider__eq"},
        ("get", "/api/v1/config/providers/search"): {"query", "verified__eq"},
    }
    absent = []
    for (method, path), params in expected.items():
        op = paths.get(path, {}).get(method)
        if op is None:
            absent.append(f"{method.upper()} {path}")
            continue
        names = {p["name"] for p in op.get("parameters", []) if p["in"] == "query"}
        assert params <= names, f"{method.upper()} {path}: {params - names} not in {doc}"
    assert not absent, f"routes missing from {doc}: {absent}"

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
from tests.support.route_walker import walk

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


# The query parameters the SDK sends, for the routes where a renamed parameter would silently stop
# filtering (the server ignores unknown query parameters). The routes themselves come from the code.
QUERY: dict[tuple[str, str], set[str]] = {
    ("GET", "/api/v1/app-conversations"): {"ids"},
    ("GET", "/api/v1/app-conversations/search"): {
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
    ("GET", "/api/v1/app-conversations/count"): {"title__contains", "sandbox_id__eq"},
    ("GET", "/api/v1/app-conversations/{conversation_id}/file"): {"file_path"},
    ("GET", "/api/v1/app-conversations/{conversation_id}/git/changes"): {"path", "ref"},
    ("GET", "/api/v1/app-conversations/{conversation_id}/git/diff"): {"path", "ref"},
    ("GET", "/api/v1/app-conversations/start-tasks"): {"ids"},
    ("GET", "/api/v1/app-conversations/start-tasks/search"): {"conversation_id__eq", "created_at__gte", "sort_order"},
    ("GET", "/api/v1/app-conversations/start-tasks/count"): {"conversation_id__eq", "created_at__gte"},
    ("GET", "/api/v1/conversation/{conversation_id}/events/search"): {
        "kind__eq",
        "timestamp__gte",
        "timestamp__lt",
        "sort_order",
        "page_id",
        "limit",
    },
    ("GET", "/api/v1/conversation/{conversation_id}/events/count"): {"kind__eq", "timestamp__gte", "timestamp__lt"},
    ("GET", "/api/v1/conversation/{conversation_id}/events"): {"id"},
    ("POST", "/api/v1/sandboxes"): {"sandbox_spec_id"},
    ("GET", "/api/v1/sandboxes"): {"id"},
    ("GET", "/api/v1/sandboxes/search"): {"page_id", "limit"},
    ("DELETE", "/api/v1/sandboxes/{id}"): {"sandbox_id"},
    ("GET", "/api/v1/sandbox-specs"): {"id"},
    ("GET", "/api/v1/users/me"): {"expose_secrets"},
    ("GET", "/api/v1/secrets/search"): {"name__contains"},
    ("GET", "/api/v1/skills/search"): {"page_id", "limit"},
    ("GET", "/api/v1/git/installations/search"): {"provider"},
    ("GET", "/api/v1/git/repositories/search"): {"provider", "query", "installation_id", "sort_order"},
    ("GET", "/api/v1/git/branches/search"): {"provider", "repository", "query"},
    ("GET", "/api/v1/config/models/search"): {"query", "verified__eq", "provider__eq"},
    ("GET", "/api/v1/config/providers/search"): {"query", "verified__eq"},
}


def app_routes() -> set[tuple[str, str]]:
    """Every app-server route the SDK calls, read from the source (fails on a call site it cannot read)."""
    result = walk()
    assert not result.unresolved and not result.formatted, (result.unresolved, result.formatted)
    routes = {(s.method, s.template) for s in result.sites if s.api == "app"}
    assert len(routes) >= 50, f"the walker found only {len(routes)} app routes"
    return routes


@pytest.mark.parametrize("doc", DOCS)
def test_covered_routes_exist(doc: str) -> None:
    """Each app-server route the SDK calls is in the document, with the query parameters the SDK sends."""
    paths = json.loads((DATA / doc).read_text())["paths"]
    routes = app_routes()
    assert set(QUERY) <= routes, f"QUERY names routes the SDK no longer calls: {set(QUERY) - routes}"
    absent = []
    for method, path in sorted(routes):
        op = paths.get(path, {}).get(method.lower())
        if op is None:
            absent.append(f"{method} {path}")
            continue
        names = {p["name"] for p in op.get("parameters", []) if p["in"] == "query"}
        params = QUERY.get((method, path), set())
        assert params <= names, f"{method} {path}: {params - names} not in {doc}"
    assert not absent, f"routes missing from {doc}: {absent}"

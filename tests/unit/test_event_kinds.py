"""Every event kind the servers document has a typed model exported from ``ohctl.types``.

The kinds are the members of the ``Event`` discriminated union in the agent servers' OpenAPI
documents (1.34.0, what app server 1.11.0 sandboxes run, and 1.58.2), plus the kinds
``ohctl._event_filters.KIND_PATHS`` knows. Every other schema whose name ends in ``Event`` or
``Observation`` must be accounted for in ``NOT_EVENT_KINDS`` (a tool's observation payload, carried
inside an ``ObservationEvent``, is not an event of its own). ``parse_event`` must return the kind's
own class (never the generic ``Event``) for the bare kind name and for the full class path, and parse
a body with only the fields the document requires.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

import ohctl.types
from ohctl._event_filters import KIND_PATHS
from ohctl.types import Event, parse_event

DATA = Path(__file__).resolve().parent.parent / "data"
DOCUMENTS = ["agent-server-1.34.0.openapi.json", "agent-server-1.58.2.openapi.json"]

# Kinds deliberately parsed as the generic Event, with the reason. Empty: every kind has a class.
GENERIC_KINDS: dict[str, str] = {}

# Schemas named like events that are not event kinds.
NOT_EVENT_KINDS = {
    "Event": "the discriminated union of the event kinds itself",
    "Observation": "the union of tool observation payloads (ObservationEvent.observation)",
}


def _schemas(document: str) -> dict[str, Any]:
    data: dict[str, Any] = json.loads((DATA / document).read_text(encoding="utf-8"))
    schemas: dict[str, Any] = data["components"]["schemas"]
    return schemas


def _union_members(schema: dict[str, Any]) -> list[str]:
    return [item["$ref"].rsplit("/", 1)[-1] for item in schema.get("oneOf") or schema.get("anyOf") or []]


def _document_kinds(document: str) -> dict[str, str]:
    """kind name -> full class path, from the ``Event`` union's discriminator mapping."""
    union = _schemas(document)["Event"]
    assert union["discriminator"]["propertyName"] == "kind"
    kinds: dict[str, str] = {}
    for key, ref in union["discriminator"]["mapping"].items():
        name = ref.rsplit("/", 1)[-1]
        # e.g. openhands__sdk__event__llm_convertible__message__MessageEvent-Output__1
        path = key.split("-", 1)[0].replace("__", ".")
        assert path.rsplit(".", 1)[-1] == name, (key, ref)
        kinds[name] = path
    assert sorted(kinds) == sorted(_union_members(union))
    return kinds


ALL_KINDS: dict[str, str] = {}
for _document in DOCUMENTS:
    ALL_KINDS.update(_document_kinds(_document))
for _name, _path in KIND_PATHS.items():
    ALL_KINDS.setdefault(_name, _path)


def _example(schemas: dict[str, Any], schema: dict[str, Any], depth: int = 0) -> Any:
    """A minimal value of ``schema``: required properties only."""
    if "$ref" in schema:
        return _example(schemas, schemas[schema["$ref"].rsplit("/", 1)[-1]], depth + 1)
    for key in ("anyOf", "oneOf"):
        if key in schema:
            options = [s for s in schema[key] if s.get("type") != "null"] or schema[key]
            return _example(schemas, options[0], depth + 1)
    if "enum" in schema:
        return schema["enum"][0]
    kind = schema.get("type")
    if kind == "object" or "properties" in schema:
        if depth > 3:
            return {}
        props = schema.get("properties") or {}
        return {
            name: _example(schemas, props[name], depth + 1) for name in schema.get("required") or [] if name in props
        }
    return {"string": "x", "integer": 0, "number": 0.0, "boolean": False, "array": []}.get(str(kind))


def test_documents_have_the_known_kinds() -> None:
    # The parse below would pass vacuously if the documents' union could not be read.
    assert {"MessageEvent", "ActionEvent", "ObservationEvent", "AgentErrorEvent"} <= set(ALL_KINDS)
    assert len(ALL_KINDS) >= 19


def test_kind_paths_agree_with_the_documents() -> None:
    """The full class paths the event filters send are the servers' own."""
    for document in DOCUMENTS:
        for name, path in _document_kinds(document).items():
            if name in KIND_PATHS:
                assert KIND_PATHS[name] == path, (document, name)


@pytest.mark.parametrize("kind", sorted(ALL_KINDS))
def test_kind_has_an_exported_model(kind: str) -> None:
    cls = type(parse_event({"id": "e1", "kind": kind}))
    if kind in GENERIC_KINDS:
        assert cls is Event
        return
    assert cls is not Event, f"{kind} is parsed as the generic Event: add a model in ohctl/types/events.py"
    assert issubclass(cls, Event)
    assert cls.__name__ in ohctl.types.__all__ and getattr(ohctl.types, cls.__name__) is cls, (
        f"{cls.__name__} (for {kind}) is not exported from ohctl.types"
    )
    assert type(parse_event({"id": "e1", "kind": ALL_KINDS[kind]})) is cls  # the full class path too


@pytest.mark.parametrize("document", DOCUMENTS)
def test_event_like_schemas_are_accounted_for(document: str) -> None:
    schemas = _schemas(document)
    kinds = set(_document_kinds(document))
    payloads = set(_union_members(schemas["Observation"]))
    unexplained = [
        name
        for name in schemas
        if name.endswith(("Event", "Observation"))
        and name not in kinds
        and name not in payloads
        and name not in NOT_EVENT_KINDS
    ]
    assert not unexplained, (
        f"{document}: schemas named like events that are neither event kinds, tool observation payloads, "
        f"nor listed in NOT_EVENT_KINDS: {unexplained}"
    )


@pytest.mark.parametrize("document", DOCUMENTS)
def test_required_fields_only_bodies_parse_to_their_class(document: str) -> None:
    schemas = _schemas(document)
    for name, path in _document_kinds(document).items():
        body = _example(schemas, schemas[name])
        body.setdefault("id", "e1")
        for kind in (name, path):
            event = parse_event({**body, "kind": kind})
            assert type(event).__name__ in ohctl.types.__all__ and type(event) is not Event, (document, kind)
            assert event.kind == kind and isinstance(event.text, str)
            assert event.to_dict()["kind"] == kind


def test_unknown_kinds_and_fields_are_kept() -> None:
    future = parse_event({"id": "e1", "kind": "openhands.sdk.event.future.FutureEvent", "answer": 42})
    assert type(future) is Event and future.text == "" and future.to_dict()["answer"] == 42
    msg = parse_event({"id": "e2", "kind": "MessageEvent", "llm_message": {"role": "user"}, "new_field": [1]})
    assert isinstance(msg, ohctl.types.MessageEvent) and msg.to_dict()["new_field"] == [1]


def test_error_events_share_a_base() -> None:
    for kind in ("AgentErrorEvent", "ConversationErrorEvent", "ServerErrorEvent"):
        event = parse_event({"id": "e", "kind": kind})
        assert isinstance(event, ohctl.types.ErrorEvent) and type(event).__name__ == kind


def test_text_of_each_kind_that_carries_text() -> None:
    def text(kind: str, **fields: Any) -> str:
        return parse_event({"id": "e", "kind": kind, **fields}).text

    content = [
        {"type": "text", "text": "line one"},
        {"type": "image", "image_urls": ["u"]},
        {"type": "text", "text": "two"},
    ]
    assert text("MessageEvent", llm_message={"role": "user", "content": content}) == "line one\ntwo"
    assert text("MessageEvent", llm_message={"role": "assistant", "content": "plain"}) == "plain"
    assert text("MessageEvent") == ""
    assert text("ActionEvent", thought=[{"type": "text", "text": "I will run the tests"}]) == "I will run the tests"
    terminal = {"kind": "TerminalObservation", "command": "ls", "content": [{"type": "text", "text": "a.txt"}]}
    assert text("ObservationEvent", observation=terminal) == "a.txt"
    assert text("AgentErrorEvent", error="tool failed") == "tool failed"
    assert text("ConversationErrorEvent", code="LLMError", detail="rate limited") == "rate limited"
    assert text("ServerErrorEvent", code="E", detail="boom") == "boom"
    assert text("UserRejectObservation", rejection_reason="not now") == "not now"
    assert text("SystemPromptEvent", system_prompt={"type": "text", "text": "You are"}) == "You are"
    assert text("CondensationSummaryEvent", summary="so far") == "so far"
    assert text("Condensation", summary="short") == "short"
    assert text("StreamingDeltaEvent", content="tok") == "tok"
    assert text("HookExecutionEvent", stdout="hook out") == "hook out"
    assert text("ACPToolCallEvent", tool_call_id="t", title="Edit file") == "Edit file"
    assert text("PauseEvent") == "" and text("ConversationStateUpdateEvent", key="k", value=1) == ""

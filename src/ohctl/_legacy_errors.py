"""Errors of the legacy V0 client, and where each V0 route went in V1 (the migration guide's mapping),
so a V0 call to a server that no longer serves V0 names what to use instead."""

from __future__ import annotations

import re

from ._errors import NotFoundError, OhctlError, ResourceNotFoundError

# Where each V0 route went, in the migration guide's words: (method or "*", V0 path pattern, V1 replacement).
# First match wins. First the routes of one conversation (the pattern is what follows its id) ...
_ONE_CONVERSATION: list[tuple[str, str, str]] = [
    ("POST", "/message", "POST /api/v1/app-conversations/{id}/send-message"),
    ("*", "/events", "GET /api/v1/conversation/{id}/events/search"),
    ("GET", "/trajectory", "GET /api/v1/app-conversations/{id}/download (a zip)"),
    ("*", "/(vscode-url|web-hosts)", "the sandbox's exposed_urls (VSCODE, WORKER_1/2)"),
    ("*", "/microagents", "GET /api/v1/app-conversations/{id}/skills"),
    ("POST", "/stop", "POST /api/v1/sandboxes/{sandbox_id}/pause"),
    ("POST", "/start", "POST /api/v1/sandboxes/{sandbox_id}/resume"),
    (
        "*",
        "/(list-files|select-file|zip-directory|git/.*|upload-files)",
        "the agent server's /api/file/... and /api/git/... routes (client.conversations.agent(id))",
    ),
    ("GET", "", "GET /api/v1/app-conversations?ids={id}"),
    ("PATCH", "", "PATCH /api/v1/app-conversations/{id}"),
    ("DELETE", "", "DELETE /api/v1/app-conversations/{id}"),
]
# ... then the others.
MIGRATION: list[tuple[str, str, str]] = [
    *((method, r"/api/conversations/[^/]+" + rest, v1) for method, rest, v1 in _ONE_CONVERSATION),
    ("POST", r"/api/conversations", "POST /api/v1/app-conversations"),
    ("GET", r"/api/conversations", "GET /api/v1/app-conversations/search"),
    ("*", r"/api/settings", "/api/v1/settings"),
    ("*", r"/api/secrets(/.*)?", "/api/v1/secrets"),
    ("GET", r"/api/user/info", "GET /api/v1/users/git-info (and /api/v1/users/me)"),
    ("GET", r"/api/user/repositories", "GET /api/v1/git/repositories/search"),
]
# The ohctl call for each replacement, so the message says what to do in Python too.
SDK_CALLS = {
    "POST /api/v1/app-conversations": "ohctl.OpenHands().conversations.start(...)",
    "GET /api/v1/app-conversations/search": "ohctl.OpenHands().conversations.search()",
    "GET /api/v1/app-conversations?ids={id}": "ohctl.OpenHands().conversations.retrieve(id)",
    "POST /api/v1/app-conversations/{id}/send-message": "ohctl.OpenHands().conversations.send_message(...)",
    "GET /api/v1/conversation/{id}/events/search": "ohctl.OpenHands().events.search(id)",
}


def replacement_for(method: str, path: str) -> str | None:
    """The V1 route that replaced V0's ``method path`` (a filled path, no query), or None."""
    for want, pattern, replacement in MIGRATION:
        if want in ("*", method.upper()) and re.fullmatch(pattern, path):
            return replacement
    return None


class LegacyUnavailableError(NotFoundError):
    """The server does not serve the V0 API (the hosted Cloud removed it on 2026-04-01; openhands-ai
    1.7.0 and later never mount it). ``replacement`` names the V1 route to use instead."""

    replacement: str | None = None

    def __init__(self, method: str, path: str, *, cause: OhctlError | None) -> None:
        replacement = replacement_for(method, path)
        text = f"This server does not serve the legacy V0 API ({method} {path} is gone; V0 was removed in 1.7.0)"
        if replacement:
            text += f". Its V1 replacement is {replacement}"
            call = SDK_CALLS.get(replacement)
            if call:
                text += f" ({call})"
        text += ". Use ohctl.OpenHands (V1) for this server, or ohctl.connect(url) to pick the client"
        Exception.__init__(self, text)
        self.replacement = replacement
        self.response = getattr(cause, "response", None)  # type: ignore[assignment]
        self.status_code = 404
        self.body = getattr(cause, "body", None)
        self.detail = text
        self.request_id = None
        self.method = method
        self.url = path


class LegacyConversationNotFoundError(ResourceNotFoundError):
    """The V0 server answered ``null`` for the id (it answers 200 null, not 404, for an unknown id)."""

    def __init__(self, conversation_id: str, *, url: str) -> None:
        super().__init__(
            f"No V0 conversation {conversation_id} on this server (it answered null: the id is unknown, "
            "deleted, or not yours); list the ids with LegacyOpenHands().conversations.list()",
            resource="legacy conversation",
            id=conversation_id,
            url=url,
        )


def is_missing_route(body: object) -> bool:
    """A 404 body that means "no such route" (FastAPI's default), not "no such conversation"."""
    return body == {"detail": "Not Found"}


__all__ = [
    "LegacyConversationNotFoundError",
    "LegacyUnavailableError",
    "NotFoundError",
    "is_missing_route",
    "replacement_for",
]

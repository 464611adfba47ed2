# Generated from ohctl/_async by scripts/gen_sync.py: do not edit; edit the async source.
"""The runtime fallback of V0 scripts: when the app host fails a conversation route (a 5xx, its
maintenance page), ask the conversation's runtime directly, at the conversation's ``url`` with its
``session_api_key`` (the ``X-Session-API-Key`` header). The runtime gets only that key, never the
client's own."""

from __future__ import annotations

from typing import Any

import httpx

from ..._config import ClientConfig, check_transport
from ..._responses import same_origin
from ..._routes import route
from ...types.legacy import LegacyConversation
from ._http import LegacyHTTP

MARK = "/api/conversations/"


def runtime_base(conversation: LegacyConversation, own_base: str) -> str | None:
    """The runtime's root URL from the conversation's ``url``, or None when it has none or it is the
    app host itself (a local runtime: the same server would fail the same way)."""
    url = conversation.url or ""
    if MARK not in url or not url.startswith(("http://", "https://")):
        return None
    base = url.split(MARK, 1)[0]
    if same_origin(httpx.URL(base), httpx.URL(own_base)) and httpx.URL(base).path.rstrip("/") == (
        httpx.URL(own_base).path.rstrip("/")
    ):
        return None
    return base


def trajectory_from_runtime(
    http: LegacyHTTP, conversation: LegacyConversation, parse: Any
) -> list[dict[str, Any]] | None:
    """The trajectory as the conversation's runtime serves it, or None when there is no separate runtime."""
    base = runtime_base(conversation, http.config.base_url)
    if base is None:
        return None
    key = conversation.session_api_key
    check_transport(base, key, http.config.allow_insecure)
    config = ClientConfig(
        base_url=base,
        api_key=key,
        api_key_source="the conversation's session_api_key",
        auth="session-key",
        allow_insecure=http.config.allow_insecure,
    )
    # The user's own httpx client (proxies, certificates, a test transport) serves the runtime too.
    runtime = LegacyHTTP(config, options=http.options, sleep=http.sleep, http_client=http.user_http_client)
    try:
        found: list[dict[str, Any]] | None = runtime.request(
            "GET",
            route("/api/conversations/{conversation_id}/trajectory", conversation_id=conversation.conversation_id),
            retry_server_errors=False,
            parse=parse,
        )
        return found
    finally:
        runtime.close()

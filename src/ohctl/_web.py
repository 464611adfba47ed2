"""Where a person sees a conversation: its page in the web app."""

from __future__ import annotations


def conversation_web_url(base_url: str, conversation_id: str) -> str:
    """The conversation's page in the web app (the hosted Cloud's and a self-hosted server's alike)."""
    return f"{base_url.rstrip('/')}/conversations/{conversation_id}"

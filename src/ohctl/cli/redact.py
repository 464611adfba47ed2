"""Secret values out of data a command prints: whatever the server sends back, an output never shows
a key, token or password (masked values like ``**********`` are shown as they are)."""

from __future__ import annotations

import re
from typing import Any

SECRET_KEY = re.compile(
    r"(?:^|_)(?:api_?key|tokens?|secrets?|password|passphrase|credentials?|session_?key)(?:$|_)", re.IGNORECASE
)
HIDDEN = "<hidden>"


def is_masked(value: str) -> bool:
    return not value.strip("*")


def redact(data: Any, *, key: str = "") -> Any:
    """A copy of JSON data with every non-empty string under a secret-looking key replaced (dicts of
    secrets, such as ``secrets_store``, are walked; their string leaves are hidden)."""
    secretish = bool(key) and SECRET_KEY.search(key) is not None
    if isinstance(data, dict):
        return {k: redact(v, key=k if not secretish else key) for k, v in data.items()}
    if isinstance(data, list):
        return [redact(v, key=key) for v in data]
    if secretish and isinstance(data, str) and data and not is_masked(data):
        return HIDDEN
    return data


def strip_query(url: str) -> str:
    """A URL without its query and fragment (a sandbox's VSCODE URL carries its session key there)."""
    return url.split("?", 1)[0].split("#", 1)[0]

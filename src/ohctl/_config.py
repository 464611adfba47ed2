"""Where the API key and base URL come from, in a documented order."""

from __future__ import annotations

import ipaddress
import os
import uuid
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Literal

import httpx

from ._errors import ConfigurationError, MissingAPIKeyError
from ._redact import redact_url

CLOUD_URL = "https://app.all-hands.dev"
API_KEY_VARS = ("OPENHANDS_API_KEY", "OPENHANDS_CLOUD_API_KEY", "OH_API_KEY")
BASE_URL_VARS = ("OPENHANDS_BASE_URL", "OPENHANDS_APP_BASE")
ORG_VAR = "OHCTL_ORG"  # the hosted Cloud organization every request acts in (X-Org-Id)
CLOUD_HOSTS = frozenset({"app.all-hands.dev", "app.openhands.dev"})

AuthScheme = Literal["bearer", "session-key"]

DEFAULT_TIMEOUT = httpx.Timeout(60.0, connect=10.0)
# stream-start keeps the connection open until READY (40-60 s on a cold sandbox, longer on a busy
# server), and downloads can be large: no read deadline between chunks beyond this.
LONG_TIMEOUT = httpx.Timeout(600.0, connect=10.0)


@dataclass(frozen=True)
class ClientConfig:
    base_url: str
    api_key: str | None = field(repr=False)
    api_key_source: str | None
    auth: AuthScheme
    allow_insecure: bool = False
    org: str | None = None  # sent as X-Org-Id on every request (the hosted Cloud's organizations)

    def auth_headers(self) -> dict[str, str]:
        if not self.api_key:
            return {}
        if self.auth == "session-key":
            return {"X-Session-API-Key": self.api_key}
        return {"Authorization": f"Bearer {self.api_key}"}


def check_org(value: object) -> str:
    """An organization id (a UUID, as ``ohctl orgs list`` shows), checked before any request."""
    try:
        return str(uuid.UUID(str(value).strip()))
    except ValueError:
        raise ConfigurationError(
            f"{value!r} is not an organization id: use the id (a UUID) that `ohctl orgs list` shows"
        ) from None


def is_loopback(host: str) -> bool:
    if host in ("localhost",) or host.endswith(".localhost"):
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False


def check_transport(base_url: str, key: str | None, allow_insecure: bool) -> None:
    """Refuse to send a key in clear text to anything but this machine, unless told the network is trusted."""
    try:
        url = httpx.URL(base_url)
    except (httpx.InvalidURL, TypeError, ValueError):
        raise ConfigurationError(f"{redact_url(base_url)!r} is not a valid URL") from None
    if url.scheme not in ("http", "https") or not url.host:
        raise ConfigurationError(f"{redact_url(base_url)!r} is not an http(s) URL")
    if key and url.scheme == "http" and not is_loopback(url.host) and not allow_insecure:
        raise ConfigurationError(
            f"Refusing to send an API key over plain http to {url.host}: use https, "
            "or pass allow_insecure=True if this network is trusted"
        )


def _server_root(base_url: str) -> str:
    """The server root from what a user may give: trailing slashes, ``/api`` or ``/api/v1`` dropped."""
    text = base_url.strip()
    try:
        url = httpx.URL(text)
    except (httpx.InvalidURL, TypeError, ValueError):
        raise ConfigurationError(f"base_url {redact_url(text)!r} is not a valid URL; use e.g. {CLOUD_URL}") from None
    if url.scheme not in ("http", "https") or not url.host or any(c.isspace() or c == "%" for c in url.host):
        raise ConfigurationError(f"base_url {redact_url(text)!r} is not an http(s) URL; use e.g. {CLOUD_URL}")
    if url.query or url.fragment:
        raise ConfigurationError(f"base_url {redact_url(text)!r} must not have a query or fragment")
    path = url.path.rstrip("/")
    for suffix in ("/api/v1", "/api"):
        if path.endswith(suffix):
            path = path[: -len(suffix)]
            break
    return str(url.copy_with(path=path or "/")).rstrip("/")


def resolve(
    *,
    api_key: str | None,
    base_url: str | None,
    auth: AuthScheme | None = None,
    allow_insecure: bool = False,
    environ: Mapping[str, str] | None = None,
    profile: str | None = None,
    org: str | None = None,
) -> ClientConfig:
    """Each setting from, in order: the argument, the environment variables, the stored profile
    (``profile``, else ``OHCTL_PROFILE``, else the stored default: see ``ohctl auth``), then the
    hosted Cloud's URL. The organization: ``org``, else ``OHCTL_ORG``, else none."""
    env = os.environ if environ is None else environ
    source: str | None = "argument" if api_key else None
    if not api_key:
        for var in API_KEY_VARS:
            if env.get(var):
                api_key, source = env[var], var
                break
    base_source = "argument" if base_url else None
    if not base_url:
        base_url = next((env[v] for v in BASE_URL_VARS if env.get(v)), None)
    stored = None
    if not api_key or not base_url or auth is None:
        from ._credentials import load_profile

        stored = load_profile(profile)
    if stored is not None:
        if not base_url and stored.base_url:
            base_url, base_source = stored.base_url, f"profile {stored.name}"
        if not api_key and stored.api_key and (base_source is not None and base_source.startswith("profile")):
            api_key, source = stored.api_key, f"profile {stored.name} ({stored.key_source or 'stored'})"
        if auth is None and stored.auth in ("bearer", "session-key"):
            auth = "session-key" if stored.auth == "session-key" else "bearer"
    if not base_url:
        base_url = CLOUD_URL
    auth = auth or "bearer"
    base_url = _server_root(base_url)
    url = httpx.URL(base_url)
    if auth not in ("bearer", "session-key"):
        raise ConfigurationError(f"auth must be 'bearer' or 'session-key', not {auth!r}")
    if not api_key and url.host in CLOUD_HOSTS:
        raise MissingAPIKeyError(
            f"No API key for {redact_url(base_url)}. Pass api_key=... or set one of {', '.join(API_KEY_VARS)} "
            "(create a key in the OpenHands Cloud settings, under API Keys), or run `ohctl auth login`"
        )
    check_transport(base_url, api_key, allow_insecure)
    org = org or env.get(ORG_VAR) or None
    if not org and stored is not None and base_source is not None and base_source.startswith("profile"):
        # A profile may keep an organization (``StoredProfile.org``), used with its own server only.
        org = getattr(stored, "org", None) or None
    return ClientConfig(
        base_url=base_url,
        api_key=api_key,
        api_key_source=source,
        auth=auth,
        allow_insecure=allow_insecure,
        org=check_org(org) if org else None,
    )

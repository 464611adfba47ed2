"""Git-provider tokens and the secrets a sandbox can read. Token values never appear in a repr."""

from __future__ import annotations

from enum import Enum

from pydantic import Field

from .common import OhModel


class GitProvider(str, Enum):
    """The ``ProviderType`` values of app server 1.11.0 (other strings are passed through)."""

    GITHUB = "github"
    GITLAB = "gitlab"
    BITBUCKET = "bitbucket"
    BITBUCKET_DATA_CENTER = "bitbucket_data_center"
    FORGEJO = "forgejo"
    AZURE_DEVOPS = "azure_devops"
    ENTERPRISE_SSO = "enterprise_sso"

    def __str__(self) -> str:
        return self.value


class ProviderToken(OhModel):
    """One provider's token (``ProviderToken``): ``token`` is write-only on the server and hidden from
    ``repr``; ``host`` is the provider's domain for a self-hosted instance (e.g. ``gitlab.example.com``)."""

    token: str | None = Field(default=None, repr=False)
    user_id: str | None = None
    host: str | None = None


class SandboxSecretName(OhModel):
    """A secret a sandbox may read (``SecretNameItem``): a custom secret, or a provider token such as
    ``github_token``."""

    name: str
    description: str | None = None

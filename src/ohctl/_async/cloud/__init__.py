"""Routes only the hosted Cloud serves (``client.cloud``): API keys, organizations, billing, shared
conversations, app settings. A self-hosted server answers them with 404."""

from __future__ import annotations

from typing import TYPE_CHECKING

from .app_settings import AsyncAppSettingsResource
from .billing import AsyncBilling
from .keys import AsyncKeys
from .orgs import AsyncOrgs
from .sharing import AsyncShared

if TYPE_CHECKING:
    from ..client import AsyncOpenHands


class AsyncCloud:
    """``client.cloud.keys``, ``.orgs``, ``.billing``, ``.shared``, ``.app_settings``."""

    def __init__(self, client: AsyncOpenHands) -> None:
        self.keys = AsyncKeys(client)
        self.orgs = AsyncOrgs(client)
        self.billing = AsyncBilling(client)
        self.shared = AsyncShared(client)
        self.app_settings = AsyncAppSettingsResource(client)

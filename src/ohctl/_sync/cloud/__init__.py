# Generated from ohctl/_async by scripts/gen_sync.py: do not edit; edit the async source.
"""Routes only the hosted Cloud serves (``client.cloud``): API keys, organizations, billing, shared
conversations, app settings. A self-hosted server answers them with 404."""

from __future__ import annotations

from typing import TYPE_CHECKING

from .app_settings import SyncAppSettings
from .billing import SyncBilling
from .keys import SyncKeys
from .orgs import SyncOrgs
from .sharing import SyncShared

if TYPE_CHECKING:
    from ..client import OpenHands


class SyncCloud:
    """``client.cloud.keys``, ``.orgs``, ``.billing``, ``.shared``, ``.app_settings``."""

    def __init__(self, client: OpenHands) -> None:
        self.keys = SyncKeys(client)
        self.orgs = SyncOrgs(client)
        self.billing = SyncBilling(client)
        self.shared = SyncShared(client)
        self.app_settings = SyncAppSettings(client)

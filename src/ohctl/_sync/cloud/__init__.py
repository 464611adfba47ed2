# Generated from ohctl/_async by scripts/gen_sync.py: do not edit; edit the async source.
"""Routes only the hosted Cloud serves (``client.cloud``): API keys, organizations, billing, shared
conversations, app settings. A self-hosted server answers them with 404."""

from __future__ import annotations

from typing import TYPE_CHECKING

from .app_settings import AppSettingsResource
from .billing import Billing
from .keys import Keys
from .orgs import Orgs
from .sharing import Shared

if TYPE_CHECKING:
    from ..client import OpenHands


class Cloud:
    """``client.cloud.keys``, ``.orgs``, ``.billing``, ``.shared``, ``.app_settings``."""

    def __init__(self, client: OpenHands) -> None:
        self.keys = Keys(client)
        self.orgs = Orgs(client)
        self.billing = Billing(client)
        self.shared = Shared(client)
        self.app_settings = AppSettingsResource(client)

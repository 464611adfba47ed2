"""The routes only the hosted Cloud serves, from its published OpenAPI document.

Reach them from the client: ``client.cloud.keys.list()``, ``client.cloud.orgs.list()``,
``client.cloud.billing.credits()``, ``client.cloud.shared.conversations([...])``,
``client.cloud.app_settings.retrieve()``. Choose an organization for every request with
``OpenHands(org=...)``, ``client.with_options(org=...)`` or ``OHCTL_ORG`` (sent as ``X-Org-Id``).

``DeviceLogin`` (``AsyncDeviceLogin``) is the browser login of ``ohctl auth login --web``: the OAuth
device flow, giving an API key without pasting one.
"""

from .._async.cloud import AsyncCloud
from .._async.cloud.app_settings import AsyncAppSettingsResource
from .._async.cloud.billing import AsyncBilling
from .._async.cloud.device_login import AsyncDeviceLogin
from .._async.cloud.keys import AsyncKeys
from .._async.cloud.orgs import AsyncOrgs
from .._async.cloud.sharing import AsyncShared
from .._config import ORG_VAR, check_org
from .._device_flow import (
    DeviceAccessDeniedError,
    DeviceCodeExpiredError,
    DeviceLoginError,
    DevicePolling,
    Granted,
    PollAgain,
)
from .._options import ORG_HEADER
from .._sync.cloud import Cloud
from .._sync.cloud.app_settings import AppSettingsResource
from .._sync.cloud.billing import Billing
from .._sync.cloud.device_login import DeviceLogin
from .._sync.cloud.keys import Keys
from .._sync.cloud.orgs import Orgs
from .._sync.cloud.sharing import Shared
from ..types.cloud import (
    ApiKey,
    AppSettings,
    CreatedApiKey,
    Credits,
    CurrentApiKey,
    DeviceAuthorization,
    DeviceToken,
    LlmApiKey,
    Membership,
    Organization,
    OrganizationPage,
    OrgDefaults,
    OrgMember,
    OrgMemberPage,
    SharedConversation,
    Subscription,
)

AsyncAppSettings = AsyncAppSettingsResource  # its name before it took its sync twin's (``AppSettingsResource``)

__all__ = [
    "ORG_HEADER",
    "ORG_VAR",
    "ApiKey",
    "AppSettings",
    "AppSettingsResource",
    "AsyncAppSettings",
    "AsyncAppSettingsResource",
    "AsyncBilling",
    "AsyncCloud",
    "AsyncDeviceLogin",
    "AsyncKeys",
    "AsyncOrgs",
    "AsyncShared",
    "Billing",
    "Cloud",
    "CreatedApiKey",
    "Credits",
    "CurrentApiKey",
    "DeviceAccessDeniedError",
    "DeviceAuthorization",
    "DeviceCodeExpiredError",
    "DeviceLogin",
    "DeviceLoginError",
    "DevicePolling",
    "DeviceToken",
    "Granted",
    "Keys",
    "LlmApiKey",
    "Membership",
    "OrgDefaults",
    "OrgMember",
    "OrgMemberPage",
    "Organization",
    "OrganizationPage",
    "Orgs",
    "PollAgain",
    "Shared",
    "SharedConversation",
    "Subscription",
    "check_org",
]

# Generated from ohctl/_async by scripts/gen_sync.py: do not edit; edit the async source.
"""Organizations of the hosted Cloud: ``client.cloud.orgs``.

Which organization a request acts in is the key's own (an org-bound key), else the ``X-Org-Id``
header (``OpenHands(org=...)``, ``with_options(org=...)``, ``OHCTL_ORG``, ``ohctl --org``), else the
user's current organization, which ``switch()`` changes on the server.
"""

from __future__ import annotations

import uuid
from typing import Any

from ..._errors import InvalidArgumentError
from ..._routes import route
from ...types.cloud import Membership, Organization, OrganizationPage, OrgDefaults, OrgMemberPage
from .._pagination import Pager
from ..resources._base import Resource


def org_id(value: object) -> str:
    """An organization id (a UUID, as ``orgs.list()`` shows), checked before any request."""
    try:
        return str(uuid.UUID(str(value)))
    except ValueError:
        raise InvalidArgumentError(
            f"{value!r} is not an organization id: use the id (a UUID) that `ohctl orgs list` shows"
        ) from None


class Orgs(Resource):
    def list(self, *, page_size: int | None = None, limit: int | None = None) -> Pager[Organization]:
        """Every organization the user belongs to (lazily, page by page)."""
        return Pager(
            self._http, "/api/organizations", {}, Organization.model_validate, page_size=page_size, limit=limit
        )

    def current_id(self) -> str | None:
        """The id of the user's current organization (the one ``switch`` chose), from the list."""
        page = self._http.request(
            "GET", "/api/organizations", params={"limit": 1}, parse=OrganizationPage.model_validate
        )
        return page.current_org_id

    def retrieve(self, org: str) -> Organization:
        """One organization (the document marks this route deprecated; it is the only one for this)."""
        path = route("/api/organizations/{org_id}", org_id=org_id(org))
        return self._http.request("GET", path, parse=Organization.model_validate)

    def update(self, org: str, **changes: Any) -> Organization:
        """Change an organization's fields (``name``, ``contact_email``, ``max_budget_per_task``, ...;
        admins and owners only). Repeating it gives the same result, so it is retried."""
        if not changes:
            raise InvalidArgumentError("nothing to update: pass the fields to change, e.g. name='Acme'")
        path = route("/api/organizations/{org_id}", org_id=org_id(org))
        return self._http.request("PATCH", path, json=changes, idempotent=True, parse=Organization.model_validate)

    def me(self, org: str) -> Membership:
        """The user's own membership of ``org``: role, status and permissions."""
        path = route("/api/organizations/{org_id}/me", org_id=org_id(org))
        return self._http.request("GET", path, parse=Membership.model_validate)

    def members(self, org: str, *, page: int = 0, page_size: int = 10, email: str | None = None) -> OrgMemberPage:
        """One page of ``org``'s members (``page`` counts from 0), optionally those whose email
        contains ``email``."""
        if page < 0 or not 0 < page_size <= 100:
            raise InvalidArgumentError("page must be 0 or more and page_size between 1 and 100")
        path = route("/api/organizations/{org_id}/members", org_id=org_id(org))
        params = {"page_id": str(page) if page else None, "limit": page_size, "email": email or None}
        return self._http.request("GET", path, params=params, parse=OrgMemberPage.model_validate)

    def switch(self, org: str) -> Organization:
        """Make ``org`` the user's current organization on the server (used by keys not bound to an
        organization, when no ``X-Org-Id`` is sent)."""
        path = route("/api/organizations/{org_id}/switch", org_id=org_id(org))
        return self._http.request("POST", path, idempotent=True, parse=Organization.model_validate)

    def settings(self, org: str) -> OrgDefaults:
        """``org``'s default settings for its members (agent and conversation settings)."""
        path = route("/api/organizations/{org_id}/settings", org_id=org_id(org))
        return self._http.request("GET", path, parse=OrgDefaults.model_validate)

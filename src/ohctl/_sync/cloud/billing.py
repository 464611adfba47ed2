# Generated from ohctl/_async by scripts/gen_sync.py: do not edit; edit the async source.
"""Billing of the hosted Cloud: ``client.cloud.billing`` (read only; paying happens in the browser)."""

from __future__ import annotations

from typing import Any

from ...types.cloud import Credits, Subscription
from ..resources._base import Resource


class Billing(Resource):
    def credits(self) -> Credits:
        """The credit balance of the effective organization."""
        return self._http.request("GET", "/api/billing/credits", parse=Credits.model_validate)

    def subscription(self) -> Subscription | None:
        """The subscription in force, or None when there is none."""
        return self._http.request("GET", "/api/billing/subscription-access", parse=_subscription)


def _subscription(data: Any) -> Subscription | None:
    return None if data is None else Subscription.model_validate(data)

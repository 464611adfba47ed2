"""``ohctl billing``: the hosted Cloud credit balance and subscription (paying is done in the browser)."""

from __future__ import annotations

from typing import Any

import click

from ..context import state
from ..output import Output, to_data, with_output


@click.command("billing")
@with_output
def billing(out: Output) -> None:
    """Credits left in the organization in use, and the subscription in force (the hosted Cloud only)."""
    run = state()
    cloud = run.client().cloud
    subscription = cloud.billing.subscription()
    info: dict[str, Any] = {
        "credits": cloud.billing.credits().credits,
        "subscription": None if subscription is None else to_data(subscription),
    }
    out.emit(info, human=_print)


def _print(info: dict[str, Any]) -> None:
    click.echo(f"Credits: {info['credits'] if info['credits'] is not None else 'unknown'}")
    sub = info["subscription"]
    if sub is None:
        click.echo("Subscription: none")
        return
    ends = (sub.get("end_at") or "")[:10]
    state_text = f"cancelled, ends {ends}" if sub.get("cancelled_at") else f"renews {ends}"
    click.echo(f"Subscription: since {(sub.get('start_at') or '')[:10]}, {state_text}")

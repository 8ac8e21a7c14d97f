"""The notification app's background work: sending e-mail and SMS deliveries."""

from __future__ import annotations

from django.tasks import task

from tandem.notify.services import delivery_attempt


@task()
def deliver(delivery_id: str) -> str:
    """Send one e-mail or SMS delivery (by its public id); returns its status afterwards."""
    return delivery_attempt(delivery_id=delivery_id).status

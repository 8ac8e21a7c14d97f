"""Notification factories: rows written directly to set a scene (no audit, no delivery)."""

from __future__ import annotations

import factory

from tandem.notify.models import Delivery, Notification
from tests.factories import SiteFactory, UserFactory


class NotificationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Notification

    site = factory.SubFactory(SiteFactory)
    recipient = factory.SubFactory(UserFactory)
    kind = "test-notice"
    subject = factory.Sequence(lambda n: f"Something new for you ({n})")
    body = "The details, shown only in Tandem."
    url = ""


class DeliveryFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Delivery

    notification = factory.SubFactory(NotificationFactory)
    channel = Delivery.Channel.EMAIL

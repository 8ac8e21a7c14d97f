"""The demo's two years of casework and the benchmark's bulk contacts."""

from __future__ import annotations

import datetime as dt
import random

import pytest
from django.core.management import CommandError, call_command
from django.db.models import Max

from tandem.audit.models import AuditEvent
from tandem.casework.demo import demo_history, seed_casework
from tandem.casework.models import Contact, Enrollment
from tandem.casework.tests.conftest import TODAY


def test_the_demo_writes_contacts_that_agree_with_each_enrollment(rosa, bridgeway, alice):
    Enrollment.objects.filter(pk=rosa.pk).update(
        last_substantive_contact_on=TODAY - dt.timedelta(days=4)
    )

    stored = seed_casework(random.Random(7), bridgeway.site, TODAY)

    assert stored == Contact.objects.count() > 20
    rosa.refresh_from_db()
    newest = Contact.objects.filter(enrollment=rosa, kind="substantive").aggregate(at=Max("at"))
    assert newest["at"].date() == TODAY - dt.timedelta(days=4)
    assert rosa.last_substantive_contact_on == TODAY - dt.timedelta(days=4)
    assert not Contact.objects.filter(at__date__lt=rosa.enrolled_on).exists()
    assert AuditEvent.objects.get(action="contacts.imported").detail["count"] == stored


def test_the_demo_is_the_same_for_the_same_seed(rosa, bridgeway):
    seed_casework(random.Random(7), bridgeway.site, TODAY)
    first = list(Contact.objects.order_by("at").values_list("at", "kind", "note"))
    Contact.objects.all().delete()

    seed_casework(random.Random(7), bridgeway.site, TODAY)

    assert list(Contact.objects.order_by("at").values_list("at", "kind", "note")) == first


def test_demo_exits_always_carry_a_reason_of_the_model():
    history = demo_history(
        "exited", enrolled_on=dt.date(2025, 3, 1), last_contact=dt.date(2025, 9, 1), today=TODAY
    )

    assert history["exit_reason"] in {"moved", "chose_to_leave", "incarceration", "deceased"}
    assert history["status_since"] == dt.date(2025, 10, 2)
    assert demo_history("active", enrolled_on=TODAY, last_contact=None, today=TODAY) == {}


def test_seed_contacts_adds_participants_and_contacts_in_bulk(rosa, site_a, settings):
    settings.LOCAL = True

    call_command("seed_contacts", site=site_a.slug, people=3, contacts=30, seed=1)

    assert Enrollment.objects.filter(site=site_a).count() == 3
    assert Contact.objects.filter(site=site_a).count() == 30
    assert len(set(Contact.objects.values_list("enrollment", flat=True))) == 3
    assert AuditEvent.objects.filter(action="participants.imported").count() == 1
    assert AuditEvent.objects.filter(action="contacts.imported").count() == 1


def test_seed_contacts_refuses_an_unknown_site_and_a_real_deployment(site_a, settings):
    settings.LOCAL = True
    with pytest.raises(CommandError, match="No site"):
        call_command("seed_contacts", site="nowhere", people=1, contacts=1)

    settings.LOCAL = False
    with pytest.raises(CommandError, match="fictional"):
        call_command("seed_contacts", site=site_a.slug, people=1, contacts=1)
    assert not Contact.objects.exists()

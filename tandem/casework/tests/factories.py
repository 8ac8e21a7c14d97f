"""Casework rows written directly (no audit) to set a scene; the behaviour under test goes
through services and selectors."""

from __future__ import annotations

import datetime as dt

import factory
from django.utils import timezone

from tandem.accounts.models import User
from tandem.casework.models import Contact, Enrollment, EnrollmentEvent, Task
from tests.factories import EnrollmentFactory, UserFactory


class ContactFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Contact

    enrollment = factory.SubFactory(EnrollmentFactory)
    site = factory.SelfAttribute("enrollment.site")
    person = factory.SelfAttribute("enrollment.person")
    at = factory.LazyFunction(lambda: timezone.now() - dt.timedelta(hours=2))
    kind = Contact.Kind.SUBSTANTIVE
    mode = Contact.Mode.STREET
    place = "3rd Ave & Bell St"
    minutes = 20
    note = "Talked about the ID appointment."
    recorded_by = factory.SubFactory(UserFactory)
    recorded_by_organization = factory.SelfAttribute("enrollment.provider")


class TaskFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Task

    enrollment = factory.SubFactory(EnrollmentFactory)
    site = factory.SelfAttribute("enrollment.site")
    title = "Bring the ID form"
    due_on = factory.LazyFunction(lambda: timezone.localdate() + dt.timedelta(days=3))
    created_by = factory.SubFactory(UserFactory)


class EnrollmentEventFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = EnrollmentEvent

    enrollment = factory.SubFactory(EnrollmentFactory)
    site = factory.SelfAttribute("enrollment.site")
    kind = EnrollmentEvent.Kind.ENROLLED
    at = factory.LazyFunction(timezone.now)
    to_status = Enrollment.Status.ACTIVE
    by_label = "Tandem"


def casework_scene(*, enrollment: Enrollment, recorded_by: User | None = None) -> dict[str, object]:
    """A contact with a note and an open follow-up on `enrollment`, recorded by its team:
    the rows the access matrices open by their public ids."""
    recorder = {"recorded_by": recorded_by} if recorded_by is not None else {}
    creator = {"created_by": recorded_by} if recorded_by is not None else {}
    return {
        "enrollment": enrollment,
        "contact": ContactFactory(enrollment=enrollment, **recorder),
        "task": TaskFactory(enrollment=enrollment, **creator),
    }

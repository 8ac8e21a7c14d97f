"""Factories for legal coordination. They write rows directly (no audit) to set a scene; the
behaviour under test goes through services and selectors."""

from __future__ import annotations

import datetime as dt
from typing import Any

import factory
from django.utils import timezone

from tandem.access.roles import Role
from tandem.legal.models import DivertedChargeHold, HoldEvent, LegalStatusSummary, Letter
from tandem.tenancy.models import Membership
from tests.factories import (
    ConsentFactory,
    ConsentGrantFactory,
    EnrollmentFactory,
    OrganizationFactory,
    PersonFactory,
)


class HoldFactory(factory.django.DjangoModelFactory):
    """An open hold on a person of a new site, held by a new prosecutor's office."""

    class Meta:
        model = DivertedChargeHold
        skip_postgeneration_save = True

    person = factory.SubFactory(PersonFactory)
    site = factory.SelfAttribute("person.site")
    prosecutor_organization = factory.SubFactory(
        OrganizationFactory, site=factory.SelfAttribute("..person.site"), kind="prosecutor"
    )
    charge_summary = "RCW 69.50.4013 · Possession of a controlled substance"
    incident_on = dt.date(2026, 5, 20)
    deadline = dt.date(2026, 6, 3)

    @factory.post_generation
    def created_event(self, create: bool, extracted: object, **kwargs: object) -> None:
        if create:
            HoldEvent.objects.create(
                hold=self, kind=HoldEvent.Kind.CREATED, at=timezone.now(), to_date=self.deadline
            )


class LegalStatusSummaryFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = LegalStatusSummary

    person = factory.SubFactory(PersonFactory)
    site = factory.SelfAttribute("person.site")
    written_by_organization = factory.SubFactory(
        OrganizationFactory, site=factory.SelfAttribute("..person.site")
    )
    written_at = factory.LazyFunction(timezone.now)
    engagement = LegalStatusSummary.Engagement.REGULAR
    progress = LegalStatusSummary.Progress.PROGRESSING
    barriers = factory.LazyFunction(lambda: ["housing"])
    note = "Working on getting an ID card."


class LetterFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Letter

    summary = factory.SubFactory(LegalStatusSummaryFactory)
    person = factory.SelfAttribute("summary.person")
    site = factory.SelfAttribute("summary.site")
    issued_by_organization = factory.SelfAttribute("summary.written_by_organization")
    recipient_organization = factory.SubFactory(
        OrganizationFactory, site=factory.SelfAttribute("..summary.site"), kind="court"
    )
    consent = factory.SubFactory(
        ConsentFactory,
        person=factory.SelfAttribute("..summary.person"),
        recorded_by_organization=factory.SelfAttribute("..summary.written_by_organization"),
    )
    template = Letter.Template.COURT
    addressee = "Judge A. Alvarez"
    text = "Municipal letter text"
    issued_at = factory.LazyFunction(timezone.now)


def organization_of(user: Any) -> Any:
    return Membership.objects.get(user=user).organization


def legal_scene(*, site, provider, person, users) -> dict[str, Any]:
    """For the route matrix: a hold on `person` in the scene prosecutor's queue; a second
    participant, held by `provider`, whose current release names the scene's prosecutor's
    and defender's offices for legal information; a letter the holding team issued."""
    office = organization_of(users[Role.PROSECUTOR])
    defenders = organization_of(users[Role.DEFENDER])
    hold = HoldFactory(person=person, prosecutor_organization=office)
    legal_person = PersonFactory(site=site)
    EnrollmentFactory(person=legal_person, provider=provider)
    consent = ConsentFactory(person=legal_person, recorded_by_organization=provider)
    for organization in (office, defenders):
        ConsentGrantFactory(
            consent=consent,
            organization=organization,
            categories=["enrollment", "identity", "legal"],
        )
    summary = LegalStatusSummaryFactory(person=person, written_by_organization=provider)
    letter = LetterFactory(summary=summary)
    return {"hold": hold, "legal_person": legal_person, "letter": letter}

"""Reads of the service directory (not participant data) and of a participant's service
links (each shown only if decide() allows its category, e.g. a link to treatment is
substance-use information, and the Part 2 rule allows whoever recorded it)."""

from __future__ import annotations

import datetime as dt
import uuid
from dataclasses import dataclass

from tandem.access.decisions import Capability, can
from tandem.access.errors import OutOfScope
from tandem.access.roles import Category
from tandem.access.viewer import Viewer
from tandem.audit.disclosures import Part2Notice
from tandem.casework.support.models import (
    ServiceLink,
    ServiceProvider,
    ServiceType,
    service_category,
)
from tandem.casework.support.selectors.participant import (
    Participant,
    PersonHeader,
    disclose_read,
    participant_for,
    visible,
)

DIRECTORY_LIMIT = 500
LINK_LIMIT = 200


def service_directory(*, viewer: Viewer, include_inactive: bool = False) -> list[ServiceProvider]:
    if not can(viewer, Capability.VIEW_SERVICE_DIRECTORY):
        raise OutOfScope("No such page.")
    providers = ServiceProvider.objects.filter(site_id=viewer.site_id)
    if not include_inactive:
        providers = providers.filter(is_active=True)
    return list(providers.order_by("name", "id")[:DIRECTORY_LIMIT])


@dataclass(frozen=True, slots=True)
class LinkShown:
    public_id: uuid.UUID
    provider: str
    provider_phone: str
    service_type_label: str
    status: str
    status_label: str
    status_on: dt.date
    referred_on: dt.date
    outcome: str
    current: bool
    final: bool


@dataclass(frozen=True, slots=True)
class ServicesPage:
    person: PersonHeader
    links: list[LinkShown]
    # For the form: the directory, and the kinds of service the viewer may record.
    providers: list[ServiceProvider]
    service_types: list[tuple[str, str]]
    part2_notice: Part2Notice | None = None


def services_page(*, viewer: Viewer, person_id: uuid.UUID) -> ServicesPage:
    participant = participant_for(
        viewer=viewer, person_id=person_id, needs=Category.CASEWORK, page="services"
    )
    rows = (
        ServiceLink.objects.filter(person=participant.person)
        .select_related("service_provider", "recorded_by_organization")
        .order_by("-referred_on", "-id")[:LINK_LIMIT]
    )
    links = [
        LinkShown(
            public_id=link.public_id,
            provider=link.service_provider.name,
            provider_phone=link.service_provider.phone,
            service_type_label=link.get_service_type_display(),
            status=link.status,
            status_label=link.get_status_display(),
            status_on=link.status_on,
            referred_on=link.referred_on,
            outcome=link.outcome,
            current=link.enrollment_id == participant.open_enrollment_id,
            final=link.status in {ServiceLink.Status.COMPLETED, ServiceLink.Status.DECLINED},
        )
        for link in rows
        if visible(
            viewer=viewer,
            participant=participant,
            category=link.category,
            recorder_id=link.recorded_by_organization_id,
            recorder_is_part2=link.recorded_by_organization.is_part2_program,
        )
    ]
    shown = {
        service_category(link.service_type)
        for link in rows
        if link.public_id in {item.public_id for item in links}
    }
    notice = disclose_read(
        viewer=viewer,
        participant=participant,
        shown=shown | {Category.CASEWORK},
        action="service_links.viewed",
        category=Category.CASEWORK,
        count=len(links),
    )
    providers = service_directory(viewer=viewer) if participant.may_write else []
    types = [
        (value, label)
        for value, label in ServiceType.choices
        if service_category(value) in participant.categories
    ]
    return ServicesPage(
        person=participant.header(),
        links=links,
        providers=providers,
        service_types=types,
        part2_notice=notice,
    )


def link_for_change(*, viewer: Viewer, public_id: uuid.UUID) -> tuple[ServiceLink, Participant]:
    link = (
        ServiceLink.objects.filter(site_id=viewer.site_id, public_id=public_id)
        .select_related("person")
        .first()
    )
    if link is None:
        raise OutOfScope("No such service link.")
    participant = participant_for(
        viewer=viewer, person_id=link.person.public_id, needs=Category.CASEWORK, page="services"
    )
    if not participant.may_write or link.category not in participant.categories:
        raise OutOfScope("No such service link.")
    return link, participant


def directory_provider_for_link(*, viewer: Viewer, public_id: uuid.UUID) -> ServiceProvider:
    provider = ServiceProvider.objects.filter(
        site_id=viewer.site_id, public_id=public_id, is_active=True
    ).first()
    if provider is None:
        raise OutOfScope("No such provider.")
    return provider

"""The service directory and a participant's links to services (DOMAIN.md §5): referred,
connected, completed or declined, with what came of it. Every status a link passes through
stays as a ServiceLinkEvent."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from tandem.access.decisions import Capability, can
from tandem.access.roles import Purpose
from tandem.access.viewer import Viewer
from tandem.accounts.models import User
from tandem.audit.services import audit_record
from tandem.casework.support.models import (
    ServiceLink,
    ServiceLinkEvent,
    ServiceProvider,
    ServiceType,
    service_category,
)
from tandem.casework.support.services.holding import held_enrollment
from tandem.people.models import Person
from tandem.tenancy.models import Organization, Site

# A completed or declined link is history; trying again is a new link.
FINAL_STATUSES = frozenset({ServiceLink.Status.COMPLETED, ServiceLink.Status.DECLINED})


@transaction.atomic
def service_provider_add(
    *,
    actor: User | None,
    viewer: Viewer | None,
    site: Site,
    name: str,
    service_types: Sequence[str],
    phone: str = "",
    email: str = "",
    address: str = "",
    website: str = "",
    notes: str = "",
    organization: Organization | None = None,
) -> ServiceProvider:
    """A new entry of the site's service directory."""
    if viewer is not None and (
        not can(viewer, Capability.EDIT_SERVICE_DIRECTORY) or viewer.site_id != site.pk
    ):
        raise ValidationError("Your role does not keep the service directory.")
    name = name.strip()
    errors: dict[str, str] = {}
    if not name:
        errors["name"] = "Give the provider's name."
    elif ServiceProvider.objects.filter(site=site, name__iexact=name).exists():
        errors["name"] = f"“{name}” is in the directory already."
    types = sorted(set(service_types))
    if not types or set(types) - set(ServiceType.values):
        errors["service_types"] = "Choose the services it offers."
    if organization is not None and organization.site_id != site.pk:
        errors["organization"] = "The organisation belongs to another site."
    if errors:
        raise ValidationError(errors)
    provider = ServiceProvider(
        site=site,
        name=name,
        organization=organization,
        service_types=types,
        phone=phone.strip(),
        email=email.strip(),
        address=address.strip(),
        website=website.strip(),
        notes=notes.strip(),
        created_by=actor,
    )
    provider.full_clean()
    provider.save()
    audit_record(
        actor=actor,
        site=site,
        action="service_provider.added",
        target=provider,
        detail={"name": name},
    )
    return provider


@transaction.atomic
def service_link_add(
    *,
    actor: User | None,
    viewer: Viewer | None,
    person: Person,
    service_provider: ServiceProvider,
    service_type: str,
    referred_on: dt.date | None = None,
    outcome: str = "",
    at: dt.datetime | None = None,
) -> ServiceLink:
    """Refer the participant to a service of the directory."""
    enrollment = held_enrollment(viewer=viewer, person=person)
    today = enrollment.site.today()
    referred_on = referred_on or today
    errors: dict[str, str] = {}
    if service_provider.site_id != enrollment.site_id or not service_provider.is_active:
        errors["service_provider"] = "Choose a provider from the site's directory."
    if service_type not in ServiceType.values:
        errors["service_type"] = "Choose the kind of service."
    elif service_type not in service_provider.service_types:
        errors["service_type"] = f"{service_provider.name} does not offer this service."
    if referred_on > today:
        errors["referred_on"] = "That date is in the future."
    if errors:
        raise ValidationError(errors)
    link = ServiceLink(
        site_id=enrollment.site_id,
        person_id=enrollment.person_id,
        enrollment=enrollment,
        service_provider=service_provider,
        service_type=service_type,
        category=service_category(service_type),
        status=ServiceLink.Status.REFERRED,
        status_on=referred_on,
        referred_on=referred_on,
        outcome=outcome.strip(),
        recorded_by_organization_id=enrollment.provider_id,
        created_by=actor,
    )
    link.full_clean()
    link.save()
    ServiceLinkEvent.objects.create(
        link=link,
        to_status=link.status,
        on=referred_on,
        outcome=link.outcome,
        at=at or timezone.now(),
        by=actor,
    )
    audit_record(
        actor=actor,
        site=link.site_id,
        action="service_link.added",
        target=link,
        category=link.category,
        purpose=Purpose.CARE_COORDINATION,
        detail={"service_type": service_type},
    )
    return link


@transaction.atomic
def service_link_update(
    *,
    actor: User | None,
    viewer: Viewer | None,
    link: ServiceLink,
    status: str,
    on: dt.date | None = None,
    outcome: str = "",
    at: dt.datetime | None = None,
) -> ServiceLink:
    """Move a link on (referred → connected → completed, or declined), or add to its
    outcome. A completed or declined link keeps its status."""
    link = ServiceLink.objects.select_for_update().get(pk=link.pk)
    enrollment = held_enrollment(viewer=viewer, person=Person(pk=link.person_id))
    if enrollment.pk != link.enrollment_id:
        raise ValidationError("This link belongs to an earlier enrollment; it is history now.")
    today = enrollment.site.today()
    on = on or today
    outcome = outcome.strip()
    if status not in ServiceLink.Status.values:
        raise ValidationError({"status": "Choose referred, connected, completed or declined."})
    if link.status in FINAL_STATUSES and status != link.status:
        raise ValidationError(
            {
                "status": f"This link is {link.get_status_display().lower()}; to try again, "
                "refer the participant anew."
            }
        )
    if status == link.status and (not outcome or outcome == link.outcome):
        raise ValidationError({"status": "Nothing changed: choose a new status or an outcome."})
    if on > today or on < link.status_on:
        raise ValidationError({"on": f"Give a date from {link.status_on:%Y-%m-%d} up to today."})
    before = link.status
    link.status = status
    link.status_on = on
    if outcome:
        link.outcome = outcome
    link.full_clean()
    link.save(update_fields=["status", "status_on", "outcome", "updated_at"])
    ServiceLinkEvent.objects.create(
        link=link,
        from_status=before,
        to_status=status,
        on=on,
        outcome=outcome,
        at=at or timezone.now(),
        by=actor,
    )
    audit_record(
        actor=actor,
        site=link.site_id,
        action="service_link.updated",
        target=link,
        category=link.category,
        purpose=Purpose.CARE_COORDINATION,
        detail={"from": before, "to": status},
    )
    return link

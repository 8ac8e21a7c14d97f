from __future__ import annotations

from datetime import date

from django.db import transaction

from tandem.accounts.models import User
from tandem.audit.services import audit_record
from tandem.casework.models import Enrollment
from tandem.people.models import Person
from tandem.tenancy.models import Organization


@transaction.atomic
def enrollment_create(
    *,
    actor: User | None,
    person: Person,
    provider: Organization,
    case_manager: User | None,
    enrolled_on: date,
    status: str = Enrollment.Status.ACTIVE,
    last_substantive_contact_on: date | None = None,
) -> Enrollment:
    enrollment = Enrollment(
        site_id=person.site_id,
        person=person,
        provider=provider,
        case_manager=case_manager,
        enrolled_on=enrolled_on,
        status=status,
        last_substantive_contact_on=last_substantive_contact_on,
    )
    enrollment.full_clean()
    enrollment.save()
    audit_record(
        actor=actor,
        site=person.site_id,
        action="enrollment.created",
        target=enrollment,
        category="enrollment",
        detail={"person": str(person.public_id), "provider": str(provider.public_id)},
    )
    return enrollment

import datetime as dt

import pytest
from django.core.exceptions import ValidationError

from tandem.access.roles import Role
from tandem.casework.models import Enrollment
from tandem.casework.services import enrollment_create
from tests.factories import OrganizationFactory, PersonFactory, member


def test_a_provider_of_another_site_cannot_hold_the_enrollment(site_a, site_b):
    person = PersonFactory(site=site_a)
    foreign = OrganizationFactory(site=site_b, kind="case_management")

    with pytest.raises(ValidationError, match="another site"):
        enrollment_create(
            actor=None,
            person=person,
            provider=foreign,
            case_manager=None,
            enrolled_on=dt.date(2026, 1, 1),
        )

    assert not Enrollment.objects.exists()


def test_the_case_manager_must_work_for_the_provider(site_a, bridgeway):
    person = PersonFactory(site=site_a)
    elsewhere = member(
        Role.CASE_MANAGER,
        organization=OrganizationFactory(site=site_a, kind="case_management"),
    )

    with pytest.raises(ValidationError, match="does not work for this provider"):
        enrollment_create(
            actor=None,
            person=person,
            provider=bridgeway,
            case_manager=elsewhere,
            enrolled_on=dt.date(2026, 1, 1),
        )

    assert not Enrollment.objects.exists()


def test_a_police_department_cannot_hold_an_enrollment(site_a):
    person = PersonFactory(site=site_a)
    police = OrganizationFactory(site=site_a, kind="police")

    with pytest.raises(ValidationError, match="case-management provider"):
        enrollment_create(
            actor=None,
            person=person,
            provider=police,
            case_manager=None,
            enrolled_on=dt.date(2026, 1, 1),
        )

"""Supervisors assign and transfer participants between case managers, with history."""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from tandem.access.roles import Role
from tandem.audit.models import AuditEvent
from tandem.casework.models import EnrollmentEvent
from tandem.casework.services import enrollment_assign
from tandem.casework.tests.conftest import viewer_of
from tandem.notify.models import Notification
from tests.factories import EnrollmentFactory, OrganizationFactory, PersonFactory, add_totp, member


@pytest.fixture
def bea(bridgeway):
    user = member(Role.CASE_MANAGER, organization=bridgeway, username="bea")
    add_totp(user)
    return user


def test_a_transfer_moves_the_participant_and_keeps_the_history(login, dana, alice, bea, rosa):
    client = login(dana)

    response = client.post(
        reverse("casework:assign", args=[rosa.public_id]),
        {"case_manager": str(bea.public_id), "reason": "Alice's caseload is full"},
    )

    assert response.status_code == 302
    rosa.refresh_from_db()
    assert rosa.case_manager == bea
    event = rosa.events.get(kind=EnrollmentEvent.Kind.TRANSFERRED)
    assert (event.from_case_manager, event.to_case_manager, event.by) == (alice, bea, dana)
    assert event.reason == "Alice's caseload is full"
    assert AuditEvent.objects.filter(action="enrollment.transferred").count() == 1
    # Bea is told, with no participant data in the subject.
    notice = Notification.objects.get(recipient=bea)
    assert "Quintero" not in notice.subject
    assert "Rosa Quintero" in notice.body
    # And the participant moved caseloads.
    assert "Rosa Quintero" in login(bea).get("/").text
    assert "Rosa Quintero" not in login(alice).get("/").text


def test_an_unassigned_participant_is_assigned(dana, bea, bridgeway):
    enrollment = EnrollmentFactory(person=PersonFactory(site=bridgeway.site), provider=bridgeway)

    enrollment_assign(actor=dana, viewer=viewer_of(dana), enrollment=enrollment, case_manager=bea)

    assert enrollment.events.get().kind == EnrollmentEvent.Kind.ASSIGNED


def test_a_case_manager_of_another_provider_cannot_take_the_participant(dana, rosa, site_a):
    elsewhere = member(Role.CASE_MANAGER, organization=OrganizationFactory(site=site_a))

    with pytest.raises(ValidationError):
        enrollment_assign(
            actor=dana, viewer=viewer_of(dana), enrollment=rosa, case_manager=elsewhere
        )

    rosa.refresh_from_db()
    assert rosa.case_manager.username == "alice"
    assert not EnrollmentEvent.objects.exists()


def test_a_supervisor_of_another_provider_gets_404(login, rosa, site_a):
    other = member(Role.CM_SUPERVISOR, organization=OrganizationFactory(site=site_a))

    response = login(other).post(
        reverse("casework:assign", args=[rosa.public_id]), {"case_manager": ""}
    )

    assert response.status_code == 404
    rosa.refresh_from_db()
    assert rosa.case_manager is not None


def test_a_case_manager_cannot_assign(login, alice, bea, rosa):
    response = login(alice).post(
        reverse("casework:assign", args=[rosa.public_id]), {"case_manager": str(bea.public_id)}
    )

    assert response.status_code == 404
    rosa.refresh_from_db()
    assert rosa.case_manager == alice


def test_the_supervisors_page_shows_caseloads_and_the_chosen_one(
    login, dana, alice, rosa, bridgeway
):
    EnrollmentFactory(
        person=PersonFactory(site=bridgeway.site, given_name="Unassigned", family_name="Person"),
        provider=bridgeway,
    )
    client = login(dana)

    unassigned = client.get(reverse("casework:caseloads")).text
    alices = client.get(reverse("casework:caseloads") + f"?case_manager={alice.public_id}").text

    assert "Unassigned Person" in unassigned.split('id="assignments"')[1]
    assert "Rosa Quintero" not in unassigned.split('id="assignments"')[1]
    assert "Rosa Quintero" in alices.split('id="assignments"')[1]


def test_an_unknown_case_manager_on_the_supervisors_page_is_404(login, dana):
    client = login(dana)

    assert client.get(reverse("casework:caseloads") + "?case_manager=nonsense").status_code == 404
    assert (
        client.get(
            reverse("casework:caseloads") + "?case_manager=00000000-0000-0000-0000-000000000000"
        ).status_code
        == 404
    )


@pytest.mark.parametrize("rows", [1, 50])
def test_the_supervisors_page_runs_a_bounded_number_of_queries(
    login, dana, bridgeway, django_assert_max_num_queries, rows
):
    for _ in range(rows):
        EnrollmentFactory(person=PersonFactory(site=bridgeway.site), provider=bridgeway)
    client = login(dana)

    with django_assert_max_num_queries(12):
        response = client.get(reverse("casework:caseloads"))

    assert response.text.count('class="assign-form"') == rows


@pytest.mark.parametrize("who", ["case_manager", "other_supervisor"])
def test_the_service_refuses_anyone_but_a_supervisor_of_the_holding_provider(
    who, alice, bea, rosa, site_a
):
    """The page asks first; the service asks again, for a caller that is not the page."""
    if who == "case_manager":
        viewer = viewer_of(alice)  # of the holding provider, but without the capability
    else:
        other = member(Role.CM_SUPERVISOR, organization=OrganizationFactory(site=site_a))
        viewer = viewer_of(other)

    with pytest.raises(ValidationError, match="Only the provider holding the enrollment"):
        enrollment_assign(actor=alice, viewer=viewer, enrollment=rosa, case_manager=bea)

    rosa.refresh_from_db()
    assert rosa.case_manager == alice
    assert not EnrollmentEvent.objects.exists()
    assert not AuditEvent.objects.filter(action__startswith="enrollment.").exists()

"""After an exit nobody holds the participant. The team whose enrollment ended keeps
reading the record it kept (decide() in tandem/access: the former holder), read-only; every
other provider, the project office and the partners see what they saw before; and once
another provider enrolls the person, the former team steps back like any other provider."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from tandem.casework.models import Contact, Enrollment, Task
from tandem.casework.services import enrollment_exit
from tandem.casework.tests.conftest import NOW, TODAY, contact, release, viewer_of
from tests.factories import EnrollmentFactory, PersonFactory

TEAM_NOTE = "Sleeping at the Bell St camp"
HEALTH_NOTE = "Hepatitis C clinic on Tuesday"


def main(response) -> str:
    return response.text.split('<main id="main"')[1].split("</main>")[0]


@pytest.fixture
def exited(rosa, alice):
    """Rosa, with two notes her team wrote, exited because she moved away."""
    contact(rosa, alice, at=NOW - dt.timedelta(days=9), note=TEAM_NOTE, place="Bell St")
    contact(rosa, alice, at=NOW - dt.timedelta(days=8), note=HEALTH_NOTE, note_category="health")
    enrollment_exit(
        actor=alice,
        viewer=viewer_of(alice),
        enrollment=rosa,
        reason="moved",
        text="To Portland",
        on=TODAY,
    )
    rosa.refresh_from_db()
    return rosa


def casework_page(client, enrollment):
    return client.get(reverse("casework:person", args=[enrollment.person.public_id]))


def timeline_page(client, enrollment):
    return client.get(reverse("casework:timeline", args=[enrollment.person.public_id]))


@pytest.mark.parametrize("who", ["alice", "dana", "marcus"])
def test_the_team_that_held_the_participant_keeps_reading_their_casework(
    request, login, exited, who
):
    response = casework_page(login(request.getfixturevalue(who)), exited)

    assert response.status_code == 200
    text = main(response)
    assert TEAM_NOTE in text
    assert HEALTH_NOTE in text
    assert "To Portland" in text
    assert "Their participation has ended" in text
    assert "Log a contact" not in text
    assert "End participation" not in text


def test_the_former_team_reads_the_timeline_with_its_notes(login, alice, exited):
    text = main(timeline_page(login(alice), exited))

    assert TEAM_NOTE in text
    assert HEALTH_NOTE in text


def test_the_person_page_shows_the_former_team_how_it_ended_with_links(login, alice, exited):
    text = main(login(alice).get(reverse("people:detail", args=[exited.person.public_id])))

    assert "Exited" in text
    assert reverse("casework:person", args=[exited.person.public_id]) in text
    assert reverse("casework_support:plan", args=[exited.person.public_id]) in text
    # Speaking for the participant to legal partners is for an open enrollment only.
    assert reverse("legal:status_create", args=[exited.person.public_id]) not in text


def test_nothing_new_is_recorded_for_an_exited_participant(login, alice, exited):
    client = login(alice)
    before = Contact.objects.count()

    response = client.post(
        reverse("casework:contact_new", args=[exited.public_id]),
        {"kind": "substantive", "mode": "street", "minutes": "10"},
    )
    task = client.post(
        reverse("casework:task_add", args=[exited.public_id]),
        {"title": "Call", "due_on": "2026-06-03"},
    )

    assert response.status_code == 404
    assert task.status_code == 404
    assert Contact.objects.count() == before
    assert not Task.objects.exists()
    assert (
        client.get(reverse("legal:status_create", args=[exited.person.public_id])).status_code
        == 404
    )


def test_the_service_refuses_a_contact_on_the_ended_enrollment(alice, exited):
    with pytest.raises(ValidationError):
        contact(exited, alice)


@pytest.mark.parametrize("who", ["priya", "ruth"])
def test_another_provider_and_the_project_office_still_get_no_casework_page(
    request, login, exited, who
):
    client = login(request.getfixturevalue(who))

    assert casework_page(client, exited).status_code == 404
    assert TEAM_NOTE not in timeline_page(client, exited).text


def test_police_and_prosecutors_learn_nothing_more_after_an_exit(
    login, bob, paula, exited, bridgeway, prosecutors
):
    police = bob.memberships.get().organization
    release(exited.person, bridgeway, police, ["enrollment", "identity"])
    release(exited.person, bridgeway, prosecutors, ["enrollment", "identity", "legal"])
    for user in (bob, paula):
        client = login(user)
        assert casework_page(client, exited).status_code == 404
        for url in (
            reverse("casework:timeline", args=[exited.person.public_id]),
            reverse("people:detail", args=[exited.person.public_id]),
        ):
            response = client.get(url)
            assert TEAM_NOTE not in response.text
            assert "To Portland" not in response.text


def test_when_another_provider_enrolls_the_person_the_former_team_steps_back(
    login, alice, priya, exited, northside
):
    EnrollmentFactory(person=exited.person, provider=northside, enrolled_on=TODAY)

    mine = login(alice)
    assert casework_page(mine, exited).status_code == 404
    assert TEAM_NOTE not in timeline_page(mine, exited).text
    assert casework_page(login(priya), exited).status_code == 200


def test_a_part2_programmes_former_patient_stays_inside_the_programme(
    login, alice, priya, northside, site_a
):
    person = PersonFactory(site=site_a, given_name="Nico", family_name="Ray")
    held = EnrollmentFactory(
        person=person, provider=northside, case_manager=priya, enrolled_on=dt.date(2026, 1, 5)
    )
    contact(held, priya, note="Started methadone", note_category="substance_use")
    enrollment_exit(
        actor=priya, viewer=viewer_of(priya), enrollment=held, reason="chose_to_leave", on=TODAY
    )

    programme = login(priya)
    assert "Started methadone" in main(casework_page(programme, held))
    outsider = login(alice)
    assert casework_page(outsider, held).status_code == 404
    text = timeline_page(outsider, held).text
    assert "Started methadone" not in text
    assert "Northside" not in text


def test_the_former_team_may_reenroll_and_then_writes_again(login, alice, exited, bridgeway):
    again = EnrollmentFactory(
        person=exited.person, provider=bridgeway, case_manager=alice, enrolled_on=TODAY
    )

    text = main(casework_page(login(alice), again))

    assert "Log a contact" in text
    assert TEAM_NOTE in text
    assert Enrollment.objects.filter(person=exited.person).count() == 2


def test_a_participant_who_left_can_still_revoke_through_the_former_team(
    login, alice, priya, exited, bridgeway, bob
):
    police = bob.memberships.get().organization
    consent = release(exited.person, bridgeway, police, ["enrollment", "identity"])

    assert (
        login(priya)
        .post(reverse("consent:revoke", args=[consent.public_id]), {"reason": "Asked to stop"})
        .status_code
        == 404
    )
    consent.refresh_from_db()
    assert consent.revoked_at is None

    client = login(alice)
    assert client.get(reverse("consent:list", args=[exited.person.public_id])).status_code == 200
    response = client.post(
        reverse("consent:revoke", args=[consent.public_id]), {"reason": "Asked to stop"}
    )

    assert response.status_code == 302
    consent.refresh_from_db()
    assert consent.revoked_at is not None


@pytest.mark.parametrize("rows", [1, 50])
def test_the_former_teams_pages_run_a_bounded_number_of_queries(
    login, alice, rosa, django_assert_max_num_queries, rows
):
    for index in range(rows):
        contact(rosa, alice, at=NOW - dt.timedelta(hours=index + 1), note=f"Note {index}")
    enrollment_exit(actor=alice, viewer=viewer_of(alice), enrollment=rosa, reason="moved", on=TODAY)
    client = login(alice)
    person = rosa.person.public_id

    for name in ("casework:person", "casework:timeline", "people:detail"):
        with django_assert_max_num_queries(12):
            response = client.get(reverse(name, args=[person]))
        assert response.status_code == 200, name
    assert (
        client.get(reverse("casework:person", args=[person])).text.count('class="contact-note"')
        == rows
    )

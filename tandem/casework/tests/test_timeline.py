"""One timeline per participant, each entry shown only if the viewer may see its category
(DESIGN.md §4): the team sees everything it holds; the project office contacts and
work-group notes; police and prosecutors under a release only the enrollment's changes; a
Part 2 programme's records stay inside it."""

from __future__ import annotations

import datetime as dt
from typing import cast

import pytest
from django.urls import reverse

from tandem.access.decisions import Subject
from tandem.access.roles import Category, Purpose
from tandem.casework import timeline
from tandem.casework.models import Enrollment
from tandem.casework.services import enrollment_create, enrollment_exit, enrollment_set_inactive
from tandem.casework.tests.conftest import NOW, contact, release, viewer_of
from tandem.casework.tests.factories import EnrollmentEventFactory
from tandem.casework.timeline import TimelineEntry, register_timeline_source
from tandem.people.selectors import people_in_scope
from tandem.referrals.models import Referral, ReferralEvent

HEALTH_NOTE = "Hepatitis C clinic on Tuesday"
SU_NOTE = "Started buprenorphine"
LEGAL_NOTE = "Worried about the warrant"
TEAM_NOTE = "Sleeping at the Bell St camp"
OWG_NOTE = "Needs a bed before the court date"


def page(client, enrollment: Enrollment):
    return client.get(reverse("casework:timeline", args=[enrollment.person.public_id]))


def main(response) -> str:
    """The page's own content, without the navigation (police have a Referrals link)."""
    return response.text.split('<main id="main"')[1].split("</main>")[0]


@pytest.fixture
def history(rosa, alice):
    """Rosa's history: enrolled and assigned, a referral, contacts with notes of every kind."""
    EnrollmentEventFactory(enrollment=rosa, kind="enrolled", at=NOW - dt.timedelta(days=100))
    referral = Referral.objects.create(
        site=rosa.site,
        door="social_contact",
        person=rosa.person,
        occurred_at=NOW - dt.timedelta(days=110),
    )
    ReferralEvent.objects.create(
        referral=referral,
        kind="submitted",
        to_status="submitted",
        at=NOW - dt.timedelta(days=110),
        by_label="Officer Kowalski",
    )
    contact(rosa, alice, at=NOW - dt.timedelta(days=5), note=TEAM_NOTE, place="Bell St")
    contact(rosa, alice, at=NOW - dt.timedelta(days=4), note=HEALTH_NOTE, note_category="health")
    contact(rosa, alice, at=NOW - dt.timedelta(days=3), note=SU_NOTE, note_category="substance_use")
    contact(
        rosa,
        alice,
        at=NOW - dt.timedelta(days=2),
        note=LEGAL_NOTE,
        note_category="legal",
        note_audience="legal_partners",
    )
    contact(rosa, alice, at=NOW - dt.timedelta(days=1), note=OWG_NOTE, note_audience="work_group")
    return rosa


EVERY_NOTE = (TEAM_NOTE, HEALTH_NOTE, SU_NOTE, LEGAL_NOTE, OWG_NOTE)


def test_the_case_manager_sees_the_whole_timeline(login, alice, history):
    text = page(login(alice), history).text

    for note in EVERY_NOTE:
        assert note in text
    assert "Enrolled with Bridgeway" in text
    assert "Referral (social contact) · submitted" in text
    assert text.index(OWG_NOTE) < text.index(TEAM_NOTE)  # newest first


def test_the_project_manager_sees_contacts_and_notes_written_beyond_the_team(login, ruth, history):
    text = page(login(ruth), history).text

    assert "Substantive contact" in text
    assert "Referral (social contact)" in text
    # The project office runs the work group and legal coordination.
    assert OWG_NOTE in text
    assert LEGAL_NOTE in text
    # The team's own notes, and health and substance use, never.
    for note in (TEAM_NOTE, HEALTH_NOTE, SU_NOTE):
        assert note not in text


def test_a_police_officer_with_a_release_sees_only_the_enrollments_changes(
    login, bob, history, bridgeway
):
    police = bob.memberships.get().organization
    release(history.person, bridgeway, police, ["enrollment", "identity"])

    response = page(login(bob), history)

    assert response.status_code == 200
    assert "Enrolled with Bridgeway" in main(response)
    for hidden in (*EVERY_NOTE, "Referral", "Bell St", "contact"):
        assert hidden not in main(response)


def test_a_police_officer_without_a_release_gets_404(login, bob, history):
    assert page(login(bob), history).status_code == 404


def test_a_prosecutor_never_reads_a_note_even_one_for_legal_partners(
    login, paula, prosecutors, history, bridgeway
):
    release(history.person, bridgeway, prosecutors, ["enrollment", "identity", "legal"])

    response = page(login(paula), history)

    assert response.status_code == 200
    assert "Enrolled with Bridgeway" in main(response)
    for hidden in (*EVERY_NOTE, "Referral", "contact"):
        assert hidden not in main(response)


def test_another_sites_case_manager_gets_404(login, charlie, history):
    assert page(login(charlie), history).status_code == 404


def test_why_the_status_changed_is_casework(login, alice, bob, rosa, bridgeway):
    release(rosa.person, bridgeway, bob.memberships.get().organization, ["enrollment", "identity"])
    enrollment_set_inactive(enrollment=rosa, on=NOW.date(), reason="Not seen since March")

    for_team = main(page(login(alice), rosa))
    for_police = main(page(login(bob), rosa))

    assert "Became inactive" in for_team
    assert "Became inactive" in for_police
    assert "Not seen since March" in for_team
    assert "Not seen since March" not in for_police


def test_an_exit_reason_never_reaches_the_police(login, alice, bob, rosa, bridgeway):
    release(rosa.person, bridgeway, bob.memberships.get().organization, ["enrollment", "identity"])
    enrollment_exit(
        actor=alice,
        viewer=viewer_of(alice),
        enrollment=rosa,
        reason="incarceration",
        text="Sentenced",
    )

    response = page(login(bob), rosa)

    # The release still names the police for the enrollment: they learn that participation
    # ended, and nothing else: neither why nor the team's words.
    assert response.status_code == 200
    text = main(response)
    assert text.count('class="timeline-status"') == 1
    assert "Exited" in text
    for hidden in ("Sentenced", "incarceration", "Long-term", "Bridgeway", "contact"):
        assert hidden not in response.text, hidden


def test_a_part2_programmes_records_never_reach_police_or_legal_partners(
    login, bob, paula, prosecutors, northside, priya, site_a
):
    from tests.factories import PersonFactory

    person = PersonFactory(site=site_a, given_name="Sam", family_name="Doe")
    enrollment = enrollment_create(
        actor=priya,
        person=person,
        provider=northside,
        case_manager=priya,
        enrolled_on=NOW.date() - dt.timedelta(days=30),
    )
    contact(
        enrollment,
        priya,
        note=SU_NOTE,
        note_category="substance_use",
        note_audience="legal_partners",
    )
    # The programme's own releases name the police for enrollment, the prosecutor for legal.
    release(person, northside, bob.memberships.get().organization, ["enrollment", "identity"])
    release(person, northside, prosecutors, ["enrollment", "identity", "legal"])

    for user in (bob, paula):
        text = page(login(user), enrollment).text
        assert SU_NOTE not in text
        assert "contact ·" not in text
    assert SU_NOTE in page(login(priya), enrollment).text


def test_after_a_transfer_the_new_provider_does_not_see_the_part2_programmes_records(
    login, alice, bridgeway, northside, priya, site_a
):
    from tests.factories import PersonFactory

    person = PersonFactory(site=site_a, given_name="Sam", family_name="Doe")
    first = enrollment_create(
        actor=priya,
        person=person,
        provider=northside,
        case_manager=priya,
        enrolled_on=NOW.date() - dt.timedelta(days=60),
    )
    contact(
        first, priya, at=NOW - dt.timedelta(days=10), note=SU_NOTE, note_category="substance_use"
    )
    enrollment_exit(actor=priya, viewer=viewer_of(priya), enrollment=first, reason="chose_to_leave")
    second = enrollment_create(
        actor=alice, person=person, provider=bridgeway, case_manager=alice, enrolled_on=NOW.date()
    )
    contact(second, alice, note=TEAM_NOTE)

    text = page(login(alice), second).text

    assert TEAM_NOTE in text
    assert "Enrolled with Bridgeway" in text
    assert SU_NOTE not in text
    assert "Northside" not in text


def _timeline_rows(rosa, alice, rows):
    for index in range(rows):
        contact(rosa, alice, at=NOW - dt.timedelta(hours=index + 1), note=f"Note {index}")
        # Older than the contacts: the newest 100 entries are the contacts and their notes.
        EnrollmentEventFactory(
            enrollment=rosa,
            kind="assigned",
            to_case_manager=alice,
            at=NOW - dt.timedelta(days=100 + index),
        )


@pytest.mark.parametrize("rows", [1, 50])
def test_casework_adds_one_query_to_the_timeline_whatever_the_rows(
    login, alice, rosa, django_assert_max_num_queries, monkeypatch, rows
):
    # Casework's own parts alone: contacts, enrollment changes and referrals are one query.
    monkeypatch.setattr(timeline, "_SOURCES", [])
    _timeline_rows(rosa, alice, rows)
    client = login(alice)

    # session, user, membership, the person, the audit (3), the inbox badge; and one.
    with django_assert_max_num_queries(9):
        response = client.get(reverse("casework:timeline", args=[rosa.person.public_id]))

    assert response.text.count('class="timeline-note"') == rows


@pytest.mark.xfail(
    len(timeline.timeline_sources()) > 3,
    reason=(
        "Each source function registered with register_timeline_source runs its own query; "
        "more than three of them take the page past 12. A TimelineQuery joins the one UNION."
    ),
    strict=True,
)
@pytest.mark.parametrize("rows", [1, 50])
def test_the_timeline_runs_a_bounded_number_of_queries(
    login, alice, rosa, django_assert_max_num_queries, rows
):
    _timeline_rows(rosa, alice, rows)
    client = login(alice)

    with django_assert_max_num_queries(12):
        response = client.get(reverse("casework:timeline", args=[rosa.person.public_id]))

    assert response.text.count('class="timeline-note"') == rows


def test_a_registered_source_joins_every_timeline_and_is_filtered_by_category(
    login, alice, ruth, rosa, monkeypatch
):
    monkeypatch.setattr(timeline, "_SOURCES", list(timeline._SOURCES))

    @register_timeline_source
    def clinic(viewer, person, limit):
        return [
            TimelineEntry(at=NOW, kind="clinic", category=Category.HEALTH, title="Clinic visit"),
            TimelineEntry(at=NOW, kind="plan", category=Category.CASEWORK, title="Plan changed"),
        ]

    register_timeline_source(clinic)  # again: still one
    assert timeline.timeline_sources().count(clinic) == 1

    for_team = page(login(alice), rosa).text
    for_office = page(login(ruth), rosa).text

    assert "Clinic visit" in for_team
    assert "Plan changed" in for_team
    assert "Clinic visit" not in for_office
    assert "Plan changed" in for_office


def test_entries_visible_applies_the_audience_and_the_part2_rule(rosa, alice, ruth, northside):
    person = people_in_scope(rosa.site_id, viewer=viewer_of(ruth)).get(pk=rosa.person_id)
    entries = [
        TimelineEntry(
            at=NOW, kind="note", category=Category.CASEWORK, title="team", audience="team"
        ),
        TimelineEntry(
            at=NOW, kind="note", category=Category.CASEWORK, title="owg", audience="work_group"
        ),
        TimelineEntry(
            at=NOW,
            kind="contact",
            category=Category.CASEWORK,
            title="programme",
            recorded_by_organization_id=northside.pk,
            recorded_by_part2=True,
        ),
    ]

    shown = timeline.entries_visible(
        entries,
        viewer=viewer_of(ruth),
        person=cast(Subject, person),
        purpose=Purpose.CARE_COORDINATION,
    )

    assert [entry.title for entry in shown] == ["owg"]

"""Police contact notices: sent from a lookup that answered with a record, to the team
holding the participant; refused exactly like an unknown person otherwise; read and marked
seen by that team only. Police learn nothing back."""

from __future__ import annotations

import re

import pytest
import time_machine
from django.test import Client
from django.urls import reverse

from tandem.access.roles import Role
from tandem.audit.models import AuditEvent
from tandem.casework.models import Enrollment
from tandem.consent.models import ContactNotice
from tandem.consent.notices import NOTIFICATION_SUBJECT
from tandem.notify.models import Notification
from tests.factories import (
    ConsentFactory,
    ConsentGrantFactory,
    ContactNoticeFactory,
    EnrollmentFactory,
    OrganizationFactory,
    PersonFactory,
    add_totp,
    member,
    sign_in,
)

ROSA = {
    "reason": "social_contact",
    "given_name": "Rosa",
    "family_name": "Quintero",
    "date_of_birth": "1985-02-03",
}
NOBODY = {**ROSA, "given_name": "Nobody", "family_name": "Known"}
NOTICE = {"kind": "welfare", "text": "Sleeping in the rain at the bus shelter.", "place": "5th"}


@pytest.fixture
def officer(police):
    user = member(Role.POLICE_OFFICER, organization=police, username="officer")
    add_totp(user)
    return user


@pytest.fixture
def release(participant, bridgeway, police):
    consent = ConsentFactory(person=participant, recorded_by_organization=bridgeway)
    ConsentGrantFactory(consent=consent, organization=police, categories=["enrollment"])
    return consent


@pytest.fixture
def team(bridgeway, participant):
    """Bridgeway's case managers (one assigned to Rosa), a supervisor and an outreach worker."""
    assigned = member(Role.CASE_MANAGER, organization=bridgeway, username="assigned")
    other = member(Role.CASE_MANAGER, organization=bridgeway, username="other_cm")
    supervisor = member(Role.CM_SUPERVISOR, organization=bridgeway, username="supervisor")
    Enrollment.objects.filter(person=participant).update(case_manager=assigned)
    for user in (assigned, other, supervisor):
        add_totp(user)
    return {"assigned": assigned, "other": other, "supervisor": supervisor}


def lookup_token(client, data=ROSA) -> str:
    response = client.post(reverse("consent:lookup"), data)
    tokens = re.findall(r'name="token" value="([^"]+)"', response.content.decode())
    assert len(tokens) == 1, "the lookup should answer with one match"
    return tokens[0]


def without_tokens(content: bytes) -> bytes:
    text = content.decode()
    text = re.sub(r'name="csrfmiddlewaretoken" value="[^"]+"', "CSRF", text)
    text = re.sub(r'nonce="[^"]+"', "NONCE", text)
    return text.encode()


def test_an_officer_sends_a_notice_from_the_lookup_and_the_team_is_told(
    client, officer, release, participant, bridgeway, police, team
):
    sign_in(client, officer)
    token = lookup_token(client)

    response = client.post(reverse("consent:lookup"), {"token": token, **NOTICE})

    assert response.status_code == 302
    assert response["Location"] == reverse("consent:lookup")
    notice = ContactNotice.objects.get()
    assert notice.person_id == participant.pk
    assert notice.provider_id == bridgeway.pk
    assert notice.sent_by_id == officer.pk
    assert notice.sent_by_organization_id == police.pk
    assert (notice.kind, notice.text, notice.place) == ("welfare", NOTICE["text"], "5th")
    # The case managers and the one assigned; not the supervisor, not the officer.
    told = Notification.objects.filter(kind="contact-notice")
    assert {n.recipient.username for n in told} == {"assigned", "other_cm"}
    for notification in told:
        assert notification.subject == NOTIFICATION_SUBJECT
        assert "Rosa" not in notification.subject + notification.body
        assert "bus shelter" not in notification.subject + notification.body
        assert notification.url == reverse("consent:notices")
    event = AuditEvent.objects.get(action="contact_notice.sent")
    assert event.actor_id == officer.pk
    assert event.detail["person"] == str(participant.public_id)
    assert client.get(response["Location"]).content.decode().count("Your notice was sent") == 1


def test_the_assigned_case_manager_is_told_whatever_their_role(
    client, officer, release, participant, bridgeway, team
):
    Enrollment.objects.filter(person=participant).update(case_manager=team["supervisor"])
    sign_in(client, officer)

    client.post(reverse("consent:lookup"), {"token": lookup_token(client), **NOTICE})

    told = {n.recipient.username for n in Notification.objects.filter(kind="contact-notice")}
    assert told == {"assigned", "other_cm", "supervisor"}


@pytest.mark.parametrize("change", ["revoked", "expired", "moved_to_a_part2_programme"])
def test_a_notice_after_the_release_stopped_answers_exactly_like_an_unknown_person(
    client, officer, release, participant, site_a, team, change
):
    sign_in(client, officer)
    token = lookup_token(client)
    if change == "revoked":
        release.grants.update(revoked_at="2026-06-01T18:00:00Z")
    elif change == "expired":
        ConsentFactory._meta.model.objects.filter(pk=release.pk).update(
            expires_on="2026-05-31", effective_on="2025-06-01"
        )
    else:
        Enrollment.objects.filter(person=participant).update(status="exited")
        programme = OrganizationFactory(site=site_a, is_part2_program=True)
        EnrollmentFactory(person=participant, provider=programme)

    refused = client.post(reverse("consent:lookup"), {"token": token, **NOTICE})
    unknown = client.post(reverse("consent:lookup"), NOBODY)

    assert refused.status_code == unknown.status_code == 200
    assert b"No record I can share" in refused.content
    assert without_tokens(refused.content) == without_tokens(unknown.content)
    assert dict(refused.headers).keys() == dict(unknown.headers).keys()
    assert not ContactNotice.objects.exists()
    assert not Notification.objects.filter(kind="contact-notice").exists()
    assert AuditEvent.objects.filter(action="contact_notice.refused").exists()


@pytest.mark.parametrize("token", ["", "forged", "x" * 900])
def test_a_forged_token_answers_like_an_unknown_person(client, officer, release, token):
    sign_in(client, officer)

    refused = client.post(reverse("consent:lookup"), {"token": token, **NOTICE})
    # The lookup's reason is carried by a genuine token only; compare with an unknown
    # lookup that kept no reason either.
    unknown = client.post(reverse("consent:lookup"), {"token": "", **NOTICE})

    assert refused.status_code == 200
    assert b"No record I can share" in refused.content
    assert without_tokens(refused.content) == without_tokens(unknown.content)
    assert not ContactNotice.objects.exists()


def test_another_officers_token_is_refused(client, officer, release, police):
    sign_in(client, officer)
    token = lookup_token(client)
    colleague = member(Role.POLICE_SERGEANT, organization=police)
    add_totp(colleague)
    sign_in(client, colleague)

    response = client.post(reverse("consent:lookup"), {"token": token, **NOTICE})

    assert b"No record I can share" in response.content
    assert not ContactNotice.objects.exists()


def test_a_token_from_a_lookup_hours_ago_is_refused(client, officer, release, frozen_today):
    sign_in(client, officer)
    token = lookup_token(client)

    with time_machine.travel("2026-06-01T22:01:00Z", tick=False):
        sign_in(client, officer)
        response = client.post(reverse("consent:lookup"), {"token": token, **NOTICE})

    assert b"No record I can share" in response.content
    assert not ContactNotice.objects.exists()


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({**NOTICE, "text": ""}, "This field is required."),
        ({**NOTICE, "text": "x" * 501}, "at most 500 characters"),
        ({**NOTICE, "kind": "arrest"}, "Select a valid choice."),
        ({**NOTICE, "place": "p" * 201}, "at most 200 characters"),
    ],
)
def test_bad_input_is_explained_and_sends_nothing(client, officer, release, team, data, message):
    sign_in(client, officer)
    token = lookup_token(client)

    response = client.post(reverse("consent:lookup"), {"token": token, **data})

    assert response.status_code == 200
    assert message in response.content.decode()
    assert token in response.content.decode()
    assert not ContactNotice.objects.exists()
    assert not Notification.objects.filter(kind="contact-notice").exists()


@pytest.mark.parametrize("role", [Role.CASE_MANAGER, Role.PROSECUTOR, Role.PROJECT_MANAGER])
def test_only_police_send_notices(client, site_a, bridgeway, role, officer, release):
    sign_in(client, officer)
    token = lookup_token(client)
    user = member(role, organization=bridgeway if role == Role.CASE_MANAGER else None, site=site_a)
    add_totp(user)
    sign_in(client, user)

    response = client.post(reverse("consent:lookup"), {"token": token, **NOTICE})

    assert response.status_code == 404
    assert not ContactNotice.objects.exists()


# The team's side -------------------------------------------------------------------------


def test_the_team_reads_its_notices_newest_first(client, team, participant, bridgeway, site_a):
    with time_machine.travel("2026-05-30T12:00:00Z", tick=False):
        ContactNoticeFactory(person=participant, provider=bridgeway, text="Older notice")
    ContactNoticeFactory(person=participant, provider=bridgeway, kind="incident", text="Newer")
    elsewhere = OrganizationFactory(site=site_a, name="Harbour")
    someone = PersonFactory(site=site_a)
    EnrollmentFactory(person=someone, provider=elsewhere)
    ContactNoticeFactory(person=someone, provider=elsewhere, text="Not for Bridgeway")
    sign_in(client, team["other"])

    response = client.get(reverse("consent:notices"))

    text = response.content.decode()
    assert response.status_code == 200
    assert text.index("Newer") < text.index("Older notice")
    assert "New incident" in text
    assert "Rosa Quintero" in text
    assert "Not for Bridgeway" not in text
    event = AuditEvent.objects.get(action="contact_notice.listed")
    assert event.detail["count"] == 2


def test_a_notice_about_someone_who_moved_to_another_provider_is_no_longer_shown(
    client, team, participant, bridgeway, site_a
):
    ContactNoticeFactory(person=participant, provider=bridgeway, text="From before the move")
    Enrollment.objects.filter(person=participant).update(status="exited")
    EnrollmentFactory(person=participant, provider=OrganizationFactory(site=site_a))
    sign_in(client, team["other"])

    response = client.get(reverse("consent:notices"))

    assert "From before the move" not in response.content.decode()


def test_marking_a_notice_seen_is_recorded(client, team, participant, bridgeway):
    notice = ContactNoticeFactory(person=participant, provider=bridgeway)
    sign_in(client, team["other"])

    response = client.post(reverse("consent:notice_seen", args=[notice.public_id]))

    assert response.status_code == 302
    notice.refresh_from_db()
    assert notice.seen_at is not None
    assert notice.seen_by_id == team["other"].pk
    assert AuditEvent.objects.filter(action="contact_notice.seen").count() == 1
    client.post(reverse("consent:notice_seen", args=[notice.public_id]))
    assert AuditEvent.objects.filter(action="contact_notice.seen").count() == 1


def test_another_providers_case_manager_cannot_see_or_mark_the_notice(
    client, participant, bridgeway, site_a
):
    notice = ContactNoticeFactory(person=participant, provider=bridgeway, text="For Bridgeway")
    stranger = member(Role.CASE_MANAGER, organization=OrganizationFactory(site=site_a))
    add_totp(stranger)
    sign_in(client, stranger)

    listing = client.get(reverse("consent:notices"))
    marking = client.post(reverse("consent:notice_seen", args=[notice.public_id]))

    assert "For Bridgeway" not in listing.content.decode()
    assert marking.status_code == 404
    notice.refresh_from_db()
    assert notice.seen_at is None


@pytest.mark.parametrize("role", [Role.POLICE_OFFICER, Role.PROJECT_MANAGER, Role.SITE_ADMIN])
def test_police_and_others_never_see_the_notices(client, site_a, participant, bridgeway, role):
    notice = ContactNoticeFactory(person=participant, provider=bridgeway)
    user = member(role, site=site_a)
    add_totp(user)
    sign_in(client, user)

    assert client.get(reverse("consent:notices")).status_code == 404
    assert client.post(reverse("consent:notice_seen", args=[notice.public_id])).status_code == 404


def test_the_officer_learns_nothing_when_the_team_reads_the_notice(
    client, officer, release, participant, bridgeway, team
):
    sign_in(client, officer)
    sent = client.post(reverse("consent:lookup"), {"token": lookup_token(client), **NOTICE})
    client.get(sent["Location"])  # the confirmation, shown once
    before = client.post(reverse("consent:lookup"), ROSA)
    team_client = Client()
    sign_in(team_client, team["other"])
    team_client.post(reverse("consent:notice_seen", args=[ContactNotice.objects.get().public_id]))

    after = client.post(reverse("consent:lookup"), ROSA)

    def stable(content: bytes) -> bytes:
        return re.sub(rb'name="token" value="[^"]+"', b"TOKEN", without_tokens(content))

    assert stable(before.content) == stable(after.content)
    assert NOTICE["text"] not in after.content.decode()


@pytest.mark.parametrize("rows", [1, 40])
def test_the_notices_page_runs_a_bounded_number_of_queries(
    client, team, bridgeway, site_a, rows, django_assert_max_num_queries
):
    for _ in range(rows):
        person = PersonFactory(site=site_a)
        EnrollmentFactory(person=person, provider=bridgeway)
        ContactNoticeFactory(person=person, provider=bridgeway)
    sign_in(client, team["other"])

    with django_assert_max_num_queries(12):
        response = client.get(reverse("consent:notices"))

    assert response.content.decode().count("Mark as seen") == rows

"""The 42 CFR Part 2 disclosure ledger: a read that shows a Part 2 programme's information to
someone outside it writes a `Disclosure` citing the programme's release, under the audit
chain; anything else writes none."""

from __future__ import annotations

import uuid

import pytest
from django.urls import reverse

from tandem.access.roles import Category, Role
from tandem.access.viewer import Viewer
from tandem.audit.disclosures import (
    PART2_STATEMENT,
    MissingConsentError,
    Shown,
    disclose,
    disclosure_digest,
)
from tandem.audit.models import AuditEvent, Disclosure
from tandem.audit.verification import audit_chain_verify
from tandem.people.selectors import people_in_scope
from tandem.tenancy.models import Membership
from tests.factories import (
    ConsentFactory,
    ConsentGrantFactory,
    EnrollmentFactory,
    OrganizationFactory,
    PersonFactory,
    add_totp,
    member,
    sign_in,
)


@pytest.fixture
def programme(site_a):
    return OrganizationFactory(
        site=site_a, kind="case_management", name="Harbour Recovery", is_part2_program=True
    )


@pytest.fixture
def police(site_a):
    return OrganizationFactory(site=site_a, kind="police", name="City Police")


@pytest.fixture
def patient(site_a, programme):
    person = PersonFactory(site=site_a, given_name="Rosa", family_name="Quintero")
    EnrollmentFactory(person=person, provider=programme)
    return person


@pytest.fixture
def officer(police):
    user = member(Role.POLICE_OFFICER, organization=police, username="officer")
    add_totp(user)
    return user


def release(person, recorder, recipient, categories, **dates):
    consent = ConsentFactory(person=person, recorded_by_organization=recorder, **dates)
    ConsentGrantFactory(consent=consent, organization=recipient, categories=list(categories))
    return consent


def viewer_of(user) -> Viewer:
    return Viewer.from_membership(Membership.objects.select_related("organization").get(user=user))


def annotated(person, viewer):
    return people_in_scope(person.site_id, viewer=viewer).get(pk=person.pk)


def test_a_police_view_of_a_part2_patient_writes_a_disclosure_citing_the_programmes_release(
    client, officer, patient, programme, police
):
    consent = release(patient, programme, police, ["enrollment", "identity"])
    sign_in(client, officer)

    response = client.get(reverse("people:detail", args=[patient.public_id]))

    assert response.status_code == 200
    assert PART2_STATEMENT in response.content.decode()
    row = Disclosure.objects.get()
    assert row.person_id == patient.pk
    assert row.programme_id == programme.pk
    assert row.recipient_organization_id == police.pk
    assert row.recipient_label == "officer"
    assert row.recipient_user_id == officer.pk
    assert row.consent_id == consent.pk
    assert row.categories == ["enrollment", "identity"]
    assert (row.channel, row.purpose) == ("screen", "police_lookup")
    event = AuditEvent.objects.get(action="person.viewed")
    assert row.read_event_id == event.pk
    assert event.detail["disclosures"] == {str(row.public_id): row.digest}
    assert row.digest == disclosure_digest(row)


def test_the_programmes_own_team_writes_no_disclosure(client, patient, programme):
    case_manager = member(Role.CASE_MANAGER, organization=programme)
    add_totp(case_manager)
    sign_in(client, case_manager)

    response = client.get(reverse("people:detail", args=[patient.public_id]))

    assert response.status_code == 200
    assert PART2_STATEMENT not in response.content.decode()
    assert not Disclosure.objects.exists()
    assert "disclosures" not in AuditEvent.objects.get(action="person.viewed").detail


def test_a_provider_that_is_not_a_part2_programme_discloses_nothing_under_part2(
    client, officer, site_a, police, bridgeway
):
    person = PersonFactory(site=site_a)
    EnrollmentFactory(person=person, provider=bridgeway)
    release(person, bridgeway, police, ["enrollment", "identity"])
    sign_in(client, officer)

    response = client.get(reverse("people:detail", args=[person.public_id]))

    assert response.status_code == 200
    assert PART2_STATEMENT not in response.content.decode()
    assert not Disclosure.objects.exists()


def test_who_the_person_is_alone_is_not_a_part2_disclosure(
    client, site_a, patient, programme, bridgeway
):
    # Another provider's case manager sees who the person is, not where they are enrolled.
    other = member(Role.CASE_MANAGER, organization=bridgeway)
    add_totp(other)
    sign_in(client, other)

    response = client.get(reverse("people:detail", args=[patient.public_id]))

    assert response.status_code == 200
    assert "Harbour Recovery" not in response.content.decode()
    assert PART2_STATEMENT not in response.content.decode()
    assert not Disclosure.objects.exists()


def test_categories_resting_on_two_releases_write_one_row_for_each(site_a, patient, programme):
    prosecutor_office = OrganizationFactory(site=site_a, kind="prosecutor")
    prosecutor = member(Role.PROSECUTOR, organization=prosecutor_office)
    first = release(patient, programme, prosecutor_office, ["enrollment"])
    second = release(patient, programme, prosecutor_office, ["legal", "identity"])
    viewer = viewer_of(prosecutor)

    disclosed = disclose(
        viewer=viewer,
        shown=[
            Shown(
                annotated(patient, viewer),
                frozenset({Category.IDENTITY, Category.ENROLLMENT, Category.LEGAL}),
            )
        ],
        channel="print",
        purpose="legal_coordination",
        action="legal.status_printed",
        target=patient,
    )

    rows = {row.consent_id: row.categories for row in Disclosure.objects.all()}
    assert len(disclosed.rows) == 2
    assert set(rows) == {first.pk, second.pk}
    assert sorted(rows[first.pk] + rows[second.pk]) == ["enrollment", "identity", "legal"]
    notice = disclosed.notice_for(annotated(patient, viewer))
    assert notice is not None
    assert notice.statement == PART2_STATEMENT
    assert len(notice.consents) == 2


def test_a_part2_category_without_the_programmes_release_is_refused_loudly(
    site_a, patient, programme, police, officer, bridgeway
):
    # Only another provider's release names the police: it cannot open what the programme
    # holds, so the ledger would have nothing to cite.
    release(patient, bridgeway, police, ["enrollment"])
    viewer = viewer_of(officer)

    with pytest.raises(MissingConsentError):
        disclose(
            viewer=viewer,
            shown=[Shown(annotated(patient, viewer), frozenset({Category.ENROLLMENT}))],
            channel="screen",
            purpose="police_lookup",
            action="person.viewed",
        )

    assert not Disclosure.objects.exists()
    assert not AuditEvent.objects.filter(action="person.viewed").exists()


def test_a_list_discloses_each_patient_in_two_queries(
    site_a, programme, police, officer, django_assert_num_queries
):
    people = []
    for _ in range(5):
        person = PersonFactory(site=site_a)
        EnrollmentFactory(person=person, provider=programme)
        release(person, programme, police, ["enrollment", "identity"])
        people.append(person)
    viewer = viewer_of(officer)
    shown = [
        Shown(annotated(p, viewer), frozenset({Category.IDENTITY, Category.ENROLLMENT}))
        for p in people
    ]

    # The releases, the audit head, the event, the head's update, the rows.
    with django_assert_num_queries(5):
        disclosed = disclose(
            viewer=viewer,
            shown=shown,
            channel="api",
            purpose="police_lookup",
            action="person.listed",
        )

    assert len(disclosed.rows) == 5
    assert Disclosure.objects.filter(channel="api").count() == 5


def test_a_disclosure_cannot_be_changed_or_deleted(client, officer, patient, programme, police):
    release(patient, programme, police, ["enrollment", "identity"])
    sign_in(client, officer)
    client.get(reverse("people:detail", args=[patient.public_id]))
    row = Disclosure.objects.get()

    row.channel = "print"
    with pytest.raises(PermissionError):
        row.save()
    with pytest.raises(PermissionError):
        row.delete()
    assert Disclosure.objects.get().channel == "screen"


@pytest.fixture
def ledger(client, officer, patient, programme, police):
    release(patient, programme, police, ["enrollment", "identity"])
    sign_in(client, officer)
    for _ in range(3):
        client.get(reverse("people:detail", args=[patient.public_id]))
    return list(Disclosure.objects.order_by("id"))


def test_verification_passes_an_intact_ledger(ledger):
    report = audit_chain_verify()

    assert report.ok, report.problem
    assert report.disclosures == 3


def test_verification_finds_an_edited_disclosure(ledger):
    Disclosure.objects.filter(pk=ledger[1].pk).update(recipient_label="someone else")

    report = audit_chain_verify()

    assert not report.ok
    assert "was edited" in report.problem
    assert str(ledger[1].public_id) in report.problem


def test_verification_finds_a_deleted_disclosure(ledger):
    Disclosure.objects.filter(pk=ledger[2].pk).delete()

    report = audit_chain_verify()

    assert not report.ok
    assert "a disclosure was deleted" in report.problem


def test_verification_finds_a_disclosure_added_outside_the_chain(ledger):
    forged = Disclosure.objects.get(pk=ledger[0].pk)
    forged.pk = None
    forged.public_id = uuid.uuid4()
    forged.digest = disclosure_digest(forged)
    forged.save()

    report = audit_chain_verify()

    assert not report.ok
    assert "not listed" in report.problem

"""What prosecutors and defenders see: only participants whose current release names their
organisation for legal information; for them, the enrollment, the templated status and (for
a prosecutor) their office's holds. Anyone else is absent, and 404 like nobody at all."""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import fields

import pytest
from django.urls import reverse
from django.utils import timezone

from tandem.audit.models import AuditEvent
from tandem.legal.selectors import SummaryShown
from tandem.legal.tests.conftest import release
from tandem.legal.tests.factories import HoldFactory, LegalStatusSummaryFactory
from tests.factories import (
    EnrollmentFactory,
    IdentifierFactory,
    OrganizationFactory,
    PersonFactory,
    PersonNameFactory,
    sign_in,
)

LIST = reverse("legal:participants")
UNKNOWN = reverse("legal:participant", args=["00000000-0000-4000-8000-000000000000"])


def page(person):
    return reverse("legal:participant", args=[person.public_id])


def without_nonce(text):
    text = re.sub(r'nonce="[^"]+"', "", text)
    return re.sub(r'name="csrfmiddlewaretoken" value="[^"]+"', "", text)


# state -> does the City Attorney's prosecutor (and the Public Defender) see the participant?
STATES = {
    "none": False,
    "current": True,
    "expired": False,
    "not_yet_effective": False,
    "revoked": False,
    "revoked_for_that_organisation_only": False,
    "current_without_legal": False,
    "naming_another_office": False,
    "part2_programme_without_naming_them": False,
    "part2_programme_naming_them": True,
}


def participant_in(state, site, bridgeway, office, others):
    """Rosa-like participant, and releases in `state` for `office`."""
    today = timezone.localdate()
    part2 = state.startswith("part2")
    holder = (
        OrganizationFactory(site=site, kind="case_management", is_part2_program=True)
        if part2
        else bridgeway
    )
    person = PersonFactory(site=site, given_name="Ines", family_name="Consent")
    EnrollmentFactory(person=person, provider=holder)
    if state == "none":
        return person
    if state == "expired":
        release(
            person,
            holder,
            office,
            effective_on=today - dt.timedelta(days=400),
            expires_on=today - dt.timedelta(days=1),
        )
    elif state == "not_yet_effective":
        release(
            person,
            holder,
            office,
            effective_on=today + dt.timedelta(days=1),
            expires_on=today + dt.timedelta(days=300),
        )
    elif state == "revoked":
        consent = release(person, holder, office)
        consent.revoked_at = timezone.now()
        consent.save()
    elif state == "revoked_for_that_organisation_only":
        consent = release(person, holder, office, *others)
        consent.grants.filter(organization=office).update(revoked_at=timezone.now())
    elif state == "current_without_legal":
        release(person, holder, office, categories=["enrollment", "identity"])
    elif state == "naming_another_office":
        release(person, holder, *others)
    elif state == "part2_programme_without_naming_them":
        # The programme's own consent names others; another provider's release names the
        # office, which does not unlock what the programme holds (42 CFR 2.31).
        release(person, holder, *others)
        release(person, bridgeway, office)
    else:
        release(person, holder, office)
    return person


CASES = [(state, who) for state in STATES for who in ("paula", "dana")]


@pytest.mark.parametrize(("state", "who"), CASES, ids=[f"{s}-{w}" for s, w in CASES])
def test_only_a_current_release_naming_the_organisation_for_legal_lets_a_partner_see(
    client,
    request,
    site_a,
    bridgeway,
    city_attorney,
    public_defender,
    county_prosecutor,
    state,
    who,
):
    viewer = request.getfixturevalue(who)
    office = city_attorney if who == "paula" else public_defender
    others = [county_prosecutor]
    person = participant_in(state, site_a, bridgeway, office, others)
    sign_in(client, viewer)

    listing = client.get(LIST)
    detail = client.get(page(person))

    assert listing.status_code == 200
    if STATES[state]:
        assert "Ines Consent" in listing.text
        assert detail.status_code == 200
        assert "Ines Consent" in detail.text
    else:
        assert "Ines Consent" not in listing.text
        assert page(person) not in listing.text
        assert detail.status_code == 404
        # The same 404 as for someone who does not exist.
        assert without_nonce(detail.text) == without_nonce(client.get(UNKNOWN).text)
        assert AuditEvent.objects.filter(
            action="person.view_refused", target_id=str(person.public_id)
        ).exists()


@pytest.mark.parametrize("who", ["alice", "ruth", "bob", "admin", "charlie"])
def test_the_partners_pages_are_404_for_everyone_else(
    client, request, rosa, bridgeway, city_attorney, who
):
    release(rosa, bridgeway, city_attorney)
    sign_in(client, request.getfixturevalue(who))

    assert client.get(LIST).status_code == 404
    assert client.get(page(rosa)).status_code == 404


def test_a_partner_sees_the_enrollment_and_the_latest_templated_status_only(
    client, paula, rosa, bridgeway, city_attorney, alice
):
    release(rosa, bridgeway, city_attorney)
    rosa.description = "Tattoo of a swallow on the left hand"
    rosa.save()
    PersonNameFactory(person=rosa, given_name="Smiley")
    IdentifierFactory(person=rosa, value="PD-445566")
    LegalStatusSummaryFactory(
        person=rosa,
        written_by_organization=bridgeway,
        written_by=alice,
        written_at=timezone.now() - dt.timedelta(days=30),
        engagement="not_recently",
        progress="setbacks",
        note="Older status.",
    )
    LegalStatusSummaryFactory(
        person=rosa,
        written_by_organization=bridgeway,
        written_by=alice,
        engagement="regular",
        progress="progressing",
        barriers=["housing", "id_documents"],
        note="Working on getting an ID card.",
    )
    sign_in(client, paula)

    response = client.get(page(rosa))

    text = response.text
    assert "Rosa Quintero" in text
    assert "1985-02-03" in text
    assert "Active" in text
    assert bridgeway.name in text
    assert "Meets with the case manager regularly" in text
    assert "Making progress on their goals" in text
    assert "Housing, Identification documents" in text
    assert "Working on getting an ID card." in text
    # Only the newest status; never who wrote it, nor identity beyond name and birth date.
    assert "Older status." not in text
    assert "Not in touch recently" not in text
    assert str(alice) not in text
    assert "Tattoo" not in text
    assert "Smiley" not in text
    assert "PD-445566" not in text
    event = AuditEvent.objects.get(action="legal.participant_viewed")
    assert event.target_id == str(rosa.public_id)
    assert event.category == "legal"
    assert event.purpose == "legal_coordination"


def test_the_status_shown_to_partners_carries_the_templated_fields_and_nothing_else():
    assert {f.name for f in fields(SummaryShown)} == {
        "public_id",
        "written_on",
        "engagement",
        "progress",
        "barriers",
        "note",
    }


def test_what_a_part2_programme_wrote_stays_with_it_after_the_participant_moves(
    client, paula, site_a, bridgeway, city_attorney
):
    programme = OrganizationFactory(site=site_a, kind="case_management", is_part2_program=True)
    person = PersonFactory(site=site_a, given_name="Moved", family_name="On")
    EnrollmentFactory(person=person, provider=bridgeway)
    LegalStatusSummaryFactory(
        person=person, written_by_organization=bridgeway, note="Written by Bridgeway."
    )
    LegalStatusSummaryFactory(
        person=person, written_by_organization=programme, note="Written by the programme."
    )
    release(person, bridgeway, city_attorney)
    sign_in(client, paula)

    response = client.get(page(person))

    assert "Written by Bridgeway." in response.text
    assert "Written by the programme." not in response.text


def test_a_prosecutor_sees_their_offices_holds_and_a_defender_none(
    client, paula, dana, rosa, bridgeway, city_attorney, public_defender, county_prosecutor
):
    release(rosa, bridgeway, city_attorney, public_defender)
    own = HoldFactory(person=rosa, prosecutor_organization=city_attorney)
    other = HoldFactory(
        person=rosa,
        prosecutor_organization=county_prosecutor,
        charge_summary="RCW 9A.56.050 · Theft under $750",
    )
    hold_url = reverse("legal:hold", args=[own.public_id])

    sign_in(client, paula)
    as_prosecutor = [client.get(LIST).text, client.get(page(rosa)).text]
    sign_in(client, dana)
    as_defender = [client.get(LIST).text, client.get(page(rosa)).text]

    for text in as_prosecutor:
        assert hold_url in text
        assert "Possession of a controlled substance" in text
        assert "Theft under" not in text
        assert str(other.public_id) not in text
    for text in as_defender:
        assert "Rosa Quintero" in text
        assert "/legal/holds/" not in text.replace('href="/legal/holds/"', "")
        assert "Possession" not in text


def test_the_list_is_audited_with_who_was_shown(client, dana, rosa, bridgeway, public_defender):
    release(rosa, bridgeway, public_defender)
    sign_in(client, dana)

    client.get(LIST)

    event = AuditEvent.objects.get(action="legal.participants_listed")
    assert event.detail == {"count": 1, "people": [str(rosa.public_id)]}
    assert event.purpose == "legal_coordination"


def test_a_merged_record_is_not_listed_twice(client, paula, rosa, site_a, bridgeway, city_attorney):
    from tandem.people.merging import person_merge

    release(rosa, bridgeway, city_attorney)
    duplicate = PersonFactory(site=site_a, given_name="Rosa", family_name="Quintero")
    person_merge(actor=None, survivor=rosa, merged=duplicate, reason="Same person")
    sign_in(client, paula)

    response = client.get(LIST)

    assert response.text.count("Rosa Quintero") == 1
    assert client.get(page(duplicate)).status_code == 404


@pytest.mark.parametrize("count", [1, 50])
@pytest.mark.parametrize("who", ["paula", "dana"])
def test_the_participants_list_runs_a_bounded_number_of_queries(
    client,
    request,
    site_a,
    bridgeway,
    city_attorney,
    public_defender,
    django_assert_max_num_queries,
    count,
    who,
):
    # Every other participant is held by a Part 2 programme: each read is also a disclosure.
    programme = OrganizationFactory(site=site_a, kind="case_management", is_part2_program=True)
    for index in range(count):
        person = PersonFactory(site=site_a)
        holder = programme if index % 2 else bridgeway
        EnrollmentFactory(person=person, provider=holder)
        release(person, holder, city_attorney, public_defender)
        LegalStatusSummaryFactory(person=person, written_by_organization=holder)
        LegalStatusSummaryFactory(person=person, written_by_organization=holder)
        HoldFactory(person=person, prosecutor_organization=city_attorney)
    sign_in(client, request.getfixturevalue(who))

    with django_assert_max_num_queries(12):
        response = client.get(LIST)

    assert response.status_code == 200
    assert len(re.findall(r'href="/legal/participants/[0-9a-f-]{36}/"', response.text)) == count
    assert response.text.count("Meets with the case manager regularly") == count


def test_the_participant_page_runs_a_bounded_number_of_queries(
    client, paula, rosa, bridgeway, city_attorney, django_assert_max_num_queries
):
    release(rosa, bridgeway, city_attorney)
    for _ in range(20):
        LegalStatusSummaryFactory(person=rosa, written_by_organization=bridgeway)
        HoldFactory(person=rosa, prosecutor_organization=city_attorney)
    sign_in(client, paula)

    with django_assert_max_num_queries(12):
        response = client.get(page(rosa))

    assert response.status_code == 200
    assert response.text.count("/legal/holds/") >= 20


def test_a_part2_participant_shown_to_a_partner_is_a_recorded_disclosure_with_its_notice(
    client, paula, site_a, city_attorney
):
    from tandem.audit.models import Disclosure

    programme = OrganizationFactory(site=site_a, kind="case_management", is_part2_program=True)
    person = PersonFactory(site=site_a, given_name="Parker", family_name="Two")
    EnrollmentFactory(person=person, provider=programme)
    LegalStatusSummaryFactory(person=person, written_by_organization=programme)
    consent = release(person, programme, city_attorney)
    sign_in(client, paula)

    listing = client.get(LIST)
    detail = client.get(page(person))

    for response in (listing, detail):
        assert "Parker Two" in response.text
        assert "Federal confidentiality notice (42 CFR part 2)" in response.text
    rows = list(Disclosure.objects.order_by("at", "id"))
    assert len(rows) == 2
    for row in rows:
        assert row.person_id == person.pk
        assert row.programme_id == programme.pk
        assert row.recipient_organization_id == city_attorney.pk
        assert row.consent_id == consent.pk
        assert "legal" in row.categories
        assert row.purpose == "legal_coordination"


def test_a_participant_outside_any_part2_programme_carries_no_notice(
    client, paula, rosa, bridgeway, city_attorney
):
    from tandem.audit.models import Disclosure

    release(rosa, bridgeway, city_attorney)
    sign_in(client, paula)

    response = client.get(page(rosa))

    assert "Federal confidentiality notice" not in response.text
    assert not Disclosure.objects.exists()

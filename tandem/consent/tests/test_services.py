"""Recording and revoking releases: validation changes nothing, every write is audited, and
expiry and revocation take effect on the next request."""

from __future__ import annotations

import base64
import datetime as dt
import io
from typing import cast

import pytest
import time_machine
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone
from PIL import Image

from tandem.access.decisions import Subject, decide
from tandem.access.roles import Category, Purpose, Role
from tandem.access.viewer import Viewer
from tandem.audit.models import AuditEvent
from tandem.consent.models import Consent, ConsentGrant
from tandem.consent.services import GrantInput, Part2Elements, consent_record, consent_revoke
from tandem.people.selectors import people_in_scope
from tandem.tenancy.models import Membership
from tests.factories import OrganizationFactory, SiteFactory, member, signature_png

DRAWN = "data:image/png;base64," + base64.b64encode(signature_png()).decode()


def _blank_png() -> str:
    out = io.BytesIO()
    Image.new("RGBA", (60, 20), (0, 0, 0, 0)).save(out, "PNG")
    return "data:image/png;base64," + base64.b64encode(out.getvalue()).decode()


# What an untouched signature pad sends.
BLANK = _blank_png()


def record(**overrides):
    defaults = {
        "purpose": Purpose.CARE_COORDINATION,
        "purpose_text": "So that the officer knows whom to call.",
        "effective_on": dt.date(2026, 6, 1),
        "expires_on": None,
        "signed_name": "Rosa Quintero",
        "signature_drawn": DRAWN,
    }
    return consent_record(**{**defaults, **overrides})


def sees_enrollment(user, person) -> bool:
    viewer = Viewer.from_membership(Membership.objects.get(user=user))
    subject = cast(Subject, people_in_scope(person.site_id, viewer=viewer).get(pk=person.pk))
    return decide(
        viewer=viewer, person=subject, category=Category.ENROLLMENT, purpose=Purpose.POLICE_LOOKUP
    ).allowed


def test_it_records_a_release_with_its_grants_and_audits_it(alice, bridgeway, participant, police):
    consent = record(
        actor=alice,
        person=participant,
        recorded_by_organization=bridgeway,
        grants=[GrantInput(police, frozenset({Category.ENROLLMENT}))],
        witness_name="Sam Lee",
    )

    assert consent.expires_on == dt.date(2026, 6, 1) + dt.timedelta(days=365)
    assert consent.signature_kind == Consent.SignatureKind.DRAWN
    assert consent.signature.read().startswith(b"\x89PNG")
    assert list(consent.grants.values_list("organization", "categories")) == [
        (police.pk, ["enrollment"])
    ]
    event = AuditEvent.objects.get(action="consent.recorded")
    assert event.target_id == str(consent.public_id)
    assert event.actor_id == alice.pk


def test_the_site_term_sets_the_default_expiry(alice, bridgeway, participant, police):
    site = participant.site
    site.consent_term_days = 90
    site.save()
    participant.refresh_from_db()

    consent = record(
        actor=alice,
        person=participant,
        recorded_by_organization=bridgeway,
        grants=[GrantInput(police, frozenset({Category.ENROLLMENT}))],
    )

    assert consent.expires_on == dt.date(2026, 8, 30)


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"grants": []}, "grants"),
        ({"expires_on": dt.date(2026, 5, 1)}, "expires_on"),
        ({"signed_name": "  "}, "signed_name"),
        ({"signature_drawn": ""}, "signature"),
        ({"signature_drawn": "data:image/png;base64,bm90IGFuIGltYWdl"}, "signature"),
        ({"signature_drawn": BLANK}, "signature"),
        ({"purpose_text": ""}, "purpose_text"),
        ({"purpose": "evaluation"}, "purpose"),
    ],
)
def test_bad_input_is_refused_and_changes_nothing(
    alice, bridgeway, participant, police, change, field
):
    kwargs = {
        "actor": alice,
        "person": participant,
        "recorded_by_organization": bridgeway,
        "grants": [GrantInput(police, frozenset({Category.ENROLLMENT}))],
        **change,
    }

    with pytest.raises(ValidationError) as caught:
        record(**kwargs)

    assert field in caught.value.message_dict
    assert not Consent.objects.exists()
    assert not ConsentGrant.objects.exists()
    assert not AuditEvent.objects.filter(action="consent.recorded").exists()


def test_an_organisation_of_another_site_cannot_be_named(alice, bridgeway, participant):
    foreign = OrganizationFactory(site=SiteFactory(), kind="police")

    with pytest.raises(ValidationError) as caught:
        record(
            actor=alice,
            person=participant,
            recorded_by_organization=bridgeway,
            grants=[GrantInput(foreign, frozenset({Category.ENROLLMENT}))],
        )

    assert "participant's site" in str(caught.value.message_dict["grants"])
    assert not Consent.objects.exists()


def test_police_may_not_be_granted_health_or_casework(alice, bridgeway, participant, police):
    with pytest.raises(ValidationError) as caught:
        record(
            actor=alice,
            person=participant,
            recorded_by_organization=bridgeway,
            grants=[GrantInput(police, frozenset({Category.ENROLLMENT, Category.HEALTH}))],
        )

    assert "may not receive health" in str(caught.value.message_dict["grants"])
    assert not Consent.objects.exists()


def test_a_scan_of_a_wet_signature_is_accepted(alice, bridgeway, participant, police):
    scan = SimpleUploadedFile("scan.png", signature_png(), content_type="image/png")

    consent = record(
        actor=alice,
        person=participant,
        recorded_by_organization=bridgeway,
        grants=[GrantInput(police, frozenset({Category.ENROLLMENT}))],
        signature_drawn="",
        signature_scan=scan,
    )

    assert consent.signature_kind == Consent.SignatureKind.SCAN


def test_a_part2_programme_must_record_the_2_31_elements(site_a, participant, police):
    programme = OrganizationFactory(site=site_a, is_part2_program=True)
    counsellor = member(Role.CASE_MANAGER, organization=programme)
    kwargs = {
        "actor": counsellor,
        "person": participant,
        "recorded_by_organization": programme,
        "grants": [GrantInput(police, frozenset({Category.ENROLLMENT}))],
    }

    with pytest.raises(ValidationError) as caught:
        record(**kwargs)

    assert set(caught.value.message_dict) >= {
        "disclosure_description",
        "revocation_instructions",
        "treatment_not_conditioned",
    }
    consent = record(
        **kwargs,
        part2=Part2Elements(
            disclosure_description="Enrollment status only.",
            revocation_instructions="Tell your counsellor.",
            treatment_not_conditioned=True,
        ),
    )
    assert consent.treatment_not_conditioned


@pytest.fixture
def officer(police):
    return member(Role.POLICE_OFFICER, organization=police)


@pytest.fixture
def released(alice, bridgeway, participant, police, prosecutor_office):
    return record(
        actor=alice,
        person=participant,
        recorded_by_organization=bridgeway,
        grants=[
            GrantInput(police, frozenset({Category.ENROLLMENT})),
            GrantInput(prosecutor_office, frozenset({Category.ENROLLMENT, Category.LEGAL})),
        ],
        expires_on=dt.date(2026, 6, 30),
    )


def test_revoking_one_organisation_takes_effect_on_the_next_request(
    alice, released, participant, police, prosecutor_office, officer
):
    prosecutor = member(Role.PROSECUTOR, organization=prosecutor_office)
    assert sees_enrollment(officer, participant)

    consent_revoke(actor=alice, consent=released, organization=police, reason="Asked to stop")

    assert not sees_enrollment(officer, participant)
    viewer = Viewer.from_membership(Membership.objects.get(user=prosecutor))
    subject = cast(Subject, people_in_scope(participant.site_id, viewer=viewer).get())
    assert decide(
        viewer=viewer, person=subject, category=Category.LEGAL, purpose=Purpose.LEGAL_COORDINATION
    )
    grant = released.grants.get(organization=police)
    assert grant.revoked_by == alice
    assert grant.revocation_reason == "Asked to stop"
    assert AuditEvent.objects.filter(action="consent.revoked").count() == 1


def test_revoking_all_keeps_the_history(alice, released, participant, officer):
    consent_revoke(actor=alice, consent=released, reason="Participant withdrew")

    assert not sees_enrollment(officer, participant)
    released.refresh_from_db()
    assert released.revoked_at is not None
    assert released.grants.count() == 2
    with pytest.raises(ValidationError):
        consent_revoke(actor=alice, consent=released, reason="Again")


def test_a_revocation_needs_a_reason(alice, released):
    with pytest.raises(ValidationError):
        consent_revoke(actor=alice, consent=released, reason=" ")

    released.refresh_from_db()
    assert released.revoked_at is None


def test_expiry_takes_effect_on_the_next_request_without_a_job(
    released, participant, officer, frozen_today
):
    assert sees_enrollment(officer, participant)

    frozen_today.move_to(dt.datetime(2026, 7, 1, 19, 0, tzinfo=dt.UTC))

    assert timezone.localdate() == dt.date(2026, 7, 1)
    assert not sees_enrollment(officer, participant)


def test_the_last_day_counts_in_the_sites_time_zone(released, participant, officer):
    # 06:00 UTC on 1 July is still 30 June in Los Angeles, the site's zone.
    with time_machine.travel(dt.datetime(2026, 7, 1, 6, 0, tzinfo=dt.UTC), tick=False):
        timezone.activate(participant.site.time_zone)
        try:
            assert sees_enrollment(officer, participant)
        finally:
            timezone.deactivate()

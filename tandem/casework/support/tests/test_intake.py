"""The intake: from an approved referral through the domains, the release of information and
the baseline to completion, which enrolls the person, marks the referral enrolled, tells
the diverted-charge hold and takes the first outcome snapshot."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone

from tandem.audit.models import AuditEvent
from tandem.casework.models import Enrollment
from tandem.casework.support import services
from tandem.casework.support.models import Assessment, AssessmentAnswer, OutcomeSnapshot
from tandem.casework.support.tests.factories import (
    BASELINE,
    answer_every_domain,
    approved_referral,
    completed_intake,
    ready_intake,
    record_release,
    viewer_of,
)
from tandem.consent.models import Consent
from tandem.legal.models import DivertedChargeHold
from tandem.referrals.models import Referral, Status
from tests.factories import ConsentFactory, ConsentGrantFactory, sign_in


def start(scene, referral, by="case_manager"):
    user = scene[by]
    return services.intake_start(actor=user, viewer=viewer_of(user), referral=referral)


def complete(scene, assessment, by="case_manager", on=None):
    user = scene[by]
    return services.intake_complete(
        actor=user, viewer=viewer_of(user), assessment=assessment, on=on or timezone.localdate()
    )


def test_completing_the_intake_enrolls_and_updates_the_referral_and_the_hold(scene):
    referral = approved_referral(scene)
    assert referral.hold is not None
    assessment = ready_intake(scene, scene["case_manager"], referral)

    complete(scene, assessment)

    enrollment = Enrollment.objects.get(person=referral.person)
    assert enrollment.provider == scene["provider"]
    assert enrollment.status == Enrollment.Status.ACTIVE
    referral.refresh_from_db()
    assert referral.status == Status.ENROLLED
    assert referral.enrollment == enrollment
    assert referral.hold is not None
    hold = DivertedChargeHold.objects.get(pk=referral.hold.pk)
    assert hold.intake_completed_on == timezone.localdate()
    assessment.refresh_from_db()
    assert assessment.status == Assessment.Status.COMPLETED
    assert assessment.enrollment == enrollment
    assert assessment.release == Consent.objects.get(person=referral.person)
    snapshot = OutcomeSnapshot.objects.get(person=referral.person)
    assert snapshot.source == OutcomeSnapshot.Source.INTAKE
    assert snapshot.housing_status == "unsheltered"
    assert snapshot.income_benefits == ["snap"]
    assert snapshot.overdoses_90d == 1
    assert AuditEvent.objects.filter(
        action="assessment.completed", target_id=str(assessment.public_id)
    ).exists()


def test_the_intake_cannot_complete_without_a_release_and_nothing_changes(scene):
    referral = approved_referral(scene)
    assessment = start(scene, referral)
    answer_every_domain(scene["case_manager"], assessment)
    user = scene["case_manager"]
    services.intake_baseline_save(
        actor=user, viewer=viewer_of(user), assessment=assessment, outcomes=BASELINE
    )

    with pytest.raises(ValidationError) as refused:
        complete(scene, assessment)

    assert any("release of information" in message for message in refused.value.messages)
    referral.refresh_from_db()
    assert referral.status == Status.APPROVED
    assert not Enrollment.objects.filter(person=referral.person).exists()
    assert referral.hold is not None
    assert DivertedChargeHold.objects.get(pk=referral.hold.pk).intake_completed_on is None
    assert not OutcomeSnapshot.objects.exists()
    assert Assessment.objects.get(pk=assessment.pk).status == Assessment.Status.DRAFT


@pytest.mark.parametrize("which", ["another_provider", "expired", "revoked"])
def test_only_a_current_release_of_the_provider_doing_the_intake_counts(scene, which):
    referral = approved_referral(scene)
    assessment = start(scene, referral)
    answer_every_domain(scene["case_manager"], assessment)
    user = scene["case_manager"]
    services.intake_baseline_save(
        actor=user, viewer=viewer_of(user), assessment=assessment, outcomes=BASELINE
    )
    today = timezone.localdate()
    recorder = scene["other_provider"] if which == "another_provider" else scene["provider"]
    dates = {}
    if which == "expired":
        dates = {
            "effective_on": today - dt.timedelta(days=400),
            "expires_on": today - dt.timedelta(days=1),
        }
    consent = ConsentFactory(person=referral.person, recorded_by_organization=recorder, **dates)
    ConsentGrantFactory(consent=consent)
    if which == "revoked":
        Consent.objects.filter(pk=consent.pk).update(revoked_at=timezone.now())

    with pytest.raises(ValidationError, match="release of information"):
        complete(scene, assessment)


def test_every_domain_and_the_baseline_come_before_completion(scene):
    referral = approved_referral(scene)
    assessment = start(scene, referral)
    record_release(scene, scene["case_manager"], assessment)

    with pytest.raises(ValidationError) as refused:
        complete(scene, assessment)

    messages = " ".join(refused.value.messages)
    assert "Housing" in messages
    assert "Education" in messages
    assert "baseline" in messages


def test_saving_a_domain_again_keeps_the_earlier_answer(scene):
    referral = approved_referral(scene)
    assessment = start(scene, referral)
    user = scene["case_manager"]
    save = {"actor": user, "viewer": viewer_of(user), "assessment": assessment, "domain": "housing"}

    services.intake_answer_save(
        **save, discussed="discussed", answers={"where_sleeping": "unsheltered"}, notes="Tent"
    )
    services.intake_answer_save(
        **save, discussed="discussed", answers={"where_sleeping": "unsheltered"}, notes="Tent"
    )
    services.intake_answer_save(
        **save,
        discussed="discussed",
        answers={"where_sleeping": "emergency_shelter", "bogus": "x"},
        notes="Shelter bed since Monday",
    )

    rows = AssessmentAnswer.objects.filter(assessment=assessment, domain="housing")
    assert rows.count() == 2
    current = rows.get(superseded_at__isnull=True)
    assert current.answers == {"where_sleeping": "emergency_shelter"}
    assert current.category == "casework"
    assert rows.get(superseded_at__isnull=False).notes == "Tent"


def test_an_intake_starts_only_from_an_approved_referral_with_a_person(scene):
    referral = approved_referral(scene)
    Referral.objects.filter(pk=referral.pk).update(person=None)
    referral.refresh_from_db()
    with pytest.raises(ValidationError, match="Link the referral to a person first"):
        start(scene, referral)
    Referral.objects.filter(pk=referral.pk).update(status=Status.DECLINED)
    referral.refresh_from_db()
    with pytest.raises(ValidationError, match="approved referral"):
        start(scene, referral)
    assert not Assessment.objects.exists()


def test_one_provider_does_an_intake_at_a_time(scene):
    referral = approved_referral(scene)
    first = start(scene, referral)

    assert start(scene, referral, by="outreach") == first
    with pytest.raises(ValidationError, match="Another provider"):
        start(scene, referral, by="other_case_manager")


def test_declining_to_sign_is_recorded_and_the_intake_waits(scene):
    referral = approved_referral(scene)
    assessment = start(scene, referral)
    user = scene["case_manager"]

    with pytest.raises(ValidationError):
        services.intake_release_declined(
            actor=user, viewer=viewer_of(user), assessment=assessment, reason=" ", close=False
        )
    services.intake_release_declined(
        actor=user,
        viewer=viewer_of(user),
        assessment=assessment,
        reason="Wants to read it with her sister first",
        close=False,
    )

    assessment.refresh_from_db()
    assert assessment.status == Assessment.Status.DRAFT
    assert assessment.release_declined_reason == "Wants to read it with her sister first"
    referral.refresh_from_db()
    assert referral.status == Status.APPROVED


def test_declining_and_closing_marks_the_referral_declined_by_the_person(scene):
    referral = approved_referral(scene)
    assessment = start(scene, referral)
    user = scene["case_manager"]

    services.intake_release_declined(
        actor=user,
        viewer=viewer_of(user),
        assessment=assessment,
        reason="Does not want LEAD",
        close=True,
    )

    assessment.refresh_from_db()
    assert assessment.status == Assessment.Status.CLOSED
    referral.refresh_from_db()
    assert referral.status == Status.DECLINED_BY_PERSON
    assert not Enrollment.objects.filter(person=referral.person).exists()
    with pytest.raises(ValidationError, match="closed without enrolling"):
        complete(scene, assessment)


def test_a_failed_enrollment_rolls_the_whole_completion_back(scene):
    referral = approved_referral(scene)
    assessment = ready_intake(scene, scene["case_manager"], referral)
    # The referral expired meanwhile: referral_enroll refuses, so nothing may stay.
    Referral.objects.filter(pk=referral.pk).update(status=Status.EXPIRED)

    with pytest.raises(ValidationError, match="expired"):
        complete(scene, assessment)

    assert not OutcomeSnapshot.objects.exists()
    assert not Enrollment.objects.exists()
    assert Assessment.objects.get(pk=assessment.pk).status == Assessment.Status.DRAFT


def test_the_intake_date_cannot_be_in_the_future(scene):
    referral = approved_referral(scene)
    assessment = ready_intake(scene, scene["case_manager"], referral)

    with pytest.raises(ValidationError, match="future"):
        complete(scene, assessment, on=timezone.localdate() + dt.timedelta(days=1))


# Pages -----------------------------------------------------------------------------------


def test_the_referral_page_links_to_the_intake_instead_of_enrolling(client, scene):
    referral = approved_referral(scene)
    sign_in(client, scene["case_manager"])

    page = client.get(reverse("referrals:detail", args=[referral.public_id])).content.decode()

    assert "Start the intake" in page
    assert reverse("casework_support:intake", args=[referral.public_id]) in page
    assert "Intake done: enroll" not in page


def test_the_case_manager_goes_through_the_intake_step_by_step(client, scene):
    referral = approved_referral(scene)
    sign_in(client, scene["case_manager"])
    rid = referral.public_id

    overview = client.get(reverse("casework_support:intake", args=[rid]))
    assert "Begin the intake" in overview.content.decode()
    response = client.post(reverse("casework_support:intake_start", args=[rid]))
    housing = reverse("casework_support:intake_domain", args=[rid, "housing"])
    assert response["Location"] == housing

    # A choice that does not exist: the page says so and keeps the notes typed.
    response = client.post(
        housing,
        {"discussed": "discussed", "q_where_sleeping": "castle", "notes": "Sleeps by the pier"},
    )
    assert response.status_code == 400
    assert "Sleeps by the pier" in response.content.decode()
    assert "Select a valid choice" in response.content.decode()
    assert not AssessmentAnswer.objects.exists()

    response = client.post(
        housing,
        {
            "discussed": "discussed",
            "q_where_sleeping": "unsheltered",
            "q_wants_help": "yes",
            "notes": "Sleeps by the pier",
            "go": "next",
        },
    )
    assert response["Location"] == reverse("casework_support:intake_domain", args=[rid, "income"])
    # Coming back shows what was saved.
    page = client.get(housing).content.decode()
    assert "Sleeps by the pier" in page
    assert 'value="unsheltered" id="id_q_where_sleeping_0" checked' in page

    assessment = Assessment.objects.get(referral=referral)
    for domain in [
        "income",
        "id_documents",
        "legal",
        "physical_health",
        "mental_health",
        "substance_use",
        "safety",
        "family",
        "employment",
        "education",
    ]:
        response = client.post(
            reverse("casework_support:intake_domain", args=[rid, domain]),
            {"discussed": "not_discussed", "notes": ""},
        )
        assert response.status_code == 302
    release_page = client.get(reverse("casework_support:intake_release", args=[rid]))
    assert "Record the release" in release_page.content.decode()
    assert "declined to sign" in release_page.content.decode()
    record_release(scene, scene["case_manager"], assessment)
    baseline = client.get(reverse("casework_support:intake_baseline", args=[rid]))
    # The housing answer fills the baseline in.
    assert 'value="unsheltered" selected' in baseline.content.decode()
    response = client.post(
        reverse("casework_support:intake_baseline", args=[rid]),
        {
            "housing_status": "unsheltered",
            "health_insurance": "none",
            "employment": "not_looking",
            "moud": "not_indicated",
            "overdoses_90d": "0",
        },
    )
    assert response.status_code == 302
    overview = client.get(reverse("casework_support:intake", args=[rid])).content.decode()
    assert "Complete the intake and enroll" in overview

    response = client.post(
        reverse("casework_support:intake_complete", args=[rid]),
        {"on": timezone.localdate().isoformat()},
    )

    assert referral.person is not None
    assert response["Location"] == reverse(
        "casework_support:plan", args=[referral.person.public_id]
    )
    referral.refresh_from_db()
    assert referral.status == Status.ENROLLED
    assert OutcomeSnapshot.objects.get(person=referral.person).overdoses_90d == 0


def test_bad_release_input_keeps_what_was_typed(client, scene):
    referral = approved_referral(scene)
    start(scene, referral)
    sign_in(client, scene["case_manager"])

    response = client.post(
        reverse("casework_support:intake_release", args=[referral.public_id]),
        {
            "purpose": "care_coordination",
            "purpose_text": "Housing and the charge",
            "effective_on": timezone.localdate().isoformat(),
            "expires_on": timezone.localdate().isoformat(),
            "signed_name": "Rosa Quintero",
        },
    )

    page = response.content.decode()
    assert response.status_code == 200
    assert "Housing and the charge" in page
    assert "Rosa Quintero" in page
    assert not Consent.objects.exists()


def test_an_unlinked_referral_asks_to_link_the_person_first(client, scene):
    referral = approved_referral(scene)
    Referral.objects.filter(pk=referral.pk).update(person=None)
    sign_in(client, scene["case_manager"])

    page = client.get(reverse("casework_support:intake", args=[referral.public_id]))

    assert page.status_code == 200
    assert "Link the referral to a person first" in page.content.decode()
    assert "Begin the intake" not in page.content.decode()


def test_declining_through_the_page(client, scene):
    referral = approved_referral(scene)
    start(scene, referral)
    sign_in(client, scene["case_manager"])
    url = reverse("casework_support:intake_declined", args=[referral.public_id])

    empty = client.post(url, {"reason": ""})
    assert empty.status_code == 400
    response = client.post(url, {"reason": "Not today", "close": "on"})

    assert response["Location"] == reverse("referrals:detail", args=[referral.public_id])
    referral.refresh_from_db()
    assert referral.status == Status.DECLINED_BY_PERSON


def test_the_completed_intake_is_readable_afterwards(client, scene):
    assessment = completed_intake(scene, scene["case_manager"])
    sign_in(client, scene["case_manager"])

    page = client.get(reverse("casework_support:assessment", args=[assessment.public_id]))

    assert page.status_code == 200
    text = page.content.decode()
    assert "About substance_use." in text
    assert "Completed" in text

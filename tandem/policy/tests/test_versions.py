"""Policy versions: adopting one (validated, audited, numbered), which one is in force on a
day, and replaying an old decision with the version it was made under."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile

from tandem.access.errors import OutOfScope
from tandem.access.viewer import Viewer
from tandem.audit.models import AuditEvent
from tandem.policy.models import PolicyVersion
from tandem.policy.rules import Evaluation, Facts, Offence, Outcome, PolicyRules
from tandem.policy.selectors import (
    policy_document_get,
    policy_in_force,
    policy_rules_in_force,
    policy_version_get,
    policy_versions,
    site_rules,
)
from tandem.policy.services import MAX_DOCUMENT_BYTES, policy_version_create, replay
from tandem.policy.tests.conftest import TODAY
from tandem.policy.tests.factories import PolicyVersionFactory, pdf_upload, sample_rules
from tandem.tenancy.models import Membership

DAY = dt.timedelta(days=1)


def adopt(site, actor=None, **overrides):
    kwargs = {
        "actor": actor,
        "site": site,
        "rules": sample_rules(),
        "effective_from": TODAY,
        "pcg_decided_on": TODAY - 10 * DAY,
        "pcg_reference": "PCG minutes 2026-11-17, item 5",
        **overrides,
    }
    return policy_version_create(**kwargs)


# Adopting ---------------------------------------------------------------------------------


def test_adopting_a_version_numbers_it_stores_its_rules_and_audits_it(site_a, admin):
    version = adopt(site_a, admin, note="  First criteria. ")

    assert version.number == 1
    assert version.created_by == admin
    assert version.note == "First criteria."
    assert version.policy_rules == sample_rules()
    stored = PolicyVersion.objects.get(pk=version.pk)
    assert PolicyRules.from_dict(stored.rules) == sample_rules()
    event = AuditEvent.objects.get(action="policy.version_adopted")
    assert event.actor_id == admin.pk
    assert event.site_id == site_a.pk
    assert event.target_id == str(version.public_id)
    assert event.detail["number"] == 1
    assert event.detail["changes"] == ["The site's first policy version."]


def test_the_next_version_takes_the_next_number_and_the_audit_lists_the_changes(site_a, admin):
    adopt(site_a, admin, effective_from=TODAY - 30 * DAY, pcg_decided_on=TODAY - 40 * DAY)

    second = adopt(site_a, admin, rules=sample_rules(minimum_age=21))

    assert second.number == 2
    event = AuditEvent.objects.filter(action="policy.version_adopted").order_by("-seq").first()
    assert event is not None
    assert event.detail["changes"] == ["Minimum age changed from 18 to 21."]


def test_numbers_are_per_site(site_a, site_b):
    adopt(site_a)

    assert adopt(site_b).number == 1


def test_a_pdf_document_is_kept_at_a_private_path(site_a, admin):
    version = adopt(site_a, admin, pcg_document=pdf_upload("Minutes March.pdf"))

    assert version.pcg_document.name.startswith("private/policy/")
    assert "Minutes" not in version.pcg_document.name
    with version.pcg_document.open("rb") as stored:
        assert stored.read(5) == b"%PDF-"


def refused(site, **overrides) -> dict[str, list[str]]:
    """Adopting fails, and nothing is written: no version, no audit event."""
    versions = PolicyVersion.objects.count()
    events = AuditEvent.objects.count()
    with pytest.raises(ValidationError) as raised:
        adopt(site, **overrides)
    assert PolicyVersion.objects.count() == versions
    assert AuditEvent.objects.count() == events
    return raised.value.message_dict


def test_a_version_may_not_take_effect_before_the_one_in_force(site_a):
    PolicyVersionFactory(site=site_a, effective_from=TODAY - 30 * DAY)

    errors = refused(site_a, effective_from=TODAY - 31 * DAY, pcg_decided_on=TODAY - 40 * DAY)

    assert errors["effective_from"] == [
        "Version 1 is in force from 2026-10-28: a new version cannot take effect before that "
        "date, which would rewrite the policy that decisions were made under."
    ]
    assert PolicyVersion.objects.count() == 1
    assert not AuditEvent.objects.filter(action="policy.version_adopted").exists()


def test_a_version_may_take_effect_on_the_same_day_as_the_one_in_force_and_wins(site_a):
    PolicyVersionFactory(site=site_a, effective_from=TODAY - 30 * DAY)

    second = adopt(site_a, effective_from=TODAY - 30 * DAY, pcg_decided_on=TODAY - 31 * DAY)

    assert policy_in_force(site_a.pk, TODAY) == second


def test_a_version_may_be_scheduled_for_later_but_not_before_one_already_scheduled(site_a):
    scheduled = adopt(site_a, effective_from=TODAY + 30 * DAY)

    errors = refused(site_a, effective_from=TODAY + 10 * DAY)

    assert scheduled.number == 1
    assert errors["effective_from"] == [
        "Version 1 is scheduled to take effect on 2026-12-27: a new version cannot take "
        "effect before it."
    ]


def test_a_pcg_decision_in_the_future_is_refused(site_a):
    errors = refused(site_a, pcg_decided_on=TODAY + DAY, effective_from=TODAY + 5 * DAY)

    assert errors["pcg_decided_on"] == [
        "The PCG decision date (2026-11-28) is in the future: record a decision once it has "
        "been made."
    ]


def test_a_policy_cannot_take_effect_before_the_pcg_adopted_it(site_a):
    errors = refused(site_a, pcg_decided_on=TODAY, effective_from=TODAY - DAY)

    assert errors["effective_from"] == [
        "The policy cannot take effect (2026-11-26) before the PCG adopted it (2026-11-27)."
    ]


@pytest.mark.parametrize("reference", ["", "   "])
def test_the_pcg_reference_is_required(site_a, reference):
    errors = refused(site_a, pcg_reference=reference)

    assert errors["pcg_reference"][0].startswith("Give the PCG decision's reference")


@pytest.mark.parametrize(
    ("upload", "message"),
    [
        (
            SimpleUploadedFile("minutes.pdf", b"<html>not a pdf</html>", "application/pdf"),
            "The document must be a PDF file.",
        ),
        (
            SimpleUploadedFile("empty.pdf", b"", "application/pdf"),
            "The document must be a PDF file.",
        ),
        (
            SimpleUploadedFile(
                "huge.pdf", b"%PDF-1.4\n" + b"0" * MAX_DOCUMENT_BYTES, "application/pdf"
            ),
            "The document may be at most 10 MB.",
        ),
    ],
)
def test_only_a_pdf_of_at_most_10_mb_is_accepted(site_a, upload, message):
    errors = refused(site_a, pcg_document=upload)

    assert errors["pcg_document"] == [message]


def test_every_error_is_reported_at_once_and_nothing_is_written(site_a):
    errors = refused(
        site_a,
        pcg_reference="",
        pcg_decided_on=TODAY + DAY,
        pcg_document=SimpleUploadedFile("x.pdf", b"GIF89a", "application/pdf"),
    )

    assert set(errors) == {"pcg_reference", "pcg_decided_on", "pcg_document"}


def test_a_stored_version_is_never_changed_or_deleted(site_a):
    version = PolicyVersionFactory(site=site_a)
    version.pcg_reference = "Changed"

    with pytest.raises(ValueError, match="never changed"):
        version.save()
    with pytest.raises(ValueError, match="never deleted"):
        version.delete()
    assert PolicyVersion.objects.get(pk=version.pk).pcg_reference != "Changed"


# In force ---------------------------------------------------------------------------------


def test_the_version_in_force_the_day_before_on_and_after_each_effective_date(site_a):
    first = PolicyVersionFactory(site=site_a, effective_from=dt.date(2025, 3, 1))
    second = PolicyVersionFactory(site=site_a, effective_from=dt.date(2026, 6, 15))
    PolicyVersionFactory(effective_from=dt.date(2025, 2, 1))  # another site's

    assert policy_in_force(site_a.pk, dt.date(2025, 2, 28)) is None
    assert policy_in_force(site_a.pk, dt.date(2025, 3, 1)) == first
    assert policy_in_force(site_a.pk, dt.date(2025, 3, 2)) == first
    assert policy_in_force(site_a.pk, dt.date(2026, 6, 14)) == first
    assert policy_in_force(site_a.pk, dt.date(2026, 6, 15)) == second
    assert policy_in_force(site_a.pk, dt.date(2026, 6, 16)) == second


def test_on_a_tie_the_higher_number_is_in_force(site_a):
    PolicyVersionFactory(site=site_a, effective_from=dt.date(2026, 1, 1))
    later = PolicyVersionFactory(site=site_a, effective_from=dt.date(2026, 1, 1))

    assert later.number == 2
    assert policy_in_force(site_a.pk, dt.date(2026, 1, 1)) == later


def test_a_site_without_a_policy_gets_the_default_rules(site_a):
    assert policy_rules_in_force(site_a.pk, TODAY) == PolicyRules.default()

    version = PolicyVersionFactory(site=site_a, effective_from=TODAY)

    assert policy_rules_in_force(site_a.pk, TODAY) == version.policy_rules
    assert policy_rules_in_force(site_a.pk, TODAY - DAY) == PolicyRules.default()


def test_the_cached_rules_give_way_to_a_new_version_at_once(
    site_a, admin, django_assert_num_queries
):
    assert site_rules(site_a.pk, TODAY) == (PolicyRules.default(), None)
    with django_assert_num_queries(0):
        assert site_rules(site_a.pk, TODAY) == (PolicyRules.default(), None)

    version = adopt(site_a, admin)

    assert site_rules(site_a.pk, TODAY) == (version.policy_rules, version.pk)


# Replay -----------------------------------------------------------------------------------


def test_an_old_decision_replays_with_its_own_version_after_a_new_one_is_adopted(site_a, admin):
    first = adopt(site_a, admin, effective_from=TODAY - 200 * DAY, pcg_decided_on=TODAY - 210 * DAY)
    theft_referral = Facts(
        decided_on=TODAY - 100 * DAY,
        door="arrest",
        offence_codes=("RCW 9A.88.030",),
        age=30,
        history=(),
        on_active_supervision=False,
        in_treatment_court=False,
        protective_order=False,
        no_contact_with_participant=False,
        area="Belltown",
        complainant_consents=True,
        confidential_informant=False,
    )
    in_force = policy_in_force(site_a.pk, theft_referral.decided_on)
    assert in_force is not None
    assert in_force == first
    decision = replay(in_force, theft_referral)
    # What a referral would store: the version, the facts and the result, as JSON.
    stored: dict[str, Any] = {
        "version": in_force.pk,
        "facts": theft_referral.to_dict(),
        "evaluation": decision.to_dict(),
    }
    assert decision.outcome is Outcome.ELIGIBLE

    # The PCG drops prostitution from the list and raises the age.
    narrower = sample_rules(
        eligible_offences=(
            Offence("RCW 69.50.4013", "Possession of a controlled substance", "drug"),
        ),
        minimum_age=35,
    )
    second = adopt(site_a, admin, rules=narrower)
    assert policy_in_force(site_a.pk, TODAY) == second
    assert replay(second, theft_referral).outcome is Outcome.INELIGIBLE

    again = replay(
        PolicyVersion.objects.get(pk=stored["version"]), Facts.from_dict(stored["facts"])
    )
    assert again == Evaluation.from_dict(stored["evaluation"])
    assert again.outcome is Outcome.ELIGIBLE


def test_replay_uses_the_versions_quantity_limit(site_a):
    version = PolicyVersionFactory(site=site_a)
    facts = Facts(
        decided_on=TODAY,
        door="arrest",
        offence_codes=("RCW 69.50.4013",),
        substance="heroin",
        form="powder",
        quantity_grams=Decimal("3.5"),
    )

    assert replay(version, facts).outcome is Outcome.INELIGIBLE


# Reads by a viewer --------------------------------------------------------------------------


def viewer_of(user) -> Viewer:
    return Viewer.from_membership(
        Membership.objects.select_related("organization", "user").get(user=user)
    )


def test_the_selectors_refuse_a_viewer_without_the_right_to_read_the_policy(site_a, alice, admin):
    version = PolicyVersionFactory(site=site_a)

    with pytest.raises(OutOfScope):
        policy_versions(viewer_of(alice))
    with pytest.raises(OutOfScope):
        policy_version_get(viewer_of(alice), version.public_id)
    assert policy_version_get(viewer_of(admin), version.public_id) == version


def test_the_selectors_answer_out_of_scope_for_another_sites_version(site_a, site_b, other_admin):
    version = PolicyVersionFactory(site=site_a)
    own = PolicyVersionFactory(site=site_b)

    with pytest.raises(OutOfScope):
        policy_version_get(viewer_of(other_admin), version.public_id)
    with pytest.raises(OutOfScope):
        policy_document_get(viewer_of(other_admin), version.public_id)
    assert [row.version for row in policy_versions(viewer_of(other_admin))] == [own]

"""Outcome snapshots: dated, taken at intake and when something changes; a snapshot that
says what the last one said is not taken."""

from __future__ import annotations

import dataclasses
import datetime as dt

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone

from tandem.casework.support import services
from tandem.casework.support.models import OutcomeSnapshot
from tandem.casework.support.tests.factories import BASELINE, completed_intake, viewer_of
from tests.factories import sign_in


def record(scene, person, outcomes, on=None):
    user = scene["case_manager"]
    return services.snapshot_record(
        actor=user, viewer=viewer_of(user), person=person, outcomes=outcomes, taken_on=on
    )


def test_nothing_changed_means_no_new_snapshot(scene):
    person = completed_intake(scene, scene["case_manager"]).person
    same = dataclasses.replace(BASELINE, income_benefits=("snap",))

    with pytest.raises(services.NothingChangedError, match="Nothing changed since"):
        record(scene, person, same)

    assert OutcomeSnapshot.objects.filter(person=person).count() == 1


def test_a_change_is_a_new_dated_snapshot_and_the_first_stays(scene):
    person = completed_intake(scene, scene["case_manager"]).person
    housed = dataclasses.replace(BASELINE, housing_status="permanent", overdoses_90d=0)

    snapshot = record(scene, person, housed)

    assert snapshot.source == OutcomeSnapshot.Source.UPDATE
    assert snapshot.taken_on == timezone.localdate()
    assert list(
        OutcomeSnapshot.objects.filter(person=person)
        .order_by("taken_on", "id")
        .values_list("housing_status", flat=True)
    ) == ["unsheltered", "permanent"]


def test_a_snapshot_is_not_dated_before_the_last_one(scene):
    person = completed_intake(scene, scene["case_manager"]).person
    housed = dataclasses.replace(BASELINE, housing_status="permanent")

    with pytest.raises(ValidationError, match="dated that day or later"):
        record(scene, person, housed, on=timezone.localdate() - dt.timedelta(days=3))


def test_no_income_cannot_go_with_a_source(scene):
    person = completed_intake(scene, scene["case_manager"]).person
    muddled = dataclasses.replace(BASELINE, income_benefits=("none", "snap"))

    with pytest.raises(ValidationError, match="cannot go with"):
        record(scene, person, muddled)


def test_the_page_compares_the_first_and_the_latest(client, scene):
    person = completed_intake(scene, scene["case_manager"]).person
    record(scene, person, dataclasses.replace(BASELINE, housing_status="permanent"))
    sign_in(client, scene["case_manager"])

    page = client.get(reverse("casework_support:outcomes", args=[person.public_id]))

    text = page.content.decode()
    assert "Then and now" in text
    assert "<strong>Permanent housing</strong>" in text
    assert "Overdoses in the last 90 days" in text


def test_the_page_says_when_nothing_changed(client, scene):
    person = completed_intake(scene, scene["case_manager"]).person
    sign_in(client, scene["case_manager"])
    data = {
        **{k: v for k, v in BASELINE.to_dict().items() if v is not None},
        "taken_on": timezone.localdate().isoformat(),
    }

    response = client.post(
        reverse("casework_support:outcomes", args=[person.public_id]), data, follow=True
    )

    assert "Nothing changed since" in response.content.decode()
    assert OutcomeSnapshot.objects.filter(person=person).count() == 1


def test_the_project_manager_sees_housing_and_work_not_health(client, scene):
    person = completed_intake(scene, scene["case_manager"]).person
    sign_in(client, scene["project_manager"])

    text = client.get(
        reverse("casework_support:outcomes", args=[person.public_id])
    ).content.decode()

    assert "Unsheltered" in text
    assert "Looking for work" in text
    assert "Overdoses" not in text
    assert "Medicaid" not in text
    assert "SNAP" not in text
    assert "Something changed?" not in text

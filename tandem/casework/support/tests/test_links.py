"""The service directory and a participant's service links: referred, connected, completed
or declined, with the outcome, and every status kept."""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from tandem.audit.models import AuditEvent
from tandem.casework.support import services
from tandem.casework.support.models import ServiceLink, ServiceLinkEvent, ServiceProvider
from tandem.casework.support.tests.factories import directory_entry, enrolled_person, viewer_of
from tests.factories import sign_in


def link(scene, person, provider, service_type="housing"):
    user = scene["case_manager"]
    return services.service_link_add(
        actor=user,
        viewer=viewer_of(user),
        person=person,
        service_provider=provider,
        service_type=service_type,
    )


def update(scene, item, status, outcome=""):
    user = scene["case_manager"]
    return services.service_link_update(
        actor=user, viewer=viewer_of(user), link=item, status=status, outcome=outcome
    )


def test_a_link_moves_from_referred_to_connected_to_completed_with_its_history(scene):
    person = enrolled_person(scene)
    item = link(scene, person, directory_entry(scene))

    update(scene, item, "connected", "Intake booked for Tuesday")
    item = update(scene, item, "completed", "Moved in")

    assert item.status == ServiceLink.Status.COMPLETED
    assert item.outcome == "Moved in"
    assert list(
        ServiceLinkEvent.objects.filter(link=item)
        .order_by("at", "id")
        .values_list("from_status", "to_status")
    ) == [("", "referred"), ("referred", "connected"), ("connected", "completed")]
    with pytest.raises(ValidationError, match="refer the participant anew"):
        update(scene, item, "referred")


def test_a_link_to_treatment_is_substance_use_information(scene):
    item = link(scene, enrolled_person(scene), directory_entry(scene), "substance_use_treatment")

    assert item.category == "substance_use"
    event = AuditEvent.objects.get(action="service_link.added")
    assert event.category == "substance_use"


def test_a_provider_offers_only_its_services(scene):
    person = enrolled_person(scene)
    entry = directory_entry(scene, service_types=["food"])

    with pytest.raises(ValidationError, match="does not offer"):
        link(scene, person, entry, "housing")


def test_the_directory_is_kept_by_supervisors_and_the_project_office(scene):
    for by in ["supervisor", "project_manager"]:
        user = scene[by]
        services.service_provider_add(
            actor=user,
            viewer=viewer_of(user),
            site=scene["site"],
            name=f"Clinic of {by}",
            service_types=["medical"],
        )
    user = scene["case_manager"]
    with pytest.raises(ValidationError, match="does not keep"):
        services.service_provider_add(
            actor=user, viewer=viewer_of(user), site=scene["site"], name="X", service_types=["food"]
        )
    with pytest.raises(ValidationError) as twice:
        services.service_provider_add(
            actor=scene["supervisor"],
            viewer=viewer_of(scene["supervisor"]),
            site=scene["site"],
            name="clinic of supervisor",
            service_types=["medical"],
        )
    assert "already" in twice.value.message_dict["name"][0]
    assert ServiceProvider.objects.count() == 2


def test_the_services_page_records_a_referral(client, scene):
    person = enrolled_person(scene)
    entry = directory_entry(scene)
    sign_in(client, scene["case_manager"])
    url = reverse("casework_support:services", args=[person.public_id])

    bad = client.post(url, {"service_provider": str(entry.public_id), "outcome": "Call Amy"})
    assert bad.status_code == 400
    assert "Call Amy" in bad.content.decode()
    response = client.post(
        url,
        {
            "service_provider": str(entry.public_id),
            "service_type": "housing",
            "referred_on": "2026-01-02",
            "outcome": "Call Amy",
        },
    )

    assert response.status_code == 302
    page = client.get(url).content.decode()
    assert "Harbor Housing" in page
    assert "Call Amy" in page

"""A contact touches the participant's own plan goals and service links (docs/adr/0005):
what is linked, what is refused, what a correction carries, and who sees the links where a
contact is shown."""

from __future__ import annotations

import datetime as dt
import json
import re
import uuid
import zoneinfo

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone

from tandem.audit.models import AuditEvent
from tandem.casework.models import Contact, Enrollment
from tandem.casework.services import ContactInput, contact_correct, contact_log
from tandem.casework.support.models import (
    ContactGoal,
    ContactServiceLink,
    Goal,
    Plan,
    ServiceLink,
    ServiceProvider,
    service_category,
)
from tandem.casework.support.tests.factories import enrolled_person, viewer_of
from tandem.casework.views import DRAFT_ERRORS_HEADER, DRAFT_HEADER
from tests.factories import (
    ConsentFactory,
    ConsentGrantFactory,
    EnrollmentFactory,
    PersonFactory,
    SiteFactory,
    sign_in,
)


@pytest.fixture
def held(scene):
    return Enrollment.objects.get(person=enrolled_person(scene))


def goal(
    enrollment,
    words,
    *,
    category="casework",
    domain="housing",
    status="working_on",
    recorder=None,
):
    plan = Plan.objects.filter(enrollment=enrollment).first() or Plan.objects.create(
        site=enrollment.site, person=enrollment.person, enrollment=enrollment
    )
    return Goal.objects.create(
        plan=plan,
        domain=domain,
        category=category,
        words=words,
        status=status,
        status_changed_on=timezone.localdate(),
        recorded_by_organization=recorder or enrollment.provider,
    )


def service_link(
    enrollment, *, service_type="housing", status="referred", name="Harbor Housing", recorder=None
):
    entry = ServiceProvider.objects.filter(site=enrollment.site, name=name).first()
    entry = entry or ServiceProvider.objects.create(
        site=enrollment.site, name=name, service_types=[service_type]
    )
    return ServiceLink.objects.create(
        site=enrollment.site,
        person=enrollment.person,
        enrollment=enrollment,
        service_provider=entry,
        service_type=service_type,
        category=service_category(service_type),
        status=status,
        status_on=timezone.localdate(),
        referred_on=timezone.localdate(),
        recorded_by_organization=recorder or enrollment.provider,
    )


def ids(*rows):
    return tuple(str(row.public_id) for row in rows)


def log(scene, enrollment, *, goals=(), services=(), user=None, **overrides):
    user = user or scene["case_manager"]
    data = {
        "at": timezone.now() - dt.timedelta(hours=1),
        "kind": "substantive",
        "mode": "street",
        "minutes": 15,
        "links": {"goals": ids(*goals), "service_links": ids(*services)},
        **overrides,
    }
    return contact_log(
        actor=user, viewer=viewer_of(user), enrollment=enrollment, data=ContactInput(**data)
    )


def other_enrollment(scene, site=None):
    person = PersonFactory(site=site or scene["site"])
    if site is None:
        return EnrollmentFactory(person=person, provider=scene["provider"])
    return EnrollmentFactory(person=person)


# Linking ---------------------------------------------------------------------------------


def test_a_contact_links_the_participants_own_goals_and_service_links(scene, held):
    room = goal(held, "A place of my own")
    dentist = goal(held, "See a dentist", domain="physical_health", category="health")
    housing = service_link(held)

    logged = log(scene, held, goals=[room, dentist], services=[housing])

    assert set(ContactGoal.objects.filter(contact=logged).values_list("goal", flat=True)) == {
        room.pk,
        dentist.pk,
    }
    assert list(
        ContactServiceLink.objects.filter(contact=logged).values_list("link", flat=True)
    ) == [housing.pk]
    event = AuditEvent.objects.get(action="contact.logged")
    assert (event.detail["linked_goals"], event.detail["linked_service_links"]) == (2, 1)
    assert "A place of my own" not in str(event.detail)


def test_a_pages_links_are_read_only_for_its_own_participant(scene, held):
    """links_by_contact reads the rows of the participant whose contacts a page lists: a
    contact id of anyone else brings nothing, even if it names one by mistake."""
    from tandem.casework.contact_links import links_by_contact

    logged = log(
        scene, held, goals=[goal(held, "A place of my own")], services=[service_link(held)]
    )
    someone_else = other_enrollment(scene)

    mine = links_by_contact([logged.pk], person_id=held.person_id)
    theirs = links_by_contact([logged.pk], person_id=someone_else.person_id)

    assert sorted(item.kind for item in mine[logged.pk]) == ["goals", "service_links"]
    assert theirs == {}


def test_the_compiled_links_query_reads_what_the_orm_reads(scene, held):
    """links_by_contact compiles its SQL once per number of contacts and puts each page's
    ids and person in it: two participants with pages of the same length each get their
    own links, exactly as the ORM's own query gives them."""
    from tandem.casework import contact_links

    other = other_enrollment(scene)
    pages = {}
    for enrollment, words in ((held, "A place of my own"), (other, "Get my ID back")):
        linked = goal(enrollment, words)
        contacts = [
            log(scene, enrollment, goals=[linked], services=[service_link(enrollment)]),
            log(scene, enrollment),
            log(scene, enrollment, goals=[linked]),
        ]
        pages[enrollment.person_id] = [contact.pk for contact in contacts]

    for person_id, ids in pages.items():
        compiled = contact_links.links_by_contact(ids, person_id=person_id)
        by_orm = contact_links.by_contact(
            contact_links._sorted(
                [
                    contact_links._item(name, json.loads(row) if isinstance(row, str) else row)
                    for name, row in contact_links._links_queryset(sorted(ids), person_id)
                ]
            )
        )
        assert compiled == by_orm
        assert sum(len(items) for items in compiled.values()) == 3
    assert contact_links._links_sql(3) is not None  # the compiled path, not the fallback


def test_the_same_goal_twice_is_linked_once(scene, held):
    room = goal(held, "A place of my own")

    logged = log(scene, held, goals=[room, room])

    assert ContactGoal.objects.filter(contact=logged).count() == 1


@pytest.mark.parametrize(
    "whose",
    ["another participant", "another site", "an earlier enrollment", "a Part 2 programme"],
)
def test_a_goal_that_is_not_the_participants_own_to_see_is_refused(scene, held, whose):
    if whose == "another participant":
        refused = goal(other_enrollment(scene), "Someone else's goal")
    elif whose == "another site":
        refused = goal(other_enrollment(scene, site=SiteFactory()), "Far away")
    elif whose == "an earlier enrollment":
        earlier = EnrollmentFactory(
            person=held.person, provider=scene["other_provider"], status="exited"
        )
        Enrollment.objects.filter(pk=earlier.pk).update(exit_reason="moved")
        refused = goal(earlier, "An old goal")
    else:
        # Recorded by a Part 2 programme in this participant's plan: what the programme
        # records stays inside it (42 CFR 2.13), so Bridgeway's team may not even link it.
        refused = goal(
            held,
            "Stay on my methadone",
            domain="substance_use",
            category="substance_use",
            recorder=scene["part2_provider"],
        )
    own = goal(held, "A place of my own")

    with pytest.raises(ValidationError) as error:
        log(scene, held, goals=[own, refused])

    assert "goals" in error.value.message_dict
    assert "nothing was saved" in error.value.message_dict["goals"][0]
    assert not Contact.objects.exists()
    assert not ContactGoal.objects.exists()
    assert not AuditEvent.objects.filter(action="contact.logged").exists()


@pytest.mark.parametrize("whose", ["another participant", "a Part 2 programme"])
def test_a_service_link_that_is_not_the_participants_own_to_see_is_refused(scene, held, whose):
    if whose == "another participant":
        refused = service_link(other_enrollment(scene))
    else:
        refused = service_link(
            held, service_type="moud", name="Harbor Recovery", recorder=scene["part2_provider"]
        )

    with pytest.raises(ValidationError) as error:
        log(scene, held, services=[refused])

    assert "service_links" in error.value.message_dict
    assert not Contact.objects.exists()
    assert not ContactServiceLink.objects.exists()


def test_a_malformed_id_is_refused(scene, held):
    with pytest.raises(ValidationError) as error:
        log(scene, held, links={"goals": ("not-an-id",)})

    assert "goals" in error.value.message_dict
    assert not Contact.objects.exists()


def test_a_goal_achieved_since_the_draft_was_typed_still_links(scene, held):
    room = goal(held, "A place of my own", status="achieved")
    finished = service_link(held, status="completed")

    logged = log(scene, held, goals=[room], services=[finished])

    assert ContactGoal.objects.get(contact=logged).goal == room
    assert ContactServiceLink.objects.get(contact=logged).link == finished


def test_a_draft_sent_twice_is_stored_once_with_its_links_once(scene, held):
    room = goal(held, "A place of my own")
    token = uuid.uuid4()

    first = log(scene, held, goals=[room], client_token=token)
    second = log(scene, held, goals=[room], client_token=token)

    assert first.pk == second.pk
    assert Contact.objects.count() == 1
    assert ContactGoal.objects.count() == 1


def test_a_correction_carries_its_own_links_and_the_original_keeps_its_own(scene, held):
    room, dentist = goal(held, "A place of my own"), goal(held, "See a dentist")
    original = log(scene, held, goals=[room])
    user = scene["case_manager"]

    corrected = contact_correct(
        actor=user,
        viewer=viewer_of(user),
        contact=original,
        data=ContactInput(
            at=original.at,
            kind="substantive",
            mode="street",
            minutes=30,
            links={"goals": ids(dentist)},
        ),
        reason="It was the dentist",
    )

    assert [link.goal for link in ContactGoal.objects.filter(contact=corrected)] == [dentist]
    assert [link.goal for link in ContactGoal.objects.filter(contact=original)] == [room]
    event = AuditEvent.objects.get(action="contact.corrected")
    assert event.detail["linked_goals"] == 1


def test_a_correction_refusing_a_link_changes_nothing(scene, held):
    original = log(scene, held, goals=[goal(held, "A place of my own")])
    user = scene["case_manager"]

    with pytest.raises(ValidationError):
        contact_correct(
            actor=user,
            viewer=viewer_of(user),
            contact=original,
            data=ContactInput(
                at=original.at,
                kind="attempt",
                mode="street",
                minutes=5,
                links={"goals": ids(goal(other_enrollment(scene), "Not hers"))},
            ),
            reason="Wrong kind",
        )

    original.refresh_from_db()
    assert original.removed_at is None
    assert Contact.objects.count() == 1
    assert ContactGoal.objects.count() == 1


# The form --------------------------------------------------------------------------------


def form_url(enrollment):
    return reverse("casework:contact_new", args=[enrollment.public_id])


def four_taps(enrollment, **more):
    """What the browser sends after the four taps: the taps, and what the form had filled
    in (the time at the site)."""
    zone = zoneinfo.ZoneInfo(enrollment.site.time_zone)
    at = timezone.localtime(timezone.now() - dt.timedelta(hours=1), zone)
    return {
        "kind": "substantive",
        "mode": "street",
        "minutes_pick": "15",
        "at": at.strftime("%Y-%m-%dT%H:%M"),
        "note_audience": "team",
        "note_category": "casework",
        **more,
    }


def test_the_form_offers_the_participants_open_goals_and_services(client, scene, held):
    goal(held, "A place of my own")
    goal(held, "Get my ID", status="achieved")
    goal(other_enrollment(scene), "Someone else's goal")
    service_link(held, name="Harbor Housing")
    service_link(held, name="Old Clinic", service_type="medical", status="completed")
    sign_in(client, scene["case_manager"])

    text = client.get(form_url(held)).content.decode()

    assert "A place of my own" in text
    assert "Get my ID" not in text
    assert "Someone else" not in text
    assert "Housing: Harbor Housing (referred)" in text
    assert "Old Clinic" not in text
    # The participant's goals take the areas' place; the on-the-spot list stays.
    assert 'name="goal_areas"' not in text
    assert 'name="services"' in text
    assert "Given on the spot" in text


def test_without_a_plan_the_form_offers_the_areas(client, scene, held):
    sign_in(client, scene["case_manager"])

    text = client.get(form_url(held)).content.decode()

    assert 'name="goal_areas"' in text
    assert 'name="goals"' not in text
    assert 'name="service_links"' not in text


def test_the_four_taps_still_save_a_contact_for_a_participant_with_a_plan(client, scene, held):
    goal(held, "A place of my own")
    service_link(held)
    sign_in(client, scene["case_manager"])

    response = client.post(form_url(held), four_taps(held))

    assert response.status_code == 302
    assert Contact.objects.filter(enrollment=held).count() == 1
    assert not ContactGoal.objects.exists()


def test_the_form_links_what_was_ticked(client, scene, held):
    room = goal(held, "A place of my own")
    housing = service_link(held)
    sign_in(client, scene["case_manager"])

    client.post(
        form_url(held),
        four_taps(held, goals=[str(room.public_id)], service_links=[str(housing.public_id)]),
    )

    saved = Contact.objects.get()
    assert ContactGoal.objects.get(contact=saved).goal == room
    assert ContactServiceLink.objects.get(contact=saved).link == housing


def test_a_draft_naming_another_participants_goal_is_sent_back_with_the_error(client, scene, held):
    goal(held, "A place of my own")
    refused = goal(other_enrollment(scene), "Someone else's goal")
    sign_in(client, scene["case_manager"])

    response = client.post(
        form_url(held),
        four_taps(held, goals=[str(refused.public_id)], client_token=str(uuid.uuid4())),
        headers={DRAFT_HEADER: "1"},
    )

    assert response.headers[DRAFT_ERRORS_HEADER] == "1"
    assert "not one of this participant" in response.content.decode()
    assert "Someone else" not in response.content.decode()
    assert not Contact.objects.exists()


def test_a_draft_naming_a_goal_achieved_since_saves_and_the_form_names_it(client, scene, held):
    room = goal(held, "A place of my own", status="achieved")
    sign_in(client, scene["case_manager"])
    posted = four_taps(held, goals=[str(room.public_id)], client_token=str(uuid.uuid4()))

    # Sent back for another reason, the form still shows the achieved goal ticked.
    again = client.post(form_url(held), {**posted, "minutes_pick": "", "minutes": "700"})
    saved = client.post(form_url(held), posted, headers={DRAFT_HEADER: "1"})

    assert "A place of my own (achieved)" in again.content.decode()
    assert saved.json()["saved"] is True
    assert ContactGoal.objects.get().goal == room


def test_the_correction_form_starts_from_the_contacts_links(client, scene, held):
    room = goal(held, "A place of my own", status="achieved")
    goal(held, "See a dentist")
    logged = log(scene, held, goals=[room])
    sign_in(client, scene["case_manager"])
    url = reverse("casework:contact_correct", args=[logged.public_id])

    text = client.get(url).content.decode()
    client.post(url, four_taps(held, goals=[str(room.public_id)], reason="Longer"))

    assert re.search(rf'value="{room.public_id}"[^>]*checked', text)
    assert "A place of my own (achieved)" in text
    corrected = Contact.objects.get(removed_at__isnull=True)
    assert corrected.pk != logged.pk
    assert ContactGoal.objects.get(contact=corrected).goal == room


# Who sees the links ------------------------------------------------------------------------


@pytest.fixture
def linked_contact(scene, held):
    room = goal(held, "A place of my own")
    methadone = goal(held, "Stay on my methadone", domain="substance_use", category="substance_use")
    housing = service_link(held, name="Harbor Housing")
    treatment = service_link(held, service_type="substance_use_treatment", name="Evergreen Clinic")
    return log(scene, held, goals=[room, methadone], services=[housing, treatment])


def _page(client, user, name, enrollment):
    sign_in(client, user)
    return client.get(reverse(f"casework:{name}", args=[enrollment.person.public_id]))


@pytest.mark.parametrize("page", ["person", "timeline"])
def test_the_team_sees_every_goal_and_service_the_contact_touched(
    client, scene, held, linked_contact, page
):
    text = _page(client, scene["case_manager"], page, held).content.decode()

    assert "A place of my own" in text
    assert "Stay on my methadone" in text
    assert "Housing: Harbor Housing" in text
    assert "Substance-use treatment: Evergreen Clinic" in text


@pytest.mark.parametrize("page", ["person", "timeline"])
def test_a_project_manager_sees_no_substance_use_goal_or_service(
    client, scene, held, linked_contact, page
):
    response = _page(client, scene["project_manager"], page, held)

    text = response.content.decode()
    assert response.status_code == 200
    assert "A place of my own" in text
    assert "Housing: Harbor Housing" in text
    assert "methadone" not in text
    assert "Evergreen Clinic" not in text


def test_the_police_never_see_what_a_contact_touched(client, scene, held, linked_contact):
    consent = ConsentFactory(person=held.person, recorded_by_organization=scene["provider"])
    ConsentGrantFactory(
        consent=consent,
        organization=scene["officer"].memberships.get().organization,
        categories=["enrollment", "identity"],
    )

    response = _page(client, scene["officer"], "timeline", held)

    text = response.content.decode()
    assert response.status_code == 200
    assert held.person.display_name in text
    assert "A place of my own" not in text
    assert "Harbor Housing" not in text


# Query budgets (DESIGN.md §7) ------------------------------------------------------------

BUDGET = 12


def _linked_contacts(scene, enrollment, rows):
    for index in range(rows):
        log(
            scene,
            enrollment,
            goals=[goal(enrollment, f"Goal {index}")],
            services=[service_link(enrollment, name=f"Provider {index}")],
            at=timezone.now() - dt.timedelta(hours=index + 1),
        )


@pytest.mark.parametrize("rows", [1, 50])
@pytest.mark.parametrize("page", ["person", "timeline"])
def test_pages_with_linked_contacts_cost_the_same_whatever_their_length(
    client, scene, held, django_assert_max_num_queries, rows, page
):
    _linked_contacts(scene, held, rows)
    sign_in(client, scene["case_manager"])
    url = reverse(f"casework:{page}", args=[held.person.public_id])

    with django_assert_max_num_queries(BUDGET):
        response = client.get(url)

    text = response.content.decode()
    assert text.count("Goals: Goal ") == rows
    assert text.count("Services: Housing: Provider ") == rows


@pytest.mark.parametrize("rows", [1, 50])
def test_the_contact_form_costs_the_same_whatever_the_plan(
    client, scene, held, django_assert_max_num_queries, rows
):
    for index in range(rows):
        goal(held, f"Goal {index}")
        service_link(held, name=f"Provider {index}")
    sign_in(client, scene["case_manager"])

    with django_assert_max_num_queries(BUDGET):
        response = client.get(form_url(held))

    text = response.content.decode()
    assert text.count('name="goals"') == rows
    assert text.count('name="service_links"') == rows

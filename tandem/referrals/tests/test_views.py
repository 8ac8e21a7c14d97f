"""The referral pages: the officer's form, the public form, the queue and one referral,
with who may open what and how many queries each costs."""

from __future__ import annotations

import time
from datetime import date, timedelta
from typing import cast

import pytest
from django.core import signing
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone

from tandem.access.decisions import Subject, decide
from tandem.access.errors import OutOfScope
from tandem.access.roles import Category, Purpose
from tandem.audit.models import AuditEvent
from tandem.notify.models import Notification
from tandem.people.models import Person
from tandem.people.selectors import people_in_scope, person_candidate_get
from tandem.referrals import services
from tandem.referrals.models import Referral, Status
from tandem.referrals.tests.conftest import POSSESSION, THEFT, adopt, seattle_rules
from tandem.referrals.tests.helpers import submit, viewer
from tandem.referrals.views import PUBLIC_FORM_SALT
from tests.factories import ConsentFactory, ConsentGrantFactory, PersonFactory, sign_in

pytestmark = pytest.mark.django_db


def officer_form(**changes):
    data = {
        "given_name": "Rosa",
        "family_name": "Quintero",
        "date_of_birth": "1984-05-06",
        "location_text": "3rd Ave & Bell St",
        # Read in the site's time zone (west of UTC): half a day ago in UTC is in the past.
        "occurred_at": (timezone.now() - timedelta(hours=14)).strftime("%Y-%m-%dT%H:%M"),
        "offence": POSSESSION,
        "substance": "heroin",
        "form": "",
        "quantity_grams": "1.2",
        "dealing_for_profit": "no",
    }
    data.update(changes)
    return data


def test_an_officer_sends_an_arrest_diversion_and_the_on_call_case_manager_is_paged(client, lead):
    sign_in(client, lead["officer"])
    page = client.get(reverse("referrals:new", args=["arrest"]))
    assert page.status_code == 200
    assert "Possession of a controlled substance" in page.content.decode()

    response = client.post(reverse("referrals:new", args=["arrest"]), officer_form())

    referral = Referral.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("referrals:detail", args=[referral.public_id])
    assert referral.status == Status.SUBMITTED
    assert Notification.objects.filter(recipient=lead["on_call"], kind="referral-page").exists()


def test_the_form_shows_the_presumptive_result_with_every_reason(client, lead):
    sign_in(client, lead["officer"])
    fragment = client.post(
        reverse("referrals:preview", args=["arrest"]), officer_form(quantity_grams="4")
    )
    text = fragment.content.decode()
    assert fragment.status_code == 200
    assert "Not eligible" in text
    assert "Possession of a controlled substance" in text
    assert not Referral.objects.exists()


def test_a_bad_form_keeps_what_was_typed_and_stores_nothing(client, lead):
    sign_in(client, lead["officer"])
    response = client.post(
        reverse("referrals:new", args=["arrest"]),
        officer_form(family_name="", date_of_birth="2999-01-01"),
    )
    text = response.content.decode()
    assert response.status_code == 200
    assert "The date of birth is in the future." in text
    assert 'value="Rosa"' in text
    assert not Referral.objects.exists()


@pytest.mark.parametrize(
    "name", ["case_manager", "prosecutor", "defender", "evaluator", "site_admin"]
)
def test_only_police_use_the_police_doors(client, lead, name):
    sign_in(client, lead[name])
    assert client.get(reverse("referrals:new", args=["arrest"])).status_code == 404
    assert client.post(reverse("referrals:new", args=["arrest"]), officer_form()).status_code == 404
    assert not Referral.objects.exists()


def test_the_project_manager_records_a_community_referral_without_paging(client, lead):
    sign_in(client, lead["project_manager"])
    response = client.post(
        reverse("referrals:new", args=["community"]), officer_form(offence=THEFT, substance="")
    )
    assert response.status_code == 302
    referral = Referral.objects.get()
    assert referral.door == "community"
    assert referral.handoff_requested_at is None


def test_an_officer_sees_their_own_referrals_and_no_one_elses(client, lead):
    mine = submit(lead["officer"])
    theirs = submit(lead["officer2"], given="Ada")
    sign_in(client, lead["officer"])

    queue = client.get(reverse("referrals:queue")).content.decode()
    assert "Rosa" in queue
    assert "Ada" not in queue
    assert "Waiting for a decision" in queue
    assert client.get(reverse("referrals:detail", args=[mine.public_id])).status_code == 200
    assert client.get(reverse("referrals:detail", args=[theirs.public_id])).status_code == 404


def test_a_sergeant_sees_their_departments_referrals_only(client, lead):
    ours = submit(lead["officer"])
    sheriffs = submit(lead["deputy"], given="Ada")
    sign_in(client, lead["sergeant"])
    assert client.get(reverse("referrals:detail", args=[ours.public_id])).status_code == 200
    assert client.get(reverse("referrals:detail", args=[sheriffs.public_id])).status_code == 404


def test_police_never_learn_what_happened_after_approval(client, lead):
    referral = submit(lead["officer"])
    services.referral_decide(
        actor=lead["sergeant"],
        viewer=viewer(lead["sergeant"]),
        referral=referral,
        approve=True,
        reason="",
    )
    services.referral_enroll(
        actor=lead["case_manager"],
        viewer=viewer(lead["case_manager"]),
        referral=referral,
        on=timezone.localdate(),
    )
    referral.refresh_from_db()
    assert referral.person is not None
    sign_in(client, lead["officer"])
    text = client.get(reverse("referrals:detail", args=[referral.public_id])).content.decode()
    assert "Approved: with the case-management team" in text
    assert "Enrolled" not in text
    assert lead["case_manager"].get_full_name() not in text
    assert reverse("people:detail", args=[referral.person.public_id]) not in text
    queue = client.get(reverse("referrals:queue") + "?tab=closed").content.decode()
    assert "Enrolled" not in queue


@pytest.mark.parametrize("name", ["prosecutor", "defender", "evaluator", "site_admin"])
def test_roles_outside_referrals_get_404(client, lead, name):
    referral = submit(lead["officer"])
    sign_in(client, lead[name])
    assert client.get(reverse("referrals:queue")).status_code == 404
    assert client.get(reverse("referrals:detail", args=[referral.public_id])).status_code == 404


def has_queue_link(response) -> bool:
    """Whether the page's main navigation links to the referral queue."""
    page = response.content.decode()
    nav = page[page.index('<nav class="site-nav"') :]
    nav = nav[: nav.index("</nav>")]
    return f'<a href="{reverse("referrals:queue")}"' in nav


def test_a_prosecutor_the_policy_names_as_approver_finds_the_queue_in_the_navigation(client, lead):
    adopt(
        lead["site"],
        seattle_rules(approver_roles=("prosecutor",)),
        number=2,
        effective_from=date(2025, 1, 1),
    )
    referral = submit(lead["officer"])
    sign_in(client, lead["prosecutor"])

    home = client.get(reverse("core:home"))
    queue = client.get(reverse("referrals:queue"))

    assert has_queue_link(home)
    assert queue.status_code == 200
    assert reverse("referrals:detail", args=[referral.public_id]) in queue.content.decode()


def test_a_prosecutor_the_policy_does_not_name_has_no_link_and_no_queue(client, lead):
    # The site's policy names the sergeant and the project manager (seattle_rules).
    submit(lead["officer"])
    sign_in(client, lead["prosecutor"])

    home = client.get(reverse("core:home"))

    assert home.status_code == 200
    assert not has_queue_link(home)
    assert client.get(reverse("referrals:queue")).status_code == 404


def test_the_link_follows_a_new_policy_version_on_the_next_page(client, lead):
    sign_in(client, lead["prosecutor"])
    assert not has_queue_link(client.get(reverse("core:home")))

    adopt(lead["site"], seattle_rules(approver_roles=("prosecutor",)), number=2)

    assert has_queue_link(client.get(reverse("core:home")))


def test_the_case_manager_accepts_the_page_from_the_referral(client, lead):
    referral = submit(lead["officer"])
    sign_in(client, lead["on_call"])
    page = client.get(reverse("referrals:detail", args=[referral.public_id])).content.decode()
    assert "Accept the page" in page

    client.post(reverse("referrals:handoff", args=[referral.public_id, "accept"]))
    referral.refresh_from_db()
    assert referral.handoff_accepted_by == lead["on_call"]


def test_an_illegal_step_is_refused_with_a_message_and_changes_nothing(client, lead):
    referral = submit(lead["officer"])
    sign_in(client, lead["case_manager"])
    response = client.post(
        reverse("referrals:move", args=[referral.public_id, "located"]), follow=True
    )
    assert "cannot take the step" in response.content.decode()
    referral.refresh_from_db()
    assert referral.status == Status.SUBMITTED


def test_the_approver_decides_on_the_page(client, lead):
    referral = submit(lead["officer"])
    sign_in(client, lead["sergeant"])
    assert (
        "Approve"
        in client.get(reverse("referrals:detail", args=[referral.public_id])).content.decode()
    )
    client.post(reverse("referrals:decide", args=[referral.public_id]), {"decision": "approve"})
    referral.refresh_from_db()
    assert referral.status == Status.APPROVED


def test_a_non_approver_cannot_post_a_decision(client, lead):
    referral = submit(lead["officer"])
    sign_in(client, lead["case_manager"])
    response = client.post(
        reverse("referrals:decide", args=[referral.public_id]), {"decision": "approve"}
    )
    assert response.status_code == 404
    referral.refresh_from_db()
    assert referral.status == Status.SUBMITTED


def _rosa_on_record(lead):
    """Two people on record whom the matcher offers for a referral of Rosa Quintero."""
    quintero = PersonFactory(
        site=lead["site"], given_name="Rosa", family_name="Quintero", date_of_birth=None
    )
    PersonFactory(site=lead["site"], given_name="Rosa", family_name="Quintana", date_of_birth=None)
    return quintero


def _candidates(client, referral) -> str:
    return client.get(reverse("referrals:candidates", args=[referral.public_id])).content.decode()


def test_linking_a_candidate_found_by_the_matcher(client, lead):
    quintero = _rosa_on_record(lead)
    referral = submit(lead["officer"], born=None)
    assert referral.person is None
    sign_in(client, lead["case_manager"])
    page = client.get(reverse("referrals:detail", args=[referral.public_id])).content.decode()
    assert reverse("referrals:candidates", args=[referral.public_id]) in page
    fragment = _candidates(client, referral)
    assert "Rosa Quintero" in fragment
    assert f'value="{quintero.public_id}"' in fragment
    people = Person.objects.count()

    response = client.post(
        reverse("referrals:link", args=[referral.public_id]), {"person": str(quintero.public_id)}
    )

    assert response.status_code == 302
    referral.refresh_from_db()
    assert referral.person_id == quintero.pk
    assert Person.objects.count() == people
    read = AuditEvent.objects.get(action="person.viewed", target_id=str(quintero.public_id))
    assert read.actor == lead["case_manager"]
    assert (read.category, read.purpose) == ("identity", "care_coordination")
    linked = AuditEvent.objects.get(action="referral.person_linked")
    assert linked.actor == lead["case_manager"]
    assert linked.target_id == str(referral.public_id)
    assert linked.detail == {"person": str(quintero.public_id)}


def test_none_of_the_candidates_makes_a_new_record(client, lead):
    quintero = _rosa_on_record(lead)
    referral = submit(lead["officer"], born=None)
    sign_in(client, lead["case_manager"])
    assert "None of these: make a new record" in _candidates(client, referral)
    people = Person.objects.count()

    client.post(reverse("referrals:link", args=[referral.public_id]), {"person": "new"})

    referral.refresh_from_db()
    assert referral.person is not None
    assert referral.person_id != quintero.pk
    assert Person.objects.count() == people + 1
    assert (referral.person.given_name, referral.person.family_name) == ("Rosa", "Quintero")
    assert referral.person.date_of_birth is None


def _merged_into_another(lead) -> Person:
    survivor = PersonFactory(site=lead["site"], given_name="Rosa", family_name="Quintero")
    merged = PersonFactory(site=lead["site"], given_name="Rosa", family_name="Quintero")
    Person.objects.filter(pk=merged.pk).update(merged_into=survivor)
    return merged


@pytest.mark.parametrize(
    "whom",
    [
        pytest.param(lambda lead: PersonFactory(given_name="Rosa"), id="another-sites-person"),
        pytest.param(_merged_into_another, id="a-record-merged-into-another"),
    ],
)
def test_a_person_the_viewer_may_not_see_cannot_be_linked(client, lead, whom):
    person = whom(lead)
    referral = submit(lead["officer"], born=None)
    sign_in(client, lead["case_manager"])
    people = Person.objects.count()

    response = client.post(
        reverse("referrals:link", args=[referral.public_id]), {"person": str(person.public_id)}
    )

    assert response.status_code == 404
    referral.refresh_from_db()
    assert referral.person_id is None
    assert referral.events.filter(kind="person_linked").count() == 0
    assert Person.objects.count() == people
    assert not AuditEvent.objects.filter(action="referral.person_linked").exists()
    assert not AuditEvent.objects.filter(
        action="person.viewed", target_id=str(person.public_id)
    ).exists()


def test_linking_asks_the_access_decision_about_the_chosen_person(lead):
    # Every role that works referrals may see who any person of its site is, for care
    # coordination; a purpose the role may not act for shows that the decision is asked.
    person = PersonFactory(site=lead["site"])

    with pytest.raises(OutOfScope):
        person_candidate_get(
            viewer=viewer(lead["case_manager"]),
            public_id=person.public_id,
            purpose=Purpose.LEGAL_COORDINATION,
            page="referral_link",
        )

    refused = AuditEvent.objects.get(action="person.view_refused")
    assert refused.target_id == str(person.public_id)
    assert refused.purpose == "legal_coordination"
    assert not AuditEvent.objects.filter(action="person.viewed").exists()


def test_a_viewer_who_may_not_find_people_is_refused_the_person_whatever_the_release(lead):
    # A release naming the officer's department lets the officer see who the person is
    # (a police lookup), but not pick them as the matcher's candidates would.
    person = PersonFactory(site=lead["site"])
    ConsentGrantFactory(consent=ConsentFactory(person=person), organization=lead["police"])
    officer = viewer(lead["officer"])
    subject = cast(Subject, people_in_scope(lead["site"].pk, viewer=officer).get(pk=person.pk))
    assert decide(
        viewer=officer, person=subject, category=Category.IDENTITY, purpose=Purpose.POLICE_LOOKUP
    )

    with pytest.raises(OutOfScope):
        person_candidate_get(
            viewer=officer,
            public_id=person.public_id,
            purpose=Purpose.POLICE_LOOKUP,
            page="referral_link",
        )


def _started(lead, seconds_ago: float) -> str:
    return signing.dumps(
        {"site": lead["site"].slug, "at": time.time() - seconds_ago}, salt=PUBLIC_FORM_SALT
    )


def public_form(lead, **changes):
    data = {
        "referrer_name": "Corner shop",
        "referrer_contact": "555-0199",
        "referrer_relationship": "Shop owner",
        "given_name": "",
        "family_name": "",
        "description": "Young man, grey hoodie",
        "location_text": "Pike St doorway",
        "what_happened": "Sleeps in the doorway; took food twice",
        "website": "",
        "started": _started(lead, 30),
    }
    data.update(changes)
    return data


def test_the_public_form_needs_no_sign_in_and_lands_in_triage(client, lead):
    url = reverse("referrals:public", args=[lead["site"].slug])
    assert client.get(url).status_code == 200
    response = client.post(url, public_form(lead))
    assert response.status_code == 302
    referral = Referral.objects.get()
    assert referral.door == "community"
    assert referral.status == Status.SUBMITTED
    assert Notification.objects.filter(
        recipient=lead["project_manager"], kind="referral-triage"
    ).exists()


def test_markup_in_the_public_form_is_stored_as_text_and_shown_escaped(client, lead):
    script = "<script>alert('x')</script><b>bold</b>"
    client.post(
        reverse("referrals:public", args=[lead["site"].slug]),
        public_form(lead, description=script, what_happened=script, referrer_name=script),
    )
    referral = Referral.objects.get()
    assert referral.description == script
    sign_in(client, lead["project_manager"])
    text = client.get(reverse("referrals:detail", args=[referral.public_id])).content.decode()
    assert "<script>alert" not in text
    assert "<b>bold</b>" not in text
    assert "&lt;script&gt;" in text


def test_the_honeypot_and_a_too_fast_submission_store_nothing(client, lead):
    url = reverse("referrals:public", args=[lead["site"].slug])
    filled = client.post(url, public_form(lead, website="http://spam.example"))
    fast = client.post(url, public_form(lead, started=_started(lead, 0.5)))
    forged = client.post(url, public_form(lead, started="made-up"))
    for response in (filled, fast, forged):
        assert response.status_code == 302
        assert response["Location"] == reverse("referrals:public_thanks", args=[lead["site"].slug])
    assert not Referral.objects.exists()


def test_the_public_form_answers_429_when_over_the_limit(client, lead):
    url = reverse("referrals:public", args=[lead["site"].slug])
    for _ in range(services.PUBLIC_FORM_LIMIT):
        assert client.post(url, public_form(lead)).status_code == 302
    response = client.post(url, public_form(lead))
    assert response.status_code == 429
    assert "Too many referrals" in response.content.decode()
    assert 'value="Corner shop"' in response.content.decode()
    assert Referral.objects.count() == services.PUBLIC_FORM_LIMIT


def test_the_public_form_of_an_unknown_site_is_404(client, db):
    assert client.get(reverse("referrals:public", args=["nowhere"])).status_code == 404


@pytest.mark.parametrize("rows", [1, 50])
@pytest.mark.parametrize("name", ["officer", "sergeant", "case_manager", "project_manager"])
def test_the_queue_costs_the_same_queries_whatever_its_length(
    client, lead, name, rows, django_assert_max_num_queries
):
    for index in range(rows):
        submit(lead["officer"], given=f"Person{index}")
    sign_in(client, lead[name])
    with django_assert_max_num_queries(12):
        response = client.get(reverse("referrals:queue"))
    assert response.status_code == 200


@pytest.mark.parametrize("name", ["officer", "case_manager", "sergeant"])
def test_one_referral_costs_a_bounded_number_of_queries(
    client, lead, name, django_assert_max_num_queries
):
    referral = submit(lead["officer"])
    services.referral_handoff(
        actor=lead["on_call"], viewer=viewer(lead["on_call"]), referral=referral, step="accept"
    )
    sign_in(client, lead[name])
    with django_assert_max_num_queries(12):
        response = client.get(reverse("referrals:detail", args=[referral.public_id]))
    assert response.status_code == 200


def test_the_on_call_roster_takes_shifts_of_case_managers_only(client, lead):
    sign_in(client, lead["supervisor"])
    now = timezone.localtime()
    fmt = "%Y-%m-%dT%H:%M"
    response = client.post(
        reverse("referrals:on_call"),
        {
            "user": str(lead["officer"].public_id),
            "starts_at": now.strftime(fmt),
            "ends_at": (now + timedelta(hours=8)).strftime(fmt),
        },
    )
    # Only the providers' staff are offered; the service refuses anyone else too.
    assert "is not one of the available choices" in response.content.decode()
    with pytest.raises(ValidationError, match="Only a member of a case-management provider"):
        services.on_call_shift_add(
            actor=lead["supervisor"],
            viewer=viewer(lead["supervisor"]),
            user=lead["officer"],
            starts_at=timezone.now(),
            ends_at=timezone.now() + timedelta(hours=8),
        )
    response = client.post(
        reverse("referrals:on_call"),
        {
            "user": str(lead["case_manager"].public_id),
            "starts_at": now.strftime(fmt),
            "ends_at": (now + timedelta(hours=8)).strftime(fmt),
        },
    )
    assert response.status_code == 302
    assert (
        lead["case_manager"].get_full_name()
        in client.get(reverse("referrals:on_call")).content.decode()
    )


@pytest.mark.parametrize("shifts", [1, 50])
def test_the_on_call_roster_costs_the_same_queries_whatever_its_length(
    client, lead, shifts, django_assert_max_num_queries
):
    from tandem.referrals.models import OnCallShift

    now = timezone.now()
    for index in range(shifts - 1):
        OnCallShift.objects.create(
            site=lead["site"],
            provider=lead["provider"],
            user=lead["case_manager"],
            starts_at=now + timedelta(hours=12 * index),
            ends_at=now + timedelta(hours=12 * (index + 1)),
        )
    sign_in(client, lead["supervisor"])
    with django_assert_max_num_queries(12):
        response = client.get(reverse("referrals:on_call"))
    assert response.status_code == 200

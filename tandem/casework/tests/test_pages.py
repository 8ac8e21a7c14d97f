"""The casework pages as a case manager, a supervisor and others use them: the caseload,
the fast contact form (and its answers to a draft sent from the phone), the casework page,
the outreach list, status changes and tasks."""

from __future__ import annotations

import datetime as dt
import json
import uuid

import pytest
from django.urls import reverse

from tandem.access.roles import Role
from tandem.casework.models import Contact, Enrollment, Task
from tandem.casework.tests.conftest import NOW, TODAY, contact
from tandem.casework.tests.factories import TaskFactory
from tandem.policy.tests.factories import PolicyVersionFactory, sample_rules
from tests.factories import EnrollmentFactory, OrganizationFactory, PersonFactory, member

FORM = {
    "kind": "substantive",
    "mode": "street",
    "minutes_pick": "15",
    "at": "2026-06-01T11:30",
    "place": "Bell St",
    "note": "Talked about the ID appointment.",
    "note_audience": "team",
    "note_category": "casework",
}


def form_url(enrollment: Enrollment) -> str:
    return reverse("casework:contact_new", args=[enrollment.public_id])


# The caseload --------------------------------------------------------------------------


def test_the_caseload_shows_status_days_deadline_and_tasks(login, alice, rosa):
    contact(rosa, alice, at=NOW - dt.timedelta(days=3))
    TaskFactory(enrollment=rosa, title="Bring the ID form", due_on=TODAY + dt.timedelta(days=2))

    text = login(alice).get("/").text

    assert "Rosa Quintero" in text
    assert "3 days since the last substantive contact" in text
    assert "next: Task: Bring the ID form 3 Jun" in text
    assert "1 open task" in text
    assert "due this week" in text
    assert form_url(rosa) in text


def test_who_needs_attention_comes_first(login, alice, bridgeway):
    def participant(name, last_contact_days_ago):
        enrollment = EnrollmentFactory(
            person=PersonFactory(site=bridgeway.site, given_name=name, family_name="Test"),
            provider=bridgeway,
            case_manager=alice,
            enrolled_on=TODAY - dt.timedelta(days=60),
        )
        if last_contact_days_ago is not None:
            enrollment.last_substantive_contact_on = TODAY - dt.timedelta(
                days=last_contact_days_ago
            )
            enrollment.save()
        return enrollment

    participant("Recent", 2)
    participant("Longago", 40)
    participant("Never", None)
    overdue = participant("Overdue", 1)
    TaskFactory(enrollment=overdue, title="Court letter", due_on=TODAY - dt.timedelta(days=1))

    text = login(alice).get("/").text

    order = [text.index(f"{name} Test") for name in ("Overdue", "Never", "Longago", "Recent")]
    assert order == sorted(order)
    assert "overdue" in text


@pytest.mark.parametrize(
    ("count", "shown"),
    [(19, None), (20, "near the cap"), (25, "near the cap"), (26, "over the cap of 25")],
)
def test_the_caseload_size_is_shown_against_the_default_cap(login, alice, bridgeway, count, shown):
    for _ in range(count):
        EnrollmentFactory(
            person=PersonFactory(site=bridgeway.site), provider=bridgeway, case_manager=alice
        )

    text = login(alice).get("/").text

    assert f"<strong>{count}</strong> participants · the site's cap is 25" in text
    for phrase in ("near the cap", "over the cap of 25"):
        assert (phrase in text) == (phrase == shown)


def test_the_caseload_cap_follows_the_sites_policy(login, alice, bridgeway, site_a):
    PolicyVersionFactory(site=site_a, rules=sample_rules(caseload_warn=2, caseload_cap=3).to_dict())
    for _ in range(4):
        EnrollmentFactory(
            person=PersonFactory(site=bridgeway.site), provider=bridgeway, case_manager=alice
        )

    text = login(alice).get("/").text

    assert "over the cap of 3" in text


def test_a_policy_that_ends_participation_for_non_participation_is_flagged(
    login, alice, dana, rosa, site_a
):
    PolicyVersionFactory(
        site=site_a, rules=sample_rules(ends_participation_for_nonparticipation=True).to_dict()
    )

    for user in (alice, dana):
        assert "Departure from the LEAD model" in login(user).get("/").text
    assert "Departure from the LEAD model" in login(dana).get(reverse("casework:caseloads")).text


def test_without_that_policy_nothing_is_flagged(login, alice, rosa):
    assert "Departure from the LEAD model" not in login(alice).get("/").text


@pytest.mark.parametrize("rows", [1, 50])
def test_the_caseload_runs_a_bounded_number_of_queries(
    login, alice, bridgeway, django_assert_max_num_queries, rows
):
    for _ in range(rows):
        enrollment = EnrollmentFactory(
            person=PersonFactory(site=bridgeway.site), provider=bridgeway, case_manager=alice
        )
        TaskFactory(enrollment=enrollment)
    client = login(alice)

    with django_assert_max_num_queries(12):
        response = client.get("/")

    assert response.text.count("1 open task") == rows


# The fast contact form -----------------------------------------------------------------


def test_a_contact_logged_from_the_form_lands_back_on_the_caseload(login, alice, rosa):
    client = login(alice)

    response = client.post(form_url(rosa), {**FORM, "next": "/"})

    assert response.status_code == 302
    assert response["Location"] == "/"
    saved = Contact.objects.get()
    assert (saved.kind, saved.mode, saved.minutes, saved.place) == (
        "substantive",
        "street",
        15,
        "Bell St",
    )
    assert saved.at == dt.datetime(2026, 6, 1, 18, 30, tzinfo=dt.UTC)  # 11:30 at the site
    assert "Contact with Rosa Quintero logged." in client.get("/").text


def test_a_typed_length_wins_over_a_tap(login, alice, rosa):
    login(alice).post(form_url(rosa), {**FORM, "minutes": "75"})

    assert Contact.objects.get().minutes == 75


def test_bad_input_says_what_to_fix_and_keeps_what_was_typed(login, alice, rosa):
    response = login(alice).post(
        form_url(rosa), {**FORM, "minutes_pick": "", "mode": "", "note": "Keep these words"}
    )

    assert response.status_code == 200
    assert "How long was it? Tap a length or type the minutes." in response.text
    assert "Choose where the contact happened." in response.text
    assert "Keep these words" in response.text
    assert not Contact.objects.exists()


def test_a_future_contact_is_refused_with_a_message(login, alice, rosa):
    response = login(alice).post(form_url(rosa), {**FORM, "at": "2026-06-02T11:30"})

    assert "The contact is in the future." in response.text
    assert not Contact.objects.exists()


def test_a_draft_from_the_phone_gets_json_when_saved(login, alice, rosa):
    token = uuid.uuid4()
    client = login(alice)

    first = client.post(
        form_url(rosa),
        {**FORM, "client_token": str(token), "next": "/"},
        headers={"X-Tandem-Draft": "1"},
    )
    again = client.post(
        form_url(rosa),
        {**FORM, "client_token": str(token), "next": "/"},
        headers={"X-Tandem-Draft": "1"},
    )

    assert first.status_code == again.status_code == 200
    assert json.loads(first.content) == {"saved": True, "url": "/"}
    assert Contact.objects.count() == 1
    assert Contact.objects.get().client_token == token


def test_a_draft_with_errors_gets_the_form_back_and_nothing_is_saved(login, alice, rosa):
    response = login(alice).post(
        form_url(rosa), {**FORM, "kind": ""}, headers={"X-Tandem-Draft": "1"}
    )

    assert response.status_code == 200
    assert response["X-Tandem-Draft-Errors"] == "1"
    assert 'id="contact-form"' in response.text
    assert "<html" not in response.text
    assert "Choose substantive, attempt or collateral." in response.text
    assert not Contact.objects.exists()


def test_the_form_is_404_for_another_providers_case_manager(login, rosa, site_a):
    other = member(Role.CASE_MANAGER, organization=OrganizationFactory(site=site_a))
    client = login(other)

    assert client.get(form_url(rosa)).status_code == 404
    assert client.post(form_url(rosa), FORM).status_code == 404
    assert not Contact.objects.exists()


def test_the_form_is_404_for_a_case_manager_of_another_site(login, charlie, rosa):
    assert login(charlie).post(form_url(rosa), FORM).status_code == 404
    assert not Contact.objects.exists()


def test_the_form_never_opens_for_the_police(login, bob, rosa):
    assert login(bob).get(form_url(rosa)).status_code == 404


# The casework page ---------------------------------------------------------------------


def test_the_casework_page_lists_contacts_with_their_notes(login, alice, rosa):
    contact(rosa, alice, note="Housing voucher next week", place="Bell St")

    text = login(alice).get(reverse("casework:person", args=[rosa.person.public_id])).text

    assert "Housing voucher next week" in text
    assert "Bell St" in text
    assert "Becomes inactive" in text
    assert "31 August 2026" in text  # the 91st day after 1 June


@pytest.mark.parametrize("rows", [1, 50])
def test_the_casework_page_runs_a_bounded_number_of_queries(
    login, alice, rosa, django_assert_max_num_queries, rows
):
    for index in range(rows):
        contact(rosa, alice, at=NOW - dt.timedelta(hours=index + 1), note=f"Note {index}")
        TaskFactory(enrollment=rosa)
    client = login(alice)
    url = reverse("casework:person", args=[rosa.person.public_id])

    with django_assert_max_num_queries(12):
        response = client.get(url)

    assert response.text.count('class="contact-note"') == rows


def test_a_corrected_contact_shows_once_and_keeps_the_original(login, alice, rosa):
    logged = contact(rosa, alice, note="First words")
    client = login(alice)

    response = client.post(
        reverse("casework:contact_correct", args=[logged.public_id]),
        {**FORM, "note": "Corrected words", "reason": "Wrong place"},
    )

    assert response.status_code == 302
    text = client.get(reverse("casework:person", args=[rosa.person.public_id])).text
    assert "Corrected words" in text
    assert "First words" not in text
    assert Contact.objects.count() == 2


def test_follow_ups_are_added_and_done(login, alice, rosa):
    client = login(alice)

    client.post(
        reverse("casework:task_add", args=[rosa.public_id]),
        {"title": "Call the clinic", "due_on": "2026-06-03"},
    )
    task = Task.objects.get()
    client.post(reverse("casework:task_done", args=[task.public_id]))

    task.refresh_from_db()
    assert task.title == "Call the clinic"
    assert task.done_by == alice


def test_a_follow_up_without_words_is_refused_with_a_message(login, alice, rosa):
    response = login(alice).post(
        reverse("casework:task_add", args=[rosa.public_id]), {"title": "", "due_on": "2026-06-03"}
    )

    assert response.status_code == 200
    assert "Say what needs doing." in response.text
    assert not Task.objects.exists()


def test_the_exit_form_offers_only_the_models_reasons(login, alice, rosa):
    text = login(alice).get(reverse("casework:exit", args=[rosa.public_id])).text

    assert "Moved away" in text
    assert "Long-term incarceration" in text
    assert "non-participation (site policy)" not in text


def test_exiting_without_a_reason_changes_nothing(login, alice, rosa):
    response = login(alice).post(
        reverse("casework:exit", args=[rosa.public_id]), {"reason": "", "on": "2026-06-01"}
    )

    assert "Choose why participation ends." in response.text
    rosa.refresh_from_db()
    assert rosa.status == "active"


def test_exiting_with_a_reason_keeps_the_record(login, alice, rosa):
    response = login(alice).post(
        reverse("casework:exit", args=[rosa.public_id]),
        {"reason": "moved", "text": "To Portland", "on": "2026-06-01"},
    )

    assert response.status_code == 302
    rosa.refresh_from_db()
    assert (rosa.status, rosa.exit_reason, rosa.exit_reason_text) == (
        "exited",
        "moved",
        "To Portland",
    )


# The outreach list ---------------------------------------------------------------------


def test_the_outreach_list_shows_the_teams_inactive_participants(
    login, marcus, alice, rosa, bridgeway
):
    contact(rosa, alice, kind="attempt", minutes=5, place="Under the bridge")
    Enrollment.objects.filter(pk=rosa.pk).update(status="inactive", inactive_since=TODAY)
    EnrollmentFactory(
        person=PersonFactory(site=bridgeway.site, given_name="Active"), provider=bridgeway
    )

    text = login(marcus).get(reverse("casework:outreach")).text

    assert "Rosa Quintero" in text
    assert "Under the bridge" in text
    assert "Active" not in text.split('id="outreach"')[1]


def test_another_providers_inactive_participants_are_not_on_the_list(login, rosa, site_a):
    Enrollment.objects.filter(pk=rosa.pk).update(status="inactive", inactive_since=TODAY)
    other = member(Role.OUTREACH_WORKER, organization=OrganizationFactory(site=site_a))

    text = login(other).get(reverse("casework:outreach")).text

    assert "Rosa Quintero" not in text

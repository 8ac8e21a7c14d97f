"""The holds pages: a prosecutor works their own office's queue, the project manager reads
every hold, and everyone else (another office, defenders, police, case managers, another
site) gets 404. Neither page shows anything of case management."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from django.urls import reverse

from tandem.audit.models import AuditEvent
from tandem.legal.models import HoldEvent
from tandem.legal.services import hold_intake_completed
from tandem.legal.tests.factories import HoldFactory
from tests.factories import PersonFactory, sign_in

LIST = reverse("legal:holds")


@pytest.fixture
def hold(rosa, city_attorney, alice):
    return HoldFactory(
        person=rosa,
        prosecutor_organization=city_attorney,
        case_manager=alice,
        deadline=dt.date(2026, 6, 4),
    )


def detail(hold):
    return reverse("legal:hold", args=[hold.public_id])


def dispose(hold):
    return reverse("legal:hold_dispose", args=[hold.public_id])


def test_prosecutor_sees_the_offices_open_holds_overdue_first(
    client, paula, hold, site_a, city_attorney, county_prosecutor
):
    overdue = HoldFactory(
        person=PersonFactory(site=site_a, given_name="Omar", family_name="Overdue"),
        prosecutor_organization=city_attorney,
        deadline=dt.date(2026, 5, 30),
    )
    today = HoldFactory(
        person=PersonFactory(site=site_a, given_name="Tess", family_name="Today"),
        prosecutor_organization=city_attorney,
        deadline=dt.date(2026, 6, 1),
    )
    HoldFactory(
        person=PersonFactory(site=site_a, given_name="Other", family_name="Office"),
        prosecutor_organization=county_prosecutor,
    )
    sign_in(client, paula)

    response = client.get(LIST)

    assert response.status_code == 200
    text = response.text
    assert text.index("Omar Overdue") < text.index("Tess Today") < text.index("Rosa Quintero")
    assert "2 days overdue" in text
    assert "Deadline today" in text
    assert "3 days left" in text
    assert "born 1985-02-03" in text
    assert "Other Office" not in text
    assert detail(overdue) in text
    assert detail(today) in text
    assert AuditEvent.objects.filter(action="hold.listed", actor=paula).count() == 1


def test_the_decided_filter_lists_decisions_and_not_open_holds(client, paula, hold, site_a):
    decided = HoldFactory(
        person=PersonFactory(site=site_a, given_name="Dee", family_name="Cided"),
        prosecutor_organization=hold.prosecutor_organization,
        disposition="declined",
        disposition_reason="Intake done.",
        disposed_at=dt.datetime(2026, 5, 31, 18, tzinfo=dt.UTC),
    )
    sign_in(client, paula)

    response = client.get(LIST, {"state": "decided"})

    assert "Dee Cided" in response.text
    assert "Declined May 31, 2026" in response.text
    assert "Rosa Quintero" not in response.text
    assert detail(decided) in response.text


def test_the_hold_page_never_shows_case_management_detail_to_the_prosecutor(
    client, paula, hold, alice, bridgeway
):
    hold_intake_completed(actor=alice, hold=hold, on=dt.date(2026, 5, 28))
    sign_in(client, paula)

    response = client.get(detail(hold))

    assert response.status_code == 200
    text = response.text
    assert "Rosa Quintero" in text
    assert "1985-02-03" in text
    assert "RCW 69.50.4013" in text
    assert "Completed May 28, 2026" in text
    assert "3 days left" in text
    # Who the case manager or the provider is stays with case management.
    assert str(alice) not in text
    assert "alice" not in text
    assert bridgeway.name not in text
    assert "Record the decision" in text
    assert AuditEvent.objects.filter(action="hold.viewed", actor=paula).count() == 1


def test_project_manager_reads_every_hold_without_the_decision_form(
    client, ruth, hold, site_a, county_prosecutor, alice
):
    other = HoldFactory(
        person=PersonFactory(site=site_a, given_name="Cora", family_name="County"),
        prosecutor_organization=county_prosecutor,
    )
    hold_intake_completed(actor=alice, hold=hold, on=dt.date(2026, 5, 28))
    sign_in(client, ruth)

    listing = client.get(LIST)
    page = client.get(detail(hold))

    assert "Rosa Quintero" in listing.text
    assert "Cora County" in listing.text
    assert "County Prosecutor" in listing.text
    assert detail(other) in listing.text
    assert page.status_code == 200
    assert "Record the decision" not in page.text
    assert str(alice) in page.text  # the project manager sees who did what


def test_project_manager_cannot_decide(client, ruth, hold):
    sign_in(client, ruth)

    response = client.post(dispose(hold), {"disposition": "declined", "reason": "No."})

    assert response.status_code == 404
    hold.refresh_from_db()
    assert hold.is_open


@pytest.mark.parametrize("who", ["dana", "bob", "alice", "admin", "charlie"])
def test_everyone_else_gets_404_on_every_hold_page(client, request, hold, who):
    sign_in(client, request.getfixturevalue(who))

    responses = [
        client.get(LIST),
        client.get(detail(hold)),
        client.post(dispose(hold), {"disposition": "filed", "reason": "Filed."}),
    ]

    assert [r.status_code for r in responses] == [404, 404, 404]
    hold.refresh_from_db()
    assert hold.is_open
    assert (
        not AuditEvent.objects.filter(action__startswith="hold.")
        .exclude(action="hold.created")
        .exists()
    )


def test_another_offices_hold_is_404_like_a_hold_that_does_not_exist(client, quentin, hold):
    sign_in(client, quentin)

    queue = client.get(LIST)
    foreign = client.get(detail(hold))
    unknown = client.get(reverse("legal:hold", args=["00000000-0000-4000-8000-000000000000"]))
    decided = client.post(dispose(hold), {"disposition": "filed", "reason": "Filed."})

    assert queue.status_code == 200
    assert "Rosa Quintero" not in queue.text
    assert foreign.status_code == unknown.status_code == decided.status_code == 404
    assert without_nonce(foreign.text) == without_nonce(unknown.text)
    hold.refresh_from_db()
    assert hold.is_open


def without_nonce(text):
    """The page without what differs per request by design: the nonce and the CSRF token."""
    text = re.sub(r'nonce="[^"]+"', "", text)
    return re.sub(r'name="csrfmiddlewaretoken" value="[^"]+"', "", text)


def test_prosecutor_declines_from_the_page(client, paula, hold):
    sign_in(client, paula)

    response = client.post(
        dispose(hold), {"disposition": "declined", "reason": "Intake completed."}
    )

    assert response.status_code == 302
    assert response["Location"] == detail(hold)
    hold.refresh_from_db()
    assert hold.disposition == "declined"
    page = client.get(detail(hold))
    assert "The charge is declined." in page.text
    assert "Declined" in page.text
    assert "Intake completed." in page.text
    assert "Record the decision" not in page.text


def test_prosecutor_extends_from_the_page(client, paula, hold):
    sign_in(client, paula)

    response = client.post(
        dispose(hold),
        {"disposition": "extended", "extended_to": "2026-06-18", "reason": "Intake booked."},
    )

    assert response.status_code == 302
    hold.refresh_from_db()
    assert hold.deadline == dt.date(2026, 6, 18)
    page = client.get(detail(hold))
    assert "The deadline is now June 18, 2026." in page.text
    assert "From June 4, 2026 to June 18, 2026" in page.text


def test_a_refused_decision_keeps_what_was_typed_and_changes_nothing(client, paula, hold):
    sign_in(client, paula)

    response = client.post(
        dispose(hold),
        {"disposition": "extended", "extended_to": "2026-06-02", "reason": "Needs a week more."},
    )

    assert response.status_code == 200
    assert "The new deadline must come after the current one (June 4, 2026)." in response.text
    assert "Needs a week more." in response.text
    assert 'value="2026-06-02"' in response.text
    assert 'value="extended" checked' in response.text or (
        'value="extended"' in response.text and "checked" in response.text
    )
    hold.refresh_from_db()
    assert hold.deadline == dt.date(2026, 6, 4)
    assert not HoldEvent.objects.filter(kind="extended").exists()


def test_a_decision_without_a_reason_is_refused_on_the_page(client, paula, hold):
    sign_in(client, paula)

    response = client.post(dispose(hold), {"disposition": "filed", "reason": ""})

    assert response.status_code == 200
    assert "Give a reason for the decision." in response.text
    hold.refresh_from_db()
    assert hold.is_open


@pytest.mark.parametrize("count", [1, 50])
@pytest.mark.parametrize("who", ["paula", "ruth"])
def test_the_holds_list_runs_a_bounded_number_of_queries(
    client, request, site_a, city_attorney, django_assert_max_num_queries, count, who
):
    for index in range(count):
        HoldFactory(
            person=PersonFactory(site=site_a),
            prosecutor_organization=city_attorney,
            deadline=dt.date(2026, 6, 1) + dt.timedelta(days=index - 3),
        )
    sign_in(client, request.getfixturevalue(who))

    with django_assert_max_num_queries(12):
        response = client.get(LIST)

    assert response.status_code == 200
    assert len(re.findall(r'href="/legal/holds/[0-9a-f-]{36}/"', response.text)) == count


@pytest.mark.parametrize("count", [1, 50])
def test_the_hold_page_runs_a_bounded_number_of_queries(
    client, paula, hold, alice, django_assert_max_num_queries, count
):
    for index in range(count - 1):
        HoldEvent.objects.create(
            hold=hold,
            kind=HoldEvent.Kind.EXTENDED,
            at=dt.datetime(2026, 5, 21, tzinfo=dt.UTC) + dt.timedelta(minutes=index),
            by=paula,
            from_date=dt.date(2026, 6, 1),
            to_date=dt.date(2026, 6, 4),
            reason=f"Extension {index}",
        )
    sign_in(client, paula)

    with django_assert_max_num_queries(12):
        response = client.get(detail(hold))

    assert response.status_code == 200
    assert response.text.count("Deadline extended") == count - 1


@pytest.mark.parametrize("count", [1, 50])
def test_a_refused_decision_page_runs_a_bounded_number_of_queries(
    client, paula, hold, django_assert_max_num_queries, count
):
    for index in range(count - 1):
        HoldEvent.objects.create(
            hold=hold,
            kind=HoldEvent.Kind.REMINDED,
            at=dt.datetime(2026, 5, 21, tzinfo=dt.UTC) + dt.timedelta(minutes=index),
        )
    sign_in(client, paula)

    with django_assert_max_num_queries(12):
        response = client.post(dispose(hold), {"disposition": "filed", "reason": ""})

    assert "Give a reason for the decision." in response.text

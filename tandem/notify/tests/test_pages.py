"""The inbox page and the unread count in the navigation: each member sees only their own
notifications at their current site; anything else answers 404."""

from __future__ import annotations

import datetime as dt

import pytest
import time_machine
from django.urls import reverse

from tandem.access.roles import Role
from tandem.access.viewer import Viewer
from tandem.core.navigation import navigation_for
from tandem.notify.models import Notification
from tandem.notify.tests.factories import NotificationFactory
from tests.factories import OrganizationFactory

INBOX = "/inbox/"


def read_url(notification):
    return reverse("notify:read", args=[notification.public_id])


def test_the_inbox_lists_newest_first_with_unread_marked(client, login, alice, site_a):
    with time_machine.travel(dt.datetime(2026, 6, 1, 9, 0, tzinfo=dt.UTC)) as clock:
        NotificationFactory(
            site=site_a,
            recipient=alice,
            subject="Older, read",
            read_at=dt.datetime(2026, 6, 1, 9, 30, tzinfo=dt.UTC),
        )
        clock.shift(dt.timedelta(hours=1))
        NotificationFactory(
            site=site_a, recipient=alice, subject="Newer", body="Meet at the shelter\nat 3"
        )
    client = login(alice)

    response = client.get(INBOX)

    text = response.text
    assert response.status_code == 200
    assert text.index("Newer") < text.index("Older, read")
    assert text.count('class="badge badge-unread"') == 1
    assert "Meet at the shelter<br>at 3" in text
    assert "Mark all read" in text


def test_an_empty_inbox_says_so(client, login, alice):
    response = login(alice).get(INBOX)

    assert "Nothing here yet" in response.text
    assert "Mark all read" not in response.text


def test_open_marks_read_and_follows_the_link(client, login, alice, site_a):
    notification = NotificationFactory(site=site_a, recipient=alice, url="/people/")
    client = login(alice)

    response = client.post(read_url(notification))

    assert response.status_code == 302
    assert response["Location"] == "/people/"
    notification.refresh_from_db()
    assert notification.read_at is not None


def test_mark_read_without_a_link_comes_back_to_the_inbox(client, login, alice, site_a):
    notification = NotificationFactory(site=site_a, recipient=alice, url="")

    response = login(alice).post(read_url(notification))

    assert response["Location"] == INBOX
    notification.refresh_from_db()
    assert notification.read_at is not None


def test_a_link_that_leaves_tandem_is_not_followed(client, login, alice, site_a):
    # notify() refuses such links; a row written some other way is still not followed.
    notification = NotificationFactory(site=site_a, recipient=alice, url="https://evil.example/")

    response = login(alice).post(read_url(notification))

    assert response["Location"] == INBOX


def test_mark_all_read(client, login, alice, carol, site_a):
    NotificationFactory.create_batch(3, site=site_a, recipient=alice)
    NotificationFactory(site=site_a, recipient=carol)
    client = login(alice)

    response = client.post(reverse("notify:read_all"), follow=True)

    assert "Marked 3 notifications read." in response.text
    assert not Notification.objects.filter(recipient=alice, read_at__isnull=True).exists()
    assert Notification.objects.get(recipient=carol).read_at is None


def test_another_users_notification_answers_404_and_stays_unread(
    client, login, alice, carol, site_a
):
    notification = NotificationFactory(site=site_a, recipient=alice, subject="For alice only")
    client = login(carol)

    response = client.post(read_url(notification))
    inbox = client.get(INBOX)

    assert response.status_code == 404
    assert "For alice only" not in inbox.text
    notification.refresh_from_db()
    assert notification.read_at is None


def test_a_notification_of_another_site_answers_404_at_this_one(
    client, login, alice, site_a, site_b
):
    # Alice also works at site B; her current site is A.
    alice.memberships.create(
        site=site_b,
        organization=OrganizationFactory(site=site_b, kind="case_management"),
        role=Role.CASE_MANAGER,
    )
    at_b = NotificationFactory(site=site_b, recipient=alice, subject="At site B")
    client = login(alice)
    client.post(reverse("tenancy:choose"), {"site": str(site_a.public_id)})

    response = client.post(read_url(at_b))
    inbox = client.get(INBOX)

    assert response.status_code == 404
    assert "At site B" not in inbox.text
    at_b.refresh_from_db()
    assert at_b.read_at is None


def test_charlie_of_another_site_gets_404(client, login, alice, charlie, site_a):
    notification = NotificationFactory(site=site_a, recipient=alice)

    response = login(charlie).post(read_url(notification))

    assert response.status_code == 404


def test_reading_is_a_post(client, login, alice, site_a):
    notification = NotificationFactory(site=site_a, recipient=alice)

    response = login(alice).get(read_url(notification))

    assert response.status_code == 405
    notification.refresh_from_db()
    assert notification.read_at is None


def test_the_navigation_shows_the_unread_count_of_this_site(client, login, alice, site_a, site_b):
    NotificationFactory.create_batch(2, site=site_a, recipient=alice)
    NotificationFactory(
        site=site_a, recipient=alice, read_at=dt.datetime(2026, 1, 1, tzinfo=dt.UTC)
    )
    NotificationFactory(site=site_b, recipient=alice)

    response = login(alice).get("/")

    assert '<span class="badge badge-count">2<span class="visually-hidden"> unread</span>' in (
        response.text
    )


def test_no_count_when_everything_is_read(client, login, alice, site_a):
    response = login(alice).get("/")

    assert 'href="/inbox/"' in response.text
    assert "badge-count" not in response.text


def test_the_unread_count_costs_one_query_and_only_when_shown(
    alice, site_a, django_assert_num_queries
):
    NotificationFactory.create_batch(3, site=site_a, recipient=alice)
    viewer = Viewer.from_membership(alice.memberships.select_related("organization", "user").get())

    with django_assert_num_queries(0):
        items = navigation_for(viewer)
    inbox = next(item for item in items if item.name == "inbox")
    with django_assert_num_queries(1):
        assert str(inbox.badge) == "3"
        assert bool(inbox.badge)


@pytest.mark.parametrize("rows", [1, 50])
def test_the_inbox_runs_a_bounded_number_of_queries(
    client, login, alice, site_a, django_assert_max_num_queries, rows
):
    NotificationFactory.create_batch(rows, site=site_a, recipient=alice, url="/people/")
    client = login(alice)

    with django_assert_max_num_queries(12):
        response = client.get(INBOX)

    assert response.text.count('class="badge badge-unread"') == rows
    assert f'<span class="badge badge-count">{rows}<' in response.text

"""The audit log page: a site administrator reads the site's events, and nobody else does."""

from __future__ import annotations

import datetime as dt
import html
import re

import pytest
import time_machine

from tandem.access.roles import Role
from tandem.access.viewer import Viewer
from tandem.audit.models import AuditEvent
from tandem.audit.services import audit_read, audit_record
from tandem.tenancy.models import Membership
from tests.factories import PersonFactory, add_totp, member

URL = "/audit/"


def viewer_of(user) -> Viewer:
    return Viewer.from_membership(Membership.objects.get(user=user))


def rows(response) -> list[dict[str, str]]:
    """The events table as the administrator reads it: who, what and which record."""
    text = response.text
    if "<tbody>" not in text:
        return []
    body = text[text.index("<tbody>") : text.index("</tbody>")]
    result = []
    for row in re.findall(r"<tr>(.*?)</tr>", body, flags=re.S):
        cells = [
            " ".join(html.unescape(re.sub(r"<[^>]+>", " ", cell)).split())
            for cell in re.findall(r"<td>(.*?)</td>", row, flags=re.S)
        ]
        links = re.findall(r'href="\?target=([^"]+)"', row)
        result.append({"who": cells[1], "what": cells[2], "target": links[0] if links else ""})
    return result


@pytest.fixture
def admin_b(site_b):
    user = member(Role.SITE_ADMIN, site=site_b, username="admin-b")
    add_totp(user)
    return user


@pytest.fixture
def story(alice, bob, charlie, site_a, site_b):
    """Alice and Bob open people at site A; Charlie opens someone at site B."""
    rosa = PersonFactory(site=site_a, given_name="Rosa")
    luis = PersonFactory(site=site_a, given_name="Luis")
    zoe = PersonFactory(site=site_b, given_name="Zoe")
    audit_record(actor=alice, action="auth.login")
    audit_read(viewer=viewer_of(alice), action="person.viewed", target=rosa, category="identity")
    audit_read(viewer=viewer_of(alice), action="person.viewed", target=luis, category="identity")
    audit_read(viewer=viewer_of(bob), action="person.looked_up", target=rosa, category="identity")
    audit_record(actor=charlie, action="auth.login")
    audit_read(viewer=viewer_of(charlie), action="person.viewed", target=zoe, category="identity")
    return {"rosa": rosa, "luis": luis, "zoe": zoe}


def test_site_admin_sees_the_events_of_the_site(login, admin, story):
    response = login(admin).get(URL)

    assert response.status_code == 200
    assert "<h1>Audit log</h1>" in response.text
    seen = {(r["who"], r["what"], r["target"]) for r in rows(response)}
    rosa, luis = str(story["rosa"].public_id), str(story["luis"].public_id)
    assert ("alice", "auth.login", "") in seen
    assert ("alice", "person.viewed", rosa) in seen
    assert ("alice", "person.viewed", luis) in seen
    assert ("bob", "person.looked_up", rosa) in seen
    assert not any(r["who"] == "charlie" for r in rows(response))
    assert str(story["zoe"].public_id) not in response.text


def test_who_viewed_a_person(login, admin, story):
    rosa = str(story["rosa"].public_id)

    response = login(admin).get(URL, {"target": rosa})

    assert sorted((r["who"], r["what"]) for r in rows(response)) == [
        ("alice", "person.viewed"),
        ("bob", "person.looked_up"),
    ]
    assert {r["target"] for r in rows(response)} == {rosa}


def test_what_a_user_opened(login, admin, story):
    response = login(admin).get(URL, {"actor": "alice"})

    assert {r["who"] for r in rows(response)} == {"alice"}
    assert sorted(r["target"] for r in rows(response) if r["what"] == "person.viewed") == sorted(
        [str(story["rosa"].public_id), str(story["luis"].public_id)]
    )


def test_filtering_by_action_prefix(login, admin, story):
    response = login(admin).get(URL, {"action": "person."})

    assert rows(response)
    assert all(r["what"].startswith("person.") for r in rows(response))


def test_filtering_by_dates(login, admin, site_a):
    for day in (1, 3, 5):
        with time_machine.travel(dt.datetime(2026, 3, day, 18, 0, tzinfo=dt.UTC), tick=False):
            audit_record(actor=None, site=site_a, action=f"system.day{day}")

    response = login(admin).get(URL, {"since": "2026-03-02", "until": "2026-03-04"})

    assert [r["what"] for r in rows(response) if r["what"].startswith("system.")] == ["system.day3"]


@pytest.mark.parametrize("user", ["alice", "bob", "charlie"])
def test_members_who_are_not_site_admins_get_404(login, story, request, user):
    response = login(request.getfixturevalue(user)).get(URL)

    assert response.status_code == 404
    assert "person.viewed" not in response.text


def test_anonymous_visitors_are_sent_to_sign_in(client, story):
    response = client.get(URL)

    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/")


def test_site_admin_of_another_site_never_sees_this_sites_events(login, admin_b, story):
    client = login(admin_b)
    rosa = str(story["rosa"].public_id)

    everything = client.get(URL)
    by_person = client.get(URL, {"target": rosa})
    by_user = client.get(URL, {"actor": "alice"})

    assert everything.status_code == 200
    assert {r["who"] for r in rows(everything)} <= {"charlie", "admin-b"}
    assert ("charlie", "person.viewed") in {(r["who"], r["what"]) for r in rows(everything)}
    assert rosa not in everything.text
    assert rows(by_person) == []
    assert "No events match." in by_person.text
    assert rows(by_user) == []


@pytest.mark.parametrize("count", [1, 50])
def test_the_page_runs_a_bounded_number_of_queries(
    login, admin, alice, site_a, django_assert_max_num_queries, count
):
    client = login(admin)
    viewer = viewer_of(alice)
    for _ in range(count):
        audit_read(viewer=viewer, action="person.viewed", target=PersonFactory(site=site_a))

    with django_assert_max_num_queries(12):
        response = client.get(URL)

    assert response.status_code == 200
    assert sum(r["what"] == "person.viewed" for r in rows(response)) == count


def test_long_logs_are_paged(login, admin, site_a):
    client = login(admin)
    for n in range(60):
        audit_record(actor=None, site=site_a, action=f"system.n{n:02}")

    first = client.get(URL, {"action": "system."})
    second = client.get(URL, {"action": "system.", "page": "2"})

    assert len(rows(first)) == 50
    assert rows(first)[0]["what"] == "system.n59"
    assert "Page 1 of 2" in first.text
    assert [r["what"] for r in rows(second)] == [f"system.n{n:02}" for n in range(9, -1, -1)]


@pytest.mark.parametrize(
    ("query", "message"),
    [
        ({"since": "2026-03-05", "until": "2026-03-01"}, "“From” must be on or before “To”."),
        ({"since": "not-a-date"}, "Enter a valid date."),
        ({"until": "2026-02-30"}, "Enter a valid date."),
    ],
    ids=["from-after-to", "not-a-date", "no-such-day"],
)
def test_bad_filter_input_shows_a_clear_error_and_the_page_still_works(
    login, admin, story, query, message
):
    client = login(admin)
    events_before = AuditEvent.objects.count()

    response = client.get(URL, query)

    assert response.status_code == 200
    assert message in response.text
    assert 'role="alert"' in response.text
    # The log is still shown, unfiltered, and nothing was written
    assert ("alice", "person.viewed") in {(r["who"], r["what"]) for r in rows(response)}
    assert AuditEvent.objects.count() == events_before


def test_an_htmx_filter_request_gets_only_the_events(login, admin, story):
    response = login(admin).get(URL, {"actor": "bob"}, headers={"HX-Request": "true"})

    assert response.status_code == 200
    assert response.text.lstrip().startswith('<div id="events">')
    assert "<html" not in response.text
    assert {r["who"] for r in rows(response)} == {"bob"}

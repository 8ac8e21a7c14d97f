"""Referrals through the API: a police records system sends one with its token; callers
list and read only what is in their scope."""

from __future__ import annotations

import datetime as dt
import zoneinfo

import pytest
import time_machine

from tandem.access.roles import Role
from tandem.accounts.services import api_token_issue
from tandem.notify.models import Notification
from tandem.referrals.models import Referral, Status
from tandem.referrals.tests.conftest import POSSESSION, adopt, seattle_rules
from tandem.referrals.tests.helpers import submit

pytestmark = pytest.mark.django_db
URL = "/api/v1/referrals"


def token(lead, organization, role):
    _, secret = api_token_issue(
        actor=lead["site_admin"], organization=organization, role=role, name=f"{role} system"
    )
    return {"Authorization": f"Bearer {secret}"}


def body(**changes):
    data = {
        "door": "arrest",
        "person": {"given_name": "Rosa", "family_name": "Quintero", "date_of_birth": "1984-05-06"},
        "occurred_at": "2026-11-27T10:15:00-08:00",
        "location_text": "3rd Ave & Bell St",
        "offence_codes": [POSSESSION],
        "substance": "heroin",
        "quantity_grams": "1.5",
        "dealing_for_profit": False,
    }
    data.update(changes)
    return data


def test_a_police_system_sends_a_referral_and_the_on_call_is_paged(client, lead):
    headers = token(lead, lead["police"], Role.POLICE_OFFICER)
    response = client.post(URL, body(), content_type="application/json", headers=headers)

    assert response.status_code == 201, response.content
    answer = response.json()
    referral = Referral.objects.get(public_id=answer["id"])
    assert referral.referrer is None
    assert referral.referrer_organization == lead["police"]
    assert answer["status"] == "waiting"
    assert answer["eligibility"]["outcome"] == "eligible"
    assert answer["eligibility"]["policy_version"] == 1
    assert any("Possession" in r["text"] for r in answer["eligibility"]["reasons"])
    assert Notification.objects.filter(recipient=lead["on_call"], kind="referral-page").exists()

    listed = client.get(URL, headers=headers).json()
    assert [r["id"] for r in listed] == [answer["id"]]
    assert client.get(f"{URL}/{answer['id']}", headers=headers).status_code == 200


def test_a_token_call_goes_by_its_sites_calendar(client, lead):
    """A partner system's call has no session: the site's time zone is its token's. On a
    Californian evening an Auckland site is already on its next day, and the policy that
    takes effect that day is the one a referral sent then is screened against."""
    auckland = zoneinfo.ZoneInfo("Pacific/Auckland")
    site = lead["site"]
    site.time_zone = "Pacific/Auckland"
    site.save(update_fields=["time_zone"])
    starts = dt.date.today() + dt.timedelta(days=3)
    adopt(site, seattle_rules(), number=2, effective_from=starts)
    headers = token(lead, lead["police"], Role.POLICE_OFFICER)

    with time_machine.travel(dt.datetime.combine(starts, dt.time(7), auckland), tick=False):
        response = client.post(
            URL,
            body(occurred_at=f"{starts - dt.timedelta(days=1)}T08:00:00-08:00"),
            content_type="application/json",
            headers=headers,
        )

    assert response.status_code == 201, response.content
    assert response.json()["eligibility"]["policy_version"] == 2


def test_bad_facts_get_422_with_a_message_and_store_nothing(client, lead):
    headers = token(lead, lead["police"], Role.POLICE_OFFICER)
    nameless = body(person={"description": ""})
    response = client.post(URL, nameless, content_type="application/json", headers=headers)
    assert response.status_code == 422
    assert "name" in response.json()["detail"]
    response = client.post(
        URL, body(quantity_grams="-1"), content_type="application/json", headers=headers
    )
    assert response.status_code == 422
    assert not Referral.objects.exists()


@pytest.mark.parametrize("role", [Role.PROSECUTOR, Role.DEFENDER])
def test_other_partner_systems_cannot_refer_or_read(client, lead, role):
    organization = lead["prosecutor_org"]
    if role is Role.DEFENDER:
        from tests.factories import OrganizationFactory

        organization = OrganizationFactory(site=lead["site"], kind="defender")
    headers = token(lead, organization, role)
    assert (
        client.post(URL, body(), content_type="application/json", headers=headers).status_code
        == 403
    )
    referral = submit(lead["officer"])
    assert client.get(URL, headers=headers).status_code == 403
    assert client.get(f"{URL}/{referral.public_id}", headers=headers).status_code == 404


def test_a_police_system_never_reads_what_officers_sent_through_the_pages(client, lead):
    by_hand = submit(lead["officer"])
    headers = token(lead, lead["police"], Role.POLICE_OFFICER)
    assert client.get(URL, headers=headers).json() == []
    assert client.get(f"{URL}/{by_hand.public_id}", headers=headers).status_code == 404


def test_police_see_approved_never_enrolled(client, lead):
    from django.utils import timezone

    from tandem.referrals import services
    from tandem.referrals.tests.helpers import viewer

    headers = token(lead, lead["police"], Role.POLICE_OFFICER)
    answer = client.post(URL, body(), content_type="application/json", headers=headers).json()
    referral = Referral.objects.get(public_id=answer["id"])
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
    assert referral.status == Status.ENROLLED
    read = client.get(f"{URL}/{answer['id']}", headers=headers).json()
    assert read["status"] == "approved"
    assert "nroll" not in str(read)


def test_the_lead_team_lists_the_sites_referrals_over_the_session(client, lead):
    from tests.factories import sign_in

    submit(lead["officer"])
    submit(lead["deputy"], given="Ada")
    sign_in(client, lead["project_manager"])
    listed = client.get(URL).json()
    assert len(listed) == 2
    assert {r["status"] for r in listed} == {"submitted"}

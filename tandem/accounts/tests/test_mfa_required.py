"""Roles that can see participant data need a second factor before they see anything."""

from __future__ import annotations

import pytest
from allauth.mfa.models import Authenticator
from django.urls import reverse

from tandem.access.roles import Role
from tandem.accounts.middleware import MFA_OK_KEY
from tandem.accounts.tests.signin import signed_in_user_id, submit_password, totp_code
from tandem.audit.models import AuditEvent
from tests.factories import PASSWORD, EnrollmentFactory, PersonFactory, add_totp, member

DEMO_BANNER = "Demo mode: two-factor authentication is not enforced"
SETUP_MESSAGE = "Set up an authenticator app to continue."


@pytest.fixture
def alma(bridgeway):
    """A case manager who has not set up an authenticator app yet."""
    return member(Role.CASE_MANAGER, organization=bridgeway, username="alma")


@pytest.fixture
def participant(bridgeway, alma):
    person = PersonFactory(site=bridgeway.site, given_name="Rosa", family_name="Parkes")
    EnrollmentFactory(person=person, provider=bridgeway, case_manager=alma)
    return person


def pages_for(person) -> list[str]:
    return ["/", "/people/", "/people/?q=Rosa", f"/people/{person.public_id}/", "/audit/"]


def test_case_manager_without_authenticator_is_sent_to_setup_from_every_page(
    client, alma, participant
):
    # Given Alma signed in with her password; she has no authenticator, so no code is asked
    response = submit_password(client, "alma")
    assert response.status_code == 302
    assert response["Location"] == "/"

    setup_url = reverse("mfa_activate_totp")
    for page in pages_for(participant):
        # When she opens any page
        response = client.get(page)

        # Then she is sent to set up an authenticator, and sees nothing of Rosa
        assert response.status_code == 302, page
        assert response["Location"] == setup_url, page
        assert "Rosa" not in response.text

    # And following the redirects ends on a page (no loop) that still shows nothing of Rosa
    response = client.get("/", follow=True)
    assert response.status_code == 200
    assert SETUP_MESSAGE in response.text
    assert "Rosa" not in response.text
    assert "Parkes" not in response.text
    assert not AuditEvent.objects.filter(target_id=str(participant.public_id)).exists()


def test_the_api_refuses_a_session_without_a_second_factor(client, alma):
    client.force_login(alma)

    response = client.get("/api/v1/people")

    assert response.status_code == 403
    assert response.json() == {"detail": "Set up two-factor authentication first."}


# Transactional, so that allauth's "authenticator added" signal fires when its transaction
# commits, inside the request, as it does in production.
@pytest.mark.django_db(transaction=True)
def test_once_an_authenticator_is_set_up_the_pages_open(client, alma, participant):
    # Given Alma, signed in with her password only and sent to set up an authenticator
    submit_password(client, "alma")
    setup_url = reverse("mfa_activate_totp")
    response = client.get("/", follow=True)
    # allauth first asks for her password again, on a page the MFA guard lets through
    assert response.redirect_chain[-1][0].startswith(reverse("account_reauthenticate"))
    assert "Confirm Access" in response.text
    response = client.post(
        reverse("account_reauthenticate"), {"password": PASSWORD, "next": setup_url}
    )
    assert response["Location"] == setup_url
    setup = client.get(setup_url)
    assert "Activate Authenticator App" in setup.text
    secret = client.session["mfa.totp.secret"]

    # When she types the code her new authenticator app shows
    response = client.post(setup_url, {"code": totp_code(secret)})

    # Then she is shown her recovery codes, her caseload opens, and it is audited
    assert response.status_code == 302
    assert "Recovery Codes" in client.get(response["Location"]).text
    home = client.get("/")
    assert home.status_code == 200
    assert "Rosa Parkes" in home.text
    assert client.session[MFA_OK_KEY] is True
    added = AuditEvent.objects.filter(action="mfa.added", actor_id=alma.pk)
    assert sorted(added.values_list("detail__type", flat=True)) == ["recovery_codes", "totp"]
    assert Authenticator.objects.filter(user=alma, type=Authenticator.Type.TOTP).exists()


def test_demo_mode_lets_a_case_manager_without_authenticator_through_and_says_so(
    client, settings, alma, participant
):
    settings.DEMO_RELAX_MFA = True
    submit_password(client, "alma")

    for page in [*pages_for(participant)[:4], reverse("mfa_index"), "/sites/"]:
        response = client.get(page)

        assert response.status_code == 200, page
        assert DEMO_BANNER in response.text, page
    assert "Rosa Parkes" in client.get("/").text


def test_pages_do_not_show_the_demo_banner_when_mfa_is_enforced(login, alice):
    response = login(alice).get("/")

    assert response.status_code == 200
    assert DEMO_BANNER not in response.text


@pytest.mark.parametrize("role", [Role.POLICE_OFFICER, Role.PROSECUTOR, Role.PROJECT_MANAGER])
def test_every_role_that_sees_people_needs_a_second_factor(client, site_a, role):
    user = member(role, site=site_a)
    client.force_login(user)

    response = client.get("/")

    assert response.status_code == 302
    assert response["Location"] == reverse("mfa_activate_totp")


def test_site_administrator_needs_a_second_factor(client, site_a):
    # A site administrator sees the audit log and issues API tokens that read people.
    user = member(Role.SITE_ADMIN, site=site_a)
    client.force_login(user)

    response = client.get("/tokens/")

    assert response.status_code == 302
    assert response["Location"] == reverse("mfa_activate_totp")


@pytest.mark.parametrize("role", [Role.PCG_MEMBER, Role.NATIONAL_SUPPORT])
def test_roles_that_see_only_aggregates_may_sign_in_with_a_password_alone(client, site_a, role):
    user = member(role, site=site_a)
    client.force_login(user)

    response = client.get("/")

    assert response.status_code == 200


@pytest.mark.parametrize("path", ["/", "/people/", "/accounts/2fa/", "/api/v1/people"])
def test_a_password_only_session_is_ended_once_the_account_gets_a_second_factor(
    client, alma, participant, path
):
    # Given a session signed in with Alma's password alone, held at the set-up page
    submit_password(client, "alma")
    assert client.get("/")["Location"].startswith("/accounts/")

    # When Alma adds an authenticator in her own browser
    add_totp(alma)

    # Then the password-only session is signed out instead of inheriting the new factor,
    # and may not even manage her factors
    response = client.get(path)
    if path.startswith("/api/"):
        assert response.status_code == 401
    else:
        assert response.status_code == 302
        assert response["Location"] == reverse("account_login")
    assert "Rosa Parkes" not in response.text
    assert signed_in_user_id(client) is None
    assert AuditEvent.objects.filter(action="auth.session_ended", actor=alma).exists()

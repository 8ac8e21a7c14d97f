"""The members page: a site administrator adds the site's users and manages them without a
shell (list, add with a set-password e-mail, deactivate, reactivate, unlock)."""

from __future__ import annotations

import datetime as dt
import re
import smtplib
import uuid
from unittest import mock
from urllib.parse import urlparse

import pytest
import time_machine
from allauth.mfa.models import Authenticator
from allauth.mfa.utils import decrypt, is_mfa_enabled
from axes.models import AccessAttempt
from django.core import mail
from django.http import HttpResponse
from django.test import Client
from django.urls import reverse

from tandem.access.roles import Role
from tandem.accounts.models import User
from tandem.accounts.tests.signin import (
    MFA_URL,
    signed_in_user_id,
    submit_password,
    totp_code,
)
from tandem.audit.models import AuditEvent
from tandem.tenancy.models import Membership
from tandem.tenancy.selectors import MemberRow
from tandem.tenancy.services import membership_set_active
from tests.factories import (
    EnrollmentFactory,
    OrganizationFactory,
    PersonFactory,
    UserFactory,
    add_totp,
    member,
    sign_in,
)

URL = "/sites/members/"
NEW_PASSWORD = "a quiet harbour at dawn"
LINK = re.compile(r"https?://\S+/accounts/password/reset/key/\S+/")


def action_url(name: str, membership: Membership) -> str:
    return reverse(f"tenancy:{name}", args=[membership.public_id])


def membership_of(user: User) -> Membership:
    return Membership.objects.get(user=user)


def rows_by_username(response) -> dict[str, MemberRow]:
    return {row.membership.user.username: row for row in response.context["members"]}


def new_member_form(organization, **overrides) -> dict[str, str]:
    data = {
        "username": "dora",
        "first_name": "Dora",
        "last_name": "Diaz",
        "email": "dora@example.org",
        "organization": str(organization.public_id),
        "role": Role.CASE_MANAGER.value,
    }
    data.update(overrides)
    return data


def mailed_link(index: int = 0) -> str:
    """The set-password link in the `index`th e-mail sent."""
    found = LINK.search(str(mail.outbox[index].body))
    assert found is not None, mail.outbox[index].body
    return found.group(0)


def lock_out(client: Client, username: str, times: int = 5) -> list[HttpResponse]:
    return [submit_password(client, username, "not the right password") for _ in range(times)]


@pytest.fixture
def harbor_pd(site_a):
    return OrganizationFactory(site=site_a, kind="police", name="Harbor PD")


# Listing


def test_site_admin_sees_every_member_of_their_site_and_no_other(
    login, admin, alice, bob, charlie, bridgeway
):
    client = login(admin)

    response = client.get(URL)

    assert response.status_code == 200
    rows = rows_by_username(response)
    assert set(rows) == {"admin", "alice", "bob"}
    assert "charlie" not in response.text
    assert "Bridgeway" in response.text
    assert "Case manager" in response.text
    assert "Police officer" in response.text
    assert "Active" in response.text


def test_the_list_shows_who_has_a_second_factor_as_allauth_decides(login, admin, bridgeway):
    member(Role.CASE_MANAGER, organization=bridgeway, username="nofactor")
    client = login(admin)

    response = client.get(URL)

    rows = rows_by_username(response)
    assert rows["admin"].has_second_factor is True
    assert rows["nofactor"].has_second_factor is False
    for row in rows.values():
        assert row.has_second_factor == is_mfa_enabled(row.membership.user)
    assert "Not set up" in response.text


def test_inactive_members_are_listed_after_active_ones_and_marked(login, admin, alice, bob):
    membership_set_active(actor=admin, membership=membership_of(bob), active=False)
    client = login(admin)

    response = client.get(URL)

    usernames = list(rows_by_username(response))
    assert usernames[-1] == "bob"
    assert "Inactive" in response.text
    assert action_url("member_reactivate", membership_of(bob)) in response.text
    assert action_url("member_deactivate", membership_of(bob)) not in response.text


@pytest.mark.parametrize("count", [1, 50])
def test_the_members_page_runs_a_bounded_number_of_queries(
    login, admin, bridgeway, django_assert_max_num_queries, count
):
    for index in range(count - 1):
        user = member(Role.CASE_MANAGER, organization=bridgeway, username=f"worker{index}")
        if index % 2:
            add_totp(user)
        if index % 3 == 0:
            AccessAttempt.objects.create(
                username=user.username,
                ip_address="127.0.0.1",
                user_agent="test",
                failures_since_start=5,
            )
    client = login(admin)

    with django_assert_max_num_queries(12):
        response = client.get(URL)

    assert response.status_code == 200
    rows = rows_by_username(response)
    assert len(rows) == count
    if count > 1:
        assert rows["worker0"].is_locked
        assert not rows["worker1"].is_locked
        assert rows["worker1"].has_second_factor
        assert not rows["worker0"].has_second_factor


# Adding a member


def test_adding_a_member_creates_account_membership_audit_and_mails_a_link(
    login, admin, bridgeway, site_a
):
    client = login(admin)

    response = client.post(URL, new_member_form(bridgeway), follow=True)

    assert response.status_code == 200
    dora = User.objects.get(username="dora")
    assert (dora.first_name, dora.last_name, dora.email) == ("Dora", "Diaz", "dora@example.org")
    assert not dora.has_usable_password()
    membership = membership_of(dora)
    assert (membership.site, membership.organization, membership.role) == (
        site_a,
        bridgeway,
        Role.CASE_MANAGER,
    )
    assert membership.is_active
    events = AuditEvent.objects.filter(actor=admin, site=site_a).order_by("seq")
    assert [e.action for e in events] == [
        "user.created",
        "membership.created",
        "user.password_link_sent",
    ]
    assert len(mail.outbox) == 1
    assert mail.outbox[0].to == ["dora@example.org"]
    link = mailed_link()
    assert "Your username is: dora" in str(mail.outbox[0].body)
    assert "A link to set a password was sent to dora@example.org" in response.text
    # The administrator is told that a link went out, never what it is.
    assert link not in response.text
    assert urlparse(link).path not in response.text
    assert "Dora Diaz" in response.text


def test_the_mailed_link_sets_a_password_and_sign_in_then_asks_for_a_second_factor(
    login, admin, bridgeway
):
    login(admin).post(URL, new_member_form(bridgeway))
    link = mailed_link()
    dora = Client()

    # When Dora follows the link and chooses a password
    opened = dora.get(urlparse(link).path)
    assert opened.status_code == 302
    form = dora.get(opened["Location"])
    assert form.status_code == 200
    assert "Bad Token" not in form.text
    chosen = dora.post(opened["Location"], {"password1": NEW_PASSWORD, "password2": NEW_PASSWORD})
    assert chosen.status_code == 302
    assert chosen["Location"] == reverse("account_reset_password_from_key_done")

    # Then she can sign in with it, and is sent on to set up an authenticator app
    signed_in = submit_password(dora, "dora", NEW_PASSWORD)
    assert signed_in.status_code == 302
    assert signed_in_user_id(dora) == str(User.objects.get(username="dora").pk)
    home = dora.get("/")
    assert home.status_code == 302
    assert home["Location"] == reverse("mfa_activate_totp")
    assert AuditEvent.objects.filter(action="auth.password_changed", actor__username="dora")

    # and setting it up works: the link proved her e-mail address, which allauth requires
    dora.post(
        reverse("account_reauthenticate"),
        {"password": NEW_PASSWORD, "next": reverse("mfa_activate_totp")},
    )
    setup = dora.get(reverse("mfa_activate_totp"))
    assert "Activate Authenticator App" in setup.text
    assert "verified your email" not in setup.text
    secret = dora.session["mfa.totp.secret"]
    activated = dora.post(reverse("mfa_activate_totp"), {"code": totp_code(secret)})
    assert activated.status_code == 302
    assert Authenticator.objects.filter(user__username="dora", type="totp").exists()


def test_the_link_works_only_until_the_password_is_set(login, admin, bridgeway):
    login(admin).post(URL, new_member_form(bridgeway))
    path = urlparse(mailed_link()).path
    first = Client()
    opened = first.get(path)
    first.post(opened["Location"], {"password1": NEW_PASSWORD, "password2": NEW_PASSWORD})

    again = Client().get(path)

    assert again.status_code == 200
    assert "Bad Token" in again.text
    assert User.objects.get(username="dora").check_password(NEW_PASSWORD)


@pytest.mark.parametrize("username", ["charlie", "Charlie"])
def test_a_username_taken_at_any_site_is_refused_and_nothing_changes(
    login, admin, bridgeway, charlie, username
):
    client = login(admin)
    users, memberships, events = (
        User.objects.count(),
        Membership.objects.count(),
        AuditEvent.objects.count(),
    )

    response = client.post(URL, new_member_form(bridgeway, username=username))

    assert response.status_code == 200
    assert "That username is taken." in response.text
    assert 'role="alert">That username is taken.' in response.text
    # Nothing says where the account works.
    assert "Site B" not in response.text
    assert User.objects.count() == users
    assert Membership.objects.count() == memberships
    assert AuditEvent.objects.count() == events
    assert list(charlie.memberships.values_list("site__name", flat=True)) == ["Site B"]
    assert mail.outbox == []


def test_a_role_that_does_not_fit_the_organisation_is_refused_with_a_clear_message(
    login, admin, bridgeway
):
    client = login(admin)
    events = AuditEvent.objects.count()

    response = client.post(URL, new_member_form(bridgeway, role=Role.POLICE_OFFICER.value))

    assert response.status_code == 200
    assert (
        'role="alert">A police officer cannot belong to a case-management provider.'
        in response.text
    )
    # The account created before the membership was refused is gone with it.
    assert not User.objects.filter(username="dora").exists()
    assert AuditEvent.objects.count() == events
    assert mail.outbox == []


def test_an_organisation_of_another_site_is_refused(login, admin, site_b):
    foreign = OrganizationFactory(site=site_b, kind="case_management", name="Riverside")
    client = login(admin)

    response = client.post(URL, new_member_form(foreign))

    assert response.status_code == 200
    assert "Select a valid choice" in response.text
    assert "Riverside" not in response.text
    assert not User.objects.filter(username="dora").exists()
    assert not Membership.objects.filter(organization=foreign).exists()
    assert mail.outbox == []


def test_only_the_sites_organisations_are_offered(login, admin, bridgeway, harbor_pd, site_b):
    OrganizationFactory(site=site_b, name="Riverside")
    client = login(admin)

    response = client.get(URL)

    assert f'value="{bridgeway.public_id}"' in response.text
    assert "Harbor PD (Police)" in response.text
    assert "Riverside" not in response.text


def test_every_field_is_required(login, admin, bridgeway):
    client = login(admin)
    users = User.objects.count()

    response = client.post(URL, {})

    assert response.status_code == 200
    assert response.text.count('role="alert">This field is required.') == 6
    # The browser comes back to the form, not to the top of a long list.
    assert f'action="{URL}#add"' in response.text
    assert User.objects.count() == users


def test_when_the_mail_cannot_be_sent_the_member_is_added_and_the_link_can_be_sent_again(
    login, admin, bridgeway
):
    client = login(admin)

    with mock.patch(
        "django.core.mail.backends.locmem.EmailBackend.send_messages",
        side_effect=smtplib.SMTPServerDisconnected("mail server down"),
    ):
        response = client.post(URL, new_member_form(bridgeway), follow=True)

    assert "could not be sent" in response.text
    dora = membership_of(User.objects.get(username="dora"))
    assert not AuditEvent.objects.filter(action="user.password_link_sent").exists()
    assert action_url("member_password_link", dora) in response.text

    again = client.post(action_url("member_password_link", dora), follow=True)

    assert "A link to set a password was sent to dora@example.org" in again.text
    assert len(mail.outbox) == 1
    assert mailed_link().startswith("http://testserver/accounts/password/reset/key/")
    assert AuditEvent.objects.filter(action="user.password_link_sent", actor=admin).count() == 1


def test_the_link_is_not_sent_again_to_a_member_who_has_a_password(login, admin, alice):
    client = login(admin)

    response = client.post(action_url("member_password_link", membership_of(alice)), follow=True)

    assert "alice" in response.text
    assert "has already set a password" in response.text
    assert mail.outbox == []


def test_a_member_without_an_e_mail_address_is_told_so_instead_of_a_link(login, admin, bridgeway):
    shelled = member(Role.CASE_MANAGER, organization=bridgeway, username="shelled")
    shelled.set_unusable_password()
    shelled.save()

    response = login(admin).post(
        action_url("member_password_link", membership_of(shelled)), follow=True
    )

    assert response.status_code == 200
    assert "has no e-mail address" in response.text
    assert mail.outbox == []


# Deactivating and reactivating


def test_a_deactivated_member_no_longer_works_at_the_site_from_their_next_request(
    login, admin, alice, bridgeway
):
    EnrollmentFactory(
        person=PersonFactory(site=bridgeway.site, given_name="Rosa", family_name="Parkes"),
        provider=bridgeway,
        case_manager=alice,
    )
    alices_phone = sign_in(Client(), alice)
    assert "Rosa Parkes" in alices_phone.get("/").text
    membership = membership_of(alice)

    response = login(admin).post(action_url("member_deactivate", membership), follow=True)

    assert "no longer works at Site A" in response.text
    membership.refresh_from_db()
    assert not membership.is_active
    event = AuditEvent.objects.get(action="membership.deactivated")
    assert (event.actor, event.site_id, event.target_id) == (
        admin,
        membership.site_id,
        str(membership.public_id),
    )
    home = alices_phone.get("/")
    assert home.status_code == 302
    assert home["Location"] == reverse("tenancy:choose")
    people = alices_phone.get("/people/")
    assert people.status_code == 302
    assert "Rosa" not in alices_phone.get("/", follow=True).text


def test_a_reactivated_member_works_at_the_site_again(login, admin, alice):
    membership = membership_of(alice)
    membership_set_active(actor=admin, membership=membership, active=False)
    alices_phone = sign_in(Client(), alice)
    assert alices_phone.get("/").status_code == 302

    response = login(admin).post(action_url("member_reactivate", membership), follow=True)

    assert "works at Site A again" in response.text
    membership.refresh_from_db()
    assert membership.is_active
    assert AuditEvent.objects.filter(
        action="membership.reactivated", actor=admin, target_id=str(membership.public_id)
    ).exists()
    home = alices_phone.get("/")
    assert home.status_code == 200
    assert "My caseload" in home.text


def test_an_administrator_cannot_deactivate_their_own_membership(login, admin):
    client = login(admin)
    own = membership_of(admin)
    page = client.get(URL)
    assert action_url("member_deactivate", own) not in page.text
    assert "This is you." in page.text

    response = client.post(action_url("member_deactivate", own), follow=True)

    assert "You cannot deactivate your own membership" in response.text
    own.refresh_from_db()
    assert own.is_active
    assert not AuditEvent.objects.filter(action="membership.deactivated").exists()


def test_deactivating_an_inactive_member_again_is_refused(login, admin, bob):
    membership = membership_of(bob)
    membership_set_active(actor=admin, membership=membership, active=False)

    response = login(admin).post(action_url("member_deactivate", membership), follow=True)

    assert "already inactive" in response.text
    assert AuditEvent.objects.filter(action="membership.deactivated").count() == 1


# Unlocking


def test_an_administrator_unlocks_an_account_locked_by_wrong_passwords(
    client, admin, alice, settings
):
    # Given Alice locked out by wrong passwords typed on the real sign-in page
    alices_phone = Client()
    attempts = lock_out(alices_phone, "alice", settings.AXES_FAILURE_LIMIT)
    assert attempts[-1].status_code == 429
    assert submit_password(alices_phone, "alice").status_code == 429
    administrator = sign_in(client, admin)
    page = administrator.get(URL)
    assert rows_by_username(page)["alice"].is_locked
    assert "Locked after failed sign-ins" in page.text

    # When the administrator unlocks her
    response = administrator.post(action_url("member_unlock", membership_of(alice)), follow=True)

    # Then the page says so, the unlock is audited, and Alice signs in with both factors
    assert "alice" in response.text
    assert "account is unlocked" in response.text
    assert not rows_by_username(response)["alice"].is_locked
    event = AuditEvent.objects.get(action="auth.unlocked")
    assert (event.actor, event.target_id) == (admin, str(alice.public_id))
    secret = decrypt(Authenticator.objects.get(user=alice, type="totp").data["secret"])
    password = submit_password(alices_phone, "alice")
    assert password.status_code == 302
    assert password["Location"] == MFA_URL
    alices_phone.post(MFA_URL, {"code": totp_code(secret)})
    assert signed_in_user_id(alices_phone) == str(alice.pk)


def test_a_lock_that_has_lapsed_is_not_shown(login, admin, alice, settings):
    with time_machine.travel(dt.datetime(2026, 3, 2, 9, 0, tzinfo=dt.UTC), tick=False) as clock:
        lock_out(Client(), "alice", settings.AXES_FAILURE_LIMIT)
        client = login(admin)
        assert rows_by_username(client.get(URL))["alice"].is_locked

        clock.shift(settings.AXES_COOLOFF_TIME + dt.timedelta(minutes=1))
        # (The administrator's own session has timed out meanwhile.)
        response = login(admin).get(URL)

    assert not rows_by_username(response)["alice"].is_locked
    assert "Locked after failed sign-ins" not in response.text


def test_unlocking_an_account_that_is_not_locked_is_refused(login, admin, bob):
    response = login(admin).post(action_url("member_unlock", membership_of(bob)), follow=True)

    assert "is not locked" in response.text
    assert not AuditEvent.objects.filter(action="auth.unlocked").exists()


def test_the_lockout_page_tells_that_the_site_administrator_can_unlock(client, alice):
    response = lock_out(client, "alice")[-1]

    assert response.status_code == 429
    assert "your site administrator can unlock it" in response.text
    assert "operator" not in response.text


# Who may do it


def member_urls(membership: Membership) -> list[tuple[str, str]]:
    return [
        ("GET", URL),
        ("POST", URL),
        ("POST", action_url("member_deactivate", membership)),
        ("POST", action_url("member_reactivate", membership)),
        ("POST", action_url("member_unlock", membership)),
        ("POST", action_url("member_password_link", membership)),
    ]


@pytest.mark.parametrize("persona", ["alice", "bob", "charlie"])
def test_every_members_url_answers_404_to_anyone_but_a_site_administrator(
    client, request, persona, admin, bridgeway
):
    target = membership_of(request.getfixturevalue("bob" if persona != "bob" else "alice"))
    sign_in(client, request.getfixturevalue(persona))

    for method, url in member_urls(target):
        data = new_member_form(bridgeway) if url == URL else {}
        response = client.post(url, data) if method == "POST" else client.get(url)
        assert response.status_code == 404, (method, url)

    target.refresh_from_db()
    assert target.is_active
    assert not User.objects.filter(username="dora").exists()
    assert mail.outbox == []


@pytest.mark.parametrize(
    "name", ["member_deactivate", "member_reactivate", "member_unlock", "member_password_link"]
)
def test_a_membership_of_another_site_answers_404_and_changes_nothing(client, admin, charlie, name):
    lock_out(Client(), "charlie")
    foreign = membership_of(charlie)
    administrator = sign_in(client, admin)
    events = AuditEvent.objects.count()

    response = administrator.post(action_url(name, foreign))

    assert response.status_code == 404
    foreign.refresh_from_db()
    assert foreign.is_active
    assert AccessAttempt.objects.filter(username="charlie").exists()
    assert AuditEvent.objects.count() == events
    assert mail.outbox == []


def test_a_forged_membership_id_answers_404(login, admin):
    client = login(admin)

    response = client.post(reverse("tenancy:member_deactivate", args=[uuid.uuid4()]))

    assert response.status_code == 404


def test_a_site_administrator_without_a_second_factor_is_sent_to_set_one_up(
    client, site_a, bridgeway
):
    # A new administrator has signed in with a password and not set up an authenticator;
    # /sites/ stays open to them (to choose a site), the members pages do not.
    newcomer = member(Role.SITE_ADMIN, site=site_a, username="newadmin")
    assert submit_password(client, "newadmin").status_code == 302
    setup = reverse("mfa_activate_totp")

    listed = client.get(URL)
    added = client.post(URL, new_member_form(bridgeway))

    assert listed.status_code == 302
    assert listed["Location"] == setup
    assert added.status_code == 302
    assert added["Location"] == setup
    assert not User.objects.filter(username="dora").exists()
    assert signed_in_user_id(client) == str(newcomer.pk)


# Finding the page


def test_site_administrators_find_members_in_the_navigation_and_on_their_home_page(login, admin):
    home = login(admin).get("/")

    assert f'<a href="{URL}">Members</a>' in home.text
    assert f'<a class="button" href="{URL}">Members</a>' in home.text


def test_other_roles_see_no_members_link(login, alice):
    home = login(alice).get("/")

    assert URL not in home.text


def test_a_user_created_elsewhere_without_a_membership_is_still_a_taken_username(
    login, admin, bridgeway
):
    UserFactory(username="orphan")
    client = login(admin)

    response = client.post(URL, new_member_form(bridgeway, username="ORPHAN"))

    assert "That username is taken." in response.text
    assert User.objects.filter(username__iexact="orphan").count() == 1


def test_an_e_mail_address_already_used_by_an_account_is_refused(login, admin, bridgeway):
    admin.email = "jo.admin@example.org"
    admin.save()

    response = login(admin).post(URL, new_member_form(bridgeway, email="JO.admin@example.org"))

    assert "already used by an account" in response.text
    assert not User.objects.filter(username="dora").exists()
    assert len(mail.outbox) == 0


def test_national_support_cannot_be_granted_by_a_site(login, admin, site_a):
    national = OrganizationFactory(site=site_a, kind="national", name="National")
    client = login(admin)

    page = client.get(URL)
    response = client.post(URL, new_member_form(national, role="national_support"))

    assert 'value="national_support"' not in page.text
    assert response.status_code == 200
    assert not User.objects.filter(username="dora").exists()


def test_the_sites_other_admins_and_the_organisations_supervisors_are_told(
    login, admin, bridgeway, site_a
):
    other_admin = member(Role.SITE_ADMIN, site=site_a)
    other_admin.email = "second.admin@example.org"
    other_admin.save()
    supervisor = member(Role.CM_SUPERVISOR, organization=bridgeway)
    supervisor.email = "supervisor@example.org"
    supervisor.save()
    elsewhere = member(
        Role.CM_SUPERVISOR, organization=OrganizationFactory(site=site_a, kind="case_management")
    )
    elsewhere.email = "other.provider@example.org"
    elsewhere.save()

    login(admin).post(URL, new_member_form(bridgeway))

    notices = [m for m in mail.outbox if "New member" in m.subject]
    assert len(notices) == 1
    assert sorted(notices[0].to) == ["second.admin@example.org", "supervisor@example.org"]
    assert "dora" in str(notices[0].body)


def test_an_inactive_members_account_is_not_unlocked_by_this_site(login, admin, client, alice):
    for _ in range(5):
        submit_password(client, "alice", "not the right password")
    membership = membership_of(alice)
    membership.is_active = False
    membership.save()

    response = login(admin).post(action_url("member_unlock", membership), follow=True)

    assert "no longer works at this site" in response.text
    assert not AuditEvent.objects.filter(action="auth.unlocked").exists()

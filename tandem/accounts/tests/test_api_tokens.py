import pytest
from django.core.exceptions import ValidationError

from tandem.access.roles import Role
from tandem.accounts.models import ApiToken
from tandem.accounts.services import api_token_digest, api_token_issue
from tandem.audit.models import AuditEvent
from tests.factories import OrganizationFactory


@pytest.fixture
def police(site_a):
    return OrganizationFactory(site=site_a, kind="police", name="Harbor PD")


def test_site_admin_issues_a_police_token_and_sees_the_secret_once(login, admin, police):
    client = login(admin)

    response = client.post(
        "/tokens/",
        {"name": "Records system", "organization": police.public_id, "role": "police_officer"},
    )

    assert response.status_code == 200
    token = ApiToken.objects.get()
    secret = response.context["secret"]
    assert secret.startswith("tdm_")
    assert secret in response.text
    assert token.digest == api_token_digest(secret)
    assert secret not in token.digest
    assert AuditEvent.objects.filter(action="api_token.issued", actor=admin).exists()
    again = client.get("/tokens/")
    assert secret not in again.text
    assert "Records system" in again.text


@pytest.mark.parametrize("role", [Role.CASE_MANAGER, Role.PROJECT_MANAGER, Role.SITE_ADMIN])
def test_no_token_can_be_issued_that_would_read_a_caseload(admin, bridgeway, role):
    with pytest.raises(ValidationError, match="police, prosecutor and defender"):
        api_token_issue(actor=admin, organization=bridgeway, role=role, name="CMS")

    assert not ApiToken.objects.exists()


def test_the_token_form_refuses_a_case_manager_role_with_a_clear_message(login, admin, bridgeway):
    client = login(admin)

    response = client.post(
        "/tokens/",
        {"name": "CMS", "organization": bridgeway.public_id, "role": "case_manager"},
    )

    assert response.status_code == 200
    assert "Select a valid choice" in response.text
    assert not ApiToken.objects.exists()


def test_a_police_role_on_a_prosecutor_organisation_is_refused(admin, site_a):
    prosecutor = OrganizationFactory(site=site_a, kind="prosecutor")

    with pytest.raises(ValidationError):
        api_token_issue(
            actor=admin, organization=prosecutor, role=Role.POLICE_OFFICER, name="Wrong"
        )


def test_revoking_a_token_is_audited_and_cannot_be_done_twice(login, admin, police):
    token, _ = api_token_issue(
        actor=admin, organization=police, role=Role.POLICE_OFFICER, name="RMS"
    )
    client = login(admin)

    first = client.post(f"/tokens/{token.public_id}/revoke/", follow=True)
    second = client.post(f"/tokens/{token.public_id}/revoke/", follow=True)

    token.refresh_from_db()
    assert token.revoked_at is not None
    assert "revoked" in first.text
    assert "already revoked" in second.text
    assert AuditEvent.objects.filter(action="api_token.revoked").count() == 1


def test_an_organisation_of_another_site_is_not_offered(login, admin, site_b):
    foreign = OrganizationFactory(site=site_b, kind="police", name="Foreign PD")
    client = login(admin)

    response = client.post(
        "/tokens/",
        {"name": "Sneaky", "organization": foreign.public_id, "role": "police_officer"},
    )

    assert "Foreign PD" not in response.text
    assert not ApiToken.objects.exists()


def test_an_empty_token_form_says_what_is_missing(login, admin):
    response = login(admin).post("/tokens/", {})

    assert response.status_code == 200
    assert response.text.count("This field is required.") == 3
    assert not ApiToken.objects.exists()

"""Factories for tests. They write rows directly (no audit) to set the scene; the behaviour
under test always goes through services and selectors."""

from __future__ import annotations

import datetime as dt
import uuid

import factory
from allauth.mfa.totp.internal.auth import TOTP, generate_totp_secret
from django.utils import timezone

from tandem.access.roles import Role
from tandem.accounts.models import User
from tandem.casework.models import Enrollment
from tandem.consent.models import Consent, ConsentGrant
from tandem.matching.index import person_index_refresh
from tandem.people.models import DuplicateCandidate, Identifier, Person, PersonName
from tandem.tenancy.models import Membership, Organization, Site

PASSWORD = "correct horse battery staple"

ROLE_ORGANIZATION_KIND = {
    Role.CASE_MANAGER: "case_management",
    Role.CM_SUPERVISOR: "case_management",
    Role.OUTREACH_WORKER: "case_management",
    Role.PROJECT_MANAGER: "project_office",
    Role.POLICE_OFFICER: "police",
    Role.POLICE_SERGEANT: "police",
    Role.PROSECUTOR: "prosecutor",
    Role.DEFENDER: "defender",
    Role.EVALUATOR: "evaluation",
    Role.PCG_MEMBER: "project_office",
    Role.SITE_ADMIN: "project_office",
    Role.NATIONAL_SUPPORT: "national",
}


class SiteFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Site

    name = factory.Sequence(lambda n: f"Test LEAD {n}")
    slug = factory.Sequence(lambda n: f"test-lead-{n}")
    time_zone = "America/Los_Angeles"
    stage = Site.Stage.OPERATING


class OrganizationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Organization

    site = factory.SubFactory(SiteFactory)
    name = factory.Sequence(lambda n: f"Organisation {n}")
    kind = "case_management"
    on_call_phone = "555-0100"


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"user{n}")
    first_name = "Test"
    last_name = factory.Sequence(lambda n: f"User{n}")
    password = factory.PostGenerationMethodCall("set_password", PASSWORD)

    @factory.post_generation
    def save_password(self, create: bool, extracted: object, **kwargs: object) -> None:
        if create:
            self.save()


def member(
    role: Role,
    *,
    site: Site | None = None,
    organization: Organization | None = None,
    username: str | None = None,
) -> User:
    """A user holding `role` at `site` (a new site if none), in a fitting organisation."""
    if organization is None:
        site = site or SiteFactory()
        organization = OrganizationFactory(site=site, kind=ROLE_ORGANIZATION_KIND[role])
    kwargs = {"username": username} if username else {}
    user = UserFactory(**kwargs)
    Membership.objects.create(
        user=user, site=organization.site, organization=organization, role=role
    )
    return user


def add_totp(user: User) -> str:
    """Give `user` an authenticator app; returns the TOTP secret."""
    secret = generate_totp_secret()
    TOTP.activate(user, secret)
    return secret


class PersonFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Person
        skip_postgeneration_save = True

    site = factory.SubFactory(SiteFactory)
    given_name = factory.Sequence(lambda n: f"Given{n}")
    family_name = factory.Sequence(lambda n: f"Family{n}")
    date_of_birth = dt.date(1980, 5, 17)
    dob_precision = Person.DobPrecision.EXACT
    race = factory.LazyFunction(lambda: ["declined"])

    # The services keep the matcher's index in step with people; rows made here directly
    # get the same, so that searches in tests see them.
    @factory.post_generation
    def match_index(self, create: bool, extracted: object, **kwargs: object) -> None:
        if create:
            person_index_refresh(self)


class PersonNameFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = PersonName
        skip_postgeneration_save = True

    person = factory.SubFactory(PersonFactory)
    kind = PersonName.Kind.NICKNAME
    given_name = "Smiley"

    @factory.post_generation
    def match_index(self, create: bool, extracted: object, **kwargs: object) -> None:
        if create:
            person_index_refresh(self.person)


class IdentifierFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Identifier
        skip_postgeneration_save = True

    person = factory.SubFactory(PersonFactory)
    kind = Identifier.Kind.POLICE_ID
    value = factory.Sequence(lambda n: f"PD-{n:06d}")

    @factory.post_generation
    def match_index(self, create: bool, extracted: object, **kwargs: object) -> None:
        if create:
            person_index_refresh(self.person)


def duplicate_candidate(person_1, person_2, probability=0.9, **kwargs):
    """A pair for the duplicate queue, stored as the table wants it (smaller key first)."""
    from django.utils import timezone

    first, second = sorted((person_1, person_2), key=lambda person: person.pk)
    kwargs.setdefault("band", "link" if probability >= 0.9 else "review")
    kwargs.setdefault("explanation", "Surname sounds alike; same date of birth.")
    kwargs.setdefault("found_at", timezone.now())
    return DuplicateCandidate.objects.create(
        site=first.site, person_a=first, person_b=second, probability=probability, **kwargs
    )


class EnrollmentFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Enrollment

    person = factory.SubFactory(PersonFactory)
    site = factory.SelfAttribute("person.site")
    provider = factory.SubFactory(OrganizationFactory, site=factory.SelfAttribute("..person.site"))
    status = Enrollment.Status.ACTIVE
    enrolled_on = dt.date(2026, 1, 5)


def api_token(organization: Organization, role: Role, name: str = "Partner system"):
    """A token acting in any role, written directly. The service issues partner roles only;
    tests that need a token which can read a caseload set the scene with this."""
    from tandem.accounts.models import ApiToken
    from tandem.accounts.services import TOKEN_PREFIX, api_token_digest

    secret = f"{TOKEN_PREFIX}{uuid.uuid4().hex}{uuid.uuid4().hex}"
    creator = UserFactory()
    token = ApiToken.objects.create(
        site=organization.site,
        organization=organization,
        role=role,
        name=name,
        prefix=secret[len(TOKEN_PREFIX) : len(TOKEN_PREFIX) + 8],
        digest=api_token_digest(secret),
        created_by=creator,
    )
    return token, secret


def sign_in(client, user):
    """Sign `user` in on the Django test client as if they had passed the second factor.
    (force_login alone is a password-only session, which Tandem does not trust once the
    account has a factor.)"""
    from tandem.accounts.middleware import MFA_OK_KEY

    client.force_login(user)
    session = client.session
    session[MFA_OK_KEY] = True
    session.save()
    return client


def signature_png() -> bytes:
    """A small PNG with one dark stroke, as a signature pad would send."""
    import io

    from PIL import Image, ImageDraw

    image = Image.new("RGBA", (60, 20), (0, 0, 0, 0))
    ImageDraw.Draw(image).line((2, 10, 58, 12), fill=(0, 0, 0, 255), width=2)
    out = io.BytesIO()
    image.save(out, "PNG")
    return out.getvalue()


class ConsentFactory(factory.django.DjangoModelFactory):
    """A current release recorded by the provider holding the person (or a new one)."""

    class Meta:
        model = Consent

    person = factory.SubFactory(PersonFactory)
    site = factory.SelfAttribute("person.site")
    recorded_by_organization = factory.SubFactory(
        OrganizationFactory, site=factory.SelfAttribute("..person.site")
    )
    purpose = Consent.PurposeChoice.CARE_COORDINATION
    purpose_text = "Coordinate services and legal matters."
    # Current on the day the test runs, whatever that day is.
    effective_on = factory.LazyFunction(lambda: timezone.localdate() - dt.timedelta(days=30))
    expires_on = factory.LazyFunction(lambda: timezone.localdate() + dt.timedelta(days=335))
    signed_name = "Test Participant"
    signed_on = factory.SelfAttribute("effective_on")
    signature_kind = Consent.SignatureKind.DRAWN
    signature = factory.django.FileField(filename="signature.png", data=signature_png())


class ConsentGrantFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = ConsentGrant

    consent = factory.SubFactory(ConsentFactory)
    organization = factory.SubFactory(
        OrganizationFactory, site=factory.SelfAttribute("..consent.site"), kind="police"
    )
    categories = factory.LazyFunction(lambda: ["enrollment", "identity"])


class ContactNoticeFactory(factory.django.DjangoModelFactory):
    """A police contact notice to the provider holding the person (pass `provider`)."""

    class Meta:
        model = "consent.ContactNotice"

    person = factory.SubFactory(PersonFactory)
    site = factory.SelfAttribute("person.site")
    provider = factory.SubFactory(OrganizationFactory, site=factory.SelfAttribute("..person.site"))
    sent_by_organization = factory.SubFactory(
        OrganizationFactory, site=factory.SelfAttribute("..person.site"), kind="police"
    )
    sent_by = factory.SubFactory(UserFactory)
    kind = "saw"
    text = "Saw them at the library, looked well."

import datetime as dt

import pytest
from django.core.management import call_command
from django.db import transaction

from tandem.access.roles import Role
from tandem.audit.verification import audit_chain_verify
from tandem.casework.models import Enrollment
from tandem.people.models import Person, PersonName
from tandem.tenancy.demo import DEMO_SITE_SLUG, SECOND_SITE_SLUG, seed_demo
from tandem.tenancy.models import Membership

TODAY = dt.date(2026, 11, 1)


def snapshot() -> list[tuple[object, ...]]:
    people = Person.objects.filter(site__slug=DEMO_SITE_SLUG).order_by("pk")
    return [
        (
            p.given_name,
            p.family_name,
            p.preferred_name,
            p.date_of_birth,
            p.dob_precision,
            tuple(p.race),
            p.ethnicity,
            p.gender,
            tuple(sorted((n.kind, n.given_name, n.family_name) for n in p.names.all())),
            tuple(sorted((i.kind, i.value) for i in p.identifiers.all())),
            tuple(
                sorted(
                    (
                        e.status,
                        e.enrolled_on,
                        e.provider.name,
                        getattr(e.case_manager, "username", ""),
                    )
                    for e in p.enrollments.all()
                )
            ),
        )
        for p in people
    ]


def seeded(seed: int, people: int) -> list[tuple[object, ...]]:
    """Seed inside a transaction that is rolled back, and return what was created."""
    with transaction.atomic():
        seed_demo(seed=seed, people=people, today=TODAY)
        rows = snapshot()
        transaction.set_rollback(True)
    assert not Person.objects.exists()
    return rows


@pytest.mark.django_db
def test_the_same_seed_gives_the_same_people():
    first = seeded(7, 40)

    again = seeded(7, 40)

    assert again == first
    # 40 people, 2 of them entered a second time for the duplicate-review queue, and one
    # recorded when today's arrest diversion was approved (the charge is held in a name).
    assert len(first) == 43


@pytest.mark.django_db
def test_another_seed_gives_other_people():
    assert seeded(7, 40) != seeded(8, 40)


@pytest.mark.django_db
def test_demo_has_a_member_of_every_role_and_a_second_site():
    seed_demo(people=30, today=TODAY)

    roles = set(Membership.objects.filter(site__slug=DEMO_SITE_SLUG).values_list("role", flat=True))
    assert roles == set(Role.values)
    second = Membership.objects.filter(site__slug=SECOND_SITE_SLUG)
    assert second.get(user__username="riverside-cm").role == Role.CASE_MANAGER
    assert second.get(user__username="projectmanager").role == Role.PROJECT_MANAGER


@pytest.mark.django_db
def test_demo_people_look_like_a_lead_caseload():
    seed_demo(people=120, today=TODAY)
    people = Person.objects.filter(site__slug=DEMO_SITE_SLUG)

    assert people.filter(date_of_birth__isnull=True).exists()
    assert people.filter(dob_precision=Person.DobPrecision.YEAR).exists()
    assert people.filter(identifiers__isnull=True).exists()
    assert PersonName.objects.filter(kind=PersonName.Kind.NICKNAME).exists()
    assert PersonName.objects.filter(kind=PersonName.Kind.ALIAS).exists()
    assert people.filter(race=["declined"]).exists()
    assert people.filter(gender=Person.Gender.DECLINED).exists()
    statuses = set(Enrollment.objects.values_list("status", flat=True))
    assert statuses == {"active", "inactive", "exited"}


@pytest.mark.django_db
def test_seeding_twice_changes_nothing_and_keeps_the_audit_chain_intact(capsys):
    call_command("seed_demo", "--people", "20", "--today", "2026-11-01")
    count = Person.objects.count()

    call_command("seed_demo", "--people", "20")
    output = capsys.readouterr().out

    assert Person.objects.count() == count
    assert "already exist; nothing changed" in output
    assert "casemanager" in output
    assert "riverside-cm" in output
    assert audit_chain_verify().ok


@pytest.mark.django_db
def test_seed_demo_refuses_to_run_on_a_real_site(settings):
    from django.core.management.base import CommandError

    settings.LOCAL = False

    with pytest.raises(CommandError, match="published password"):
        call_command("seed_demo", "--people", "5")

    assert not Person.objects.exists()


def test_demo_identifiers_never_collide_however_many_people():
    # person_create refuses an identifier another person of the site holds, so a demo of
    # thousands of people (bench/pages.py seeds 2,000) needs every number to differ.
    from tandem.tenancy.demo import _unique_number

    numbers = [_unique_number(index, 6) for index in range(900_000)]

    assert len(set(numbers)) == 900_000
    assert min(numbers) >= 100_000
    assert max(numbers) <= 999_999


@pytest.mark.django_db
def test_demo_sites_have_policies_and_two_years_of_referrals_through_every_door():
    from tandem.legal.models import DivertedChargeHold
    from tandem.policy.models import PolicyVersion
    from tandem.referrals.models import OnCallShift, Referral
    from tandem.tenancy.demo import THIRD_SITE_SLUG

    seed_demo(people=40, today=TODAY)

    for slug in (DEMO_SITE_SLUG, SECOND_SITE_SLUG, THIRD_SITE_SLUG):
        assert PolicyVersion.objects.filter(site__slug=slug).count() == 2
    referrals = Referral.objects.filter(site__slug=DEMO_SITE_SLUG)
    assert set(referrals.values_list("door", flat=True)) == {
        "arrest",
        "social_contact",
        "community",
    }
    statuses = set(referrals.values_list("status", flat=True))
    assert {"ineligible", "declined", "enrolled", "expired", "submitted"} <= statuses
    oldest = referrals.order_by("occurred_at").first()
    assert oldest is not None
    assert (TODAY - oldest.occurred_at.date()).days > 600
    # Every referral kept the policy version it was evaluated with.
    assert (
        not referrals.exclude(door="community", evaluation={})
        .filter(policy_version__isnull=True)
        .exists()
    )
    assert Referral.objects.filter(site__slug=THIRD_SITE_SLUG).exists()
    assert DivertedChargeHold.objects.filter(site__slug=DEMO_SITE_SLUG, disposition="").exists()
    assert OnCallShift.objects.filter(site__slug=DEMO_SITE_SLUG).exists()

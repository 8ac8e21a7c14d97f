"""Factories for the policy tests. They write rows directly (no audit) to set the scene;
what is under test goes through the service and the selectors."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import factory
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from tandem.access.roles import Role
from tandem.policy.models import PolicyVersion
from tandem.policy.rules import (
    Door,
    HistoryRule,
    Offence,
    PolicyRules,
    SubstanceLimit,
)
from tests.factories import SiteFactory


def pdf_bytes(text: str = "PCG decision") -> bytes:
    """A tiny, valid-looking PDF: what matters to Tandem is that it starts with %PDF-."""
    return (
        b"%PDF-1.4\n1 0 obj << /Type /Catalog /Pages 2 0 R >> endobj\n"
        b"2 0 obj << /Type /Pages /Kids [] /Count 0 >> endobj\n"
        + f"% {text}\n".encode()
        + b"trailer << /Root 1 0 R >>\n%%EOF\n"
    )


def pdf_upload(name: str = "decision.pdf", content: bytes | None = None) -> SimpleUploadedFile:
    return SimpleUploadedFile(name, pdf_bytes() if content is None else content, "application/pdf")


def sample_rules(**overrides: object) -> PolicyRules:
    """A Seattle-like policy with every kind of rule configured."""
    police = (Role.POLICE_OFFICER.value, Role.POLICE_SERGEANT.value)
    rules = PolicyRules(
        eligible_offences=(
            Offence("RCW 69.50.4013", "Possession of a controlled substance", "drug"),
            Offence("RCW 9A.56.050", "Theft under $750", "property"),
            Offence("RCW 9A.88.030", "Prostitution", "prostitution"),
        ),
        quantity_limits=(
            SubstanceLimit("heroin", "powder", Decimal("3")),
            SubstanceLimit("heroin", "tar", Decimal("2.5")),
            SubstanceLimit("cocaine", "any", Decimal("3")),
        ),
        exclude_dealing_for_profit=True,
        minimum_age=18,
        disqualifying_history=(
            HistoryRule("burglary", "Burglary", 10),
            HistoryRule("exploiting_minors", "Exploiting minors", 0),
        ),
        exclude_active_supervision=True,
        exclude_treatment_court=True,
        check_protective_orders=True,
        catchment_areas=("Belltown", "Pioneer Square"),
        complainant_consent_required=True,
        exclude_confidential_informants=True,
        referrers={
            Door.ARREST.value: police,
            Door.SOCIAL_CONTACT.value: police,
            Door.COMMUNITY.value: ("community",),
        },
        approver_roles=(Role.POLICE_SERGEANT.value, Role.PROJECT_MANAGER.value),
        intake_deadline_days=30,
    )
    if overrides:
        from dataclasses import replace

        rules = replace(rules, **overrides)  # type: ignore[arg-type]
    return rules


class PolicyVersionFactory(factory.django.DjangoModelFactory):
    """A version of its site's policy, numbered after the site's others."""

    class Meta:
        model = PolicyVersion

    site = factory.SubFactory(SiteFactory)
    number = factory.LazyAttribute(lambda o: PolicyVersion.objects.filter(site=o.site).count() + 1)
    effective_from = factory.LazyFunction(lambda: timezone.localdate() - dt.timedelta(days=60))
    rules = factory.LazyFunction(lambda: sample_rules().to_dict())
    pcg_decided_on = factory.LazyAttribute(lambda o: o.effective_from - dt.timedelta(days=7))
    pcg_reference = factory.Sequence(lambda n: f"PCG minutes, item {n}")
    note = ""

    class Params:
        with_document = factory.Trait(
            pcg_document=factory.django.FileField(filename="decision.pdf", data=pdf_bytes())
        )

"""What of a participant's legal status may be shared, and with whom: the status summary a
reader may see, the release that covers a Golden-Rule letter, and the letter's text. The
services and the selectors both use these, so the preview is exactly what is issued."""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import dataclass, field

from django.db.models import OuterRef, Q, QuerySet, Subquery

from tandem.access.roles import Category
from tandem.accounts.models import User
from tandem.audit.disclosures import PART2_STATEMENT
from tandem.casework.models import Enrollment
from tandem.consent.current import current_grants
from tandem.consent.models import Consent
from tandem.legal.models import LegalStatusSummary, Letter
from tandem.people.models import Person
from tandem.tenancy.models import Organization

# The category a release must grant the recipient of a letter or a status summary.
SHARED_CATEGORY = Category.LEGAL


def status_note_normalised(note: str) -> str:
    """The sentence as stored and shown: surrounding and repeated spaces and line breaks
    removed, so the preview and the saved summary read the same."""
    return " ".join(note.split())


def shareable_summaries(holding_organization_id: int | OuterRef | None) -> Q:
    """The summaries that may reach a reader outside the writing team: what a 42 CFR Part 2
    programme wrote stays with it (2.13) unless it still holds the participant, in which
    case decide() has already required a consent the programme recorded (2.31)."""
    return Q(written_by_organization__is_part2_program=False) | Q(
        written_by_organization_id=holding_organization_id
    )


# The fields of the newest shareable summary, loaded with the person (no query per row).
_SUMMARY_FIELDS = ("pk", "public_id", "written_at", "engagement", "progress", "barriers", "note")


def with_latest_summary(people: QuerySet[Person]) -> QuerySet[Person]:
    """Annotate people (from people_in_scope, which knows the holder) with the fields of
    their newest shareable status summary."""
    latest = (
        LegalStatusSummary.objects.filter(person=OuterRef("pk"))
        .filter(shareable_summaries(OuterRef("holding_organization_id")))
        .order_by("-written_at", "-pk")
    )
    return people.annotate(
        **{f"summary_{name}": Subquery(latest.values(name)[:1]) for name in _SUMMARY_FIELDS}
    )


def annotated_summary(person: Person) -> LegalStatusSummary | None:
    """The summary `with_latest_summary` loaded, as an unsaved-looking instance (no query)."""
    values = {name: getattr(person, f"summary_{name}") for name in _SUMMARY_FIELDS}
    if values["pk"] is None:
        return None
    barriers = values["barriers"]
    if isinstance(barriers, str):  # a JSON subquery may come back undecoded
        barriers = json.loads(barriers)
    return LegalStatusSummary(
        **{**values, "barriers": barriers or [], "person": person, "site_id": person.site_id}
    )


def latest_summary(
    *, person: Person, holding_organization_id: int | None
) -> LegalStatusSummary | None:
    return (
        LegalStatusSummary.objects.filter(person=person)
        .filter(shareable_summaries(holding_organization_id))
        .order_by("-written_at", "-pk")
        .first()
    )


def holding_provider(person: Person) -> Organization | None:
    enrollment = (
        Enrollment.objects.filter(person=person)
        .exclude(status=Enrollment.Status.EXITED)
        .select_related("provider")
        .first()
    )
    return enrollment.provider if enrollment is not None else None


def covering_consent(
    *, person: Person, recipient: Organization, holder: Organization, today: dt.date
) -> Consent | None:
    """The current release that names `recipient` for legal information, the one lasting
    longest if several do. When the holder is a 42 CFR Part 2 programme only a consent the
    programme recorded counts (2.31)."""
    grants = (
        current_grants(organization_id=recipient.pk, today=today)
        .filter(consent__person=person)
        .select_related("consent__recorded_by_organization")
        .order_by("-consent__expires_on", "-consent__effective_on", "-pk")
    )
    for grant in grants:
        if SHARED_CATEGORY not in grant.categories:
            continue
        if holder.is_part2_program and grant.consent.recorded_by_organization_id != holder.pk:
            continue
        return grant.consent
    return None


ENGAGEMENT_SENTENCES = {
    LegalStatusSummary.Engagement.REGULAR: "{name} meets with their case manager regularly.",
    LegalStatusSummary.Engagement.NOW_AND_THEN: (
        "{name} is in touch with their case manager now and then."
    ),
    LegalStatusSummary.Engagement.NOT_RECENTLY: (
        "{name} has not been in touch with their case manager recently."
    ),
}
PROGRESS_SENTENCES = {
    LegalStatusSummary.Progress.PROGRESSING: "They are making progress on their goals.",
    LegalStatusSummary.Progress.STEADY: "Their progress is steady.",
    LegalStatusSummary.Progress.SETBACKS: "They are facing setbacks.",
}
OPENINGS = {
    Letter.Template.COURT: (
        "This letter confirms, for the court, that {name} takes part in LEAD (Law Enforcement "
        "Assisted Diversion) at {site} and works with a case manager at {provider}."
    ),
    Letter.Template.PROBATION: (
        "This letter confirms, for {name}'s probation officer, that {name} takes part in "
        "LEAD (Law Enforcement Assisted Diversion) at {site} and works with a case manager "
        "at {provider}."
    ),
}
CLOSING = (
    "{name} agreed to this letter in a release of information. Following LEAD's "
    "information-sharing rules, it describes engagement and general progress only, and "
    "nothing about conduct, health or treatment."
)


def letter_text(
    *,
    template: str,
    site: str,
    issued_on: dt.date,
    addressee: str,
    recipient: str,
    name: str,
    provider: str,
    summary: LegalStatusSummary,
    issuer: str,
    part2: bool,
) -> str:
    """The letter as issued: the template, engagement and general progress from the status
    summary, and nothing else (no barriers, no free text)."""
    lines = [
        site,
        f"{issued_on:%B} {issued_on.day}, {issued_on:%Y}",
        "",
        addressee.strip(),
        recipient,
        "",
        f"Re: {name}",
        "",
        OPENINGS[Letter.Template(template)].format(name=name, site=site, provider=provider),
        "",
        ENGAGEMENT_SENTENCES[LegalStatusSummary.Engagement(summary.engagement)].format(name=name)
        + " "
        + PROGRESS_SENTENCES[LegalStatusSummary.Progress(summary.progress)],
        "",
        CLOSING.format(name=name),
        "",
        issuer,
        provider,
    ]
    if part2:
        # 42 CFR 2.32: the notice goes with every disclosure of a Part 2 programme's records.
        lines += ["", PART2_STATEMENT]
    return "\n".join(lines)


def letter_name(person: Person) -> str:
    """The name a court or probation knows: the legal name, without nicknames."""
    full = " ".join(part for part in (person.given_name, person.family_name) if part)
    return full or person.display_name


@dataclass(frozen=True, slots=True)
class LetterDraft:
    """A letter as it would be issued today, or the reasons it cannot be."""

    text: str = ""
    summary: LegalStatusSummary | None = None
    consent: Consent | None = None
    refusals: list[str] = field(default_factory=list)


def letter_compose(
    *,
    person: Person,
    holder: Organization,
    recipient: Organization,
    template: str,
    addressee: str,
    issued_by: User | None,
    summary: LegalStatusSummary | None,
    today: dt.date,
) -> LetterDraft:
    """The letter `holder` would issue today from `summary` (the latest shareable one), or
    the reasons it cannot: no summary, a bad template or addressee, or no current release
    naming `recipient` for legal information."""
    refusals: list[str] = []
    if template not in Letter.Template.values:
        refusals.append("Choose a template: court or probation.")
    if not addressee.strip():
        refusals.append("Say whom the letter is addressed to.")
    if recipient.site_id != person.site_id:
        return LetterDraft(refusals=["The recipient belongs to another site."])
    if summary is None:
        refusals.append(
            "There is no status for legal partners yet. Write one first: the letter takes "
            "engagement and progress from it."
        )
    consent = covering_consent(person=person, recipient=recipient, holder=holder, today=today)
    if consent is None:
        refusals.append(
            f"No current release of information names {recipient} for legal information, "
            "so no letter can go to them."
        )
    if refusals:
        return LetterDraft(summary=summary, consent=consent, refusals=refusals)
    assert summary is not None
    text = letter_text(
        template=template,
        site=person.site.name,
        issued_on=today,
        addressee=addressee,
        recipient=recipient.name,
        name=letter_name(person),
        provider=holder.name,
        summary=summary,
        issuer=str(issued_by) if issued_by is not None else holder.name,
        part2=holder.is_part2_program,
    )
    return LetterDraft(text=text, summary=summary, consent=consent)


def letter_draft(
    *,
    person: Person,
    issuer: Organization,
    recipient: Organization,
    template: str,
    addressee: str,
    issued_by: User | None,
    today: dt.date,
) -> LetterDraft:
    """`letter_compose`, after checking that `issuer` holds the participant and reading the
    latest shareable summary (what the service does before it issues)."""
    holder = holding_provider(person)
    if holder is None or holder.pk != issuer.pk:
        return LetterDraft(
            refusals=["Only the provider holding the participant's enrollment issues letters."]
        )
    return letter_compose(
        person=person,
        holder=holder,
        recipient=recipient,
        template=template,
        addressee=addressee,
        issued_by=issued_by,
        summary=latest_summary(person=person, holding_organization_id=holder.pk),
        today=today,
    )

"""Casework support: the intake assessment, the participant's plan, service links, flexible
funds and outcome snapshots (DESIGN.md §3). Nothing here is deleted: a changed answer or
goal keeps its earlier wording in a history row, an expense recorded in error is voided,
and a snapshot is never edited (a new one is taken when something changes)."""

from __future__ import annotations

import secrets
from decimal import Decimal
from pathlib import PurePosixPath

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q

from tandem.access.roles import Category
from tandem.casework.support.domains import (
    Domain,
    EmploymentStatus,
    HousingStatus,
    Insurance,
    Moud,
)
from tandem.core.models import TandemModel

CATEGORY_CHOICES = Category.choices


# Intake -----------------------------------------------------------------------------------


class Assessment(TandemModel):
    """A psychosocial assessment across the domains of DOMAIN.md §5, done by one provider.
    The intake is an assessment made from an approved referral: a draft until it is
    completed (the person is enrolled) or closed (the person did not go on)."""

    class Status(models.TextChoices):
        DRAFT = "draft", "In progress"
        COMPLETED = "completed", "Completed"
        CLOSED = "closed", "Closed without enrolling"

    site = models.ForeignKey("tenancy.Site", on_delete=models.PROTECT, related_name="+")
    person = models.ForeignKey(
        "people.Person", on_delete=models.PROTECT, related_name="assessments"
    )
    referral = models.ForeignKey(
        "referrals.Referral", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    # The provider doing the assessment: its team works on it, and whether it is a Part 2
    # programme decides who else may ever read what it records.
    organization = models.ForeignKey(
        "tenancy.Organization", on_delete=models.PROTECT, related_name="+"
    )
    enrollment = models.ForeignKey(
        "casework.Enrollment", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.DRAFT)
    started_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    # The release of information the intake relied on (recorded by this provider).
    release = models.ForeignKey(
        "consent.Consent", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    release_declined_at = models.DateTimeField(null=True, blank=True)
    release_declined_reason = models.TextField(blank=True)
    # The baseline outcomes as typed during the intake; they become the first
    # OutcomeSnapshot when the intake is completed.
    baseline = models.JSONField(default=dict, blank=True)
    completed_on = models.DateField(null=True, blank=True)
    completed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    closed_reason = models.TextField(blank=True)

    class Meta:
        ordering = ["-created_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["referral"],
                condition=Q(status="draft"),
                name="assessment_one_draft_per_referral",
            )
        ]

    def __str__(self) -> str:
        return f"Assessment {self.created_at:%Y-%m-%d} · {self.get_status_display()}"


class AssessmentAnswer(TandemModel):
    """What was said in one domain: the structured answers and notes. Saving a domain
    again supersedes the row (dated) and adds a new one, so every earlier answer stays."""

    class Discussed(models.TextChoices):
        DISCUSSED = "discussed", "Talked about it"
        NOT_DISCUSSED = "not_discussed", "Not talked about yet"
        DECLINED = "declined", "The participant preferred not to talk about it"

    assessment = models.ForeignKey(Assessment, on_delete=models.PROTECT, related_name="answers")
    domain = models.CharField(max_length=20, choices=Domain.choices)
    # From the domain (domains.DOMAIN_CATEGORY), kept on the row so reads can filter by it.
    category = models.CharField(max_length=20, choices=CATEGORY_CHOICES)
    discussed = models.CharField(max_length=15, choices=Discussed.choices)
    answers = models.JSONField(default=dict, blank=True)
    notes = models.TextField(blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    recorded_by_organization = models.ForeignKey(
        "tenancy.Organization", on_delete=models.PROTECT, related_name="+"
    )
    superseded_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["assessment", "created_at", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["assessment", "domain"],
                condition=Q(superseded_at__isnull=True),
                name="assessment_answer_one_current_per_domain",
            )
        ]

    def __str__(self) -> str:
        return f"{self.get_domain_display()} · {self.get_discussed_display()}"


# Plan -------------------------------------------------------------------------------------


class Plan(TandemModel):
    """The participant's Individual Intervention Plan for one enrollment (DOMAIN.md §5)."""

    site = models.ForeignKey("tenancy.Site", on_delete=models.PROTECT, related_name="+")
    person = models.ForeignKey("people.Person", on_delete=models.PROTECT, related_name="plans")
    enrollment = models.OneToOneField(
        "casework.Enrollment", on_delete=models.PROTECT, related_name="support_plan"
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )

    def __str__(self) -> str:
        return f"Plan {self.created_at:%Y-%m-%d}"


class Goal(TandemModel):
    """A goal in the participant's own words. Nobody fails LEAD: a goal is being worked on,
    achieved, or set aside, and may be taken up again."""

    class Status(models.TextChoices):
        WORKING_ON = "working_on", "Working on"
        ACHIEVED = "achieved", "Achieved"
        SET_ASIDE = "set_aside", "Set aside"

    plan = models.ForeignKey(Plan, on_delete=models.PROTECT, related_name="goals")
    domain = models.CharField(max_length=20, choices=Domain.choices)
    category = models.CharField(max_length=20, choices=CATEGORY_CHOICES)
    words = models.TextField(help_text="The participant's own words.")
    status = models.CharField(max_length=12, choices=Status.choices, default=Status.WORKING_ON)
    status_changed_on = models.DateField()
    recorded_by_organization = models.ForeignKey(
        "tenancy.Organization", on_delete=models.PROTECT, related_name="+"
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        ordering = ["plan", "created_at", "id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(status__in=["working_on", "achieved", "set_aside"]),
                name="goal_status_never_failed",
            )
        ]

    def __str__(self) -> str:
        return f"{self.get_domain_display()} · {self.get_status_display()}"


class Step(TandemModel):
    """One thing to do towards a goal, and who does it."""

    class Who(models.TextChoices):
        PARTICIPANT = "participant", "The participant"
        CASE_MANAGER = "case_manager", "The case manager"
        TOGETHER = "together", "Together"
        PARTNER = "partner", "A partner"

    goal = models.ForeignKey(Goal, on_delete=models.PROTECT, related_name="steps")
    text = models.CharField(max_length=300)
    who = models.CharField(max_length=15, choices=Who.choices)
    who_detail = models.CharField(max_length=120, blank=True)
    due_on = models.DateField(null=True, blank=True)
    done_on = models.DateField(null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        ordering = ["goal", "created_at", "id"]

    def __str__(self) -> str:
        return self.text


class ProgressNote(TandemModel):
    goal = models.ForeignKey(Goal, on_delete=models.PROTECT, related_name="notes")
    text = models.TextField()
    written_at = models.DateTimeField()
    written_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    written_by_organization = models.ForeignKey(
        "tenancy.Organization", on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        ordering = ["goal", "written_at", "id"]

    def __str__(self) -> str:
        return f"Note {self.written_at:%Y-%m-%d}"


class PlanEvent(TandemModel):
    """The plan's history: every goal added, reworded or moved, step added or done, note
    written, with the words before and after. The timeline reads it."""

    class Kind(models.TextChoices):
        GOAL_ADDED = "goal_added", "Goal added"
        GOAL_REWORDED = "goal_reworded", "Goal reworded"
        GOAL_STATUS = "goal_status", "Goal status changed"
        STEP_ADDED = "step_added", "Step added"
        STEP_DONE = "step_done", "Step done"
        NOTE_ADDED = "note_added", "Progress note"

    plan = models.ForeignKey(Plan, on_delete=models.PROTECT, related_name="events")
    person = models.ForeignKey("people.Person", on_delete=models.PROTECT, related_name="+")
    goal = models.ForeignKey(Goal, on_delete=models.PROTECT, related_name="events")
    step = models.ForeignKey(
        Step, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    kind = models.CharField(max_length=15, choices=Kind.choices)
    category = models.CharField(max_length=20, choices=CATEGORY_CHOICES)
    before = models.TextField(blank=True)
    after = models.TextField(blank=True)
    at = models.DateTimeField()
    by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    by_organization = models.ForeignKey(
        "tenancy.Organization", on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        ordering = ["at", "id"]
        indexes = [models.Index(fields=["person", "-at"], name="plan_event_person_at")]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.at:%Y-%m-%d}"


# Services ---------------------------------------------------------------------------------


class ServiceType(models.TextChoices):
    HOUSING = "housing", "Housing"
    SHELTER = "shelter", "Shelter"
    SUBSTANCE_USE_TREATMENT = "substance_use_treatment", "Substance-use treatment"
    MOUD = "moud", "Medication for opioid use disorder"
    MENTAL_HEALTH = "mental_health", "Mental health"
    MEDICAL = "medical", "Medical care"
    BENEFITS = "benefits", "Benefits"
    ID_DOCUMENTS = "id_documents", "ID documents"
    CIVIL_LEGAL = "civil_legal", "Civil legal help"
    EMPLOYMENT = "employment", "Employment"
    EDUCATION = "education", "Education"
    FOOD = "food", "Food"
    PHONE = "phone", "Phone"
    TRANSPORT = "transport", "Transport"
    OTHER = "other", "Other"


# A service link says what the participant was linked to, so its category is the service's:
# a link to treatment is substance-use information, to a clinic health information.
SERVICE_CATEGORY: dict[str, Category] = {
    ServiceType.SUBSTANCE_USE_TREATMENT: Category.SUBSTANCE_USE,
    ServiceType.MOUD: Category.SUBSTANCE_USE,
    ServiceType.MENTAL_HEALTH: Category.HEALTH,
    ServiceType.MEDICAL: Category.HEALTH,
    ServiceType.BENEFITS: Category.FINANCIAL,
    ServiceType.CIVIL_LEGAL: Category.LEGAL,
}


def service_category(service_type: str) -> Category:
    return SERVICE_CATEGORY.get(service_type, Category.CASEWORK)


class ServiceProvider(TandemModel):
    """One entry of the site's service directory: who offers what, and how to reach them.
    Not participant data."""

    site = models.ForeignKey("tenancy.Site", on_delete=models.PROTECT, related_name="+")
    name = models.CharField(max_length=200)
    organization = models.ForeignKey(
        "tenancy.Organization", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    service_types = models.JSONField(default=list)
    phone = models.CharField(max_length=40, blank=True)
    email = models.EmailField(blank=True)
    address = models.CharField(max_length=300, blank=True)
    website = models.URLField(blank=True)
    notes = models.TextField(blank=True)
    is_active = models.BooleanField(default=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        ordering = ["name", "id"]
        constraints = [
            models.UniqueConstraint(fields=["site", "name"], name="service_provider_unique_name")
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def service_type_labels(self) -> list[str]:
        labels = dict(ServiceType.choices)
        return [labels.get(value, value) for value in self.service_types]


class ServiceLink(TandemModel):
    """A participant linked to a service: referred, connected, completed or declined, and
    what came of it."""

    class Status(models.TextChoices):
        REFERRED = "referred", "Referred"
        CONNECTED = "connected", "Connected"
        COMPLETED = "completed", "Completed"
        DECLINED = "declined", "Declined"

    site = models.ForeignKey("tenancy.Site", on_delete=models.PROTECT, related_name="+")
    person = models.ForeignKey(
        "people.Person", on_delete=models.PROTECT, related_name="service_links"
    )
    enrollment = models.ForeignKey(
        "casework.Enrollment", on_delete=models.PROTECT, related_name="+"
    )
    service_provider = models.ForeignKey(
        ServiceProvider, on_delete=models.PROTECT, related_name="links"
    )
    service_type = models.CharField(max_length=30, choices=ServiceType.choices)
    category = models.CharField(max_length=20, choices=CATEGORY_CHOICES)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.REFERRED)
    status_on = models.DateField()
    referred_on = models.DateField()
    outcome = models.TextField(blank=True)
    recorded_by_organization = models.ForeignKey(
        "tenancy.Organization", on_delete=models.PROTECT, related_name="+"
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        ordering = ["-referred_on", "-id"]

    def __str__(self) -> str:
        return f"{self.get_service_type_display()} · {self.get_status_display()}"


class ServiceLinkEvent(TandemModel):
    """Each status a link went through, with the outcome said at the time."""

    link = models.ForeignKey(ServiceLink, on_delete=models.PROTECT, related_name="events")
    from_status = models.CharField(max_length=10, blank=True)
    to_status = models.CharField(max_length=10, choices=ServiceLink.Status.choices)
    on = models.DateField()
    outcome = models.TextField(blank=True)
    at = models.DateTimeField()
    by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        ordering = ["at", "id"]

    def __str__(self) -> str:
        return f"{self.from_status}→{self.to_status}"


# What a contact touched ------------------------------------------------------------------
# The core app's contacts cannot point at this app's rows (docs/adr/0003), so the links live
# here; tandem.casework.support.contact_links offers them to the contact form and pages
# (docs/adr/0005-contact-links.md). A contact is never edited: its correction is a new
# contact with links of its own, and these rows are never deleted.


class ContactGoal(TandemModel):
    """A contact touched one of the participant's plan goals."""

    contact = models.ForeignKey("casework.Contact", on_delete=models.PROTECT, related_name="+")
    goal = models.ForeignKey(Goal, on_delete=models.PROTECT, related_name="contact_links")

    class Meta:
        ordering = ["contact", "id"]
        constraints = [
            models.UniqueConstraint(fields=["contact", "goal"], name="contact_goal_once")
        ]

    def __str__(self) -> str:
        return f"Contact {self.contact_id} · goal {self.goal_id}"


class ContactServiceLink(TandemModel):
    """A contact was about one of the participant's service links (a referral followed up,
    a ride to the first appointment)."""

    contact = models.ForeignKey("casework.Contact", on_delete=models.PROTECT, related_name="+")
    link = models.ForeignKey(ServiceLink, on_delete=models.PROTECT, related_name="contact_links")

    class Meta:
        ordering = ["contact", "id"]
        constraints = [
            models.UniqueConstraint(fields=["contact", "link"], name="contact_service_link_once")
        ]

    def __str__(self) -> str:
        return f"Contact {self.contact_id} · service link {self.link_id}"


# Flexible funds ---------------------------------------------------------------------------


class FundingSource(TandemModel):
    """A grant or budget line a provider spends flexible funds from, for a period. The
    approval threshold is the funder's term for this money, so it lives with the source."""

    site = models.ForeignKey("tenancy.Site", on_delete=models.PROTECT, related_name="+")
    organization = models.ForeignKey(
        "tenancy.Organization", on_delete=models.PROTECT, related_name="funding_sources"
    )
    name = models.CharField(max_length=200)
    funder = models.CharField(max_length=200, blank=True)
    budget = models.DecimalField(max_digits=12, decimal_places=2)
    starts_on = models.DateField()
    ends_on = models.DateField()
    # An expense above this amount waits for a supervisor's approval.
    approval_threshold = models.DecimalField(max_digits=12, decimal_places=2)
    is_active = models.BooleanField(default=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        ordering = ["-starts_on", "name"]
        constraints = [
            models.CheckConstraint(
                condition=Q(budget__gte=Decimal("0")), name="funding_source_budget_not_negative"
            ),
            models.CheckConstraint(
                condition=Q(approval_threshold__gte=Decimal("0")),
                name="funding_source_threshold_not_negative",
            ),
            models.CheckConstraint(
                condition=Q(ends_on__gte=models.F("starts_on")),
                name="funding_source_ends_after_start",
            ),
        ]

    def __str__(self) -> str:
        return self.name


class ExpenseCategory(models.TextChoices):
    MOTEL = "motel", "Motel nights"
    RENT = "rent", "Rent or deposit"
    UTILITIES = "utilities", "Utilities"
    FOOD = "food", "Food"
    TRANSPORT = "transport", "Transport"
    PHONE = "phone", "Phone"
    ID_DOCUMENTS = "id_documents", "ID documents"
    CLOTHING = "clothing", "Clothing"
    HYGIENE = "hygiene", "Hygiene"
    HEALTH = "health", "Health costs"
    OTHER = "other", "Other"


def receipt_path(instance: Expense, filename: str) -> str:
    """A random path that says nothing about the person; no URL serves MEDIA_ROOT."""
    suffix = PurePosixPath(filename).suffix.lower()
    return f"private/receipts/{secrets.token_hex(16)}{suffix}"


class Expense(TandemModel):
    """Flexible funds spent for a participant. Pending and approved expenses count against
    the source's budget; refused and voided ones do not (and stay, as history)."""

    class Status(models.TextChoices):
        PENDING = "pending", "Waiting for a supervisor"
        APPROVED = "approved", "Approved"
        REFUSED = "refused", "Refused"
        VOIDED = "voided", "Voided"

    COMMITTED = (Status.PENDING, Status.APPROVED)

    site = models.ForeignKey("tenancy.Site", on_delete=models.PROTECT, related_name="+")
    person = models.ForeignKey("people.Person", on_delete=models.PROTECT, related_name="expenses")
    enrollment = models.ForeignKey(
        "casework.Enrollment", on_delete=models.PROTECT, related_name="+"
    )
    funding_source = models.ForeignKey(
        FundingSource, on_delete=models.PROTECT, related_name="expenses"
    )
    category = models.CharField(max_length=15, choices=ExpenseCategory.choices)
    amount = models.DecimalField(max_digits=12, decimal_places=2)
    vendor = models.CharField(max_length=200)
    spent_on = models.DateField()
    description = models.TextField(blank=True)
    receipt = models.FileField(upload_to=receipt_path, blank=True)
    receipt_content_type = models.CharField(max_length=40, blank=True)
    status = models.CharField(max_length=10, choices=Status.choices)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    recorded_by_organization = models.ForeignKey(
        "tenancy.Organization", on_delete=models.PROTECT, related_name="+"
    )
    # A supervisor's decision on an expense above the threshold (or on recording it).
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    decided_at = models.DateTimeField(null=True, blank=True)
    decision_reason = models.TextField(blank=True)
    # Set when a supervisor let the expense overdraw its source, and why.
    overdraw_reason = models.TextField(blank=True)
    overdraw_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    voided_at = models.DateTimeField(null=True, blank=True)
    voided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    void_reason = models.TextField(blank=True)

    class Meta:
        ordering = ["-spent_on", "-id"]
        indexes = [
            models.Index(fields=["funding_source", "status"], name="expense_source_status"),
            models.Index(fields=["person", "-spent_on"], name="expense_person_spent"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(amount__gt=Decimal("0")), name="expense_amount_positive"
            )
        ]

    def __str__(self) -> str:
        return f"{self.get_category_display()} {self.amount} · {self.get_status_display()}"

    def clean(self) -> None:
        if self.amount is not None and self.amount.as_tuple().exponent < -2:  # type: ignore[operator]
            raise ValidationError({"amount": "Give the amount in dollars and cents."})


# Outcome snapshots ------------------------------------------------------------------------


class OutcomeSnapshot(TandemModel):
    """The participant's situation on a day, taken at intake and whenever it changes, so
    that before and after can be compared (DOMAIN.md §8). Never edited."""

    class Source(models.TextChoices):
        INTAKE = "intake", "At intake"
        UPDATE = "update", "A change"

    site = models.ForeignKey("tenancy.Site", on_delete=models.PROTECT, related_name="+")
    person = models.ForeignKey(
        "people.Person", on_delete=models.PROTECT, related_name="outcome_snapshots"
    )
    enrollment = models.ForeignKey(
        "casework.Enrollment", on_delete=models.PROTECT, related_name="+"
    )
    assessment = models.ForeignKey(
        Assessment, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    taken_on = models.DateField()
    source = models.CharField(max_length=10, choices=Source.choices)
    housing_status = models.CharField(max_length=20, choices=HousingStatus.choices)
    income_benefits = models.JSONField(default=list, blank=True)
    health_insurance = models.CharField(max_length=10, choices=Insurance.choices)
    employment = models.CharField(max_length=15, choices=EmploymentStatus.choices)
    moud = models.CharField(max_length=15, choices=Moud.choices)
    # In the 90 days before `taken_on`; None: not known.
    overdoses_90d = models.PositiveSmallIntegerField(null=True, blank=True)
    ed_visits_90d = models.PositiveSmallIntegerField(null=True, blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    recorded_by_organization = models.ForeignKey(
        "tenancy.Organization", on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        ordering = ["-taken_on", "-id"]
        indexes = [models.Index(fields=["person", "-taken_on"], name="snapshot_person_taken")]

    def __str__(self) -> str:
        return f"Outcomes {self.taken_on}"


# What each measure of a snapshot is about, for the access decision: a viewer sees only the
# measures whose category decide() allows.
SNAPSHOT_FIELDS: tuple[tuple[str, str, Category], ...] = (
    ("housing_status", "Housing", Category.CASEWORK),
    ("income_benefits", "Income and benefits", Category.FINANCIAL),
    ("health_insurance", "Health insurance", Category.HEALTH),
    ("employment", "Employment", Category.CASEWORK),
    ("moud", "Medication for opioid use disorder", Category.SUBSTANCE_USE),
    ("overdoses_90d", "Overdoses in the last 90 days", Category.SUBSTANCE_USE),
    ("ed_visits_90d", "Emergency-department visits in the last 90 days", Category.HEALTH),
)

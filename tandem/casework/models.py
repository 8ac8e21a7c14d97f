"""Casework: a participant's enrollment with a provider, its status history, the contacts
that are the "dose" of LEAD case management, and the team's follow-up tasks.

Nothing here is deleted: a contact entered in error is marked removed with a reason, a
corrected one is replaced by a new row that points back at it, and every status change,
assignment and transfer is an `EnrollmentEvent`."""

from __future__ import annotations

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models

from tandem.access.decisions import Audience
from tandem.access.roles import Category
from tandem.core.models import TandemModel


class ExitReason(models.TextChoices):
    """Why participation ended. Never "non-compliance": no one fails LEAD (DOMAIN.md §5).
    NONPARTICIPATION exists only for a site whose policy ends participation for it, a
    departure from the LEAD model that the pages flag."""

    MOVED = "moved", "Moved away"
    DECEASED = "deceased", "Deceased"
    INCARCERATION = "incarceration", "Long-term incarceration"
    CHOSE_TO_LEAVE = "chose_to_leave", "Chose to leave"
    NONPARTICIPATION = "nonparticipation", "Ended for non-participation (site policy)"
    OTHER = "other", "Other"


class Enrollment(TandemModel):
    """A person's participation in LEAD with one case-management provider. Nobody fails
    LEAD: a participant becomes inactive, is re-engaged, or exits for an explicit reason."""

    class Status(models.TextChoices):
        ACTIVE = "active", "Active"
        INACTIVE = "inactive", "Inactive"
        EXITED = "exited", "Exited"

    site = models.ForeignKey("tenancy.Site", on_delete=models.PROTECT, related_name="+")
    person = models.ForeignKey(
        "people.Person", on_delete=models.PROTECT, related_name="enrollments"
    )
    provider = models.ForeignKey(
        "tenancy.Organization", on_delete=models.PROTECT, related_name="enrollments"
    )
    case_manager = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="caseload",
    )
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.ACTIVE)
    enrolled_on = models.DateField()
    # Kept by the contact services (the date of the newest substantive contact, in the
    # site's time zone), so that the caseload and the inactivity job never aggregate contacts.
    last_substantive_contact_on = models.DateField(null=True, blank=True)
    inactive_since = models.DateField(null=True, blank=True)
    exited_on = models.DateField(null=True, blank=True)
    exit_reason = models.CharField(max_length=20, choices=ExitReason.choices, blank=True)
    exit_reason_text = models.CharField(max_length=500, blank=True)

    class Meta:
        ordering = ["-enrolled_on"]
        indexes = [
            models.Index(fields=["case_manager", "status"], name="enrollment_caseload"),
            models.Index(fields=["site", "status"], name="enrollment_site_status"),
        ]
        constraints = [
            # One open enrollment at a time; an exited one is history.
            models.UniqueConstraint(
                fields=["person"],
                condition=~models.Q(status="exited"),
                name="enrollment_one_open_per_person",
            )
        ]

    def __str__(self) -> str:
        return f"{self.person_id} · {self.get_status_display()}"

    def clean(self) -> None:
        if self.person_id and self.site_id and self.person.site_id != self.site_id:
            raise ValidationError("The person belongs to another site.")
        if self.provider_id and self.provider.kind != "case_management":
            raise ValidationError(
                {"provider": "Only a case-management provider holds an enrollment."}
            )
        if self.provider_id and self.person_id and self.provider.site_id != self.person.site_id:
            raise ValidationError({"provider": "The provider belongs to another site."})
        if (
            self.case_manager is not None
            and self.provider_id
            and not self.case_manager.memberships.filter(
                organization_id=self.provider_id, is_active=True
            ).exists()
        ):
            raise ValidationError(
                {"case_manager": "The case manager does not work for this provider."}
            )
        if self.status == self.Status.EXITED and not self.exit_reason:
            raise ValidationError({"exit_reason": "Say why participation ended."})
        if self.exit_reason == ExitReason.OTHER and not self.exit_reason_text.strip():
            raise ValidationError({"exit_reason_text": "Describe the other reason."})

    @property
    def is_open(self) -> bool:
        return self.status != self.Status.EXITED


class EnrollmentEvent(TandemModel):
    """One change in an enrollment's life: enrolled, assigned, transferred between case
    managers, inactive, re-engaged, exited. The enrollment keeps its current state; these
    keep how it got there."""

    class Kind(models.TextChoices):
        ENROLLED = "enrolled", "Enrolled"
        ASSIGNED = "assigned", "Assigned"
        TRANSFERRED = "transferred", "Transferred"
        UNASSIGNED = "unassigned", "Unassigned"
        INACTIVE = "inactive", "Became inactive"
        REENGAGED = "reengaged", "Re-engaged"
        EXITED = "exited", "Exited"

    site = models.ForeignKey("tenancy.Site", on_delete=models.PROTECT, related_name="+")
    enrollment = models.ForeignKey(Enrollment, on_delete=models.PROTECT, related_name="events")
    kind = models.CharField(max_length=20, choices=Kind.choices)
    at = models.DateTimeField()
    from_status = models.CharField(max_length=10, blank=True)
    to_status = models.CharField(max_length=10, blank=True)
    from_case_manager = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    to_case_manager = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    exit_reason = models.CharField(max_length=20, choices=ExitReason.choices, blank=True)
    reason = models.TextField(blank=True)
    by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    by_label = models.CharField(max_length=150, blank=True)

    class Meta:
        ordering = ["at", "pk"]
        indexes = [models.Index(fields=["enrollment", "at"], name="enrollment_event_at")]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.at:%Y-%m-%d}"


# The participant's own areas of life (DOMAIN.md §5, the Individual Intervention Plan). A
# contact lists the areas it touched; when plans and goals exist (tandem.casework.support),
# a contact may point at the goals themselves as well.
GOAL_AREAS = {
    "housing": "Housing",
    "income": "Income and benefits",
    "id_documents": "ID documents",
    "court": "Court obligations",
    "medical": "Medical",
    "mental_health": "Mental health",
    "substance_use": "Substance-use treatment",
    "employment": "Employment",
    "education": "Education",
}
# What a case manager hands over or does on the spot.
SERVICES_GIVEN = {
    "transport": "Transport",
    "food": "Food or water",
    "hygiene": "Hygiene or clothing",
    "phone": "Phone or phone minutes",
    "harm_reduction": "Harm-reduction supplies (naloxone, ...)",
    "benefits_help": "Help with benefits",
    "id_help": "Help with ID documents",
    "housing_search": "Housing search",
    "treatment_referral": "Treatment referral",
    "court_support": "Court support",
    "medical_accompaniment": "Medical accompaniment",
}

NOTE_CATEGORIES = (
    Category.CASEWORK,
    Category.HEALTH,
    Category.SUBSTANCE_USE,
    Category.LEGAL,
)


class Contact(TandemModel):
    """One contact with (or about) a participant: the unit of LEAD case management. Seattle
    counts substantive contacts apart from attempts (DOMAIN.md §5). A contact is never
    deleted or edited in place: `contact_correct` writes a new row pointing at the one it
    replaces and marks that one removed."""

    class Kind(models.TextChoices):
        SUBSTANTIVE = "substantive", "Substantive"
        ATTEMPT = "attempt", "Attempt"
        COLLATERAL = "collateral", "Collateral"

    class Mode(models.TextChoices):
        STREET = "street", "Street"
        SHELTER = "shelter", "Shelter"
        OFFICE = "office", "Office"
        PHONE = "phone", "Phone"
        JAIL = "jail", "Jail"
        HOSPITAL = "hospital", "Hospital"
        COURT = "court", "Court"
        OTHER = "other", "Other"

    site = models.ForeignKey("tenancy.Site", on_delete=models.PROTECT, related_name="+")
    enrollment = models.ForeignKey(Enrollment, on_delete=models.PROTECT, related_name="contacts")
    person = models.ForeignKey("people.Person", on_delete=models.PROTECT, related_name="contacts")
    at = models.DateTimeField()
    kind = models.CharField(max_length=12, choices=Kind.choices)
    mode = models.CharField(max_length=10, choices=Mode.choices)
    place = models.CharField(max_length=200, blank=True)
    minutes = models.PositiveSmallIntegerField()
    goal_areas = models.JSONField(default=list, blank=True)
    services = models.JSONField(default=list, blank=True)
    note = models.TextField(blank=True)
    note_audience = models.CharField(max_length=20, choices=Audience.choices, default=Audience.TEAM)
    note_category = models.CharField(
        max_length=20,
        choices=[(c.value, c.label) for c in NOTE_CATEGORIES],
        default=Category.CASEWORK,
    )
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    recorded_by_organization = models.ForeignKey(
        "tenancy.Organization", on_delete=models.PROTECT, related_name="+"
    )
    # Set by the phone for a contact drafted offline, so that a draft sent twice (the answer
    # to the first try was lost) is stored once.
    client_token = models.UUIDField(null=True, blank=True, editable=False)
    corrects = models.OneToOneField(
        "self", null=True, blank=True, on_delete=models.PROTECT, related_name="corrected_by"
    )
    removed_at = models.DateTimeField(null=True, blank=True)
    removed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    removed_reason = models.CharField(max_length=500, blank=True)

    class Meta:
        ordering = ["-at", "-pk"]
        indexes = [
            models.Index(fields=["person", "at"], name="contact_person_at"),
            models.Index(fields=["enrollment", "kind", "at"], name="contact_enrollment_kind"),
            # The outreach list's "last seen": the newest contact of each enrollment.
            models.Index(fields=["enrollment", "at"], name="contact_enrollment_at"),
            models.Index(fields=["site", "at"], name="contact_site_at"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(minutes__lte=600), name="contact_minutes_at_most_600"
            ),
            models.UniqueConstraint(
                fields=["recorded_by", "client_token"],
                condition=models.Q(client_token__isnull=False),
                name="contact_client_token_once",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} contact {self.at:%Y-%m-%d}"

    @property
    def is_current(self) -> bool:
        return self.removed_at is None

    def goal_area_labels(self) -> list[str]:
        return [GOAL_AREAS.get(value, value) for value in self.goal_areas]

    def service_labels(self) -> list[str]:
        return [SERVICES_GIVEN.get(value, value) for value in self.services]


class Task(TandemModel):
    """A follow-up the team owes a participant ("bring the ID form", "court on the 12th").
    Open tasks and their due dates feed the caseload's attention order."""

    site = models.ForeignKey("tenancy.Site", on_delete=models.PROTECT, related_name="+")
    enrollment = models.ForeignKey(Enrollment, on_delete=models.PROTECT, related_name="tasks")
    title = models.CharField(max_length=200)
    due_on = models.DateField(null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    done_at = models.DateTimeField(null=True, blank=True)
    done_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        ordering = [models.F("due_on").asc(nulls_last=True), "pk"]
        indexes = [models.Index(fields=["enrollment", "done_at"], name="task_enrollment_open")]

    def __str__(self) -> str:
        return self.title

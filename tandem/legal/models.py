"""Legal coordination: diverted-charge holds and their history, the templated status that
legal partners read, and Golden-Rule letters to courts and probation.

Nothing here is deleted or edited in place: a hold's changes are `HoldEvent` rows, a new
status summary is a new row (the newest is shown), and a letter keeps the text as issued."""

from __future__ import annotations

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import F, Q

from tandem.core.models import TandemModel


class DivertedChargeHold(TandemModel):
    """A charge the prosecutor holds for an arrest diversion while the person completes an
    intake by `deadline` (set from the site's policy). The prosecutor then declines it,
    files it, or extends the deadline; a decline or a filing is final."""

    class Disposition(models.TextChoices):
        OPEN = "", "Open"
        DECLINED = "declined", "Declined"
        FILED = "filed", "Filed"

    site = models.ForeignKey("tenancy.Site", on_delete=models.PROTECT, related_name="+")
    person = models.ForeignKey(
        "people.Person", on_delete=models.PROTECT, related_name="diverted_charge_holds"
    )
    prosecutor_organization = models.ForeignKey(
        "tenancy.Organization", on_delete=models.PROTECT, related_name="diverted_charge_holds"
    )
    # The one reminded before the deadline; never shown to the prosecutor.
    case_manager = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    charge_summary = models.CharField(max_length=500)
    incident_on = models.DateField()
    deadline = models.DateField()
    disposition = models.CharField(
        max_length=10, choices=Disposition.choices, blank=True, default=Disposition.OPEN
    )
    disposition_reason = models.TextField(blank=True)
    disposed_at = models.DateTimeField(null=True, blank=True)
    disposed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    intake_completed_on = models.DateField(null=True, blank=True)
    # When the sweep told the case manager, and the prosecutors; an extension clears both.
    reminded_at = models.DateTimeField(null=True, blank=True)
    deadline_notice_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["deadline", "pk"]
        indexes = [
            models.Index(fields=["site", "disposition", "deadline"], name="hold_site_queue"),
            models.Index(
                fields=["prosecutor_organization", "disposition", "deadline"],
                name="hold_office_queue",
            ),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(deadline__gt=F("incident_on")), name="hold_deadline_after_incident"
            ),
            models.CheckConstraint(
                condition=Q(disposition__in=["", "declined", "filed"]),
                name="hold_disposition_known",
            ),
            # Decided exactly when it carries a decision time.
            models.CheckConstraint(
                condition=Q(disposition="", disposed_at__isnull=True)
                | (~Q(disposition="") & Q(disposed_at__isnull=False)),
                name="hold_disposed_when_decided",
            ),
        ]

    def __str__(self) -> str:
        return f"Diverted charge held until {self.deadline}"

    def clean(self) -> None:
        if self.person_id and self.site_id and self.person.site_id != self.site_id:
            raise ValidationError({"person": "The person belongs to another site."})
        if self.prosecutor_organization_id and self.site_id:
            office = self.prosecutor_organization
            if office.site_id != self.site_id:
                raise ValidationError(
                    {"prosecutor_organization": "The prosecutor's office belongs to another site."}
                )
            if office.kind != "prosecutor":
                raise ValidationError(
                    {"prosecutor_organization": f"{office} is not a prosecutor's office."}
                )
        if self.incident_on and self.deadline and self.deadline <= self.incident_on:
            raise ValidationError({"deadline": "The deadline must come after the incident."})

    @property
    def is_open(self) -> bool:
        return self.disposition == self.Disposition.OPEN


class HoldEvent(TandemModel):
    """One line of a hold's history, as the hold's page shows it. Appended, never changed."""

    class Kind(models.TextChoices):
        CREATED = "created", "Hold opened"
        ASSIGNED = "assigned", "Case manager assigned"
        INTAKE_COMPLETED = "intake_completed", "Intake completed"
        EXTENDED = "extended", "Deadline extended"
        DECLINED = "declined", "Declined"
        FILED = "filed", "Filed"
        REMINDED = "reminded", "Case manager reminded"
        DEADLINE_NOTICE = "deadline_notice", "Prosecutor's office told of the deadline"

    hold = models.ForeignKey(DivertedChargeHold, on_delete=models.PROTECT, related_name="events")
    kind = models.CharField(max_length=20, choices=Kind.choices)
    at = models.DateTimeField()
    by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    from_date = models.DateField(null=True, blank=True)
    to_date = models.DateField(null=True, blank=True)
    reason = models.TextField(blank=True)

    class Meta:
        ordering = ["at", "pk"]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} at {self.at:%Y-%m-%d %H:%M}"


class LegalStatusSummary(TandemModel):
    """The status for legal partners, written by the case-management team from fixed
    choices and one short sentence: engagement, general progress and barriers, never
    specifics of conduct, health or substance use (Golden Rule 1). A new summary is a new
    row; the newest is the one shown."""

    class Engagement(models.TextChoices):
        REGULAR = "regular", "Meets with the case manager regularly"
        NOW_AND_THEN = "now_and_then", "In touch now and then"
        NOT_RECENTLY = "not_recently", "Not in touch recently"

    class Progress(models.TextChoices):
        PROGRESSING = "progressing", "Making progress on their goals"
        STEADY = "steady", "Steady"
        SETBACKS = "setbacks", "Facing setbacks"

    class Barrier(models.TextChoices):
        HOUSING = "housing", "Housing"
        ID_DOCUMENTS = "id_documents", "Identification documents"
        TRANSPORT = "transport", "Transport"
        INCOME = "income", "Income"
        PHONE = "phone", "Phone"
        CHILDCARE = "childcare", "Childcare"
        OTHER = "other", "Other"

    NOTE_MAX_LENGTH = 280

    site = models.ForeignKey("tenancy.Site", on_delete=models.PROTECT, related_name="+")
    person = models.ForeignKey(
        "people.Person", on_delete=models.PROTECT, related_name="legal_status_summaries"
    )
    # The provider whose team wrote it: what a 42 CFR Part 2 programme writes stays inside
    # it unless a consent it recorded names the reader.
    written_by_organization = models.ForeignKey(
        "tenancy.Organization", on_delete=models.PROTECT, related_name="+"
    )
    written_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, related_name="+"
    )
    written_at = models.DateTimeField()
    engagement = models.CharField(max_length=20, choices=Engagement.choices)
    progress = models.CharField(max_length=20, choices=Progress.choices)
    barriers = models.JSONField(default=list, blank=True)
    note = models.CharField(max_length=NOTE_MAX_LENGTH, blank=True)

    class Meta:
        ordering = ["-written_at", "-pk"]
        indexes = [models.Index(fields=["person", "-written_at"], name="legal_status_latest")]

    def __str__(self) -> str:
        return f"Status for legal partners, {self.written_at:%Y-%m-%d}"

    def clean(self) -> None:
        unknown = set(self.barriers) - set(self.Barrier.values)
        if unknown:
            raise ValidationError({"barriers": f"Unknown barriers: {', '.join(sorted(unknown))}."})

    @property
    def barrier_labels(self) -> list[str]:
        labels = dict(self.Barrier.choices)
        return [labels[value] for value in self.Barrier.values if value in self.barriers]


class Letter(TandemModel):
    """A Golden-Rule letter to a court or probation: engagement and general progress only,
    under the release of information that names the recipient for legal information. The
    text is kept exactly as issued."""

    class Template(models.TextChoices):
        COURT = "court", "Court"
        PROBATION = "probation", "Probation"

    site = models.ForeignKey("tenancy.Site", on_delete=models.PROTECT, related_name="+")
    person = models.ForeignKey("people.Person", on_delete=models.PROTECT, related_name="letters")
    recipient_organization = models.ForeignKey(
        "tenancy.Organization", on_delete=models.PROTECT, related_name="letters_received"
    )
    consent = models.ForeignKey("consent.Consent", on_delete=models.PROTECT, related_name="+")
    summary = models.ForeignKey(LegalStatusSummary, on_delete=models.PROTECT, related_name="+")
    template = models.CharField(max_length=20, choices=Template.choices)
    addressee = models.CharField(max_length=200)
    text = models.TextField()
    issued_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, related_name="+"
    )
    issued_by_organization = models.ForeignKey(
        "tenancy.Organization", on_delete=models.PROTECT, related_name="letters_issued"
    )
    issued_at = models.DateTimeField()

    class Meta:
        ordering = ["-issued_at", "-pk"]

    def __str__(self) -> str:
        return f"Letter to {self.recipient_organization}, {self.issued_at:%Y-%m-%d}"

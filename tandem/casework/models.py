from __future__ import annotations

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models

from tandem.core.models import TandemModel


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
    last_substantive_contact_on = models.DateField(null=True, blank=True)

    class Meta:
        ordering = ["-enrolled_on"]
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

"""Who may write a participant's casework: the team of the provider holding their open
enrollment. Pages check this through decide() before a service is called; services check
it again, because a service may be called from elsewhere (a task, the demo, the API)."""

from __future__ import annotations

from django.core.exceptions import ValidationError

from tandem.access.decisions import Capability, can
from tandem.access.viewer import Viewer
from tandem.casework.models import Enrollment
from tandem.people.models import Person


def held_enrollment(*, viewer: Viewer | None, person: Person) -> Enrollment:
    """The person's open enrollment, if the viewer's organisation holds it (any holder when
    `viewer` is None: the system, e.g. the demo seed)."""
    enrollment = (
        Enrollment.objects.filter(person=person)
        .exclude(status=Enrollment.Status.EXITED)
        .select_related("provider", "site")
        .first()
    )
    if enrollment is None:
        raise ValidationError("This person is not enrolled: complete the intake first.")
    if viewer is not None and (
        not can(viewer, Capability.WRITE_CASEWORK)
        or enrollment.provider_id != viewer.organization_id
    ):
        raise ValidationError("Only the team holding the participant writes their casework.")
    return enrollment

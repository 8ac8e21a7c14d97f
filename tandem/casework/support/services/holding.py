"""Who may write a participant's casework: the team of the provider holding their open
enrollment. Pages check this through decide() before a service is called; services check
it again, because a service may be called from elsewhere (a task, the demo, the API). The
rule itself is the core app's (`tandem.casework.holding.enrollment_check_held`)."""

from __future__ import annotations

from django.core.exceptions import ValidationError

from tandem.access.decisions import Capability
from tandem.access.viewer import Viewer
from tandem.casework.holding import enrollment_check_held, open_enrollment_of
from tandem.casework.models import Enrollment
from tandem.people.models import Person


def held_enrollment(*, viewer: Viewer | None, person: Person) -> Enrollment:
    """The person's open enrollment, if the viewer's team holds it (any holder when
    `viewer` is None: the system, e.g. the demo seed)."""
    enrollment = open_enrollment_of(person)
    if enrollment is None:
        raise ValidationError("This person is not enrolled: complete the intake first.")
    enrollment_check_held(
        viewer=viewer,
        enrollment=enrollment,
        capability=Capability.WRITE_CASEWORK,
        refusal="Only the team holding the participant writes their casework.",
    )
    return enrollment

from __future__ import annotations

from datetime import date
from decimal import Decimal

from django.utils import timezone

from tandem.access.viewer import Viewer
from tandem.referrals import services
from tandem.referrals.models import Door, Referral
from tandem.referrals.services import Conduct, Subject
from tandem.referrals.tests.conftest import POSSESSION


def viewer(user) -> Viewer:
    return Viewer.from_membership(user.memberships.select_related("organization", "user").get())


def submit(
    user,
    *,
    door: str = Door.ARREST,
    given: str = "Rosa",
    family: str = "Quintero",
    born: date | None = date(1984, 5, 6),
    offence: str = POSSESSION,
    substance: str = "heroin",
    grams: str | None = "1.5",
    dealing: bool | None = False,
    **conduct: object,
) -> Referral:
    return services.referral_submit(
        actor=user,
        viewer=viewer(user),
        door=door,
        subject=Subject(given_name=given, family_name=family, date_of_birth=born),
        conduct=Conduct(
            offence_codes=(offence,) if offence else (),
            substance=substance,
            form="powder",
            quantity_grams=Decimal(grams) if grams is not None else None,
            dealing_for_profit=dealing,
            **conduct,  # type: ignore[arg-type]
        ),
        occurred_at=timezone.now(),
        location_text="3rd Ave & Bell St",
    )

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date

from django.db import transaction

from tandem.accounts.models import User
from tandem.audit.services import audit_record
from tandem.people.models import Identifier, Person, PersonName
from tandem.tenancy.models import Organization, Site


@dataclass(frozen=True, slots=True)
class NameInput:
    kind: str
    given_name: str = ""
    family_name: str = ""


@dataclass(frozen=True, slots=True)
class IdentifierInput:
    kind: str
    value: str
    issuer: Organization | None = None


@transaction.atomic
def person_create(
    *,
    actor: User | None,
    site: Site,
    given_name: str = "",
    family_name: str = "",
    preferred_name: str = "",
    date_of_birth: date | None = None,
    dob_precision: str = Person.DobPrecision.UNKNOWN,
    description: str = "",
    race: Sequence[str] = (),
    ethnicity: str = Person.Ethnicity.NOT_ASKED,
    gender: str = Person.Gender.NOT_ASKED,
    names: Sequence[NameInput] = (),
    identifiers: Sequence[IdentifierInput] = (),
) -> Person:
    person = Person(
        site=site,
        given_name=given_name.strip(),
        family_name=family_name.strip(),
        preferred_name=preferred_name.strip(),
        date_of_birth=date_of_birth,
        dob_precision=dob_precision,
        description=description.strip(),
        race=list(race),
        ethnicity=ethnicity,
        gender=gender,
    )
    person.full_clean()
    person.save()
    for name in names:
        row = PersonName(
            person=person, kind=name.kind, given_name=name.given_name, family_name=name.family_name
        )
        row.full_clean()
        row.save()
    for identifier in identifiers:
        if identifier.issuer is not None and identifier.issuer.site_id != site.pk:
            raise ValueError("An identifier's issuer must belong to the person's site.")
        row_id = Identifier(
            person=person, kind=identifier.kind, value=identifier.value, issuer=identifier.issuer
        )
        row_id.full_clean()
        row_id.save()
    audit_record(
        actor=actor, site=site, action="person.created", target=person, category="identity"
    )
    return person

"""A participant's accounting of disclosures (42 CFR 2.25): what a Part 2 programme's records
about them were disclosed, to whom, when, for what and under which release, read from the
`Disclosure` ledger for the programme's case-management team to print for the participant.

42 CFR 2.25(a) covers the three years before the request unless the participant chooses a
shorter period, and refers to 45 CFR 164.528(b), which lets repeated disclosures to one
recipient for one purpose be given as the first, the last and how many: rows are grouped so."""

from __future__ import annotations

import datetime as dt
import uuid
from dataclasses import dataclass
from typing import cast

from django.db.models import Count, Max, Min
from django.utils import timezone

from tandem.access.decisions import Capability, Subject, can, decide
from tandem.access.errors import OutOfScope
from tandem.access.roles import Category, Purpose
from tandem.access.viewer import Viewer
from tandem.audit.models import Disclosure
from tandem.audit.services import audit_read
from tandem.people.models import Person
from tandem.people.selectors import people_in_scope
from tandem.tenancy.models import Organization

PURPOSE = Purpose.CARE_COORDINATION
# 42 CFR 2.25(a): the three years before the request.
DEFAULT_YEARS = 3
# How many merges deep the accounting follows records merged into the participant's.
MERGE_DEPTH = 5


@dataclass(frozen=True, slots=True)
class AccountingRow:
    recipient: str
    recipient_label: str
    categories: list[str]
    purpose: str
    channel: str
    consent_id: uuid.UUID
    consent_from: dt.date
    consent_until: dt.date
    first: dt.datetime
    last: dt.datetime
    times: int


@dataclass(frozen=True, slots=True)
class Accounting:
    person_id: uuid.UUID
    display_name: str
    programme: str
    since: dt.date
    until: dt.date
    rows: list[AccountingRow]


def default_since(today: dt.date) -> dt.date:
    try:
        return today.replace(year=today.year - DEFAULT_YEARS)
    except ValueError:  # 29 February
        return today.replace(year=today.year - DEFAULT_YEARS, day=28)


def disclosure_accounting(
    *, viewer: Viewer, person_id: uuid.UUID, since: dt.date | None = None
) -> Accounting:
    """The disclosures of the viewer's programme's records about the person since `since`
    (three years by default), grouped by recipient, what, purpose, channel and release. For
    the case-management team holding the person, or a programme that disclosed about them
    before they moved on; anyone else gets OutOfScope (404). The read is audited."""
    if not can(viewer, Capability.RECORD_CONSENTS):
        raise OutOfScope("No such person.")
    person = people_in_scope(viewer.site_id, viewer=viewer).filter(public_id=person_id).first()
    if person is None:
        raise OutOfScope("No such person.")
    today = timezone.localdate()
    since = min(since or default_since(today), today)
    rows = list(
        Disclosure.objects.filter(
            person_id__in=_records_of(person),
            programme_id=viewer.organization_id,
            at__date__gte=since,
        )
        .values(
            "recipient_organization__name",
            "recipient_label",
            "categories",
            "purpose",
            "channel",
            "consent__public_id",
            "consent__effective_on",
            "consent__expires_on",
        )
        .annotate(first=Min("at"), last=Max("at"), times=Count("id"))
        .order_by("-last", "recipient_label")
    )
    holds = decide(
        viewer=viewer, person=cast(Subject, person), category=Category.CASEWORK, purpose=PURPOSE
    )
    if not holds and not rows:
        audit_read(
            viewer=viewer,
            action="person.view_refused",
            target=person,
            purpose=PURPOSE,
            detail={"page": "disclosures"},
        )
        raise OutOfScope("No such person.")
    audit_read(
        viewer=viewer,
        action="disclosure.accounting_viewed",
        target=person,
        category=Category.CASEWORK,
        purpose=PURPOSE,
        detail={"since": since.isoformat(), "rows": len(rows)},
    )
    categories = dict(Category.choices)
    purposes = dict(Purpose.choices)
    channels = dict(Disclosure.Channel.choices)
    programme = Organization.objects.filter(pk=viewer.organization_id).values_list(
        "name", flat=True
    )
    return Accounting(
        person_id=person.public_id,
        display_name=person.display_name,
        programme=programme.first() or "",
        since=since,
        until=today,
        rows=[
            AccountingRow(
                recipient=row["recipient_organization__name"],
                recipient_label=row["recipient_label"],
                categories=[categories.get(c, c) for c in row["categories"]],
                purpose=purposes.get(row["purpose"], row["purpose"]),
                channel=channels.get(row["channel"], row["channel"]),
                consent_id=row["consent__public_id"],
                consent_from=row["consent__effective_on"],
                consent_until=row["consent__expires_on"],
                first=row["first"],
                last=row["last"],
                times=row["times"],
            )
            for row in rows
        ],
    )


def _records_of(person: Person) -> list[int]:
    """The person's record and those merged into it: a disclosure stays with the record it
    was made from (a merge does not move ledger rows)."""
    ids = [person.pk]
    frontier = [person.pk]
    for _ in range(MERGE_DEPTH):
        frontier = list(
            Person.objects.filter(merged_into_id__in=frontier).values_list("pk", flat=True)
        )
        if not frontier:
            break
        ids.extend(frontier)
    return ids

"""42 CFR Part 2 disclosures: telling whether a read shows a Part 2 programme's information to
someone outside it, citing the release that allowed it, writing the `Disclosure` ledger, and
the notice that must go with every such disclosure (42 CFR 2.32).

A selector that may show such information calls `disclose()` instead of `audit_read()`: the
read and its disclosures are one audited act. Whether a category may be shown at all is not
decided here (that is `tandem.access.decisions.decide()`); this module only recognises that an
allowed read was a Part 2 disclosure, and looks up which release the decision relied on."""

from __future__ import annotations

import hashlib
import hmac
import json
import uuid
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date
from typing import TYPE_CHECKING, Any, Protocol

from django.db import models, transaction
from django.db.models import OuterRef, QuerySet, StringAgg, Subquery, TextField, Value
from django.db.models.expressions import RawSQL
from django.db.models.functions import Cast, JSONObject
from django.utils import timezone

from tandem.access.roles import Category
from tandem.audit.models import AuditEvent, Disclosure
from tandem.audit.services import _chain_key, audit_read
from tandem.consent.current import current_grants
from tandem.consent.models import ConsentGrant

if TYPE_CHECKING:
    from tandem.access.viewer import Viewer

Channel = Disclosure.Channel

# 42 CFR 2.32(a)(1), "Statement 1", as amended by the 2024 final rule (89 FR 12472): the
# notice that must accompany each disclosure made with the patient's written consent. Kept
# word for word in this one place; every page, print and API answer that discloses Part 2
# information carries it.
PART2_STATEMENT = (
    "This record which has been disclosed to you is protected by Federal confidentiality "
    "rules (42 CFR part 2). These rules prohibit you from using or disclosing this record, or "
    "testimony that describes the information contained in this record, in any civil, "
    "criminal, administrative, or legislative proceedings by any Federal, State, or local "
    "authority, against the patient, unless authorized by the consent of the patient, except "
    "as provided at 42 CFR 2.12(c)(5) or as authorized by a court in accordance with 42 CFR "
    "2.64 or 2.65. In addition, the Federal rules prohibit you from making any other use or "
    "disclosure of this record unless at least one of the following applies: (i) further use "
    "or disclosure is expressly permitted by the written consent of the individual whose "
    "information is being disclosed in this record or as otherwise permitted by 42 CFR part "
    "2; (ii) you are a covered entity or business associate and have received the record for "
    "treatment, payment, or health care operations; or (iii) you have received the record "
    "from a covered entity or business associate as permitted by 45 CFR part 164, subparts A "
    "and E. A general authorization for the release of medical or other information is NOT "
    "sufficient to meet the required elements of written consent to further use or "
    "redisclose the record (see 42 CFR 2.31)."
)
# For an HTTP header (a response that has no body to carry the statement, such as an
# image): 42 CFR 2.32(a)(2), "Statement 2", the abbreviated notice.
PART2_SHORT_STATEMENT = "42 CFR part 2 prohibits unauthorized use or disclosure of these records."
PART2_HEADER = "Part2-Notice"


class Part2Subject(Protocol):
    """A person as `people_in_scope()` annotates them: what tells a Part 2 disclosure."""

    pk: Any
    site_id: int

    @property
    def holding_organization_id(self) -> int | None: ...

    @property
    def holder_is_part2(self) -> bool | None: ...


def part2_categories(
    *, viewer: Viewer, person: Part2Subject, categories: Iterable[Category]
) -> frozenset[Category]:
    """Which of the `categories` shown to `viewer` are the Part 2 programme's information
    leaving it: none unless a Part 2 programme holds the person and the viewer works
    elsewhere. Identity alone does not say the person is a patient (see `_part2_withheld` in
    tandem/access/decisions.py); everything else the programme holds would."""
    holder = person.holding_organization_id
    if not person.holder_is_part2 or holder is None or holder == viewer.organization_id:
        return frozenset()
    return frozenset(categories) - {Category.IDENTITY}


@dataclass(frozen=True, slots=True)
class Shown:
    """One person a read showed, and which categories of them it showed."""

    person: Part2Subject
    categories: frozenset[Category]


@dataclass(frozen=True, slots=True)
class Part2Notice:
    """What must accompany a Part 2 disclosure: the statement of 42 CFR 2.32(a), and a clear
    explanation of the scope of each release relied on (42 CFR 2.32(b))."""

    statement: str
    consents: tuple[str, ...]

    @staticmethod
    def combined(notices: Iterable[Part2Notice | None]) -> Part2Notice | None:
        """One notice for a page that showed several people."""
        scopes: list[str] = []
        for notice in notices:
            if notice is not None:
                scopes.extend(scope for scope in notice.consents if scope not in scopes)
        return Part2Notice(PART2_STATEMENT, tuple(scopes)) if scopes else None


@dataclass(frozen=True, slots=True)
class Disclosed:
    """The read's audit event, the ledger rows it wrote, and the notice for each person."""

    event: AuditEvent
    rows: list[Disclosure] = field(default_factory=list)
    notices: dict[Any, Part2Notice] = field(default_factory=dict)

    def notice_for(self, person: Part2Subject) -> Part2Notice | None:
        return self.notices.get(person.pk)

    @property
    def notice(self) -> Part2Notice | None:
        return Part2Notice.combined(self.notices.values())


class MissingConsentError(RuntimeError):
    """The decision allowed a Part 2 category, but no release of the programme covers it.
    Raised rather than disclosing without one: 42 CFR 2.31 admits no disclosure outside the
    programme without written consent, and `decide()` should never have allowed it."""


def disclose(
    *,
    viewer: Viewer,
    shown: Sequence[Shown],
    channel: Channel | str,
    purpose: str,
    action: str,
    target: models.Model | None = None,
    category: str = "",
    detail: dict[str, Any] | None = None,
) -> Disclosed:
    """Audit a read that showed `shown` to `viewer` (as `audit_read` does) and, for every
    person whose Part 2 programme's information it showed outside the programme, write a
    `Disclosure` row naming the programme's current release that allowed it. The read's
    event lists each row's digest, so the rows are under the audit chain. Costs no query
    beyond the audit's unless a Part 2 disclosure happened; then one for the rows, and one
    for the releases unless the people carry them (`programme_releases()`), whatever the
    number of people."""
    found = [
        (item.person, item.categories, part2)
        for item in shown
        if (
            part2 := part2_categories(viewer=viewer, person=item.person, categories=item.categories)
        )
    ]
    if not found:
        return Disclosed(
            audit_read(
                viewer=viewer,
                action=action,
                target=target,
                category=category,
                purpose=purpose,
                detail=detail,
            )
        )
    at = timezone.now()
    releases = _releases(viewer=viewer, people=[person for person, _, _ in found])
    rows: list[Disclosure] = []
    notices: dict[Any, Part2Notice] = {}
    for person, categories, part2 in found:
        programme_id = person.holding_organization_id
        assert programme_id is not None  # part2_categories() found one
        cited = _cite(part2, releases.get((person.pk, programme_id), []))
        scopes = []
        for index, (release, covered) in enumerate(cited):
            # Who the person is goes with the first release cited; each row lists what it
            # let through, so the participant's accounting says which release allowed what.
            shown_here = covered | (categories - part2 if index == 0 else frozenset())
            rows.append(
                Disclosure(
                    public_id=uuid.uuid4(),
                    at=at,
                    site_id=person.site_id,
                    person_id=person.pk,
                    programme_id=programme_id,
                    recipient_organization_id=viewer.organization_id,
                    recipient_label=viewer.label,
                    recipient_user_id=viewer.user_id,
                    api_token_id=viewer.api_token_id,
                    consent_id=release.consent_id,
                    categories=sorted(shown_here),
                    channel=channel,
                    purpose=purpose,
                )
            )
            scopes.append(release.scope)
        notices[person.pk] = Part2Notice(PART2_STATEMENT, tuple(scopes))
    for row in rows:
        row.digest = disclosure_digest(row)
    # One transaction: the event that lists the rows and the rows commit together.
    with transaction.atomic(savepoint=False):
        event = audit_read(
            viewer=viewer,
            action=action,
            target=target,
            category=category,
            purpose=purpose,
            detail={
                **(detail or {}),
                "disclosures": {str(row.public_id): row.digest for row in rows},
            },
        )
        for row in rows:
            row.read_event = event
        Disclosure.objects.bulk_create(rows)
    return Disclosed(event, rows, notices)


def disclosure_payload(row: Disclosure) -> bytes:
    """One ledger row's fields as canonical JSON (its link to the read's event is checked
    through the event, which lists the row)."""
    payload = {
        "public_id": str(row.public_id),
        "at": row.at.isoformat(),
        "site_id": row.site_id,
        "person_id": row.person_id,
        "programme_id": row.programme_id,
        "recipient_organization_id": row.recipient_organization_id,
        "recipient_label": row.recipient_label,
        "recipient_user_id": row.recipient_user_id,
        "api_token_id": row.api_token_id,
        "consent_id": row.consent_id,
        "categories": list(row.categories),
        "channel": str(row.channel),
        "purpose": str(row.purpose),
    }
    return json.dumps(payload, sort_keys=True, separators=(",", ":")).encode()


def disclosure_digest(row: Disclosure) -> str:
    """The keyed hash (HMAC-SHA-256, the audit chain's key) of one ledger row."""
    return hmac.new(_chain_key(), disclosure_payload(row), hashlib.sha256).hexdigest()


@dataclass(frozen=True, slots=True)
class _Release:
    consent_id: int
    categories: frozenset[Category]
    scope: str
    start: date


# What one grant tells the ledger, as the annotation carries it.
_RELEASE_FIELDS = {
    "consent_id": "consent_id",
    "recorder_id": "consent__recorded_by_organization_id",
    "recorder": "consent__recorded_by_organization__name",
    "start": "consent__effective_on",
    "end": "consent__expires_on",
    "recipient": "organization__name",
    "categories": "categories",
}
_NOT_ANNOTATED = object()


def _programme_grants(viewer: Viewer) -> QuerySet[ConsentGrant]:
    return current_grants(organization_id=viewer.organization_id, today=timezone.localdate())


def _joined_releases(viewer: Viewer, *, person: Any, holder: Any) -> QuerySet[Any, Any]:
    """The current grants naming the viewer's organisation in releases that `holder`
    recorded for `person`, joined into one text value (what `_releases` reads back)."""
    grants = _programme_grants(viewer).filter(
        consent__person_id=person, consent__recorded_by_organization_id=holder
    )
    row = JSONObject(**_RELEASE_FIELDS)
    return (
        grants.order_by()
        .values("consent__person_id")
        .annotate(joined=StringAgg(Cast(row, output_field=TextField()), delimiter=Value(",")))
        .values("joined")
    )


def programme_releases(*, viewer: Viewer) -> Subquery:
    """For a query of people annotated by `people_in_scope()`: the current grants naming the
    viewer's organisation in releases the person's holding provider recorded. Annotate it
    as `part2_releases` and `disclose()` reads the releases from the row, with no query of
    its own (the person page is at its query budget)."""
    joined = _joined_releases(
        viewer, person=OuterRef("pk"), holder=OuterRef("holding_organization_id")
    )
    return Subquery(joined, output_field=TextField())


def programme_releases_sql(
    *, viewer: Viewer, person_column: str, holder_column: str
) -> tuple[str, list[Any]]:
    """`programme_releases()` as a scalar subquery for a raw SQL query of people (the
    matcher's): `person_column` and `holder_column` name the person's id and the holding
    provider's id in the outer query. Select it as `part2_releases` and `disclose()` reads
    the releases from the row, with no query of its own. The column names are the
    caller's own SQL, never input."""
    column = models.IntegerField()
    joined = _joined_releases(
        viewer,
        person=RawSQL(person_column, [], output_field=column),  # noqa: S611 (caller's SQL)
        holder=RawSQL(holder_column, [], output_field=column),  # noqa: S611 (caller's SQL)
    )
    sql, params = joined.query.sql_with_params()
    return f"({sql})", list(params)


def _release(values: dict[str, Any]) -> tuple[int, _Release]:
    """One grant's values (from the query or the annotation) as a release."""
    raw = values["categories"]
    # SQLite's json_object() keeps the stored JSON list as text; PostgreSQL nests it.
    listed = json.loads(raw) if isinstance(raw, str) else raw
    known = set(Category.values)
    categories = frozenset(Category(value) for value in listed if value in known)
    start, end = (
        value if isinstance(value, date) else date.fromisoformat(str(value)[:10])
        for value in (values["start"], values["end"])
    )
    scope = _scope(values["recorder"], values["recipient"], categories, start, end)
    return values["recorder_id"], _Release(values["consent_id"], categories, scope, start)


def _releases(
    *, viewer: Viewer, people: Sequence[Part2Subject]
) -> dict[tuple[Any, int | None], list[_Release]]:
    """The current grants naming the viewer's organisation in releases the people's own
    programmes recorded, newest first, keyed by (person, programme). Read from the
    `part2_releases` annotation where the people carry it; else one query."""
    found: dict[tuple[Any, int | None], list[_Release]] = {}
    unread = []
    for person in people:
        annotated = getattr(person, "part2_releases", _NOT_ANNOTATED)
        if annotated is _NOT_ANNOTATED:
            unread.append(person)
            continue
        for values in json.loads(f"[{annotated}]") if annotated else []:
            recorder_id, release = _release(values)
            found.setdefault((person.pk, recorder_id), []).append(release)
    if unread:
        grants = (
            _programme_grants(viewer)
            .filter(
                consent__person_id__in=[person.pk for person in unread],
                consent__recorded_by_organization_id__in={
                    person.holding_organization_id for person in unread
                },
            )
            .values("consent__person_id", *_RELEASE_FIELDS.values())
        )
        for row in grants:
            values = {key: row[lookup] for key, lookup in _RELEASE_FIELDS.items()}
            recorder_id, release = _release(values)
            found.setdefault((row["consent__person_id"], recorder_id), []).append(release)
    for releases in found.values():
        releases.sort(key=lambda release: (release.start, release.consent_id), reverse=True)
    return found


def _scope(
    recorder: str, recipient: str, categories: frozenset[Category], start: date, end: date
) -> str:
    labels = ", ".join(Category(c).label.lower() for c in sorted(categories))
    return (
        f"Disclosed under the release of information that {recorder} recorded, in effect from "
        f"{start.isoformat()} until {end.isoformat()}, naming {recipient} for: {labels}."
    )


def _cite(
    part2: frozenset[Category], releases: list[_Release]
) -> list[tuple[_Release, frozenset[Category]]]:
    """The releases that cover `part2`, newest first, each with what it covers here."""
    cited: list[tuple[_Release, frozenset[Category]]] = []
    missing = set(part2)
    for release in releases:
        covered = frozenset(missing & release.categories)
        if covered:
            cited.append((release, covered))
            missing -= covered
        if not missing:
            return cited
    raise MissingConsentError(
        "A Part 2 category was about to be disclosed without a release of the programme "
        f"covering it: {', '.join(sorted(missing))}."
    )


__all__ = [
    "PART2_HEADER",
    "PART2_SHORT_STATEMENT",
    "PART2_STATEMENT",
    "Channel",
    "Disclosed",
    "MissingConsentError",
    "Part2Notice",
    "Part2Subject",
    "Shown",
    "disclose",
    "disclosure_digest",
    "part2_categories",
    "programme_releases",
    "programme_releases_sql",
]

"""Reads of the duplicate-review queue for a project manager: the open pairs, one pair side
by side, and the recent merges. Each asks the access decision for every person it shows and
is audited; the decisions themselves are services in `tandem.people.merging`."""

from __future__ import annotations

import uuid
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime
from typing import cast

from tandem.access.decisions import (
    Capability,
    Subject,
    allowed_categories,
    can,
    recorded_by_visible,
)
from tandem.access.errors import OutOfScope
from tandem.access.roles import Category, Purpose
from tandem.access.viewer import Viewer
from tandem.audit.disclosures import Channel, Part2Notice, Part2Subject, Shown, disclose
from tandem.audit.services import audit_read
from tandem.casework.models import Enrollment
from tandem.people.models import (
    RACE_CHOICES,
    DuplicateCandidate,
    Identifier,
    Person,
    PersonMerge,
    PersonName,
)
from tandem.people.selectors import people_in_scope

QUEUE_LIMIT = 50
MERGES_LIMIT = 50


def _visible(
    viewer: Viewer, pks: Iterable[int], purpose: Purpose, *, include_merged: bool = False
) -> dict[int, tuple[Person, frozenset[Category]]]:
    """The people among `pks` whose identity the viewer may see, with their categories."""
    people = people_in_scope(viewer.site_id, include_merged=include_merged).filter(pk__in=set(pks))
    shown = {}
    for person in people:
        categories = allowed_categories(
            viewer=viewer, person=cast(Subject, person), purpose=purpose
        )
        if Category.IDENTITY in categories:
            shown[person.pk] = (person, categories)
    return shown


@dataclass(frozen=True, slots=True)
class PairPerson:
    public_id: uuid.UUID
    display_name: str
    date_of_birth: str


@dataclass(frozen=True, slots=True)
class QueueRow:
    public_id: uuid.UUID
    probability: float
    band: str
    band_label: str
    explanation: str
    a: PairPerson
    b: PairPerson


def duplicate_queue(
    *, viewer: Viewer, purpose: Purpose, limit: int = QUEUE_LIMIT
) -> list[QueueRow]:
    """Open pairs of the viewer's site, most likely first. A pair with a person the viewer
    may not see is left out."""
    if not can(viewer, Capability.REVIEW_DUPLICATES):
        return []
    candidates = list(
        DuplicateCandidate.objects.filter(
            site_id=viewer.site_id, status=DuplicateCandidate.Status.OPEN
        ).order_by("-probability", "pk")[:limit]
    )
    people = _visible(
        viewer, (pk for c in candidates for pk in (c.person_a_id, c.person_b_id)), purpose
    )
    rows = []
    for candidate in candidates:
        if candidate.person_a_id not in people or candidate.person_b_id not in people:
            continue
        a, b = people[candidate.person_a_id][0], people[candidate.person_b_id][0]
        rows.append(
            QueueRow(
                public_id=candidate.public_id,
                probability=candidate.probability,
                band=candidate.band,
                band_label=candidate.get_band_display(),
                explanation=candidate.explanation,
                a=PairPerson(a.public_id, a.display_name, a.date_of_birth_display),
                b=PairPerson(b.public_id, b.display_name, b.date_of_birth_display),
            )
        )
    audit_read(
        viewer=viewer,
        action="duplicates.listed",
        category=Category.IDENTITY,
        purpose=purpose,
        detail={"count": len(rows)},
    )
    return rows


@dataclass(frozen=True, slots=True)
class CompareRow:
    label: str
    a: str
    b: str

    @property
    def differs(self) -> bool:
        return self.a != self.b


@dataclass(frozen=True, slots=True)
class Comparison:
    public_id: uuid.UUID
    status: str
    status_label: str
    probability: float
    band_label: str
    explanation: str
    a: PairPerson
    b: PairPerson
    rows: list[CompareRow]
    # The record offered as the one to keep: the enrolled one, else the older one.
    default_survivor: uuid.UUID
    # Set when an enrollment shown is a 42 CFR Part 2 programme's, disclosed outside it.
    part2_notice: Part2Notice | None = None

    @property
    def is_open(self) -> bool:
        return self.status == DuplicateCandidate.Status.OPEN


@dataclass(frozen=True, slots=True)
class CandidatePair:
    """The rows a decision on a pair works on."""

    candidate: DuplicateCandidate
    a: Person
    b: Person


def duplicate_candidate_get(
    *, viewer: Viewer, public_id: uuid.UUID, purpose: Purpose
) -> CandidatePair:
    """A pair of the viewer's site whose two people the viewer may see; else OutOfScope."""
    if not can(viewer, Capability.REVIEW_DUPLICATES):
        raise OutOfScope("No such pair.")
    candidate = DuplicateCandidate.objects.filter(
        site_id=viewer.site_id, public_id=public_id
    ).first()
    if candidate is None:
        raise OutOfScope("No such pair.")
    people = _visible(viewer, (candidate.person_a_id, candidate.person_b_id), purpose)
    if len(people) < 2:
        raise OutOfScope("No such pair.")
    return CandidatePair(
        candidate, people[candidate.person_a_id][0], people[candidate.person_b_id][0]
    )


def duplicate_compare(*, viewer: Viewer, public_id: uuid.UUID, purpose: Purpose) -> Comparison:
    """One pair side by side: every name, date of birth, identifier, demographics where the
    viewer may see them, and enrollments. The read is audited."""
    pair = duplicate_candidate_get(viewer=viewer, public_id=public_id, purpose=purpose)
    candidate, a, b = pair.candidate, pair.a, pair.b
    categories = {
        p.pk: allowed_categories(viewer=viewer, person=cast(Subject, p), purpose=purpose)
        for p in (a, b)
    }
    names: dict[int, list[str]] = {a.pk: [], b.pk: []}
    for name in PersonName.objects.filter(person__in=[a, b], removed_at__isnull=True):
        names[name.person_id].append(f"{name} ({name.get_kind_display().lower()})")
    identifiers: dict[int, list[str]] = {a.pk: [], b.pk: []}
    for identifier in Identifier.objects.filter(
        person__in=[a, b], removed_at__isnull=True
    ).select_related("issuer"):
        issuer = identifier.issuer
        if recorded_by_visible(
            viewer=viewer,
            recorder_organization_id=identifier.issuer_id,
            recorder_is_part2=bool(issuer and issuer.is_part2_program),
        ):
            suffix = f" · {issuer.name}" if issuer else ""
            identifiers[identifier.person_id].append(f"{identifier}{suffix}")
    enrollments: dict[int, list[str]] = {a.pk: [], b.pk: []}
    enrolled: set[int] = set()
    for enrollment in Enrollment.objects.filter(person__in=[a, b]).select_related("provider"):
        if Category.ENROLLMENT not in categories[enrollment.person_id]:
            continue
        provider = enrollment.provider
        if enrollment.status == Enrollment.Status.EXITED and not recorded_by_visible(
            viewer=viewer,
            recorder_organization_id=provider.pk,
            recorder_is_part2=provider.is_part2_program,
        ):
            # A past enrollment with a Part 2 programme would say the person was its patient
            # (42 CFR 2.13); no release covers it, since the decision looks at the holder.
            continue
        enrollments[enrollment.person_id].append(
            f"{enrollment.get_status_display()} · {enrollment.provider.name} · "
            f"since {enrollment.enrolled_on:%Y-%m-%d}"
        )
        if enrollment.status != Enrollment.Status.EXITED:
            enrolled.add(enrollment.person_id)

    def both(label: str, value_a: str, value_b: str) -> CompareRow:
        return CompareRow(label, value_a or "—", value_b or "—")

    rows = [
        both("Given name", a.given_name, b.given_name),
        both("Middle name", a.middle_name, b.middle_name),
        both("Family name", a.family_name, b.family_name),
        both("Preferred name", a.preferred_name, b.preferred_name),
        both("Date of birth", a.date_of_birth_display, b.date_of_birth_display),
        both("Sex", a.get_sex_display(), b.get_sex_display()),
        both("Description", a.description, b.description),
        both("Other names", "; ".join(sorted(names[a.pk])), "; ".join(sorted(names[b.pk]))),
        both(
            "Identifiers",
            "; ".join(sorted(identifiers[a.pk])),
            "; ".join(sorted(identifiers[b.pk])),
        ),
        both("Enrollments", "; ".join(enrollments[a.pk]), "; ".join(enrollments[b.pk])),
    ]
    if all(Category.DEMOGRAPHICS in categories[p.pk] for p in (a, b)):
        rows += [
            both("Race", _race(a.race), _race(b.race)),
            both("Ethnicity", a.get_ethnicity_display(), b.get_ethnicity_display()),
            both("Gender", a.get_gender_display(), b.get_gender_display()),
        ]
    rows.append(both("Recorded", _day(a.created_at), _day(b.created_at)))
    demographics = all(Category.DEMOGRAPHICS in categories[p.pk] for p in (a, b))
    disclosed = disclose(
        viewer=viewer,
        shown=[
            Shown(
                cast(Part2Subject, p),
                frozenset({Category.IDENTITY})
                | ({Category.DEMOGRAPHICS} if demographics else frozenset())
                | ({Category.ENROLLMENT} if enrollments[p.pk] else frozenset()),
            )
            for p in (a, b)
        ],
        channel=Channel.SCREEN,
        purpose=purpose,
        action="duplicates.compared",
        target=candidate,
        category=Category.IDENTITY,
        detail={"people": [str(a.public_id), str(b.public_id)]},
    )
    return Comparison(
        public_id=candidate.public_id,
        status=candidate.status,
        status_label=candidate.get_status_display(),
        probability=candidate.probability,
        band_label=candidate.get_band_display(),
        explanation=candidate.explanation,
        a=PairPerson(a.public_id, a.display_name, a.date_of_birth_display),
        b=PairPerson(b.public_id, b.display_name, b.date_of_birth_display),
        rows=rows,
        default_survivor=_default_survivor(a, b, enrolled).public_id,
        part2_notice=disclosed.notice,
    )


def _default_survivor(a: Person, b: Person, enrolled: set[int]) -> Person:
    if (a.pk in enrolled) != (b.pk in enrolled):
        return a if a.pk in enrolled else b
    return min((a, b), key=lambda p: (p.created_at, p.pk))


def _race(race: list[str]) -> str:
    return ", ".join(RACE_CHOICES.get(value, value) for value in race)


def _day(moment: datetime | date) -> str:
    return f"{moment:%Y-%m-%d}"


@dataclass(frozen=True, slots=True)
class MergeRow:
    public_id: uuid.UUID
    survivor: str
    survivor_public_id: uuid.UUID | None
    merged: str
    merged_at: datetime
    merged_by: str
    reason: str
    undone_at: datetime | None
    undone_by: str
    undo_reason: str
    # Undoing needs the survivor still standing: a later merge of it is undone first.
    can_unmerge: bool


HIDDEN = "A record you may not see"


def merge_list(*, viewer: Viewer, purpose: Purpose, limit: int = MERGES_LIMIT) -> list[MergeRow]:
    """The site's most recent merges, newest first, undone ones included."""
    if not can(viewer, Capability.REVIEW_DUPLICATES):
        return []
    merges = list(
        PersonMerge.objects.filter(site_id=viewer.site_id)
        .select_related("merged_by", "undone_by")
        .order_by("-created_at", "-pk")[:limit]
    )
    people = _visible(
        viewer,
        (pk for m in merges for pk in (m.survivor_id, m.merged_id)),
        purpose,
        include_merged=True,
    )
    rows = []
    for merge in merges:
        survivor = people.get(merge.survivor_id, (None, None))[0]
        merged = people.get(merge.merged_id, (None, None))[0]
        rows.append(
            MergeRow(
                public_id=merge.public_id,
                survivor=survivor.display_name if survivor else HIDDEN,
                survivor_public_id=(
                    survivor.public_id if survivor and survivor.merged_into_id is None else None
                ),
                merged=merged.display_name if merged else HIDDEN,
                merged_at=merge.created_at,
                merged_by=str(merge.merged_by or "System"),
                reason=merge.reason,
                undone_at=merge.undone_at,
                undone_by=str(merge.undone_by or ("System" if merge.undone_at else "")),
                undo_reason=merge.undo_reason,
                can_unmerge=(
                    merge.undone_at is None
                    and survivor is not None
                    and merged is not None
                    and survivor.merged_into_id is None
                ),
            )
        )
    audit_read(
        viewer=viewer,
        action="merges.listed",
        category=Category.IDENTITY,
        purpose=purpose,
        detail={"count": len(rows)},
    )
    return rows


def merge_get(*, viewer: Viewer, public_id: uuid.UUID) -> PersonMerge:
    """A merge of the viewer's site, for the unmerge action; else OutOfScope."""
    if not can(viewer, Capability.REVIEW_DUPLICATES):
        raise OutOfScope("No such merge.")
    merge = PersonMerge.objects.filter(site_id=viewer.site_id, public_id=public_id).first()
    if merge is None:
        raise OutOfScope("No such merge.")
    return merge

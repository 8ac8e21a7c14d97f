"""Two records of one person made one (`person_merge`), and the merge undone exactly
(`person_unmerge`); plus the other decision of the duplicate queue, "not the same person".

Which rows a merge moves is found at merge time from `Person._meta`: every row of every
model with a foreign key or one-to-one key to Person moves from the merged record to the
survivor, so a table that a later app adds (referrals, consents, contacts, ...) is covered
without a change here. Two kinds of link stay where they are:

- a model that sets the class attribute ``merge_follows_person = False``: rows that belong to
  the record they were written for (its history, merges, the duplicate queue) or are derived
  from it and recomputed after the merge (the matcher's index);
- `Person.merged_into` itself: a record merged earlier into the merged one keeps pointing at
  it, so that each merge can be undone on its own; readers follow the chain.

The merge row stores exactly which rows moved (model label, field name, primary keys), the
rows it created, and both people's fields, so `person_unmerge` can put everything back.
"""

from __future__ import annotations

import uuid
from datetime import date, datetime, time
from decimal import Decimal
from typing import Any, cast

from django.apps import apps
from django.core.exceptions import ValidationError
from django.db import IntegrityError, models, transaction
from django.db.models import Q
from django.utils import timezone

from tandem.access.decisions import Subject, allowed_categories
from tandem.access.roles import Category, Purpose
from tandem.access.viewer import Viewer
from tandem.accounts.models import User
from tandem.audit.services import audit_record
from tandem.casework.models import Enrollment
from tandem.matching.index import person_index_refresh
from tandem.people.history import person_version_write
from tandem.people.models import DuplicateCandidate, Person, PersonMerge, PersonName, PersonVersion
from tandem.people.selectors import people_in_scope

MERGE_MARKER = "merge_follows_person"

# Fields of the survivor that a merge fills from the merged record when the survivor has no
# value, so that nothing known about the person is lost by choosing one record over the other.
FILLABLE_TEXT = ("middle_name", "preferred_name", "description")


def person_links() -> list[tuple[type[models.Model], str]]:
    """(model, field name) of every foreign key to Person whose rows follow a merge."""
    links = []
    for relation in Person._meta.get_fields(include_hidden=True):
        if not (relation.auto_created and not relation.concrete):
            continue
        if not (relation.one_to_many or relation.one_to_one):
            continue
        model = cast(type[models.Model], relation.related_model)
        if model is Person or not getattr(model, MERGE_MARKER, True):
            continue
        links.append((model, cast(models.ForeignObjectRel, relation).field.name))
    return sorted(links, key=lambda link: (link[0]._meta.label_lower, link[1]))


@transaction.atomic
def person_merge(
    *, actor: User | None, survivor: Person, merged: Person, reason: str
) -> PersonMerge:
    """Make `merged` part of `survivor`: its names (its own main name becomes an alias of the
    survivor), identifiers and every linked record move to the survivor, gaps in the
    survivor's fields are filled from it, and it is hidden behind the survivor. Refuses,
    changing nothing, what cannot be undone cleanly or would join two teams' work."""
    reason = reason.strip()
    if not reason:
        raise ValidationError("Say why these two records are the same person.")
    if survivor.pk == merged.pk:
        raise ValidationError("A record cannot be merged with itself.")
    locked = _lock_people(survivor.pk, merged.pk)
    keep, gone = locked[survivor.pk], locked[merged.pk]
    if keep.site_id != gone.site_id:
        raise ValidationError("These records belong to different sites and cannot be merged.")
    for person, which in ((keep, "The record to keep"), (gone, "The record to merge")):
        if person.merged_into_id is not None:
            raise ValidationError(f"{which} was already merged into another record.")
    _refuse_two_open_enrollments(keep, gone)

    survivor_before, merged_before = _fields(keep), _fields(gone)
    moved = []
    for model, field in person_links():
        pks = list(
            model._base_manager.filter(**{field: gone}).order_by("pk").values_list("pk", flat=True)
        )
        if pks:
            moved.append({"model": model._meta.label_lower, "field": field, "pks": pks})
    _move(moved, source=gone, target=keep)
    created = _keep_names(keep, gone)
    filled = _fill_gaps(keep, gone)
    if filled:
        keep.full_clean()
        keep.save()
    gone.merged_into = keep
    gone.save(update_fields=["merged_into", "updated_at"])
    candidates_before = _settle_candidates(keep, gone, actor)
    merge = PersonMerge.objects.create(
        site_id=keep.site_id,
        survivor=keep,
        merged=gone,
        merged_by=_known(actor),
        reason=reason,
        moved=moved,
        created_rows=[{"model": PersonName._meta.label_lower, "pks": created}] if created else [],
        survivor_before=survivor_before,
        survivor_after=_fields(keep),
        merged_before=merged_before,
        candidates_before=candidates_before,
    )
    for person in (keep, gone):
        person_version_write(
            person=person, kind=PersonVersion.Kind.MERGED, actor=actor, reason=reason
        )
    audit_record(
        actor=actor,
        site=keep.site_id,
        action="person.merged",
        target=keep,
        category="identity",
        detail={
            "merge": str(merge.public_id),
            "merged": str(gone.public_id),
            "moved": {entry["model"]: len(entry["pks"]) for entry in moved},
            "filled": sorted(filled),
            "reason": reason,
        },
    )
    person_index_refresh(keep)
    person_index_refresh(gone)
    return merge


@transaction.atomic
def person_unmerge(*, actor: User | None, merge: PersonMerge, reason: str) -> PersonMerge:
    """Undo a merge exactly: every row it moved goes back, the aliases it created go, both
    people's fields return to what they were (a survivor's field edited since the merge
    keeps its new value), and the duplicate candidates it set aside are open again."""
    reason = reason.strip()
    if not reason:
        raise ValidationError("Say why these two records are not the same person.")
    merge = PersonMerge.objects.select_for_update().get(pk=merge.pk)
    if merge.undone_at is not None:
        raise ValidationError("This merge was already undone.")
    locked = _lock_people(merge.survivor_id, merge.merged_id)
    keep, gone = locked[merge.survivor_id], locked[merge.merged_id]
    if keep.merged_into_id is not None:
        raise ValidationError(
            "The record that was kept has since been merged into another record. "
            "Undo that later merge first."
        )
    if gone.merged_into_id != keep.pk:
        raise ValidationError("The merged record is no longer part of this merge.")

    _move(merge.moved, source=keep, target=gone)
    for entry in merge.created_rows:
        apps.get_model(entry["model"])._base_manager.filter(pk__in=entry["pks"]).delete()
    _restore(gone, merge.merged_before)
    current = _fields(keep)
    _restore(
        keep,
        {
            name: merge.survivor_before[name]
            if current[name] == merge.survivor_after.get(name)
            else value
            for name, value in current.items()
        },
    )
    for pk, before in merge.candidates_before.items():
        DuplicateCandidate.objects.filter(pk=int(pk)).update(
            status=before["status"],
            decided_by_id=before["decided_by_id"],
            decided_at=_decode_datetime(before["decided_at"]),
        )
    merge.undone_at = timezone.now()
    merge.undone_by = _known(actor)
    merge.undo_reason = reason
    merge.save(update_fields=["undone_at", "undone_by", "undo_reason", "updated_at"])
    for person in (keep, gone):
        person.refresh_from_db()
        person_version_write(
            person=person, kind=PersonVersion.Kind.UNMERGED, actor=actor, reason=reason
        )
    audit_record(
        actor=actor,
        site=keep.site_id,
        action="person.unmerged",
        target=keep,
        category="identity",
        detail={"merge": str(merge.public_id), "merged": str(gone.public_id), "reason": reason},
    )
    person_index_refresh(keep)
    person_index_refresh(gone)
    return merge


@transaction.atomic
def duplicate_candidate_reject(
    *, actor: User | None, candidate: DuplicateCandidate, reason: str = ""
) -> DuplicateCandidate:
    """Record that a proposed pair are two different people. The row stays, so the scanner
    never proposes the pair again."""
    candidate = DuplicateCandidate.objects.select_for_update().get(pk=candidate.pk)
    if candidate.status != DuplicateCandidate.Status.OPEN:
        raise ValidationError("This pair was already decided.")
    candidate.status = DuplicateCandidate.Status.NOT_DUPLICATE
    candidate.decided_by = _known(actor)
    candidate.decided_at = timezone.now()
    candidate.save(update_fields=["status", "decided_by", "decided_at", "updated_at"])
    audit_record(
        actor=actor,
        site=candidate.site_id,
        action="duplicate.rejected",
        target=candidate,
        category="identity",
        detail={"reason": reason.strip()} if reason.strip() else None,
    )
    return candidate


def person_survivor_get(
    *, viewer: Viewer, public_id: uuid.UUID, purpose: Purpose
) -> uuid.UUID | None:
    """For a record merged away, the public id of the record that now stands for it, if the
    viewer may see that one; else None (the caller answers 404 as for any unknown id)."""
    people = people_in_scope(viewer.site_id, include_merged=True)
    person = people.filter(public_id=public_id, merged_into__isnull=False).first()
    # A chain is as long as the merges done one after another; a loop cannot be stored,
    # but the bound keeps a damaged row from holding the request.
    for _ in range(50):
        if person is None:
            return None
        if person.merged_into_id is None:
            categories = allowed_categories(
                viewer=viewer, person=cast(Subject, person), purpose=purpose
            )
            if categories & {Category.IDENTITY, Category.ENROLLMENT}:
                return person.public_id
            return None
        person = people.filter(pk=person.merged_into_id).first()
    return None


def _lock_people(*pks: int) -> dict[int, Person]:
    # Always in key order, so that two merges of overlapping pairs cannot deadlock.
    people = Person.objects.select_for_update().filter(pk__in=pks).order_by("pk")
    return {person.pk: person for person in people}


def _known(actor: User | None) -> User | None:
    return actor if actor is not None and actor.is_authenticated else None


def _refuse_two_open_enrollments(keep: Person, gone: Person) -> None:
    open_enrollments = (
        Enrollment.objects.filter(person__in=[keep, gone])
        .exclude(status=Enrollment.Status.EXITED)
        .select_related("provider")
    )
    providers = {enrollment.person_id: enrollment.provider for enrollment in open_enrollments}
    if len(providers) < 2:
        return
    first, second = providers[keep.pk], providers[gone.pk]
    if first.pk == second.pk:
        raise ValidationError(
            f"Both records have an open enrollment with {first.name}. A person holds one open "
            "enrollment at a time: exit the one that should not stand, then merge."
        )
    raise ValidationError(
        f"Both records have an open enrollment, one with {first.name} and one with "
        f"{second.name}: two case-management teams hold them. Decide with both teams which "
        "enrollment stands and exit the other first, then merge."
    )


def _move(moved: list[dict[str, Any]], *, source: Person, target: Person) -> None:
    try:
        # A savepoint, so that a refusal by the database leaves the transaction usable.
        with transaction.atomic():
            for entry in moved:
                model = apps.get_model(entry["model"])
                field = entry["field"]
                model._base_manager.filter(pk__in=entry["pks"], **{field: source}).update(
                    **{field: target}
                )
    except IntegrityError as exc:
        raise ValidationError(
            "The two records hold linked records that one person cannot hold together "
            f"({exc.__class__.__name__}); resolve them first."
        ) from exc


def _keep_names(keep: Person, gone: Person) -> list[int]:
    """The merged record's own names, as names of the survivor; returns the new rows' keys."""
    wanted = [(PersonName.Kind.ALIAS, gone.given_name, gone.family_name)]
    if gone.preferred_name and keep.preferred_name and gone.preferred_name != keep.preferred_name:
        wanted.append((PersonName.Kind.NICKNAME, gone.preferred_name, ""))
    created = []
    for kind, given, family in wanted:
        if not (given or family):
            continue
        same_as_main = (
            given.casefold() == keep.given_name.casefold()
            and family.casefold() == keep.family_name.casefold()
        )
        known = PersonName.objects.filter(
            person=keep, given_name__iexact=given, family_name__iexact=family
        ).filter(removed_at__isnull=True)
        if same_as_main or known.exists():
            continue
        row = PersonName(person=keep, kind=kind, given_name=given, family_name=family)
        row.full_clean()
        row.save()
        created.append(row.pk)
    return created


def _fill_gaps(keep: Person, gone: Person) -> set[str]:
    filled = set()
    for field in FILLABLE_TEXT:
        if not getattr(keep, field) and getattr(gone, field):
            setattr(keep, field, getattr(gone, field))
            filled.add(field)
    if keep.date_of_birth is None and gone.date_of_birth is not None:
        keep.date_of_birth, keep.dob_precision = gone.date_of_birth, gone.dob_precision
        filled |= {"date_of_birth", "dob_precision"}
    unknown = {
        "sex": Person.Sex.UNKNOWN,
        "ethnicity": Person.Ethnicity.NOT_ASKED,
        "gender": Person.Gender.NOT_ASKED,
    }
    for field, nothing in unknown.items():
        if getattr(keep, field) == nothing and getattr(gone, field) != nothing:
            setattr(keep, field, getattr(gone, field))
            filled.add(field)
    if not keep.race and gone.race:
        keep.race = list(gone.race)
        filled.add("race")
    if not keep.photo and gone.photo:
        keep.photo = gone.photo.name
        filled.add("photo")
    return filled


def _settle_candidates(keep: Person, gone: Person, actor: User | None) -> dict[str, Any]:
    """Open candidates that involve the merged record are settled by the merge: the pair
    merged becomes "merged", every other one "dismissed by merge". Returns their state
    before, for the unmerge."""
    before = {}
    now = timezone.now()
    candidates = DuplicateCandidate.objects.select_for_update().filter(
        Q(person_a=gone) | Q(person_b=gone), status=DuplicateCandidate.Status.OPEN
    )
    for candidate in candidates:
        before[str(candidate.pk)] = {
            "status": candidate.status,
            "decided_by_id": candidate.decided_by_id,
            "decided_at": candidate.decided_at.isoformat() if candidate.decided_at else None,
        }
        pair = {candidate.person_a_id, candidate.person_b_id} == {keep.pk, gone.pk}
        candidate.status = (
            DuplicateCandidate.Status.MERGED
            if pair
            else DuplicateCandidate.Status.DISMISSED_BY_MERGE
        )
        candidate.decided_by = _known(actor)
        candidate.decided_at = now
        candidate.save(update_fields=["status", "decided_by", "decided_at"])
    return before


# Every concrete field of a person as JSON, and back: the merge row keeps both people exactly.


def _fields(person: Person) -> dict[str, Any]:
    return {
        field.attname: _encode(getattr(person, field.attname))
        for field in Person._meta.concrete_fields
        if not field.primary_key
    }


def _encode(value: Any) -> Any:
    if value is None or isinstance(value, str | int | float | bool | list | dict):
        return value
    if isinstance(value, datetime | date | time):
        return value.isoformat()
    if isinstance(value, uuid.UUID | Decimal):
        return str(value)
    # A file field's value: its stored name.
    return getattr(value, "name", None) or ""


def _restore(person: Person, values: dict[str, Any]) -> None:
    fields = {field.attname: field for field in Person._meta.concrete_fields}
    # update() writes the values as given (no auto_now), so the row is exactly as it was.
    Person.objects.filter(pk=person.pk).update(
        **{
            name: None if value is None else fields[name].to_python(value)
            for name, value in values.items()
        }
    )


def _decode_datetime(value: str | None) -> datetime | None:
    return datetime.fromisoformat(value) if value else None

"""Writes of the matcher: its index of people, each site's trained model, and the scan that
fills the duplicate-review queue."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime

from django.db import connection, transaction
from django.db.models import Prefetch
from django.utils import timezone

from tandem.accounts.models import User
from tandem.audit.services import audit_record
from tandem.matching.core import (
    LinkResult,
    MatchModel,
    MatchRecord,
    blocking_keys,
    link,
    prepare,
    search_keys,
    train_model,
)
from tandem.matching.core.names import normalise
from tandem.matching.models import MatchKey, MatchName, MatchProfile, SiteMatchModel
from tandem.matching.records import (
    record_of,
    record_to_json,
)
from tandem.people.models import DuplicateCandidate, Identifier, Person, PersonName
from tandem.tenancy.models import Site


def _current_names() -> Prefetch[str]:
    return Prefetch(
        "names", queryset=PersonName.objects.filter(removed_at__isnull=True), to_attr="current"
    )


def _current_identifiers() -> Prefetch[str]:
    return Prefetch(
        "identifiers",
        queryset=Identifier.objects.filter(removed_at__isnull=True).select_related("issuer"),
        to_attr="current_ids",
    )


def _records(people: Iterable[Person]) -> list[tuple[Person, MatchRecord]]:
    return [
        (person, record_of(person, person.current, person.current_ids))  # type: ignore[attr-defined]
        for person in people
    ]


@dataclass(frozen=True, slots=True)
class IndexRows:
    """What the index holds for one person, as plain values."""

    profile: str
    keys: list[str]
    names: list[str]


def _index_rows(record: MatchRecord) -> IndexRows:
    prepared = prepare(record)
    keys = set(blocking_keys(prepared)) | set(search_keys(prepared))
    # A bare identifier value, whatever its kind, for a search box that does not know it.
    keys |= {f"iv:{ident.split(':', 1)[1]}" for ident in record.identifiers}
    names = {
        normalise(" ".join(part for part in (given, family) if part))
        for given, family in ((record.given_name, record.surname), *record.other_names)
    }
    return IndexRows(
        profile=record_to_json(record),
        keys=sorted(key[:80] for key in keys),
        names=sorted(name[:210] for name in names if name),
    )


@transaction.atomic
def person_keys_store(person: Person) -> None:
    """Recompute one person's profile, keys and names. A person merged into another is
    taken out of the index: only the survivor can be found."""
    MatchKey.objects.filter(person=person).delete()
    MatchName.objects.filter(person=person).delete()
    if person.merged_into_id is not None:
        MatchProfile.objects.filter(person=person).delete()
        return
    loaded = (
        Person.objects.filter(pk=person.pk)
        .prefetch_related(_current_names(), _current_identifiers())
        .get()
    )
    [(_, record)] = _records([loaded])
    rows = _index_rows(record)
    MatchProfile.objects.update_or_create(
        person=loaded, defaults={"site_id": loaded.site_id, "record": rows.profile}
    )
    site_id = loaded.site_id
    MatchKey.objects.bulk_create(
        MatchKey(site_id=site_id, person=loaded, key=key) for key in rows.keys
    )
    MatchName.objects.bulk_create(
        MatchName(site_id=site_id, person=loaded, name=name) for name in rows.names
    )


def _site_people(site: Site) -> list[tuple[Person, MatchRecord]]:
    people = (
        Person.objects.filter(site=site, merged_into__isnull=True)
        .prefetch_related(_current_names(), _current_identifiers())
        .order_by("pk")
    )
    return _records(people.iterator(chunk_size=2000))


@transaction.atomic
def site_reindex(*, site: Site, batch: int = 2000) -> int:
    """Rebuild the whole index of one site (after an upgrade of the matcher's keys, or an
    import that wrote people in bulk). Rows are written with executemany: building a model
    instance per key cost more than the keys themselves."""
    MatchKey.objects.filter(site=site).delete()
    MatchName.objects.filter(site=site).delete()
    MatchProfile.objects.filter(site=site).delete()
    pending: list[tuple[int, IndexRows]] = []
    count = 0
    for person, record in _site_people(site):
        pending.append((person.pk, _index_rows(record)))
        count += 1
        if len(pending) >= batch:
            _flush(site.pk, pending)
    _flush(site.pk, pending)
    return count


def _flush(site_id: int, pending: list[tuple[int, IndexRows]]) -> None:
    tables = {model: model._meta.db_table for model in (MatchProfile, MatchKey, MatchName)}
    with connection.cursor() as cursor:
        cursor.executemany(
            f"INSERT INTO {tables[MatchProfile]} (site_id, person_id, record) "  # noqa: S608
            "VALUES (%s, %s, %s)",
            [(site_id, person_id, rows.profile) for person_id, rows in pending],
        )
        cursor.executemany(
            f"INSERT INTO {tables[MatchKey]} (site_id, person_id, key) "  # noqa: S608
            "VALUES (%s, %s, %s)",
            [(site_id, person_id, key) for person_id, rows in pending for key in rows.keys],
        )
        cursor.executemany(
            f"INSERT INTO {tables[MatchName]} (site_id, person_id, name) "  # noqa: S608
            "VALUES (%s, %s, %s)",
            [(site_id, person_id, name) for person_id, rows in pending for name in rows.names],
        )
    pending.clear()


# Fewer people than this give the estimate too few pairs to learn from; the built-in weights
# serve such a site better than weights fitted to a handful of records.
MIN_TRAINING_PEOPLE = 200


class TooFewPeopleError(ValueError):
    pass


@transaction.atomic
def site_model_train(*, actor: User | None, site: Site) -> SiteMatchModel:
    """Estimate the site's weights from its own people (unsupervised: no one labels pairs)
    and store them as the site's newest model version."""
    records = [record for _, record in _site_people(site)]
    if len(records) < MIN_TRAINING_PEOPLE:
        raise TooFewPeopleError(
            f"{site.name} has {len(records)} people; at least {MIN_TRAINING_PEOPLE} are needed "
            "to estimate weights. The built-in weights stay in use."
        )
    model = train_model(records)
    latest = SiteMatchModel.objects.filter(site=site).order_by("-version").first()
    row = SiteMatchModel.objects.create(
        site=site,
        version=(latest.version + 1) if latest else 1,
        parameters=model.to_dict(),
        trained_on=len(records),
        trained_by=actor.username if actor else "",
    )
    audit_record(
        actor=actor,
        site=site,
        action="matching.model_trained",
        target=row,
        detail={"version": row.version, "people": len(records)},
    )
    return row


def site_model(site_id: int) -> MatchModel:
    """The site's newest trained model, or the built-in one before any training."""
    newest = SiteMatchModel.objects.filter(site_id=site_id).order_by("-version")
    row = newest.values_list("pk", "trained_at").first()
    if row is None:
        return MatchModel.default()
    cached = _MODELS.get(row)
    if cached is None:
        # Read and parsed once per process and version: a model is never changed.
        parameters = SiteMatchModel.objects.values_list("parameters", flat=True).get(pk=row[0])
        cached = _MODELS[row] = MatchModel.from_dict(parameters)
    return cached


# Parsed models by row and training time (a row is never changed once written).
_MODELS: dict[tuple[int, datetime], MatchModel] = {}


@transaction.atomic
def duplicates_scan(*, actor: User | None, site: Site) -> int:
    """Compare every person of the site with the others who share a blocking key and put
    each likely pair in the duplicate-review queue. Pairs someone already decided are not
    proposed again; open ones get the newest score. Returns how many pairs are open."""
    people = _site_people(site)
    by_id = {str(person.pk): person for person, _ in people}
    result: LinkResult = link([record for _, record in people], model=site_model(site.pk))
    decided = {
        (a, b)
        for a, b in DuplicateCandidate.objects.filter(site=site)
        .exclude(status=DuplicateCandidate.Status.OPEN)
        .values_list("person_a_id", "person_b_id")
    }
    existing = {
        (row.person_a_id, row.person_b_id): row
        for row in DuplicateCandidate.objects.filter(
            site=site, status=DuplicateCandidate.Status.OPEN
        )
    }
    now = timezone.now()
    seen: set[tuple[int, int]] = set()
    new: list[DuplicateCandidate] = []
    changed: list[DuplicateCandidate] = []
    for pair in result.pairs:
        if pair.band not in ("link", "review"):
            continue
        a, b = sorted((by_id[pair.left_id].pk, by_id[pair.right_id].pk))
        if (a, b) in decided or (a, b) in seen:
            continue
        seen.add((a, b))
        row = existing.get((a, b))
        if row is None:
            new.append(
                DuplicateCandidate(
                    site=site,
                    person_a_id=a,
                    person_b_id=b,
                    probability=pair.probability,
                    band=pair.band,
                    explanation=pair.explanation,
                    found_at=now,
                )
            )
        else:
            row.probability, row.band, row.explanation = (
                pair.probability,
                pair.band,
                pair.explanation,
            )
            changed.append(row)
    DuplicateCandidate.objects.bulk_create(new)
    DuplicateCandidate.objects.bulk_update(changed, ["probability", "band", "explanation"])
    # Pairs no longer scored as likely stay in the queue until someone decides them:
    # nothing a reviewer might still want to look at disappears on its own.
    audit_record(
        actor=actor,
        site=site,
        action="matching.duplicates_scanned",
        detail={"compared": result.candidates, "new": len(new), "updated": len(changed)},
    )
    return DuplicateCandidate.objects.filter(
        site=site, status=DuplicateCandidate.Status.OPEN
    ).count()


__all__ = [
    "duplicates_scan",
    "person_keys_store",
    "site_model",
    "site_model_train",
    "site_reindex",
]

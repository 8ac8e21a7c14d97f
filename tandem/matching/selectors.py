"""Finding people: one record (or what someone typed in a search box) against the site's
people. Candidates come from the database by indexed keys (and, on PostgreSQL, trigram
similarity of names); they are scored in process by the site's model; only people whose
identity the viewer may see are returned, and the lookup is audited."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import dataclass, replace
from functools import lru_cache
from typing import Any, cast

from django.db import connection
from django.utils import timezone

from tandem.access.decisions import Capability, Subject, can, decide
from tandem.access.roles import Category, Purpose
from tandem.access.viewer import Viewer
from tandem.audit.disclosures import (
    Channel,
    Part2Notice,
    Part2Subject,
    Shown,
    disclose,
    programme_releases_sql,
)
from tandem.casework.models import Enrollment
from tandem.consent.current import categories_from_aggregate, granted_categories_sql
from tandem.matching.core import Gamma, MatchModel, MatchRecord, Prepared, compare, prepare
from tandem.matching.core import blocking_keys as core_blocking_keys
from tandem.matching.core import search_keys as core_search_keys
from tandem.matching.core.names import normalise
from tandem.matching.models import MatchKey, MatchName, MatchProfile
from tandem.matching.records import name_fragments, query_record, record_from_json
from tandem.matching.services import site_model
from tandem.people.models import Identifier, Person
from tandem.tenancy.models import Organization

# How many people sharing keys with the query are scored at most. Keys are ranked by how
# many a person shares, so the best-supported candidates are always among them.
CANDIDATE_CAP = 400
# How many people found only by a part of their name are added to the candidates.
FRAGMENT_CAP = 100
# Prepared profiles kept per process: a large site's whole population, a few kilobytes each.
PREPARED_CACHE_SIZE = 60_000


@dataclass(frozen=True, slots=True)
class Candidate:
    """A person who may be the one looked for, with why."""

    public_id: uuid.UUID
    display_name: str
    date_of_birth: str
    probability: float
    band: str
    explanation: str
    enrollment_status: str | None
    # Set when the status is a 42 CFR Part 2 programme's information disclosed outside it.
    part2_notice: Part2Notice | None = None


def _query_keys(prepared: Prepared, record: MatchRecord) -> set[str]:
    keys = set(core_blocking_keys(prepared)) | set(core_search_keys(prepared))
    keys |= {f"iv:{ident.split(':', 1)[1]}" for ident in record.identifiers}
    return keys


# The lookup runs inside a request with a budget of 20 ms at 50,000 people (DESIGN.md §7),
# so its two reads of the index and of the people shown are written as SQL: compiling the
# equivalent ORM queries cost more than running them. Table names come from the models.
Sql = tuple[str, list[Any]]


def _by_keys(site_id: int, keys: set[str]) -> Sql:
    """People sharing keys with the query, those sharing the most first (a subquery)."""
    marks = ", ".join(["%s"] * len(keys))
    return (
        f"SELECT k.person_id FROM {MatchKey._meta.db_table} k "  # noqa: S608 (names from models)
        f"WHERE k.site_id = %s AND k.key IN ({marks}) "
        "GROUP BY k.person_id ORDER BY COUNT(*) DESC, k.person_id LIMIT %s",
        [site_id, *sorted(keys), CANDIDATE_CAP],
    )


def _by_name_parts(site_id: int, fragments: list[str]) -> Sql:
    """People one of whose names contains every word typed (what someone has only half
    typed). A subquery."""
    names = MatchName.objects.filter(site_id=site_id)
    for fragment in fragments:
        names = names.filter(name__contains=fragment)
    sql, params = names.values("person_id")[:FRAGMENT_CAP].query.sql_with_params()
    return sql, list(params)


def _by_similar_name(site_id: int, text: str) -> list[Sql]:
    """On PostgreSQL, people whose name is similar to the whole text (pg_trgm): the
    misspellings the phonetic keys miss. It costs tens of milliseconds on a large site, so
    it is asked only when nothing else found anyone."""
    if connection.vendor != "postgresql" or len(text) < 3:
        return []
    similar = MatchName.objects.filter(site_id=site_id, name__similar=text)
    sql, params = similar.values("person_id")[:FRAGMENT_CAP].query.sql_with_params()
    return [(sql, list(params))]


@lru_cache(maxsize=PREPARED_CACHE_SIZE)
def _prepared(text: str) -> Prepared:
    """A stored profile, prepared for comparison. The profile's text is the key, so a
    changed person (new text) is never served from an old entry."""
    return prepare(record_from_json(text))


@dataclass(frozen=True, slots=True)
class Scored:
    weight: float
    probability: float
    gamma: Gamma
    person_id: int


def _score(
    site_id: int, query: Prepared, sources: Sequence[Sql], model: MatchModel
) -> list[Scored]:
    """Every candidate's score, best first (ties in the order people were recorded).

    The candidates' ids are read first and their profiles then by those ids: as one
    statement with the sources as subqueries, PostgreSQL planned a scan of every profile
    of the site (a quarter of a second at 50,000 people) whenever the keys found no one,
    and SQLite did the same when the site was in the WHERE clause."""
    ids: set[int] = set()
    with connection.cursor() as cursor:
        for sql, params in sources:
            cursor.execute(sql, params)
            ids.update(person_id for (person_id,) in cursor.fetchall())
        if not ids:
            return []
        ordered = sorted(ids)
        marks = ", ".join(["%s"] * len(ordered))
        cursor.execute(
            f"SELECT p.person_id, p.site_id, p.record FROM {MatchProfile._meta.db_table} p "  # noqa: S608
            f"WHERE p.person_id IN ({marks})",
            ordered,
        )
        rows = cursor.fetchall()
    scored = []
    for person_id, row_site_id, text in rows:
        if row_site_id != site_id:  # every source keeps to the site; checked again here
            continue
        gamma = compare(query, _prepared(text))
        scored.append(Scored(model.weight(gamma), model.probability(gamma), gamma, person_id))
    scored.sort(key=lambda row: (-row.weight, row.person_id))
    return scored


def _people_shown(viewer: Viewer, ids: list[int]) -> dict[int, Person]:
    """The people among `ids` that belong to the viewer's site and were not merged away,
    each with what the access decision needs: the provider holding their open enrollment,
    whether it is a Part 2 programme, the enrollment's status, the provider of their latest
    ended enrollment, the categories current
    releases grant the viewer's organisation, and (where a Part 2 programme holds them) the
    programme's releases naming it, which `disclose()` cites without a query of its own
    (people_in_scope() and programme_releases() in one statement)."""
    if not ids:
        return {}
    person, enrollment, organization = (
        Person._meta.db_table,
        Enrollment._meta.db_table,
        Organization._meta.db_table,
    )
    marks = ", ".join(["%s"] * len(ids))
    granted, _ = granted_categories_sql(person_column="p.id")
    holder_granted, _ = granted_categories_sql(
        person_column="p.id", recorded_by_column="e.provider_id"
    )
    releases, release_params = programme_releases_sql(
        viewer=viewer, person_column="p.id", holder_column="e.provider_id"
    )
    today = timezone.localdate()
    grant_params = [viewer.organization_id, today, today]
    rows = Person.objects.raw(
        f"SELECT p.*, e.provider_id AS holding_organization_id, "  # noqa: S608
        f"o.is_part2_program AS holder_is_part2, e.status AS enrollment_status, "
        f"{granted} AS granted_raw, {holder_granted} AS holder_granted_raw, "
        f"CASE WHEN o.is_part2_program THEN {releases} END AS part2_releases, "
        f"(SELECT x.provider_id FROM {enrollment} x WHERE x.person_id = p.id AND x.status = %s "
        "ORDER BY x.enrolled_on DESC, x.id DESC LIMIT 1) AS former_holder_organization_id "
        f"FROM {person} p "
        f"LEFT JOIN {enrollment} e ON e.person_id = p.id AND e.status <> %s "
        f"LEFT JOIN {organization} o ON o.id = e.provider_id "
        f"WHERE p.site_id = %s AND p.merged_into_id IS NULL AND p.id IN ({marks}) "
        "ORDER BY p.id, e.id",
        [
            *grant_params,
            *grant_params,
            *release_params,
            Enrollment.Status.EXITED,
            Enrollment.Status.EXITED,
            viewer.site_id,
            *ids,
        ],
    )
    people: dict[int, Person] = {}
    for row in rows:
        if row.pk in people:
            continue  # the first open enrollment, as people_in_scope()
        # Raw rows get no converters: the joined category lists are read here.
        row.consented_categories = categories_from_aggregate(row.granted_raw)  # type: ignore[attr-defined]
        row.holder_consented_categories = categories_from_aggregate(row.holder_granted_raw)  # type: ignore[attr-defined]
        people[row.pk] = row
    return people


def _shown(
    viewer: Viewer, scored: list[Scored], model: MatchModel, limit: int, purpose: Purpose
) -> list[tuple[Candidate, Person]]:
    """The best candidates the viewer may see, in score order, as plain values (each with
    the person it shows, for the disclosure ledger)."""
    # Ask for a few more than needed: some may be outside what the viewer may see.
    top = scored[: limit * 2 + 10]
    people = _people_shown(viewer, [row.person_id for row in top])
    shown: list[tuple[Candidate, Person]] = []
    for row in top:
        person = people.get(row.person_id)
        if person is None:
            continue
        subject = cast(Subject, person)
        if not decide(viewer=viewer, person=subject, category=Category.IDENTITY, purpose=purpose):
            continue
        sees_enrollment = decide(
            viewer=viewer, person=subject, category=Category.ENROLLMENT, purpose=purpose
        )
        shown.append(
            (
                Candidate(
                    public_id=person.public_id,
                    display_name=person.display_name,
                    date_of_birth=person.date_of_birth_display,
                    probability=round(row.probability, 4),
                    band=model.band(row.probability),
                    # Explained only for the few shown: the words cost more than the score.
                    explanation=model.explain(row.gamma),
                    # people_in_scope() annotates the status.
                    enrollment_status=person.enrollment_status if sees_enrollment else None,  # type: ignore[attr-defined]
                ),
                person,
            )
        )
        if len(shown) >= limit:
            break
    return shown


def _disclosed(
    viewer: Viewer,
    shown: list[tuple[Candidate, Person]],
    *,
    channel: Channel,
    purpose: Purpose,
    action: str,
    detail: dict[str, Any],
) -> list[Candidate]:
    """Audit the read; a status a Part 2 programme holds, shown outside it, is a disclosure
    (tandem.audit.disclosures) and its candidate carries the notice."""
    disclosed = disclose(
        viewer=viewer,
        shown=[
            Shown(
                cast(Part2Subject, person),
                frozenset({Category.IDENTITY})
                | ({Category.ENROLLMENT} if candidate.enrollment_status else frozenset()),
            )
            for candidate, person in shown
        ],
        channel=channel,
        purpose=purpose,
        action=action,
        category=Category.IDENTITY,
        detail=detail,
    )
    return [
        replace(candidate, part2_notice=disclosed.notice_for(cast(Part2Subject, person)))
        for candidate, person in shown
    ]


def person_candidates(
    *,
    viewer: Viewer,
    record: MatchRecord,
    limit: int = 5,
    purpose: Purpose = Purpose.CARE_COORDINATION,
    channel: Channel = Channel.SCREEN,
) -> list[Candidate]:
    """People who may be the one described by `record`, most likely first (search before
    create, and the match API). Police and other roles that may not find people get none."""
    if not can(viewer, Capability.FIND_PEOPLE):
        return []
    query = prepare(record)
    fragments = name_fragments(" ".join((record.given_name, record.surname)))
    model = site_model(viewer.site_id)
    # A record with enough to block on is looked up by its selective blocking keys alone;
    # the broad search keys (a surname's sound alone) serve a record too partial for those,
    # such as a form still being typed.
    scored: list[Scored] = []
    blocking = set(core_blocking_keys(query))
    if blocking:
        scored = _score(viewer.site_id, query, [_by_keys(viewer.site_id, blocking)], model)
    else:
        keys = _query_keys(query, record)
        if keys:
            scored = _score(viewer.site_id, query, [_by_keys(viewer.site_id, keys)], model)
        if not scored and fragments:
            # Too little for a key, and nothing shares one: perhaps only the start of a
            # name has been typed so far.
            scored = _score(
                viewer.site_id, query, [_by_name_parts(viewer.site_id, fragments)], model
            )
    shown = _shown(viewer, scored, model, limit, purpose)
    return _disclosed(
        viewer,
        shown,
        channel=channel,
        purpose=purpose,
        action="person.matched",
        detail={"scored": len(scored), "shown": len(shown)},
    )


def person_search(
    *, viewer: Viewer, query: str, limit: int = 50, channel: Channel = Channel.SCREEN
) -> list[Candidate]:
    """The search box: any name, alias, nickname, partial date of birth or identifier, in
    any order; ranked by the matcher, each result saying why it matched."""
    if not can(viewer, Capability.FIND_PEOPLE):
        return []
    query = query.replace("\x00", "").strip()[:100]
    purpose = Purpose.CARE_COORDINATION
    if not query:
        return []
    record = query_record(query, Identifier.Kind.values)
    prepared = prepare(record)
    fragments = name_fragments(query)
    text = normalise(" ".join(fragments))
    keys = _query_keys(prepared, record)
    sources = [_by_keys(viewer.site_id, keys)] if keys else []
    if fragments:
        sources.append(_by_name_parts(viewer.site_id, fragments))
    model = site_model(viewer.site_id)
    scored = _score(viewer.site_id, prepared, sources, model)
    if not scored:
        scored = _score(viewer.site_id, prepared, _by_similar_name(viewer.site_id, text), model)
    shown = _shown(viewer, scored, model, limit, purpose)
    return _disclosed(
        viewer,
        shown,
        channel=channel,
        purpose=purpose,
        action="person.searched",
        detail={"query": query, "count": len(shown)},
    )


__all__ = ["Candidate", "person_candidates", "person_search"]


def sure_match(*, site_id: int, record: MatchRecord) -> int | None:
    """The id of the one person of the site that `record` surely describes (the link band,
    and no second candidate in the link or review band), else None. For the system's own
    linking, such as an officer's referral: nothing is shown to anyone, so an officer who
    may not find people learns nothing from it. Merged-away people are never returned."""
    query = prepare(record)
    blocking = set(core_blocking_keys(query))
    if not blocking:
        return None
    model = site_model(site_id)
    scored = _score(site_id, query, [_by_keys(site_id, blocking)], model)
    close = [row for row in scored[:5] if model.band(row.probability) != "no-link"]
    if len(close) != 1 or model.band(close[0].probability) != "link":
        return None
    person_id = close[0].person_id
    alive = Person.objects.filter(pk=person_id, site_id=site_id, merged_into__isnull=True).exists()
    return person_id if alive else None

"""One timeline per participant, assembled from sources that other apps register.

Two ways to contribute, both registered from the app's `AppConfig.ready()` (or a module it
imports) so that the registry is complete before the first request:

1. A source function, `fn(viewer, person, limit) -> list[TimelineEntry]`. It runs at most
   ONE query and returns at most `limit` of its newest entries for `person`::

       from tandem.casework.timeline import TimelineEntry, register_timeline_source

       @register_timeline_source
       def plan_changes(viewer, person, limit):
           ...

2. A `TimelineQuery`: a queryset of one table's rows for the person, the fields an entry
   needs (packed into one JSON column) and a function turning one row into entries. Every
   registered query joins ONE `UNION ALL` statement per page, so any number of them costs
   one query together (`register_timeline_query`). A page has a budget of 12 queries and
   spends 8 before any source runs (session, user, membership, the person, the audit, the
   inbox badge), so prefer this form for a table of your own.

Sources do not decide who may see what: every entry passes `decide()` for its category and
the Part 2 rule (`recorded_item_visible`), then a note's audience, in `entries_visible`
before anyone sees it. A source may still leave out what it knows no viewer of this kind
could see, to save the query.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, replace
from datetime import datetime
from typing import TYPE_CHECKING, Any

from django.db.models import F, QuerySet, Value
from django.db.models.functions import JSONObject

from tandem.access.decisions import audience_allows, recorded_item_visible
from tandem.access.roles import Category, Purpose
from tandem.access.viewer import Viewer
from tandem.casework.contact_links import LinkedItem, linked_summary

if TYPE_CHECKING:
    from tandem.access.decisions import Subject


@dataclass(slots=True)
class TimelineEntry:
    at: datetime
    kind: str
    category: Category
    title: str
    detail: str = ""
    url: str = ""
    recorded_by_organization_id: int | None = None
    recorded_by_part2: bool = False
    # A note's own words carry an audience (tandem.access.decisions.Audience): only the
    # roles it names read them. Empty: not a note.
    audience: str = ""
    # Rows the entry points at that have their own category and recorder (the plan goals a
    # contact touched): each is shown only when the viewer may see it as well.
    linked: tuple[LinkedItem, ...] = ()

    @property
    def linked_text(self) -> str:
        return linked_summary(self.linked)


TimelineSource = Callable[[Viewer, Any, int], list[TimelineEntry]]

_SOURCES: list[TimelineSource] = []


def register_timeline_source(fn: TimelineSource) -> TimelineSource:
    """Add a source to every participant's timeline; usable as a decorator. Registering the
    same function twice (a module imported again) keeps one copy."""
    key = (fn.__module__, fn.__qualname__)
    _SOURCES[:] = [s for s in _SOURCES if (s.__module__, s.__qualname__) != key]
    _SOURCES.append(fn)
    return fn


def timeline_sources() -> tuple[TimelineSource, ...]:
    return tuple(_SOURCES)


@dataclass(frozen=True, slots=True)
class TimelineQuery:
    """Rows of one table that join the page's single UNION query.

    `rows(viewer, person)` returns a queryset filtered to the person (None: nothing for this
    viewer, and no part in the query); `at` names the row's moment, a date-and-time column
    (cast a date to one: the parts of a UNION share their column types); `fields` maps
    names to field paths (or expressions) packed into one JSON object; `convert(row)`
    turns that object, with `row["at"]` set to the moment, into entries. In the JSON,
    values arrive as the database writes them: dates and times as ISO text, booleans
    possibly as 0 or 1, a JSON column possibly as text (see `json_list`)."""

    name: str
    rows: Callable[[Viewer, Any], QuerySet[Any] | None]
    at: Any  # a field path, or an expression such as Cast("taken_on", DateTimeField())
    fields: Mapping[str, Any]
    convert: Callable[[dict[str, Any]], list[TimelineEntry]]
    # Called once with the person and this query's rows that made the page, before
    # `convert`, to add what a correlated subquery per row would cost too much to read (one
    # query for them all).
    complete: Callable[[Any, list[dict[str, Any]]], None] | None = None


_QUERIES: dict[str, TimelineQuery] = {}


def register_timeline_query(query: TimelineQuery) -> TimelineQuery:
    """Add a query to every participant's timeline; the same name again replaces it."""
    _QUERIES[query.name] = query
    return query


def timeline_queries() -> tuple[TimelineQuery, ...]:
    return tuple(_QUERIES.values())


def json_list(value: Any) -> list[Any]:
    """A JSON array packed inside the row: a list already, or its text (SQLite)."""
    if isinstance(value, str):
        return list(json.loads(value or "[]"))
    return list(value or [])


def _run_queries(viewer: Viewer, person: Any, limit: int) -> list[TimelineEntry]:
    queries = list(_QUERIES.values())
    parts = []
    for index, query in enumerate(queries):
        rows = query.rows(viewer, person)
        if rows is None:
            continue
        parts.append(
            rows.order_by()
            .annotate(
                tl_part=Value(index),
                tl_at=F(query.at) if isinstance(query.at, str) else query.at,
                tl_row=JSONObject(**dict(query.fields)),
            )
            .values_list("tl_part", "tl_at", "tl_row")
        )
    if not parts:
        return []
    combined = parts[0].union(*parts[1:], all=True) if len(parts) > 1 else parts[0]
    fetched: list[tuple[int, dict[str, Any]]] = []
    for index, at, row in combined.order_by("-tl_at")[:limit]:
        packed = json.loads(row) if isinstance(row, str) else dict(row)
        fetched.append((index, {**packed, "at": at}))
    for index, query in enumerate(queries):
        if query.complete is not None:
            mine = [row for part, row in fetched if part == index]
            if mine:
                query.complete(person, mine)
    entries: list[TimelineEntry] = []
    for index, row in fetched:
        entries.extend(queries[index].convert(row))
    return entries


def entries_visible(
    entries: Iterable[TimelineEntry], *, viewer: Viewer, person: Subject, purpose: Purpose
) -> list[TimelineEntry]:
    """Only the entries `viewer` may see: the decision on the entry's category and on whoever
    recorded it (`recorded_item_visible`: a Part 2 programme's records stay inside it), then
    a note's audience; of an entry's linked rows, the same decision on each row's own."""
    known: dict[tuple[Category, int | None, bool], bool] = {}

    def allowed(category: Category, organization_id: int | None, part2: bool) -> bool:
        key = (category, organization_id, part2)
        if key not in known:
            known[key] = bool(
                recorded_item_visible(
                    viewer=viewer,
                    person=person,
                    category=category,
                    purpose=purpose,
                    recorder_organization_id=organization_id,
                    recorder_is_part2=part2,
                )
            )
        return known[key]

    visible = []
    for entry in entries:
        if not allowed(entry.category, entry.recorded_by_organization_id, entry.recorded_by_part2):
            continue
        if entry.audience and not audience_allows(viewer=viewer, audience=entry.audience):
            continue
        if entry.linked:
            shown = tuple(
                item
                for item in entry.linked
                if allowed(item.category, item.recorded_by_organization_id, item.recorded_by_part2)
            )
            if len(shown) != len(entry.linked):
                entry = replace(entry, linked=shown)
        visible.append(entry)
    return visible


def timeline_collect(
    *, viewer: Viewer, person: Subject, purpose: Purpose, limit: int
) -> list[TimelineEntry]:
    """The newest `limit` entries of every source that `viewer` may see, newest first. One
    query for all registered `TimelineQuery`s together, one per source function; the
    caller (a selector) audits the read."""
    entries = _run_queries(viewer, person, limit)
    for source in _SOURCES:
        entries.extend(source(viewer, person, limit))
    visible = entries_visible(entries, viewer=viewer, person=person, purpose=purpose)
    visible.sort(key=lambda e: e.at, reverse=True)
    return visible[:limit]

"""What a contact touched beyond the fixed lists: the participant's own plan goals and the
services they are linked to. Those rows live in other apps (tandem.casework.support keeps
plans and service links, and this app never imports it: docs/adr/0003), so each app
registers a `ContactLinkKind` from its `AppConfig.ready()`, as timeline sources do
(tandem.casework.timeline), and the contact form, the contact services and the pages ask
this registry (docs/adr/0005-contact-links.md).

A kind says, for one contact form:

- `choices(viewer, enrollment, subject, keep)`: what the viewer may link on a contact of
  `enrollment` (its open rows, and the rows in `keep` that were chosen already), each with a
  label;
- `resolve(viewer, enrollment, subject, values)`: the rows for submitted public ids and an
  error for anything refused (another participant's or enrollment's row, one the viewer may
  not see), so that the contact service saves nothing;
- `save(contact, rows)`: writes the links, inside the contact service's transaction;
- `table()`, `fields` and `label_of(row)`: the link rows (each has a `contact` foreign key),
  the field paths read of each (`value`, `category`, `organization_id`,
  `organization_part2` and whatever the label needs), and the label made of them. A page
  reads the links of the contacts it lists in one query (`links_by_contact`).

Nothing here decides who sees a linked row: `linked_visible` asks `recorded_item_visible`
with the row's own category and recorder, as for every recorded item.
"""

from __future__ import annotations

import json
import uuid
from collections import defaultdict
from collections.abc import Callable, Collection, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, cast

from django.db import connection
from django.db.models import QuerySet, Value
from django.db.models.functions import JSONObject

from tandem.access.decisions import Subject, recorded_item_visible
from tandem.access.roles import Category, Purpose
from tandem.access.viewer import Viewer
from tandem.casework.models import Contact, Enrollment
from tandem.people.selectors import HeldPerson

# The fixed list a kind sits beside on the form. Beside the goal areas, a kind with choices
# takes their place (the areas are for a participant without a plan yet); beside the
# services, both show (what is handed over on the spot stays a fixed list).
BESIDE_GOAL_AREAS = "goal_areas"
BESIDE_SERVICES = "services"


@dataclass(frozen=True, slots=True)
class LinkChoice:
    value: str  # the row's public id
    label: str


@dataclass(frozen=True, slots=True)
class Resolved:
    """The rows found for submitted ids, or why some were refused."""

    rows: list[Any] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)


@dataclass(frozen=True, slots=True)
class LinkedItem:
    """One linked row as a page shows it, with what the access decision needs to know."""

    contact_id: int
    kind: str
    heading: str
    value: str
    label: str
    category: Category
    recorded_by_organization_id: int | None
    recorded_by_part2: bool


@dataclass(frozen=True, slots=True)
class ContactLinkKind:
    name: str  # the form field and the key in ContactInput.links
    label: str  # the form's legend
    heading: str  # before the labels where a contact is shown
    beside: str  # BESIDE_GOAL_AREAS or BESIDE_SERVICES
    choices: Callable[[Viewer, Enrollment, Subject, Collection[str]], list[LinkChoice]]
    resolve: Callable[[Viewer, Enrollment, Subject, Sequence[str]], Resolved]
    save: Callable[[Contact, list[Any]], None]
    table: Callable[[], QuerySet[Any]]
    # The path from a link row to the participant's id: reading a page's links by the
    # participant too lets the database look up their own rows instead of scanning every
    # participant's (the contact ids alone leave it guessing how many rows they link).
    person: str
    fields: Mapping[str, str]
    label_of: Callable[[dict[str, Any]], str]


_KINDS: dict[str, ContactLinkKind] = {}


def register_contact_link(kind: ContactLinkKind) -> ContactLinkKind:
    """Offer `kind` on every contact form and page; the same name again replaces it."""
    _KINDS[kind.name] = kind
    return kind


def contact_link_kinds() -> tuple[ContactLinkKind, ...]:
    return tuple(_KINDS.values())


def public_ids(values: Iterable[str]) -> tuple[list[uuid.UUID], list[str]]:
    """The well-formed public ids among `values`, and the others."""
    good, bad = [], []
    for value in values:
        try:
            good.append(uuid.UUID(str(value)))
        except ValueError:
            bad.append(value)
    return good, bad


def held_subject(enrollment: Enrollment) -> Subject:
    """The decision's view of the participant for the team holding `enrollment`: only that
    team logs and corrects its contacts (`tandem.casework.holding`)."""
    return cast(
        Subject,
        HeldPerson(
            enrollment.site_id, enrollment.provider_id, enrollment.provider.is_part2_program
        ),
    )


# The form and the services ----------------------------------------------------------------


def link_choices(
    *, viewer: Viewer, enrollment: Enrollment, keep: Mapping[str, Collection[str]] | None = None
) -> dict[str, list[LinkChoice]]:
    """What `viewer` may link on a contact of `enrollment`, by kind. `keep`: ids chosen
    already (a correction's links, a draft sent back with errors), offered even when their
    row is no longer open. One query per kind."""
    subject = held_subject(enrollment)
    keep = keep or {}
    return {
        kind.name: kind.choices(viewer, enrollment, subject, tuple(keep.get(kind.name, ())))
        for kind in _KINDS.values()
    }


def links_resolve(
    *, viewer: Viewer, enrollment: Enrollment, links: Mapping[str, Sequence[str]]
) -> tuple[dict[str, list[Any]], dict[str, list[str]]]:
    """The rows the submitted ids name, by kind, and the errors by field. A caller that gets
    any error saves nothing."""
    subject = held_subject(enrollment)
    found: dict[str, list[Any]] = {}
    errors: dict[str, list[str]] = {}
    for name, values in links.items():
        wanted = list(dict.fromkeys(value for value in values if value))
        if not wanted:
            continue
        kind = _KINDS.get(name)
        if kind is None:
            errors[name] = ["A contact cannot be linked to that."]
            continue
        resolved = kind.resolve(viewer, enrollment, subject, wanted)
        if resolved.errors:
            errors[name] = list(resolved.errors)
        else:
            found[name] = resolved.rows
    return found, errors


def links_save(*, contact: Contact, rows: Mapping[str, list[Any]]) -> dict[str, int]:
    """Write the links `links_resolve` found; how many of each kind (for the audit)."""
    saved = {}
    for name, found in rows.items():
        if found:
            _KINDS[name].save(contact, found)
            saved[name] = len(found)
    return saved


def linked_values(contact: Contact) -> dict[str, list[str]]:
    """The public ids `contact` links to, by kind: where its correction starts from."""
    return {
        kind.name: [
            str(uuid.UUID(str(value)))
            for value in kind.table()
            .filter(contact=contact)
            .order_by("pk")
            .values_list(kind.fields["value"], flat=True)
        ]
        for kind in _KINDS.values()
    }


# Pages -------------------------------------------------------------------------------------


def _item(name: str, row: Mapping[str, Any]) -> LinkedItem:
    kind = _KINDS[name]
    return LinkedItem(
        contact_id=int(row["contact"]),
        kind=name,
        heading=kind.heading,
        value=str(uuid.UUID(str(row["value"]))),
        label=kind.label_of(dict(row)),
        category=Category(row["category"]),
        recorded_by_organization_id=row["organization_id"],
        recorded_by_part2=bool(row["organization_part2"]),
    )


def _sorted(items: list[LinkedItem]) -> list[LinkedItem]:
    order = {name: index for index, name in enumerate(_KINDS)}
    items.sort(key=lambda item: (order[item.kind], item.label.casefold(), item.value))
    return items


def links_by_contact(contact_ids: Iterable[int], *, person_id: int) -> dict[int, list[LinkedItem]]:
    """The links of the contacts a page lists (all of one participant's), by contact: one
    query (every kind's rows in one UNION) after the page has its contacts, so that no query
    of the page carries a correlated subquery per contact. None when there are no contacts."""
    ids = sorted(set(contact_ids))
    if not ids or not _KINDS:
        return {}
    compiled = _links_sql(len(ids))
    if compiled is None:
        rows = list(_links_queryset(ids, person_id))
    else:
        sql, params, slots = compiled
        values = [*ids, person_id]
        bound = list(params)
        for place, index in slots:
            bound[place] = values[index]
        with connection.cursor() as cursor:
            cursor.execute(sql, bound)
            rows = cursor.fetchall()
    items = [
        _item(name, json.loads(row) if isinstance(row, str) else row)
        for name, row in rows
        if name in _KINDS
    ]
    return by_contact(_sorted(items))


def _links_queryset(ids: list[int], person_id: int) -> QuerySet[Any]:
    parts = [
        kind.table()
        .filter(contact_id__in=ids, **{kind.person: person_id})
        .order_by()
        .annotate(
            link_kind=Value(kind.name),
            link_row=JSONObject(contact="contact_id", **kind.fields),
        )
        .values_list("link_kind", "link_row")
        for kind in _KINDS.values()
    ]
    # No ORDER BY: the link models' default ordering names columns the UNION does not have.
    return (parts[0].union(*parts[1:], all=True) if len(parts) > 1 else parts[0]).order_by()


# The links query's SQL, compiled once per process for each number of contacts (a page
# lists at most 100) and each set of kinds: building and compiling the UNION through the
# ORM took as long as running it. It is compiled with stand-in ids no row has (negative
# numbers), and each request puts its own contact ids and person where they stand.
_Compiled = tuple[str, tuple[Any, ...], tuple[tuple[int, int], ...]]
_COMPILED: dict[tuple[str, str, tuple[int, ...], int], _Compiled | None] = {}


def _links_sql(count: int) -> _Compiled | None:
    """The SQL and parameters for `count` contacts and the places in the parameters of the
    contact ids (0 … count-1) and the person (count); None if the stand-ins cannot all be
    found again in the parameters, and then the ORM builds each query itself."""
    key = (connection.alias, connection.vendor, tuple(id(k) for k in _KINDS.values()), count)
    if key in _COMPILED:
        return _COMPILED[key]
    stand_ins = [-(index + 1) for index in range(count + 1)]
    query = _links_queryset(stand_ins[:count], stand_ins[count]).query
    sql, params = query.get_compiler(connection=connection).as_sql()
    slots = tuple(
        (place, -value - 1)
        for place, value in enumerate(params)
        if type(value) is int and value < 0
    )
    found = {index for _, index in slots}
    compiled = (sql, tuple(params), slots) if found == set(range(count + 1)) else None
    _COMPILED[key] = compiled
    return compiled


def linked_items(contact: Contact) -> list[LinkedItem]:
    """One contact's links (one query), for a caller that did not read them by page."""
    return links_by_contact([contact.pk], person_id=contact.person_id).get(contact.pk, [])


def by_contact(items: Iterable[LinkedItem]) -> dict[int, list[LinkedItem]]:
    grouped: dict[int, list[LinkedItem]] = defaultdict(list)
    for item in items:
        grouped[item.contact_id].append(item)
    return dict(grouped)


def linked_visible(
    items: Iterable[LinkedItem], *, viewer: Viewer, person: Subject, purpose: Purpose
) -> list[LinkedItem]:
    """Only the linked rows `viewer` may see: the decision on each row's own category and
    on whoever recorded it (`recorded_item_visible`), as the pages of those rows ask it."""
    known: dict[tuple[Category, int | None, bool], bool] = {}
    shown = []
    for item in items:
        key = (item.category, item.recorded_by_organization_id, item.recorded_by_part2)
        if key not in known:
            known[key] = bool(
                recorded_item_visible(
                    viewer=viewer,
                    person=person,
                    category=item.category,
                    purpose=purpose,
                    recorder_organization_id=item.recorded_by_organization_id,
                    recorder_is_part2=item.recorded_by_part2,
                )
            )
        if known[key]:
            shown.append(item)
    return shown


def linked_summary(items: Iterable[LinkedItem]) -> str:
    """ "Goals: A place of my own; See a dentist · Services: Housing: Harbor Housing"."""
    grouped: dict[str, list[str]] = {}
    for item in items:
        grouped.setdefault(item.heading, []).append(item.label)
    return " · ".join(f"{heading}: {'; '.join(labels)}" for heading, labels in grouped.items())

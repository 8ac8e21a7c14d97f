"""This app's part of the contact form and pages (tandem.casework.contact_links): a contact
touches the participant's own plan goals and is about their own service links
(docs/adr/0005-contact-links.md).

Only the rows of the contact's own enrollment count: a goal of another participant, of the
same participant's earlier enrollment, or one the viewer may not see (its category, or a
Part 2 programme's record: `recorded_item_visible`, as the plan and services pages ask it)
is refused. A goal that is no longer being worked on, or a link that is completed, is still
accepted: a draft typed on the phone before it changed must still save."""

from __future__ import annotations

from collections.abc import Collection, Sequence
from typing import Any

from django.db.models import Q, QuerySet
from django.utils.text import Truncator

from tandem.access.decisions import Subject, recorded_item_visible
from tandem.access.roles import Category, Purpose
from tandem.access.viewer import Viewer
from tandem.casework.contact_links import (
    BESIDE_GOAL_AREAS,
    BESIDE_SERVICES,
    ContactLinkKind,
    LinkChoice,
    Resolved,
    public_ids,
    register_contact_link,
)
from tandem.casework.models import Contact, Enrollment
from tandem.casework.support.models import (
    ContactGoal,
    ContactServiceLink,
    Goal,
    ServiceLink,
    ServiceType,
)
from tandem.tenancy.models import Organization

PURPOSE = Purpose.CARE_COORDINATION
# As many as the plan and services pages list.
CHOICES_LIMIT = 200
OPEN_LINK_STATUSES = (ServiceLink.Status.REFERRED, ServiceLink.Status.CONNECTED)
_SERVICE_TYPES = dict(ServiceType.choices)


def _visible(viewer: Viewer, subject: Subject, category: str, recorder: Organization) -> bool:
    return bool(
        recorded_item_visible(
            viewer=viewer,
            person=subject,
            category=Category(category),
            purpose=PURPOSE,
            recorder_organization_id=recorder.pk,
            recorder_is_part2=recorder.is_part2_program,
        )
    )


def _resolve(
    rows: QuerySet[Any],
    values: Sequence[str],
    *,
    viewer: Viewer,
    subject: Subject,
    refusal: str,
) -> Resolved:
    """The rows of `rows` (one enrollment's) that `values` name, or `refusal` if any is not
    there or not the viewer's to see. The same message for both: a refusal must not tell
    that someone else's row exists."""
    ids, malformed = public_ids(values)
    found = {
        row.public_id: row
        for row in rows.filter(public_id__in=ids).select_related("recorded_by_organization")
    }
    if malformed or any(
        key not in found
        or not _visible(viewer, subject, found[key].category, found[key].recorded_by_organization)
        for key in ids
    ):
        return Resolved(errors=[refusal])
    return Resolved(rows=[found[key] for key in dict.fromkeys(ids)])


# Goals -------------------------------------------------------------------------------------


def _goal_words(words: str) -> str:
    return Truncator(words).chars(120)


def goal_choices(
    viewer: Viewer, enrollment: Enrollment, subject: Subject, keep: Collection[str]
) -> list[LinkChoice]:
    """The goals being worked on, in the participant's words, and those in `keep`."""
    kept, _ = public_ids(keep)
    goals = (
        Goal.objects.filter(plan__enrollment_id=enrollment.pk)
        .filter(Q(status=Goal.Status.WORKING_ON) | Q(public_id__in=kept))
        .select_related("recorded_by_organization")
        .order_by("created_at", "id")[:CHOICES_LIMIT]
    )
    return [
        LinkChoice(
            str(goal.public_id),
            _goal_words(goal.words)
            if goal.status == Goal.Status.WORKING_ON
            else f"{_goal_words(goal.words)} ({goal.get_status_display().lower()})",
        )
        for goal in goals
        if _visible(viewer, subject, goal.category, goal.recorded_by_organization)
    ]


def goal_resolve(
    viewer: Viewer, enrollment: Enrollment, subject: Subject, values: Sequence[str]
) -> Resolved:
    return _resolve(
        Goal.objects.filter(plan__enrollment_id=enrollment.pk),
        values,
        viewer=viewer,
        subject=subject,
        refusal=(
            "A goal chosen is not one of this participant's goals that you may see; "
            "nothing was saved."
        ),
    )


def goal_links_save(contact: Contact, goals: list[Any]) -> None:
    # links_resolve has checked each goal and dropped repeats; the constraint guards the rest.
    ContactGoal.objects.bulk_create(ContactGoal(contact=contact, goal=goal) for goal in goals)


GOALS = register_contact_link(
    ContactLinkKind(
        name="goals",
        label="Goals touched",
        heading="Goals",
        beside=BESIDE_GOAL_AREAS,
        choices=goal_choices,
        resolve=goal_resolve,
        save=goal_links_save,
        table=ContactGoal.objects.all,
        person="goal__plan__person_id",
        fields={
            "value": "goal__public_id",
            "words": "goal__words",
            "category": "goal__category",
            "organization_id": "goal__recorded_by_organization_id",
            "organization_part2": "goal__recorded_by_organization__is_part2_program",
        },
        label_of=lambda row: _goal_words(row["words"]),
    )
)


# Service links -----------------------------------------------------------------------------


def _link_label(service_type: str, provider: str) -> str:
    return f"{_SERVICE_TYPES.get(service_type, 'Service')}: {provider}"


def service_link_choices(
    viewer: Viewer, enrollment: Enrollment, subject: Subject, keep: Collection[str]
) -> list[LinkChoice]:
    """The links referred or connected, newest first, and those in `keep`."""
    kept, _ = public_ids(keep)
    links = (
        ServiceLink.objects.filter(enrollment_id=enrollment.pk)
        .filter(Q(status__in=OPEN_LINK_STATUSES) | Q(public_id__in=kept))
        .select_related("service_provider", "recorded_by_organization")
        .order_by("-referred_on", "-id")[:CHOICES_LIMIT]
    )
    return [
        LinkChoice(
            str(link.public_id),
            f"{_link_label(link.service_type, link.service_provider.name)} "
            f"({link.get_status_display().lower()})",
        )
        for link in links
        if _visible(viewer, subject, link.category, link.recorded_by_organization)
    ]


def service_link_resolve(
    viewer: Viewer, enrollment: Enrollment, subject: Subject, values: Sequence[str]
) -> Resolved:
    return _resolve(
        ServiceLink.objects.filter(enrollment_id=enrollment.pk),
        values,
        viewer=viewer,
        subject=subject,
        refusal=(
            "A service chosen is not one this participant is linked to that you may see; "
            "nothing was saved."
        ),
    )


def service_links_save(contact: Contact, links: list[Any]) -> None:
    ContactServiceLink.objects.bulk_create(
        ContactServiceLink(contact=contact, link=link) for link in links
    )


SERVICE_LINKS = register_contact_link(
    ContactLinkKind(
        name="service_links",
        label="Services they are linked to",
        heading="Services",
        beside=BESIDE_SERVICES,
        choices=service_link_choices,
        resolve=service_link_resolve,
        save=service_links_save,
        table=ContactServiceLink.objects.all,
        person="link__person_id",
        fields={
            "value": "link__public_id",
            "service_type": "link__service_type",
            "provider": "link__service_provider__name",
            "category": "link__category",
            "organization_id": "link__recorded_by_organization_id",
            "organization_part2": "link__recorded_by_organization__is_part2_program",
        },
        label_of=lambda row: _link_label(row["service_type"], row["provider"]),
    )
)

"""Every casework service checks who is acting, whoever calls it (a page, a task, the API,
the demo): only the team holding the open enrollment changes the participant's status,
logs, corrects or removes contacts and keeps follow-ups (`enrollment_check_held`). Anyone
else is refused with nothing changed: another provider's case manager, a police officer,
the project manager, a prosecutor, a case manager of another site, a site administrator who
belongs to the holding provider, and the former team once the participant has exited."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from tandem.access.decisions import Capability
from tandem.access.roles import Role
from tandem.access.viewer import Viewer
from tandem.accounts.models import User
from tandem.audit.models import AuditEvent
from tandem.casework.holding import enrollment_check_held, enrollment_held_by
from tandem.casework.models import Contact, Enrollment, EnrollmentEvent, Task
from tandem.casework.services import (
    ContactInput,
    contact_correct,
    contact_log,
    contact_remove,
    enrollment_exit,
    enrollment_reengage,
    enrollment_set_inactive,
    task_add,
    task_complete,
)
from tandem.casework.tests.conftest import NOW, TODAY, contact, viewer_of
from tests.factories import add_totp, member

OUTSIDERS = ["priya", "bob", "ruth", "paula", "charlie", "bridgeway_admin"]


@pytest.fixture
def bridgeway_admin(bridgeway):
    """The site administrator, a member of the holding provider itself: configuration, never
    participant data (DESIGN.md §4)."""
    user = member(Role.SITE_ADMIN, organization=bridgeway, username="sam")
    add_totp(user)
    return user


@pytest.fixture
def scene(rosa, alice):
    """Rosa, inactive, with a contact and an open follow-up her team recorded."""
    logged = contact(rosa, alice, at=NOW - dt.timedelta(days=2), note="Met at the shelter")
    task = task_add(
        actor=alice, viewer=viewer_of(alice), enrollment=rosa, title="Call the clinic", due_on=None
    )
    enrollment_set_inactive(enrollment=rosa, on=TODAY, reason="Not seen for a while")
    rosa.refresh_from_db()
    return {"enrollment": rosa, "contact": logged, "task": task}


def state() -> tuple[Any, ...]:
    """Everything a refused write could have touched."""
    return (
        list(Enrollment.objects.order_by("pk").values()),
        list(EnrollmentEvent.objects.order_by("pk").values_list("pk", flat=True)),
        list(Contact.objects.order_by("pk").values()),
        list(Task.objects.order_by("pk").values()),
        AuditEvent.objects.count(),
    )


def _data(minutes: int = 10) -> ContactInput:
    return ContactInput(
        at=NOW - dt.timedelta(hours=1), kind="substantive", mode="street", minutes=minutes
    )


Write = Callable[[User, Viewer, dict[str, Any]], object]

WRITES: dict[str, Write] = {
    "exit": lambda user, viewer, s: enrollment_exit(
        actor=user, viewer=viewer, enrollment=s["enrollment"], reason="moved"
    ),
    "reengage": lambda user, viewer, s: enrollment_reengage(
        actor=user, viewer=viewer, enrollment=s["enrollment"], reason="Found her"
    ),
    "contact_log": lambda user, viewer, s: contact_log(
        actor=user, viewer=viewer, enrollment=s["enrollment"], data=_data()
    ),
    "contact_correct": lambda user, viewer, s: contact_correct(
        actor=user, viewer=viewer, contact=s["contact"], data=_data(minutes=20), reason="Typo"
    ),
    "contact_remove": lambda user, viewer, s: contact_remove(
        actor=user, viewer=viewer, contact=s["contact"], reason="Entered in error"
    ),
    "task_add": lambda user, viewer, s: task_add(
        actor=user, viewer=viewer, enrollment=s["enrollment"], title="Bring the form", due_on=None
    ),
    "task_complete": lambda user, viewer, s: task_complete(
        actor=user, viewer=viewer, task=s["task"]
    ),
}


@pytest.mark.parametrize("write", sorted(WRITES))
@pytest.mark.parametrize("who", OUTSIDERS)
def test_no_one_outside_the_holding_team_writes_the_participants_casework(
    request, scene, who, write
):
    user = request.getfixturevalue(who)
    before = state()

    with pytest.raises(ValidationError, match="Only the team holding the enrollment"):
        WRITES[write](user, viewer_of(user), scene)

    assert state() == before


@pytest.mark.parametrize("write", sorted(WRITES))
def test_the_former_team_writes_nothing_after_an_exit(alice, scene, write):
    enrollment_exit(
        actor=alice, viewer=viewer_of(alice), enrollment=scene["enrollment"], reason="moved"
    )
    before = state()

    with pytest.raises(ValidationError, match=r"exited|inactive"):
        WRITES[write](alice, viewer_of(alice), scene)

    assert state() == before


def test_the_system_too_leaves_an_ended_enrollment_as_it_is(scene):
    enrollment = scene["enrollment"]
    enrollment_exit(actor=None, viewer=None, enrollment=enrollment, reason="moved")
    before = state()

    with pytest.raises(ValidationError, match="inactive"):
        enrollment_reengage(actor=None, viewer=None, enrollment=enrollment)
    with pytest.raises(ValidationError, match="already exited"):
        enrollment_exit(actor=None, viewer=None, enrollment=enrollment, reason="deceased")

    assert state() == before


@pytest.mark.parametrize("who", ["alice", "dana", "marcus"])
def test_each_member_of_the_holding_team_reengages_and_ends_participation(request, scene, who):
    user = request.getfixturevalue(who)
    enrollment = scene["enrollment"]

    enrollment_reengage(actor=user, viewer=viewer_of(user), enrollment=enrollment)
    enrollment_exit(actor=user, viewer=viewer_of(user), enrollment=enrollment, reason="moved")

    enrollment.refresh_from_db()
    assert enrollment.status == Enrollment.Status.EXITED
    assert list(enrollment.events.values_list("kind", "by")) == [
        ("inactive", None),
        ("reengaged", user.pk),
        ("exited", user.pk),
    ]


def test_the_system_reengages_and_ends_participation_as_tandem(scene):
    enrollment = scene["enrollment"]

    enrollment_reengage(actor=None, viewer=None, enrollment=enrollment, reason="Imported")
    enrollment_exit(actor=None, viewer=None, enrollment=enrollment, reason="deceased")

    enrollment.refresh_from_db()
    assert enrollment.status == Enrollment.Status.EXITED
    assert set(enrollment.events.values_list("by_label", flat=True)) == {"Tandem"}
    assert AuditEvent.objects.filter(action="enrollment.exited", actor=None).count() == 1


def test_the_exit_page_ends_participation_for_the_holding_team_only(login, alice, priya, scene):
    url = reverse("casework:exit", args=[scene["enrollment"].public_id])

    refused = login(priya).post(url, {"reason": "moved", "on": TODAY.isoformat()})
    done = login(alice).post(url, {"reason": "moved", "on": TODAY.isoformat()})

    assert refused.status_code == 404
    assert done.status_code == 302
    assert Enrollment.objects.get(pk=scene["enrollment"].pk).status == "exited"


# The rule itself ------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("who", "holds"),
    [
        ("alice", True),
        ("dana", True),
        ("marcus", True),
        ("priya", False),
        ("bob", False),
        ("ruth", False),
        ("paula", False),
        ("charlie", False),
        ("bridgeway_admin", False),
    ],
)
def test_the_rule_names_the_holding_team_and_no_one_else(request, rosa, who, holds):
    viewer = viewer_of(request.getfixturevalue(who))

    assert enrollment_held_by(viewer, rosa) is holds
    assert enrollment_held_by(viewer, rosa, capability=Capability.WRITE_CASEWORK) is holds


def test_after_an_exit_nobody_holds_the_enrollment(alice, rosa):
    enrollment_exit(actor=alice, viewer=viewer_of(alice), enrollment=rosa, reason="moved")
    rosa.refresh_from_db()

    assert not enrollment_held_by(viewer_of(alice), rosa)
    with pytest.raises(ValidationError, match="exited"):
        enrollment_check_held(viewer=None, enrollment=rosa)


def test_a_capability_the_role_lacks_is_refused(alice, dana, rosa):
    # Assigning participants is the supervisor's; the case manager is of the team but
    # may not.
    assert enrollment_held_by(viewer_of(dana), rosa, capability=Capability.ASSIGN_CASELOADS)
    assert not enrollment_held_by(viewer_of(alice), rosa, capability=Capability.ASSIGN_CASELOADS)


def test_the_team_check_comes_before_the_status(priya, alice, rosa):
    """An outsider learns nothing of the enrollment's status from the refusal."""
    enrollment_exit(actor=alice, viewer=viewer_of(alice), enrollment=rosa, reason="moved")
    rosa.refresh_from_db()

    with pytest.raises(ValidationError) as refused:
        enrollment_check_held(viewer=viewer_of(priya), enrollment=rosa, refusal="Not yours.")

    assert refused.value.messages == ["Not yours."]

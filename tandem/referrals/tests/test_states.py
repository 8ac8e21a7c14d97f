"""Every step from every state: the legal ones move, the rest are refused with a message."""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError

from tandem.referrals.models import Status
from tandem.referrals.states import FINAL, MOVES, check_move, moves_from

S = Status
# The whole machine, written out independently of states.py: step -> {from: to}.
EXPECTED = {
    "screen": {S.SUBMITTED: S.SCREENED, S.SCREENED: S.SCREENED},
    "screen_ineligible": {S.SUBMITTED: S.INELIGIBLE, S.SCREENED: S.INELIGIBLE},
    "approve": {S.SUBMITTED: S.APPROVED, S.SCREENED: S.APPROVED},
    "decline": {S.SUBMITTED: S.DECLINED, S.SCREENED: S.DECLINED},
    "not_located": {S.APPROVED: S.NOT_LOCATED, S.INTAKE_PENDING: S.NOT_LOCATED},
    "located": {S.APPROVED: S.INTAKE_PENDING, S.NOT_LOCATED: S.INTAKE_PENDING},
    "enroll": {S.APPROVED: S.ENROLLED, S.NOT_LOCATED: S.ENROLLED, S.INTAKE_PENDING: S.ENROLLED},
    "person_declined": {
        S.APPROVED: S.DECLINED_BY_PERSON,
        S.NOT_LOCATED: S.DECLINED_BY_PERSON,
        S.INTAKE_PENDING: S.DECLINED_BY_PERSON,
    },
    "expire": {S.APPROVED: S.EXPIRED, S.NOT_LOCATED: S.EXPIRED, S.INTAKE_PENDING: S.EXPIRED},
}
CASES = [(step, status) for step in EXPECTED for status in Status]


def test_the_machine_has_exactly_the_expected_steps():
    assert set(MOVES) == set(EXPECTED)


@pytest.mark.parametrize(("step", "status"), CASES, ids=[f"{s}-{t.value}" for s, t in CASES])
def test_each_step_from_each_state(step, status):
    target = EXPECTED[step].get(status)
    if target is not None:
        assert check_move(status, step).target == target
        return
    with pytest.raises(ValidationError) as refused:
        check_move(status, step)
    message = " ".join(refused.value.messages)
    if status in FINAL:
        assert "nothing more can happen" in message
    else:
        assert "cannot take the step" in message
        assert "Possible now:" in message


def test_an_unknown_step_is_refused():
    with pytest.raises(ValidationError, match="no step called"):
        check_move(Status.SUBMITTED, "teleport")


@pytest.mark.parametrize("status", sorted(FINAL))
def test_closed_referrals_offer_no_step(status):
    assert moves_from(status) == []

"""The referral state machine. Every move is named, starts from a known set of states and
ends in one; anything else is refused with a message that says what is possible."""

from __future__ import annotations

from dataclasses import dataclass

from django.core.exceptions import ValidationError

from tandem.referrals.models import Status


@dataclass(frozen=True, slots=True)
class Move:
    name: str
    label: str
    sources: frozenset[Status]
    target: Status


_OPEN_AFTER_APPROVAL = frozenset({Status.APPROVED, Status.NOT_LOCATED, Status.INTAKE_PENDING})
_AWAITING_DECISION = frozenset({Status.SUBMITTED, Status.SCREENED})

MOVES: dict[str, Move] = {
    move.name: move
    for move in (
        Move("screen", "Screen", _AWAITING_DECISION, Status.SCREENED),
        Move("screen_ineligible", "Screen", _AWAITING_DECISION, Status.INELIGIBLE),
        Move("approve", "Approve", _AWAITING_DECISION, Status.APPROVED),
        Move("decline", "Decline", _AWAITING_DECISION, Status.DECLINED),
        Move(
            "not_located",
            "Not yet located",
            frozenset({Status.APPROVED, Status.INTAKE_PENDING}),
            Status.NOT_LOCATED,
        ),
        Move(
            "located",
            "Located",
            frozenset({Status.APPROVED, Status.NOT_LOCATED}),
            Status.INTAKE_PENDING,
        ),
        Move("enroll", "Enroll", _OPEN_AFTER_APPROVAL, Status.ENROLLED),
        Move(
            "person_declined",
            "The person declined",
            _OPEN_AFTER_APPROVAL,
            Status.DECLINED_BY_PERSON,
        ),
        Move("expire", "Expire", _OPEN_AFTER_APPROVAL, Status.EXPIRED),
    )
}

FINAL = frozenset(
    {
        Status.DECLINED,
        Status.INELIGIBLE,
        Status.ENROLLED,
        Status.DECLINED_BY_PERSON,
        Status.EXPIRED,
    }
)
AWAITING_DECISION = _AWAITING_DECISION
OPEN_AFTER_APPROVAL = _OPEN_AFTER_APPROVAL


def check_move(current: str, name: str) -> Move:
    """The move `name` from `current`, or a ValidationError that says why not."""
    move = MOVES.get(name)
    if move is None:
        raise ValidationError(f"There is no step called “{name}”.")
    status = Status(current)
    if status in move.sources:
        return move
    if status in FINAL:
        raise ValidationError(
            f"This referral is {status.label.lower()}; nothing more can happen to it."
        )
    possible = sorted(
        {other.label for other in MOVES.values() if status in other.sources}, key=str.lower
    )
    raise ValidationError(
        f"A referral that is {status.label.lower()} cannot take the step "
        f"“{move.label.lower()}”. Possible now: {', '.join(possible) or 'nothing'}."
    )


def moves_from(current: str) -> list[Move]:
    status = Status(current)
    return [move for move in MOVES.values() if status in move.sources]

"""A policy in plain words, and what changed between two versions, for the policy pages and
for the PCG. Pure: rules in, sentences out."""

from __future__ import annotations

from dataclasses import dataclass

from tandem.access.roles import Role
from tandem.policy.rules import (
    ANY_FORM,
    COMMUNITY_REFERRER,
    Door,
    HistoryRule,
    Offence,
    PolicyRules,
    SubstanceLimit,
    grams,
)

DEPARTURE = (
    "Participation ends when someone stops taking part. This is a departure from the LEAD "
    "model, in which no one fails LEAD and people are never exited for non-participation."
)

FLAGS = {
    # name: (what it means when set, when it is switched on, when it is switched off)
    "exclude_dealing_for_profit": (
        "Dealing drugs for profit is excluded (selling to support one's own use is not).",
        "Dealing drugs for profit is now excluded.",
        "Dealing drugs for profit is no longer excluded.",
    ),
    "exclude_active_supervision": (
        "People on probation, parole or other active supervision are excluded.",
        "People on active supervision are now excluded.",
        "People on active supervision are no longer excluded.",
    ),
    "exclude_treatment_court": (
        "People in a treatment court (drug or mental-health court) are excluded.",
        "People in a treatment court are now excluded.",
        "People in a treatment court are no longer excluded.",
    ),
    "check_protective_orders": (
        "People named in a protective order, or with a no-contact order with a current "
        "participant, are excluded.",
        "Protective orders and no-contact orders with participants are now checked.",
        "Protective orders and no-contact orders are no longer checked.",
    ),
    "complainant_consent_required": (
        "The complainant must agree to diversion, whatever the door.",
        "The complainant must now agree to diversion.",
        "The complainant's agreement is no longer required.",
    ),
    "exclude_confidential_informants": (
        "Confidential informants are excluded.",
        "Confidential informants are now excluded.",
        "Confidential informants are no longer excluded.",
    ),
    "ends_participation_for_nonparticipation": (
        DEPARTURE,
        "Participation now ends for non-participation: a departure from the LEAD model.",
        "Participation no longer ends for non-participation, as in the LEAD model.",
    ),
}

NUMBERS = {
    # name: (sentence with {n}, unit)
    "intake_deadline_days": ("Intake must be done within {n} of the referral.", "day"),
    "intake_reminder_days": ("The case manager is reminded {n} before the deadline.", "day"),
    "handoff_target_minutes": ("A case manager should reach the scene within {n}.", "minute"),
    "caseload_warn": ("Caseloads of {n} or more are flagged as near the cap.", "participant"),
    "caseload_cap": ("No case manager holds more than {n}.", "participant"),
    "inactivity_days": ("A participant becomes inactive after {n} without contact.", "day"),
}
NUMBER_NAMES = {
    "intake_deadline_days": "Intake deadline",
    "intake_reminder_days": "Intake reminder",
    "handoff_target_minutes": "Hand-off target",
    "caseload_warn": "Caseload warning",
    "caseload_cap": "Caseload cap",
    "inactivity_days": "Inactivity period",
}


@dataclass(frozen=True, slots=True)
class Section:
    title: str
    lines: list[str]


def role_label(value: str) -> str:
    if value == COMMUNITY_REFERRER:
        return "anyone, through the public referral form"
    try:
        return Role(value).label
    except ValueError:
        return value


def describe(rules: PolicyRules) -> list[Section]:
    """The whole policy, section by section."""
    offences = [f"{o.label} ({o.code}, {o.category})" for o in rules.eligible_offences] or [
        "No eligible offences are listed: every referral needs review."
    ]
    drugs = [
        f"More than {_grams(q)} of {_limit_name(q)} is excluded." for q in rules.quantity_limits
    ] or ["No quantity limits."]
    exclusions = [
        FLAGS[name][0]
        for name in FLAGS
        if name != "ends_participation_for_nonparticipation" and getattr(rules, name)
    ]
    if rules.minimum_age is not None:
        exclusions.insert(0, f"People under {rules.minimum_age} are excluded.")
    exclusions += [_history_line(h) for h in rules.disqualifying_history]
    places = (
        [f"Only in: {', '.join(rules.catchment_areas)}."]
        if rules.catchment_areas
        else ["Anywhere: the site sets no catchment area."]
    )
    doors = [_door_line(rules, door) for door in Door]
    doors.append(
        "Approved by: " + ", ".join(role_label(r) for r in rules.approver_roles).lower() + "."
    )
    numbers = [
        sentence.format(n=_count(getattr(rules, name), unit))
        for name, (sentence, unit) in NUMBERS.items()
    ]
    if rules.ends_participation_for_nonparticipation:
        numbers.append(DEPARTURE)
    return [
        Section("Eligible offences", offences),
        Section("Drug quantities", drugs),
        Section("Who is excluded", exclusions or ["No other exclusions."]),
        Section("Where", places),
        Section("Who refers and who approves", doors),
        Section("Deadlines and caseloads", numbers),
    ]


def changes(old: PolicyRules | None, new: PolicyRules) -> list[str]:
    """What changed from `old` to `new`, one sentence per change."""
    if old is None:
        return ["The site's first policy version."]
    found: list[str] = []
    found += _offence_changes(old.eligible_offences, new.eligible_offences)
    found += _limit_changes(old.quantity_limits, new.quantity_limits)
    if old.minimum_age != new.minimum_age:
        if old.minimum_age is None:
            found.append(f"Minimum age set to {new.minimum_age}.")
        elif new.minimum_age is None:
            found.append(f"Minimum age of {old.minimum_age} removed.")
        else:
            found.append(f"Minimum age changed from {old.minimum_age} to {new.minimum_age}.")
    found += _history_changes(old.disqualifying_history, new.disqualifying_history)
    for name, (_, switched_on, switched_off) in FLAGS.items():
        before, after = getattr(old, name), getattr(new, name)
        if before != after:
            found.append(switched_on if after else switched_off)
    found += _area_changes(old.catchment_areas, new.catchment_areas)
    for door in Door:
        found += _role_changes(
            f"{door.label}s",
            old.referrers.get(door, ()),
            new.referrers.get(door, ()),
            door=True,
        )
    found += _role_changes("Approvers", old.approver_roles, new.approver_roles, door=False)
    for name, (_, unit) in NUMBERS.items():
        before, after = getattr(old, name), getattr(new, name)
        if before != after:
            found.append(
                f"{NUMBER_NAMES[name]} changed from {_count(before, unit)} to "
                f"{_count(after, unit)}."
            )
    return found or ["No rule changed: the PCG re-adopted the same policy."]


def _offence_changes(old: tuple[Offence, ...], new: tuple[Offence, ...]) -> list[str]:
    before = {_code(o.code): o for o in old}
    after = {_code(o.code): o for o in new}
    found = [f"Offence added: {o.label} ({o.code})." for k, o in after.items() if k not in before]
    found += [
        f"Offence removed: {o.label} ({o.code})." for k, o in before.items() if k not in after
    ]
    for key, o in after.items():
        previous = before.get(key)
        if previous is None:
            continue
        if previous.label != o.label:
            found.append(f"Offence {o.code} renamed from “{previous.label}” to “{o.label}”.")
        if previous.category != o.category:
            found.append(
                f"Offence {o.code} moved from category {previous.category} to {o.category}."
            )
    return found


def _limit_changes(old: tuple[SubstanceLimit, ...], new: tuple[SubstanceLimit, ...]) -> list[str]:
    before = {_limit_key(q): q for q in old}
    after = {_limit_key(q): q for q in new}
    found = [
        f"Quantity limit added: more than {_grams(q)} of {_limit_name(q)} is excluded."
        for k, q in after.items()
        if k not in before
    ]
    found += [
        f"Quantity limit for {_limit_name(q)} removed." for k, q in before.items() if k not in after
    ]
    found += [
        f"Quantity limit for {_limit_name(q)} changed from {_grams(before[k])} to {_grams(q)}."
        for k, q in after.items()
        if k in before and before[k].max_grams != q.max_grams
    ]
    return found


def _history_changes(old: tuple[HistoryRule, ...], new: tuple[HistoryRule, ...]) -> list[str]:
    before = {h.category.casefold(): h for h in old}
    after = {h.category.casefold(): h for h in new}
    found = [
        f"Disqualifying history added: {h.label.lower()} ({h.window})."
        for k, h in after.items()
        if k not in before
    ]
    found += [
        f"Disqualifying history removed: {h.label.lower()}."
        for k, h in before.items()
        if k not in after
    ]
    found += [
        f"Look-back for {h.label.lower()} changed from {_lookback(before[k])} to {_lookback(h)}."
        for k, h in after.items()
        if k in before and before[k].lookback_years != h.lookback_years
    ]
    return found


def _area_changes(old: tuple[str, ...], new: tuple[str, ...]) -> list[str]:
    if not old and new:
        return [f"Catchment area set: {', '.join(new)} (before: anywhere)."]
    if old and not new:
        return ["Catchment area removed: referrals from anywhere."]
    before = {a.casefold() for a in old}
    after = {a.casefold() for a in new}
    found = [f"Catchment area added: {a}." for a in new if a.casefold() not in before]
    found += [f"Catchment area removed: {a}." for a in old if a.casefold() not in after]
    return found


def _role_changes(
    what: str, old: tuple[str, ...], new: tuple[str, ...], *, door: bool
) -> list[str]:
    if door and old and not new:
        return [f"{what}: the door is now closed."]
    if door and new and not old:
        roles = ", ".join(role_label(r) for r in new).lower()
        return [f"{what}: the door is now open to {roles}."]
    added = [role_label(r).lower() for r in new if r not in old]
    removed = [role_label(r).lower() for r in old if r not in new]
    found = []
    if added:
        found.append(f"{what}: now also {', '.join(added)}.")
    if removed:
        found.append(f"{what}: no longer {', '.join(removed)}.")
    return found


def _door_line(rules: PolicyRules, door: Door) -> str:
    roles = rules.referrers.get(door, ())
    if not roles:
        return f"{door.label}s: not accepted."
    return f"{door.label}s: by " + ", ".join(role_label(r) for r in roles).lower() + "."


def _history_line(rule: HistoryRule) -> str:
    return f"{rule.label} {rule.window} disqualifies."


def _lookback(rule: HistoryRule) -> str:
    return "any time" if rule.lookback_years == 0 else _count(rule.lookback_years, "year")


def _limit_name(limit: SubstanceLimit) -> str:
    if limit.form.casefold() == ANY_FORM:
        return f"{limit.substance} (any form)"
    return f"{limit.substance} ({limit.form})"


def _limit_key(limit: SubstanceLimit) -> tuple[str, str]:
    return (limit.substance.casefold(), limit.form.casefold())


def _grams(limit: SubstanceLimit) -> str:
    return grams(limit.max_grams)


def _code(code: str) -> str:
    return " ".join(code.split()).upper()


def _count(n: int, unit: str) -> str:
    return f"{n} {unit}" if n == 1 else f"{n} {unit}s"

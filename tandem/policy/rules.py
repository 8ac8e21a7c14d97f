"""A site's eligibility policy as plain values, and the pure function that applies it.

Nothing here touches the database: `evaluate(rules, facts)` is a function of its two
arguments, so a decision stored with its policy version and its facts gives the same answer
whenever it is replayed. The result carries one reason for every rule that was checked,
passing ones too, in words a police officer would use.

Three promises the rules keep:

- A rule applies only when the site configured it (no minimum age, no age rule).
- A fact that a configured rule needs but that was not recorded gives NEEDS_REVIEW with a
  reason saying what to check, never ELIGIBLE.
- INELIGIBLE wins over NEEDS_REVIEW, which wins over ELIGIBLE.

Choices a reader should know about:

- Quantity limits mean "more than the limit is excluded" (Seattle's "> 3 g"): exactly at the
  limit is eligible. A limit whose form is "any" covers every form of that substance; a
  limit for the exact form wins over it. The quantity rule (and the dealing exclusion) apply
  to drug referrals only: an offence whose category is "drug", or any drug fact recorded.
- The look-back of a history rule includes its first day: an event on the day exactly
  `lookback_years` years before the decision counts (when that day is 29 February and the
  year has none, the window opens on 28 February). A look-back of 0 years means "at any
  time". Events dated after the decision count too: history is not ignored for being
  recorded with an odd date.
- Complainant consent, when required, applies to every door (Albany asks the complainant
  whatever the door); a referral with no complainant records that as consent.
- Places, substances, forms, history categories and offence codes are compared without
  regard to case or surrounding spaces.
"""

from __future__ import annotations

import json
import re
from dataclasses import MISSING, dataclass, fields
from datetime import date
from decimal import Decimal, InvalidOperation
from enum import StrEnum
from typing import Any

from tandem.access.roles import Role

SCHEMA = 1
# The offence category that marks a drug offence, so that quantity limits and the dealing
# exclusion apply to it.
DRUG_CATEGORY = "drug"
# A quantity limit with this form covers every form of its substance.
ANY_FORM = "any"
# In a door's referrers: anyone, through the site's public referral form.
COMMUNITY_REFERRER = "community"

MONTHS = (
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
)


class Outcome(StrEnum):
    ELIGIBLE = "eligible"
    INELIGIBLE = "ineligible"
    NEEDS_REVIEW = "needs_review"

    @property
    def label(self) -> str:
        return {
            Outcome.ELIGIBLE: "Eligible",
            Outcome.INELIGIBLE: "Not eligible",
            Outcome.NEEDS_REVIEW: "Needs review",
        }[self]


class Door(StrEnum):
    ARREST = "arrest"
    SOCIAL_CONTACT = "social_contact"
    COMMUNITY = "community"

    @property
    def label(self) -> str:
        return DOOR_LABELS[self]


DOOR_LABELS = {
    Door.ARREST: "Arrest diversion",
    Door.SOCIAL_CONTACT: "Social contact referral",
    Door.COMMUNITY: "Community referral",
}
# "The site does not take ..." / "The site takes ..."
DOOR_PLURALS = {
    Door.ARREST: "arrest diversions",
    Door.SOCIAL_CONTACT: "social contact referrals",
    Door.COMMUNITY: "community referrals",
}


class Rule(StrEnum):
    """The name of each rule, as a Reason records it."""

    DOOR = "door"
    OFFENCE = "offence"
    QUANTITY = "quantity"
    DEALING = "dealing"
    AGE = "age"
    HISTORY = "history"
    SUPERVISION = "supervision"
    TREATMENT_COURT = "treatment_court"
    PROTECTIVE_ORDER = "protective_order"
    NO_CONTACT = "no_contact"
    CATCHMENT = "catchment"
    COMPLAINANT_CONSENT = "complainant_consent"
    CONFIDENTIAL_INFORMANT = "confidential_informant"


# Values ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class Reason:
    rule: str
    outcome: Outcome
    text: str

    def to_dict(self) -> dict[str, str]:
        return {"rule": self.rule, "outcome": self.outcome.value, "text": self.text}

    @classmethod
    def from_dict(cls, data: Any) -> Reason:
        data = _mapping(data, "a reason")
        _only_keys(data, {"rule", "outcome", "text"}, "a reason")
        return cls(
            rule=_text(data.get("rule"), "the reason's rule"),
            outcome=_outcome(data.get("outcome")),
            text=_text(data.get("text"), "the reason's text"),
        )


@dataclass(frozen=True)
class Evaluation:
    outcome: Outcome
    reasons: tuple[Reason, ...]

    @classmethod
    def from_reasons(cls, reasons: tuple[Reason, ...] | list[Reason]) -> Evaluation:
        return cls(outcome=combined_outcome(reasons), reasons=tuple(reasons))

    def to_dict(self) -> dict[str, Any]:
        return {
            "outcome": self.outcome.value,
            "reasons": [reason.to_dict() for reason in self.reasons],
        }

    @classmethod
    def from_dict(cls, data: Any) -> Evaluation:
        data = _mapping(data, "an evaluation")
        _only_keys(data, {"outcome", "reasons"}, "an evaluation")
        reasons = tuple(Reason.from_dict(item) for item in _list(data.get("reasons"), "reasons"))
        outcome = _outcome(data.get("outcome"))
        if outcome is not combined_outcome(reasons):
            raise ValueError(
                f"The evaluation says {outcome.value!r} but its reasons add up to "
                f"{combined_outcome(reasons).value!r}."
            )
        return cls(outcome=outcome, reasons=reasons)

    def reasons_with(self, outcome: Outcome) -> tuple[Reason, ...]:
        return tuple(reason for reason in self.reasons if reason.outcome is outcome)


def combined_outcome(reasons: tuple[Reason, ...] | list[Reason]) -> Outcome:
    """INELIGIBLE if any reason is, else NEEDS_REVIEW if any reason is, else ELIGIBLE."""
    outcomes = {reason.outcome for reason in reasons}
    if Outcome.INELIGIBLE in outcomes:
        return Outcome.INELIGIBLE
    if Outcome.NEEDS_REVIEW in outcomes:
        return Outcome.NEEDS_REVIEW
    return Outcome.ELIGIBLE


@dataclass(frozen=True)
class Offence:
    code: str
    label: str
    category: str

    @property
    def is_drug(self) -> bool:
        return _key(self.category) == DRUG_CATEGORY

    def __str__(self) -> str:
        return f"{self.label} ({self.code})"


@dataclass(frozen=True)
class SubstanceLimit:
    """More than `max_grams` of `substance` in `form` is excluded."""

    substance: str
    form: str
    max_grams: Decimal

    def __post_init__(self) -> None:
        object.__setattr__(self, "max_grams", _decimal(self.max_grams, "the maximum grams"))

    @property
    def describes(self) -> str:
        if _key(self.form) == ANY_FORM:
            return self.substance
        return f"{self.substance} ({self.form})"


@dataclass(frozen=True)
class HistoryRule:
    """A prior event of `category` within `lookback_years` years disqualifies; 0 years means
    at any time."""

    category: str
    label: str
    lookback_years: int

    @property
    def window(self) -> str:
        if self.lookback_years == 0:
            return "at any time"
        return f"in the last {_years(self.lookback_years)}"


@dataclass(frozen=True)
class PolicyRules:
    """Everything a site's policy version decides. Construct it, or load it with
    `from_dict`; either way it is checked, and a bad value raises ValueError with a message
    a site administrator can act on."""

    eligible_offences: tuple[Offence, ...]
    quantity_limits: tuple[SubstanceLimit, ...]
    exclude_dealing_for_profit: bool
    minimum_age: int | None
    disqualifying_history: tuple[HistoryRule, ...]
    exclude_active_supervision: bool
    exclude_treatment_court: bool
    # A protective order naming the person, and a no-contact order with a current
    # participant (Denver).
    check_protective_orders: bool
    # Empty: anywhere.
    catchment_areas: tuple[str, ...]
    complainant_consent_required: bool
    exclude_confidential_informants: bool
    # Door value -> role values (and "community" for the public form); empty means closed.
    referrers: dict[str, tuple[str, ...]]
    approver_roles: tuple[str, ...]
    intake_deadline_days: int
    # Days before the intake deadline that the case manager is reminded.
    intake_reminder_days: int = 3
    handoff_target_minutes: int = 30
    caseload_warn: int = 20
    caseload_cap: int = 25
    inactivity_days: int = 90
    # Ending participation because someone stopped taking part is a departure from the
    # LEAD model ("no one fails LEAD"); pages flag it when set.
    ends_participation_for_nonparticipation: bool = False

    def __post_init__(self) -> None:
        set_ = object.__setattr__
        set_(self, "eligible_offences", tuple(self.eligible_offences))
        set_(self, "quantity_limits", tuple(self.quantity_limits))
        set_(self, "disqualifying_history", tuple(self.disqualifying_history))
        set_(self, "catchment_areas", tuple(self.catchment_areas))
        set_(self, "approver_roles", _plain(self.approver_roles))
        referrers = {str(door): roles for door, roles in dict(self.referrers).items()}
        unknown = set(referrers) - set(Door)
        if unknown:
            raise ValueError(f"Unknown referral door {sorted(unknown)[0]!r}.")
        set_(
            self, "referrers", {door.value: _plain(referrers.get(door.value, ())) for door in Door}
        )
        _check_rules(self)

    def __hash__(self) -> int:
        # `referrers` is a dict, so the generated hash would fail; equal rules hash alike.
        return hash(json.dumps(self.to_dict(), sort_keys=True))

    # Reading -------------------------------------------------------------------------

    def offence(self, code: str) -> Offence | None:
        wanted = _code_key(code)
        for offence in self.eligible_offences:
            if _code_key(offence.code) == wanted:
                return offence
        return None

    def limit_for(self, substance: str, form: str | None) -> SubstanceLimit | None:
        """The limit for `substance` in `form`: the exact form first, else an "any" limit."""
        fallback = None
        for limit in self.quantity_limits:
            if _key(limit.substance) != _key(substance):
                continue
            if form is not None and _key(limit.form) == _key(form):
                return limit
            if _key(limit.form) == ANY_FORM:
                fallback = limit
        return fallback

    def door_open(self, door: str) -> bool:
        return bool(self.referrers.get(door))

    # Storing -------------------------------------------------------------------------

    @classmethod
    def default(cls) -> PolicyRules:
        """What applies at a site that has adopted no policy yet: the LEAD model's numbers,
        police refer at arrest and on the street, the project manager enters community
        referrals and approves, and no offence list (so every referral needs review)."""
        police = (Role.POLICE_OFFICER.value, Role.POLICE_SERGEANT.value)
        return cls(
            eligible_offences=(),
            quantity_limits=(),
            exclude_dealing_for_profit=False,
            minimum_age=None,
            disqualifying_history=(),
            exclude_active_supervision=False,
            exclude_treatment_court=False,
            check_protective_orders=False,
            catchment_areas=(),
            complainant_consent_required=False,
            exclude_confidential_informants=False,
            referrers={
                Door.ARREST.value: police,
                Door.SOCIAL_CONTACT.value: police,
                Door.COMMUNITY.value: (Role.PROJECT_MANAGER.value,),
            },
            approver_roles=(Role.PROJECT_MANAGER.value,),
            intake_deadline_days=30,
        )

    def to_dict(self) -> dict[str, Any]:
        """JSON-safe: lists, strings, numbers, booleans; grams as decimal strings."""
        return {
            "schema": SCHEMA,
            "eligible_offences": [
                {"code": o.code, "label": o.label, "category": o.category}
                for o in self.eligible_offences
            ],
            "quantity_limits": [
                {"substance": q.substance, "form": q.form, "max_grams": str(q.max_grams)}
                for q in self.quantity_limits
            ],
            "exclude_dealing_for_profit": self.exclude_dealing_for_profit,
            "minimum_age": self.minimum_age,
            "disqualifying_history": [
                {"category": h.category, "label": h.label, "lookback_years": h.lookback_years}
                for h in self.disqualifying_history
            ],
            "exclude_active_supervision": self.exclude_active_supervision,
            "exclude_treatment_court": self.exclude_treatment_court,
            "check_protective_orders": self.check_protective_orders,
            "catchment_areas": list(self.catchment_areas),
            "complainant_consent_required": self.complainant_consent_required,
            "exclude_confidential_informants": self.exclude_confidential_informants,
            "referrers": {door: list(roles) for door, roles in self.referrers.items()},
            "approver_roles": list(self.approver_roles),
            "intake_deadline_days": self.intake_deadline_days,
            "intake_reminder_days": self.intake_reminder_days,
            "handoff_target_minutes": self.handoff_target_minutes,
            "caseload_warn": self.caseload_warn,
            "caseload_cap": self.caseload_cap,
            "inactivity_days": self.inactivity_days,
            "ends_participation_for_nonparticipation": (
                self.ends_participation_for_nonparticipation
            ),
        }

    @classmethod
    def from_dict(cls, data: Any) -> PolicyRules:
        """The inverse of `to_dict`. Settings that have a default may be absent (a version
        stored before the setting existed gets its default); anything unknown or of the
        wrong type raises ValueError."""
        data = _mapping(data, "the policy")
        known = {f.name for f in fields(cls)} | {"schema"}
        _only_keys(data, known, "the policy")
        schema = data.get("schema", SCHEMA)
        if schema != SCHEMA:
            raise ValueError(f"Unknown policy schema {schema!r}; this version reads {SCHEMA}.")
        required = [
            f.name for f in fields(cls) if f.default is MISSING and f.default_factory is MISSING
        ]
        for name in required:
            if name not in data:
                raise ValueError(f"The policy has no {name!r}.")
        kwargs: dict[str, Any] = {
            "eligible_offences": tuple(
                _offence_from(item) for item in _list(data["eligible_offences"], "offences")
            ),
            "quantity_limits": tuple(
                _limit_from(item) for item in _list(data["quantity_limits"], "quantity limits")
            ),
            "disqualifying_history": tuple(
                _history_from(item)
                for item in _list(data["disqualifying_history"], "disqualifying history")
            ),
            "catchment_areas": tuple(
                _text(item, "a catchment area")
                for item in _list(data["catchment_areas"], "catchment areas")
            ),
            "referrers": {
                _text(door, "a door"): tuple(
                    _text(role, "a referrer role") for role in _list(roles, f"{door} referrers")
                )
                for door, roles in _mapping(data["referrers"], "referrers").items()
            },
            "approver_roles": tuple(
                _text(role, "an approver role")
                for role in _list(data["approver_roles"], "approver roles")
            ),
            "minimum_age": _optional_int(data["minimum_age"], "minimum_age"),
        }
        for name in BOOL_SETTINGS:
            if name in data:
                kwargs[name] = _bool(data[name], name)
        for name in LIMITS:
            if name in data:
                kwargs[name] = _int(data[name], name)
        return cls(**kwargs)


@dataclass(frozen=True)
class PriorEvent:
    """One event in the person's history: a conviction or charge of `category` on `on`."""

    category: str
    on: date


@dataclass(frozen=True, kw_only=True)
class Facts:
    """What is known about a referral when it is decided. None means "not recorded"; for
    `history`, None means the history was not checked and () that it was checked and
    nothing was found."""

    decided_on: date
    door: str
    offence_codes: tuple[str, ...]
    substance: str | None = None
    form: str | None = None
    quantity_grams: Decimal | None = None
    dealing_for_profit: bool | None = None
    age: int | None = None
    history: tuple[PriorEvent, ...] | None = None
    on_active_supervision: bool | None = None
    in_treatment_court: bool | None = None
    protective_order: bool | None = None
    no_contact_with_participant: bool | None = None
    area: str | None = None
    complainant_consents: bool | None = None
    confidential_informant: bool | None = None

    def __post_init__(self) -> None:
        object.__setattr__(self, "offence_codes", tuple(self.offence_codes))
        if self.history is not None:
            object.__setattr__(self, "history", tuple(self.history))
        if self.quantity_grams is not None and not isinstance(self.quantity_grams, Decimal):
            object.__setattr__(self, "quantity_grams", Decimal(str(self.quantity_grams)))

    def to_dict(self) -> dict[str, Any]:
        return {
            "decided_on": self.decided_on.isoformat(),
            "door": str(self.door),
            "offence_codes": list(self.offence_codes),
            "substance": self.substance,
            "form": self.form,
            "quantity_grams": None if self.quantity_grams is None else str(self.quantity_grams),
            "dealing_for_profit": self.dealing_for_profit,
            "age": self.age,
            "history": None
            if self.history is None
            else [{"category": e.category, "on": e.on.isoformat()} for e in self.history],
            "on_active_supervision": self.on_active_supervision,
            "in_treatment_court": self.in_treatment_court,
            "protective_order": self.protective_order,
            "no_contact_with_participant": self.no_contact_with_participant,
            "area": self.area,
            "complainant_consents": self.complainant_consents,
            "confidential_informant": self.confidential_informant,
        }

    @classmethod
    def from_dict(cls, data: Any) -> Facts:
        data = _mapping(data, "the facts")
        _only_keys(data, {f.name for f in fields(cls)}, "the facts")
        for name in ("decided_on", "door", "offence_codes"):
            if name not in data:
                raise ValueError(f"The facts have no {name!r}.")
        history = data.get("history")
        return cls(
            decided_on=_date(data["decided_on"], "decided_on"),
            door=_text(data["door"], "door"),
            offence_codes=tuple(
                _text(code, "an offence code")
                for code in _list(data["offence_codes"], "offence codes")
            ),
            substance=_optional_text(data.get("substance"), "substance"),
            form=_optional_text(data.get("form"), "form"),
            quantity_grams=None
            if data.get("quantity_grams") is None
            else _decimal(data["quantity_grams"], "quantity_grams"),
            dealing_for_profit=_optional_bool(data.get("dealing_for_profit"), "dealing_for_profit"),
            age=_optional_int(data.get("age"), "age"),
            history=None
            if history is None
            else tuple(_event_from(item) for item in _list(history, "history")),
            on_active_supervision=_optional_bool(
                data.get("on_active_supervision"), "on_active_supervision"
            ),
            in_treatment_court=_optional_bool(data.get("in_treatment_court"), "in_treatment_court"),
            protective_order=_optional_bool(data.get("protective_order"), "protective_order"),
            no_contact_with_participant=_optional_bool(
                data.get("no_contact_with_participant"), "no_contact_with_participant"
            ),
            area=_optional_text(data.get("area"), "area"),
            complainant_consents=_optional_bool(
                data.get("complainant_consents"), "complainant_consents"
            ),
            confidential_informant=_optional_bool(
                data.get("confidential_informant"), "confidential_informant"
            ),
        )


# Who refers and who approves ----------------------------------------------------------


def may_refer(rules: PolicyRules, door: str, role: str) -> bool:
    """May `role` (a Role value, or "community" for the public form) refer through `door`?"""
    return str(role) in rules.referrers.get(str(door), ())


def may_approve(rules: PolicyRules, role: str) -> bool:
    return str(role) in rules.approver_roles


# The evaluation -----------------------------------------------------------------------


def evaluate(rules: PolicyRules, facts: Facts) -> Evaluation:
    """Apply every configured rule to `facts`; one reason per rule checked."""
    reasons: list[Reason] = [_door(rules, facts)]
    reasons.extend(_offences(rules, facts))
    if _is_drug_referral(rules, facts):
        reasons.extend(_quantity(rules, facts))
        if rules.exclude_dealing_for_profit:
            reasons.append(_dealing(facts))
    if rules.minimum_age is not None:
        reasons.append(_age(rules.minimum_age, facts))
    if rules.disqualifying_history:
        reasons.extend(_history(rules.disqualifying_history, facts))
    if rules.exclude_active_supervision:
        reasons.append(
            _yes_no(
                Rule.SUPERVISION,
                facts.on_active_supervision,
                missing="Not recorded whether the person is on probation, parole or other "
                "active supervision: check before deciding.",
                yes="The person is on active supervision (probation or parole), which the "
                "site excludes.",
                no="The person is not on active supervision.",
            )
        )
    if rules.exclude_treatment_court:
        reasons.append(
            _yes_no(
                Rule.TREATMENT_COURT,
                facts.in_treatment_court,
                missing="Not recorded whether the person is in a treatment court (drug or "
                "mental-health court): check before deciding.",
                yes="The person is in a treatment court, which the site excludes.",
                no="The person is not in a treatment court.",
            )
        )
    if rules.check_protective_orders:
        reasons.append(
            _yes_no(
                Rule.PROTECTIVE_ORDER,
                facts.protective_order,
                missing="Not recorded whether a protective order names the person: check "
                "before deciding.",
                yes="A protective order names the person.",
                no="No protective order names the person.",
            )
        )
        reasons.append(
            _yes_no(
                Rule.NO_CONTACT,
                facts.no_contact_with_participant,
                missing="Not recorded whether the person has a no-contact order with a "
                "current LEAD participant: check before deciding.",
                yes="The person has a no-contact order with a current LEAD participant.",
                no="The person has no no-contact order with a current LEAD participant.",
            )
        )
    if rules.catchment_areas:
        reasons.append(_catchment(rules.catchment_areas, facts))
    if rules.complainant_consent_required:
        reasons.append(
            _yes_no(
                Rule.COMPLAINANT_CONSENT,
                facts.complainant_consents,
                missing="Not recorded whether the complainant agrees to diversion: ask them "
                "(record agreement when there is no complainant).",
                yes="The complainant does not agree to diversion.",
                no="The complainant agrees to diversion.",
                yes_excludes=False,
            )
        )
    if rules.exclude_confidential_informants:
        reasons.append(
            _yes_no(
                Rule.CONFIDENTIAL_INFORMANT,
                facts.confidential_informant,
                missing="Not recorded whether the person is a confidential informant: check "
                "with the officer's supervisor.",
                yes="The person is a confidential informant, which the site excludes.",
                no="The person is not a confidential informant.",
            )
        )
    return Evaluation.from_reasons(reasons)


def _door(rules: PolicyRules, facts: Facts) -> Reason:
    try:
        door = Door(facts.door)
    except ValueError:
        return Reason(
            Rule.DOOR,
            Outcome.NEEDS_REVIEW,
            f"The referral door {facts.door!r} is not one the site knows: record whether "
            "this is an arrest diversion, a social contact or a community referral.",
        )
    if rules.door_open(door):
        return Reason(Rule.DOOR, Outcome.ELIGIBLE, f"The site takes {DOOR_PLURALS[door]}.")
    return Reason(Rule.DOOR, Outcome.INELIGIBLE, f"The site does not take {DOOR_PLURALS[door]}.")


def _offences(rules: PolicyRules, facts: Facts) -> list[Reason]:
    codes = [code for code in facts.offence_codes if code.strip()]
    if not codes:
        return [
            Reason(
                Rule.OFFENCE,
                Outcome.NEEDS_REVIEW,
                "No offence recorded: record the offence or conduct the person is referred for.",
            )
        ]
    if not rules.eligible_offences:
        return [
            Reason(
                Rule.OFFENCE,
                Outcome.NEEDS_REVIEW,
                "The site's policy lists no eligible offences yet: the project team decides.",
            )
        ]
    reasons = []
    for code in codes:
        offence = rules.offence(code)
        if offence is None:
            reasons.append(
                Reason(
                    Rule.OFFENCE,
                    Outcome.INELIGIBLE,
                    f"{code.strip()} is not on the site's list of eligible offences.",
                )
            )
        else:
            reasons.append(
                Reason(Rule.OFFENCE, Outcome.ELIGIBLE, f"{offence} is on the site's list.")
            )
    return reasons


def _is_drug_referral(rules: PolicyRules, facts: Facts) -> bool:
    for code in facts.offence_codes:
        offence = rules.offence(code)
        if offence is not None and offence.is_drug:
            return True
    return (
        facts.substance is not None
        or facts.quantity_grams is not None
        or facts.dealing_for_profit is not None
    )


def _quantity(rules: PolicyRules, facts: Facts) -> list[Reason]:
    if not rules.quantity_limits:
        return []
    substance = (facts.substance or "").strip()
    if not substance:
        return [
            Reason(
                Rule.QUANTITY,
                Outcome.NEEDS_REVIEW,
                "Drug not recorded: record which drug, its form and how much, to check it "
                "against the site's quantity limits.",
            )
        ]
    form = (facts.form or "").strip() or None
    limit = rules.limit_for(substance, form)
    what = f"{substance} ({form})" if form else substance
    if limit is None:
        needs_form = form is None and any(
            _key(q.substance) == _key(substance) for q in rules.quantity_limits
        )
        if needs_form:
            forms = ", ".join(
                q.form for q in rules.quantity_limits if _key(q.substance) == _key(substance)
            )
            return [
                Reason(
                    Rule.QUANTITY,
                    Outcome.NEEDS_REVIEW,
                    f"Form of the {substance} not recorded ({forms}): the site's limit "
                    "depends on it.",
                )
            ]
        return [
            Reason(Rule.QUANTITY, Outcome.ELIGIBLE, f"The site sets no quantity limit for {what}.")
        ]
    most = grams(limit.max_grams)
    if facts.quantity_grams is None:
        return [
            Reason(
                Rule.QUANTITY,
                Outcome.NEEDS_REVIEW,
                f"Quantity not recorded: weigh the {what}; more than {most} is excluded.",
            )
        ]
    quantity = facts.quantity_grams
    if not quantity.is_finite() or quantity < 0:
        return [
            Reason(
                Rule.QUANTITY,
                Outcome.NEEDS_REVIEW,
                f"The quantity recorded ({quantity} g) cannot be right: weigh the {what} again.",
            )
        ]
    if quantity > limit.max_grams:
        return [
            Reason(
                Rule.QUANTITY,
                Outcome.INELIGIBLE,
                f"{grams(quantity)} of {what} is more than the site's limit of {most}.",
            )
        ]
    return [
        Reason(
            Rule.QUANTITY,
            Outcome.ELIGIBLE,
            f"{grams(quantity)} of {what} is within the site's limit of {most} "
            f"(more than {most} is excluded).",
        )
    ]


def _dealing(facts: Facts) -> Reason:
    return _yes_no(
        Rule.DEALING,
        facts.dealing_for_profit,
        missing="Not recorded whether the person was dealing for profit (selling to support "
        "their own use is not): ask the officer.",
        yes="Dealing drugs for profit is excluded.",
        no="The person was not dealing for profit.",
    )


def _age(minimum: int, facts: Facts) -> Reason:
    if facts.age is None or facts.age < 0:
        return Reason(
            Rule.AGE,
            Outcome.NEEDS_REVIEW,
            f"Age not recorded: confirm the person is {minimum} or older.",
        )
    if facts.age < minimum:
        return Reason(
            Rule.AGE,
            Outcome.INELIGIBLE,
            f"The person is {facts.age}; the site takes people {minimum} or older.",
        )
    return Reason(
        Rule.AGE,
        Outcome.ELIGIBLE,
        f"The person is {facts.age}, at least the site's minimum age of {minimum}.",
    )


def lookback_start(decided_on: date, years: int) -> date:
    """The first day of a look-back of `years` years ending on `decided_on`, itself inside
    the window. 29 February falls back to 28 February in a year without one."""
    year = decided_on.year - years
    if year < 1:
        return date.min
    try:
        return decided_on.replace(year=year)
    except ValueError:
        return decided_on.replace(year=year, day=28)


def _history(history_rules: tuple[HistoryRule, ...], facts: Facts) -> list[Reason]:
    if facts.history is None:
        wanted = ", ".join(f"{rule.label.lower()} ({rule.window})" for rule in history_rules)
        return [
            Reason(
                Rule.HISTORY,
                Outcome.NEEDS_REVIEW,
                f"Criminal history not checked: check for {wanted}.",
            )
        ]
    reasons = []
    for rule in history_rules:
        start = (
            date.min
            if rule.lookback_years == 0
            else lookback_start(facts.decided_on, rule.lookback_years)
        )
        matching = sorted(
            (e for e in facts.history if _key(e.category) == _key(rule.category)),
            key=lambda e: e.on,
            reverse=True,
        )
        inside = [e for e in matching if e.on >= start]
        if inside:
            event = inside[0]
            if rule.lookback_years == 0:
                text = f"{rule.label} on {_day(event.on)} disqualifies at any time."
            else:
                text = (
                    f"{rule.label} on {_day(event.on)} is within the "
                    f"{rule.lookback_years}-year look-back (on or after {_day(start)})."
                )
            reasons.append(Reason(Rule.HISTORY, Outcome.INELIGIBLE, text))
        elif rule.lookback_years == 0:
            reasons.append(
                Reason(Rule.HISTORY, Outcome.ELIGIBLE, f"No {rule.label.lower()} on record.")
            )
        else:
            older = f"; the one on {_day(matching[0].on)} is older" if matching else ""
            reasons.append(
                Reason(
                    Rule.HISTORY,
                    Outcome.ELIGIBLE,
                    f"No {rule.label.lower()} {rule.window} (since {_day(start)}){older}.",
                )
            )
    return reasons


def _catchment(areas: tuple[str, ...], facts: Facts) -> Reason:
    listed = _listing(areas)
    area = (facts.area or "").strip()
    if not area:
        return Reason(
            Rule.CATCHMENT,
            Outcome.NEEDS_REVIEW,
            f"Area not recorded: confirm it happened in the site's catchment area ({listed}).",
        )
    if any(_key(area) == _key(known) for known in areas):
        return Reason(Rule.CATCHMENT, Outcome.ELIGIBLE, f"{area} is in the site's catchment area.")
    return Reason(
        Rule.CATCHMENT,
        Outcome.INELIGIBLE,
        f"{area} is outside the site's catchment area ({listed}).",
    )


def _yes_no(
    rule: Rule,
    value: bool | None,
    *,
    missing: str,
    yes: str,
    no: str,
    yes_excludes: bool = True,
) -> Reason:
    """A rule on one yes/no fact: None needs review; the excluding answer is ineligible.
    For complainant consent the excluding answer is "no", so its texts arrive swapped."""
    if value is None:
        return Reason(rule, Outcome.NEEDS_REVIEW, missing)
    if value is yes_excludes:
        return Reason(rule, Outcome.INELIGIBLE, yes)
    return Reason(rule, Outcome.ELIGIBLE, no)


# Checking rules -----------------------------------------------------------------------

REFERRER_VALUES = frozenset(Role.values) | {COMMUNITY_REFERRER}
BOOL_SETTINGS = (
    "exclude_dealing_for_profit",
    "exclude_active_supervision",
    "exclude_treatment_court",
    "check_protective_orders",
    "complainant_consent_required",
    "exclude_confidential_informants",
    "ends_participation_for_nonparticipation",
)
LIMITS = {
    # name: (lowest, highest, words)
    "intake_deadline_days": (1, 365, "The intake deadline"),
    "intake_reminder_days": (0, 365, "The intake reminder"),
    "handoff_target_minutes": (1, 24 * 60, "The hand-off target"),
    "caseload_warn": (1, 200, "The caseload warning"),
    "caseload_cap": (1, 200, "The caseload cap"),
    "inactivity_days": (1, 3650, "The inactivity period"),
}


def _check_rules(rules: PolicyRules) -> None:
    codes: set[str] = set()
    for offence in rules.eligible_offences:
        if not isinstance(offence, Offence):
            raise ValueError("Each eligible offence must be an Offence.")
        for name, value in (
            ("code", offence.code),
            ("label", offence.label),
            ("category", offence.category),
        ):
            if not isinstance(value, str) or not value.strip():
                raise ValueError(f"An eligible offence has no {name}.")
        if _code_key(offence.code) in codes:
            raise ValueError(f"The offence {offence.code!r} is listed twice.")
        codes.add(_code_key(offence.code))
    pairs: set[tuple[str, str]] = set()
    for limit in rules.quantity_limits:
        if not isinstance(limit, SubstanceLimit):
            raise ValueError("Each quantity limit must be a SubstanceLimit.")
        if not limit.substance.strip() or not limit.form.strip():
            raise ValueError("A quantity limit needs a substance and a form.")
        if limit.max_grams < 0:
            raise ValueError(f"The limit for {limit.describes} must be zero grams or more.")
        pair = (_key(limit.substance), _key(limit.form))
        if pair in pairs:
            raise ValueError(f"The limit for {limit.describes} is listed twice.")
        pairs.add(pair)
    _check_bools(rules)
    if rules.minimum_age is not None and (
        isinstance(rules.minimum_age, bool)
        or not isinstance(rules.minimum_age, int)
        or not 1 <= rules.minimum_age <= 120
    ):
        raise ValueError("The minimum age must be a whole number from 1 to 120, or none.")
    categories: set[str] = set()
    for rule in rules.disqualifying_history:
        if not isinstance(rule, HistoryRule):
            raise ValueError("Each disqualifying history rule must be a HistoryRule.")
        if not rule.category.strip() or not rule.label.strip():
            raise ValueError("A disqualifying history rule needs a category and a label.")
        if (
            isinstance(rule.lookback_years, bool)
            or not isinstance(rule.lookback_years, int)
            or not 0 <= rule.lookback_years <= 100
        ):
            raise ValueError(
                f"The look-back for {rule.label.lower()} must be 0 (at any time) to 100 years."
            )
        if _key(rule.category) in categories:
            raise ValueError(f"The history category {rule.category!r} is listed twice.")
        categories.add(_key(rule.category))
    areas: set[str] = set()
    for area in rules.catchment_areas:
        if not isinstance(area, str) or not area.strip():
            raise ValueError("A catchment area cannot be blank.")
        if _key(area) in areas:
            raise ValueError(f"The catchment area {area!r} is listed twice.")
        areas.add(_key(area))
    for door, roles in rules.referrers.items():
        allowed = REFERRER_VALUES if door == Door.COMMUNITY else frozenset(Role.values)
        for role in roles:
            if role not in allowed:
                raise ValueError(
                    f"{role!r} cannot refer through the {Door(door).label.lower()} door."
                )
        if len(set(roles)) != len(roles):
            raise ValueError(f"A role is named twice for the {Door(door).label.lower()} door.")
    if not rules.approver_roles:
        raise ValueError("Choose at least one role who approves referrals.")
    for role in rules.approver_roles:
        if role not in Role.values:
            raise ValueError(f"{role!r} is not a role that can approve referrals.")
    if len(set(rules.approver_roles)) != len(rules.approver_roles):
        raise ValueError("An approver role is named twice.")
    for name, (lowest, highest, words) in LIMITS.items():
        value = getattr(rules, name)
        if isinstance(value, bool) or not isinstance(value, int) or not lowest <= value <= highest:
            raise ValueError(f"{words} must be a whole number from {lowest} to {highest}.")
    if rules.intake_reminder_days >= rules.intake_deadline_days:
        raise ValueError(
            f"The intake reminder ({_days(rules.intake_reminder_days)} before) must come "
            f"before the deadline itself ({_days(rules.intake_deadline_days)})."
        )
    if rules.caseload_warn > rules.caseload_cap:
        raise ValueError(
            f"The caseload warning ({rules.caseload_warn}) must not be above the cap "
            f"({rules.caseload_cap})."
        )


def _check_bools(rules: PolicyRules) -> None:
    for name in BOOL_SETTINGS:
        if not isinstance(getattr(rules, name), bool):
            raise ValueError(f"{name!r} must be true or false.")


# Small readers and words --------------------------------------------------------------


def _plain(values: Any) -> tuple[Any, ...]:
    """Role enums become their plain values, so that rules compare and store alike."""
    return tuple(str(value) if isinstance(value, str) else value for value in values)


def _key(value: str) -> str:
    return " ".join(value.split()).casefold()


def _code_key(value: str) -> str:
    return re.sub(r"\s+", " ", value).strip().upper()


def grams(value: Decimal) -> str:
    """ "3 g", "0.5 g", "3.001 g": no exponent, no trailing zeros."""
    text = format(value.normalize(), "f") if value != 0 else "0"
    return f"{text} g"


def _day(value: date) -> str:
    return f"{value.day} {MONTHS[value.month - 1]} {value.year}"


def _years(count: int) -> str:
    return "1 year" if count == 1 else f"{count} years"


def _days(count: int) -> str:
    return "1 day" if count == 1 else f"{count} days"


def _listing(items: tuple[str, ...], most: int = 6) -> str:
    shown = list(items[:most])
    if len(items) > most:
        shown.append("…")
    return ", ".join(shown)


def _mapping(value: Any, what: str) -> dict[str, Any]:
    if not isinstance(value, dict):
        raise ValueError(f"Expected {what} as a mapping, got {type(value).__name__}.")
    return value


def _only_keys(data: dict[str, Any], known: set[str], what: str) -> None:
    unknown = sorted(set(data) - known)
    if unknown:
        raise ValueError(f"Unknown setting {unknown[0]!r} in {what}.")


def _list(value: Any, what: str) -> list[Any]:
    if not isinstance(value, list | tuple):
        raise ValueError(f"Expected a list of {what}, got {type(value).__name__}.")
    return list(value)


def _text(value: Any, what: str) -> str:
    if not isinstance(value, str):
        raise ValueError(f"Expected text for {what}, got {value!r}.")
    return value


def _optional_text(value: Any, what: str) -> str | None:
    return None if value is None else _text(value, what)


def _int(value: Any, what: str) -> int:
    if isinstance(value, bool) or not isinstance(value, int):
        raise ValueError(f"{what!r} must be a whole number, not {value!r}.")
    return value


def _optional_int(value: Any, what: str) -> int | None:
    return None if value is None else _int(value, what)


def _bool(value: Any, what: str) -> bool:
    if not isinstance(value, bool):
        raise ValueError(f"{what!r} must be true or false, not {value!r}.")
    return value


def _optional_bool(value: Any, what: str) -> bool | None:
    return None if value is None else _bool(value, what)


def _decimal(value: Any, what: str) -> Decimal:
    if isinstance(value, bool) or not isinstance(value, str | int | Decimal):
        raise ValueError(f"{what.capitalize()} must be a number written as text, not {value!r}.")
    try:
        number = Decimal(str(value).strip())
    except InvalidOperation:
        raise ValueError(f"{what.capitalize()} {value!r} is not a number.") from None
    if not number.is_finite():
        raise ValueError(f"{what.capitalize()} {value!r} is not a number.")
    return number


def _date(value: Any, what: str) -> date:
    if not isinstance(value, str):
        raise ValueError(f"{what!r} must be a date written YYYY-MM-DD, not {value!r}.")
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise ValueError(f"{what!r} must be a date written YYYY-MM-DD, not {value!r}.") from None


def _outcome(value: Any) -> Outcome:
    try:
        return Outcome(value)
    except ValueError:
        raise ValueError(f"Unknown outcome {value!r}.") from None


def _offence_from(item: Any) -> Offence:
    item = _mapping(item, "an offence")
    _only_keys(item, {"code", "label", "category"}, "an offence")
    return Offence(
        code=_text(item.get("code"), "an offence code"),
        label=_text(item.get("label"), "an offence label"),
        category=_text(item.get("category"), "an offence category"),
    )


def _limit_from(item: Any) -> SubstanceLimit:
    item = _mapping(item, "a quantity limit")
    _only_keys(item, {"substance", "form", "max_grams"}, "a quantity limit")
    if not isinstance(item.get("max_grams"), str):
        raise ValueError(
            f"The maximum grams must be written as text, not {item.get('max_grams')!r}."
        )
    return SubstanceLimit(
        substance=_text(item.get("substance"), "a substance"),
        form=_text(item.get("form"), "a form"),
        max_grams=_decimal(item["max_grams"], "the maximum grams"),
    )


def _history_from(item: Any) -> HistoryRule:
    item = _mapping(item, "a history rule")
    _only_keys(item, {"category", "label", "lookback_years"}, "a history rule")
    return HistoryRule(
        category=_text(item.get("category"), "a history category"),
        label=_text(item.get("label"), "a history label"),
        lookback_years=_int(item.get("lookback_years"), "lookback_years"),
    )


def _event_from(item: Any) -> PriorEvent:
    item = _mapping(item, "a history event")
    _only_keys(item, {"category", "on"}, "a history event")
    return PriorEvent(
        category=_text(item.get("category"), "a history category"),
        on=_date(item.get("on"), "the event's date"),
    )


__all__ = [
    "ANY_FORM",
    "COMMUNITY_REFERRER",
    "DRUG_CATEGORY",
    "Door",
    "Evaluation",
    "Facts",
    "HistoryRule",
    "Offence",
    "Outcome",
    "PolicyRules",
    "PriorEvent",
    "Reason",
    "Rule",
    "SubstanceLimit",
    "combined_outcome",
    "evaluate",
    "grams",
    "lookback_start",
    "may_approve",
    "may_refer",
]

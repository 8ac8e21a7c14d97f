"""What the casework pages accept. Shape only: the services check the rules (dates against
the enrollment, the site's policy, who may act)."""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Mapping
from typing import Any

from django import forms
from django.http import QueryDict
from django.utils import timezone

from tandem.access.decisions import Audience
from tandem.access.roles import Category
from tandem.casework.contact_links import (
    BESIDE_GOAL_AREAS,
    BESIDE_SERVICES,
    LinkChoice,
    contact_link_kinds,
    public_ids,
)
from tandem.casework.models import (
    GOAL_AREAS,
    NOTE_CATEGORIES,
    SERVICES_GIVEN,
    Contact,
    ExitReason,
)
from tandem.casework.services import MAX_CONTACT_MINUTES, NOTE_MAX_LENGTH, ContactInput

# The lengths a contact usually takes, one tap each; anything else is typed.
MINUTE_PICKS = [5, 15, 30, 45, 60, 90]
DATETIME_LOCAL = "%Y-%m-%dT%H:%M"


class LinkField(forms.MultipleChoiceField):
    """Public ids of the participant's rows a contact touched (their plan goals, their
    service links). Any well-formed id passes here: the contact service decides whether the
    row is the participant's and the viewer's to see, so that a draft naming a goal achieved
    since it was typed still saves."""

    widget = forms.CheckboxSelectMultiple

    def valid_value(self, value: Any) -> bool:
        return not public_ids([value])[1]


class ContactForm(forms.Form):
    kind = forms.ChoiceField(
        label="Kind",
        choices=Contact.Kind.choices,
        widget=forms.RadioSelect,
        error_messages={"required": "Choose substantive, attempt or collateral."},
    )
    mode = forms.ChoiceField(
        label="Where",
        choices=Contact.Mode.choices,
        widget=forms.RadioSelect,
        error_messages={"required": "Choose where the contact happened."},
    )
    minutes_pick = forms.TypedChoiceField(
        label="How long",
        choices=[(str(m), f"{m} min") for m in MINUTE_PICKS],
        coerce=int,
        required=False,
        empty_value=None,
        widget=forms.RadioSelect,
    )
    minutes = forms.IntegerField(
        label="Other length (minutes)",
        min_value=0,
        max_value=MAX_CONTACT_MINUTES,
        required=False,
    )
    at = forms.DateTimeField(
        label="When",
        input_formats=[DATETIME_LOCAL, "%Y-%m-%d %H:%M", "%Y-%m-%dT%H:%M:%S"],
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format=DATETIME_LOCAL),
        error_messages={
            "required": "Say when the contact was.",
            "invalid": "Give a date and time.",
        },
    )
    place = forms.CharField(label="Place", max_length=200, required=False)
    goal_areas = forms.MultipleChoiceField(
        label="Goals touched",
        choices=list(GOAL_AREAS.items()),
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    services = forms.MultipleChoiceField(
        label="Services given",
        choices=list(SERVICES_GIVEN.items()),
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    note = forms.CharField(
        label="Note",
        max_length=NOTE_MAX_LENGTH,
        required=False,
        widget=forms.Textarea(attrs={"rows": 4}),
    )
    note_audience = forms.ChoiceField(
        label="Who the note is for",
        choices=Audience.choices,
        initial=Audience.TEAM,
        help_text=(
            "Legal partners never read a note itself: they read the status summary the team "
            "writes for them."
        ),
    )
    note_category = forms.ChoiceField(
        label="The note is about",
        choices=[(c.value, c.label) for c in NOTE_CATEGORIES],
        initial=Category.CASEWORK,
    )
    # Set by static/js/contact-draft.js for a draft kept on the phone.
    client_token = forms.UUIDField(required=False, widget=forms.HiddenInput)

    def __init__(
        self, *args: Any, links: Mapping[str, list[LinkChoice]] | None = None, **kwargs: Any
    ) -> None:
        """`links`: what the participant's own rows offer, by kind
        (tandem.casework.contact_links.link_choices); none, and only the fixed lists show."""
        super().__init__(*args, **kwargs)
        if not self.is_bound and "at" not in self.initial:
            self.initial["at"] = timezone.localtime().replace(second=0, microsecond=0, tzinfo=None)
        links = links or {}
        self.link_kinds = contact_link_kinds()
        for kind in self.link_kinds:
            self.fields[kind.name] = LinkField(
                label=kind.label,
                choices=[(choice.value, choice.label) for choice in links.get(kind.name, [])],
                required=False,
            )
        offered = {kind.beside for kind in self.link_kinds if links.get(kind.name)}
        if BESIDE_GOAL_AREAS in offered:
            # The participant has a plan: their goals are what a contact touches; the areas
            # stay for a contact that already names some (an older one being corrected).
            self.fields["goal_areas"].label = "Areas touched"
        if BESIDE_SERVICES in offered:
            self.fields["services"].label = "Given on the spot"

    def _links_beside(self, beside: str) -> list[forms.BoundField]:
        shown = []
        for kind in self.link_kinds:
            field = self.fields[kind.name]
            if kind.beside != beside or not isinstance(field, LinkField):
                continue
            # A refusal shows beside the field even when the participant has nothing open.
            if field.choices or self[kind.name].errors:
                shown.append(self[kind.name])
        return shown

    @property
    def goal_link_fields(self) -> list[forms.BoundField]:
        """The link fields shown as "Goals touched", those with something to choose."""
        return self._links_beside(BESIDE_GOAL_AREAS)

    @property
    def service_link_fields(self) -> list[forms.BoundField]:
        return self._links_beside(BESIDE_SERVICES)

    @property
    def shows_goal_areas(self) -> bool:
        """The fixed areas show for a participant without goals to choose, or when the
        contact names some already."""
        if not self.goal_link_fields or self["goal_areas"].errors:
            return True
        return bool(self["goal_areas"].value())

    @property
    def link_errors(self) -> bool:
        return any(self[kind.name].errors for kind in self.link_kinds)

    @staticmethod
    def posted_links(data: QueryDict) -> dict[str, list[str]]:
        """The ids a POST chose, by kind: offered again when the form shows its errors."""
        return {kind.name: data.getlist(kind.name) for kind in contact_link_kinds()}

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        typed, picked = data.get("minutes"), data.get("minutes_pick")
        if typed is None and picked is None and "minutes" not in self.errors:
            self.add_error("minutes_pick", "How long was it? Tap a length or type the minutes.")
        else:
            data["minutes"] = typed if typed is not None else picked
        at = data.get("at")
        if isinstance(at, dt.datetime) and timezone.is_naive(at):
            data["at"] = timezone.make_aware(at)
        return data

    def contact_input(self) -> ContactInput:
        data = self.cleaned_data
        token = data.get("client_token")
        return ContactInput(
            at=data["at"],
            kind=data["kind"],
            mode=data["mode"],
            minutes=data["minutes"],
            place=data.get("place") or "",
            goal_areas=tuple(data.get("goal_areas") or ()),
            services=tuple(data.get("services") or ()),
            note=data.get("note") or "",
            note_audience=data.get("note_audience") or Audience.TEAM,
            note_category=data.get("note_category") or Category.CASEWORK,
            client_token=token if isinstance(token, uuid.UUID) else None,
            links={kind.name: tuple(data.get(kind.name) or ()) for kind in self.link_kinds},
        )

    @classmethod
    def initial_from(
        cls, contact: Contact, links: Mapping[str, list[str]] | None = None
    ) -> dict[str, Any]:
        """The form filled with `contact` (and the ids it links to, by kind)."""
        minutes = contact.minutes
        return {
            **(links or {}),
            "kind": contact.kind,
            "mode": contact.mode,
            "minutes_pick": str(minutes) if minutes in MINUTE_PICKS else None,
            "minutes": None if minutes in MINUTE_PICKS else minutes,
            "at": timezone.localtime(contact.at).replace(tzinfo=None),
            "place": contact.place,
            "goal_areas": contact.goal_areas,
            "services": contact.services,
            "note": contact.note,
            "note_audience": contact.note_audience,
            "note_category": contact.note_category,
        }


class CorrectionForm(ContactForm):
    reason = forms.CharField(
        label="What was wrong",
        max_length=300,
        error_messages={"required": "Say what was wrong."},
    )


class ReasonForm(forms.Form):
    reason = forms.CharField(
        label="Why",
        max_length=300,
        error_messages={"required": "Say why."},
    )


class ReengageForm(forms.Form):
    reason = forms.CharField(label="How they were found (optional)", max_length=300, required=False)


class ExitForm(forms.Form):
    reason = forms.ChoiceField(
        label="Why participation ends",
        widget=forms.RadioSelect,
        error_messages={"required": "Choose why participation ends."},
    )
    text = forms.CharField(
        label="In a few words",
        max_length=500,
        required=False,
        help_text="Needed for “Other”.",
    )
    on = forms.DateField(
        label="Date",
        widget=forms.DateInput(attrs={"type": "date"}),
        error_messages={"required": "Give the date.", "invalid": "Give a date."},
    )

    def __init__(self, *args: Any, allow_nonparticipation: bool, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        choices = ExitReason.choices
        if not allow_nonparticipation:
            choices = [c for c in choices if c[0] != ExitReason.NONPARTICIPATION]
        reason = self.fields["reason"]
        assert isinstance(reason, forms.ChoiceField)
        reason.choices = choices
        if not self.is_bound:
            self.initial.setdefault("on", timezone.localdate())


class AssignForm(forms.Form):
    case_manager = forms.ChoiceField(label="Case manager", required=False)
    reason = forms.CharField(label="Note (optional)", max_length=300, required=False)

    def __init__(self, *args: Any, case_managers: list[tuple[str, str]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["case_manager"]
        assert isinstance(field, forms.ChoiceField)
        field.choices = [("", "Nobody (unassigned)"), *case_managers]


class TaskForm(forms.Form):
    title = forms.CharField(
        label="Follow-up", max_length=200, error_messages={"required": "Say what needs doing."}
    )
    due_on = forms.DateField(
        label="Due (optional)",
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}),
        error_messages={"invalid": "Give a date."},
    )

"""Writes of casework support. Each takes `actor=` (None: the system) and the viewer it
acts for, checks the rules, and writes its rows and an audit event in one transaction."""

from tandem.casework.support.services.funds import (
    Budget,
    budget_of,
    committed_on,
    expense_decide,
    expense_record,
    expense_void,
    funding_source_add,
    money,
)
from tandem.casework.support.services.holding import held_enrollment
from tandem.casework.support.services.intake import (
    current_release,
    intake_answer_save,
    intake_baseline_save,
    intake_complete,
    intake_release_declined,
    intake_release_record,
    intake_start,
    missing_for_completion,
)
from tandem.casework.support.services.links import (
    service_link_add,
    service_link_update,
    service_provider_add,
)
from tandem.casework.support.services.outcomes import (
    NothingChangedError,
    latest_snapshot,
    snapshot_record,
)
from tandem.casework.support.services.plan import (
    goal_add,
    goal_reword,
    goal_set_status,
    progress_note_add,
    step_add,
    step_done,
)

__all__ = [
    "Budget",
    "NothingChangedError",
    "budget_of",
    "committed_on",
    "current_release",
    "expense_decide",
    "expense_record",
    "expense_void",
    "funding_source_add",
    "goal_add",
    "goal_reword",
    "goal_set_status",
    "held_enrollment",
    "intake_answer_save",
    "intake_baseline_save",
    "intake_complete",
    "intake_release_declined",
    "intake_release_record",
    "intake_start",
    "latest_snapshot",
    "missing_for_completion",
    "money",
    "progress_note_add",
    "service_link_add",
    "service_link_update",
    "service_provider_add",
    "snapshot_record",
    "step_add",
    "step_done",
]

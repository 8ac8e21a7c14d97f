"""Reads of casework support. Each takes the viewer, asks the access decision (through
`participant_for` or, during an intake, `intake_subject`), shows only what it allows, and
audits the read (a Part 2 programme's information shown outside it is also a disclosure)."""

from tandem.casework.support.selectors.funds import (
    approval_queue,
    expense_for_supervisor,
    expenses_page,
    funding_sources,
    receipt_get,
    source_for_expense,
)
from tandem.casework.support.selectors.intake import (
    assessment_page,
    intake_baseline_step,
    intake_domain_for_change,
    intake_domain_step,
    intake_for_change,
    intake_page,
    intake_release_step,
)
from tandem.casework.support.selectors.links import (
    directory_provider_for_link,
    link_for_change,
    service_directory,
    services_page,
)
from tandem.casework.support.selectors.outcomes import outcomes_page
from tandem.casework.support.selectors.participant import participant_for
from tandem.casework.support.selectors.plan import goal_for_change, plan_page, step_for_change

__all__ = [
    "approval_queue",
    "assessment_page",
    "directory_provider_for_link",
    "expense_for_supervisor",
    "expenses_page",
    "funding_sources",
    "goal_for_change",
    "intake_baseline_step",
    "intake_domain_for_change",
    "intake_domain_step",
    "intake_for_change",
    "intake_page",
    "intake_release_step",
    "link_for_change",
    "outcomes_page",
    "participant_for",
    "plan_page",
    "receipt_get",
    "service_directory",
    "services_page",
    "source_for_expense",
    "step_for_change",
]

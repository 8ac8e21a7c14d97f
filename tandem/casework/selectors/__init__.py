"""Reads of casework: aggregate figures (figures.py), caseloads and the outreach list
(caseload.py), and one participant's casework and timeline (person.py)."""

from tandem.casework.selectors.caseload import (
    Caseload,
    CaseloadRow,
    OutreachRow,
    SupervisorPage,
    caseload_get,
    casework_rules,
    outreach_list,
    supervisor_page,
)
from tandem.casework.selectors.figures import (
    CASELOAD_CAP,
    CASELOAD_WARN,
    SMALL_CELL,
    CaseloadSize,
    Figure,
    caseload_sizes,
    national_figures,
    on_call_contacts,
    site_figures,
)
from tandem.casework.selectors.person import (
    CaseworkPage,
    TimelinePage,
    casework_person_get,
    contact_for_work,
    enrollment_for_assignment,
    enrollment_for_work,
    task_for_work,
    timeline_get,
)

__all__ = [
    "CASELOAD_CAP",
    "CASELOAD_WARN",
    "SMALL_CELL",
    "Caseload",
    "CaseloadRow",
    "CaseloadSize",
    "CaseworkPage",
    "Figure",
    "OutreachRow",
    "SupervisorPage",
    "TimelinePage",
    "caseload_get",
    "caseload_sizes",
    "casework_person_get",
    "casework_rules",
    "contact_for_work",
    "enrollment_for_assignment",
    "enrollment_for_work",
    "national_figures",
    "on_call_contacts",
    "outreach_list",
    "site_figures",
    "supervisor_page",
    "task_for_work",
    "timeline_get",
]

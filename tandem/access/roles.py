"""The roles a member of a LEAD site can hold, the categories of participant information,
and the purposes a viewer may declare (DESIGN.md §4)."""

from __future__ import annotations

from django.db import models


class Role(models.TextChoices):
    CASE_MANAGER = "case_manager", "Case manager"
    CM_SUPERVISOR = "cm_supervisor", "Case-management supervisor"
    OUTREACH_WORKER = "outreach_worker", "Outreach worker"
    PROJECT_MANAGER = "project_manager", "Project manager"
    POLICE_OFFICER = "police_officer", "Police officer"
    POLICE_SERGEANT = "police_sergeant", "Police sergeant"
    PROSECUTOR = "prosecutor", "Liaison prosecutor"
    DEFENDER = "defender", "Public defender"
    EVALUATOR = "evaluator", "Evaluator"
    PCG_MEMBER = "pcg_member", "Policy Coordinating Group member"
    SITE_ADMIN = "site_admin", "Site administrator"
    NATIONAL_SUPPORT = "national_support", "National support staff"

    @property
    def organization_kinds(self) -> frozenset[str]:
        """The kinds of organisation this role may belong to; empty means any."""
        return _ORGANIZATION_KINDS.get(self, frozenset())

    @property
    def is_case_management(self) -> bool:
        return self in CASE_MANAGEMENT_ROLES

    @property
    def requires_mfa(self) -> bool:
        return self not in MFA_EXEMPT_ROLES


CASE_MANAGEMENT_ROLES = frozenset({Role.CASE_MANAGER, Role.CM_SUPERVISOR, Role.OUTREACH_WORKER})
POLICE_ROLES = frozenset({Role.POLICE_OFFICER, Role.POLICE_SERGEANT})
LEGAL_ROLES = frozenset({Role.PROSECUTOR, Role.DEFENDER})
# Roles that see figures, never a person.
AGGREGATE_ONLY_ROLES = frozenset(
    {Role.EVALUATOR, Role.PCG_MEMBER, Role.NATIONAL_SUPPORT, Role.SITE_ADMIN}
)

# Roles that see only suppressed aggregate figures may sign in with a password alone. The
# site administrator sees the audit log and issues API tokens, and the evaluator receives
# extracts, so both need a second factor like every role that sees a person.
MFA_EXEMPT_ROLES = frozenset({Role.PCG_MEMBER, Role.NATIONAL_SUPPORT})

_ORGANIZATION_KINDS: dict[Role, frozenset[str]] = {
    Role.CASE_MANAGER: frozenset({"case_management"}),
    Role.CM_SUPERVISOR: frozenset({"case_management"}),
    Role.OUTREACH_WORKER: frozenset({"case_management"}),
    Role.PROJECT_MANAGER: frozenset({"project_office"}),
    Role.POLICE_OFFICER: frozenset({"police"}),
    Role.POLICE_SERGEANT: frozenset({"police"}),
    Role.PROSECUTOR: frozenset({"prosecutor"}),
    Role.DEFENDER: frozenset({"defender"}),
    Role.EVALUATOR: frozenset({"evaluation"}),
    Role.NATIONAL_SUPPORT: frozenset({"national"}),
}


class Category(models.TextChoices):
    ENROLLMENT = "enrollment", "Enrollment"
    IDENTITY = "identity", "Identity"
    WHEREABOUTS = "whereabouts", "Whereabouts"
    CASEWORK = "casework", "Casework"
    LEGAL = "legal", "Legal"
    HEALTH = "health", "Health"
    SUBSTANCE_USE = "substance_use", "Substance use"
    DEMOGRAPHICS = "demographics", "Demographics"
    FINANCIAL = "financial", "Financial"


class Purpose(models.TextChoices):
    CARE_COORDINATION = "care_coordination", "Care coordination"
    LEGAL_COORDINATION = "legal_coordination", "Legal coordination"
    POLICE_LOOKUP = "police_lookup", "Police lookup"
    EVALUATION = "evaluation", "Evaluation"
    ADMINISTRATION = "administration", "Site administration"

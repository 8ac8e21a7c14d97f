"""The intake's psychosocial domains (DOMAIN.md §5), the information category each belongs
to, and the structured questions asked in each. Plain Python: the forms, the services and
the pages all read these tables, so a question is added in one place."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from django.db import models

from tandem.access.roles import Category


class Domain(models.TextChoices):
    HOUSING = "housing", "Housing"
    INCOME = "income", "Income and benefits"
    ID_DOCUMENTS = "id_documents", "ID documents"
    LEGAL = "legal", "Legal obligations"
    PHYSICAL_HEALTH = "physical_health", "Physical health"
    MENTAL_HEALTH = "mental_health", "Mental health"
    SUBSTANCE_USE = "substance_use", "Substance use"
    SAFETY = "safety", "Safety"
    FAMILY = "family", "Family"
    EMPLOYMENT = "employment", "Employment"
    EDUCATION = "education", "Education"


# Who may see what a domain holds is decided on this category (DESIGN.md §4): benefits and
# income are financial; court obligations legal; health and substance use their own
# categories (substance use is what 42 CFR Part 2 protects); the rest is casework.
DOMAIN_CATEGORY: dict[str, Category] = {
    Domain.HOUSING: Category.CASEWORK,
    Domain.INCOME: Category.FINANCIAL,
    Domain.ID_DOCUMENTS: Category.CASEWORK,
    Domain.LEGAL: Category.LEGAL,
    Domain.PHYSICAL_HEALTH: Category.HEALTH,
    Domain.MENTAL_HEALTH: Category.HEALTH,
    Domain.SUBSTANCE_USE: Category.SUBSTANCE_USE,
    Domain.SAFETY: Category.CASEWORK,
    Domain.FAMILY: Category.CASEWORK,
    Domain.EMPLOYMENT: Category.CASEWORK,
    Domain.EDUCATION: Category.CASEWORK,
}
DOMAIN_ORDER: tuple[str, ...] = tuple(Domain.values)


class HousingStatus(models.TextChoices):
    UNSHELTERED = "unsheltered", "Unsheltered"
    EMERGENCY_SHELTER = "emergency_shelter", "Emergency shelter"
    TEMPORARY = "temporary", "Temporary (staying with others, motel, transitional)"
    PERMANENT = "permanent", "Permanent housing"
    UNKNOWN = "unknown", "Not known"


class IncomeSource(models.TextChoices):
    NONE = "none", "No income or benefits"
    EMPLOYMENT = "employment", "Work"
    SSI_SSDI = "ssi_ssdi", "SSI or SSDI"
    GENERAL_ASSISTANCE = "general_assistance", "General assistance"
    TANF = "tanf", "TANF"
    SNAP = "snap", "SNAP (food benefits)"
    UNEMPLOYMENT = "unemployment", "Unemployment insurance"
    INFORMAL = "informal", "Informal work, recycling, panhandling"
    OTHER = "other", "Other"


class Insurance(models.TextChoices):
    NONE = "none", "None"
    MEDICAID = "medicaid", "Medicaid"
    MEDICARE = "medicare", "Medicare"
    PRIVATE = "private", "Private or employer"
    VA = "va", "Veterans' health care"
    OTHER = "other", "Other"
    UNKNOWN = "unknown", "Not known"


class EmploymentStatus(models.TextChoices):
    """The employment continuum of the Seattle evaluation: any step along it counts."""

    NOT_LOOKING = "not_looking", "Not working, not looking"
    UNABLE = "unable", "Unable to work"
    LOOKING = "looking", "Looking for work"
    TRAINING = "training", "In training or education for work"
    PART_TIME = "part_time", "Working part time or day labour"
    FULL_TIME = "full_time", "Working full time"
    UNKNOWN = "unknown", "Not known"


class Moud(models.TextChoices):
    """Medication for opioid use disorder (buprenorphine, methadone, naltrexone)."""

    NOT_INDICATED = "not_indicated", "No opioid use disorder known"
    NO = "no", "Not on medication"
    YES = "yes", "On medication"
    UNKNOWN = "unknown", "Not known"


YES_NO = (("yes", "Yes"), ("no", "No"), ("unsure", "Not sure"), ("declined", "Prefers not to say"))
WANTS_HELP = (("yes", "Yes, now"), ("later", "Maybe later"), ("no", "No"))


@dataclass(frozen=True, slots=True)
class Question:
    key: str
    label: str
    choices: Sequence[tuple[str, str]]
    many: bool = False


def _wants_help(what: str) -> Question:
    return Question("wants_help", f"Wants help with {what}", WANTS_HELP)


QUESTIONS: dict[str, tuple[Question, ...]] = {
    Domain.HOUSING: (
        Question("where_sleeping", "Where they slept most nights last week", HousingStatus.choices),
        _wants_help("housing"),
    ),
    Domain.INCOME: (
        Question("sources", "Income and benefits now", IncomeSource.choices, many=True),
        _wants_help("income or benefits"),
    ),
    Domain.ID_DOCUMENTS: (
        Question(
            "has",
            "Documents they have",
            (
                ("state_id", "State ID or driver's licence"),
                ("birth_certificate", "Birth certificate"),
                ("social_security", "Social security card"),
                ("none", "None of these"),
            ),
            many=True,
        ),
        _wants_help("ID documents"),
    ),
    Domain.LEGAL: (
        Question(
            "obligations",
            "Legal obligations",
            (
                ("open_case", "An open case"),
                ("warrant", "A warrant"),
                ("supervision", "Probation or parole"),
                ("court_date", "A court date coming up"),
                ("fines", "Fines or fees owed"),
                ("none", "None known"),
            ),
            many=True,
        ),
        _wants_help("legal matters"),
    ),
    Domain.PHYSICAL_HEALTH: (
        Question("insurance", "Health insurance", Insurance.choices),
        Question("primary_care", "Has a regular doctor or clinic", YES_NO),
        _wants_help("physical health"),
    ),
    Domain.MENTAL_HEALTH: (
        Question("in_care", "Sees someone for mental health", YES_NO),
        _wants_help("mental health"),
    ),
    Domain.SUBSTANCE_USE: (
        Question(
            "substances",
            "Substances used in the last 30 days",
            (
                ("alcohol", "Alcohol"),
                ("opioids", "Opioids"),
                ("stimulants", "Stimulants"),
                ("cannabis", "Cannabis"),
                ("other", "Other"),
                ("none", "None"),
                ("declined", "Prefers not to say"),
            ),
            many=True,
        ),
        Question("moud", "Medication for opioid use disorder", Moud.choices),
        Question("overdose_recent", "An overdose in the last 90 days", YES_NO),
        _wants_help("substance use"),
    ),
    Domain.SAFETY: (
        Question("feels_safe", "Feels safe where they stay", YES_NO),
        Question("harmed_by_someone", "Someone is hurting or threatening them", YES_NO),
        _wants_help("safety"),
    ),
    Domain.FAMILY: (
        Question("children", "Has children", YES_NO),
        Question("family_contact", "In touch with family", YES_NO),
        _wants_help("family"),
    ),
    Domain.EMPLOYMENT: (
        Question("status", "Work now", EmploymentStatus.choices),
        _wants_help("work"),
    ),
    Domain.EDUCATION: (
        Question(
            "highest",
            "Schooling finished",
            (
                ("some_school", "Some school"),
                ("high_school", "High school or GED"),
                ("some_college", "Some college or trade school"),
                ("degree", "A college degree"),
                ("unknown", "Not known"),
            ),
        ),
        _wants_help("education"),
    ),
}


def answer_labels(domain: str, answers: dict[str, object]) -> list[tuple[str, str]]:
    """(question, answer) in plain words, in the order the questions are asked; a question
    left unanswered is left out."""
    shown = []
    for question in QUESTIONS.get(domain, ()):
        value = answers.get(question.key)
        if not value:
            continue
        labels = dict(question.choices)
        values = value if isinstance(value, list) else [value]
        shown.append((question.label, ", ".join(labels.get(str(v), str(v)) for v in values)))
    return shown


def clean_answers(domain: str, raw: dict[str, object]) -> dict[str, object]:
    """Only known questions with known choices; an unknown key or value is dropped (a form
    has already refused it with a message)."""
    clean: dict[str, object] = {}
    for question in QUESTIONS[domain]:
        value = raw.get(question.key)
        allowed = {key for key, _ in question.choices}
        if question.many:
            values = [str(v) for v in value or [] if str(v) in allowed]  # type: ignore[attr-defined]
            if values:
                clean[question.key] = values
        elif value and str(value) in allowed:
            clean[question.key] = str(value)
    return clean
